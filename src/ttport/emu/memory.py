"""Memory configs, shard specs and core coordinates: the placement vocabulary of ttnn."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .errors import TTNNError
from .types import TTNNEnum


class BufferType(TTNNEnum):
    DRAM = 0
    L1 = 1
    L1_SMALL = 3
    TRACE = 4


class TensorMemoryLayout(TTNNEnum):
    INTERLEAVED = 0
    HEIGHT_SHARDED = 2
    WIDTH_SHARDED = 3
    BLOCK_SHARDED = 4
    ND_SHARDED = 5


class ShardStrategy(TTNNEnum):
    HEIGHT = 1
    WIDTH = 2
    BLOCK = 3


class ShardOrientation(TTNNEnum):
    ROW_MAJOR = 0
    COL_MAJOR = 1


# Reprs below are real ttnn 0.81.1's, as recorded (ttport/validate/data/ttnn_api_0.81.1.json, "probes").
@dataclass(frozen=True)
class CoreCoord:
    x: int
    y: int

    def __init__(self, x, y=None, /):
        if y is None:  # ttnn.CoreCoord((x, y))
            x, y = x
        object.__setattr__(self, "x", int(x))
        object.__setattr__(self, "y", int(y))

    def __repr__(self) -> str:
        return f"{self.x}-{self.y}"


@dataclass(frozen=True)
class CoreRange:
    start: CoreCoord
    end: CoreCoord

    def __post_init__(self):
        if self.end.x < self.start.x or self.end.y < self.start.y:
            raise ValueError(f"CoreRange end {self.end} lies before start {self.start}")

    def grid_size(self) -> CoreCoord:
        return CoreCoord(self.end.x - self.start.x + 1, self.end.y - self.start.y + 1)

    def __repr__(self) -> str:
        return f"[{self.start!r} - {self.end!r}]"


@dataclass(frozen=True)
class CoreRangeSet:
    ranges_: frozenset = field(default_factory=frozenset)

    def __init__(self, core_ranges):
        object.__setattr__(self, "ranges_", frozenset(core_ranges))

    def __repr__(self) -> str:
        return "{" + ", ".join(repr(r) for r in self.ranges()) + "}"

    def ranges(self) -> list[CoreRange]:
        return sorted(self.ranges_, key=lambda r: (r.start.y, r.start.x))

    def num_cores(self) -> int:
        return sum(r.grid_size().x * r.grid_size().y for r in self.ranges_)

    def bounding_box(self) -> CoreRange:
        xs = [c for r in self.ranges_ for c in (r.start.x, r.end.x)]
        ys = [c for r in self.ranges_ for c in (r.start.y, r.end.y)]
        return CoreRange(CoreCoord(min(xs), min(ys)), CoreCoord(max(xs), max(ys)))


@dataclass(frozen=True)
class CoreGrid:
    y: int
    x: int

    def __init__(self, *, x: int, y: int):
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)

    @property
    def num_cores(self) -> int:
        return self.x * self.y

    def __repr__(self) -> str:
        return f"ttnn.CoreGrid(x={self.x}, y={self.y})"


@dataclass(frozen=True)
class ShardSpec:
    grid: CoreRangeSet
    shape: tuple[int, int]
    orientation: ShardOrientation = ShardOrientation.ROW_MAJOR

    def __init__(self, grid, shard_shape, shard_orientation):
        object.__setattr__(self, "grid", grid)
        object.__setattr__(self, "shape", tuple(shard_shape))
        object.__setattr__(self, "orientation", shard_orientation)

    def num_cores(self) -> int:
        return self.grid.num_cores()

    def __repr__(self) -> str:
        ranges = ", ".join(
            # ttnn prints each range without its closing brace; kept so the reprs compare equal
            f'{{"start":{{"x":{r.start.x},"y":{r.start.y}}},"end":{{"x":{r.end.x},"y":{r.end.y}}}'
            for r in self.grid.ranges()
        )
        orientation = f"ShardOrientation::{self.orientation.name}"
        return f"ShardSpec{{grid=[{ranges}], shape={list(self.shape)}, orientation={orientation}}}"


@dataclass(frozen=True)
class MemoryConfig:
    memory_layout: TensorMemoryLayout = TensorMemoryLayout.INTERLEAVED
    buffer_type: BufferType = BufferType.DRAM
    shard_spec: ShardSpec | None = None

    def __init__(
        self,
        memory_layout: TensorMemoryLayout = TensorMemoryLayout.INTERLEAVED,
        buffer_type: BufferType = BufferType.DRAM,
        shard_spec: ShardSpec | None = None,
    ):
        object.__setattr__(self, "memory_layout", memory_layout)
        object.__setattr__(self, "buffer_type", buffer_type)
        object.__setattr__(self, "shard_spec", shard_spec)

    def is_sharded(self) -> bool:
        return self.memory_layout is not TensorMemoryLayout.INTERLEAVED

    @property
    def nd_shard_spec(self):
        return None  # N-dimensional sharding is not emulated

    def __repr__(self) -> str:
        shard_spec = "std::nullopt" if self.shard_spec is None else repr(self.shard_spec)
        return (
            f"MemoryConfig(memory_layout=TensorMemoryLayout::{self.memory_layout.name},"
            f"buffer_type=BufferType::{self.buffer_type.name},shard_spec={shard_spec},nd_shard_spec=std::nullopt,"
            "created_with_nd_shard_spec=0,per_core_allocation=0,range_lockstep_allocation=0)"
        )


DRAM_MEMORY_CONFIG = MemoryConfig(TensorMemoryLayout.INTERLEAVED, BufferType.DRAM)
L1_MEMORY_CONFIG = MemoryConfig(TensorMemoryLayout.INTERLEAVED, BufferType.L1)
# Sharded configs without a shard spec: ops that produce sharded outputs pick the spec themselves.
L1_HEIGHT_SHARDED_MEMORY_CONFIG = MemoryConfig(TensorMemoryLayout.HEIGHT_SHARDED, BufferType.L1)
L1_WIDTH_SHARDED_MEMORY_CONFIG = MemoryConfig(TensorMemoryLayout.WIDTH_SHARDED, BufferType.L1)
L1_BLOCK_SHARDED_MEMORY_CONFIG = MemoryConfig(TensorMemoryLayout.BLOCK_SHARDED, BufferType.L1)

_STRATEGY_LAYOUT = {
    ShardStrategy.HEIGHT: TensorMemoryLayout.HEIGHT_SHARDED,
    ShardStrategy.WIDTH: TensorMemoryLayout.WIDTH_SHARDED,
    ShardStrategy.BLOCK: TensorMemoryLayout.BLOCK_SHARDED,
}


def _grid_ranges(core_grid) -> CoreRangeSet:
    if isinstance(core_grid, CoreRangeSet):
        return core_grid
    if isinstance(core_grid, CoreGrid):
        return CoreRangeSet({CoreRange(CoreCoord(0, 0), CoreCoord(core_grid.x - 1, core_grid.y - 1))})
    raise TypeError(f"core_grid must be a ttnn.CoreGrid or ttnn.CoreRangeSet, got {type(core_grid).__name__}")


def _shard_shape(shape, strategy: ShardStrategy, grid: CoreRange, orientation: ShardOrientation) -> tuple[int, int]:
    """The tensor's 2-D extent (outer dims folded into the height) split evenly over the grid, as real ttnn does:
    no rounding up, and a grid that does not divide the tensor is refused (recorded from the 0.81.1 wheel)."""
    *outer, height, width = shape
    height = height * math.prod(outer)
    size = grid.grid_size()
    rows, cols = (size.y, size.x) if orientation is ShardOrientation.ROW_MAJOR else (size.x, size.y)
    splits = {
        ShardStrategy.HEIGHT: (size.x * size.y, 1),
        ShardStrategy.WIDTH: (1, size.x * size.y),
        ShardStrategy.BLOCK: (rows, cols),
    }[strategy]
    if height % splits[0] or width % splits[1]:
        raise TTNNError(
            f"Invalid sharding core_grid: a {height}x{width} tensor (shape {list(shape)}) does not split evenly into "
            f"{splits[0]}x{splits[1]} {strategy.name.lower()} shards over a {size.x}x{size.y} grid; choose a grid "
            "whose rows/columns divide the tensor's height/width, or pass the shard shape with "
            "use_height_and_width_as_shard_shape=True"
        )
    return (height // splits[0], width // splits[1])


def create_sharded_memory_config(
    shape,
    core_grid,
    strategy,
    orientation=None,
    use_height_and_width_as_shard_shape=False,
):
    """A sharded L1 MemoryConfig for a tensor of `shape` spread over `core_grid` (ttnn.create_sharded_memory_config)."""
    orientation = orientation or ShardOrientation.ROW_MAJOR
    ranges = _grid_ranges(core_grid)
    if use_height_and_width_as_shard_shape:
        shard_shape = (shape[0], shape[1])
    elif isinstance(core_grid, CoreRangeSet):
        raise TTNNError(
            "height and width must be shard shape with CoreRangeSet (pass use_height_and_width_as_shard_shape=True "
            "and the shard's (height, width) as shape, or pass a ttnn.CoreGrid)"
        )
    else:
        shard_shape = _shard_shape(tuple(shape), strategy, ranges.bounding_box(), orientation)
    spec = ShardSpec(ranges, shard_shape, orientation)
    return MemoryConfig(_STRATEGY_LAYOUT[strategy], BufferType.L1, spec)
