"""Copies and fills: copy, assign, fill, to_dtype, empty, empty_like, rand, and outer (a broadcast product)."""

from __future__ import annotations

import torch

from ..errors import ShapeError, StorageError, TTNNError
from ..memory import DRAM_MEMORY_CONFIG
from ..registry import require_device, ttnn_op
from ..tensor import Tensor
from ..types import DTYPE_INFO, DataType, Layout
from ._common import finish, output_config
from .conversion import check_dtype_argument, open_device_of, to_device, typecast


def _float(values: torch.Tensor, dtype: DataType) -> torch.Tensor:
    return values.to(torch.float32) if DTYPE_INFO[dtype].is_float else values


@ttnn_op("ttnn.copy")
def copy(input_a, input_b):
    """input_a's values written into input_b (same shape), converted to input_b's dtype; returns input_b."""
    op = "ttnn.copy"
    require_device(op, "input_a", input_a, tile=False)
    require_device(op, "input_b", input_b, tile=False)
    if tuple(input_a.shape) != tuple(input_b.shape):
        raise ShapeError(
            f"{op}: input_a is {list(input_a.shape)} and input_b is {list(input_b.shape)}; they must match"
        )
    values = _float(input_a._logical(), input_b.dtype)
    result = finish(op, values, dtype=input_b.dtype, like=input_b, layout=input_b.layout)
    return finish(op, result._logical(), dtype=input_b.dtype, like=input_b, output_tensor=input_b)


@ttnn_op("ttnn.assign")
def assign(input_tensor, *, memory_config, dtype=None, output_tensor=None):
    """A copy of input_tensor in memory_config (and dtype); into output_tensor when given.

    Real ttnn's second overload, assign(input_a, input_b), is ttnn.copy's; it is not emulated under this name.
    """
    op = "ttnn.assign"
    require_device(op, "input_tensor", input_tensor, tile=False)
    output_config(op, memory_config, input_tensor)
    dtype = dtype or (output_tensor.dtype if output_tensor is not None else input_tensor.dtype)
    check_dtype_argument(op, dtype)
    values = _float(input_tensor._logical(), dtype)
    return finish(op, values, dtype=dtype, like=input_tensor, memory_config=memory_config, output_tensor=output_tensor)


@ttnn_op("ttnn.fill")
def fill(input_tensor, fill_value, *, memory_config=None, output_tensor=None, sub_core_grids=None):
    """A tensor of input_tensor's shape, dtype and layout holding fill_value everywhere (device only)."""
    op = "ttnn.fill"
    require_device(op, "input_tensor", input_tensor, tile=False)
    values = torch.full(tuple(input_tensor.shape), float(fill_value))
    if not DTYPE_INFO[input_tensor.dtype].is_float:
        values = torch.full(tuple(input_tensor.shape), int(fill_value), dtype=torch.int64)
    return finish(
        op,
        values,
        dtype=input_tensor.dtype,
        like=input_tensor,
        memory_config=memory_config,
        output_tensor=output_tensor,
    )


def to_dtype(tensor, dtype):
    """A host tensor's values in `dtype` (host only; ROW_MAJOR cannot become a block float)."""
    if not isinstance(tensor, Tensor):
        raise TTNNError(f"ttnn.to_dtype: expected a ttnn.Tensor, got {type(tensor).__name__}")
    if tensor.device() is not None:
        raise StorageError("ttnn.to_dtype: tensor is on a device; it converts host tensors (ttnn.typecast on device)")
    return typecast(tensor, dtype)


def _allocate(op: str, shape, dtype, layout, device, memory_config, values) -> Tensor:
    if device is None:
        raise StorageError(f"{op}: needs a device (pass device=device)")
    open_device_of(device, op)
    check_dtype_argument(op, dtype)
    tensor = Tensor._from_logical(_float(values, dtype), dtype, layout)
    return to_device(tensor, device, memory_config=memory_config)


# The emulator's "uninitialized" memory: NaN for floats (a read of it before a write shows), zero for integers.
def _garbage(shape, dtype: DataType) -> torch.Tensor:
    if DTYPE_INFO[dtype].is_float:
        return torch.full(shape, float("nan"))
    return torch.zeros(shape, dtype=torch.int64)


@ttnn_op("ttnn.empty")
def empty(shape, dtype=DataType.BFLOAT16, layout=Layout.ROW_MAJOR, device=None, memory_config=DRAM_MEMORY_CONFIG):
    """A device tensor of unspecified values (the emulator's are NaN, so a read before a write is visible)."""
    shape = [int(s) for s in shape]
    return _allocate("ttnn.empty", shape, dtype, layout, device, memory_config, _garbage(shape, dtype))


@ttnn_op("ttnn.empty_like")
def empty_like(tensor, *, dtype=None, layout=None, device=None, memory_config=None):
    dtype, layout = dtype or tensor.dtype, layout or tensor.layout
    device = device if device is not None else tensor.device()
    memory_config = memory_config or (tensor.memory_config() if tensor.device() is not None else DRAM_MEMORY_CONFIG)
    shape = list(tensor.shape)
    return _allocate("ttnn.empty_like", shape, dtype, layout, device, memory_config, _garbage(shape, dtype))


@ttnn_op("ttnn.rand")
def rand(
    shape,
    device,
    *,
    dtype=DataType.BFLOAT16,
    layout=Layout.TILE,
    memory_config=DRAM_MEMORY_CONFIG,
    low=0.0,
    high=1.0,
    seed=0,
    mesh_mapper=None,
):
    """Uniform values in [low, high). The device's generator is not torch's: the same seed gives other values."""
    if high <= low:
        raise TTNNError(f"ttnn.rand: high {high} must be above low {low}")
    generator = torch.Generator().manual_seed(int(seed)) if seed else None
    shape = [int(s) for s in shape]
    values = low + (high - low) * torch.rand(shape, generator=generator)
    return _allocate("ttnn.rand", shape, dtype, layout, device, memory_config, values)


@ttnn_op("ttnn.outer")
def outer(input_tensor_a, input_tensor_b, *, memory_config=None):
    """a[..., i] * b[..., j] for each batch (leading dims broadcast): [..., N] x [..., M] -> [..., N, M]."""
    op = "ttnn.outer"
    require_device(op, "input_tensor_a", input_tensor_a, tile=False)
    require_device(op, "input_tensor_b", input_tensor_b, tile=False)
    a, b = input_tensor_a._logical().to(torch.float32), input_tensor_b._logical().to(torch.float32)
    if a.dim() == 0 or b.dim() == 0:
        raise ShapeError(f"{op}: the inputs need at least one dim (the vector is the last)")
    product = a.unsqueeze(-1) * b.unsqueeze(-2)
    return finish(op, product, dtype=input_tensor_a.dtype, like=input_tensor_a, memory_config=memory_config)
