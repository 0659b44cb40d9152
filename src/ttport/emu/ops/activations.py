"""Fused activations (linear(..., activation=...), binary ops' activations=[...]): names and UnaryOpType to goldens."""

from __future__ import annotations

import torch

from ..errors import TTNNError, UnsupportedError
from ..types import TTNNEnum
from .gelu_lut import gelu_approximate


class UnaryOpType(TTNNEnum):
    # ttnn 0.81.1's values for the members the emulator models (ttport/validate/data/ttnn_api_0.81.1.json checks them).
    EXP = 0
    RECIP = 1
    GELU = 2
    RELU = 4
    SQRT = 5
    SIGMOID = 6
    TANH = 9
    RSQRT = 39
    SILU = 58
    NEG = 61


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
}

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
