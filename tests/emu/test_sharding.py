"""Sharded memory: create_sharded_memory_config as real ttnn computes it, ShardSpec validation with ttnn's
messages, interleaved <-> sharded moves, and sharded buffers in the per-core L1 allocator."""

from __future__ import annotations

import pytest
import torch
import ttnn

from ttport.emu import errors
from ttport.emu.device import L1_BYTES_PER_CORE

H, W, B = ttnn.ShardStrategy.HEIGHT, ttnn.ShardStrategy.WIDTH, ttnn.ShardStrategy.BLOCK


@pytest.mark.parametrize(
    "shape, grid, strategy, expected",
    [  # recorded from the real 0.81.1 wheel
        ((1, 1, 100, 64), (2, 2), H, [25, 64]),
        ((1, 1, 100, 64), (2, 2), B, [50, 32]),
        ((2, 3, 100, 70), (2, 2), B, [300, 35]),
        ((8, 384, 768), (12, 8), B, [384, 64]),
    ],
)
def test_create_sharded_memory_config_splits_like_ttnn(shape, grid, strategy, expected):
    config = ttnn.create_sharded_memory_config(shape, ttnn.CoreGrid(x=grid[0], y=grid[1]), strategy)
    assert list(config.shard_spec.shape) == expected


def test_create_sharded_memory_config_refuses_an_uneven_split():
    with pytest.raises(errors.TTNNError, match="Invalid sharding core_grid"):
        ttnn.create_sharded_memory_config((1, 1, 64, 100), ttnn.CoreGrid(x=3, y=1), W)
    cores = ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(1, 2))})
    with pytest.raises(errors.TTNNError, match="height and width must be shard shape with CoreRangeSet"):
        ttnn.create_sharded_memory_config((1, 1, 96, 64), cores, H)


def _tensor(device, shape, memory_config=ttnn.DRAM_MEMORY_CONFIG):
    torch.manual_seed(0)
    values = torch.randn(shape)
    tensor = ttnn.from_torch(values, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    return values, tensor


def test_round_trip_keeps_values_and_places_per_core(device):
    values, tensor = _tensor(device, (1, 1, 256, 128))
    config = ttnn.create_sharded_memory_config((1, 1, 256, 128), ttnn.CoreGrid(x=2, y=4), B)
    sharded = ttnn.interleaved_to_sharded(tensor, config)
    assert sharded.is_sharded() and sharded.memory_config().shard_spec.shape == (64, 64)
    # One 64x64 bfloat16 shard (4 tiles) per core, at the top of L1.
    assert sharded.buffer_address() == L1_BYTES_PER_CORE - 4 * 2048
    back = ttnn.sharded_to_interleaved(sharded, ttnn.L1_MEMORY_CONFIG)
    assert not back.is_sharded()
    assert torch.equal(ttnn.to_torch(back), ttnn.to_torch(tensor))


def test_to_memory_config_and_the_grid_overload(device):
    _, tensor = _tensor(device, (1, 1, 256, 64))
    config = ttnn.create_sharded_memory_config((1, 1, 256, 64), ttnn.CoreGrid(x=8, y=1), H)
    assert ttnn.to_memory_config(tensor, config).memory_config().shard_spec.shape == (32, 64)
    sharded = ttnn.interleaved_to_sharded(
        tensor, ttnn.CoreCoord(4, 1), [64, 64], ttnn.TensorMemoryLayout.HEIGHT_SHARDED, ttnn.ShardOrientation.ROW_MAJOR
    )
    assert sharded.memory_config().memory_layout == ttnn.TensorMemoryLayout.HEIGHT_SHARDED


def _spec(layout, shard, cores=(2, 2), orientation=ttnn.ShardOrientation.ROW_MAJOR):
    grid = ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(cores[0] - 1, cores[1] - 1))})
    return ttnn.MemoryConfig(layout, ttnn.BufferType.L1, ttnn.ShardSpec(grid, shard, orientation))


@pytest.mark.parametrize(
    "config, message",
    [
        (_spec(ttnn.TensorMemoryLayout.HEIGHT_SHARDED, [32, 64]), "Shard width 64 must match physical width 128"),
        (_spec(ttnn.TensorMemoryLayout.HEIGHT_SHARDED, [32, 128]), "Number of shards along height 8 must not exceed"),
        (
            _spec(ttnn.TensorMemoryLayout.WIDTH_SHARDED, [256, 32], cores=(3, 1)),
            "Number of shards along width 4 must not exceed number of cores 3",
        ),
        (
            _spec(ttnn.TensorMemoryLayout.BLOCK_SHARDED, [64, 64]),
            "Number of shards along height 4 must not exceed number of rows 2",
        ),
        (_spec(ttnn.TensorMemoryLayout.BLOCK_SHARDED, [128, 48]), r"Physical shard shape \(128, 48\) must be tile"),
        (_spec(ttnn.TensorMemoryLayout.BLOCK_SHARDED, [128, 64], cores=(9, 1)), "outside the 8x8 compute grid"),
    ],
)
def test_illegal_shard_specs_are_refused(device, config, message):
    _, tensor = _tensor(device, (1, 1, 256, 128))
    with pytest.raises(errors.TTNNError, match=message):
        ttnn.interleaved_to_sharded(tensor, config)


def test_sharded_buffers_fill_l1_per_core(device):
    # A 1 MiB shard per core on all 64 cores fits once, not twice: L1 is per core, not pooled.
    shape = (1, 1, 64 * 512, 1024)
    config = ttnn.create_sharded_memory_config(shape, ttnn.CoreGrid(x=8, y=8), H)
    first = ttnn.from_torch(
        torch.zeros(shape), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device, memory_config=config
    )
    with pytest.raises(errors.OutOfMemoryError, match="L1 sharded buffer"):
        ttnn.from_torch(
            torch.zeros(shape), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device, memory_config=config
        )
    ttnn.deallocate(first)


def test_sharded_to_interleaved_needs_a_sharded_input(device):
    _, tensor = _tensor(device, (1, 1, 64, 64))
    with pytest.raises(errors.TTNNError, match="is not sharded"):
        ttnn.sharded_to_interleaved(tensor)


def test_matmul_derives_its_output_shard_spec_from_the_program_config(device):
    """tt-metal's sharded BERT passes ttnn.L1_BLOCK_SHARDED_MEMORY_CONFIG (no spec): the output is one
    per_core_M x per_core_N block per core, on a transposed, column-major grid when transpose_mcast."""
    torch.manual_seed(0)
    a = ttnn.from_torch(torch.randn(1, 1, 256, 128), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    b = ttnn.from_torch(torch.randn(128, 512), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    config = ttnn.MatmulMultiCoreReuseMultiCastProgramConfig(
        compute_with_storage_grid_size=(4, 8),
        in0_block_w=2,
        out_subblock_h=1,
        out_subblock_w=4,
        per_core_M=2,
        per_core_N=4,
        transpose_mcast=True,
    )
    out = ttnn.matmul(a, b, program_config=config, memory_config=ttnn.L1_BLOCK_SHARDED_MEMORY_CONFIG)
    spec = out.memory_config().shard_spec
    assert spec.shape == (64, 128) and spec.orientation == ttnn.ShardOrientation.COL_MAJOR
    assert spec.grid.bounding_box().grid_size() == ttnn.CoreCoord(4, 4)  # 4 blocks down M on x, 4 across N on y


def test_unspecified_output_shards_follow_the_input_cores(device):
    values = torch.randn(1, 1, 256, 64)
    config = ttnn.create_sharded_memory_config((1, 1, 256, 64), ttnn.CoreGrid(x=8, y=1), H)
    sharded = ttnn.from_torch(values, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device, memory_config=config)
    out = ttnn.gelu(sharded, memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)
    assert out.memory_config().shard_spec.shape == (32, 64) and out.memory_config().shard_spec.num_cores() == 8
    interleaved = ttnn.from_torch(values, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    with pytest.raises(errors.TTNNError, match="needs a sharded input to take the cores from"):
        ttnn.gelu(interleaved, memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)


def test_dot_access_dict_is_ttnns():
    from ttnn.dot_access import DotAccessDict, make_dot_access_dict

    nested = make_dot_access_dict({"program_configs": {"softmax": 1}})
    assert isinstance(nested, DotAccessDict) and nested.program_configs.softmax == 1
