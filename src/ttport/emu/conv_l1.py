"""The per-core L1 a convolution needs, and its check against the L1 buffers already allocated.

Real ttnn runs a conv as: shard the input into L1 (if it is not already), a halo op that gathers each core's input
rows plus the overlap its windows need (an L1 buffer), then the conv program, whose circular buffers (CBs) sit in
one region at the bottom of every core's L1 while L1 buffers are allocated from the top down. When the program is
launched, tt-metal checks that region against the lowest L1 buffer (tt_metal/impl/program/program.cpp:
"Statically allocated circular buffers in program N clash with L1 buffers on core range ..."). This module
plans the CBs as tt-metal's conv2d does and runs that check on the emulated allocator.

Sources (tenstorrent/tt-metal, ttnn/cpp/ttnn/operations/conv/conv2d/):
- conv2d_utils.cpp: determine_parallel_config (cores along NHW / channels per shard layout),
  determine_per_core_conv_block_config (act_block_h = the per-core output height unless act_block_h_override;
  act_block_w = round_up(C_in_padded * kernel_w, 32) height sharded, per channel-core for block sharded),
  get_input_channels_alignment (8 for ROW_MAJOR input not width sharded, else 32; 32 for depthwise),
  determine_conv_config_for_auto_shard (the smallest total of height / block / width sharding wins).
- conv2d_op_program_factory_common.cpp get_cb_info: the CBs below (per core, in tiles):
    weights   per_core_out_w * act_block_w (x kernel_h when height sharded with more than one act block,
              else x2 with enable_weights_double_buffer), in the weights' tile size
    partials  per_core_out_h * per_core_out_w, unless it shares the output buffer (tiled output in its own dtype)
    act       act_block_h * act_block_w (x2 with enable_act_double_buffer), input tile (height) / output tile
    tilized   act_block_h * act_block_w output tiles
    bias      per_core_out_w weight tiles when there is a bias
    row-major act_block_w * 2 (width sharded) or act_block_h * act_block_w (block sharded, unless overlapped)
    scratch   64 B
  The output, the sharded input and (unless config_tensors_in_dram) the reader indices are L1 buffers.
- tt_metal/impl/buffers/buffer.cpp: bottom_up = is_dram(), so L1 buffers grow from the top of L1 (the emulated
  allocator does the same; circular_buffers.py holds the other ops' CB plans).
Split-reader halving of the activation CB and the exact halo element count (calculate_precise_halo_output_elems)
are approximated: the halo buffer holds the input rows one core's output rows read, at full padded width.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

from . import circular_buffers
from .device import GRID, Device
from .errors import TTNNError
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
from .types import DataType, round_up

TILE = 32
L1_SCRATCH_BYTES = 64
CORES = GRID.x * GRID.y

HEIGHT = TensorMemoryLayout.HEIGHT_SHARDED
BLOCK = TensorMemoryLayout.BLOCK_SHARDED
WIDTH = TensorMemoryLayout.WIDTH_SHARDED
ROW_MAJOR = ShardOrientation.ROW_MAJOR


@dataclass(frozen=True)
class ConvShape:
    batch: int
    in_channels: int
    out_channels: int
    input_hw: tuple[int, int]
    output_hw: tuple[int, int]
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int, int, int]  # top, bottom, left, right
    dilation: tuple[int, int]
    groups: int
    bias: bool

    @property
    def depthwise(self) -> bool:
        return self.groups == self.in_channels == self.out_channels

    @property
    def matmul(self) -> bool:
        """A 1x1, stride-1, unpadded conv runs as a matmul (no halo)."""
        return self.kernel == (1, 1) and self.stride == (1, 1) and not any(self.padding)


@dataclass(frozen=True)
class ConvPlan:
    shard_layout: TensorMemoryLayout
    cores_nhw: int
    cores_c_in: int
    cores_c_out: int
    in_channels_padded: int
    per_core_out_h: int  # tiles
    per_core_out_w: int  # tiles
    act_block_h: int  # tiles
    act_block_w: int  # tiles
    cb_bytes: dict  # CB name -> bytes per core
    output_bytes: int  # per core
    halo_bytes: int  # per core
    indices_bytes: int  # per core, an L1 buffer unless config_tensors_in_dram

    @property
    def cb_total(self) -> int:
        return sum(self.cb_bytes.values())

    @property
    def num_cores(self) -> int:
        return (
            self.cores_nhw * max(self.cores_c_in, self.cores_c_out)
            if self.shard_layout is BLOCK
            else max(self.cores_nhw, self.cores_c_in, self.cores_c_out)
        )


def closest_divisor(num: int, start: int) -> int:
    return next(d for d in range(min(start, num), 0, -1) if num % d == 0)


def divisor_with_padding(num: int, start: int, mult: int = 1) -> int:
    """The largest divisor <= start whose padding of num to a multiple of divisor*mult wastes less than one share
    (conv2d_utils.cpp find_closest_largest_divisor_with_num_padding[_and_mult])."""
    divisor = start
    while divisor > 1:
        padded = round_up(num, divisor * mult)
        if padded - num < padded // divisor:
            break
        divisor -= 1
    return max(divisor, 1)


def channels_alignment(shape: ConvShape, layout: TensorMemoryLayout, row_major_input: bool) -> int:
    if shape.depthwise or shape.matmul or layout is WIDTH or not row_major_input:
        return TILE
    return 8  # L1 alignment (16 B) / 2 B: one bfloat16 stick per NoC transfer


def _parallel(shape: ConvShape, layout: TensorMemoryLayout, align: int, act_block_h_override: int) -> tuple:
    out_nhw_tiles = math.ceil(shape.batch * shape.output_hw[0] * shape.output_hw[1] / TILE)
    override_tiles = act_block_h_override // TILE or 1
    if layout is HEIGHT:
        return divisor_with_padding(out_nhw_tiles, CORES, override_tiles), 1, 1
    if layout is BLOCK:
        cores_nhw = divisor_with_padding(out_nhw_tiles, GRID.y, override_tiles)
        cores_c_in = divisor_with_padding(math.ceil(shape.in_channels / align), GRID.x)
        cores_c_out = divisor_with_padding(math.ceil(shape.out_channels / TILE), GRID.x)
        return cores_nhw, cores_c_in, cores_c_out
    cores_c_in = divisor_with_padding(math.ceil(shape.in_channels / TILE), CORES)
    cores_c_out = divisor_with_padding(math.ceil(shape.out_channels / TILE), CORES)
    return 1, cores_c_in, cores_c_out


def plan(shape: ConvShape, config, dtypes: tuple, fp32_dest: bool, row_major_input: bool) -> ConvPlan:
    """The conv's L1 plan for one shard layout (config.shard_layout, or the auto choice when None)."""
    if config.shard_layout is None:
        candidates = [_plan(shape, config, layout, dtypes, fp32_dest, row_major_input) for layout in (HEIGHT,)]
        if not (shape.depthwise and shape.input_hw[0] == 1):
            candidates += [_plan(shape, config, BLOCK, dtypes, fp32_dest, row_major_input)]
            if not shape.matmul:
                candidates += [_plan(shape, config, WIDTH, dtypes, fp32_dest, row_major_input)]
        return _auto_choice(candidates)
    return _plan(shape, config, config.shard_layout, dtypes, fp32_dest, row_major_input)


def _auto_choice(candidates: list[ConvPlan]) -> ConvPlan:
    """determine_conv_config_for_auto_shard: block sharding wins over height only with >= grid.x cores; width
    wins when smaller still."""
    best = candidates[0]
    for candidate in candidates[1:]:
        total = candidate.cb_total + candidate.output_bytes + candidate.halo_bytes
        if total >= best.cb_total + best.output_bytes + best.halo_bytes:
            continue
        if candidate.shard_layout is BLOCK and candidate.num_cores < GRID.x:
            continue
        best = candidate
    return best


def _plan(shape: ConvShape, config, layout, dtypes, fp32_dest: bool, row_major_input: bool) -> ConvPlan:
    input_dtype, weights_dtype, output_dtype = dtypes
    if layout not in (HEIGHT, BLOCK, WIDTH):
        raise TTNNError(f"ttnn.conv2d: Conv2d supports Height, Block or Width Sharded Layouts but got {layout}")
    align = channels_alignment(shape, layout, row_major_input)
    cores_nhw, cores_c_in, cores_c_out = _parallel(shape, layout, align, config.act_block_h_override)
    if config.override_sharding_config and config.core_grid is not None:
        cores_nhw = config.core_grid.num_cores() if layout is HEIGHT else cores_nhw
    in_padded = round_up(shape.in_channels, cores_c_in * align)
    nhw = shape.batch * shape.output_hw[0] * shape.output_hw[1]
    per_core_out_h = round_up(nhw, cores_nhw * TILE) // cores_nhw // TILE
    per_core_out_w = math.ceil(round_up(shape.out_channels, cores_c_out * TILE) / cores_c_out / TILE)
    act_block_h = per_core_out_h
    if config.act_block_h_override:
        act_block_h = closest_divisor(per_core_out_h, config.act_block_h_override // TILE)
    kh, kw = shape.kernel
    if layout is HEIGHT:
        act_block_w = round_up(in_padded * kw, TILE) // TILE
    elif layout is BLOCK:
        act_block_w = round_up(in_padded // cores_c_in * kw * (kh if config.full_inner_dim else 1), TILE) // TILE
    else:
        width = in_padded * kh * kw // (cores_c_in * config.act_block_w_div)
        act_block_w = max(round_up(width, TILE) // TILE, 1)
    conv_input = DataType.FLOAT32 if input_dtype is DataType.FLOAT32 else DataType.BFLOAT16
    sizes = tuple(circular_buffers.tile_bytes(dtype) for dtype in (conv_input, weights_dtype, output_dtype))
    blocks = (per_core_out_h, per_core_out_w, act_block_h, act_block_w)
    cbs = _circular_buffers(shape, config, layout, blocks, sizes, fp32_dest, (conv_input, output_dtype))
    output_bytes = per_core_out_h * per_core_out_w * sizes[2]
    halo = 0 if shape.matmul else _halo_bytes(shape, per_core_out_h, in_padded // cores_c_in, sizes[0] // 1024)
    indices = 0 if config.config_tensors_in_dram else per_core_out_h * TILE * 2
    return ConvPlan(
        layout, cores_nhw, cores_c_in, cores_c_out, in_padded, per_core_out_h, per_core_out_w, act_block_h,
        act_block_w, cbs, output_bytes, halo, indices,
    )  # fmt: skip


def _circular_buffers(shape, config, layout, blocks, sizes, fp32_dest: bool, formats) -> dict:
    per_core_out_h, per_core_out_w, act_block_h, act_block_w = blocks
    input_tile, weights_tile, output_tile = sizes
    conv_input, output_dtype = formats
    kh = shape.kernel[0]
    weights = per_core_out_w * act_block_w
    if layout is HEIGHT and per_core_out_h // act_block_h > 1:
        weights *= kh  # the whole kernel height stays resident while act blocks stream past
    elif config.enable_weights_double_buffer:
        weights *= 2
    # packer_l1_acc is off by default for convs, so partials are kept in the output's own format.
    partial_dtype = output_dtype
    partials_share_output = config.output_layout.name == "TILE" and partial_dtype == output_dtype
    act = act_block_h * act_block_w * (2 if config.enable_act_double_buffer else 1)
    act_tile = input_tile if layout is HEIGHT else output_tile
    row_major = 0
    if layout is WIDTH:
        row_major = act_block_w * 2
    elif layout is BLOCK and conv_input != output_dtype:
        row_major = act
    return {
        "weights": weights * weights_tile,
        "matmul_partials": 0 if partials_share_output else per_core_out_h * per_core_out_w * output_tile,
        "act": act * act_tile,
        "act_tilized": act_block_h * act_block_w * output_tile,
        "bias": per_core_out_w * weights_tile if shape.bias else 0,
        "act_row_major": row_major * input_tile,
        "l1_scratch": L1_SCRATCH_BYTES,
    }


def _halo_bytes(shape: ConvShape, per_core_out_h: int, channels: int, datum: int) -> int:
    """Input rows (at padded width) that one core's output rows read."""
    out_h, out_w = shape.output_hw
    rows = per_core_out_h * TILE
    out_lines = min(math.ceil(rows / out_w) + 1, out_h * shape.batch)
    window = (shape.kernel[0] - 1) * shape.dilation[0] + 1
    in_lines = (out_lines - 1) * shape.stride[0] + window
    width = shape.input_hw[1] + shape.padding[2] + shape.padding[3]
    return in_lines * width * channels * max(datum, 2)


# -- the check on the emulated allocator ------------------------------------------------------------------------

_peaks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def l1_bank(device: Device):
    return device._allocator.banks[BufferType.L1][0]


def check_circular_buffers(op: str, device: Device, conv_plan: ConvPlan) -> None:
    """Refuse a conv whose CB region would reach into L1 buffers, as tt-metal does when the program launches."""
    used = l1_bank(device).size - sum(end - start for start, end in l1_bank(device).free)
    _peaks[device] = max(_peaks.get(device, 0), used + conv_plan.cb_total)
    fix = (
        f"Its circular buffers need {conv_plan.cb_total} B per core ({_largest(conv_plan)}); free L1 "
        "(ttnn.deallocate, Conv2dConfig(deallocate_activation=True), activations in ttnn.DRAM_MEMORY_CONFIG), or "
        "shrink the activation block (Conv2dConfig(act_block_h_override=32 * k)) or choose another shard_layout."
    )
    circular_buffers.check_circular_buffers(op, device, conv_plan.cb_total, fix=fix)


def _largest(conv_plan: ConvPlan) -> str:
    name, size = max(conv_plan.cb_bytes.items(), key=lambda item: item[1])
    return f"{conv_plan.shard_layout.name}, act_block_h {conv_plan.act_block_h * TILE}, largest CB {name} {size} B"


def allocate_per_core(device: Device, nbytes: int):
    """An L1 buffer of `nbytes` on every core (sharded buffers take the same range in every bank)."""
    if nbytes <= 0:
        return None
    return device._allocator.allocate_sharded(nbytes, CORES)


def release(device: Device, buffer) -> None:
    if buffer is not None:
        device._allocator.release(buffer)


def l1_peak(device: Device) -> int:
    """The highest per-core L1 (buffers + a conv's circular buffers) any conv on `device` ran with, in bytes."""
    return _peaks.get(device, 0)


def reset_l1_peak(device: Device) -> None:
    _peaks.pop(device, None)


# -- where the output lands -------------------------------------------------------------------------------------


def _row_major_cores(count: int) -> CoreRangeSet:
    """`count` cores filled row by row over the grid (tt-metal's num_cores_to_corerangeset, row-wise)."""
    full, rest = divmod(count, GRID.x)
    ranges = set()
    if full:
        ranges.add(CoreRange(CoreCoord(0, 0), CoreCoord(GRID.x - 1, full - 1)))
    if rest:
        ranges.add(CoreRange(CoreCoord(0, full), CoreCoord(rest - 1, full)))
    return CoreRangeSet(ranges)


def output_memory_config(conv_plan: ConvPlan, rows: int, channels: int) -> MemoryConfig:
    """The conv's own output placement: sharded in L1 over its plan's cores (conv2d_utils.cpp
    create_sharded_memory_config_from_parallel_config)."""
    shard_h, shard_w = conv_plan.per_core_out_h * TILE, conv_plan.per_core_out_w * TILE
    if conv_plan.shard_layout is HEIGHT:
        grid, shard_w = _row_major_cores(conv_plan.cores_nhw), round_up(channels, TILE)
    elif conv_plan.shard_layout is WIDTH:
        grid, shard_h = _row_major_cores(conv_plan.cores_c_out), round_up(rows, TILE)
    else:
        corner = CoreCoord(conv_plan.cores_c_out - 1, conv_plan.cores_nhw - 1)
        grid = CoreRangeSet({CoreRange(CoreCoord(0, 0), corner)})
    return MemoryConfig(conv_plan.shard_layout, BufferType.L1, ShardSpec(grid, (shard_h, shard_w), ROW_MAJOR))


def height_sharded(rows: int, width: int, tiled: bool) -> MemoryConfig:
    """A pool's output placement: height sharded in L1, whole tiles of rows per core."""
    tiles = math.ceil(rows / TILE)
    cores = divisor_with_padding(tiles, CORES)
    shard_h = round_up(tiles, cores) // cores * TILE
    spec = ShardSpec(_row_major_cores(cores), (shard_h, round_up(width, TILE) if tiled else width), ROW_MAJOR)
    return MemoryConfig(HEIGHT, BufferType.L1, spec)
