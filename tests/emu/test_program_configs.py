"""Program configs: real 0.81.1 constructors and reprs, validation as the device does it, and their numeric effect."""

from __future__ import annotations

import pytest
import torch
import ttnn

from ttport.emu import errors
from ttport.validate import pcc

GRID = ttnn.CoreCoord(8, 8)


def _tile(values, device, dtype=ttnn.bfloat16, memory_config=None):
    return ttnn.from_torch(values, dtype=dtype, layout=ttnn.TILE_LAYOUT, device=device, memory_config=memory_config)


def _2d(**overrides):
    fields = dict(
        compute_with_storage_grid_size=GRID,
        in0_block_w=2,
        out_subblock_h=1,
        out_subblock_w=4,
        per_core_M=2,
        per_core_N=4,
        transpose_mcast=False,
    )
    return ttnn.MatmulMultiCoreReuseMultiCastProgramConfig(**{**fields, **overrides})


def test_reprs_are_ttnns():
    # The strings real ttnn 0.81.1 prints for these constructors (recorded from the wheel).
    assert repr(_2d(per_core_M=4, per_core_N=8)) == (
        "MatmulMultiCoreReuseMultiCastProgramConfig(compute_with_storage_grid_size=8-8,in0_block_w=2,out_subblock_h=1,"
        "out_subblock_w=4,out_block_h=4,out_block_w=8,per_core_M=4,per_core_N=8,transpose_mcast=0,"
        "fused_activation=std::nullopt,fuse_batch=1,allowed_worker_cores=std::nullopt)"
    )
    layer_norm = ttnn.LayerNormShardedMultiCoreProgramConfig(
        compute_with_storage_grid_size=(8, 8), subblock_w=4, block_h=2, block_w=4, inplace=True
    )
    assert repr(layer_norm) == (
        "LayerNormShardedMultiCoreProgramConfig(compute_with_storage_grid_size=8-8,subblock_w=4,block_h=2,block_w=4,"
        "inplace=1,legacy_reduction=0,use_welford=0)"
    )
    softmax = ttnn.SoftmaxShardedMultiCoreProgramConfig(
        compute_with_storage_grid_size=(8, 8), subblock_w=4, block_h=2, block_w=4
    )
    assert repr(softmax) == (
        "SoftmaxShardedMultiCoreProgramConfig(compute_with_storage_grid_size=8-8, subblock_w=4, block_h=2, block_w=4)"
    )
    sdpa = ttnn.SDPAProgramConfig(compute_with_storage_grid_size=(8, 8), q_chunk_size=32, k_chunk_size=32)
    assert repr(sdpa).endswith("matmul_math_fidelity=std::nullopt, segmented_accumulation=false)")
    with pytest.raises(TypeError):
        ttnn.MatmulMultiCoreReuseProgramConfig(GRID, 2, 1, 4, 2, 4)  # keyword-only, as in ttnn


def test_a_legal_2d_config_runs_and_matches_the_default(device):
    torch.manual_seed(0)
    a, b = torch.randn(1, 1, 256, 256), torch.randn(256, 512)  # Mt=8, Kt=8, Nt=16 on an 8x8 grid
    ta, tb = _tile(a, device), _tile(b, device)
    config = _2d(in0_block_w=2, per_core_M=1, per_core_N=2, out_subblock_w=2)
    compute = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi2, packer_l1_acc=True)
    blocked = ttnn.to_torch(ttnn.matmul(ta, tb, program_config=config, compute_kernel_config=compute))
    plain = ttnn.to_torch(ttnn.matmul(ta, tb, compute_kernel_config=compute))
    assert torch.equal(blocked, plain)  # bfloat16 output: partials stay 16-bit either way, bit for bit


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(in0_block_w=3), r"Kt \(8\) must be divisible by in0_block_w \(3\)"),
        (dict(out_subblock_h=2, out_subblock_w=8, per_core_M=2, per_core_N=8), "needs to be at most 8"),
        (dict(per_core_N=3), r"per_core_N \(3\) must be divisible by out_subblock_w \(4\)"),
        (dict(per_core_M=1, per_core_N=1, out_subblock_w=1), "Num output blocks along x 16 must be smaller"),
        (dict(compute_with_storage_grid_size=(9, 8)), r"must fit within device grid \(8, 8\)"),
        (dict(in0_block_w=0), "in0_block_w is 0, which is not valid"),
    ],
)
def test_illegal_2d_configs_are_refused_with_ttnns_messages(device, overrides, message):
    ta, tb = _tile(torch.randn(256, 256), device), _tile(torch.randn(256, 512), device)
    with pytest.raises(errors.TTNNError, match=message):
        ttnn.matmul(ta, tb, program_config=_2d(**overrides))


def test_fp32_destination_holds_four_tiles(device):
    ta, tb = _tile(torch.randn(64, 64), device), _tile(torch.randn(64, 256), device)
    config = ttnn.MatmulMultiCoreReuseMultiCast1DProgramConfig(
        compute_with_storage_grid_size=GRID,
        in0_block_w=1,
        out_subblock_h=1,
        out_subblock_w=8,
        per_core_M=2,
        per_core_N=8,
        fuse_batch=True,
        mcast_in0=True,
    )
    ttnn.matmul(ta, tb, program_config=config)  # 8 tiles fit a 16-bit destination
    fp32 = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi2, fp32_dest_acc_en=True)
    with pytest.raises(errors.TTNNError, match="out_subblock_w 8 times out_subblock_h 1 needs to be at most 4"):
        ttnn.matmul(ta, tb, program_config=config, compute_kernel_config=fp32)


def test_1d_block_count_must_fit_the_cores(device):
    ta, tb = _tile(torch.randn(32 * 16, 64), device), _tile(torch.randn(64, 32 * 8), device)
    config = ttnn.MatmulMultiCoreReuseMultiCast1DProgramConfig(
        compute_with_storage_grid_size=(2, 2),
        in0_block_w=1,
        out_subblock_h=1,
        out_subblock_w=1,
        per_core_M=2,
        per_core_N=2,
        fuse_batch=True,
        mcast_in0=False,
    )
    with pytest.raises(errors.TTNNError, match="Number of blocks exceeds number of cores: 32 blocks > 4 cores"):
        ttnn.matmul(ta, tb, program_config=config)


def test_bmm_reuse_config_covers_the_batch(device):
    torch.manual_seed(0)
    a, b = torch.randn(2, 4, 64, 64), torch.randn(2, 4, 64, 96)  # attention-like: B*H = 8 blocks of 2x3 tiles
    config = ttnn.MatmulMultiCoreReuseProgramConfig(
        compute_with_storage_grid_size=GRID,
        in0_block_w=2,
        out_subblock_h=1,
        out_subblock_w=3,
        per_core_M=2,
        per_core_N=3,
    )
    result = ttnn.to_torch(ttnn.matmul(_tile(a, device), _tile(b, device), program_config=config)).float()
    assert pcc(a @ b, result) > 0.999


def test_fused_activation_applies(device):
    torch.manual_seed(0)
    a, b = torch.randn(64, 64), torch.randn(64, 128)
    relu = ttnn.UnaryWithParam(ttnn.UnaryOpType.RELU)
    config = _2d(in0_block_w=1, per_core_M=1, per_core_N=1, out_subblock_w=1, fused_activation=relu)
    result = ttnn.to_torch(ttnn.linear(_tile(a, device), _tile(b, device), program_config=config)).float()
    assert result.min() >= 0 and pcc(torch.relu(a @ b), result) > 0.999


def test_k_blocking_rounds_spilled_partials_to_a_bfloat8_b_output(device):
    """Without packer_l1_acc (and a 16-bit destination) the kernel spills each K block's partial to the
    intermediate CB in the output format and reloads it: a bfloat8_b output rounds K/in0_block_w - 1 times."""
    torch.manual_seed(0)
    a, b = torch.randn(64, 1024), torch.randn(1024, 64)
    ta, tb = _tile(a, device), _tile(b, device)
    no_l1_acc = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi4, packer_l1_acc=False)

    def run(in0_block_w):
        config = _2d(in0_block_w=in0_block_w, per_core_M=1, per_core_N=1, out_subblock_w=1)
        out = ttnn.matmul(ta, tb, program_config=config, dtype=ttnn.bfloat8_b, compute_kernel_config=no_l1_acc)
        return ttnn.to_torch(out).float()

    golden = ttnn.to_torch(_tile(a, device)).float() @ ttnn.to_torch(_tile(b, device)).float()
    one_block, many_blocks = run(32), run(1)
    assert not torch.equal(one_block, many_blocks)
    assert (many_blocks - golden).abs().mean() > 1.2 * (one_block - golden).abs().mean()


def test_matmul_cbs_must_fit_beside_l1_tensors(device):
    big = _tile(torch.zeros(64, 32, 32 * 500), device, memory_config=ttnn.L1_MEMORY_CONFIG)  # 1,000 KiB per core
    ta, tb = _tile(torch.randn(32 * 8 * 8, 32 * 8), device), _tile(torch.randn(32 * 8, 32 * 64), device)
    config = _2d(in0_block_w=8, per_core_M=8, per_core_N=8, out_subblock_h=1, out_subblock_w=8)
    with pytest.raises(errors.OutOfMemoryError, match="clash with L1 buffers"):
        ttnn.matmul(ta, tb, program_config=config)
    ttnn.deallocate(big)
    ttnn.matmul(ta, tb, program_config=config)


def _block_sharded(device, values, grid):
    config = ttnn.create_sharded_memory_config(
        values.shape, ttnn.CoreGrid(x=grid[0], y=grid[1]), ttnn.ShardStrategy.BLOCK
    )
    return ttnn.from_torch(values, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device, memory_config=config)


def test_sharded_layer_norm_config_must_describe_the_shard(device):
    torch.manual_seed(0)
    values = torch.randn(1, 1, 256, 256)  # 4x2 cores: 64x128 shards = 2x4 tiles
    tensor = _block_sharded(device, values, (2, 4))
    good = ttnn.LayerNormShardedMultiCoreProgramConfig(
        compute_with_storage_grid_size=(2, 4), subblock_w=4, block_h=2, block_w=4, inplace=False
    )
    result = ttnn.to_torch(ttnn.layer_norm(tensor, program_config=good)).float()
    assert pcc(torch.nn.functional.layer_norm(values, (256,)), result) > 0.999
    wrong_block = ttnn.LayerNormShardedMultiCoreProgramConfig(
        compute_with_storage_grid_size=(2, 4), subblock_w=2, block_h=2, block_w=2, inplace=False
    )
    with pytest.raises(errors.TTNNError, match=r"must equal the input's shard \(64 x 128 = 2 x 4 tiles\)"):
        ttnn.layer_norm(tensor, program_config=wrong_block)
    with pytest.raises(errors.TTNNError, match="the input must be sharded"):
        ttnn.layer_norm(_tile(values, device), program_config=good)
    with pytest.raises(errors.UnsupportedError, match="use_welford=True"):
        ttnn.layer_norm(_tile(values, device), program_config=ttnn.LayerNormDefaultProgramConfig(use_welford=True))


def test_sharded_softmax_config_checks_subblocks(device):
    torch.manual_seed(0)
    scores = torch.randn(1, 1, 256, 256)
    tensor = _block_sharded(device, scores, (1, 8))  # 32x256 shards: block_h 1, block_w 8
    mask = ttnn.from_torch(torch.zeros(1, 1, 1, 256), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    config = ttnn.SoftmaxShardedMultiCoreProgramConfig(
        compute_with_storage_grid_size=(1, 8), subblock_w=3, block_h=1, block_w=8
    )
    with pytest.raises(errors.TTNNError, match=r"block_w \(8\) must be divisible by subblock_w \(3\)"):
        ttnn.transformer.attention_softmax_(tensor, attention_mask=mask, head_size=64, program_config=config)
    config.subblock_w = 8
    result = ttnn.transformer.attention_softmax_(tensor, attention_mask=mask, head_size=64, program_config=config)
    assert pcc(torch.softmax(scores / 8, -1), ttnn.to_torch(result).float()) > 0.999


def test_sdpa_program_config_is_checked_not_ignored(device):
    torch.manual_seed(0)
    q, k, v = (_tile(torch.randn(1, 2, 64, 64), device) for _ in range(3))
    good = ttnn.SDPAProgramConfig(compute_with_storage_grid_size=(8, 8), q_chunk_size=32, k_chunk_size=64)
    ttnn.transformer.scaled_dot_product_attention(q, k, v, is_causal=True, program_config=good)
    bad = ttnn.SDPAProgramConfig(compute_with_storage_grid_size=(8, 8), q_chunk_size=48, k_chunk_size=64)
    with pytest.raises(errors.TTNNError, match=r"q_chunk_size \(48\) must be a positive multiple"):
        ttnn.transformer.scaled_dot_product_attention(q, k, v, is_causal=True, program_config=bad)
    with pytest.raises(errors.TTNNError, match="program_config must be a ttnn.SDPAProgramConfig"):
        ttnn.transformer.scaled_dot_product_attention(q, k, v, is_causal=True, program_config=object())


def test_fused_activation_tuple_becomes_unary_with_param():
    # tt-metal's sharded BERT writes fused_activation=(ttnn.UnaryOpType.GELU, True); ttnn converts the tuple.
    config = _2d(fused_activation=(ttnn.UnaryOpType.GELU, True))
    assert config.fused_activation == ttnn.UnaryWithParam(ttnn.UnaryOpType.GELU, 1.0)
