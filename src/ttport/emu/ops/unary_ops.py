"""Unary element-wise ops as data: one row per ttnn op, its golden, its parameters and the dtypes it takes.

Every row runs on the vector unit (SFPU), which unpacks the tile to fp32, computes, and packs the result in the
output dtype (here: the golden in float32 - float64 for integer tensors, which holds int32 exactly - rounded once to
the input's dtype). Like every element-wise op they compute on the tile padding too. What the emulator cannot model
(the SFPU's fast_and_approximate_mode polynomial variants) is refused by name, never approximated.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F  # noqa: N812 - torch's usual name

from .. import golden as golden_registry
from ..errors import DTypeError, TTNNError
from ..registry import require_device
from ..types import DTYPE_INFO
from ._common import as_float, finish, refuse_unmodelled
from .op_signature import KW, POS, UNARY_TAIL, golden_of, table_op

APPROX = KW("fast_and_approximate_mode", False)


@dataclass(frozen=True)
class Unary:
    golden: Callable  # golden(x, **parameters) on float32 (or float64 for integer tensors)
    parameters: tuple = ()  # the op's own parameters after input_tensor, as recorded for ttnn 0.81.1
    integers: bool = False  # takes INT32 / UINT32 / UINT16 tensors (per ttnn 0.81.1's docstring of the op)
    flops: int = 1
    predicate: bool = False  # a 1.0 / 0.0 result on device, a bool from the golden
    tail: tuple = UNARY_TAIL  # the keyword parameters after the op's own (a few ops take memory_config only)


def _flag(values: torch.Tensor) -> torch.Tensor:
    """A predicate as the SFPU writes it: 1.0 / 0.0 in the output's dtype (ttnn has no bool tensors)."""
    return values.to(torch.float32)


def _cbrt(x):
    return torch.sign(x) * torch.abs(x).pow(1.0 / 3)


def _selu(x, scale, alpha):
    return scale * (torch.clamp(x, min=0) + torch.clamp(alpha * torch.expm1(x), max=0))


def _heaviside(x, value):
    return torch.where(x == 0, torch.full_like(x, value), (x > 0).to(x.dtype))


def _logit(x, eps):
    return torch.logit(x, eps=eps)


def _round(x, decimals):
    return torch.round(x, decimals=decimals or 0)


def _hardtanh(x, min_val, max_val):
    return F.hardtanh(x, min_val, max_val)


def _tanhshrink(x):
    # A dedicated SFPU op in 0.81.1 (UnaryOpType.TANHSHRINK), measured at 1 ULP by tt-metal's test_activation.py
    # (test_tanhshrink_ulp): the correctly rounded x - tanh(x), which fp32 arithmetic loses to cancellation near 0.
    wide = x.to(torch.float64)
    return (wide - torch.tanh(wide)).to(x.dtype)


def _softplus(x, beta, threshold):
    return F.softplus(x, beta=beta, threshold=threshold)


def _multigammaln(x):
    # ttnn 0.81.1's golden: the multivariate log-gamma of order 4 (lgamma at x, x - 0.5, x - 1, x - 1.5 plus a constant)
    return torch.lgamma(x) + torch.lgamma(x - 0.5) + torch.lgamma(x - 1.0) + torch.lgamma(x - 1.5) + 3.434189657547


def _xielu(x, alpha_p, alpha_n):
    # ttnn 0.81.1's docstring (beta 0.5, eps -1e-6): x > 0: alpha_p x^2 + beta x; else alpha_n expm1(min(x, eps)) ...
    negative = alpha_n * torch.expm1(torch.clamp(x, max=-1e-6)) - alpha_n * x + 0.5 * x
    return torch.where(x > 0, alpha_p * x * x + 0.5 * x, negative)


def _bitwise_not(x):
    return ~x.to(torch.int64)


# rounding_mode -> how ttnn's divide / rdiv round the quotient (None keeps it).
ROUNDING_MODES = {None: lambda q: q, "floor": torch.floor, "trunc": torch.trunc}


def _rdiv(x, value, rounding_mode):
    if rounding_mode not in ROUNDING_MODES:
        raise TTNNError(f"ttnn.rdiv: rounding_mode must be None, 'floor' or 'trunc', got {rounding_mode!r}")
    return ROUNDING_MODES[rounding_mode](value / x)


# name -> row. Goldens follow torch; parameters and defaults are ttnn 0.81.1's (validate/data/ttnn_api_0.81.1.json).
UNARY_OPS: dict[str, Unary] = {
    # integer-capable: abs has an INT32 kernel (UnaryOpType.ABS_INT32); the rest per their recorded docstrings.
    "abs": Unary(torch.abs, integers=True),
    "square": Unary(lambda x: x * x, integers=True),
    "identity": Unary(lambda x: x.clone(), integers=True),
    "relu6": Unary(lambda x: torch.clamp(x, 0, 6), integers=True),
    "logical_not": Unary(lambda x: _flag(x == 0), integers=True, predicate=True),
    "eqz": Unary(lambda x: _flag(x == 0), integers=True, predicate=True),
    "nez": Unary(lambda x: _flag(x != 0), integers=True, predicate=True),
    "gtz": Unary(lambda x: _flag(x > 0), integers=True, predicate=True),
    "gez": Unary(lambda x: _flag(x >= 0), integers=True, predicate=True),
    "ltz": Unary(lambda x: _flag(x < 0), integers=True, predicate=True),
    "lez": Unary(lambda x: _flag(x <= 0), integers=True, predicate=True),
    "bitwise_not": Unary(_bitwise_not, integers=True),
    # logarithms and exponentials
    "log": Unary(torch.log, (APPROX,), flops=4),
    "log2": Unary(torch.log2, (APPROX,), flops=4),
    "log10": Unary(torch.log10, (APPROX,), flops=4),
    "log1p": Unary(torch.log1p, (APPROX,), flops=4),
    "exp2": Unary(torch.exp2, flops=4),
    "expm1": Unary(torch.expm1, flops=4),
    "erf": Unary(torch.erf, (APPROX,), flops=8),
    "erfc": Unary(torch.erfc, flops=8),
    "erfinv": Unary(torch.erfinv, flops=8),
    "logit": Unary(_logit, (KW("eps", None),), flops=6),
    # trigonometric and hyperbolic
    "sin": Unary(torch.sin, flops=8),
    "cos": Unary(torch.cos, flops=8),
    "tan": Unary(torch.tan, flops=8),
    "asin": Unary(torch.asin, flops=8),
    "acos": Unary(torch.acos, flops=8),
    "atan": Unary(torch.atan, flops=8),
    "sinh": Unary(torch.sinh, flops=8),
    "cosh": Unary(torch.cosh, flops=8),
    "asinh": Unary(torch.asinh, flops=8),
    "acosh": Unary(torch.acosh, flops=8),
    "atanh": Unary(torch.atanh, flops=8),
    "rad2deg": Unary(lambda x: x * (180.0 / math.pi)),
    "deg2rad": Unary(lambda x: x * (math.pi / 180.0)),
    # rounding and sign
    "sign": Unary(torch.sign),
    "floor": Unary(torch.floor),
    "ceil": Unary(torch.ceil),
    "trunc": Unary(torch.trunc),
    "frac": Unary(torch.frac),
    "round": Unary(_round, (KW("decimals", 0),), flops=4),
    "cbrt": Unary(_cbrt, flops=6),
    "isnan": Unary(lambda x: _flag(torch.isnan(x)), predicate=True),
    "isinf": Unary(lambda x: _flag(torch.isinf(x)), predicate=True),
    "isfinite": Unary(lambda x: _flag(torch.isfinite(x)), predicate=True),
    "heaviside": Unary(_heaviside, (POS("value"),)),
    # activations
    "leaky_relu": Unary(lambda x, negative_slope: F.leaky_relu(x, negative_slope), (POS("negative_slope"),)),
    "elu": Unary(lambda x, alpha: F.elu(x, alpha), (KW("alpha", 1.0),), flops=5),
    "selu": Unary(_selu, (KW("scale", 1.0506999492645264), KW("alpha", 1.673259973526001)), flops=6),
    "celu": Unary(lambda x, alpha: F.celu(x, alpha), (KW("alpha", 1.0),), flops=6),
    "hardswish": Unary(F.hardswish, flops=4),
    "hardsigmoid": Unary(F.hardsigmoid, flops=3),
    "hardtanh": Unary(_hardtanh, (KW("min_val", -1.0), KW("max_val", 1.0))),
    "hardshrink": Unary(lambda x, lambd: F.hardshrink(x, lambd), (KW("lambd", 0.5),)),
    "softshrink": Unary(lambda x, lambd: F.softshrink(x, lambd), (KW("lambd", 0.5),)),
    "mish": Unary(F.mish, (APPROX,), flops=10),
    "softplus": Unary(_softplus, (KW("beta", 1.0), KW("threshold", 20.0)), flops=6),
    "softsign": Unary(F.softsign, flops=3),
    "swish": Unary(F.silu, flops=5),
    "log_sigmoid": Unary(F.logsigmoid, flops=6),
    "tanhshrink": Unary(_tanhshrink, flops=5),
    "threshold": Unary(lambda x, threshold, value: F.threshold(x, threshold, value), (POS("threshold"), POS("value"))),
    "sigmoid_accurate": Unary(torch.sigmoid, (POS("fast_and_approximate_mode", False),), flops=4),
    # special functions and more activations (ttnn 0.81.1 ops tt-metal's test_math / test_activation call)
    "i0": Unary(torch.special.i0, flops=10),
    "i1": Unary(torch.special.i1, flops=10),
    "lgamma": Unary(torch.lgamma, flops=10),
    "digamma": Unary(torch.digamma, flops=10),
    "multigammaln": Unary(_multigammaln, flops=40, tail=(KW("memory_config"),)),
    "polygamma": Unary(lambda x, k: torch.special.polygamma(k, x), (POS("k"),), 20, tail=(KW("memory_config"),)),
    "isposinf": Unary(lambda x: _flag(torch.isposinf(x)), predicate=True),
    "isneginf": Unary(lambda x: _flag(torch.isneginf(x)), predicate=True),
    "signbit": Unary(lambda x: _flag(torch.signbit(x)), predicate=True),
    "relu_max": Unary(lambda x, upper_limit: torch.clamp(torch.relu(x), max=upper_limit), (POS("upper_limit"),)),
    "relu_min": Unary(lambda x, lower_limit: torch.clamp(x, min=lower_limit), (POS("lower_limit"),)),
    "softcap": Unary(lambda x, beta: beta * torch.tanh(x / beta), (POS("beta"),), flops=6),
    "xielu": Unary(_xielu, (KW("alpha_p", 0.800000011920929), KW("alpha_n", 0.800000011920929)), flops=8),
    # a scalar on the other side
    "rpow": Unary(lambda x, exponent: torch.pow(exponent, x), (POS("exponent"),), flops=4),
    "rdiv": Unary(_rdiv, (POS("value"), KW("rounding_mode", None)), flops=4),
}


def _check_dtype(op: str, row: Unary, tensor) -> None:
    if DTYPE_INFO[tensor.dtype].is_float:
        if op == "ttnn.bitwise_not":
            raise DTypeError(f"{op}: input_tensor is {tensor.dtype.name}; bitwise ops take INT32 / UINT32 / UINT16")
        return
    if not row.integers:
        raise DTypeError(
            f"{op}: input_tensor is {tensor.dtype.name}, which ttnn's {op} does not take (BFLOAT16, BFLOAT8_B, "
            "FLOAT32); convert it first with ttnn.typecast(x, ttnn.bfloat16)"
        )


def run_unary(op: str, row: Unary, input_tensor, parameters: dict, memory_config=None, output_tensor=None):
    """The row's golden on the tensor's stored values (padding included), rounded to the input's dtype."""
    require_device(op, "input_tensor", input_tensor, tile=False)
    _check_dtype(op, row, input_tensor)
    if "fast_and_approximate_mode" in parameters:
        refuse_unmodelled(op, fast_and_approximate_mode=parameters.pop("fast_and_approximate_mode"))
    values = as_float(input_tensor._values)
    result = row.golden(values, **parameters) if values.numel() else values
    return finish(
        op,
        result,
        dtype=input_tensor.dtype,
        like=input_tensor,
        shape=tuple(input_tensor.shape),
        memory_config=memory_config,
        output_tensor=output_tensor,
    )


def _implementation(op: str, row: Unary) -> Callable:
    def implementation(input_tensor, memory_config=None, output_tensor=None, sub_core_grids=None, **parameters):
        if not hasattr(input_tensor, "_values"):
            raise TTNNError(f"{op}: input_tensor must be a ttnn.Tensor, got {type(input_tensor).__name__}")
        return run_unary(op, row, input_tensor, parameters, memory_config, output_tensor)

    return implementation


def _golden(row: Unary) -> Callable:
    def golden(input_tensor, **parameters):
        parameters.pop("fast_and_approximate_mode", None)
        result = row.golden(input_tensor, **parameters)
        return result != 0 if row.predicate else result  # ttnn's goldens give predicates as torch bools

    return golden


def _register(name: str, row: Unary):
    op = f"ttnn.{name}"
    parameters = (POS("input_tensor"), *row.parameters, *row.tail)
    doc = f"{op}: element-wise {name} on the vector unit (fp32 inside); golden {getattr(row.golden, '__name__', '')}."
    function = table_op(op, parameters, _implementation(op, row), doc=doc, flops=row.flops)
    GOLDENS[op] = golden_of((POS("input_tensor"), *row.parameters), _golden(row))
    return function


def _register_logical_not_in_place():
    """ttnn.logical_not_(input_tensor, *, memory_config): logical_not written into input_tensor."""
    op, row = "ttnn.logical_not_", UNARY_OPS["logical_not"]

    def implementation(input_tensor, memory_config=None):
        return run_unary(op, row, input_tensor, {}, memory_config, output_tensor=input_tensor)

    GOLDENS[op] = golden_of((POS("input_tensor"),), _golden(row))
    return table_op(op, (POS("input_tensor"), KW("memory_config")), implementation, doc=f"{op}: in place.")


GOLDENS: dict[str, Callable] = {}  # op name -> torch golden
OPS = {name: _register(name, row) for name, row in UNARY_OPS.items()}
OPS["logical_not_"] = _register_logical_not_in_place()
globals().update(OPS)
golden_registry.GOLDENS.update(GOLDENS)  # ttnn.get_golden_function(ttnn.<op>), attached by ttport.emu.golden
__all__ = sorted(OPS)
