"""Moving tensors between torch, host and device, and between layouts, data types and memory configs.

Signatures are ttnn 0.81.1's (validate/data/ttnn_api_0.81.1.json); host behaviour is checked bit for bit against the
recording in tests/data/ttnn_formats_0.81.1.npz (tests/emu/test_conformance_formats.py).
"""

from __future__ import annotations

import math

import torch

from ..device import Device
from ..errors import DTypeError, LayoutError, StorageError, TTNNError, UnsupportedError
from ..memory import MemoryConfig
from ..mesh import MeshToTensor, TensorToMesh, check_mapper
from ..numerics import WormholeComputeKernelConfig, is_ideal
from ..registry import elementwise_flops, require_device, ttnn_op
from ..tensor import Tensor
from ..tile import require_default_tile
from ..types import DTYPE_FROM_TORCH, DTYPE_INFO, TORCH_DTYPE_OUT, DataType, Layout, round_up

# ttnn's own words for its host-side refusals (recorded), followed by the emulator's hint.
BFP_NEEDS_TILE = "Layout must be Layout::TILE for bfloat8_b or bfloat4_b!"
BFP_UNTILIZE = "Tensor layout must be ROW_MAJOR for unpadding"
DEVICE_OPS_ONLY = "Device Operations expect device tensors as inputs"


def open_device_of(device, op: str) -> Device | None:
    if device is None or isinstance(device, Device):
        if device is not None and not device._is_open:
            raise StorageError(f"{op}: the device was closed (ttnn.close_device); open it again with ttnn.open_device")
        return device
    raise StorageError(f"{op}: device must be a ttnn device from ttnn.open_device, got {type(device).__name__}")


def _unsupported(op: str, parameter: str, value, what: str) -> UnsupportedError:
    return UnsupportedError(f"{op}: {parameter}={value!r} is not modelled by the emulator ({what}); {_DROP}")


_DROP = "leave it at its default here, or run on a Tenstorrent card with real ttnn"


def check_dtype_argument(op: str, dtype) -> None:
    """A dtype argument must be a ttnn.DataType (or None); a string or torch dtype gets the accepted names."""
    if dtype is None or (isinstance(dtype, DataType) and dtype is not DataType.INVALID):
        return
    accepted = ", ".join(f"ttnn.{d.name.lower()}" for d in DTYPE_INFO)
    raise TypeError(f"{op}: dtype must be a ttnn data type ({accepted}) or None, got {dtype!r}")


def _is_block_float(dtype: DataType) -> bool:
    return bool(DTYPE_INFO[dtype].mantissa_bits)


@ttnn_op("ttnn.from_torch")
def from_torch(
    tensor,
    dtype=None,
    *,
    spec=None,
    tile=None,
    pad_value=None,
    layout=None,
    device=None,
    memory_config=None,
    mesh_mapper=None,
    cq_id=None,
    preserve_nan_values=False,
    col_tilize=False,
    enable_bfloat_opt=False,
):
    """A ttnn tensor holding `tensor`'s values, rounded to `dtype`, in `layout`, on `device` if given.

    >>> ttnn.from_torch(torch.randn(7, 50), dtype=ttnn.bfloat8_b).padded_shape   # layout=None: TILE for bfp
    Shape([32, 64])
    """
    op = "ttnn.from_torch"
    if tensor is None:
        return None
    if not isinstance(tensor, torch.Tensor):
        raise TTNNError(f"{op}: expected a torch.Tensor, got {type(tensor).__name__}")
    if spec is not None:
        raise _unsupported(op, "spec", spec, "TensorSpec is not emulated; pass dtype=, layout= and memory_config=")
    if col_tilize:
        raise _unsupported(op, "col_tilize", col_tilize, "column-wise bfp packing")
    if enable_bfloat_opt:
        raise _unsupported(op, "enable_bfloat_opt", enable_bfloat_opt, "on-device bfp conversion with hw rounding")
    require_default_tile(op, tile)
    check_mapper(op, mesh_mapper, TensorToMesh)  # one device: replicate / shard over it leaves the tensor whole
    check_dtype_argument(op, dtype)
    if dtype is None:
        if tensor.dtype not in DTYPE_FROM_TORCH:
            raise DTypeError(f"{op}: torch dtype {tensor.dtype} has no ttnn equivalent; pass dtype=")
        dtype = DTYPE_FROM_TORCH[tensor.dtype]
    if layout is None:
        # layout=None: TILE for bfloat8_b / bfloat4_b, else ROW_MAJOR. tt-metal ttnn/cpp/ttnn-nanobind/pytensor.cpp,
        # Tensor.__init__: layout.value_or(tile_layout_by_default ? Layout::TILE : Layout::ROW_MAJOR).
        layout = Layout.TILE if _is_block_float(dtype) else Layout.ROW_MAJOR
    if _is_block_float(dtype) and layout is not Layout.TILE:
        raise DTypeError(f"{BFP_NEEDS_TILE} ({op}: pass layout=ttnn.TILE_LAYOUT, or leave layout=None)")
    # preserve_nan_values: the recording shows it changes nothing on host (special.*.preserve_nan == special.*),
    # so it is accepted as the no-op it is there.
    values = tensor.detach().cpu()
    if values.dtype == torch.bool:
        values = values.to(torch.uint8)
    if DTYPE_INFO[dtype].is_float:
        values = values.to(torch.float32)
    fill = 0.0 if pad_value is None or layout is not Layout.TILE else float(pad_value)
    result = Tensor._from_logical(values, dtype, layout, fill=fill)
    if device is not None:
        return to_device(result, device, memory_config=memory_config)
    return result


@ttnn_op("ttnn.to_torch")
def to_torch(tensor, dtype=None, *, torch_rank=None, mesh_composer=None, device=None, cq_id=None):
    """The tensor's logical values as a torch tensor: bfloat16 stays bfloat16, block floats come back as float32,
    uint32 / uint16 as torch.uint32 / torch.uint16 (ttnn hands the buffer over by dlpack with its own dtype)."""
    if not isinstance(tensor, Tensor):
        raise TTNNError(f"ttnn.to_torch: expected a ttnn.Tensor, got {type(tensor).__name__}")
    check_mapper("ttnn.to_torch", mesh_composer, MeshToTensor)  # one device: concatenating it is the identity
    values = tensor._logical()
    if is_ideal() and DTYPE_INFO[tensor.dtype].is_float:
        out = values.to(torch.float32).clone()
    else:
        out = values.to(TORCH_DTYPE_OUT[tensor.dtype]).clone()
    if torch_rank is not None:
        while out.dim() > torch_rank:
            if out.shape[0] != 1:
                raise TTNNError(
                    f"ttnn: Unable to squeeze to desired rank! (ttnn.to_torch: shape {list(tensor.shape)} cannot be "
                    f"squeezed to rank {torch_rank}: its leading dim is not 1)"
                )
            out = out.squeeze(0)
    return out.to(dtype) if dtype is not None else out


@ttnn_op("ttnn.to_device")
def to_device(tensor, device, memory_config=None, *, queue_id=None):
    device = open_device_of(device, "ttnn.to_device")
    if tensor.device() is not None:
        if tensor.device() is device:
            return tensor
        raise StorageError("ttnn.to_device: the tensor is on another device; bring it back with ttnn.from_device")
    return Tensor(tensor._values, tensor.shape, tensor.dtype, tensor.layout, device, memory_config)


@ttnn_op("ttnn.from_device")
def from_device(tensor, blocking=True, *, queue_id=None):
    if tensor.device() is None:
        return tensor
    return Tensor(tensor._values, tensor.shape, tensor.dtype, tensor.layout, None, tensor.memory_config())


@ttnn_op("ttnn.to_layout", flops=elementwise_flops(0))
def to_layout(tensor, layout, dtype=None, memory_config=None, sub_core_grids=None, pad_value=0.0):
    """`tensor` in `layout` (padding filled with `pad_value` when tilizing).

    On a host tensor ttnn 0.81.1 ignores `dtype` (recorded: to_layout(TILE, dtype=bfloat8_b) of a host bfloat16
    tensor stays bfloat16) and cannot untilize block floats; the emulator does the same.
    """
    if not isinstance(layout, Layout) or layout is Layout.INVALID:
        raise LayoutError(f"ttnn.to_layout: {layout!r} is not a ttnn layout; use ttnn.TILE_LAYOUT or ROW_MAJOR_LAYOUT")
    on_host = tensor.device() is None
    if on_host or dtype is None:
        dtype = tensor.dtype
    if layout is tensor.layout and dtype is tensor.dtype and memory_config in (None, tensor.memory_config()):
        return tensor
    if layout is not Layout.TILE and (_is_block_float(dtype) or (on_host and _is_block_float(tensor.dtype))):
        raise DTypeError(
            f"{BFP_UNTILIZE} (ttnn.to_layout: a {tensor.dtype.name.lower()} tensor cannot be ROW_MAJOR"
            + ("; move it to a device first, or convert with ttnn.typecast on device" if on_host else "")
            + ("; pass dtype=ttnn.bfloat16 to convert it while untilizing)" if not on_host else ")")
        )
    values = tensor._logical()
    if DTYPE_INFO[dtype].is_float:
        values = values.to(torch.float32)
    fill = float(pad_value) if layout is Layout.TILE else 0.0
    result = Tensor._from_logical(values, dtype, layout, fill=fill)
    return _place_like(result, tensor, memory_config)


def _place_like(result: Tensor, source: Tensor, memory_config: MemoryConfig | None) -> Tensor:
    if source.device() is None:
        return result
    return Tensor(
        result._values,
        result.shape,
        result.dtype,
        result.layout,
        source.device(),
        memory_config or source.memory_config(),
    )


@ttnn_op("ttnn.to_memory_config")
def to_memory_config(tensor, memory_config, dtype=None, output_tensor=None):
    op = "ttnn.to_memory_config"
    if tensor.device() is None:
        raise StorageError(f"{DEVICE_OPS_ONLY} ({op}: tensor is on host; call ttnn.to_device(x, device) first)")
    if output_tensor is not None:
        raise _unsupported(op, "output_tensor", "<ttnn.Tensor>", "writing into a preallocated tensor")
    if not isinstance(memory_config, MemoryConfig):
        raise TTNNError(f"{op}: memory_config must be a ttnn.MemoryConfig, got {memory_config!r}")
    if memory_config.is_sharded() and memory_config.shard_spec is None:
        raise TTNNError(
            f"{op}: a sharded memory config needs a shard spec; build one with "
            "ttnn.create_sharded_memory_config(shape, core_grid, strategy)"
        )
    result = typecast(tensor, dtype) if dtype not in (None, tensor.dtype) else tensor
    return Tensor(result._values, result.shape, result.dtype, result.layout, tensor.device(), memory_config)


@ttnn_op("ttnn.typecast", flops=elementwise_flops(1))
def typecast(input_tensor, dtype, *, memory_config=None, output_tensor=None, sub_core_grids=None):
    """`input_tensor`'s values converted to `dtype`. Works on host too (recorded), where ROW_MAJOR cannot become a
    block float. On device the conversion rules are the host's (device typecast numerics are not recorded)."""
    op = "ttnn.typecast"
    if output_tensor is not None:
        raise _unsupported(op, "output_tensor", "<ttnn.Tensor>", "writing into a preallocated tensor")
    if not isinstance(dtype, DataType) or dtype is DataType.INVALID:
        raise DTypeError(f"{op}: {dtype!r} is not a ttnn data type")
    if _is_block_float(dtype) and input_tensor.layout is not Layout.TILE:
        shape = list(input_tensor.shape) or [1]
        height, width = math.prod(shape[:-1]), shape[-1]
        tiled = (math.prod(shape[:-2]) * round_up(shape[-2] if len(shape) > 1 else 1, 32), round_up(width, 32))
        raise DTypeError(
            f"to_dtype: Converting layout to Layout::TILE implicitly changed physical shape from ({height}, {width}) "
            f"to {tiled} due to alignment constraints. This is currently unsupported. Please pad the tensor "
            f"explicitly before conversion. ({op}: a ROW_MAJOR tensor cannot become {dtype.name.lower()}; "
            "ttnn.to_layout it to TILE first)"
        )
    stored = input_tensor._values
    if DTYPE_INFO[dtype].is_float:
        stored = stored.to(torch.float32)
    result = Tensor._from_stored(stored, input_tensor.shape, dtype, input_tensor.layout)
    return _place_like(result, input_tensor, memory_config)


@ttnn_op("ttnn.clone", flops=elementwise_flops(0))
def clone(input, *, dtype=None, memory_config=None, compute_kernel_config=None):  # noqa: A002 - ttnn's name
    op = "ttnn.clone"
    # Real ttnn 0.81.1 crashes (SIGSEGV) on a host tensor; the emulator refuses instead.
    require_device(op, "input", input, tile=False)
    dtype = dtype or input.dtype
    if compute_kernel_config is not None:
        if not isinstance(compute_kernel_config, WormholeComputeKernelConfig):
            raise TTNNError(f"{op}: compute_kernel_config must be a ttnn.WormholeComputeKernelConfig")
        if dtype is not input.dtype:
            raise _unsupported(
                op, "compute_kernel_config", compute_kernel_config, "its effect on a converting copy is not modelled"
            )
    if _is_block_float(dtype) and input.layout is not Layout.TILE:
        raise DTypeError(f"{BFP_NEEDS_TILE} ({op}: the input is ROW_MAJOR)")
    result = Tensor._from_stored(input._values.clone(), input.shape, dtype, input.layout)
    return _place_like(result, input, memory_config)


def deallocate(tensor, force=True):
    """Free the tensor's device buffer now; any later use of the tensor raises. A host tensor is left as it is."""
    if not isinstance(tensor, Tensor):
        raise TTNNError(f"ttnn.deallocate: expected a ttnn.Tensor, got {type(tensor).__name__}")
    tensor.deallocate(force)


@ttnn_op("ttnn.reallocate")
def reallocate(tensor, memory_config=None):
    """Move a device tensor to a fresh buffer (defragmenting its buffer type); the input is freed first."""
    require_device("ttnn.reallocate", "tensor", tensor, tile=False)
    stored, device, config = tensor._values, tensor.device(), memory_config or tensor.memory_config()
    shape, dtype, layout = tensor.shape, tensor.dtype, tensor.layout
    tensor.deallocate()
    return Tensor(stored, shape, dtype, layout, device, config)


def is_tensor_storage_on_device(tensor) -> bool:
    if not isinstance(tensor, Tensor):
        raise TTNNError(f"ttnn.is_tensor_storage_on_device: expected a ttnn.Tensor, got {type(tensor).__name__}")
    return tensor.device() is not None


@ttnn_op("ttnn.fill_implicit_tile_padding", flops=elementwise_flops(0))
def fill_implicit_tile_padding(input_tensor, fill_value, *, memory_config=None):
    """The tensor with its tile padding (the values between the logical and the padded shape) set to `fill_value`.

    tt-metal's tests call it before reductions whose padding would otherwise count (e.g. max over a padded row).
    """
    op = "ttnn.fill_implicit_tile_padding"
    require_device(op, "input_tensor", input_tensor)
    values = input_tensor._logical()
    if DTYPE_INFO[input_tensor.dtype].is_float:
        values = values.to(torch.float32)
    result = Tensor._from_logical(values, input_tensor.dtype, input_tensor.layout, fill=float(fill_value))
    return _place_like(result, input_tensor, memory_config)
