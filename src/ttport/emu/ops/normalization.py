"""softmax, layer_norm and rms_norm: the kernels' phases with their intermediate roundings.

Each phase's result is parked in a circular buffer in the intermediate format (bfloat16 unless fp32_dest_acc_en),
reductions accumulate tile by tile in the destination register, exp / rsqrt / reciprocal run on the vector unit in
fp32. These ops work on the logical values (the kernels mask the padding) and leave zeros in the padding.
"""

from __future__ import annotations

import torch

from ..circular_buffers import check_circular_buffers, softmax_plan
from ..errors import ShapeError
from ..numerics import MathFidelity, WormholeComputeKernelConfig, destination_sum, intermediate, resolve_config
from ..program_configs import SoftmaxDefaultProgramConfig
from ..registry import elementwise_flops, require_device, ttnn_op
from ..types import TILE_WIDTH, DataType, round_up
from ._common import as_float, finish, refuse_unmodelled
from .norm_config import check_norm_program_config, check_softmax_program_config  # noqa: F401 (re-exported)


# Defaults when no compute_kernel_config is passed, from tt-metal's sources (docs/ttnn-numerics.md §3, §4):
# softmax (and attention_softmax): HiFi4, approximate exp, fp32 destination only for float32 inputs
# (softmax_device_operation.cpp); layer_norm: HiFi4, exact, fp32 destination (layernorm_default_compute_config);
# rms_norm: HiFi4, approximate, 16-bit destination (rmsnorm_default_compute_config).
# The approximate exp's algorithm is not documented: the emulator's exp stays exact (a known difference).
def softmax_config(input_dtype: DataType) -> WormholeComputeKernelConfig:
    return WormholeComputeKernelConfig(
        math_fidelity=MathFidelity.HiFi4, math_approx_mode=True, fp32_dest_acc_en=input_dtype is DataType.FLOAT32
    )


LAYER_NORM_CONFIG = WormholeComputeKernelConfig(
    math_fidelity=MathFidelity.HiFi4, math_approx_mode=False, fp32_dest_acc_en=True
)
RMS_NORM_CONFIG = WormholeComputeKernelConfig(
    math_fidelity=MathFidelity.HiFi4, math_approx_mode=True, fp32_dest_acc_en=False
)


def softmax_values(
    values: torch.Tensor, dim: int, config, *, numeric_stable: bool = True, chunk: int | None = None
) -> torch.Tensor:
    """exp(x - max) / sum, phase by phase as the softmax kernel computes it.

    With `chunk` (elements), the row is reduced as softmax_large_tensor.cpp does it: each pass of `chunk` values
    is summed tile by tile in the destination, packed to a one-tile CB in the intermediate format, and added to
    the previous passes' sum on the vector unit (add_binary_tile), so no single destination accumulation spans
    more than one pass. That is why a 32,000-wide bfloat16 row still sums to ~1 on a card.
    """
    if numeric_stable:
        values = values - values.amax(dim=dim, keepdim=True)
    exps = intermediate(torch.exp(values), config)
    recip = intermediate(torch.reciprocal(_row_sum(exps, dim, config, chunk)), config)
    return exps * recip


def _row_sum(exps: torch.Tensor, dim: int, config, chunk: int | None) -> torch.Tensor:
    if chunk is None or exps.shape[dim] <= chunk:
        return destination_sum(exps, dim, config)
    total = None
    for part in exps.split(chunk, dim=dim):
        partial = intermediate(destination_sum(part, dim, config), config)
        total = partial if total is None else intermediate(total + partial, config)
    return total


def softmax_chunk(input_tensor, config, *, numeric_stable: bool, mask_dtype=None) -> int | None:
    """The large kernel's pass length in elements, or None when the small kernel reduces the whole row at once.

    Checks the program's circular buffers against the device's L1 on the way, as the device does at launch."""
    width_tiles = round_up(input_tensor.shape[-1] if len(input_tensor.shape) else 1, TILE_WIDTH) // TILE_WIDTH
    plan = softmax_plan(
        width_tiles, input_tensor.dtype, config.fp32_dest_acc_en, numeric_stable=numeric_stable, mask_dtype=mask_dtype
    )
    check_circular_buffers("ttnn.softmax", input_tensor.device(), plan.cb_bytes)
    return None if plan.chunk_tiles is None else plan.chunk_tiles * TILE_WIDTH


DEFAULT_SOFTMAX_PROGRAM_CONFIG = SoftmaxDefaultProgramConfig()


@ttnn_op("ttnn.softmax", flops=elementwise_flops(6))
def softmax(input_tensor, dim=-1, *, memory_config=None, compute_kernel_config=None, numeric_stable=True):
    """Softmax over `dim` of the logical values."""
    require_device("ttnn.softmax", "input_tensor", input_tensor)
    rank = len(input_tensor.shape)
    if not -rank <= dim < rank:
        raise ShapeError(f"ttnn.softmax: dim {dim} is out of range for shape {list(input_tensor.shape)}")
    config = resolve_config("ttnn.softmax", compute_kernel_config, softmax_config(input_tensor.dtype))
    last = dim in (-1, rank - 1)  # other dims take the general (moreh) kernels, which reduce the whole dim at once
    chunk = softmax_chunk(input_tensor, config, numeric_stable=numeric_stable)
    values = as_float(input_tensor._logical())
    values = softmax_values(values, dim, config, numeric_stable=numeric_stable, chunk=chunk if last else None)
    return finish("ttnn.softmax", values, dtype=input_tensor.dtype, like=input_tensor, memory_config=memory_config)


def _norm_parameter(op: str, name: str, parameter, width: int) -> torch.Tensor | None:
    """gamma / beta as a (width,) row: ttnn takes them as TILE (1, W) or ROW_MAJOR (W/32, 32)."""
    if parameter is None:
        return None
    require_device(op, name, parameter, tile=False)
    values = as_float(parameter._logical())
    if values.numel() != width:
        raise ShapeError(
            f"{op}: {name} is {list(parameter.shape)} but the input's last dim is {width}; "
            f"pass a (1, {width}) tensor (ttnn.model_preprocessing.preprocess_layernorm_parameter)"
        )
    return values.reshape(width)


def _normalize(
    op,
    input_tensor,
    *,
    epsilon,
    weight,
    bias,
    residual_input_tensor,
    memory_config,
    program_config,
    compute_kernel_config,
    default_config: WormholeComputeKernelConfig,
    center: bool,
):
    require_device(op, "input_tensor", input_tensor)
    config = resolve_config(op, compute_kernel_config, default_config)
    check_norm_program_config(op, program_config, input_tensor, config)
    width = input_tensor.shape[-1]
    values = as_float(input_tensor._logical())
    if residual_input_tensor is not None:
        require_device(op, "residual_input_tensor", residual_input_tensor)
        if tuple(residual_input_tensor.shape) != tuple(input_tensor.shape):
            raise ShapeError(
                f"{op}: residual_input_tensor is {list(residual_input_tensor.shape)} but input_tensor is "
                f"{list(input_tensor.shape)}; they must match"
            )
        values = intermediate(values + as_float(residual_input_tensor._logical()), config)
    if center:
        mean = intermediate(destination_sum(values, -1, config) / width, config)
        values = intermediate(values - mean, config)
    variance = intermediate(destination_sum(intermediate(values * values, config), -1, config) / width, config)
    normalized = intermediate(values * intermediate(torch.rsqrt(variance + epsilon), config), config)
    gamma = _norm_parameter(op, "weight", weight, width)
    beta = _norm_parameter(op, "bias", bias, width)
    if gamma is not None:
        normalized = normalized * gamma
    if beta is not None:
        normalized = intermediate(normalized, config) + beta
    return finish(op, normalized, dtype=input_tensor.dtype, like=input_tensor, memory_config=memory_config)


@ttnn_op("ttnn.layer_norm", flops=elementwise_flops(8))
def layer_norm(
    input_tensor,
    *,
    epsilon=1e-12,
    weight=None,
    bias=None,
    residual_input_tensor=None,
    memory_config=None,
    program_config=None,
    compute_kernel_config=None,
    recip_tensor=None,
):
    """LayerNorm over the last dim: (x [+ residual] - mean) / sqrt(var + epsilon) * weight + bias."""
    refuse_unmodelled("ttnn.layer_norm", recip_tensor=recip_tensor)
    return _normalize(
        "ttnn.layer_norm",
        input_tensor,
        epsilon=epsilon,
        weight=weight,
        bias=bias,
        residual_input_tensor=residual_input_tensor,
        memory_config=memory_config,
        program_config=program_config,
        compute_kernel_config=compute_kernel_config,
        default_config=LAYER_NORM_CONFIG,
        center=True,
    )


@ttnn_op("ttnn.rms_norm", flops=elementwise_flops(6))
def rms_norm(
    input_tensor,
    *,
    epsilon=1e-12,
    weight=None,
    bias=None,
    residual_input_tensor=None,
    memory_config=None,
    program_config=None,
    compute_kernel_config=None,
):
    """RMSNorm over the last dim: x [+ residual] / sqrt(mean(x^2) + epsilon) * weight + bias."""
    return _normalize(
        "ttnn.rms_norm",
        input_tensor,
        epsilon=epsilon,
        weight=weight,
        bias=bias,
        residual_input_tensor=residual_input_tensor,
        memory_config=memory_config,
        program_config=program_config,
        compute_kernel_config=compute_kernel_config,
        default_config=RMS_NORM_CONFIG,
        center=False,
    )
