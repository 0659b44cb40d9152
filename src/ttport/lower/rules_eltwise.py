"""Element-wise ATen ops -> the ttnn element-wise ops of the same meaning (one row each; emulated in
ttport/emu/ops/unary_ops.py, binary_ops.py, ternary_ops.py).

A comparison's or logical op's bool result stays on the device as ttnn gives it: 1.0 / 0.0 in bfloat16 (Rule
bool_result), which ttnn.where and masked_fill read as they read a torch bool; read back on host it becomes a
torch bool again (steps.conversion).
"""

from __future__ import annotations

from torch import fx

from .graph import arguments, meta
from .rule import Rule
from .rule import call as _call

# aten op -> ttnn op of one tensor, same meaning, no parameters.
UNARY_SAME = {
    **{
        name: name
        for name in (
            "abs log log2 log10 log1p exp2 expm1 erf erfc erfinv sin cos tan asin acos atan sinh cosh asinh acosh "
            "atanh square sign floor ceil trunc frac relu6 hardswish hardsigmoid mish selu"
        ).split()
    },
    "sgn": "sign",  # sgn of a real tensor is sign
    "arctan": "atan",
}
# aten op -> ttnn op whose result is a bool (1.0 / 0.0 on device).
PREDICATES = {"isnan": "isnan", "isinf": "isinf", "isfinite": "isfinite", "logical_not": "logical_not"}
# aten op -> ttnn op of two operands (the second a tensor or a number).
BINARY = {
    "maximum": "maximum",
    "minimum": "minimum",
    "remainder": "remainder",
    "fmod": "fmod",
    "xlogy": "xlogy",
    "floor_divide": "floor_div",
    "logaddexp": "logaddexp",
    "logaddexp2": "logaddexp2",
}
TENSOR_BINARY = {"atan2": "atan2", "hypot": "hypot"}  # ttnn 0.81.1 has no scalar overload of these
COMPARISONS = {name: name for name in ("eq", "ne", "gt", "ge", "lt", "le")}
LOGICAL = {"logical_and": "logical_and", "logical_or": "logical_or", "logical_xor": "logical_xor"}
# bitwise ops of bool tensors are the logical ones (torch.bitwise_and(a, b); `a & b` is aten.__and__)
BOOL_BITWISE = {
    "bitwise_and": "logical_and",
    "bitwise_or": "logical_or",
    "bitwise_xor": "logical_xor",
    "__and__": "logical_and",
    "__or__": "logical_or",
    "__xor__": "logical_xor",
}


def _binary(name: str):
    return lambda r: r.call(name, [r.t("self"), r.t_or_p("other")])


def _tensor_other(node, _context):
    return None if isinstance(arguments(node).get("other"), fx.Node) else "a number operand (ttnn takes tensors)"


def _bools(node, _context):
    """The op reads bool tensors only (on integers, bitwise ops are not the logical ones)."""
    for value in node.all_input_nodes:
        dtype = getattr(meta(value), "dtype", None)
        if dtype is not None and str(dtype) != "torch.bool":
            return f"an operand of dtype {dtype} (ttnn's logical ops stand in for bool operands only)"
    return None


def _keywords(name: str, *parameters: str, positional: tuple = ()):
    """ttnn.name(x, <positional params>, keyword=param for each given) with the aten op's own parameter names."""

    def render(r):
        parts = [r.t("self")] + [r.p(p) for p in positional]
        parts += [f"{p}={r.p(p)}" for p in parameters if r.given(p)]
        return r.call(name, parts)

    return render


def _elu_when(node, _context):
    values = arguments(node)
    unscaled = values.get("scale", 1) == 1 and values.get("input_scale", 1) == 1
    return None if unscaled else "scale or input_scale != 1 (ttnn.elu has alpha only)"


def _round(r):
    decimals = r.raw("decimals") or 0
    return r.call("ttnn.round", [r.t("self")] + ([f"decimals={decimals}"] if decimals else []))


def _three(name: str, inputs: tuple[str, ...], scalar: str | None = None):
    def render(r):
        parts = [r.t_or_p(i) for i in inputs]
        if scalar and r.given(scalar) and r.raw(scalar) != 1:
            parts.append(f"value={r.p(scalar)}")
        return r.call(name, parts)

    return render


def _first_is_tensor(node, _context):
    return None if isinstance(arguments(node).get("self"), fx.Node) else "a number first operand"


def _clamp_bound(bound: str, name: str, tensor_op: str):
    """clamp_min(x, lo) = clamp(x, min=lo) for a number, maximum(x, lo) for a tensor (clamp_max: min / minimum)."""

    def render(r):
        if isinstance(r.raw(bound), fx.Node):
            return r.call(tensor_op, [r.t("self"), r.t(bound)])
        return r.call("ttnn.clamp", [r.t("self"), f"{name}={r.p(bound)}"])

    return render


ELTWISE: dict[str, Rule] = {
    **{aten: Rule(f"ttnn.{op}", _call(f"ttnn.{op}", "self")) for aten, op in UNARY_SAME.items()},
    **{aten: Rule(f"ttnn.{op}", _call(f"ttnn.{op}", "self"), bool_result=True) for aten, op in PREDICATES.items()},
    "bitwise_not": Rule("ttnn.logical_not", _call("ttnn.logical_not", "self"), when=_bools, bool_result=True),
    **{aten: Rule(f"ttnn.{op}", _binary(f"ttnn.{op}")) for aten, op in BINARY.items()},
    **{aten: Rule(f"ttnn.{op}", _binary(f"ttnn.{op}"), when=_tensor_other) for aten, op in TENSOR_BINARY.items()},
    **{aten: Rule(f"ttnn.{op}", _binary(f"ttnn.{op}"), bool_result=True) for aten, op in COMPARISONS.items()},
    **{aten: Rule(f"ttnn.{op}", _binary(f"ttnn.{op}"), bool_result=True) for aten, op in LOGICAL.items()},
    **{
        aten: Rule(f"ttnn.{op}", _binary(f"ttnn.{op}"), when=_bools, bool_result=True)
        for aten, op in BOOL_BITWISE.items()
    },
    "leaky_relu": Rule("ttnn.leaky_relu", _keywords("ttnn.leaky_relu", "negative_slope")),
    "elu": Rule("ttnn.elu", _keywords("ttnn.elu", "alpha"), when=_elu_when),
    "celu": Rule("ttnn.celu", _keywords("ttnn.celu", "alpha")),
    "softplus": Rule("ttnn.softplus", _keywords("ttnn.softplus", "beta", "threshold")),
    "hardshrink": Rule("ttnn.hardshrink", _keywords("ttnn.hardshrink", "lambd")),
    "softshrink": Rule("ttnn.softshrink", _keywords("ttnn.softshrink", "lambd")),
    "threshold": Rule("ttnn.threshold", _keywords("ttnn.threshold", positional=("threshold", "value"))),
    "logit": Rule("ttnn.logit", _keywords("ttnn.logit", "eps")),
    "round": Rule("ttnn.round", _round),
    "addcmul": Rule("ttnn.addcmul", _three("ttnn.addcmul", ("self", "tensor1", "tensor2"), "value")),
    "addcdiv": Rule("ttnn.addcdiv", _three("ttnn.addcdiv", ("self", "tensor1", "tensor2"), "value")),
    "lerp": Rule("ttnn.lerp", _three("ttnn.lerp", ("self", "end", "weight")), when=_first_is_tensor),
    "clamp_min": Rule("ttnn.clamp", _clamp_bound("min", "min", "ttnn.maximum")),
    "clamp_max": Rule("ttnn.clamp", _clamp_bound("max", "max", "ttnn.minimum")),
}
