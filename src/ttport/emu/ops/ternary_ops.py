"""Element-wise ops of three operands, gated linear units, polyval, prelu and clip.

Each is one fp32 golden rounded once to the output dtype, except the gated units: ttnn splits the last dim in
halves, applies the gate's activation (parked in the input's format) and multiplies, so the gate is rounded
before the product (ttnn/cpp/ttnn/operations/eltwise/unary/glu: split, activation, multiply).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F  # noqa: N812 - torch's usual name

from .. import golden as golden_registry
from ..errors import ShapeError, TTNNError
from ..registry import require_device
from ..tensor import Tensor
from ..types import DTYPE_INFO, DataType, TTNNEnum
from ._common import as_float, broadcast_many, finish
from .op_signature import KW, POS, golden_of, table_op


class GeluVariant(TTNNEnum):
    Accurate = 0
    Approximate = 1


def _operands(op: str, names: tuple[str, ...], values: tuple, integers: bool) -> tuple[list, tuple, Tensor]:
    """Tensors broadcast against each other as stored values; numbers as scalars of the math's type (int64 for
    integer tensors, whose products wrap as the device's 32-bit ones do once stored; float32 otherwise)."""
    tensors = []
    for name, value in zip(names, values):
        if isinstance(value, Tensor):
            require_device(op, name, value)
            tensors.append(value)
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TTNNError(f"{op}: {name} must be a ttnn.Tensor or a number, got {type(value).__name__}")
    stored, shape = broadcast_many(op, tensors)
    stored = iter(stored)
    operands = [_operand(next(stored) if isinstance(v, Tensor) else v, integers) for v in values]
    like = next((t for t in tensors if tuple(t.shape) == shape), tensors[0])
    return operands, shape, like


def _operand(value, integers: bool) -> torch.Tensor:
    if integers:
        return value.to(torch.int64) if isinstance(value, torch.Tensor) else torch.tensor(_integer(value))
    return as_float(value) if isinstance(value, torch.Tensor) else torch.tensor(float(value))


def _integer(value) -> int:
    """A scalar for integer math: a float is narrowed to float32 first, as the C++ binding takes it."""
    return int(torch.tensor(value, dtype=torch.float32).item()) if isinstance(value, float) else int(value)


def _elementwise(op: str, names: tuple[str, ...], golden: Callable, scalars: tuple = ()) -> Callable:
    def implementation(memory_config=None, output_tensor=None, sub_core_grids=None, **arguments):
        first = arguments[names[0]]
        if not isinstance(first, Tensor):
            raise TTNNError(f"{op}: {names[0]} must be a ttnn.Tensor, got {type(first).__name__}")
        integers = not DTYPE_INFO[first.dtype].is_float
        operands, shape, like = _operands(op, names, tuple(arguments[n] for n in names), integers)
        numbers = {s: _integer(arguments[s]) if integers else arguments[s] for s in scalars}
        result = golden(*operands, **numbers)
        return finish(
            op,
            result,
            dtype=first.dtype,
            like=like,
            shape=shape,
            memory_config=memory_config,
            output_tensor=output_tensor,
        )

    return implementation


# name -> (input names, golden on float32 operands, scalar keyword parameters, signature after the inputs).
TERNARY_OPS = {
    "addcmul": (
        ("input_a", "input_b", "input_c"),
        lambda a, b, c, value: torch.addcmul(a, b, c, value=value),
        ("value",),
        (KW("value", 1.0), KW("memory_config"), KW("output_tensor")),
    ),
    "addcdiv": (
        ("input_a", "input_b", "input_c"),
        lambda a, b, c, value: torch.addcdiv(a, b, c, value=value),
        ("value",),
        (KW("value", 1.0), KW("memory_config"), KW("output_tensor")),
    ),
    "lerp": (
        ("input", "end", "weight"),
        lambda a, b, w: torch.lerp(a, b, w.to(a.dtype)),
        (),
        (KW("memory_config"), KW("output_tensor")),
    ),
    "mac": (
        ("input_tensor_a", "input_tensor_b", "input_tensor_c"),
        lambda a, b, c: a * b + c,
        (),
        (KW("memory_config"), KW("output_tensor"), KW("sub_core_grids")),
    ),
}


def _register_ternary(name: str, names, golden, scalars, tail):
    op = f"ttnn.{name}"
    inputs = tuple(POS(n) for n in names)
    doc = f"{op}: element-wise {name} of three operands (tensors broadcast against each other, or numbers)."
    GOLDENS[op] = golden_of((*inputs, *[p for p in tail if p.name in scalars]), _torch_golden(names, golden, scalars))
    return table_op(op, (*inputs, *tail), _elementwise(op, names, golden, scalars), doc=doc, flops=3)


def _torch_golden(names, golden, scalars):
    def torch_golden(**arguments):
        like = next(arguments[n] for n in names if isinstance(arguments[n], torch.Tensor))
        operands = [torch.as_tensor(arguments[n], dtype=like.dtype) for n in names]
        integers = not like.is_floating_point()
        return golden(*operands, **{s: _integer(arguments[s]) if integers else arguments[s] for s in scalars})

    return torch_golden


# -- gated linear units: the last dim split in halves a | b, out = a * gate(b) ---------------------------------------
GATES = {
    "glu": torch.sigmoid,
    "reglu": torch.relu,
    "geglu": F.gelu,
    "swiglu": F.silu,
}


def _park(values: torch.Tensor, dtype: DataType) -> torch.Tensor:
    return values if dtype is DataType.FLOAT32 else values.to(torch.bfloat16).to(torch.float32)


def _gated(op: str, gate: Callable) -> Callable:
    def implementation(input_tensor, dim=-1, memory_config=None, variant=None):
        require_device(op, "input_tensor", input_tensor, tile=False)
        rank = len(input_tensor.shape)
        if dim not in (-1, rank - 1):
            raise TTNNError(f"{op}: dim={dim} is not supported; ttnn splits the last dim only (dim=-1 or {rank - 1})")
        width = input_tensor.shape[-1]
        if width % 64:
            raise ShapeError(f"{op}: the last dim ({width}) must be divisible by 64 (two halves of whole tiles)")
        if variant is GeluVariant.Approximate:
            raise TTNNError(f"{op}: variant=GeluVariant.Approximate is not modelled by the ttport emulator")
        values = as_float(input_tensor._values)[..., :width]
        left, right = values.split(width // 2, dim=-1)
        result = left * _park(gate(right), input_tensor.dtype)
        shape = (*tuple(input_tensor.shape)[:-1], width // 2)
        return finish(op, result, dtype=input_tensor.dtype, like=input_tensor, shape=shape, memory_config=memory_config)

    return implementation


def _register_gated(name: str, gate: Callable):
    op = f"ttnn.{name}"
    parameters = [POS("input_tensor"), POS("dim", -1), KW("memory_config")]
    if name == "geglu":
        parameters.append(KW("variant", GeluVariant.Accurate))

    def torch_golden(input_tensor, dim=-1):
        left, right = torch.chunk(input_tensor, 2, dim)
        return left * gate(right)

    GOLDENS[op] = golden_of(parameters[:2], torch_golden)
    doc = f"{op}: the last dim split in halves a | b, a * {gate.__name__}(b)."
    return table_op(op, parameters, _gated(op, gate), doc=doc, flops=6)


# -- polyval, prelu, clip ---------------------------------------------------------------------------------------------
def _horner(x: torch.Tensor, coeffs) -> torch.Tensor:
    result = torch.zeros_like(x)
    for coefficient in coeffs:  # highest power first, as ttnn's golden
        result = result * x + coefficient
    return result


def _polyval(input_tensor_a, coeffs, memory_config=None):
    op = "ttnn.polyval"
    require_device(op, "input_tensor_a", input_tensor_a)
    if not len(coeffs):
        raise TTNNError(f"{op}: coeffs must hold at least one coefficient")
    result = _horner(as_float(input_tensor_a._values), [float(c) for c in coeffs])
    return _same_shape(op, result, input_tensor_a, memory_config)


def _same_shape(op, result, like: Tensor, memory_config):
    return finish(op, result, dtype=like.dtype, like=like, shape=tuple(like.shape), memory_config=memory_config)


def _slopes(op: str, weight, shape: tuple) -> torch.Tensor:
    """The slope as torch.nn.functional.prelu broadcasts it: one for all, or one per channel (dim 1)."""
    values = torch.as_tensor(weight, dtype=torch.float32).reshape(-1)
    if values.numel() == 1:
        return values.reshape(())
    channels = shape[1] if len(shape) > 1 else 0
    if values.numel() != channels:
        raise ShapeError(f"{op}: weight has {values.numel()} slopes but input_tensor_a has {channels} channels (dim 1)")
    return values.reshape((1, channels) + (1,) * (len(shape) - 2))


def _prelu(input_tensor_a, weight, memory_config=None):
    op = "ttnn.prelu"
    require_device(op, "input_tensor_a", input_tensor_a)
    if isinstance(weight, Tensor):
        weight = as_float(weight._values)[tuple(slice(0, s) for s in weight.shape)]
    slope = _slopes(op, weight, tuple(input_tensor_a.shape))
    x = as_float(input_tensor_a._values)
    if slope.dim() and x.shape[1] != slope.shape[1]:  # channels in a padded (tile) dim: pad the slopes with zeros
        slope = F.pad(slope.transpose(1, -1), (0, x.shape[1] - slope.shape[1])).transpose(1, -1)
    result = torch.where(x >= 0, x, x * slope)
    return _same_shape(op, result, input_tensor_a, memory_config)


def _prelu_golden(input_tensor_a, weight):
    slope = _slopes("ttnn.prelu", weight, tuple(input_tensor_a.shape)).to(input_tensor_a.dtype)
    return torch.where(input_tensor_a >= 0, input_tensor_a, input_tensor_a * slope)


def _clip(input_tensor, min=None, max=None, memory_config=None):  # noqa: A002 - ttnn's names
    op = "ttnn.clip"
    if min is None and max is None:
        raise TTNNError(f"{op}: give min, max or both")
    bounds = [b for b in (min, max) if b is not None]
    names = ("input_tensor",) + tuple(n for n, b in (("min", min), ("max", max)) if b is not None)
    operands, shape, like = _operands(op, names, (input_tensor, *bounds), not DTYPE_INFO[input_tensor.dtype].is_float)
    low = operands[1] if min is not None else None
    high = operands[-1] if max is not None else None
    result = torch.clamp(operands[0], low, high)
    return finish(op, result, dtype=input_tensor.dtype, like=like, shape=shape, memory_config=memory_config)


def _register_plain(name: str, parameters, implementation, golden, doc: str):
    op = f"ttnn.{name}"
    GOLDENS[op] = golden_of([p for p in parameters if p.kind is POS("x").kind], golden)
    return table_op(op, parameters, implementation, doc=doc)


GOLDENS: dict[str, Callable] = {}
OPS = {name: _register_ternary(name, *spec) for name, spec in TERNARY_OPS.items()}
OPS.update({name: _register_gated(name, gate) for name, gate in GATES.items()})
OPS["polyval"] = _register_plain(
    "polyval",
    (POS("input_tensor_a"), POS("coeffs"), KW("memory_config")),
    _polyval,
    lambda input_tensor_a, coeffs: _horner(input_tensor_a, coeffs),
    "ttnn.polyval: the polynomial with coefficients `coeffs` (highest power first) at each element.",
)
OPS["prelu"] = _register_plain(
    "prelu",
    (POS("input_tensor_a"), POS("weight"), KW("memory_config")),
    _prelu,
    _prelu_golden,
    "ttnn.prelu: x if x >= 0 else weight * x; weight a number, a list or a tensor of one slope per channel (dim 1).",
)
OPS["clip"] = _register_plain(
    "clip",
    (POS("input_tensor"), POS("min", None), POS("max", None), KW("memory_config")),
    _clip,
    lambda input_tensor, min=None, max=None: torch.clamp(input_tensor, min, max),  # noqa: A002
    "ttnn.clip: each element clamped to [min, max] (numbers or tensors broadcast against the input).",
)
globals().update(OPS)
golden_registry.GOLDENS.update(GOLDENS)
__all__ = sorted(OPS) + ["GeluVariant"]
