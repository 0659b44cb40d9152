"""ttnn.interleaved_to_sharded and ttnn.sharded_to_interleaved: moving a tensor between interleaved and sharded
placement. Values do not change (an output_dtype converts them); the sharded side is validated and allocated per
core by sharding.py when the result is built."""

from __future__ import annotations

from ..errors import TTNNError
from ..memory import (
    DRAM_MEMORY_CONFIG,
    BufferType,
    CoreCoord,
    CoreRange,
    CoreRangeSet,
    MemoryConfig,
    ShardSpec,
    TensorMemoryLayout,
)
from ..registry import require_device, ttnn_op
from ..sharding import validate_sharded
from ..tensor import Tensor
from ..types import DataType
from ._common import refuse_unmodelled


def _moved(tensor: Tensor, memory_config: MemoryConfig, dtype: DataType | None) -> Tensor:
    dtype = dtype or tensor.dtype
    return Tensor._from_stored(tensor._values, tensor.shape, dtype, tensor.layout, tensor.device(), memory_config)


def _grid_cores(grid) -> CoreRangeSet:
    if isinstance(grid, CoreRangeSet):
        return grid
    if isinstance(grid, CoreCoord):  # a grid size: cores (0, 0) .. (x - 1, y - 1)
        return CoreRangeSet({CoreRange(CoreCoord(0, 0), CoreCoord(grid.x - 1, grid.y - 1))})
    raise TTNNError(
        f"ttnn.interleaved_to_sharded: grid must be a ttnn.CoreCoord (grid size) or ttnn.CoreRangeSet, got {grid!r}; "
        "or pass a sharded ttnn.MemoryConfig instead"
    )


@ttnn_op("ttnn.interleaved_to_sharded")
def interleaved_to_sharded(
    input_tensor,
    grid,
    shard_shape=None,
    shard_scheme=None,
    shard_orientation=None,
    output_dtype=None,
    *,
    keep_l1_aligned=False,
    preallocated_output=None,
):
    """Shard an interleaved tensor: (tensor, sharded_memory_config[, output_dtype]) or
    (tensor, grid, shard_shape, shard_scheme, shard_orientation[, output_dtype]), as ttnn's two overloads."""
    op = "ttnn.interleaved_to_sharded"
    refuse_unmodelled(op, preallocated_output=preallocated_output)
    require_device(op, "input_tensor", input_tensor, tile=False)
    if input_tensor.is_sharded():
        raise TTNNError(f"{op}: input_tensor is already sharded; use ttnn.reshard or ttnn.sharded_to_interleaved")
    if isinstance(grid, MemoryConfig):
        memory_config = grid
        output_dtype = output_dtype or (shard_shape if isinstance(shard_shape, DataType) else None)
    else:
        if shard_shape is None or shard_scheme is None or shard_orientation is None:
            raise TTNNError(f"{op}: pass shard_shape, shard_scheme and shard_orientation with a grid")
        spec = ShardSpec(_grid_cores(grid), tuple(shard_shape), shard_orientation)
        memory_config = MemoryConfig(shard_scheme, BufferType.L1, spec)
    if not memory_config.is_sharded():
        raise TTNNError(f"{op}: the output memory config must be sharded, got {memory_config!r}")
    validate_sharded(
        op, tuple(input_tensor.shape), output_dtype or input_tensor.dtype, input_tensor.layout, memory_config
    )
    return _moved(input_tensor, memory_config, output_dtype)


@ttnn_op("ttnn.sharded_to_interleaved")
def sharded_to_interleaved(input_tensor, memory_config=None, output_dtype=None):
    """Gather a sharded tensor back into an interleaved buffer (DRAM unless memory_config says L1)."""
    op = "ttnn.sharded_to_interleaved"
    require_device(op, "input_tensor", input_tensor, tile=False)
    if not input_tensor.is_sharded():
        raise TTNNError(f"{op}: input_tensor is not sharded ({input_tensor._describe()}); it is already interleaved")
    memory_config = memory_config or DRAM_MEMORY_CONFIG
    if memory_config.memory_layout is not TensorMemoryLayout.INTERLEAVED:
        raise TTNNError(
            f"{op}: memory_config must be interleaved (e.g. ttnn.DRAM_MEMORY_CONFIG or ttnn.L1_MEMORY_CONFIG), "
            f"got {memory_config.memory_layout.name}"
        )
    return _moved(input_tensor, memory_config, output_dtype)
