"""ttnn.fold: NHWC space-to-depth (what a conv with kernel == stride becomes before a matmul).

Signature real ttnn 0.81.1's (recorded). Each stride_h x stride_w neighbourhood at (h * stride_h, w * stride_w)
moves into the channel dim at (h, w), in row-major order of the neighbourhood (ttnn.fold's docstring):
out[n, h, w, (i * stride_w + j) * C + c] = in[n, h * stride_h + i, w * stride_w + j, c]. Padding is applied first.
"""

from __future__ import annotations

import torch

from ..errors import ShapeError, TTNNError
from ..registry import require_device, ttnn_op
from ..tensor import Tensor
from ._common import output_config


@ttnn_op("ttnn.fold")
def fold(
    input,  # noqa: A002 - ttnn's name
    stride_h,
    stride_w,
    use_transpose_as_fold=False,
    output_shape=None,
    padding=[0, 0],  # noqa: B006 - ttnn's default, never mutated
    grid_size=None,
    override_memory_config=None,
    collapse_output=False,
):
    """[N, H, W, C] -> [N, Hp/stride_h, Wp/stride_w, C*stride_h*stride_w] (or [1, 1, N*..., ...] collapsed)."""
    op = "ttnn.fold"
    require_device(op, "input", input, tile=False)
    if output_shape is not None or grid_size is not None:
        raise TTNNError(f"{op}: output_shape and grid_size are not modelled by the ttport emulator; leave them None")
    if len(input.shape) != 4:
        raise ShapeError(f"{op}: input is {list(input.shape)}; it must be NHWC [N, H, W, C]")
    pads = list(padding) if not isinstance(padding, int) else [padding, padding]
    if len(pads) == 2:
        pads = [pads[0], pads[0], pads[1], pads[1]]
    values = input._logical().to(torch.float32)
    values = torch.nn.functional.pad(values, (0, 0, pads[2], pads[3], pads[0], pads[1]))
    batch, height, width, channels = values.shape
    if height % stride_h or width % stride_w:
        raise ShapeError(f"{op}: padded H, W = {height}, {width} are not multiples of strides {stride_h}, {stride_w}")
    blocks = values.reshape(batch, height // stride_h, stride_h, width // stride_w, stride_w, channels)
    out = blocks.permute(0, 1, 3, 2, 4, 5).reshape(batch, height // stride_h, width // stride_w, -1)
    if collapse_output:
        out = out.reshape(1, 1, -1, out.shape[-1])
    config = output_config(op, override_memory_config, input)
    return Tensor._from_logical(out.contiguous(), input.dtype, input.layout, input.device(), config)
