"""Program configs of layer_norm / rms_norm, softmax and scaled_dot_product_attention, checked as the device checks
them.

The sharded configs describe a block per core: block_h x block_w tiles must be the input's shard, processed
subblock_w tiles at a time in the destination (tt-metal's LayerNorm / Softmax validate in
ttnn/cpp/ttnn/operations/normalization/{layernorm,softmax}/device/*_device_operation.cpp). The sharded kernels
reduce each row of the block in one destination accumulation, as the interleaved small kernels do, so their
numerics are the interleaved ones; a default config's non-default reduction switches (legacy_reduction,
use_welford) change the arithmetic in ways not modelled here and are refused by name.
"""

from __future__ import annotations

import dataclasses

from ..device import GRID
from ..errors import TTNNError, UnsupportedError
from ..memory import TensorMemoryLayout
from ..program_configs import (
    LayerNormDefaultProgramConfig,
    LayerNormShardedMultiCoreProgramConfig,
    SDPAProgramConfig,
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


def sdpa_compute_config(op: str, program_config, compute):
    """Check an SDPAProgramConfig (grid inside the device, chunk sizes whole tiles: tt-metal's sdpa validate) and
    return the compute config its matmul_math_fidelity selects. Chunking itself (flash attention's online softmax
    over k_chunk_size keys) is not modelled: the emulator reduces each row at once, so configs that only change
    chunk sizes give the same numbers here; options that change the arithmetic further are refused by name."""
    if program_config is None:
        return compute
    if not isinstance(program_config, SDPAProgramConfig):
        raise TTNNError(f"{op}: program_config must be a ttnn.SDPAProgramConfig, got {type(program_config).__name__}")
    grid = program_config.compute_with_storage_grid_size
    if grid.x > GRID.x or grid.y > GRID.y:
        raise _fail(op, program_config, f"compute_with_storage_grid_size ({grid.x}, {grid.y}) exceeds the device grid")
    for name in ("q_chunk_size", "k_chunk_size"):
        size = getattr(program_config, name)
        if size == 0 or size % TILE_WIDTH:
            raise _fail(op, program_config, f"{name} ({size}) must be a positive multiple of the tile width 32")
    if program_config.segmented_accumulation or program_config.max_k_splits != 1:
        raise UnsupportedError(
            f"{op}: SDPAProgramConfig segmented_accumulation / max_k_splits are not modelled by the ttport emulator; "
            "leave them at their defaults to run here"
        )
    if program_config.matmul_math_fidelity is None:
        return compute
    return dataclasses.replace(compute, math_fidelity=program_config.matmul_math_fidelity)
