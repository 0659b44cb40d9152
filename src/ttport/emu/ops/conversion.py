"""Moving tensors between torch, host and device, and between layouts, data types and memory configs."""

from __future__ import annotations

import torch

from ..device import Device
from ..errors import DTypeError, StorageError, TTNNError
from ..memory import MemoryConfig
from ..numerics import is_ideal
from ..registry import elementwise_flops, require_device, ttnn_op
from ..tensor import Tensor
from ..types import DTYPE_FROM_TORCH, DTYPE_INFO, TORCH_DTYPE_OUT, Layout


def _device_of(device, op: str) -> Device | None:
    if device is None or isinstance(device, Device):
        if device is not None and not device.is_open:
            raise StorageError(f"{op}: the device was closed (ttnn.close_device); open it again with ttnn.open_device")
        return device
    raise StorageError(f"{op}: device must be a ttnn device from ttnn.open_device, got {type(device).__name__}")


@ttnn_op("ttnn.from_torch")
def from_torch(
    tensor,
    dtype=None,
    *,
    spec=None,
    tile=None,
    pad_value=None,
    layout=Layout.ROW_MAJOR,
    device=None,
    memory_config=None,
    mesh_mapper=None,
    cq_id=None,
):
    """A ttnn tensor holding `tensor`'s values, rounded to `dtype`, in `layout`, on `device` if given."""
    if not isinstance(tensor, torch.Tensor):
        raise TTNNError(f"ttnn.from_torch: expected a torch.Tensor, got {type(tensor).__name__}")
    if dtype is None:
        if tensor.dtype not in DTYPE_FROM_TORCH:
            raise DTypeError(f"ttnn.from_torch: torch dtype {tensor.dtype} has no ttnn equivalent; pass dtype=")
        dtype = DTYPE_FROM_TORCH[tensor.dtype]
    if tile is not None and tuple(getattr(tile, "tile_shape", (32, 32))) != (32, 32):
        raise TTNNError("ttnn.from_torch: the emulator models 32x32 tiles only; drop tile= or use ttnn.Tile((32, 32))")
    if mesh_mapper is not None:
        raise TTNNError("ttnn.from_torch: the emulator has a single device; mesh_mapper needs a mesh device")
    values = tensor.detach().cpu()
    if DTYPE_INFO[dtype].is_float:
        values = values.to(torch.float32)
    result = Tensor.from_logical(values, dtype, layout)
    if pad_value is not None and layout is Layout.TILE:
        result = _fill_padding(result, pad_value)
    if device is not None:
        return to_device(result, device, memory_config=memory_config)
    return result


def _fill_padding(tensor: Tensor, value: float) -> Tensor:
    stored = torch.full(tuple(tensor.padded_shape), float(value), dtype=torch.float32)
    stored[tuple(slice(0, s) for s in tensor.shape)] = tensor.logical().to(torch.float32)
    return Tensor.from_stored(stored, tensor.shape, tensor.dtype, tensor.layout)


@ttnn_op("ttnn.to_torch")
def to_torch(tensor, dtype=None, *, torch_rank=None, mesh_composer=None, device=None, cq_id=None):
    """The tensor's logical values as a torch tensor (bfloat16 stays bfloat16; block floats come back as float32)."""
    if not isinstance(tensor, Tensor):
        raise TTNNError(f"ttnn.to_torch: expected a ttnn.Tensor, got {type(tensor).__name__}")
    values = tensor.logical()
    if is_ideal() and DTYPE_INFO[tensor.dtype].is_float:
        out = values.to(torch.float32).clone()
    else:
        out = values.to(TORCH_DTYPE_OUT[tensor.dtype]).clone()
    if torch_rank is not None:
        while out.dim() > torch_rank and out.shape[0] == 1:
            out = out.squeeze(0)
        if out.dim() != torch_rank:
            raise TTNNError(f"ttnn.to_torch: cannot squeeze shape {list(tensor.shape)} to rank {torch_rank}")
    return out.to(dtype) if dtype is not None else out


@ttnn_op("ttnn.to_device")
def to_device(tensor, device, memory_config=None, cq_id=None):
    device = _device_of(device, "ttnn.to_device")
    if tensor.device() is not None:
        if tensor.device() is device:
            return tensor
        raise StorageError("ttnn.to_device: the tensor is on another device; bring it back with ttnn.from_device")
    return Tensor(tensor.stored, tensor.shape, tensor.dtype, tensor.layout, device, memory_config)


@ttnn_op("ttnn.from_device")
def from_device(tensor, blocking=True, cq_id=None):
    if tensor.device() is None:
        return tensor
    return Tensor(tensor.stored, tensor.shape, tensor.dtype, tensor.layout, None, tensor.memory_config())


@ttnn_op("ttnn.to_layout", flops=elementwise_flops(0))
def to_layout(tensor, layout, dtype=None, memory_config=None, sub_core_grids=None):
    dtype = dtype or tensor.dtype
    if layout is tensor.layout and dtype is tensor.dtype and memory_config in (None, tensor.memory_config()):
        return tensor
    if layout is not Layout.TILE and DTYPE_INFO[dtype].needs_tile:
        raise DTypeError(
            f"ttnn.to_layout: a {dtype.name.lower()} tensor cannot be ROW_MAJOR; "
            "pass dtype=ttnn.bfloat16 to convert it while untilizing"
        )
    values = tensor.logical()
    if DTYPE_INFO[dtype].is_float:
        values = values.to(torch.float32)
    result = Tensor.from_logical(values, dtype, layout)
    return _place_like(result, tensor, memory_config)


def _place_like(result: Tensor, source: Tensor, memory_config: MemoryConfig | None) -> Tensor:
    if source.device() is None:
        return result
    return Tensor(
        result.stored,
        result.shape,
        result.dtype,
        result.layout,
        source.device(),
        memory_config or source.memory_config(),
    )


@ttnn_op("ttnn.to_memory_config")
def to_memory_config(tensor, memory_config, dtype=None):
    require_device("ttnn.to_memory_config", "tensor", tensor, tile=False)
    if not isinstance(memory_config, MemoryConfig):
        raise TTNNError(f"ttnn.to_memory_config: memory_config must be a ttnn.MemoryConfig, got {memory_config!r}")
    if memory_config.is_sharded() and memory_config.shard_spec is None:
        raise TTNNError(
            "ttnn.to_memory_config: a sharded memory config needs a shard spec; build one with "
            "ttnn.create_sharded_memory_config(shape, core_grid, strategy)"
        )
    result = typecast(tensor, dtype) if dtype not in (None, tensor.dtype) else tensor
    return Tensor(result.stored, result.shape, result.dtype, result.layout, tensor.device(), memory_config)


@ttnn_op("ttnn.typecast", flops=elementwise_flops(1))
def typecast(input_tensor, dtype, *, memory_config=None, output_tensor=None, sub_core_grids=None):
    require_device("ttnn.typecast", "input_tensor", input_tensor)
    stored = input_tensor.stored
    if DTYPE_INFO[dtype].is_float:
        stored = stored.to(torch.float32)
    result = Tensor.from_stored(stored, input_tensor.shape, dtype, input_tensor.layout)
    return _place_like(result, input_tensor, memory_config)


@ttnn_op("ttnn.clone", flops=elementwise_flops(0))
def clone(input_tensor, *, memory_config=None, dtype=None):
    require_device("ttnn.clone", "input_tensor", input_tensor, tile=False)
    dtype = dtype or input_tensor.dtype
    result = Tensor.from_stored(input_tensor.stored.clone(), input_tensor.shape, dtype, input_tensor.layout)
    return _place_like(result, input_tensor, memory_config)


def deallocate(tensor, force=True):
    """Free the tensor's device buffer now; any later use of the tensor raises."""
    if not isinstance(tensor, Tensor):
        raise TTNNError(f"ttnn.deallocate: expected a ttnn.Tensor, got {type(tensor).__name__}")
    tensor.deallocate(force)


@ttnn_op("ttnn.reallocate")
def reallocate(tensor, memory_config=None):
    """Move a device tensor to a fresh buffer (defragmenting its buffer type); the input is freed first."""
    require_device("ttnn.reallocate", "tensor", tensor, tile=False)
    stored, device, config = tensor.stored, tensor.device(), memory_config or tensor.memory_config()
    shape, dtype, layout = tensor.shape, tensor.dtype, tensor.layout
    tensor.deallocate()
    return Tensor(stored, shape, dtype, layout, device, config)
