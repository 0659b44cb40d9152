"""Sharded tensors: a ShardSpec checked against the tensor it shards, and the per-core buffer it takes in L1.

The checks and their messages are tt-metal's validate_shard_spec_with_tensor_shape (ttnn/cpp/ttnn/tensor/
tensor_spec.cpp), made on the tensor's physical 2-D shape (all dims but the last folded into the height, tiles
padded). A sharded buffer holds one shard slot per core of the shard grid at the same L1 address on every core
(tt-metal's lockstep bank allocation); height and width sharding with more shards than cores is refused above,
so each core holds at most one shard.
"""

from __future__ import annotations

import math

from .circular_buffers import tile_bytes
from .device import GRID
from .errors import TTNNError, UnsupportedError
from .memory import (
    BufferType,
    CoreCoord,
    CoreRange,
    CoreRangeSet,
    MemoryConfig,
    ShardOrientation,
    ShardSpec,
    TensorMemoryLayout,
)
from .types import DTYPE_INFO, TILE_HEIGHT, TILE_WIDTH, DataType, Layout


def physical_shape(shape: tuple[int, ...], layout: Layout) -> tuple[int, int]:
    """(height, width) of the tensor as laid out in pages: outer dims folded into the height, tiles padded."""
    shape = tuple(shape) or (1,)
    if len(shape) == 1:
        shape = (1, shape[0])
    height, width = shape[-2], shape[-1]
    if layout is Layout.TILE:
        height, width = -(-height // TILE_HEIGHT) * TILE_HEIGHT, -(-width // TILE_WIDTH) * TILE_WIDTH
    return math.prod(shape[:-2]) * height, width


def _fail(op: str, message: str, fix: str) -> TTNNError:
    return TTNNError(f"{op}: {message} ({fix})")


def _check_grid(op: str, memory_config: MemoryConfig) -> None:
    box = memory_config.shard_spec.grid.bounding_box()
    if box.end.x >= GRID.x or box.end.y >= GRID.y:
        raise _fail(
            op,
            f"shard grid {memory_config.shard_spec.grid!r} lies outside the {GRID.x}x{GRID.y} compute grid",
            "use cores within device.compute_with_storage_grid_size()",
        )


def _check_counts(op: str, layout: TensorMemoryLayout, spec, height: int, width: int) -> None:
    shard_h, shard_w = spec.shape
    cores = spec.num_cores()
    fix = "grow the shard shape or the core grid (ttnn.create_sharded_memory_config picks a fitting one)"
    if layout is TensorMemoryLayout.HEIGHT_SHARDED:
        if width != shard_w:
            raise _fail(op, f"Shard width {shard_w} must match physical width {width} for height sharded", fix)
        if -(-height // shard_h) > cores:
            raise _fail(
                op,
                f"Number of shards along height {-(-height // shard_h)} must not exceed number of cores {cores}",
                fix,
            )
    elif layout is TensorMemoryLayout.WIDTH_SHARDED:
        if height != shard_h:
            raise _fail(op, f"Shard height {shard_h} must match physical height {height} for width sharded", fix)
        if -(-width // shard_w) > cores:
            raise _fail(
                op, f"Number of shards along width {-(-width // shard_w)} must not exceed number of cores {cores}", fix
            )
    else:
        _check_block(op, spec, height, width, fix)


def _check_block(op: str, spec, height: int, width: int, fix: str) -> None:
    if len(spec.grid.ranges()) != 1:
        raise _fail(op, "Shard grid must be one full rectangular grid for block sharded!", fix)
    size = spec.grid.bounding_box().grid_size()
    along_h, along_w = -(-height // spec.shape[0]), -(-width // spec.shape[1])
    row_major = spec.orientation is ShardOrientation.ROW_MAJOR
    rows, cols = (size.y, size.x) if row_major else (size.x, size.y)
    order = "row major" if row_major else "column major"
    if along_h > rows:
        kind = "rows" if row_major else "columns"
        raise _fail(
            op,
            f"Number of shards along height {along_h} must not exceed number of {kind} {rows} for {order} orientation!",
            fix,
        )
    if along_w > cols:
        kind = "columns" if row_major else "rows"
        raise _fail(
            op,
            f"Number of shards along width {along_w} must not exceed number of {kind} {cols} for {order} orientation!",
            fix,
        )


def validate_sharded(op: str, shape, dtype: DataType, layout: Layout, memory_config: MemoryConfig) -> None:
    """Refuse a sharded memory config that cannot hold a tensor of `shape` as the device would."""
    if memory_config.shard_spec is None:
        raise _fail(
            op,
            f"a {memory_config.memory_layout.name} memory config needs a shard spec",
            "build one with ttnn.create_sharded_memory_config(shape, core_grid, strategy)",
        )
    if memory_config.buffer_type is not BufferType.L1:
        raise UnsupportedError(
            f"{op}: DRAM-sharded tensors are not emulated; shard in L1 (buffer_type=ttnn.BufferType.L1) or keep the "
            "tensor interleaved in DRAM"
        )
    if memory_config.memory_layout is TensorMemoryLayout.ND_SHARDED:
        raise UnsupportedError(f"{op}: ND sharding is not emulated; use height, width or block sharding")
    spec = memory_config.shard_spec
    if layout is Layout.TILE and (spec.shape[0] % TILE_HEIGHT or spec.shape[1] % TILE_WIDTH):
        raise _fail(
            op,
            f"Physical shard shape ({spec.shape[0]}, {spec.shape[1]}) must be tile {{32, 32}} sized!",
            "use a shard shape that is a multiple of 32 in both dims for a TILE tensor",
        )
    _check_grid(op, memory_config)
    height, width = physical_shape(shape, layout)
    _check_counts(op, memory_config.memory_layout, spec, height, width)


def shard_bytes(dtype: DataType, layout: Layout, shard_shape: tuple[int, int]) -> int:
    """Bytes one core's shard takes: whole tiles (TILE) or rows of shard width (ROW_MAJOR)."""
    height, width = shard_shape
    if layout is Layout.TILE:
        return (height // TILE_HEIGHT) * (width // TILE_WIDTH) * tile_bytes(dtype)
    return int(height * width * DTYPE_INFO[dtype].element_bytes)


def allocate_sharded(op: str, allocator, shape, dtype: DataType, layout: Layout, memory_config: MemoryConfig):
    """Validate and allocate the per-core L1 buffer of a sharded tensor."""
    validate_sharded(op, shape, dtype, layout, memory_config)
    spec = memory_config.shard_spec
    return allocator.allocate_sharded(shard_bytes(dtype, layout, spec.shape), spec.num_cores())


def cores_row_wise(count: int) -> CoreRangeSet:
    """The first `count` cores of the compute grid, filling rows (tt-metal's num_cores_to_corerangeset)."""
    if not 0 < count <= GRID.x * GRID.y:
        raise TTNNError(f"ttnn: {count} shards do not fit the {GRID.x}x{GRID.y} compute grid; shard over fewer cores")
    rows, rest = divmod(count, GRID.x)
    ranges = [CoreRange(CoreCoord(0, 0), CoreCoord(GRID.x - 1, rows - 1))] if rows else []
    if rest:
        ranges.append(CoreRange(CoreCoord(0, rows), CoreCoord(rest - 1, rows)))
    return CoreRangeSet(ranges)


def with_shard_spec(memory_config: MemoryConfig, shard_shape, grid: CoreRangeSet, orientation=None) -> MemoryConfig:
    orientation = orientation or ShardOrientation.ROW_MAJOR
    spec = ShardSpec(grid, tuple(int(d) for d in shard_shape), orientation)
    return MemoryConfig(memory_config.memory_layout, memory_config.buffer_type, spec)


def derived_output_config(op: str, memory_config: MemoryConfig, shape, layout: Layout, like) -> MemoryConfig:
    """A sharded output config given without a shard spec (ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG, ...): the op
    shards its output evenly over its sharded input's cores, as ttnn's data-movement ops do with such configs."""
    if not memory_config.is_sharded() or memory_config.shard_spec is not None:
        return memory_config
    if like is None or not like.is_sharded():
        raise _fail(
            op,
            f"{memory_config.memory_layout.name} output without a shard spec needs a sharded input to take the "
            "cores from",
            "pass a full ttnn.MemoryConfig with a ShardSpec (ttnn.create_sharded_memory_config)",
        )
    source = like.memory_config().shard_spec
    height, width = physical_shape(shape, layout)
    cores = source.num_cores()
    if memory_config.memory_layout is TensorMemoryLayout.HEIGHT_SHARDED:
        shard, grid, orientation = (height // cores, width), source.grid, source.orientation
    elif memory_config.memory_layout is TensorMemoryLayout.WIDTH_SHARDED:
        shard, grid, orientation = (height, width // cores), source.grid, source.orientation
    else:
        box = source.grid.bounding_box()
        size = box.grid_size()
        row_major = source.orientation is ShardOrientation.ROW_MAJOR
        rows, cols = (size.y, size.x) if row_major else (size.x, size.y)
        shard, grid, orientation = (height // rows, width // cols), CoreRangeSet({box}), source.orientation
    return with_shard_spec(memory_config, shard, grid, orientation)
