"""ttnn.conv_transpose2d as the device runs it: a stride-1 conv over the input with (stride - 1) zeros inserted
between pixels, padded by dilation * (kernel - 1) - padding (plus output_padding at the bottom / right), with the
kernel mirrored and its in / out channels swapped per group (tt-metal conv_transpose2d.cpp builds the same halo
with inserted zeros and transforms the weights the same way).

Weights are torch's ConvTranspose2d layout [C_in, C_out / groups, KH, KW] on host; mirror_kernel=True (the default)
mirrors them here, False means they are mirrored already.
"""

from __future__ import annotations

import torch

from ..errors import ShapeError, TTNNError
from ..registry import ttnn_op
from ..tensor import Tensor
from ..types import Layout
from .conv import ConvCall, _conv_flops, _results, nhwc_values, padding4, pair, run_conv
from .conv_weights import prepared_bias, prepared_weight


def _equivalent_weight(weight: torch.Tensor, groups: int, mirror: bool) -> torch.Tensor:
    """[C_in, C_out / g, KH, KW] -> the forward conv's [C_out, C_in / g, KH, KW]."""
    in_channels, out_per_group = weight.shape[0], weight.shape[1]
    grouped = weight.reshape(groups, in_channels // groups, out_per_group, *weight.shape[2:])
    forward = grouped.transpose(1, 2).reshape(groups * out_per_group, in_channels // groups, *weight.shape[2:])
    return forward.flip(-1, -2) if mirror else forward


def _zero_inserted(values: torch.Tensor, stride: tuple[int, int]) -> torch.Tensor:
    batch, height, width, channels = values.shape
    out = values.new_zeros((batch, (height - 1) * stride[0] + 1, (width - 1) * stride[1] + 1, channels))
    out[:, :: stride[0], :: stride[1]] = values
    return out


@ttnn_op("ttnn.conv_transpose2d", flops=_conv_flops)
def conv_transpose2d(
    *,
    input_tensor,
    weight_tensor,
    device,
    in_channels,
    out_channels,
    batch_size,
    input_height,
    input_width,
    kernel_size,
    stride=[1, 1],  # noqa: B006 - ttnn's defaults, never mutated
    padding=[0, 0],  # noqa: B006
    output_padding=[0, 0],  # noqa: B006
    dilation=[1, 1],  # noqa: B006
    groups=1,
    dtype=None,
    bias_tensor=None,
    conv_config=None,
    compute_config=None,
    memory_config=None,
    dram_slice_config=None,
    mirror_kernel=True,
    return_output_dim=False,
    return_weights_and_bias=False,
):
    """Transposed 2D convolution of NHWC activations; output [1, 1, N*OH*OW, out_channels]."""
    op = "ttnn.conv_transpose2d"
    if dram_slice_config is not None:
        raise TTNNError(f"{op}: dram_slice_config is not modelled by the ttport emulator; leave it None")
    if not isinstance(weight_tensor, Tensor) or weight_tensor.device() is not None:
        raise TTNNError(f"{op}: weight_tensor must be the torch-layout [C_in, C_out / groups, KH, KW] weight on host")
    kernel, strides = pair(op, "kernel_size", kernel_size), pair(op, "stride", stride)
    dilations = pair(op, "dilation", dilation)
    top, bottom, left, right = padding4(op, padding)
    extra = pair(op, "output_padding", output_padding)
    expected = (in_channels, out_channels // groups, *kernel)
    if tuple(weight_tensor.shape) != expected:
        raise ShapeError(f"{op}: weight_tensor is {list(weight_tensor.shape)}, expected {list(expected)}")
    reach = [d * (k - 1) for d, k in zip(dilations, kernel)]
    pads = (reach[0] - top, reach[0] - bottom + extra[0], reach[1] - left, reach[1] - right + extra[1])
    up_hw = ((input_height - 1) * strides[0] + 1, (input_width - 1) * strides[1] + 1)
    forward = _equivalent_weight(weight_tensor._logical().to(torch.float32), groups, mirror_kernel)
    forward_weight = Tensor._from_logical(forward, weight_tensor.dtype, Layout.ROW_MAJOR)
    args = dict(
        input_tensor=input_tensor, weight_tensor=forward_weight, device=device, in_channels=in_channels,
        out_channels=out_channels, batch_size=batch_size, input_height=up_hw[0], input_width=up_hw[1],
        kernel_size=kernel, stride=(1, 1), padding=pads, dilation=dilations, groups=groups, dtype=dtype,
        bias_tensor=bias_tensor, conv_config=conv_config, compute_config=compute_config, memory_config=memory_config,
    )  # fmt: skip
    call = ConvCall(op, args)
    values = _zero_inserted(nhwc_values(op, input_tensor, batch_size, input_height, input_width, in_channels), strides)
    weight = prepared_weight(op, forward_weight, call.key, device)
    bias = prepared_bias(op, bias_tensor, call.key, device)
    output = run_conv(call, weight, bias, values)
    return _results(output, call.out_hw, weight, bias, return_output_dim, return_weights_and_bias)
