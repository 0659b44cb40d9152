"""Parameters real ttnn 0.81.1 has beyond the basics: each is modelled, accepted as placement-only, or refused."""

from __future__ import annotations

import pytest
import torch
import ttnn

from tests.closeness import assert_close
from tests.emu.test_ops import device_tensor, stored
from ttport.emu import errors


@pytest.fixture
def pair(device):
    torch.manual_seed(11)
    a, b = torch.randn(2, 40, 64), torch.randn(2, 40, 64) + 3.0
    return a, b, device_tensor(a, device), device_tensor(b, device)


@pytest.mark.parametrize("rounding_mode, golden", [(None, None), ("floor", "floor"), ("trunc", "trunc")])
def test_divide_rounding_modes(pair, rounding_mode, golden):
    a, b, ta, tb = pair
    expected = torch.div(stored(a) * 4, stored(b), rounding_mode=golden)
    result = ttnn.divide(ttnn.multiply(ta, 4.0), tb, rounding_mode=rounding_mode)
    assert_close(expected, ttnn.to_torch(result))


def test_divide_refuses_unknown_rounding_and_the_unmodelled_fast_mode(pair):
    _, _, ta, tb = pair
    with pytest.raises(errors.TTNNError, match="rounding_mode must be None, 'floor' or 'trunc'"):
        ttnn.divide(ta, tb, rounding_mode="round")
    with pytest.raises(errors.UnsupportedError, match="fast_and_approximate_mode=True is not modelled"):
        ttnn.divide(ta, tb, fast_and_approximate_mode=True)


def test_binary_fused_activations_apply_to_inputs_and_output(pair):
    a, b, ta, tb = pair
    result = ttnn.add(ta, tb, input_tensor_a_activations=["relu"], activations=["silu"])
    expected = torch.nn.functional.silu(torch.relu(stored(a)) + stored(b))
    assert_close(expected, ttnn.to_torch(result))


def test_placement_only_parameters_are_accepted(pair, device):
    a, b, ta, tb = pair
    grid = ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(3, 3))})
    plain = ttnn.to_torch(ttnn.add(ta, tb))
    assert torch.equal(plain, ttnn.to_torch(ttnn.add(ta, tb, sub_core_grids=grid)))
    assert torch.equal(ttnn.to_torch(ttnn.relu(ta)), ttnn.to_torch(ttnn.relu(ta, sub_core_grids=grid)))


@pytest.mark.parametrize(
    "call, parameter",
    [
        (lambda t: ttnn.exp(t, fast_and_approximate_mode=True), "fast_and_approximate_mode"),
        (lambda t: ttnn.tanh(t, fast_and_approximate_mode=True), "fast_and_approximate_mode"),
        (lambda t: ttnn.sigmoid(t, mode=ttnn.SigmoidMode.Approximate), "mode"),
        (lambda t: ttnn.layer_norm(t, recip_tensor=t), "recip_tensor"),
        (lambda t: ttnn.matmul(t, ttnn.transpose(t, -2, -1), prefetcher_pipes=[object()]), "prefetcher_pipes"),
        (lambda t: ttnn.slice(t, [0, 0, 0], [1, 8, 8], output_tensor=t), "output_tensor"),
    ],
)
def test_result_changing_parameters_are_refused_by_name(pair, call, parameter):
    _, _, ta, _ = pair
    with pytest.raises(errors.UnsupportedError, match=rf"{parameter}=.* is not modelled by the ttport emulator"):
        call(ta)


def test_gelu_is_erf_gelu_by_default_and_fused_gelu_too(pair, device):
    a, _, ta, _ = pair
    assert_close(torch.nn.functional.gelu(stored(a)), ttnn.to_torch(ttnn.gelu(ta)))
    w = torch.randn(64, 32) / 8
    config = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi4, fp32_dest_acc_en=True)
    fused = ttnn.linear(ta, device_tensor(w, device), activation="gelu", compute_kernel_config=config)
    assert_close(torch.nn.functional.gelu(stored(a) @ stored(w)), ttnn.to_torch(fused))
    # "gelu_approx" is the vector unit's piecewise-linear table (tests/emu/test_gelu_lut.py), not erf GELU.
    approx = ttnn.to_torch(
        ttnn.linear(ta, device_tensor(w, device), activation="gelu_approx", compute_kernel_config=config)
    )
    assert not torch.equal(approx, ttnn.to_torch(fused))


def test_unary_with_param_takes_ttnns_forms():
    relu = ttnn.UnaryWithParam(ttnn.UnaryOpType.RELU)
    assert relu.op_type is ttnn.UnaryOpType.RELU and relu.params == []
    assert ttnn.UnaryWithParam((ttnn.UnaryOpType.GELU, 1.0)).params == [1.0]
    with pytest.raises(TypeError):
        ttnn.UnaryWithParam("relu")


def test_matmul_output_defaults_to_dram_even_from_l1(device):
    a = ttnn.from_torch(
        torch.randn(64, 64),
        dtype=ttnn.bfloat16,
        layout=ttnn.TILE_LAYOUT,
        device=device,
        memory_config=ttnn.L1_MEMORY_CONFIG,
    )
    assert ttnn.matmul(a, a).memory_config() == ttnn.DRAM_MEMORY_CONFIG
    assert ttnn.matmul(a, a, memory_config=ttnn.L1_MEMORY_CONFIG).memory_config() == ttnn.L1_MEMORY_CONFIG
    assert ttnn.add(a, a).memory_config() == ttnn.L1_MEMORY_CONFIG  # element-wise ops stay with their input


def test_attention_softmax_in_place_needs_a_mask(device):
    scores = device_tensor(torch.randn(1, 2, 32, 32), device)
    with pytest.raises(errors.TTNNError, match="attention_mask is required"):
        ttnn.transformer.attention_softmax_(scores, head_size=32)
    assert ttnn.transformer.attention_softmax(scores, head_size=32) is not scores


def test_softmax_program_config_default_and_refusal(device):
    scores = device_tensor(torch.randn(1, 2, 32, 32), device)
    mask = device_tensor(torch.zeros(1, 1, 1, 32), device)
    ttnn.transformer.attention_softmax(scores, attention_mask=mask, program_config=ttnn.SoftmaxDefaultProgramConfig())
    with pytest.raises(errors.TTNNError, match="program_config must be ttnn.SoftmaxDefaultProgramConfig or"):
        ttnn.transformer.attention_softmax(scores, attention_mask=mask, program_config=object())
    sharded = ttnn.SoftmaxShardedMultiCoreProgramConfig(
        compute_with_storage_grid_size=(1, 1), subblock_w=1, block_h=1, block_w=1
    )
    with pytest.raises(errors.TTNNError, match="the input must be sharded"):
        ttnn.transformer.attention_softmax(scores, attention_mask=mask, program_config=sharded)


def test_embedding_output_layout_follows_the_table_unless_given(device):
    ids = ttnn.from_torch(torch.tensor([[1, 2, 3]]), dtype=ttnn.uint32, device=device)
    table = ttnn.from_torch(torch.randn(8, 32), dtype=ttnn.bfloat16, device=device)
    assert ttnn.embedding(ids, table).layout == ttnn.ROW_MAJOR_LAYOUT
    assert ttnn.embedding(ids, table, layout=ttnn.TILE_LAYOUT).layout == ttnn.TILE_LAYOUT
    with pytest.raises(errors.UnsupportedError, match="embeddings_type"):
        ttnn.embedding(ids, table, embeddings_type=ttnn.EmbeddingsType.BINARY)


def test_reduction_output_layout(device):
    x = device_tensor(torch.randn(2, 40, 64), device)
    assert ttnn.sum(x, dim=-1, keepdim=True, output_layout=ttnn.ROW_MAJOR_LAYOUT).layout == ttnn.ROW_MAJOR_LAYOUT
    assert ttnn.mean(x, dim=-1, keepdim=True).layout == ttnn.TILE_LAYOUT


def test_reduction_fast_mode_is_refused_only_for_float32(device):
    x = device_tensor(torch.randn(2, 32, 64), device)
    ttnn.sum(x, dim=-1, fast_and_approximate_mode=True)  # no effect for bfloat16 inputs, as ttnn's docstring says
    x32 = device_tensor(torch.randn(2, 32, 64), device, dtype=ttnn.float32)
    with pytest.raises(errors.UnsupportedError, match="fast_and_approximate_mode"):
        ttnn.sum(x32, dim=-1, fast_and_approximate_mode=True)


def test_open_device_returns_the_open_device(device):
    assert ttnn.open_device(device_id=0) is device


def test_arange_serves_both_overloads(device):
    assert ttnn.to_torch(ttnn.arange(5)).tolist() == [0, 1, 2, 3, 4]
    assert ttnn.to_torch(ttnn.arange(2, 10, 3)).tolist() == [2, 5, 8]
    assert ttnn.arange(4).dtype == ttnn.bfloat16 and ttnn.arange(4).layout == ttnn.ROW_MAJOR_LAYOUT
    with pytest.raises(errors.TTNNError, match="must be non-zero and point from start"):
        ttnn.arange(5, 1, 1)


def test_creation_ops_refuse_an_optional_output_tensor(device):
    target = ttnn.zeros((4, 4))
    with pytest.raises(errors.UnsupportedError, match="optional_tensor"):
        ttnn.full((4, 4), 1.0, optional_tensor=target)


def test_sdpa_runs_its_matmuls_at_hifi2(device):
    torch.manual_seed(2)
    q, k, v = (torch.randn(1, 2, 64, 64) for _ in range(3))
    tq, tk, tv = (device_tensor(t, device) for t in (q, k, v))
    default = ttnn.to_torch(ttnn.transformer.scaled_dot_product_attention(tq, tk, tv, is_causal=False))
    hifi4 = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi4, math_approx_mode=True)
    exact = ttnn.to_torch(
        ttnn.transformer.scaled_dot_product_attention(tq, tk, tv, is_causal=False, compute_kernel_config=hifi4)
    )
    hifi2 = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi2, math_approx_mode=True)
    explicit = ttnn.to_torch(
        ttnn.transformer.scaled_dot_product_attention(tq, tk, tv, is_causal=False, compute_kernel_config=hifi2)
    )
    assert torch.equal(default, explicit)
    assert not torch.equal(default, exact)
