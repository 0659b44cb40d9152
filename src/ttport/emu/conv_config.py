"""ttnn.Conv2dConfig (also ttnn.Conv1dConfig: in 0.81.1 both names are one class) and ttnn.PaddingMode.

Fields, defaults and repr are real ttnn 0.81.1's (recorded with tools/ttnn_oracle: Conv2dConfig.__init__'s
signature and repr(ttnn.Conv2dConfig())). What the emulator does with each field is in FIELD_TREATMENT: modelled
(changes results or the conv's L1 plan), placement (only where or how fast the conv runs: accepted), or refused.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from .errors import TTNNError, UnsupportedError
from .memory import CoreRangeSet, TensorMemoryLayout
from .ops.activations import UnaryWithParam
from .types import DataType, Layout, TTNNEnum


class PaddingMode(TTNNEnum):
    Zeros = 0
    Replicate = 1


@dataclass(kw_only=True)
class Conv2dConfig:
    weights_dtype: DataType | None = None
    activation: UnaryWithParam | None = None
    deallocate_activation: bool = False
    reallocate_halo_output: bool = True
    config_tensors_in_dram: bool = False
    act_block_h_override: int = 0
    act_block_w_div: int = 1
    reshard_if_not_optimal: bool = False
    override_sharding_config: bool = False
    shard_layout: TensorMemoryLayout | None = None
    core_grid: CoreRangeSet | None = None
    transpose_shards: bool = False
    output_layout: Layout = Layout.TILE
    enable_act_double_buffer: bool = False
    enable_weights_double_buffer: bool = False
    full_inner_dim: bool = False
    enable_kernel_stride_folding: bool | None = None
    enable_activation_reuse: bool = False
    force_split_reader: bool | None = None
    override_output_sharding_config: bool = False
    padding_mode: PaddingMode = PaddingMode.Zeros

    def __post_init__(self):
        # Real ttnn's binding refuses a wrong type at construction (nanobind's "incompatible function arguments").
        if self.activation is not None and not isinstance(self.activation, UnaryWithParam):
            raise TypeError(
                f"Conv2dConfig: activation must be a ttnn.UnaryWithParam, got {self.activation!r}; "
                "write activation=ttnn.UnaryWithParam(ttnn.UnaryOpType.RELU)"
            )

    def __repr__(self) -> str:
        return "Conv2dConfig(" + ",".join(f"{f.name}={_cpp(getattr(self, f.name))}" for f in fields(self)) + ")"


Conv1dConfig = Conv2dConfig


def _cpp(value) -> str:
    """A field as ttnn's repr prints it (std::nullopt, 0/1 for bools, Enum::NAME)."""
    if value is None:
        return "std::nullopt"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, TTNNEnum):
        return f"{type(value).__name__}::{value.name}"
    if isinstance(value, UnaryWithParam):
        params = f",params={value.params}" if value.params else ""
        return f"UnaryWithParam(op_type=UnaryOpType::{value.op_type.name}{params})"
    return str(value)


# field -> how the emulator treats it (docs/ttnn-numerics.md, "Convolutions").
FIELD_TREATMENT = {
    "weights_dtype": "modelled: weights (and bias) stored in it",
    "activation": "modelled: fused, applied in the destination before packing",
    "deallocate_activation": "modelled: the input is freed once the halo has read it",
    "reallocate_halo_output": "placement: moves the halo buffer to defragment L1",
    "config_tensors_in_dram": "modelled: the reader-indices buffer leaves L1",
    "act_block_h_override": "modelled: the activation block height of the L1 plan",
    "act_block_w_div": "modelled: the activation block width of a width-sharded L1 plan",
    "reshard_if_not_optimal": "placement",
    "override_sharding_config": "modelled: core_grid replaces the chosen grid",
    "shard_layout": "modelled: the L1 plan's sharding (auto when None)",
    "core_grid": "modelled with override_sharding_config",
    "transpose_shards": "placement",
    "output_layout": "modelled",
    "enable_act_double_buffer": "modelled: doubles the activation circular buffer",
    "enable_weights_double_buffer": "modelled: doubles the weights circular buffer",
    "full_inner_dim": "modelled: a block-sharded activation block spans the whole kernel",
    "enable_kernel_stride_folding": "placement: folding kernel == stride is an exact re-indexing",
    "enable_activation_reuse": "refused: its circular-buffer sizing is not modelled",
    "force_split_reader": "placement: splits the activation reader over two RISC-Vs",
    "override_output_sharding_config": "refused: not modelled",
    "padding_mode": "modelled: Zeros or Replicate",
}


def check_conv_config(op: str, config) -> Conv2dConfig:
    """The config a conv runs with: the default one when None; unmodelled fields refused by name."""
    if config is None:
        return Conv2dConfig()
    if not isinstance(config, Conv2dConfig):
        raise TTNNError(f"{op}: conv_config must be a ttnn.Conv2dConfig, got {type(config).__name__}")
    for name in ("enable_activation_reuse", "override_output_sharding_config"):
        if getattr(config, name):
            raise UnsupportedError(
                f"{op}: Conv2dConfig.{name}=True is not modelled by the ttport emulator (its L1 plan differs); "
                "leave it False here, or run on a Tenstorrent device"
            )
    if config.act_block_h_override % 32:
        raise TTNNError(
            f"{op}: Config Error: act_block_h_override must be a multiple of 32 (tile height), got "
            f"{config.act_block_h_override}"
        )
    if config.override_sharding_config and (config.core_grid is None or config.shard_layout is None):
        raise TTNNError(
            f"{op}: If override_sharding_config is set, core_grid and shard_layout must be set as well "
            "(Conv2dConfig(override_sharding_config=True, core_grid=ttnn.CoreRangeSet(...), shard_layout=...))"
        )
    if config.output_layout not in (Layout.TILE, Layout.ROW_MAJOR):
        raise TTNNError(f"{op}: Conv2dConfig.output_layout must be ttnn.TILE_LAYOUT or ttnn.ROW_MAJOR_LAYOUT")
    return config
