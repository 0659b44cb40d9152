"""Conv weights and bias as the device holds them: ttnn.prepare_conv_weights / ttnn.prepare_conv_bias, and the
im2col'd activation matrix they multiply.

tt-metal's prepare_conv2d_weights.cpp turns a torch OIHW weight into one matrix [1, 1, K, OC_padded] in TILE
layout: grouped convs become block-diagonal (convert_conv_weight_tensor_to_grouped_layout), input channels are
padded to the conv's channel alignment, and K runs kernel row by kernel row, each row (kernel_w x C_in_padded)
rounded up to whole tiles (the activation block width, conv2d_utils.cpp determine_per_core_conv_block_config). The
weights are then stored in weights_dtype: a bfloat8_b block is 16 consecutive output channels of one K row. The
bias becomes [1, 1, 32, OC_padded] in the same dtype (get_cb_info: bias_df = weights_df).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..errors import ShapeError, TTNNError
from ..tensor import Tensor
from ..types import DTYPE_INFO, DataType, Layout, round_up

TILE = 32


@dataclass(frozen=True)
class WeightKey:
    """What a prepared weight was prepared for; a conv called with other values refuses it."""

    in_channels: int
    out_channels: int
    kernel: tuple[int, int]
    groups: int
    in_channels_padded: int
    dtype: DataType


def dense_weight(weight: torch.Tensor, in_channels: int, groups: int) -> torch.Tensor:
    """(OC, C_in / groups, KH, KW) -> (OC, C_in, KH, KW), zero outside each output channel's group."""
    if groups == 1:
        return weight
    out_channels, per_group = weight.shape[0], weight.shape[1]
    dense = weight.new_zeros((out_channels, in_channels, *weight.shape[2:]))
    out_per_group = out_channels // groups
    for group in range(groups):
        rows = slice(group * out_per_group, (group + 1) * out_per_group)
        dense[rows, group * per_group : (group + 1) * per_group] = weight[rows]
    return dense


def weight_matrix(weight: torch.Tensor, key: WeightKey) -> torch.Tensor:
    """The (K, OC) matrix a conv multiplies by, K = kernel_h rows of round_up(kernel_w * C_in_padded, 32)."""
    dense = dense_weight(weight.to(torch.float32), key.in_channels, key.groups)
    dense = torch.nn.functional.pad(dense, (0, 0, 0, 0, 0, key.in_channels_padded - key.in_channels))
    kh, kw = key.kernel
    rows = dense.permute(2, 3, 1, 0).reshape(kh, kw * key.in_channels_padded, key.out_channels)
    row_width = round_up(kw * key.in_channels_padded, TILE)
    rows = torch.nn.functional.pad(rows, (0, 0, 0, row_width - rows.shape[1]))
    return rows.reshape(kh * row_width, key.out_channels)


def im2col(nhwc: torch.Tensor, key: WeightKey, stride, padding, dilation, replicate: bool) -> torch.Tensor:
    """(N, H, W, C) activations -> (N * OH * OW, K) windows, laid out as weight_matrix's K.

    One padded copy of the input (channels and border in one pad) and one gather of the windows straight into the
    zero-filled K rows; zero padding only writes zeros, so the values are those of padding step by step.
    """
    batch, _, _, channels = nhwc.shape
    extra = key.in_channels_padded - channels
    top, bottom, left, right = padding
    if replicate:
        nhwc = torch.nn.functional.pad(nhwc, (0, extra)) if extra else nhwc
        padded = torch.nn.functional.pad(nhwc.permute(0, 3, 1, 2), (left, right, top, bottom), mode="replicate")
        nhwc = padded.permute(0, 2, 3, 1).contiguous()
    elif extra or any(padding):
        nhwc = torch.nn.functional.pad(nhwc, (0, extra, left, right, top, bottom))
    else:
        nhwc = nhwc.contiguous()
    kh, kw = key.kernel
    height, width = nhwc.shape[1], nhwc.shape[2]
    out_h = (height - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    out_w = (width - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    s_n, s_h, s_w, s_c = nhwc.stride()
    windows = nhwc.as_strided(
        (batch, out_h, out_w, kh, kw, key.in_channels_padded),
        (s_n, s_h * stride[0], s_w * stride[1], s_h * dilation[0], s_w * dilation[1], s_c),
    )
    rows, width_used = batch * out_h * out_w, kw * key.in_channels_padded
    row_width = round_up(width_used, TILE)
    if row_width == width_used:
        return windows.reshape(rows, kh * row_width)  # a view when the windows tile the input (1x1, stride 1)
    columns = nhwc.new_zeros((rows, kh, row_width))
    columns[..., :width_used].view(windows.shape).copy_(windows)
    return columns.reshape(rows, kh * row_width)


def prepared_weight(op: str, weight: Tensor, key: WeightKey, device) -> Tensor:
    """The device weight a conv multiplies by: prepared here from host OIHW, or checked if prepared already."""
    if weight.device() is not None:
        prepared = getattr(weight, "_conv_weight_key", None)
        if prepared is None:
            raise TTNNError(
                f"{op}: weight_tensor is on device but was not made by ttnn.prepare_conv_weights; pass the "
                "torch-layout weight on host (ttnn.from_torch(conv.weight, dtype=ttnn.bfloat16)) or prepare it first"
            )
        if prepared != key:
            raise TTNNError(f"{op}: weight_tensor was prepared for {prepared} but this conv needs {key}; re-prepare it")
        return weight
    expected = (key.out_channels, key.in_channels // key.groups, *key.kernel)
    if tuple(weight.shape) != expected:
        raise ShapeError(
            f"{op}: weight_tensor is {list(weight.shape)} but in_channels={key.in_channels}, "
            f"out_channels={key.out_channels}, groups={key.groups}, kernel_size={list(key.kernel)} need "
            f"{list(expected)} (torch's [out_channels, in_channels / groups, kernel_h, kernel_w])"
        )
    if weight.layout is not Layout.ROW_MAJOR or not DTYPE_INFO[weight.dtype].is_float:
        raise TTNNError(
            f"{op}: a host weight_tensor must be ROW_MAJOR float32 or bfloat16 (torch layout), got {weight._describe()}"
        )
    cached = getattr(weight, "_conv_prepared", None)  # a host weight passed on every call is prepared once
    if cached is not None and cached[0] == key and cached[1].device() is device and cached[1].is_allocated():
        return cached[1]
    matrix = weight_matrix(weight._logical(), key).reshape(1, 1, -1, key.out_channels)
    prepared = Tensor._from_logical(matrix, key.dtype, Layout.TILE, device)
    prepared._conv_weight_key = key
    weight._conv_prepared = (key, prepared)
    return prepared


def prepared_bias(op: str, bias: Tensor | None, key: WeightKey, device) -> Tensor | None:
    """The device bias row [1, 1, 1, OC] in the weights' dtype (padded to a tile, as prepare_conv_bias does)."""
    if bias is None:
        return None
    if bias.device() is not None:
        if getattr(bias, "_conv_bias_key", None) != key:
            raise TTNNError(
                f"{op}: bias_tensor is on device but was not prepared for this conv by ttnn.prepare_conv_bias; pass "
                "the bias on host as a [1, 1, 1, out_channels] tensor"
            )
        return bias
    if tuple(bias.shape) != (1, 1, 1, key.out_channels):
        raise ShapeError(
            f"{op}: bias_tensor is {list(bias.shape)} but must be [1, 1, 1, {key.out_channels}] on host "
            "(ttnn.from_torch(conv.bias.reshape(1, 1, 1, -1), dtype=ttnn.bfloat16))"
        )
    prepared = Tensor._from_logical(bias._logical().to(torch.float32), key.dtype, Layout.TILE, device)
    prepared._conv_bias_key = key
    return prepared
