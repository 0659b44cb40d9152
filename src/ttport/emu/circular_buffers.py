"""Per-core circular buffers (CBs) of the emulated ops, and the L1 check a program's CBs must pass.

A program's CBs sit at the bottom of each core's L1, from the allocator's base upward; L1 buffers are allocated
from the top down (allocator.py). tt-metal checks at launch that the CB region ends below the lowest L1 buffer
(tt_metal/impl/program/program.cpp, "Statically allocated circular buffers ... clash with L1 buffers"), and that
it fits in L1 at all ("... grow to {} B which is beyond max L1 size of {} B"). Each op's CB sizes below follow its
program factory's CircularBufferConfig calls, cited per function; sizes are in tiles times the tile size of the
CB's data format.
"""

from __future__ import annotations

from dataclasses import dataclass

from .device import GRID, L1_BYTES_PER_CORE, L1_RESERVED_BYTES
from .errors import OutOfMemoryError
from .types import DataType

# Bytes of one 32x32 tile per data format (tt_metal/detail TileSize): bfloat8_b is 1024 bytes + 64 exponents.
TILE_BYTES = {
    DataType.BFLOAT16: 2048,
    DataType.FLOAT32: 4096,
    DataType.BFLOAT8_B: 1088,
    DataType.BFLOAT4_B: 576,
    DataType.UINT32: 4096,
    DataType.INT32: 4096,
    DataType.UINT16: 2048,
    DataType.UINT8: 1024,
}


def tile_bytes(dtype: DataType) -> int:
    return TILE_BYTES[dtype]


def intermediate_tile_bytes(fp32_dest_acc_en: bool) -> int:
    """Kernels park intermediates in Float32 with an fp32 destination, else Float16_b (every factory below)."""
    return TILE_BYTES[DataType.FLOAT32 if fp32_dest_acc_en else DataType.BFLOAT16]


def find_max_divisor(value: int, limit: int) -> int:
    """The largest divisor of `value` that is at most `limit` (tt_metal's find_max_divisor)."""
    return next(d for d in range(min(value, limit), 0, -1) if value % d == 0)


@dataclass(frozen=True)
class SoftmaxPlan:
    """What the interleaved softmax program factory decides for one row width."""

    cb_bytes: int  # all CBs on one core
    chunk_tiles: int | None  # None: the whole row is reduced at once; else the large kernel's pass length


SOFTMAX_LARGE_CHUNK_TILES = 80  # the large kernel streams a row in passes of 80 tiles (cb_length = 80)


def softmax_plan(
    width_tiles: int, input_dtype: DataType, fp32_dest_acc_en: bool, *, numeric_stable: bool, mask_dtype=None
) -> SoftmaxPlan:
    """CBs of tt-metal's interleaved (attention-optimized) softmax factory, scale_mask_softmax_multi_core
    (ttnn/.../softmax/device/multi_core/softmax_op_multi_core.cpp): in0 holds the whole row when numeric_stable, the
    exps CB always does; when those (plus the mask CBs) exceed 90% of L1 the factory switches to
    softmax_large_tensor.cpp, which reduces the row in passes of 80 tiles. Totals come out one tile (2,048 B) below the
    CB bytes tt-metal #52045 measured on a later main (bfloat16, numeric_stable: 174,080 B at width 1024, 567,296
    at 4096, 1,091,584 at 8192, 540,6xx at 16384): a one-tile CB the stored factory does not show."""
    block = find_max_divisor(width_tiles, 4 if fp32_dest_acc_en else 8)
    im, in0 = intermediate_tile_bytes(fp32_dest_acc_en), tile_bytes(input_dtype)
    mask = tile_bytes(mask_dtype) if mask_dtype is not None else TILE_BYTES[DataType.BFLOAT16]
    in0_t = width_tiles if numeric_stable else 2 * block
    estimate = in0_t * in0 + width_tiles * im + ((2 * width_tiles + block) * im if mask_dtype is not None else 0)
    large = L1_BYTES_PER_CORE * 0.9 < estimate
    wide = SOFTMAX_LARGE_CHUNK_TILES if large else width_tiles  # in0 / exps / cb_x / mask CBs
    in0_t = SOFTMAX_LARGE_CHUNK_TILES if large else in0_t
    total = in0_t * in0 + 2 * block * in0  # in0, out0 (output format taken as the input's)
    total += im + TILE_BYTES[DataType.BFLOAT16] + wide * im + mask  # 1/sum, reduce scaler, exps, padding mask
    total += 3 * im if large else 0  # running sum, running max, reciprocal
    total += im if numeric_stable else 0  # row max
    total += wide * im if large else 0  # cb_x, the large kernel's masked copy of a pass
    if mask_dtype is not None:
        total += (wide if large else width_tiles + block) * im + TILE_BYTES[DataType.BFLOAT16] + wide * mask
    return SoftmaxPlan(total, SOFTMAX_LARGE_CHUNK_TILES if large else None)


GROW_FIX = "Use smaller blocks in the program_config (fewer tiles per core), a wider core grid, or DRAM inputs."


def check_circular_buffers(op: str, device, cb_bytes: int, cores: str | None = None, fix: str | None = None) -> None:
    """Refuse a program whose CBs do not fit below the device's lowest L1 buffer, with tt-metal's messages; `fix`
    replaces the generic advice (convs name their own knobs)."""
    cores = cores or f"[(x=0,y=0) - (x={GRID.x - 1},y={GRID.y - 1})]"
    region_end = L1_RESERVED_BYTES + cb_bytes
    if region_end > L1_BYTES_PER_CORE:
        raise OutOfMemoryError(
            f"{op}: Statically allocated circular buffers on core range {cores} grow to {region_end} B which is "
            f"beyond max L1 size of {L1_BYTES_PER_CORE} B. " + (fix or GROW_FIX)
        )
    lowest = device._allocator.lowest_l1_address()
    if lowest is not None and region_end > lowest:
        raise OutOfMemoryError(
            f"{op}: Statically allocated circular buffers in program clash with L1 buffers on core range {cores}. "
            f"L1 buffer allocated at {lowest} and static circular buffer region ends at {region_end}. "
            + (
                fix
                or "Deallocate L1 tensors you no longer need (ttnn.deallocate), move some to ttnn.DRAM_MEMORY_CONFIG, "
                "or use smaller blocks in the program_config."
            )
        )
