"""Element-wise rules (ttport.lower.rules_eltwise): each op on a minimal graph lowers to its ttnn call with no
fallback and matches torch on the emulated device; bool results (comparisons) stay on the device as 1.0 / 0.0 and
come back to host as torch bools."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from test_lower_helpers import Forward, lower_and_verify, report

G = torch.Generator().manual_seed(3)


def uniform(low, high, *shape):
    """Values bfloat16 holds exactly: floor, remainder and comparisons then see the same numbers on both sides
    (a float32 input rounded to bfloat16 on its way to the device can cross an integer, flipping a floor)."""
    return (torch.rand(*shape, generator=G) * (high - low) + low).bfloat16().float()


X = uniform(-3, 3, 2, 8, 64)
Y = uniform(-3, 3, 2, 8, 64)
UNIT = uniform(-0.9, 0.9, 2, 8, 64)
POSITIVE = uniform(0.5, 4, 2, 8, 64)
QUARTERS = torch.round(X * 4) / 4  # comparisons meet equal elements too
aten = torch.ops.aten


def unary(function, x=X, call=None, name=None):
    return (lambda m, x: function(x), {"x": x}, {}, call or f"ttnn.{name}")


def pick(predicate):
    """where(predicate(x, y), x, y): a comparison read by where, as models use them."""
    return lambda m, x, y: torch.where(predicate(x, y), x, y)


# rule name -> (forward, inputs, submodules/parameters, the ttnn call it must become)
ELTWISE_CASES = {
    **{
        name: unary(getattr(torch, name), x, name=name)
        for name, x in {
            "abs": X,
            "log": POSITIVE,
            "log2": POSITIVE,
            "log10": POSITIVE,
            "log1p": POSITIVE,
            "exp2": X,
            "expm1": X,
            "erf": X,
            "erfc": X,
            "erfinv": UNIT,
            "sin": X,
            "cos": X,
            "tan": UNIT,
            "asin": UNIT,
            "acos": UNIT,
            "atan": X,
            "sinh": X,
            "cosh": X,
            "asinh": X,
            "acosh": POSITIVE + 1,
            "atanh": UNIT,
            "square": X,
            "sign": X,
            "floor": X,
            "ceil": X,
            "trunc": X,
            "frac": X,
        }.items()
    },
    "sgn": unary(torch.sgn, call="ttnn.sign"),
    "arctan": (lambda m, x: aten.arctan(x), {"x": X}, {}, "ttnn.atan"),
    "relu6": unary(F.relu6, name="relu6"),
    "hardswish": unary(F.hardswish, name="hardswish"),
    "hardsigmoid": unary(F.hardsigmoid, name="hardsigmoid"),
    "mish": unary(F.mish, name="mish"),
    "selu": unary(F.selu, name="selu"),
    "leaky_relu": unary(lambda x: F.leaky_relu(x, 0.2), name="leaky_relu"),
    "elu": unary(lambda x: F.elu(x, 0.5), name="elu"),
    "celu": unary(lambda x: F.celu(x, 2.0), name="celu"),
    "softplus": unary(lambda x: F.softplus(x, beta=2.0, threshold=5.0), name="softplus"),
    "hardshrink": unary(lambda x: F.hardshrink(x, 0.7), name="hardshrink"),
    "softshrink": unary(lambda x: F.softshrink(x, 0.7), name="softshrink"),
    "threshold": unary(lambda x: F.threshold(x, 0.5, -2.0), name="threshold"),
    "logit": unary(lambda x: torch.logit(x, eps=1e-3), uniform(0.05, 0.95, 2, 8, 64), name="logit"),
    "round": unary(lambda x: torch.round(x, decimals=1), name="round"),
    "isnan": unary(lambda x: torch.where(torch.isnan(torch.log(x)), 0.0, x), name="isnan"),
    "isinf": unary(lambda x: torch.where(torch.isinf(torch.exp(x * 40)), 1.0, x), name="isinf"),
    "isfinite": unary(lambda x: torch.where(torch.isfinite(torch.exp(x * 40)), x, 1.0), name="isfinite"),
    "logical_not": unary(lambda x: torch.where(torch.logical_not(x > 0), x, 0.0), name="logical_not"),
    "bitwise_not": unary(lambda x: torch.where(~(x > 0), x, 0.0), name="logical_not"),
    "maximum": (lambda m, x, y: torch.maximum(x, y), {"x": X, "y": Y}, {}, "ttnn.maximum"),
    "minimum": (lambda m, x, y: torch.minimum(x, y), {"x": X, "y": Y}, {}, "ttnn.minimum"),
    "remainder": (lambda m, x, y: torch.remainder(x, y), {"x": X, "y": POSITIVE}, {}, "ttnn.remainder"),
    "fmod": (lambda m, x: torch.fmod(x, 1.5), {"x": X}, {}, "ttnn.fmod"),
    "xlogy": (lambda m, x, y: torch.xlogy(x, y), {"x": X, "y": POSITIVE}, {}, "ttnn.xlogy"),
    "floor_divide": (lambda m, x, y: torch.floor_divide(x, y), {"x": X, "y": POSITIVE}, {}, "ttnn.floor_div"),
    "logaddexp": (lambda m, x, y: torch.logaddexp(x, y), {"x": X, "y": Y}, {}, "ttnn.logaddexp"),
    "logaddexp2": (lambda m, x, y: torch.logaddexp2(x, y), {"x": X, "y": Y}, {}, "ttnn.logaddexp2"),
    "atan2": (lambda m, x, y: torch.atan2(x, y), {"x": X, "y": POSITIVE}, {}, "ttnn.atan2"),
    "hypot": (lambda m, x, y: torch.hypot(x, y), {"x": X, "y": Y}, {}, "ttnn.hypot"),
    "eq": (pick(torch.eq), {"x": QUARTERS, "y": torch.round(Y * 4) / 4}, {}, "ttnn.eq"),
    "ne": (pick(torch.ne), {"x": QUARTERS, "y": torch.round(Y * 4) / 4}, {}, "ttnn.ne"),
    "gt": (pick(torch.gt), {"x": X, "y": Y}, {}, "ttnn.gt"),
    "ge": (pick(torch.ge), {"x": X, "y": Y}, {}, "ttnn.ge"),
    "lt": (lambda m, x: torch.where(x < 0.5, x, 2.0), {"x": X}, {}, "ttnn.lt"),
    "le": (pick(torch.le), {"x": X, "y": Y}, {}, "ttnn.le"),
    "logical_and": (pick(lambda x, y: torch.logical_and(x > 0, y > 0)), {"x": X, "y": Y}, {}, "ttnn.logical_and"),
    "logical_or": (pick(lambda x, y: torch.logical_or(x > 0, y > 1)), {"x": X, "y": Y}, {}, "ttnn.logical_or"),
    "logical_xor": (pick(lambda x, y: torch.logical_xor(x > 0, y > 0)), {"x": X, "y": Y}, {}, "ttnn.logical_xor"),
    "bitwise_and": (pick(lambda x, y: torch.bitwise_and(x > 0, y > 0)), {"x": X, "y": Y}, {}, "ttnn.logical_and"),
    "bitwise_or": (pick(lambda x, y: torch.bitwise_or(x > 0, y > 1)), {"x": X, "y": Y}, {}, "ttnn.logical_or"),
    "bitwise_xor": (pick(lambda x, y: torch.bitwise_xor(x > 0, y > 0)), {"x": X, "y": Y}, {}, "ttnn.logical_xor"),
    "__and__": (pick(lambda x, y: (x > 0) & (y > 0)), {"x": X, "y": Y}, {}, "ttnn.logical_and"),
    "__or__": (pick(lambda x, y: (x > 0) | (y > 1)), {"x": X, "y": Y}, {}, "ttnn.logical_or"),
    "__xor__": (pick(lambda x, y: (x > 0) ^ (y > 0)), {"x": X, "y": Y}, {}, "ttnn.logical_xor"),
    "addcmul": (lambda m, x, y: torch.addcmul(x, y, x, value=0.5), {"x": X, "y": Y}, {}, "ttnn.addcmul"),
    "addcdiv": (lambda m, x, y: torch.addcdiv(x, x, y, value=0.5), {"x": X, "y": POSITIVE}, {}, "ttnn.addcdiv"),
    "lerp": (lambda m, x, y: torch.lerp(x, y, 0.25), {"x": X, "y": Y}, {}, "ttnn.lerp"),
    "clamp_min": (lambda m, x, y: torch.clamp_min(x, y), {"x": X, "y": Y}, {}, "ttnn.maximum"),
    "clamp_max": (lambda m, x: torch.clamp_max(x, 0.5), {"x": X}, {}, "ttnn.clamp"),
}


def _no_fallbacks(lowered) -> list:
    return [f for kind in lowered.kinds for f in kind.fallbacks]


def test_where_on_a_comparison_of_computed_values_runs_on_device(device):
    forward = Forward(lambda m, x, y: torch.where(x * 2 > y, x - y, y.abs()))
    lowered, checks, source = lower_and_verify(forward, {"x": X, "y": Y}, device, name="where_gt")
    assert "ttnn.gt(" in source and "ttnn.where(" in source and not _no_fallbacks(lowered), source
    assert all(c.pcc >= 0.999 for c in checks), report(checks)


def test_a_comparison_read_on_host_is_a_torch_bool_again(device):
    # .long() of a bool has no device rule: the mask goes to host and must be a bool there, not 1.0 / 0.0 floats
    forward = Forward(lambda m, x, y: (x > y).long().cumsum(-1).float() * x)
    lowered, checks, source = lower_and_verify(forward, {"x": X, "y": Y}, device, name="mask_on_host")
    assert "ttnn.gt(" in source and ".bool()" in source, source
    assert all(c.pcc >= 0.999 for c in checks), report(checks)


def test_bitwise_ops_of_integers_are_not_logical_ops(device):
    forward = Forward(lambda m, x, y: x * (y & 6).float())
    inputs = {"x": X, "y": torch.randint(0, 16, (2, 8, 64), generator=G)}
    lowered, checks, source = lower_and_verify(forward, inputs, device, name="int_and")
    assert "ttnn.logical_and(" not in source, source
    assert all(c.pcc >= 0.999 for c in checks), report(checks)


def test_elu_with_a_scale_runs_on_host_with_the_reason(device):
    forward = Forward(lambda m, x: torch.ops.aten.elu(x, 1.0, 2.0) + x)
    lowered, checks, source = lower_and_verify(forward, {"x": X}, device, name="scaled_elu")
    reasons = [f.reason for f in _no_fallbacks(lowered)]
    assert any("scale or input_scale" in r for r in reasons), reasons
    assert all(c.pcc >= 0.999 for c in checks), report(checks)
