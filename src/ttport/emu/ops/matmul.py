"""ttnn.matmul and ttnn.linear on the emulated matrix engine (math fidelity, 16-bit or fp32 destination)."""

from __future__ import annotations

import math

import torch

from .. import formats
from ..errors import ShapeError, TTNNError
from ..memory import DRAM_MEMORY_CONFIG, CoreGrid
from ..numerics import MathFidelity, WormholeComputeKernelConfig, is_ideal, matrix_engine_matmul, resolve_config
from ..registry import require_device, ttnn_op
from ..tensor import Tensor
from ..types import DataType
from ._common import as_float, finish, refuse_unmodelled
from .activations import apply_activation
from .matmul_config import plan_matmul
from .matmul_operands import as_matrices, check_formats, squeezed

# The block-float formats: matmul drops to LoFi when both operands are in one of them.
LOW_PRECISION = (DataType.BFLOAT8_B, DataType.BFLOAT4_B)


def default_matmul_config(a: Tensor, b: Tensor, output_dtype: DataType, user_blocking) -> WormholeComputeKernelConfig:
    """matmul's config when none is passed, as tt-metal's create_matmul_attributes picks it
    (matmul_device_operation.cpp; docs/ttnn-numerics.md §2): HiFi2, or LoFi when the user chose the blocking (a
    core_grid or a program_config, `user_blocking`) or both
    operands are block floats, or HiFi3 for two float32 operands on Wormhole; exact; fp32 destination and no
    L1 accumulation exactly when the output is float32."""
    if a.dtype is DataType.FLOAT32 and b.dtype is DataType.FLOAT32:
        fidelity = MathFidelity.HiFi3
    elif user_blocking or (a.dtype in LOW_PRECISION and b.dtype in LOW_PRECISION):
        fidelity = MathFidelity.LoFi
    else:
        fidelity = MathFidelity.HiFi2
    fp32_output = output_dtype is DataType.FLOAT32
    return WormholeComputeKernelConfig(
        math_fidelity=fidelity, math_approx_mode=False, fp32_dest_acc_en=fp32_output, packer_l1_acc=not fp32_output
    )


def _matmul_flops(inputs, outputs) -> int:
    out = outputs[0]
    inner = inputs[0].padded_shape[-1] if len(inputs[0].shape) else 1
    return 2 * math.prod(out.padded_shape) * inner


def _check_options(op: str, core_grid, program_config) -> None:
    if core_grid is not None:
        if not isinstance(core_grid, CoreGrid):
            raise TTNNError(f"{op}: core_grid must be a ttnn.CoreGrid, got {type(core_grid).__name__}")
        # A grid larger than the device's is accepted: real ttnn then uses the device's compute grid instead
        # (matmul_program_config.cpp, create_matmul_program_config: the user grid is taken only if it fits).
    # A program_config is validated by plan_matmul (matmul_config.py).


def _operands(op: str, a: Tensor, b: Tensor, transpose_a: bool, transpose_b: bool):
    require_device(op, "input_tensor_a", a)
    require_device(op, "input_tensor_b", b)
    if a.device() is not b.device():
        raise TTNNError(f"{op}: input_tensor_a and input_tensor_b are on different devices")
    shape_a, shape_b = list(a.shape), list(b.shape)
    if len(shape_a) < 2 or len(shape_b) < 2:
        raise ShapeError(f"{op}: inputs must have rank >= 2, got {shape_a} and {shape_b}; reshape them first")
    if is_ideal():  # fp32 math: the weight's float32 copy is made once, not on every call
        stored_a, stored_b = a._values, b._float32_values()
    else:  # as stored: bfloat16 operands take the fast exact path
        stored_a, stored_b = a._values, b._values
    if transpose_a:
        shape_a[-2:], stored_a = shape_a[-2:][::-1], stored_a.transpose(-1, -2)
    if transpose_b:
        shape_b[-2:], stored_b = shape_b[-2:][::-1], stored_b.transpose(-1, -2)
    if shape_a[-1] != shape_b[-2]:
        raise ShapeError(
            f"{op}: the inner dims differ: input_tensor_a is {list(a.shape)} and input_tensor_b is {list(b.shape)} "
            f"(K={shape_a[-1]} vs {shape_b[-2]}{', after transpose' if transpose_a or transpose_b else ''})"
        )
    batch_b = math.prod(shape_b[:-2])
    if batch_b != 1 and shape_b[:-2] != shape_a[:-2][len(shape_a) - len(shape_b) :]:
        raise ShapeError(
            f"{op}: input_tensor_b's batch dims {shape_b[:-2]} must be all 1 or equal input_tensor_a's "
            f"{shape_a[:-2]} (shapes {list(a.shape)} and {list(b.shape)})"
        )
    out_shape = (*torch.broadcast_shapes(tuple(shape_a[:-2]), tuple(shape_b[:-2])), shape_a[-2], shape_b[-1])
    return stored_a, stored_b, out_shape


def _compute(
    op,
    a,
    b,
    *,
    bias,
    transpose_a,
    transpose_b,
    memory_config,
    dtype,
    activation,
    compute_kernel_config,
    core_grid,
    program_config,
    output_tensor,
):
    _check_options(op, core_grid, program_config)
    check_formats(op, a, b)
    a, b, drop = as_matrices(op, a, b, transpose_a, transpose_b)
    stored_a, stored_b, out_shape = _operands(op, a, b, transpose_a, transpose_b)
    dtype = dtype or (output_tensor.dtype if output_tensor is not None else a.dtype)
    user_blocking = core_grid is not None or program_config is not None
    config = resolve_config(op, compute_kernel_config, default_matmul_config(a, b, dtype, user_blocking))
    plan = None
    if program_config is not None:
        operands = (a, b, stored_a.shape[-1], out_shape)
        plan = plan_matmul(op, program_config, operands, dtype, config, bias is not None, memory_config)
        memory_config = plan.memory_config
    values = _blocked_matmul(stored_a, stored_b, config, plan)
    if bias is not None:
        values = _add_bias(op, values, bias, out_shape, config)
    for fused in (activation, plan.fused_activation if plan else None):
        if fused is not None:
            values = apply_activation(op, values, fused)
    result = finish(
        op,
        values,
        dtype=dtype,
        like=a,
        shape=out_shape,
        # Unlike most ops, matmul's output goes to DRAM, not next to its input, unless told otherwise
        # (ttnn.linear's docstring: "Defaults to `None`, which will result in using `ttnn.DRAM_MEMORY_CONFIG`").
        memory_config=memory_config or DRAM_MEMORY_CONFIG,
        output_tensor=output_tensor,
    )
    return squeezed(op, result, drop)


def _blocked_matmul(a: torch.Tensor, b: torch.Tensor, config, plan) -> torch.Tensor:
    """a @ b, with the partial rounded to the spill format between K blocks where the program config makes the
    kernel spill and reload it (see matmul_config.py); otherwise one uninterrupted destination accumulation."""
    if plan is None or plan.spill_dtype is None or is_ideal():
        return matrix_engine_matmul(a, b, config)
    partial = None
    for start in range(0, a.shape[-1], plan.k_block):
        inner = slice(start, start + plan.k_block)
        partial = matrix_engine_matmul(a[..., inner], b[..., inner, :], config, partial)
        if start + plan.k_block < a.shape[-1]:
            partial = formats.quantize(partial, plan.spill_dtype).to(torch.float32)
    return partial


def _add_bias(op: str, values: torch.Tensor, bias: Tensor, out_shape, config) -> torch.Tensor:
    require_device(op, "bias", bias)
    width = out_shape[-1]
    if bias.shape[-1] != width or math.prod(tuple(bias.shape)[:-1]) != 1:
        raise ShapeError(
            f"{op}: bias is {list(bias.shape)} but the output is {list(out_shape)}; bias must be (1, {width}) — "
            "prepare it with ttnn.model_preprocessing.preprocess_linear_bias"
        )
    row = as_float(bias._values).reshape(-1, bias._values.shape[-1])[:1]  # the hardware broadcasts the tile's row 0
    total = values.add_(row)  # values is this op's own fresh float32 result
    if not (config.fp32_dest_acc_en or is_ideal()):
        total = total.to(torch.bfloat16).to(torch.float32)  # the sum lands in the 16-bit destination
    return total


@ttnn_op("ttnn.matmul", flops=_matmul_flops)
def matmul(
    input_tensor_a,
    input_tensor_b,
    *,
    transpose_a=False,
    transpose_b=False,
    memory_config=None,
    dtype=None,
    program_config=None,
    activation=None,
    compute_kernel_config=None,
    core_grid=None,
    output_tile=None,
    optional_output_tensor=None,
    global_cb=None,
    sub_device_id=None,
    prefetcher_pipes=[],  # noqa: B006 - ttnn's default, never mutated
):
    """input_tensor_a @ input_tensor_b; b's batch dims are 1 (broadcast) or equal a's."""
    refuse_unmodelled("ttnn.matmul", output_tile=output_tile, global_cb=global_cb, prefetcher_pipes=prefetcher_pipes)
    return _compute(
        "ttnn.matmul",
        input_tensor_a,
        input_tensor_b,
        bias=None,
        transpose_a=transpose_a,
        transpose_b=transpose_b,
        memory_config=memory_config,
        dtype=dtype,
        activation=activation,
        compute_kernel_config=compute_kernel_config,
        core_grid=core_grid,
        program_config=program_config,
        output_tensor=optional_output_tensor,
    )


@ttnn_op("ttnn.linear", flops=_matmul_flops)
def linear(
    input_tensor_a,
    input_tensor_b,
    *,
    bias=None,
    transpose_a=False,
    transpose_b=False,
    memory_config=None,
    dtype=None,
    program_config=None,
    activation=None,
    compute_kernel_config=None,
    core_grid=None,
    output_tile=None,
    optional_output_tensor=None,
    global_cb=None,
    sub_device_id=None,
    prefetcher_pipes=[],  # noqa: B006 - ttnn's default, never mutated
    in0_column_offset=None,
):
    """input_tensor_a @ input_tensor_b + bias, then the optional activation ("gelu", "relu", "silu", ...)."""
    refuse_unmodelled(
        "ttnn.linear",
        output_tile=output_tile,
        global_cb=global_cb,
        prefetcher_pipes=prefetcher_pipes,
        in0_column_offset=in0_column_offset,
    )
    return _compute(
        "ttnn.linear",
        input_tensor_a,
        input_tensor_b,
        bias=bias,
        transpose_a=transpose_a,
        transpose_b=transpose_b,
        memory_config=memory_config,
        dtype=dtype,
        activation=activation,
        compute_kernel_config=compute_kernel_config,
        core_grid=core_grid,
        program_config=program_config,
        output_tensor=optional_output_tensor,
    )
