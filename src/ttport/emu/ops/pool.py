"""ttnn.max_pool2d, ttnn.avg_pool2d, ttnn.adaptive_avg_pool2d and ttnn.global_avg_pool2d over NHWC activations.

Signatures are real ttnn 0.81.1's (recorded). Inputs are [N, H, W, C] or [1, 1, N*H*W, C] on device; outputs are
[1, 1, N*OH*OW, C] (global_avg_pool2d: [N, 1, 1, C], as its Python wrapper in ttnn/operations/pool.py reshapes it),
ROW_MAJOR unless output_layout says otherwise, in L1 sharded like the input (or applied_shard_scheme) unless
memory_config is given. Numerics: a max is exact on the stored values; an average multiplies each value by the
bfloat16 scalar 1/divisor and reduces the window into a 16-bit destination, one tile of values at a time
(pool kernels reduce with a scaler tile; docs/ttnn-numerics.md "Pooling").
"""

from __future__ import annotations

import math

import torch

from ..conv_l1 import height_sharded
from ..errors import ShapeError, TTNNError
from ..memory import MemoryConfig, TensorMemoryLayout
from ..numerics import REDUCE_CHUNK, is_ideal
from ..registry import require_device, ttnn_op
from ..tensor import Tensor
from ..types import DataType, Layout
from .conv import padding4, pair
from .data_movement import reshape


def nchw_values(op: str, tensor: Tensor, batch: int, height: int, width: int, channels: int) -> torch.Tensor:
    require_device(op, "input_tensor", tensor, tile=False)
    shape = tuple(tensor.shape)
    if len(shape) != 4 or shape[-1] != channels or math.prod(shape[:-1]) != batch * height * width:
        raise ShapeError(
            f"{op}: input_tensor is {list(shape)} but batch_size={batch}, input_h={height}, input_w={width}, "
            f"channels={channels} need [{batch}, {height}, {width}, {channels}] or [1, 1, {batch * height * width}, "
            f"{channels}] (NHWC)"
        )
    return tensor._logical().to(torch.float32).reshape(batch, height, width, channels).permute(0, 3, 1, 2)


def _placement(memory_config, rows: int, channels: int, layout: Layout) -> MemoryConfig:
    """memory_config, else height sharded in L1 as the pool ops leave their output (applied_shard_scheme only chooses
    how the input is sharded on the way in)."""
    if memory_config is not None:
        if not isinstance(memory_config, MemoryConfig):
            raise TTNNError(f"memory_config must be a ttnn.MemoryConfig, got {memory_config!r}")
        return memory_config
    return height_sharded(rows, channels, layout is Layout.TILE)


def _output(op, values_nchw, like: Tensor, dtype, layout, memory_config, applied_shard_scheme, deallocate_input):
    batch, channels, out_h, out_w = values_nchw.shape
    flat = values_nchw.permute(0, 2, 3, 1).reshape(1, 1, batch * out_h * out_w, channels)
    config = _placement(memory_config, batch * out_h * out_w, channels, layout)
    if deallocate_input:
        like.deallocate(True)
    return Tensor._from_logical(flat, dtype, layout, like.device(), config)


def _torch_padding(op: str, padding) -> tuple[int, int, int, int]:
    return padding4(op, padding)


@ttnn_op("ttnn.max_pool2d")
def max_pool2d(
    input_tensor,
    batch_size,
    input_h,
    input_w,
    channels,
    kernel_size,
    stride,
    padding,
    dilation,
    ceil_mode=False,
    *,
    memory_config=None,
    dram_slice_config=None,
    applied_shard_scheme=None,
    deallocate_input=False,
    reallocate_halo_output=True,
    return_indices=False,
    dtype=DataType.BFLOAT16,
    output_layout=Layout.ROW_MAJOR,
    config_tensor_in_dram=False,
):
    """The max of each (dilated) kernel window per channel; padding counts as -inf."""
    op = "ttnn.max_pool2d"
    if return_indices or dram_slice_config is not None:
        raise TTNNError(f"{op}: return_indices and dram_slice_config are not modelled by the ttport emulator")
    x = nchw_values(op, input_tensor, batch_size, input_h, input_w, channels)
    top, bottom, left, right = _torch_padding(op, padding)
    x = torch.nn.functional.pad(x, (left, right, top, bottom), value=-math.inf)
    out = torch.nn.functional.max_pool2d(
        x, pair(op, "kernel_size", kernel_size), pair(op, "stride", stride), 0, pair(op, "dilation", dilation),
        ceil_mode=ceil_mode,
    )  # fmt: skip
    return _output(op, out, input_tensor, dtype, output_layout, memory_config, applied_shard_scheme, deallocate_input)


def _window_average(x: torch.Tensor, kernel, stride, divisor: torch.Tensor, ceil_mode: bool) -> torch.Tensor:
    """Sum each window of x * bfloat16(1 / divisor) as the pool kernel reduces it (16-bit destination)."""
    kh, kw = kernel
    windows = torch.nn.functional.unfold(x.reshape(-1, 1, *x.shape[2:]), kernel, stride=stride)  # (N*C, kh*kw, L)
    scale = (1.0 / divisor).reshape(1, 1, -1)
    if is_ideal():
        return (windows * scale).sum(1)
    scale = scale.to(torch.bfloat16).to(torch.float32)
    products = windows * scale
    total = products[:, :REDUCE_CHUNK].sum(1).to(torch.bfloat16)
    for start in range(REDUCE_CHUNK, kh * kw, REDUCE_CHUNK):
        total = total + products[:, start : start + REDUCE_CHUNK].sum(1)  # bfloat16 + float32 -> rounds once
        total = total.to(torch.bfloat16)
    return total.to(torch.float32)


def _divisors(shape, kernel, stride, padding, count_include_pad, divisor_override, out_hw) -> torch.Tensor:
    if divisor_override:
        return torch.full((out_hw[0] * out_hw[1],), float(divisor_override))
    if count_include_pad:
        return torch.full((out_hw[0] * out_hw[1],), float(kernel[0] * kernel[1]))
    ones = torch.ones(1, 1, *shape)
    top, bottom, left, right = padding
    ones = torch.nn.functional.pad(ones, (left, right, top, bottom))
    counts = torch.nn.functional.unfold(ones, kernel, stride=stride).sum(1)
    return counts.reshape(-1)


@ttnn_op("ttnn.avg_pool2d")
def avg_pool2d(
    input_tensor,
    batch_size,
    input_h,
    input_w,
    channels,
    kernel_size,
    stride,
    padding,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
    *,
    memory_config=None,
    dram_slice_config=None,
    applied_shard_scheme=None,
    compute_kernel_config=None,
    deallocate_input=False,
    reallocate_halo_output=True,
    dtype=DataType.BFLOAT16,
    output_layout=Layout.ROW_MAJOR,
    config_tensor_in_dram=False,
):
    """The average of each kernel window per channel (zero padding; count_include_pad / divisor_override)."""
    op = "ttnn.avg_pool2d"
    if ceil_mode or dram_slice_config is not None or compute_kernel_config is not None:
        raise TTNNError(f"{op}: ceil_mode, dram_slice_config and compute_kernel_config are not modelled here")
    x = nchw_values(op, input_tensor, batch_size, input_h, input_w, channels)
    kernel, strides = pair(op, "kernel_size", kernel_size), pair(op, "stride", stride)
    pads = _torch_padding(op, padding)
    sizes = zip((input_h, input_w), pads[::2], pads[1::2], kernel, strides)
    out_hw = tuple((size + a + b - k) // s + 1 for size, a, b, k, s in sizes)
    divisor = _divisors((input_h, input_w), kernel, strides, pads, count_include_pad, divisor_override, out_hw)
    padded = torch.nn.functional.pad(x, (pads[2], pads[3], pads[0], pads[1]))
    out = _window_average(padded, kernel, strides, divisor, ceil_mode).reshape(batch_size, channels, *out_hw)
    return _output(op, out, input_tensor, dtype, output_layout, memory_config, applied_shard_scheme, deallocate_input)


@ttnn_op("ttnn.adaptive_avg_pool2d")
def adaptive_avg_pool2d(
    input_tensor,
    batch_size,
    input_h,
    input_w,
    channels,
    output_size,
    *,
    memory_config=None,
    dram_slice_config=None,
    applied_shard_scheme=None,
    compute_kernel_config=None,
    deallocate_input=False,
    reallocate_output=True,
):
    """Average pooling to output_size (h, w) with torch's adaptive windows; output [1, 1, N*h*w, C]."""
    op = "ttnn.adaptive_avg_pool2d"
    if dram_slice_config is not None or compute_kernel_config is not None:
        raise TTNNError(f"{op}: dram_slice_config and compute_kernel_config are not modelled by the ttport emulator")
    x = nchw_values(op, input_tensor, batch_size, input_h, input_w, channels)
    size = pair(op, "output_size", output_size)
    if input_h % size[0] == 0 and input_w % size[1] == 0:  # even windows: the same reduce as avg_pool2d
        kernel = (input_h // size[0], input_w // size[1])
        divisor = torch.full((size[0] * size[1],), float(kernel[0] * kernel[1]))
        out = _window_average(x, kernel, kernel, divisor, False).reshape(batch_size, channels, *size)
    else:
        out = torch.nn.functional.adaptive_avg_pool2d(x, size)
    dtype, layout = DataType.BFLOAT16, Layout.ROW_MAJOR
    return _output(op, out, input_tensor, dtype, layout, memory_config, applied_shard_scheme, deallocate_input)


def global_avg_pool2d(input_tensor, *, memory_config=None, dtype=None):
    """Average over H and W of an NHWC tensor -> [N, 1, 1, C] TILE (real ttnn's Python wrapper over avg_pool2d)."""
    shape = list(input_tensor.shape)
    if len(shape) == 4:
        batch, height, width, channels = shape
    elif len(shape) == 3:
        (height, width, channels), batch = shape, 1
    elif len(shape) == 2:
        (height, width), batch, channels = shape, 1, 1
    else:
        raise ValueError(f"global_avg_pool2d expects rank 2, 3, or 4 input, got rank {len(shape)}")
    if input_tensor.memory_config().is_sharded():
        interleaved = MemoryConfig(TensorMemoryLayout.INTERLEAVED, input_tensor.memory_config().buffer_type)
        from .conversion import to_memory_config

        input_tensor = to_memory_config(input_tensor, interleaved)
    # the result is reshaped to [N, 1, 1, C]: kept interleaved where the input is (a [1, 1, N, C] shard layout
    # does not carry over to N tile rows)
    interleaved = MemoryConfig(TensorMemoryLayout.INTERLEAVED, input_tensor.memory_config().buffer_type)
    result = avg_pool2d(
        input_tensor, batch, height, width, channels, (height, width), (1, 1), (0, 0),
        memory_config=memory_config or interleaved, dtype=dtype if dtype is not None else DataType.BFLOAT16,
        output_layout=Layout.TILE,
    )  # fmt: skip
    return reshape(result, (batch, 1, 1, channels))
