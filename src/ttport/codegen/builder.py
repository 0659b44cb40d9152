"""One module call -> the body of its functional torch function (statements, names, inlining, child calls)."""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy
import torch
from torch import fx

from ..capture.bind import is_symbolic
from ..capture.identity import is_identity, op_name
from ..capture.sizes import dims, spell
from ..capture.tree import ModuleCall
from .call_slots import slot_identifiers
from .config_values import ConfigNames
from .expr import ATOM, Expr, literal
from .naming import Names, construction_names, frames, mentioned, runtime_attributes, safe, snake, targets
from .ops import CHECKS, OPERATORS, OPS
from .sizes import size_source
from .statements import Call, Statement


class GenerationError(Exception):
    """A graph construct the reference generator has no rule for."""


class DynamicSizeError(GenerationError):
    """A dynamic size a module uses that its arguments' shapes cannot spell; static shapes avoid it."""


@dataclass
class Item:
    node: fx.Node | None = None
    call: ModuleCall | None = None
    line: tuple | None = None  # (file, line) of the owner's source line
    code: str = ""


@dataclass
class Body:
    params: list[str]
    kwargs: dict  # configuration keyword arguments: name -> value at this call
    statements: list[Statement] = field(default_factory=list)
    returns: list[str] = field(default_factory=list)
    uses_parameters: bool = False


def function_children(call: ModuleCall) -> list[ModuleCall]:
    found = []
    for child in call.children:
        found += [child] if not child.inline else function_children(child)
    return found


def inline_children(call: ModuleCall, owner: ModuleCall | None = None) -> list[tuple[str, torch.nn.Module]]:
    """(path relative to the owner, module) of every module emitted inline in the owner's function."""
    owner = owner or call
    found = []
    for child in call.children:
        if child.inline:
            found += [(child.relative_path(owner), child.module)] + inline_children(child, owner)
    return found


class FunctionBuilder:
    def __init__(self, owner: ModuleCall, context):
        self.owner, self.context = owner, context
        self.children = function_children(owner)
        self.node_child = {node: child for child in self.children for node in child.nodes}
        self.inputs = {node: expr for expr, node in owner.inputs}
        self.kwargs: dict = {}
        self.config = ConfigNames(owner.module, context.config_of(owner.module), inline_children(owner))
        self.own_attributes = set(vars(owner.module)) & runtime_attributes(owner.cls)
        self.prelude: dict[str, str] = {}  # size name -> its definition
        self.exprs: dict[fx.Node, Expr] = {}
        self.uses_parameters = False

    # -- values ------------------------------------------------------------------------------------------------
    def value(self, value) -> Expr:
        if isinstance(value, fx.Node):
            return self.ref(value)
        if isinstance(value, (list, tuple)):
            return Expr("[" + ", ".join(self.value(v).text for v in value) + "]")
        if isinstance(value, torch.device):
            raise GenerationError("device argument reached printing")
        return Expr(literal(value))

    def ref(self, node: fx.Node) -> Expr:
        node = self.resolve(node)
        if node in self.inputs:
            return Expr(self.inputs[node])
        if node.op == "get_attr":
            return Expr(self.attribute(node))
        if is_symbolic(node):
            return self.size(node)
        if node in self.exprs:
            return self.exprs[node]
        raise GenerationError(f"{self.where()}: value {node.name} ({node.target}) is read before it is computed")

    def resolve(self, node: fx.Node) -> fx.Node:
        while node in self.aliases:
            node = self.aliases[node]
        return node

    def where(self) -> str:
        return f"{self.owner.path or '<root>'} ({self.owner.cls.__name__})"

    def config_name(self, value, node: fx.Node | None, slot: tuple[int, int] | None = None) -> str | None:
        """The configuration name of a literal `node` takes, where this module's code for it mentions one. A size
        list entry (`slot`: index, length) is named only from the source argument at its position."""
        if node is None:
            return None
        if slot is not None and self.builtin_child(node) is None:
            return self.config.name(value, self.kwargs, self.slot_mentioned(node, *slot))
        return self.config.name(value, self.kwargs, self.mentioned(node))

    def slot_mentioned(self, node: fx.Node, index: int, length: int) -> frozenset:
        """Identifiers of the source argument that wrote entry `index` of the node's size list, from the innermost
        model frame (the line calling the op, also inside a helper such as BART's `_shape`); none when the
        call's arguments do not line up with the graph's list."""
        found = frames(node)
        if not found or self.context.depth(node, self.owner) >= len(found):
            return frozenset()
        file, line, _ = found[-1]
        return slot_identifiers(file, line, op_name(node), index, length) or frozenset()

    def mentioned(self, node: fx.Node) -> set[str]:
        """Identifiers of the code that computed `node` in this module, and of the construction of the inline
        child (nn.LayerNorm, nn.Linear) the node belongs to."""
        found = frames(node)
        depth = self.context.depth(node, self.owner)
        names = mentioned(found[depth:] if depth < len(found) else found[-1:]) | self.own_attributes
        child = self.builtin_child(node)
        if child is not None:
            names |= construction_names(self.owner.cls, child)
        return names

    def builtin_child(self, node: fx.Node) -> str | None:
        """The owner's attribute naming the inline torch.nn child (nn.LayerNorm) the node runs in, if any."""
        stack = [path.split("@")[0] for path, _ in (node.meta.get("nn_module_stack") or {}).values()]
        inner = stack[-1] if stack else ""
        prefix = f"{self.owner.path}." if self.owner.path else ""
        if inner != self.owner.path and inner.startswith(prefix) and self.context.is_builtin_path(inner):
            return inner[len(prefix) :].split(".", 1)[0]
        return None

    # -- parameters ---------------------------------------------------------------------------------------------
    def attribute(self, node: fx.Node, transposed_ok: bool = False) -> str:
        relative = self.context.relative_attribute(node.target, self.owner.path)
        if relative is None:
            return self.context.constant(node)
        self.uses_parameters = True
        text = parameter_expression(relative)
        if self.context.is_linear_weight(self.owner.path, relative) and not transposed_ok:
            return f"{text}.T"  # stored pre-transposed; this use wants the original layout
        return text

    def linear_weight(self, value) -> str | None:
        if not isinstance(value, fx.Node) or value.op != "get_attr":
            return None
        relative = self.context.relative_attribute(value.target, self.owner.path)
        if relative is None or not self.context.is_linear_weight(self.owner.path, relative):
            return None
        return self.attribute(value, transposed_ok=True)

    # -- sizes ---------------------------------------------------------------------------------------------------
    def size(self, node: fx.Node) -> Expr:
        value = node.meta.get("val")
        if isinstance(value, (int, float, bool)):
            return Expr(literal(value))
        symbol = value.node.expr
        name = self.context.symbol_names.get(symbol)
        if name is not None and self.define_size(name, symbol):
            return Expr(name)
        try:
            return self.size_as_traced(node)
        except DynamicSizeError:
            spelled = self.spell(symbol)
            if spelled is None:  # Swin's windows: batch * windows is the first dim of the attention's input
                raise
            return spelled

    def size_as_traced(self, node: fx.Node) -> Expr:
        """The size as the model computed it: arithmetic on `x.shape[d]` of values this function holds."""
        if node.target in OPERATORS:
            symbol_text, precedence = OPERATORS[node.target]
            left, right = (self.value(a) for a in node.args)
            return Expr(f"{left.at(precedence)} {symbol_text} {right.at(precedence + 1)}", precedence)
        source = self.resolve(node.args[0]) if node.target is torch.ops.aten.sym_size.int else None
        if source is not None and (source in self.inputs or source in self.exprs):
            return Expr(f"{self.ref(source).at(ATOM)}.shape[{node.args[1]}]")
        symbol = node.meta["val"].node.expr
        raise DynamicSizeError(
            f"{self.where()}: the dynamic size {symbol} is not a dimension of this module's arguments "
            "(export took it from another input of the model)"
        )

    def spell(self, expr) -> Expr | None:
        """A size written over this function's arguments' dimensions (named sizes where they are plain)."""
        found = spell(expr, dims(list(self.inputs)))
        if found is None:
            return None
        rewritten, where = found
        texts = {}
        for symbol, (node, dim) in where.items():
            name = self.context.symbol_names.get(symbol)
            if name is not None and self.define_size(name, symbol):
                texts[symbol] = sympy.Symbol(name)
            else:
                texts[symbol] = sympy.Symbol(f"{Expr(self.inputs[node]).at(ATOM)}.shape[{self.held_dim(node, dim)}]")
        return Expr(size_source(rewritten.xreplace(texts)), 0 if len(where) > 1 or not rewritten.is_Symbol else ATOM)

    def define_size(self, name: str, symbol) -> bool:
        if name in self.prelude:
            return True
        for node, expr in self.inputs.items():
            shape = getattr(node.meta.get("val"), "shape", ())
            for dim, size in enumerate(shape):
                if isinstance(size, torch.SymInt) and size.node.expr == symbol:
                    self.prelude[name] = f"{expr}.shape[{self.held_dim(node, dim)}]"
                    return True
        return False

    def held_dim(self, node: fx.Node, dim: int) -> int:
        """Where the function's argument `node` holds its torch dim `dim` (the lowering holds some channels-last)."""
        return dim

    # -- items ---------------------------------------------------------------------------------------------------
    def collect(self) -> list[Item]:
        self.aliases: dict[fx.Node, fx.Node] = {}
        last_node = {child: child.nodes[-1] for child in self.children if child.nodes}
        items = []
        for node in self.owner.nodes:
            if node.op != "call_function":
                continue
            child = self.node_child.get(node)
            if is_identity(node):  # also inside children: the parent may read a child's no-op cast of its input
                self.aliases[node] = node.args[0]
            if child is not None:
                if last_node.get(child) is node:
                    items.append(Item(call=child, **self.line(node)))
                continue
            name = op_name(node)
            if name in CHECKS or (is_symbolic(node) and node.target not in (torch.ops.aten.sym_size.int,)):
                continue
            if is_symbolic(node):
                continue
            if is_identity(node):
                continue
            items.append(Item(node=node, **self.line(node)))
        return items

    def line(self, node: fx.Node) -> dict:
        found = frames(node)
        depth = self.context.depth(node, self.owner)
        if not found:
            return {}
        file, line, code = found[depth] if depth < len(found) else found[-1]
        return {"line": (file, line), "code": code}


def parameter_expression(relative: str) -> str:
    text = "parameters"
    for part in relative.split("."):
        text += f"[{part}]" if part.isdigit() else (f".{part}" if part.isidentifier() else f"[{part!r}]")
    return text


__all__ = ["FunctionBuilder", "GenerationError", "Body", "Item", "Names", "safe", "snake", "targets", "Call", "OPS"]
