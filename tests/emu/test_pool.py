"""Pooling, upsample, fold, batch_norm and group_norm against torch (NHWC activations, as the device holds them)."""

from __future__ import annotations

import pytest
import torch
import ttnn

from tests.closeness import assert_close
from ttport.emu import errors


def stored(values, dtype=ttnn.bfloat16):
    return ttnn.to_torch(ttnn.from_torch(values, dtype=dtype)).to(torch.float32)


def flat_nhwc(x, device, layout=ttnn.ROW_MAJOR_LAYOUT):
    batch, channels = x.shape[:2]
    values = x.permute(0, 2, 3, 1).reshape(1, 1, -1, channels)
    return ttnn.from_torch(values, dtype=ttnn.bfloat16, layout=layout, device=device)


def as_nchw(tensor, batch, height, width):
    return ttnn.to_torch(tensor).to(torch.float32).reshape(batch, height, width, -1).permute(0, 3, 1, 2)


@pytest.mark.parametrize(
    "shape, kernel, stride, padding, dilation, ceil_mode",
    [
        ((1, 64, 112, 112), 3, 2, 1, 1, False),  # ResNet's stem pool
        ((2, 16, 15, 17), 2, 2, 0, 1, False),
        ((1, 32, 13, 13), 3, 1, 1, 2, False),
        ((1, 8, 9, 9), 2, 2, 0, 1, True),
    ],
)
def test_max_pool2d_matches_torch(device, shape, kernel, stride, padding, dilation, ceil_mode):
    x = torch.randn(shape)
    out = ttnn.max_pool2d(
        flat_nhwc(x, device), shape[0], shape[2], shape[3], shape[1], [kernel, kernel], [stride, stride],
        [padding, padding], [dilation, dilation], ceil_mode,
    )  # fmt: skip
    expected = torch.nn.functional.max_pool2d(stored(x), kernel, stride, padding, dilation, ceil_mode=ceil_mode)
    assert out.layout == ttnn.ROW_MAJOR_LAYOUT and out.dtype == ttnn.bfloat16
    assert tuple(out.shape) == (1, 1, expected.numel() // shape[1], shape[1])
    assert torch.equal(as_nchw(out, shape[0], *expected.shape[2:]), expected)  # a max is exact


@pytest.mark.parametrize("count_include_pad, divisor_override", [(True, None), (False, None), (True, 5)])
def test_avg_pool2d_matches_torch(device, count_include_pad, divisor_override):
    x = torch.randn(2, 24, 14, 14)
    out = ttnn.avg_pool2d(
        flat_nhwc(x, device), 2, 14, 14, 24, [3, 3], [2, 2], [1, 1], False, count_include_pad, divisor_override
    )
    expected = torch.nn.functional.avg_pool2d(
        stored(x), 3, 2, 1, count_include_pad=count_include_pad, divisor_override=divisor_override
    )
    assert_close(expected, as_nchw(out, 2, 7, 7))


def test_global_avg_pool2d_is_n11c_tile(device):
    x = torch.randn(2, 2048, 7, 7)
    tx = ttnn.from_torch(x.permute(0, 2, 3, 1), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.global_avg_pool2d(tx)
    assert tuple(out.shape) == (2, 1, 1, 2048) and out.layout == ttnn.TILE_LAYOUT
    assert_close(stored(x).mean(dim=(2, 3)), ttnn.to_torch(out).reshape(2, 2048))


@pytest.mark.parametrize("output_size", [(1, 1), (2, 3), (3, 3)])
def test_adaptive_avg_pool2d_matches_torch(device, output_size):
    x = torch.randn(1, 32, 7, 9)
    out = ttnn.adaptive_avg_pool2d(flat_nhwc(x, device), 1, 7, 9, 32, list(output_size))
    expected = torch.nn.functional.adaptive_avg_pool2d(stored(x), output_size)
    assert_close(expected, as_nchw(out, 1, *output_size))


def test_pools_refuse_host_input_and_bad_shapes(device):
    x = torch.randn(1, 8, 6, 6).permute(0, 2, 3, 1)
    with pytest.raises(errors.StorageError, match="on host"):
        ttnn.max_pool2d(ttnn.from_torch(x, dtype=ttnn.bfloat16), 1, 6, 6, 8, [2, 2], [2, 2], [0, 0], [1, 1])
    with pytest.raises(errors.ShapeError, match="input_h=5"):
        ttnn.max_pool2d(
            ttnn.from_torch(x, dtype=ttnn.bfloat16, device=device), 1, 5, 6, 8, [2, 2], [2, 2], [0, 0], [1, 1]
        )


@pytest.mark.parametrize("scale", [2, [2, 3]])
def test_upsample_nearest_is_exact(device, scale):
    x = torch.randn(2, 5, 7, 16)
    out = ttnn.upsample(ttnn.from_torch(x, dtype=ttnn.bfloat16, device=device), scale)
    scales = (scale, scale) if isinstance(scale, int) else scale
    expected = torch.nn.functional.interpolate(stored(x).permute(0, 3, 1, 2), scale_factor=scales, mode="nearest")
    assert torch.equal(ttnn.to_torch(out).to(torch.float32), expected.permute(0, 2, 3, 1))


def test_upsample_bilinear_matches_torch(device):
    x = torch.randn(1, 6, 8, 32)
    out = ttnn.upsample(ttnn.from_torch(x, dtype=ttnn.bfloat16, device=device), 2, mode="bilinear")
    expected = torch.nn.functional.interpolate(stored(x).permute(0, 3, 1, 2), scale_factor=2, mode="bilinear")
    assert_close(expected.permute(0, 2, 3, 1), ttnn.to_torch(out))
    with pytest.raises(errors.TTNNError, match="integer scale"):
        ttnn.upsample(ttnn.from_torch(x, dtype=ttnn.bfloat16, device=device), 1.5, mode="bilinear")


def test_fold_is_space_to_depth(device):
    x = torch.randn(2, 8, 12, 3)
    out = ttnn.fold(ttnn.from_torch(x, dtype=ttnn.bfloat16, device=device), 2, 4)
    values = stored(x)
    expected = values.reshape(2, 4, 2, 3, 4, 3).permute(0, 1, 3, 2, 4, 5).reshape(2, 4, 3, 24)
    assert torch.equal(ttnn.to_torch(out).to(torch.float32), expected)
    # out[n, h, w, (i * stride_w + j) * C + c] = in[n, h * stride_h + i, w * stride_w + j, c]
    assert (
        ttnn.to_torch(out)[1, 2, 1, (1 * 4 + 3) * 3 + 2]
        == ttnn.to_torch(ttnn.from_torch(x, dtype=ttnn.bfloat16))[1, 5, 7, 2]
    )


def channel_param(values, device):
    return ttnn.from_torch(values.reshape(1, -1, 1, 1), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)


def test_batch_norm_matches_torch(device):
    x = torch.randn(2, 24, 9, 11)
    mean, var, weight, bias = torch.randn(24), torch.rand(24) + 0.5, torch.randn(24), torch.randn(24)
    tx = ttnn.from_torch(x, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.batch_norm(
        tx, running_mean=channel_param(mean, device), running_var=channel_param(var, device),
        weight=channel_param(weight, device), bias=channel_param(bias, device), eps=1e-5,
    )  # fmt: skip
    expected = torch.nn.functional.batch_norm(stored(x), stored(mean), stored(var), stored(weight), stored(bias))
    assert_close(expected, ttnn.to_torch(out), pcc=0.9999)
    with pytest.raises(errors.UnsupportedError, match="training"):
        ttnn.batch_norm(
            tx, running_mean=channel_param(mean, device), running_var=channel_param(var, device), training=True
        )
    with pytest.raises(errors.ShapeError, match=r"\[1, 24, 1, 1\]"):
        ttnn.batch_norm(tx, running_mean=channel_param(mean[:8], device), running_var=channel_param(var, device))


def test_group_norm_matches_torch(device):
    x = torch.randn(2, 64, 6, 5)
    weight, bias = torch.randn(64), torch.randn(64)
    values = x.permute(0, 2, 3, 1).reshape(2, 1, 30, 64)
    tx = ttnn.from_torch(values, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)

    def prepared(p):
        rows = ttnn.create_group_norm_weight_bias_rm(p, 64, 1)
        return ttnn.from_torch(rows, dtype=ttnn.bfloat16, layout=ttnn.ROW_MAJOR_LAYOUT, device=device)

    mask = ttnn.to_device(ttnn.create_group_norm_input_mask(64, 8, 1), device)
    out = ttnn.group_norm(tx, num_groups=8, epsilon=1e-5, input_mask=mask, weight=prepared(weight), bias=prepared(bias))
    expected = torch.nn.functional.group_norm(stored(x), 8, weight, bias, eps=1e-5)
    assert_close(expected.permute(0, 2, 3, 1).reshape(2, 1, 30, 64), ttnn.to_torch(out), pcc=0.9999)
