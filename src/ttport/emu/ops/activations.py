"""Fused activations (linear(..., activation=...), binary ops' activations=[...]): names and UnaryOpType to goldens."""

from __future__ import annotations

import torch

from ..errors import TTNNError, UnsupportedError
from ..types import TTNNEnum
from .gelu_lut import gelu_approximate

# ttnn 0.81.1's UnaryOpType, every member with its value (ttport/validate/data/ttnn_api_0.81.1.json checks them).
UNARY_OP_TYPES = (
    "EXP RECIP GELU GELU_TANH RELU SQRT SIGMOID LOG LOG1P TANH LOG2 LOG10 SIN COS COSH SINH ABS ABS_INT32 SIGN SQUARE "
    "EQZ NEZ GTZ LTZ GEZ LEZ RELU_MAX RELU_MIN POWER POWER_ITERATIVE LEAKY_RELU ELU EXP2 HEAVISIDE EXPM1 SIGNBIT ASIN "
    "ACOS ACOSH RSQRT RELU6 ATAN ASINH ATANH ERF ERFC ISINF ISPOSINF ISNEGINF ISNAN LOGICAL_NOT_UNARY ISFINITE ERFINV "
    "I0 I1 TAN RSUB RDIV SILU SOFTPLUS IDENTITY NEG ADD_UNARY_SFPU SUB_UNARY_SFPU MUL_UNARY_SFPU DIV_UNARY_SFPU "
    "UNARY_NE UNARY_EQ UNARY_GT UNARY_LT UNARY_GE UNARY_LE TILED_PROD TYPECAST BITCAST BITWISE_XOR BITWISE_NOT "
    "BITWISE_AND BITWISE_OR RIGHT_SHIFT FLOOR CEIL TRUNC FRAC ROUND LEFT_SHIFT REMAINDER FMOD DROPOUT FILL PRELU_SFPU "
    "ZERO_POINT ALT_COMPLEX_ROTATE90 MISH HARDMISH MAXIMUM MINIMUM TANHSHRINK THRESHOLD SOFTSHRINK HARDSHRINK HARDTANH "
    "HARDSIGMOID HARDSWISH WHERE_TSS MAC_TSS SOFTSIGN CELU CLAMP_TSS SELU RPOW CBRT LOGSIGMOID LOGIT XIELU LGAMMA "
    "DIGAMMA POLYGAMMA SOFTCAP"
).split()
UnaryOpType = TTNNEnum("UnaryOpType", [(name, value) for value, name in enumerate(UNARY_OP_TYPES)])


class UnaryWithParam:
    """An activation and its parameters, as ttnn.UnaryWithParam(op_type[, param[, param]])."""

    def __init__(self, op_type, *params):
        if len(params) == 0 and isinstance(op_type, tuple):
            op_type, *params = op_type
        if not isinstance(op_type, UnaryOpType) or len(params) > 2:
            raise TypeError("UnaryWithParam takes a ttnn.UnaryOpType and up to two float parameters")
        self.op_type = op_type
        self.params = [float(p) for p in params]

    def __eq__(self, other) -> bool:
        return isinstance(other, UnaryWithParam) and (self.op_type, self.params) == (other.op_type, other.params)

    def __hash__(self) -> int:
        return hash((self.op_type, tuple(self.params)))

    def __repr__(self) -> str:
        return f"UnaryWithParam(op_type={self.op_type!r}, params={self.params})"


def _gelu(values: torch.Tensor, params: list[float]) -> torch.Tensor:
    # GELU's parameter is its fast-and-approximate flag: the vector unit's piecewise-linear table (gelu_lut.py).
    if params and params[0]:
        return gelu_approximate(values)
    return torch.nn.functional.gelu(values)


ACTIVATIONS = {
    UnaryOpType.GELU: _gelu,
    UnaryOpType.RELU: lambda x, _: torch.relu(x),
    UnaryOpType.SILU: lambda x, _: torch.nn.functional.silu(x),
    UnaryOpType.SIGMOID: lambda x, _: torch.sigmoid(x),
    UnaryOpType.TANH: lambda x, _: torch.tanh(x),
    UnaryOpType.EXP: lambda x, _: torch.exp(x),
    UnaryOpType.RECIP: lambda x, _: torch.reciprocal(x),
    UnaryOpType.SQRT: lambda x, _: torch.sqrt(x),
    UnaryOpType.RSQRT: lambda x, _: torch.rsqrt(x),
    UnaryOpType.NEG: lambda x, _: -x,
    UnaryOpType.RELU_MAX: lambda x, p: torch.clamp(torch.relu(x), max=p[0]),  # relu then min(x, p0)
    UnaryOpType.RELU_MIN: lambda x, p: torch.clamp(x, min=p[0]),  # max(x, p0)
    UnaryOpType.POWER: lambda x, p: torch.pow(x, p[0]),
    UnaryOpType.ADD_UNARY_SFPU: lambda x, p: x + p[0],
    UnaryOpType.SUB_UNARY_SFPU: lambda x, p: x - p[0],
    UnaryOpType.MUL_UNARY_SFPU: lambda x, p: x * p[0],
    UnaryOpType.DIV_UNARY_SFPU: lambda x, p: x / p[0],
    UnaryOpType.RSUB: lambda x, p: p[0] - x,
    UnaryOpType.RDIV: lambda x, p: p[0] / x,
}
# UnaryOpType -> (unary_ops row, its parameters in the order UnaryWithParam carries them).
TABLE_ACTIVATIONS = {
    **{
        name: (name.lower(), ())
        for name in (
            "LOG LOG1P LOG2 LOG10 SIN COS COSH SINH ABS SIGN SQUARE EQZ NEZ GTZ LTZ GEZ LEZ EXP2 EXPM1 ASIN ACOS ACOSH "
            "RELU6 ATAN ASINH ATANH ERF ERFC ISINF ISNAN ISFINITE ERFINV TAN IDENTITY FLOOR CEIL TRUNC FRAC MISH "
            "TANHSHRINK HARDSIGMOID HARDSWISH SOFTSIGN SELU CBRT"
        ).split()
    },
    "ABS_INT32": ("abs", ()),
    "LOGICAL_NOT_UNARY": ("logical_not", ()),
    "LOGSIGMOID": ("log_sigmoid", ()),
    "LEAKY_RELU": ("leaky_relu", ("negative_slope",)),
    "ELU": ("elu", ("alpha",)),
    "CELU": ("celu", ("alpha",)),
    "HEAVISIDE": ("heaviside", ("value",)),
    "SOFTPLUS": ("softplus", ("beta", "threshold")),
    "HARDSHRINK": ("hardshrink", ("lambd",)),
    "SOFTSHRINK": ("softshrink", ("lambd",)),
    "HARDTANH": ("hardtanh", ("min_val", "max_val")),
    "THRESHOLD": ("threshold", ("threshold", "value")),
    "RPOW": ("rpow", ("exponent",)),
    "ROUND": ("round", ("decimals",)),
    "LOGIT": ("logit", ("eps",)),
}


def _table_activation(row_name: str, names: tuple[str, ...]):
    """The unary_ops row as a fused activation: UnaryWithParam's floats are the row's parameters, in `names` order;
    the ones not given take the row's defaults (softplus' threshold, round's decimals, ...)."""

    def activation(values: torch.Tensor, params: list[float]) -> torch.Tensor:
        from .unary_ops import UNARY_OPS  # unary_ops registers ops that take fused activations: import on use

        row = UNARY_OPS[row_name]
        given = {p.name: p.default for p in row.parameters if p.default is not p.empty}
        given.update(zip(names, params))
        missing = [n for n in names if n not in given]
        if missing:
            raise TTNNError(f"activation {row_name} needs its parameter(s) {missing} in its ttnn.UnaryWithParam")
        if given.get("decimals") is not None:
            given["decimals"] = int(given["decimals"])
        given.pop("fast_and_approximate_mode", None)
        return row.golden(values, **given)

    return activation


ACTIVATIONS.update({UnaryOpType[name]: _table_activation(*spec) for name, spec in TABLE_ACTIVATIONS.items()})

# Activation names ttnn accepts as strings, as tt-metal's string_to_unary_with_param maps them
# (ttnn/cpp/ttnn/operations/eltwise/unary/common/unary_op_utils.cpp): "gelu" is the accurate GELU,
# "gelu_approx" the fast one.
ACTIVATION_NAMES = {
    "relu": UnaryWithParam(UnaryOpType.RELU),
    "gelu": UnaryWithParam(UnaryOpType.GELU, 0.0),
    "gelu_approx": UnaryWithParam(UnaryOpType.GELU, 1.0),
    "silu": UnaryWithParam(UnaryOpType.SILU),
    "sigmoid": UnaryWithParam(UnaryOpType.SIGMOID),
    "tanh": UnaryWithParam(UnaryOpType.TANH, 0.0),
    "exp": UnaryWithParam(UnaryOpType.EXP),
    "recip": UnaryWithParam(UnaryOpType.RECIP),
    "sqrt": UnaryWithParam(UnaryOpType.SQRT),
    "rsqrt": UnaryWithParam(UnaryOpType.RSQRT),
}


def apply_activation(op: str, values: torch.Tensor, activation) -> torch.Tensor:
    if isinstance(activation, str):
        if activation not in ACTIVATION_NAMES:
            raise TTNNError(f"{op}: unknown activation {activation!r}; use one of {sorted(ACTIVATION_NAMES)}")
        activation = ACTIVATION_NAMES[activation]
    elif not isinstance(activation, UnaryWithParam):
        raise TTNNError(f"{op}: activation must be a name like 'gelu' or a ttnn.UnaryWithParam, got {activation!r}")
    if activation.op_type not in ACTIVATIONS:
        raise UnsupportedError(f"{op}: activation {activation.op_type} is not emulated; apply it as a separate op")
    try:
        return ACTIVATIONS[activation.op_type](values, activation.params)
    except UnsupportedError as error:
        raise UnsupportedError(f"{op}: {error}; use activation='gelu'") from None


def apply_activations(op: str, values: torch.Tensor, activations) -> torch.Tensor:
    for activation in activations or ():
        values = apply_activation(op, values, activation)
    return values
