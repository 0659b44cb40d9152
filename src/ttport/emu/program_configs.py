"""ttnn's program configs: how an op blocks its work over the cores. Constructors, fields and reprs are real
ttnn 0.81.1's (read from the installed wheel: keyword-only arguments, `compute_with_storage_grid_size` as a
CoreCoord or an (x, y) tuple, out_block_h/w defaulting to per_core_M/N).

Validation against shapes, grid and L1 lives with each op (matmul_blocking.py, ops/normalization.py); these
classes only hold and print the values.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from .memory import CoreCoord, CoreRangeSet

NO_CORES = CoreRangeSet(())  # immutable, prints as ttnn's empty set: {}


def _grid(value) -> CoreCoord:
    if isinstance(value, CoreCoord):
        return value
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return CoreCoord(*value)
    raise TypeError(
        f"compute_with_storage_grid_size must be a ttnn.CoreCoord or an (x, y) tuple, got {value!r} "
        "(e.g. device.compute_with_storage_grid_size())"
    )


def _cpp(value, bools: tuple[str, str]) -> str:
    """A field as ttnn's C++ reflection prints it: bools as 0/1 (or false/true), None as std::nullopt."""
    if value is None:
        return "std::nullopt"
    if isinstance(value, bool):
        return bools[value]
    if isinstance(value, CoreRangeSet) and not value.ranges_:
        return "{}"
    return repr(value)


class _ProgramConfig:
    """Shared: grid coercion, positive ints, and ttnn's repr (Name(field=value,...))."""

    _separator = ","
    _bools = ("0", "1")

    def __post_init__(self):
        if hasattr(self, "compute_with_storage_grid_size"):
            self.compute_with_storage_grid_size = _grid(self.compute_with_storage_grid_size)
        if isinstance(getattr(self, "fused_activation", None), tuple):  # ttnn converts (op_type, param) implicitly
            from .ops.activations import UnaryWithParam

            self.fused_activation = UnaryWithParam(*self.fused_activation)
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type == "int" and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise TypeError(f"{type(self).__name__}: {f.name} must be a non-negative int, got {value!r}")

    def __repr__(self) -> str:
        shown = self._separator.join(
            f"{f.name}={_cpp(getattr(self, f.name), self._bools)}" for f in fields(self) if f.repr
        )
        return f"{type(self).__name__}({shown})"


@dataclass(kw_only=True, repr=False)
class MatmulMultiCoreReuseProgramConfig(_ProgramConfig):
    compute_with_storage_grid_size: CoreCoord
    in0_block_w: int
    out_subblock_h: int
    out_subblock_w: int
    per_core_M: int
    per_core_N: int
    allowed_worker_cores: CoreRangeSet | None = None


@dataclass(kw_only=True, repr=False)
class MatmulMultiCoreReuseMultiCastProgramConfig(_ProgramConfig):
    compute_with_storage_grid_size: CoreCoord
    in0_block_w: int
    out_subblock_h: int
    out_subblock_w: int
    out_block_h: int | None = None
    out_block_w: int | None = None
    per_core_M: int
    per_core_N: int
    transpose_mcast: bool
    fused_activation: object = None
    fuse_batch: bool = True
    allowed_worker_cores: CoreRangeSet | None = None

    def __post_init__(self):
        super().__post_init__()
        self.out_block_h = self.per_core_M if self.out_block_h is None else self.out_block_h
        self.out_block_w = self.per_core_N if self.out_block_w is None else self.out_block_w


@dataclass(kw_only=True, repr=False)
class MatmulMultiCoreReuseMultiCast1DProgramConfig(_ProgramConfig):
    compute_with_storage_grid_size: CoreCoord
    in0_block_w: int
    out_subblock_h: int
    out_subblock_w: int
    out_block_h: int | None = None
    out_block_w: int | None = None
    per_core_M: int
    per_core_N: int
    fuse_batch: bool
    fused_activation: object = None
    mcast_in0: bool
    gather_in0: bool = False
    hop_cores: CoreRangeSet = NO_CORES
    num_global_cb_receivers: int = 1
    untilize_out: bool = False
    allowed_worker_cores: CoreRangeSet | None = None
    stream_in1: bool = False

    def __post_init__(self):
        super().__post_init__()
        self.out_block_h = self.per_core_M if self.out_block_h is None else self.out_block_h
        self.out_block_w = self.per_core_N if self.out_block_w is None else self.out_block_w


MATMUL_PROGRAM_CONFIGS = (
    MatmulMultiCoreReuseProgramConfig,
    MatmulMultiCoreReuseMultiCastProgramConfig,
    MatmulMultiCoreReuseMultiCast1DProgramConfig,
)


@dataclass(kw_only=True, repr=False)
class LayerNormDefaultProgramConfig(_ProgramConfig):
    legacy_reduction: bool = False
    legacy_rsqrt: bool = field(default=False, repr=False)  # deprecated in 0.81.1 and not printed
    use_welford: bool = False


@dataclass(kw_only=True, repr=False)
class LayerNormShardedMultiCoreProgramConfig(_ProgramConfig):
    compute_with_storage_grid_size: CoreCoord
    subblock_w: int
    block_h: int
    block_w: int
    inplace: bool
    legacy_reduction: bool = False
    legacy_rsqrt: bool = field(default=False, repr=False)
    use_welford: bool = False


class SoftmaxDefaultProgramConfig:
    """ttnn's default softmax program config: interleaved inputs, the op picks its blocking (no fields)."""


@dataclass(kw_only=True, repr=False)
class SoftmaxShardedMultiCoreProgramConfig(_ProgramConfig):
    _separator = ", "
    compute_with_storage_grid_size: CoreCoord
    subblock_w: int
    block_h: int
    block_w: int


@dataclass(kw_only=True, repr=False)
class SDPAProgramConfig(_ProgramConfig):
    _separator = ", "
    _bools = ("false", "true")
    compute_with_storage_grid_size: CoreCoord
    sub_core_grids: CoreRangeSet | None = None
    q_chunk_size: int
    k_chunk_size: int
    exp_approx_mode: bool | None = None
    max_cores_per_head_batch: int = 16
    max_k_splits: int = 1
    matmul_math_fidelity: object = None
    segmented_accumulation: bool = False


def dest_tile_count(config) -> int:
    """Tiles the destination register holds for one subblock: 16, halved without dst_full_sync_en (double
    buffering) and halved again with an fp32 destination (ttnn::get_dest_reg_count; tt-metal #13080, PR #13347)."""
    count = 16 if config.dst_full_sync_en else 8
    return count // 2 if config.fp32_dest_acc_en else count
