"""The faster conv path keeps every output bit: im2col and the bfloat16 rounding against the slower code they
replaced, kept here as references, and whole ttnn.conv2d calls run both ways."""

from __future__ import annotations

import pytest
import torch
import ttnn

from tests.emu.test_conv import conv_inputs, run_conv2d
from ttport.emu import formats
from ttport.emu.ops import conv, conv_weights
from ttport.emu.ops.conv_weights import TILE, WeightKey
from ttport.emu.types import DataType, round_up


def reference_im2col(nhwc, key, stride, padding, dilation, replicate):
    """The previous im2col: channel pad, border pad, window gather, row pad, each its own copy."""
    batch, _, _, channels = nhwc.shape
    nhwc = torch.nn.functional.pad(nhwc, (0, key.in_channels_padded - channels))
    top, bottom, left, right = padding
    if replicate:
        padded = torch.nn.functional.pad(nhwc.permute(0, 3, 1, 2), (left, right, top, bottom), mode="replicate")
        nhwc = padded.permute(0, 2, 3, 1)
    else:
        nhwc = torch.nn.functional.pad(nhwc, (0, 0, left, right, top, bottom))
    kh, kw = key.kernel
    out_h = (nhwc.shape[1] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    out_w = (nhwc.shape[2] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    nhwc = nhwc.contiguous()
    s_n, s_h, s_w, s_c = nhwc.stride()
    windows = nhwc.as_strided(
        (batch, out_h, out_w, kh, kw, key.in_channels_padded),
        (s_n, s_h * stride[0], s_w * stride[1], s_h * dilation[0], s_w * dilation[1], s_c),
    )
    rows = windows.reshape(batch * out_h * out_w, kh, kw * key.in_channels_padded)
    rows = torch.nn.functional.pad(rows, (0, round_up(kw * key.in_channels_padded, TILE) - rows.shape[-1]))
    return rows.reshape(batch * out_h * out_w, -1)


def reference_round_to_bfloat16(values):
    """The previous rounding: torch's cast, then every NaN found element-wise and made quiet on its bits."""
    values = values.to(torch.float32)
    rounded = values.to(torch.bfloat16)
    nan = torch.isnan(values)
    if nan.any():
        quiet = ((values[nan].view(torch.int32).to(torch.int64) >> 16) | 0x0040) & 0xFFFF
        rounded.view(torch.int16)[nan] = torch.where(quiet >= 2**15, quiet - 2**16, quiet).to(torch.int16)
    return rounded


IM2COL_CASES = [
    # batch, size, channels, padded channels, kernel, stride, padding (t, b, l, r), dilation, replicate
    (1, (9, 11), 3, 16, (7, 7), (2, 2), (3, 3, 3, 3), (1, 1), False),  # a stem: channels and rows padded
    (2, (8, 8), 32, 32, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), False),  # rows already whole tiles
    (1, (15, 13), 8, 8, (5, 3), (2, 1), (2, 1, 0, 2), (2, 3), False),  # dilated, uneven padding
    (1, (6, 6), 64, 64, (1, 1), (1, 1), (0, 0, 0, 0), (1, 1), False),  # pointwise: a view of the input
    (1, (7, 7), 16, 16, (1, 1), (2, 2), (0, 0, 0, 0), (1, 1), False),  # strided pointwise (a downsample)
    (1, (10, 9), 5, 8, (3, 3), (1, 2), (1, 1, 2, 2), (1, 1), True),  # replicate padding, padded channels
]


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float32])
@pytest.mark.parametrize("case", IM2COL_CASES)
def test_im2col_matches_the_reference(case, dtype):
    batch, size, channels, padded, kernel, stride, padding, dilation, replicate = case
    torch.manual_seed(0)
    nhwc = torch.randn(batch, *size, channels).to(dtype)
    nhwc[0, 0, 0, 0] = float("nan")  # values travel untouched, NaN included
    key = WeightKey(channels, 16, kernel, 1, padded, DataType.BFLOAT16)
    expected = reference_im2col(nhwc, key, stride, padding, dilation, replicate)
    actual = conv_weights.im2col(nhwc, key, stride, padding, dilation, replicate)
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    assert torch.equal(actual.view(torch.int16 if dtype is torch.bfloat16 else torch.int32), expected.view(
        torch.int16 if dtype is torch.bfloat16 else torch.int32
    ))  # fmt: skip


def special_values():
    torch.manual_seed(1)
    base = torch.randn(4096) * 1e3
    cases = {"finite": base.clone(), "empty": torch.empty(0), "huge": torch.full((64,), 3e38)}
    for name, specials in {
        "nan": [float("nan")],
        "inf": [float("inf")],
        "inf_and_minus_inf": [float("inf"), float("-inf")],
        "signed_nans": [float("nan"), -float("nan")],
    }.items():
        values = base.clone()
        values[torch.randperm(values.numel())[: len(specials)]] = torch.tensor(specials)
        cases[name] = values
    payload = base.clone()
    payload[7:9] = torch.tensor([0x7F800001, 0xFFA00000 - 2**32], dtype=torch.int64).to(torch.int32).view(torch.float32)
    cases["nan_payloads"] = payload
    return cases


@pytest.mark.parametrize("name", list(special_values()))
def test_round_to_bfloat16_matches_the_reference(name):
    values = special_values()[name]
    expected = reference_round_to_bfloat16(values).view(torch.int16)
    assert torch.equal(formats.round_to_bfloat16(values).view(torch.int16), expected)


CONV_CASES = [
    # channels, size, out_channels, kernel, stride, padding, dilation, groups, bias, extra conv2d arguments
    (3, (20, 20), 16, (7, 7), 2, 3, 1, 1, True, {}),  # a stem
    (32, (9, 9), 32, (3, 3), 1, 1, 1, 32, True, {}),  # depthwise
    (8, (15, 15), 16, (5, 5), 2, 2, 2, 2, False, {}),  # dilated, grouped
    (64, (6, 6), 32, (1, 1), 1, 0, 1, 1, True, {}),  # pointwise
    (16, (8, 8), 32, (3, 3), 1, 1, 1, 1, True, {"fp32": True}),  # fp32 destination, spills per kernel row
    (16, (8, 8), 16, (3, 3), 2, 1, 1, 1, True, {"relu": True}),  # fused activation
]


@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: f"{c[0]}k{c[3][0]}s{c[4]}d{c[6]}g{c[7]}{sorted(c[9])}")
def test_conv2d_output_bits_are_the_reference_paths(device, case, monkeypatch):
    channels, size, out_channels, kernel, stride, padding, dilation, groups, bias, extra = case
    x, w, b = conv_inputs(1, channels, size, out_channels, kernel, groups, bias, seed=3)
    kwargs = {}
    if extra.get("fp32"):
        kwargs["compute_config"] = ttnn.WormholeComputeKernelConfig(
            math_fidelity=ttnn.MathFidelity.HiFi4, fp32_dest_acc_en=True
        )
    if extra.get("relu"):
        kwargs["conv_config"] = ttnn.Conv2dConfig(activation=ttnn.UnaryWithParam(ttnn.UnaryOpType.RELU))
    geometry = dict(stride=stride, padding=padding, dilation=dilation, groups=groups, **kwargs)
    fast = run_conv2d(device, x, w, b, **geometry)
    monkeypatch.setattr(conv, "im2col", reference_im2col)
    monkeypatch.setattr(formats, "round_to_bfloat16", reference_round_to_bfloat16)
    slow = run_conv2d(device, x, w, b, **geometry)
    assert torch.equal(fast.view(torch.int32), slow.view(torch.int32))
