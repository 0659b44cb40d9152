"""Argument text for one op node in a lowered function: tensors by name, literals with configuration names, shapes."""

from __future__ import annotations

import sympy
from torch import fx

from ..codegen.arguments import Arguments
from ..codegen.sizes import size_source
from . import accumulation
from .graph import arguments, op_name, shape
from .rules import permutation, slice_range
from .steps import overflows_bfloat16

L1 = "ttnn.L1_MEMORY_CONFIG"


class Render:
    """What a rule's render function reads: `r.t("input")`, `r.p("dim")`, `r.dims()`, `r.call(...)`."""

    def __init__(self, lowering, node: fx.Node, rule=None):
        self.lowering, self.node, self.rule = lowering, node, rule
        self.values = arguments(node)
        self.arguments = Arguments(node, lowering.builder)

    # -- tensors -------------------------------------------------------------------------------------------------
    def t(self, name: str) -> str:
        value = self.values[name]
        form = self.lowering.read_form(self.node, name, self.rule) if self.rule else "tile"
        # a parameter read as ids (a position-id buffer) is prepared as ids: uint32 ROW_MAJOR, not bfloat16
        preparation = self.rule.weights.get(name, form if form == "ids" else "tile") if self.rule else "tile"
        return self.lowering.tensor_text(value, form, preparation)

    def t_or_p(self, name: str) -> str:
        value = self.values.get(name)
        if isinstance(value, fx.Node):
            return self.t(name)
        if overflows_bfloat16(value):  # float32's min/max (a mask fill): the device holds bfloat16's
            return "torch.finfo(torch.bfloat16).min" if value < 0 else "torch.finfo(torch.bfloat16).max"
        return self.p(name)

    def tensors(self, name: str) -> str:
        return "[" + ", ".join(self.lowering.tensor_text(v, "tile", "tile") for v in self.values[name]) + "]"

    # -- literals ------------------------------------------------------------------------------------------------
    def p(self, name: str) -> str:
        return self.arguments.p(name)

    def raw(self, name: str):
        return self.values.get(name)

    def given(self, name: str) -> bool:
        return self.arguments.given(name)

    def dims(self, node: fx.Node | None = None) -> str:
        return "[" + ", ".join(self.lowering.size_text(d) for d in shape(node or self.node)) + "]"

    def permutation(self) -> list[int]:
        return permutation(self.node)

    def slice_bounds(self) -> tuple[str, str]:
        source = shape(self.values["self"])
        dim, start, end = slice_range(self.node)
        starts = ["0"] * len(source)
        ends = [self._dim_text(d) for d in range(len(source))]
        starts[dim] = self._offset_text(dim, start)
        if end is not None:
            ends[dim] = self._offset_text(dim, end)
        return "[" + ", ".join(starts) + "]", "[" + ", ".join(ends) + "]"

    def _dim_text(self, dim: int) -> str:
        """A dim of the sliced tensor: its int or size name, else read off the tensor (a size derived from another
        function's input, such as Wav2Vec2's conv output length, has no name here)."""
        try:
            return self.lowering.size_text(shape(self.values["self"])[dim])
        except ValueError:
            return f"{self.t('self')}.shape[{dim}]"

    def _offset_text(self, dim: int, offset) -> str:
        size = shape(self.values["self"])[dim]
        if offset is None or isinstance(offset, fx.Node) or offset >= 0 or isinstance(size, int):  # node: a size
            return self.lowering.offset_text(size, offset)
        return f"{self._dim_text(dim)} - {-offset}"

    def call(self, name: str, parts: list[str], memory: bool = True) -> str:
        if name in ("ttnn.linear", "ttnn.matmul"):
            parts = parts + accumulation.keywords(self._inner())
        if memory and self.lowering.l1:
            parts = parts + [f"memory_config={L1}"]
        return f"{name}({', '.join(parts)})"

    def _inner(self):
        """The inner dimension of this matmul node (None where its op is not one the table knows)."""
        operand = accumulation.INNER_OPERAND.get(op_name(self.node))
        dims = shape(self.values[operand]) if operand in self.values else ()
        return dims[-1] if dims else None


def size_text(lowering, size) -> str:
    """A dim as source: an int (with its configuration name), or a symbolic size spelled with the size names."""
    if isinstance(size, int):
        return lowering.literal(size)
    expr = size.node.expr
    names = {}
    for symbol in expr.free_symbols:
        name = lowering.builder.context.symbol_names.get(symbol)
        if name is None or not lowering.builder.define_size(name, symbol):
            spelled = lowering.builder.spell(expr)  # over the inputs' dims: Swin's windows are batch * 4
            if spelled is None:
                raise ValueError(f"size {expr} is not expressible from this function's inputs")
            return spelled.text
        names[symbol] = sympy.Symbol(name)
    return size_source(expr.subs(names))
