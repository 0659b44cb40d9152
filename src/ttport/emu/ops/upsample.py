"""ttnn.upsample: NHWC spatial upsampling, 'nearest' (any scale) or 'bilinear' (integer scales).

Signature real ttnn 0.81.1's (recorded). Input [N, H, W, C] on device; output [N, H*sh, W*sw, C] in the input's
dtype and layout. Nearest copies values exactly; bilinear weighs the four neighbours with half-pixel centres
(torch's align_corners=False, what Hugging Face models call) in fp32 and rounds once to the output dtype.
"""

from __future__ import annotations

import torch

from ..errors import ShapeError, TTNNError
from ..registry import require_device, ttnn_op
from ..tensor import Tensor
from ._common import output_config

MODES = ("nearest", "bilinear")


def _scales(op: str, scale_factor) -> tuple[float, float]:
    if isinstance(scale_factor, (int, float)):
        return (scale_factor, scale_factor)
    values = tuple(scale_factor)
    if len(values) != 2:
        raise TTNNError(f"{op}: scale_factor must be a number or [scale_h, scale_w], got {scale_factor!r}")
    return values


@ttnn_op("ttnn.upsample")
def upsample(input_tensor, scale_factor, *, mode="nearest", memory_config=None, compute_kernel_config=None):
    """Upsample [N, H, W, C] by scale_factor (int, float or [h, w]) -> [N, H*sh, W*sw, C]."""
    op = "ttnn.upsample"
    require_device(op, "input_tensor", input_tensor, tile=False)
    if mode not in MODES:
        raise TTNNError(f"{op}: mode {mode!r} is not one of {MODES}")
    if len(input_tensor.shape) != 4:
        raise ShapeError(f"{op}: input_tensor is {list(input_tensor.shape)}; it must be NHWC [N, H, W, C]")
    scale_h, scale_w = _scales(op, scale_factor)
    if mode == "bilinear" and not (float(scale_h).is_integer() and float(scale_w).is_integer()):
        raise TTNNError(f"{op}: 'bilinear' mode requires integer scale factors, got {scale_factor!r}")
    nchw = input_tensor._logical().to(torch.float32).permute(0, 3, 1, 2)
    size = (int(nchw.shape[2] * scale_h), int(nchw.shape[3] * scale_w))
    if mode == "nearest":
        out = torch.nn.functional.interpolate(nchw, size=size, mode="nearest")
    else:
        out = torch.nn.functional.interpolate(nchw, size=size, mode="bilinear", align_corners=False)
    config = output_config(op, memory_config, input_tensor)
    nhwc = out.permute(0, 2, 3, 1).contiguous()
    return Tensor._from_logical(nhwc, input_tensor.dtype, input_tensor.layout, input_tensor.device(), config)
