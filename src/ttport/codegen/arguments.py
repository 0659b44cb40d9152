"""An op node's arguments by schema name, printed through the function being built."""

from __future__ import annotations

from torch import fx

from .expr import ATOM, Expr, literal

_MISSING = object()
# Arguments no readable emitter needs to print: placement, and embedding's options that only shape gradients.
UNPRINTED = {"device", "pin_memory", "layout", "memory_format", "non_blocking"}
UNPRINTED |= {"padding_idx", "scale_grad_by_freq", "sparse"}
# Arguments whose literal values may be configuration (sizes, scales, epsilons), named when they match one.
CONFIG_ARGUMENTS = {"size", "shape", "normalized_shape", "other", "eps", "value", "fill_value", "scale"}


class Arguments:
    def __init__(self, node: fx.Node, builder):
        self.node, self.builder = node, builder
        self.values, self.defaults = {}, {}
        self.read: set = set()  # names an emitter printed or inspected
        self.keyword_only: set = set()
        schema = getattr(node.target, "_schema", None)
        if schema is None:  # Python operators: positional only
            self.values = dict(enumerate(node.args))
            return
        for i, argument in enumerate(schema.arguments):
            default = argument.default_value if argument.has_default_value() else _MISSING
            if i < len(node.args) and not argument.kwarg_only:
                value = node.args[i]
            else:
                value = node.kwargs.get(argument.name, default)
            self.values[argument.name] = None if value is _MISSING else value
            if argument.kwarg_only:
                self.keyword_only.add(argument.name)
            self.defaults[argument.name] = default

    def raw(self, name):
        self.read.add(name)
        return self.values.get(name)

    def unread(self) -> list[str]:
        """Given arguments the emitter never looked at: printing would drop them (baddbmm's alpha)."""
        return [
            name
            for name in self.values
            if name not in self.read
            and name not in UNPRINTED
            and self.given(name)
            and self.values[name] is not False  # flags such as _softmax's half_to_float, off
        ]

    def given(self, name) -> bool:
        value = self.values.get(name)
        default = self.defaults.get(name, _MISSING)
        if value is None:
            return False
        return default is _MISSING or not _same(value, default)

    def x(self, name) -> Expr:
        self.read.add(name)
        value = self.values[name]
        if name in CONFIG_ARGUMENTS and isinstance(value, float):
            named = self.builder.config_name(value, self.node)
            if named:
                return Expr(named)
        return self.builder.value(value)

    def e(self, name, precedence: int) -> str:
        return self.x(name).at(precedence)

    def p(self, name) -> str:
        self.read.add(name)
        return self.fmt(self.values.get(name), config=name in CONFIG_ARGUMENTS)

    def fmt(self, value, config: bool = False, slot: tuple[int, int] | None = None) -> str:
        """Literal text; with `config`, floats and (in size lists only: `slot` is index, length) ints take a
        configuration name."""
        if isinstance(value, (list, tuple)):
            return "[" + ", ".join(self.fmt(v, config, (i, len(value))) for i, v in enumerate(value)) + "]"
        if isinstance(value, fx.Node):
            return self.builder.value(value).text
        if config and (slot is not None or isinstance(value, float)):
            named = self.builder.config_name(value, self.node, slot)
            if named:
                return named
        return literal(value)

    def spread(self, name) -> list[str]:
        """A size list as separate arguments: x.view(batch_size, sequence_length, -1)."""
        self.read.add(name)
        values = self.values[name]
        return [self.fmt(v, config=True, slot=(i, len(values))) for i, v in enumerate(values)]

    def subscript(self, text: str) -> Expr:
        """x[:, :, text] on the node's `dim`; negative dims count from the end with an ellipsis."""
        dim = self.raw("dim") or 0
        receiver = self.e("self", ATOM)
        if dim < 0:
            return Expr(f"{receiver}[..., {', '.join([text] + [':'] * (-dim - 1))}]")
        return Expr(f"{receiver}[{', '.join([':'] * dim + [text])}]")

    def linear_weight(self, name) -> str | None:
        """parameters.x.weight when the weight is an nn.Linear's (stored pre-transposed), else None."""
        return self.builder.linear_weight(self.raw(name))


def _same(value, default) -> bool:
    try:
        return bool(value == default)
    except Exception:  # tensors and odd defaults compare badly; treat as given
        return False
