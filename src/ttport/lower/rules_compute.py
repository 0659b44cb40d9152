"""Compute ops written with ttnn calls the emulator and the recorded 0.81.1 API both have: baddbmm, masked_fill,
hardtanh, group_norm, tanh-approximate GELU and in-place arithmetic on a value no one reads afterwards."""

from __future__ import annotations

import math

from torch import fx

from .graph import arguments, op_name, shape
from .rule import Rule
from .rules_movement import size

# Ops whose result shares its input's storage: an in-place update of one changes the other.
VIEWS = {"view", "reshape", "_unsafe_view", "flatten", "unsqueeze", "squeeze", "slice", "select", "permute"}
VIEWS |= {"transpose", "t", "expand", "split", "chunk", "unbind", "getitem", "alias", "as_strided", "narrow"}


def _scaled(r, text: str, factor) -> str:
    return text if factor == 1 else r.call("ttnn.multiply", [text, r.lowering.literal(factor)], memory=False)


def _baddbmm(r):
    """baddbmm(input, a, b, beta, alpha) = beta * input + alpha * (a @ b); beta = 0 ignores input (torch's rule)."""
    beta, alpha = r.values.get("beta", 1), r.values.get("alpha", 1)
    product = r.call("ttnn.matmul", [r.t("batch1"), r.t("batch2")], memory=beta == 0 and alpha == 1)
    if alpha != 1:
        product = r.call("ttnn.multiply", [product, r.lowering.literal(alpha)], memory=beta == 0)
    if beta == 0:
        return product
    return r.call("ttnn.add", [_scaled(r, r.t("self"), beta), product])


def _masked_fill(r):
    """x.masked_fill(mask, v) = where(mask, v, x)."""
    return r.call("ttnn.where", [r.t("mask"), r.t_or_p("value"), r.t("self")])


def _scalar_value(node, _context):
    return None if not isinstance(arguments(node).get("value"), fx.Node) else "a tensor fill value"


def _hardtanh(r):
    """hardtanh(x, lo, hi) = clamp(x, lo, hi)."""
    return r.call("ttnn.clamp", [r.t("self"), f"min={r.p('min_val')}", f"max={r.p('max_val')}"])


def _group_norm(r):
    """group_norm(x (N, C, ...), G) = layer_norm over (N, G, C/G * spatial) without affine, then per channel
    x * weight + bias on (N, C, spatial) with (C, 1) columns. Sizes known only at run time (an audio length) are
    written from the function's inputs, as the other reshapes write them; a reshape to the shape a value already has
    is left out (Wav2Vec2's GroupNorm(C, C) on (N, C, L) needs none)."""
    dims = tuple(shape(r.values["input"]))
    n, c, groups = dims[0], dims[1], r.values["num_groups"]
    spatial = math.prod(dims[2:]) if len(dims) > 2 else 1
    grouped, channels = (n, groups, c // groups * spatial), (n, c, spatial)
    steps = _reshape_step(r, dims, grouped) + [("ttnn.layer_norm", [f"epsilon={r.p('eps')}"])]
    affine = [(op, [r.t(name)]) for op, name in (("ttnn.multiply", "weight"), ("ttnn.add", "bias")) if r.given(name)]
    if affine:
        steps += _reshape_step(r, grouped, channels) + affine
    steps += _reshape_step(r, channels if affine else grouped, dims)
    text = r.t("input")
    for position, (op, parts) in enumerate(steps):
        text = r.call(op, [text, *parts], memory=position == len(steps) - 1)
    return text


def _reshape_step(r, have: tuple, want: tuple) -> list:
    """[] when the shapes are equal (run-time sizes compared by their expressions), else one ttnn.reshape."""
    expr = lambda d: d if isinstance(d, int) else d.node.expr  # noqa: E731
    if len(have) == len(want) and all(expr(a) == expr(b) for a, b in zip(have, want)):
        return []
    return [("ttnn.reshape", ["[" + ", ".join(size(r, d) for d in want) + "]"])]


def _group_norm_when(node, _context):
    values = arguments(node)
    dims = shape(values["input"])
    if len(dims) < 2 or not isinstance(dims[1], int):
        return "channels known only at run time"
    groups = values.get("num_groups")
    return None if dims[1] % groups == 0 else "channels not divisible by the groups"


# GELU's tanh approximation, 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). tt-metal 0.81.1's one-call form is
# ttnn.gelu(x, variant=ttnn.GeluVariant.Tanh) (recorded signature); the emulator does not model that variant yet,
# so the formula is written out in element-wise ops that every backend runs exactly as written.
GELU_TANH = (math.sqrt(2 / math.pi), 0.044715)


def _gelu(r):
    x = r.t("self")
    if r.values.get("approximate", "none") != "tanh":
        return r.call("ttnn.gelu", [x])
    root, cubic = GELU_TANH
    inner = r.call("ttnn.multiply", [r.call("ttnn.pow", [x, "3"], memory=False), repr(cubic)], memory=False)
    inner = r.call("ttnn.multiply", [r.call("ttnn.add", [x, inner], memory=False), repr(root)], memory=False)
    one_plus = r.call("ttnn.add", [r.call("ttnn.tanh", [inner], memory=False), "1.0"], memory=False)
    half = r.call("ttnn.multiply", [one_plus, "0.5"], memory=False)
    return r.call("ttnn.multiply", [x, half])


def _gelu_when(node, _context):
    approximate = arguments(node).get("approximate", "none")
    return None if approximate in ("none", "tanh") else f"approximate={approximate!r}"


def _fresh_item(node) -> bool:
    """An item of a tuple of new tensors (topk's or sort's values), not a piece of one tensor (split's)."""
    source = node.args[0] if op_name(node) == "getitem" else None
    return isinstance(source, fx.Node) and source.op == "call_function" and op_name(source) in FRESH_TUPLES


FRESH_TUPLES = {"topk", "sort", "max", "min", "var_mean", "native_layer_norm"}  # ops returning new tensors


def _in_place(node, lowering):
    """x.add_(y) is x + y when x is a value this function computed and nothing reads x after the update."""
    target = arguments(node)["self"]
    if not isinstance(target, fx.Node) or target.op != "call_function" or target in lowering.inputs:
        return "it updates an input or a parameter in place (the caller would see the change)"
    if op_name(target) in VIEWS and not _fresh_item(target):
        return f"it updates a view ({op_name(target)}) of another tensor in place"
    order = {n: i for i, n in enumerate(node.graph.nodes)}
    later = [user for user in target.users if user is not node and order[user] > order[node]]
    if later:
        return f"{target.name} is read again after the in-place update"
    alpha = arguments(node).get("alpha", 1)
    return None if alpha == 1 else "alpha != 1"


def _binary(name: str):
    return lambda r: r.call(name, [r.t("self"), r.t_or_p("other")])


COMPUTE = {
    "baddbmm": Rule("ttnn.matmul", _baddbmm),
    "masked_fill": Rule("ttnn.where", _masked_fill, when=_scalar_value),
    "hardtanh": Rule("ttnn.clamp", _hardtanh),
    "group_norm": Rule(
        "ttnn.layer_norm",
        _group_norm,
        weights={"weight": "channel_column", "bias": "channel_column"},
        when=_group_norm_when,
    ),
    "gelu": Rule("ttnn.gelu", _gelu, when=_gelu_when),
    **{
        f"{op}_": Rule(f"ttnn.{name}", _binary(f"ttnn.{name}"), when=_in_place)
        for op, name in (("add", "add"), ("sub", "subtract"), ("mul", "multiply"), ("div", "divide"))
    },
}
