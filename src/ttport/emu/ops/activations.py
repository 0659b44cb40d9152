"""Fused activations (linear(..., activation=...), UnaryWithParam): names and UnaryOpType values to goldens."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import torch

from ..errors import TTNNError
from ..numerics import is_ideal


class UnaryOpType(enum.Enum):
    EXP = 0
    RECIP = 1
    GELU = 2
    RELU = 3
    SQRT = 4
    SIGMOID = 5
    TANH = 6
    SILU = 7
    RSQRT = 8
    NEG = 9


@dataclass(frozen=True)
class UnaryWithParam:
    op_type: UnaryOpType
    params: tuple = ()

    def __init__(self, op_type, param=None):
        object.__setattr__(self, "op_type", op_type)
        object.__setattr__(self, "params", () if param is None else (float(param),))


def _gelu(values: torch.Tensor, approximate: bool) -> torch.Tensor:
    return torch.nn.functional.gelu(values, approximate="tanh" if approximate and not is_ideal() else "none")


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

ACTIVATION_NAMES = {op.name.lower(): op for op in ACTIVATIONS}


def apply_activation(op: str, values: torch.Tensor, activation, *, approximate: bool) -> torch.Tensor:
    if isinstance(activation, str):
        if activation.lower() not in ACTIVATION_NAMES:
            raise TTNNError(f"{op}: unknown activation {activation!r}; use one of {sorted(ACTIVATION_NAMES)}")
        op_type = ACTIVATION_NAMES[activation.lower()]
    elif isinstance(activation, UnaryWithParam):
        op_type = activation.op_type
    else:
        raise TTNNError(f"{op}: activation must be a name like 'gelu' or a ttnn.UnaryWithParam, got {activation!r}")
    if op_type not in ACTIVATIONS:
        raise TTNNError(f"{op}: activation {op_type} is not emulated; apply it as a separate op")
    return ACTIVATIONS[op_type](values, approximate)
