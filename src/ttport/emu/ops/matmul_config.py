"""A matmul program config checked the way the device checks it, and what it changes in the numbers.

Validation follows tt-metal's Matmul validate (ttnn/cpp/ttnn/operations/matmul/device/matmul_device_operation.cpp:
"Kt ... must be divisible by in0_block_w", the subblock/destination check added for tt-metal #13080 in PR #13347,
the grid checks) and the 2D multicast factory's block-count checks (tt-metal #11392: "Num output blocks along y {}
must be smaller than or equal to the number of rows in compute grid {}"). Circular buffers follow the reuse /
multicast program factories' CircularBufferConfig calls: in0 and in1 blocks double-buffered when K has more than
one block, the output block, a separate intermediate CB when its format differs from the output's, and a bias row.

Numerics: between K blocks the partial result leaves the destination. With packer_l1_acc (enabled by the factories
only when K has enough blocks) it is accumulated in L1 as Float16_b, as the 16-bit destination holds it anyway;
otherwise it is spilled to the intermediate CB in the *output* format and reloaded
(bmm_large_block_zm_fused_bias_activation.cpp: spill / reload), so a bfloat8_b output rounds every partial.
The factories pick the intermediate format as `packer_l1_acc_en ? (fp32 ? Float32 : Float16_b) : (fp32 ? Float32 :
output format)` (matmul_multicore_reuse_mcast_2d_program_factory.cpp and its siblings).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..circular_buffers import check_circular_buffers, tile_bytes
from ..device import GRID
from ..errors import TTNNError
from ..memory import CoreCoord, CoreRange, CoreRangeSet, ShardOrientation, TensorMemoryLayout
from ..program_configs import (
    MATMUL_PROGRAM_CONFIGS,
    MatmulMultiCoreReuseMultiCastProgramConfig,
    MatmulMultiCoreReuseProgramConfig,
    dest_tile_count,
)
from ..sharding import cores_row_wise, with_shard_spec
from ..types import TILE_HEIGHT, TILE_WIDTH, DataType

BLOCK_FLOATS = (DataType.BFLOAT8_B, DataType.BFLOAT4_B)


@dataclass(frozen=True)
class MatmulPlan:
    """What a program config decides: where partials are spilled and in which format, and the fused activation."""

    k_block: int  # inner-dim elements per block
    spill_dtype: DataType | None  # the format partials are rounded to between K blocks, None when that is exact
    fused_activation: object = None
    memory_config: object = None  # the output's, with the shard spec the config implies when one was left out


@dataclass(frozen=True)
class MatmulShapes:
    batch: int
    mt: int
    kt: int
    nt: int


def _fail(op: str, config, message: str) -> TTNNError:
    return TTNNError(f"{op}: {type(config).__name__}: {message}")


def _check_fields(op: str, config, shapes: MatmulShapes, compute) -> None:
    grid = config.compute_with_storage_grid_size
    if grid.x == 0 or grid.y == 0 or grid.x > GRID.x or grid.y > GRID.y:
        raise _fail(
            op,
            config,
            f"compute_with_storage_grid_size ({grid.x}, {grid.y}) must fit within device grid ({GRID.x}, {GRID.y}); "
            "size it from device.compute_with_storage_grid_size()",
        )
    for name in ("in0_block_w", "out_subblock_h", "out_subblock_w", "per_core_M", "per_core_N"):
        if getattr(config, name) == 0:
            raise _fail(op, config, f"{name} is 0, which is not valid")
    if shapes.kt % config.in0_block_w:
        raise _fail(
            op,
            config,
            f"Kt ({shapes.kt}) must be divisible by in0_block_w ({config.in0_block_w}); K is {shapes.kt} tiles, so "
            f"use a divisor of {shapes.kt}",
        )
    block_h = getattr(config, "out_block_h", config.per_core_M)
    block_w = getattr(config, "out_block_w", config.per_core_N)
    for outer, inner, outer_name, inner_name in (
        (block_h, config.out_subblock_h, "out_block_h" if block_h != config.per_core_M else "per_core_M", "h"),
        (block_w, config.out_subblock_w, "out_block_w" if block_w != config.per_core_N else "per_core_N", "w"),
    ):
        if outer % inner:
            raise _fail(op, config, f"{outer_name} ({outer}) must be divisible by out_subblock_{inner_name} ({inner})")
    if config.per_core_M % block_h or config.per_core_N % block_w:
        raise _fail(op, config, "per_core_M / per_core_N must be divisible by out_block_h / out_block_w")
    capacity = dest_tile_count(compute)
    if config.out_subblock_h * config.out_subblock_w > capacity:
        raise _fail(
            op,
            config,
            f"out_subblock_w {config.out_subblock_w} times out_subblock_h {config.out_subblock_h} needs to be at most "
            f"{capacity} to fit in hardware (the destination holds {capacity} tiles"
            f"{' with fp32_dest_acc_en' if compute.fp32_dest_acc_en else ''}); shrink the subblock",
        )


def _check_grid_coverage(op: str, config, shapes: MatmulShapes) -> None:
    """Every output block needs a core: per_core_M / per_core_N must cover the output on the grid."""
    grid = config.compute_with_storage_grid_size
    fused_m = shapes.batch * shapes.mt if getattr(config, "fuse_batch", True) else shapes.mt
    blocks_y, blocks_x = -(-fused_m // config.per_core_M), -(-shapes.nt // config.per_core_N)
    if isinstance(config, MatmulMultiCoreReuseMultiCastProgramConfig):
        rows, cols = (grid.x, grid.y) if config.transpose_mcast else (grid.y, grid.x)
        if blocks_y > rows:
            raise _fail(
                op,
                config,
                f"Num output blocks along y {blocks_y} must be smaller than or equal to the number of rows in "
                f"compute grid {rows} (M is {fused_m} tiles, per_core_M {config.per_core_M}); raise per_core_M",
            )
        if blocks_x > cols:
            raise _fail(
                op,
                config,
                f"Num output blocks along x {blocks_x} must be smaller than or equal to the number of columns in "
                f"compute grid {cols} (N is {shapes.nt} tiles, per_core_N {config.per_core_N}); raise per_core_N",
            )
        return
    if isinstance(config, MatmulMultiCoreReuseProgramConfig):
        blocks_y = -(-(shapes.batch * shapes.mt) // config.per_core_M)
    cores = grid.x * grid.y
    if blocks_y * blocks_x > cores:
        raise _fail(
            op,
            config,
            f"Number of blocks exceeds number of cores: {blocks_y * blocks_x} blocks > {cores} cores "
            f"(per_core_M {config.per_core_M}, per_core_N {config.per_core_N}); raise per_core_M or per_core_N",
        )


def _packer_l1_acc(config, compute, num_blocks: int, has_bias: bool) -> bool:
    """The factories enable L1 accumulation only when it saves spills: the reuse factory for more than two K blocks,
    the multicast ones also for two when a bias is fused (its last block stays in the intermediate CB)."""
    if not compute.packer_l1_acc:
        return False
    if isinstance(config, MatmulMultiCoreReuseProgramConfig):
        return num_blocks > 2
    return (has_bias and num_blocks > 1) or num_blocks > 2


def _intermediate_dtype(compute, l1_acc: bool, out_dtype: DataType) -> DataType:
    if compute.fp32_dest_acc_en:
        return DataType.FLOAT32
    return DataType.BFLOAT16 if l1_acc else out_dtype


def _cb_bytes(config, shapes, dtypes, interm: DataType, has_bias: bool, sharded: tuple[bool, bool, bool]) -> int:
    a_dtype, b_dtype, out_dtype = dtypes
    a_sharded, b_sharded, out_sharded = sharded
    buffering = 2 if shapes.kt // config.in0_block_w > 1 else 1
    out_tiles = config.per_core_M * config.per_core_N
    total = 0 if a_sharded else config.per_core_M * config.in0_block_w * buffering * tile_bytes(a_dtype)
    total += 0 if b_sharded else config.per_core_N * config.in0_block_w * buffering * tile_bytes(b_dtype)
    total += 0 if out_sharded else out_tiles * tile_bytes(out_dtype)  # sharded outputs are written in place
    total += out_tiles * tile_bytes(interm) if interm is not out_dtype else 0
    total += config.per_core_N * tile_bytes(out_dtype) if has_bias else 0
    return total


def plan_matmul(op: str, config, operands, out_dtype, compute, has_bias: bool, memory_config) -> MatmulPlan:
    """Validate `config` for a @ b on the device and return its numeric consequences.

    `operands` is (a, b, padded inner dim after any transpose, logical output shape)."""
    if not isinstance(config, MATMUL_PROGRAM_CONFIGS):
        raise TTNNError(
            f"{op}: program_config must be one of ttnn.{', ttnn.'.join(c.__name__ for c in MATMUL_PROGRAM_CONFIGS)}, "
            f"got {type(config).__name__}"
        )
    a, b, k, out_shape = operands
    shapes = MatmulShapes(
        batch=max(1, math.prod(out_shape[:-2])),
        mt=-(-out_shape[-2] // TILE_HEIGHT),
        kt=-(-k // TILE_WIDTH),
        nt=-(-out_shape[-1] // TILE_WIDTH),
    )
    _check_fields(op, config, shapes, compute)
    _check_grid_coverage(op, config, shapes)
    num_blocks = shapes.kt // config.in0_block_w
    l1_acc = _packer_l1_acc(config, compute, num_blocks, has_bias)
    interm = _intermediate_dtype(compute, l1_acc, out_dtype)
    output_sharded = memory_config is not None and memory_config.is_sharded()
    sharded = (a.is_sharded(), b.is_sharded(), output_sharded)
    cbs = _cb_bytes(config, shapes, (a.dtype, b.dtype, out_dtype), interm, has_bias, sharded)
    check_circular_buffers(op, a.device(), cbs)
    spill = interm if num_blocks > 1 and interm in BLOCK_FLOATS else None
    activation = None if isinstance(config, MatmulMultiCoreReuseProgramConfig) else config.fused_activation
    output = _output_config(config, memory_config, shapes) if output_sharded else memory_config
    return MatmulPlan(config.in0_block_w * TILE_WIDTH, spill, activation, output)


def _output_config(config, memory_config, shapes: MatmulShapes):
    """A sharded output without a shard spec gets the one the config implies (tt-metal's Matmul
    compute_output_specs): a block per core on the 2-D grid (transposed, column-major, with transpose_mcast), a
    row of blocks per core for 1-D / batched configs."""
    if memory_config.shard_spec is not None:
        return memory_config
    fused_m = shapes.batch * shapes.mt if getattr(config, "fuse_batch", True) else shapes.mt
    blocks_y, blocks_x = -(-fused_m // config.per_core_M), -(-shapes.nt // config.per_core_N)
    block = (config.per_core_M * TILE_HEIGHT, config.per_core_N * TILE_WIDTH)
    if isinstance(config, MatmulMultiCoreReuseMultiCastProgramConfig):
        transposed = config.transpose_mcast
        end = CoreCoord(blocks_y - 1, blocks_x - 1) if transposed else CoreCoord(blocks_x - 1, blocks_y - 1)
        orientation = ShardOrientation.COL_MAJOR if transposed else ShardOrientation.ROW_MAJOR
        return with_shard_spec(memory_config, block, CoreRangeSet({CoreRange(CoreCoord(0, 0), end)}), orientation)
    if memory_config.memory_layout is TensorMemoryLayout.WIDTH_SHARDED:
        return with_shard_spec(memory_config, (fused_m * TILE_HEIGHT, block[1]), cores_row_wise(blocks_x))
    return with_shard_spec(memory_config, block, cores_row_wise(blocks_y * blocks_x))
