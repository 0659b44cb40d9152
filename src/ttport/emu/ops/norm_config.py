"""Program configs of layer_norm / rms_norm and softmax, checked as the device checks them.

The sharded configs describe a block per core: block_h x block_w tiles must be the input's shard, processed
subblock_w tiles at a time in the destination (tt-metal's LayerNorm / Softmax validate in
ttnn/cpp/ttnn/operations/normalization/{layernorm,softmax}/device/*_device_operation.cpp). The sharded kernels
reduce each row of the block in one destination accumulation, as the interleaved small kernels do, so their
numerics are the interleaved ones; a default config's non-default reduction switches (legacy_reduction,
use_welford) change the arithmetic in ways not modelled here and are refused by name.
"""

from __future__ import annotations

from ..device import GRID
from ..errors import TTNNError, UnsupportedError
from ..memory import TensorMemoryLayout
from ..program_configs import (
    LayerNormDefaultProgramConfig,
    LayerNormShardedMultiCoreProgramConfig,
    SoftmaxDefaultProgramConfig,
    SoftmaxShardedMultiCoreProgramConfig,
    dest_tile_count,
)
from ..types import TILE_HEIGHT, TILE_WIDTH


def _fail(op: str, config, message: str) -> TTNNError:
    return TTNNError(f"{op}: {type(config).__name__}: {message}")


def _check_block(op: str, config, tensor, compute, layouts) -> None:
    """The block must be the input's shard, on a grid inside the device, in subblocks the destination holds."""
    grid = config.compute_with_storage_grid_size
    if grid.x > GRID.x or grid.y > GRID.y:
        raise _fail(op, config, f"compute_with_storage_grid_size ({grid.x}, {grid.y}) exceeds the device grid")
    config_name = type(config).__name__
    if tensor is None or not tensor.is_sharded():
        raise _fail(
            op, config, f"the input must be sharded for {config_name}; shard it with ttnn.interleaved_to_sharded"
        )
    memory = tensor.memory_config()
    if memory.memory_layout not in layouts:
        allowed = " or ".join(layout.name for layout in layouts)
        raise _fail(op, config, f"the input must be {allowed}, got {memory.memory_layout.name}")
    if config.subblock_w == 0 or config.block_w % config.subblock_w:
        raise _fail(op, config, f"block_w ({config.block_w}) must be divisible by subblock_w ({config.subblock_w})")
    shard_h, shard_w = memory.shard_spec.shape
    if config.block_h * TILE_HEIGHT != shard_h or config.block_w * TILE_WIDTH != shard_w:
        raise _fail(
            op,
            config,
            f"block_h x block_w ({config.block_h} x {config.block_w} tiles) must equal the input's shard "
            f"({shard_h} x {shard_w} = {shard_h // TILE_HEIGHT} x {shard_w // TILE_WIDTH} tiles)",
        )
    capacity = dest_tile_count(compute)
    if config.subblock_w > capacity:
        raise _fail(op, config, f"subblock_w {config.subblock_w} exceeds the {capacity} tiles the destination holds")


def check_norm_program_config(op: str, program_config, tensor, compute) -> None:
    if program_config is None:
        return
    if isinstance(program_config, LayerNormDefaultProgramConfig):
        for name in ("legacy_reduction", "use_welford"):
            if getattr(program_config, name):
                raise UnsupportedError(
                    f"{op}: LayerNormDefaultProgramConfig({name}=True) is not modelled by the ttport emulator (it "
                    "changes how the mean and variance are accumulated); leave it False to run here"
                )
        return
    if isinstance(program_config, LayerNormShardedMultiCoreProgramConfig):
        layouts = (TensorMemoryLayout.WIDTH_SHARDED, TensorMemoryLayout.BLOCK_SHARDED)
        _check_block(op, program_config, tensor, compute, layouts)
        return
    raise TTNNError(
        f"{op}: program_config must be ttnn.LayerNormDefaultProgramConfig or "
        f"ttnn.LayerNormShardedMultiCoreProgramConfig, got {type(program_config).__name__}"
    )


def check_softmax_program_config(op: str, program_config, tensor=None, compute=None) -> None:
    if program_config is None or isinstance(program_config, SoftmaxDefaultProgramConfig):
        return
    if isinstance(program_config, SoftmaxShardedMultiCoreProgramConfig):
        layouts = (TensorMemoryLayout.HEIGHT_SHARDED, TensorMemoryLayout.BLOCK_SHARDED)
        from .normalization import softmax_config

        compute = compute or softmax_config(tensor.dtype if tensor is not None else None)
        _check_block(op, program_config, tensor, compute, layouts)
        return
    raise TTNNError(
        f"{op}: program_config must be ttnn.SoftmaxDefaultProgramConfig or "
        f"ttnn.SoftmaxShardedMultiCoreProgramConfig, got {type(program_config).__name__}"
    )
