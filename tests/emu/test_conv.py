"""ttnn.conv2d / conv1d / conv_transpose2d and their weight preparation against torch, and the conv L1 model."""

from __future__ import annotations

import pytest
import torch
import ttnn

from tests.closeness import assert_close
from ttport import emu
from ttport.emu import conv_l1, errors


def stored(values, dtype=ttnn.bfloat16):
    return ttnn.to_torch(ttnn.from_torch(values, dtype=dtype)).to(torch.float32)


def conv_inputs(batch, channels, size, out_channels, kernel, groups, bias, seed=0):
    torch.manual_seed(seed)
    x = torch.randn(batch, channels, *size)
    w = torch.randn(out_channels, channels // groups, *kernel) / (channels // groups * kernel[0] * kernel[1]) ** 0.5
    b = torch.randn(out_channels) if bias else None
    return x, w, b


def run_conv2d(device, x, w, b, *, stride=1, padding=0, dilation=1, groups=1, flat=False, on_device=False, **kwargs):
    batch, channels, height, width = x.shape
    nhwc = x.permute(0, 2, 3, 1)
    if flat:
        nhwc = nhwc.reshape(1, 1, -1, channels)
    tx = ttnn.from_torch(nhwc, dtype=ttnn.bfloat16, device=device if on_device else None)
    tw = ttnn.from_torch(w, dtype=ttnn.bfloat16)
    tb = ttnn.from_torch(b.reshape(1, 1, 1, -1), dtype=ttnn.bfloat16) if b is not None else None
    out, (out_h, out_w) = ttnn.conv2d(
        input_tensor=tx, weight_tensor=tw, bias_tensor=tb, device=device, in_channels=channels,
        out_channels=w.shape[0], batch_size=batch, input_height=height, input_width=width,
        kernel_size=tuple(w.shape[2:]), stride=(stride, stride), padding=(padding, padding),
        dilation=(dilation, dilation), groups=groups, return_output_dim=True, **kwargs,
    )  # fmt: skip
    assert tuple(out.shape) == (1, 1, batch * out_h * out_w, w.shape[0])
    return ttnn.to_torch(out).to(torch.float32).reshape(batch, out_h, out_w, -1).permute(0, 3, 1, 2)


def golden(x, w, b, **kwargs):
    return torch.nn.functional.conv2d(stored(x), stored(w), stored(b) if b is not None else None, **kwargs)


def assert_within_conv_bound(x, w, b, actual, **kwargs):
    """|actual - conv| <= accumulation rounding * conv(|x|, |w|) + output rounding, and PCC >= 0.9999.

    The default conv destination is 16-bit (get_conv_default_compute_kernel_config: HiFi4, fp32 destination only
    for float32 operands): every 16-deep partial sum over K is rounded to bfloat16, so the error grows with K/16
    like test_ops.assert_within_matmul_bound's; HiFi4 products are exact.
    """
    expected = golden(x, w, b, **kwargs)
    magnitude = torch.nn.functional.conv2d(stored(x).abs(), stored(w).abs(), None, **kwargs)
    kernel_h, kernel_w = w.shape[2:]
    steps = kernel_h * -(-kernel_w * w.shape[1] // 32) * 32 / 16
    bound = 2**-8 * steps * magnitude + 2**-8 * expected.abs() + 1e-6
    excess = (actual - expected).abs() - bound
    assert excess.max() <= 0, f"error exceeds the 16-bit destination bound by {float(excess.max()):.3g}"
    assert_close(expected, actual, pcc=0.9999, scale=float(magnitude.max()) * steps)


CASES = [
    # batch, channels, size, out_channels, kernel, stride, padding, dilation, groups, bias
    (1, 3, (32, 32), 16, (3, 3), 1, 1, 1, 1, True),  # an image stem
    (2, 16, (17, 19), 32, (3, 3), 2, 1, 1, 1, False),  # ragged, strided, batched
    (1, 32, (14, 14), 32, (3, 3), 1, 1, 1, 32, True),  # depthwise
    (1, 64, (8, 8), 128, (1, 1), 1, 0, 1, 1, True),  # pointwise (runs as a matmul)
    (1, 8, (15, 15), 16, (5, 5), 2, 2, 2, 2, True),  # dilated, grouped
    (1, 3, (32, 32), 24, (4, 4), 4, 0, 1, 1, True),  # a patch embedding (kernel == stride)
    (1, 256, (7, 7), 64, (3, 3), 1, 1, 1, 1, False),  # deep input: K = 2304
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[1]}x{c[2][0]}k{c[4][0]}s{c[5]}p{c[6]}d{c[7]}g{c[8]}")
@pytest.mark.parametrize("form", ["nhwc_host", "flat_device"])
def test_conv2d_matches_torch(device, case, form):
    batch, channels, size, out_channels, kernel, stride, padding, dilation, groups, bias = case
    x, w, b = conv_inputs(batch, channels, size, out_channels, kernel, groups, bias)
    out = run_conv2d(
        device, x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups,
        flat=form == "flat_device", on_device=form == "flat_device",
    )  # fmt: skip
    assert_within_conv_bound(x, w, b, out, stride=stride, padding=padding, dilation=dilation, groups=groups)


def test_conv2d_ideal_numerics_is_exact(device):
    x, w, b = conv_inputs(1, 16, (12, 12), 32, (3, 3), 1, True)
    with emu.numerics("ideal"):
        out = run_conv2d(device, x, w, b, padding=1)
    assert_close(torch.nn.functional.conv2d(x, w, b, padding=1), out, ttnn.float32)


def test_conv2d_float32_uses_an_fp32_destination(device):
    x, w, b = conv_inputs(1, 32, (9, 9), 16, (3, 3), 1, True)
    tx = ttnn.from_torch(x.permute(0, 2, 3, 1), dtype=ttnn.float32)
    out = ttnn.conv2d(
        input_tensor=tx, weight_tensor=ttnn.from_torch(w, dtype=ttnn.float32), device=device, in_channels=32,
        out_channels=16, batch_size=1, input_height=9, input_width=9, kernel_size=(3, 3), padding=(1, 1),
        bias_tensor=ttnn.from_torch(b.reshape(1, 1, 1, -1), dtype=ttnn.float32),
    )  # fmt: skip
    assert out.dtype == ttnn.float32
    result = ttnn.to_torch(out).reshape(1, 9, 9, 16).permute(0, 3, 1, 2)
    assert_close(torch.nn.functional.conv2d(x, w, b, padding=1), result, ttnn.float32)


def test_conv2d_bfloat8_b_weights_and_fused_relu(device):
    x, w, b = conv_inputs(1, 32, (10, 10), 64, (3, 3), 1, True)
    config = ttnn.Conv2dConfig(weights_dtype=ttnn.bfloat8_b, activation=ttnn.UnaryWithParam(ttnn.UnaryOpType.RELU))
    out = run_conv2d(device, x, w, b, padding=1, conv_config=config)
    expected = torch.relu(golden(x, w, b, padding=1))
    assert (out >= 0).all()
    assert_close(expected, out, ttnn.bfloat8_b)


def test_fidelity_and_destination_change_the_result(device):
    """LoFi keeps fewer product bits than the default HiFi4; both stay close to torch, LoFi measurably further."""
    x, w, b = conv_inputs(1, 64, (8, 8), 32, (3, 3), 1, False)
    expected = golden(x, w, b, padding=1)
    errors = {}
    for fidelity in (ttnn.MathFidelity.LoFi, ttnn.MathFidelity.HiFi4):
        compute = ttnn.WormholeComputeKernelConfig(math_fidelity=fidelity, fp32_dest_acc_en=True)
        out = run_conv2d(device, x, w, b, padding=1, compute_config=compute)
        errors[fidelity] = (out - expected).abs().max().item()
    assert errors[ttnn.MathFidelity.LoFi] > 2 * errors[ttnn.MathFidelity.HiFi4]


def test_conv1d_matches_torch(device):
    torch.manual_seed(3)
    x, w, b = torch.randn(2, 80, 30), torch.randn(64, 80, 3) / 15, torch.randn(64)
    tx = ttnn.from_torch(x.permute(0, 2, 1).reshape(2, 1, 30, 80), dtype=ttnn.bfloat16)
    out, length = ttnn.conv1d(
        input_tensor=tx, weight_tensor=ttnn.from_torch(w.unsqueeze(2), dtype=ttnn.bfloat16), device=device,
        in_channels=80, out_channels=64, batch_size=2, input_length=30, kernel_size=3, stride=2, padding=1,
        bias_tensor=ttnn.from_torch(b.reshape(1, 1, 1, -1), dtype=ttnn.bfloat16), return_output_dim=True,
    )  # fmt: skip
    assert length == 15
    result = ttnn.to_torch(out).to(torch.float32).reshape(2, 15, 64).permute(0, 2, 1)
    assert_close(torch.nn.functional.conv1d(stored(x), stored(w), stored(b), stride=2, padding=1), result)


@pytest.mark.parametrize("stride, padding, output_padding, groups", [(2, 1, 1, 1), (2, 0, 0, 2), (1, 1, 0, 1)])
def test_conv_transpose2d_matches_torch(device, stride, padding, output_padding, groups):
    torch.manual_seed(4)
    x, w, b = torch.randn(1, 16, 7, 9), torch.randn(16, 8 // groups, 3, 3) / 6, torch.randn(8)
    out, (out_h, out_w) = ttnn.conv_transpose2d(
        input_tensor=ttnn.from_torch(x.permute(0, 2, 3, 1), dtype=ttnn.bfloat16),
        weight_tensor=ttnn.from_torch(w, dtype=ttnn.bfloat16), device=device, in_channels=16, out_channels=8,
        batch_size=1, input_height=7, input_width=9, kernel_size=(3, 3), stride=(stride, stride),
        padding=(padding, padding), output_padding=(output_padding, output_padding), groups=groups,
        bias_tensor=ttnn.from_torch(b.reshape(1, 1, 1, -1), dtype=ttnn.bfloat16), return_output_dim=True,
    )  # fmt: skip
    expected = torch.nn.functional.conv_transpose2d(
        stored(x), stored(w), stored(b), stride=stride, padding=padding, output_padding=output_padding, groups=groups
    )
    assert (out_h, out_w) == tuple(expected.shape[2:])
    assert_close(expected, ttnn.to_torch(out).to(torch.float32).reshape(1, out_h, out_w, 8).permute(0, 3, 1, 2))


def test_prepared_weights_are_reused_and_match(device):
    x, w, b = conv_inputs(1, 16, (12, 12), 32, (3, 3), 1, True)
    tx = ttnn.from_torch(x.permute(0, 2, 3, 1), dtype=ttnn.bfloat16, device=device)
    geometry = dict(
        in_channels=16, out_channels=32, batch_size=1, input_height=12, input_width=12, kernel_size=(3, 3),
        stride=(1, 1), padding=(1, 1), dilation=(1, 1), groups=1, device=device,
    )  # fmt: skip
    out, [weight, bias] = ttnn.conv2d(
        input_tensor=tx, weight_tensor=ttnn.from_torch(w, dtype=ttnn.bfloat16),
        bias_tensor=ttnn.from_torch(b.reshape(1, 1, 1, -1), dtype=ttnn.bfloat16), return_weights_and_bias=True,
        **geometry,
    )  # fmt: skip
    assert weight.storage_type() == ttnn.StorageType.DEVICE and bias.storage_type() == ttnn.StorageType.DEVICE
    again = ttnn.conv2d(input_tensor=tx, weight_tensor=weight, bias_tensor=bias, **geometry)
    assert torch.equal(ttnn.to_torch(out), ttnn.to_torch(again))
    prepared = ttnn.prepare_conv_weights(
        weight_tensor=ttnn.from_torch(w, dtype=ttnn.bfloat16), input_memory_config=tx.memory_config(),
        input_layout=tx.layout, weights_format="OIHW", has_bias=True, input_dtype=ttnn.bfloat16, **geometry,
    )  # fmt: skip
    assert torch.equal(ttnn.to_torch(prepared), ttnn.to_torch(weight))
    other = dict(geometry, groups=2)
    with pytest.raises(errors.TTNNError, match="prepared for"):
        ttnn.conv2d(input_tensor=tx, weight_tensor=weight, **other)


def test_conv2d_config_is_real_ttnns():
    config = ttnn.Conv2dConfig(act_block_h_override=64, activation=ttnn.UnaryWithParam(ttnn.UnaryOpType.RELU))
    # repr(ttnn.Conv2dConfig(...)) of real ttnn 0.81.1 for the same arguments (tools/ttnn_oracle)
    assert repr(config) == (
        "Conv2dConfig(weights_dtype=std::nullopt,activation=UnaryWithParam(op_type=UnaryOpType::RELU),"
        "deallocate_activation=0,reallocate_halo_output=1,config_tensors_in_dram=0,act_block_h_override=64,"
        "act_block_w_div=1,reshard_if_not_optimal=0,override_sharding_config=0,shard_layout=std::nullopt,"
        "core_grid=std::nullopt,transpose_shards=0,output_layout=Layout::TILE,enable_act_double_buffer=0,"
        "enable_weights_double_buffer=0,full_inner_dim=0,enable_kernel_stride_folding=std::nullopt,"
        "enable_activation_reuse=0,force_split_reader=std::nullopt,override_output_sharding_config=0,"
        "padding_mode=PaddingMode::Zeros)"
    )
    assert ttnn.Conv1dConfig is ttnn.Conv2dConfig
    with pytest.raises(TypeError, match="UnaryWithParam"):
        ttnn.Conv2dConfig(activation="relu")


@pytest.mark.parametrize(
    "change, error, match",
    [
        ({"conv_config": "enable_activation_reuse"}, errors.UnsupportedError, "enable_activation_reuse"),
        ({"conv_config": "override_output_sharding_config"}, errors.UnsupportedError, "override_output_sharding"),
        ({"act_block_h_override": 50}, errors.TTNNError, "multiple of 32"),
        ({"in_channels": 8}, errors.ShapeError, "in_channels=8"),
        ({"input_height": 9}, errors.ShapeError, "input_height=9"),
        ({"kernel_size": (5, 5)}, errors.ShapeError, "weight_tensor is"),
    ],
)
def test_conv2d_refusals(device, change, error, match):
    x, w, b = conv_inputs(1, 16, (8, 8), 16, (3, 3), 1, False)
    arguments = dict(
        input_tensor=ttnn.from_torch(x.permute(0, 2, 3, 1), dtype=ttnn.bfloat16),
        weight_tensor=ttnn.from_torch(w, dtype=ttnn.bfloat16), device=device, in_channels=16, out_channels=16,
        batch_size=1, input_height=8, input_width=8, kernel_size=(3, 3), padding=(1, 1),
    )  # fmt: skip
    if "conv_config" in change:
        arguments["conv_config"] = ttnn.Conv2dConfig(**{change["conv_config"]: True})
    elif "act_block_h_override" in change:
        arguments["conv_config"] = ttnn.Conv2dConfig(act_block_h_override=change["act_block_h_override"])
    else:
        arguments.update(change)
    with pytest.raises(error, match=match):
        ttnn.conv2d(**arguments)


def test_plan_of_a_resnet_3x3_conv_follows_get_cb_info():
    """56x56x64 -> 64, 3x3, height sharded: 98 output tiles over 49 cores (2 each), act block 2 x 6 tiles."""
    shape = conv_l1.ConvShape(1, 64, 64, (56, 56), (56, 56), (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1, True)
    config = ttnn.Conv2dConfig(shard_layout=ttnn.TensorMemoryLayout.HEIGHT_SHARDED)
    plan = conv_l1.plan(shape, config, (ttnn.bfloat16, ttnn.bfloat16, ttnn.bfloat16), False, False)
    assert (plan.cores_nhw, plan.per_core_out_h, plan.per_core_out_w) == (49, 2, 2)
    assert (plan.act_block_h, plan.act_block_w) == (2, 6)
    tile = 2048
    assert plan.cb_bytes == {
        "weights": 2 * 6 * tile,
        "matmul_partials": 0,  # shares the output buffer
        "act": 2 * 6 * tile,
        "act_tilized": 2 * 6 * tile,
        "bias": 2 * tile,
        "act_row_major": 0,
        "l1_scratch": 64,
    }
    assert plan.output_bytes == 4 * tile


def test_circular_buffers_clash_with_l1_buffers(device):
    """A conv whose CBs reach into resident L1 buffers fails as tt-metal does; freeing L1 lets it run."""
    x, w, b = conv_inputs(1, 64, (56, 56), 64, (3, 3), 1, True)
    bank = conv_l1.l1_bank(device)
    # Leave 100 KiB per core: room for the halo (37 KiB), output (8 KiB) and reader indices, not for 76 KiB of CBs.
    fill = (bank.size - 100 * 1024) // 2048 * 2048
    blocker = ttnn.from_torch(
        torch.zeros(fill * 64 // 2048, 1024), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device,
        memory_config=ttnn.L1_MEMORY_CONFIG,
    )  # fmt: skip
    config = ttnn.Conv2dConfig(shard_layout=ttnn.TensorMemoryLayout.HEIGHT_SHARDED)
    with pytest.raises(errors.OutOfMemoryError, match="clash with L1 buffers"):
        run_conv2d(device, x, w, b, padding=1, on_device=True, conv_config=config)
    ttnn.deallocate(blocker)
    out = run_conv2d(device, x, w, b, padding=1, on_device=True, conv_config=config)
    assert_within_conv_bound(x, w, b, out, padding=1)
    assert conv_l1.l1_peak(device) > 0


def test_deallocate_activation_frees_the_input(device):
    x, w, b = conv_inputs(1, 16, (8, 8), 16, (3, 3), 1, False)
    tx = ttnn.from_torch(x.permute(0, 2, 3, 1), dtype=ttnn.bfloat16, device=device, memory_config=ttnn.L1_MEMORY_CONFIG)
    ttnn.conv2d(
        input_tensor=tx, weight_tensor=ttnn.from_torch(w, dtype=ttnn.bfloat16), device=device, in_channels=16,
        out_channels=16, batch_size=1, input_height=8, input_width=8, kernel_size=(3, 3), padding=(1, 1),
        conv_config=ttnn.Conv2dConfig(deallocate_activation=True),
    )  # fmt: skip
    assert not tx.is_allocated()
    with pytest.raises(errors.DeallocatedError):
        ttnn.to_torch(tx)
