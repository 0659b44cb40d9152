"""sum, mean, max, min, var, std and prod over dims.

Sum, mean, var and std reduce on the matrix engine (16-bit destination unless fp32_dest_acc_en); max and min are
exact; prod multiplies in float32 and rounds once.
"""

from __future__ import annotations

import torch

from ..errors import DTypeError, ShapeError, TTNNError
from ..numerics import MathFidelity, WormholeComputeKernelConfig, destination_sum, resolve_config
from ..registry import elementwise_flops, require_device, ttnn_op
from ..types import DTYPE_INFO, DataType, Layout
from ._common import as_float, finish, refuse_unmodelled

# The generic reduce's default on Wormhole: HiFi3, exact, fp32 destination. Read from a recent tt-metal main
# (reduce_op.cpp, docs/ttnn-numerics.md §8), not confirmed for the 0.81.1 tag itself.
REDUCE_CONFIG = WormholeComputeKernelConfig(
    math_fidelity=MathFidelity.HiFi3, math_approx_mode=False, fp32_dest_acc_en=True
)


def _dims(op: str, dim, rank: int, shape) -> list[int]:
    if dim is None:
        return list(range(rank))
    dims = [dim] if isinstance(dim, int) else list(dim)
    for d in dims:
        if not -rank <= d < rank:
            raise ShapeError(f"{op}: dim {d} is out of range for shape {list(shape)}")
    return sorted(d % rank for d in dims)


def _reduce(
    op: str,
    input_tensor,
    dim,
    keepdim,
    memory_config,
    compute_kernel_config,
    reducer,
    fast_and_approximate_mode=False,
    output_layout=None,
):
    require_device(op, "input_tensor", input_tensor)
    if input_tensor.dtype is DataType.FLOAT32:
        # Only float32 inputs have a fast path (the FPU's TF32-truncated reduce); it is not modelled.
        refuse_unmodelled(op, fast_and_approximate_mode=fast_and_approximate_mode)
    if output_layout is not None and not isinstance(output_layout, Layout):
        raise TTNNError(f"{op}: output_layout must be a ttnn.Layout or None, got {output_layout!r}")
    config = resolve_config(op, compute_kernel_config, REDUCE_CONFIG)
    values = as_float(input_tensor._logical())
    dims = _dims(op, dim, values.dim(), input_tensor.shape)
    for d in dims:
        values = reducer(values, d, config)
    if not keepdim:
        values = values.squeeze(dims) if dims else values
    return finish(
        op, values, dtype=input_tensor.dtype, like=input_tensor, memory_config=memory_config, layout=output_layout
    )


@ttnn_op("ttnn.sum", flops=elementwise_flops(1))
def sum(
    input_tensor,
    dim=None,
    keepdim=False,
    *,
    memory_config=None,
    compute_kernel_config=None,  # noqa: A001
    scalar=1.0,
    correction=None,
    sub_core_grids=None,
    fast_and_approximate_mode=False,
    output_layout=None,
):
    return _reduce(
        "ttnn.sum",
        input_tensor,
        dim,
        keepdim,
        memory_config,
        compute_kernel_config,
        lambda v, d, c: destination_sum(v, d, c) * scalar,
        fast_and_approximate_mode,
        output_layout,
    )


@ttnn_op("ttnn.mean", flops=elementwise_flops(1))
def mean(
    input_tensor,
    dim=None,
    keepdim=False,
    *,
    memory_config=None,
    compute_kernel_config=None,
    scalar=1.0,
    correction=None,
    sub_core_grids=None,
    fast_and_approximate_mode=False,
    output_layout=None,
):
    # The reduce multiplies by the scaler 1/N as it accumulates: sum(x * (1/N)).
    return _reduce(
        "ttnn.mean",
        input_tensor,
        dim,
        keepdim,
        memory_config,
        compute_kernel_config,
        lambda v, d, c: destination_sum(v * (scalar / v.shape[d]), d, c),
        fast_and_approximate_mode,
        output_layout,
    )


@ttnn_op("ttnn.max", flops=elementwise_flops(1))
def max(
    input_tensor,
    dim=None,
    keepdim=False,
    *,
    memory_config=None,
    compute_kernel_config=None,  # noqa: A001
    scalar=1.0,
    correction=None,
    sub_core_grids=None,
    fast_and_approximate_mode=False,
):
    return _reduce(
        "ttnn.max",
        input_tensor,
        dim,
        keepdim,
        memory_config,
        compute_kernel_config,
        lambda v, d, c: torch.amax(v, dim=d, keepdim=True),
        fast_and_approximate_mode,
    )


@ttnn_op("ttnn.min", flops=elementwise_flops(1))
def min(  # noqa: A001 - ttnn's name
    input_tensor,
    dim=None,
    keepdim=False,
    *,
    memory_config=None,
    compute_kernel_config=None,
    scalar=1.0,
    correction=None,
    sub_core_grids=None,
    fast_and_approximate_mode=False,
):
    return _reduce(
        "ttnn.min",
        input_tensor,
        dim,
        keepdim,
        memory_config,
        compute_kernel_config,
        lambda v, d, c: torch.amin(v, dim=d, keepdim=True),
        fast_and_approximate_mode,
    )


def _variance(values: torch.Tensor, dims: list[int], correction: bool, config) -> torch.Tensor:
    """var as tt-metal composes it: the mean, the squared deviations, their sum times 1/(N - correction)."""
    count = 1
    for d in dims:
        count *= values.shape[d]
    if count - int(correction) <= 0:
        raise ShapeError(f"var/std: {count} value(s) per output cannot take Bessel's correction (N - 1 = 0)")
    mean = values
    for d in dims:
        mean = destination_sum(mean * (1.0 / values.shape[d]), d, config)
    squares = (values - mean) ** 2
    for d in dims:
        squares = destination_sum(squares, d, config)
    return squares / (count - int(correction))


def _spread(op: str, input_tensor, dim, keepdim, memory_config, compute_kernel_config, scalar, correction, root):
    require_device(op, "input_tensor", input_tensor, tile=False)
    config = resolve_config(op, compute_kernel_config, REDUCE_CONFIG)
    values = as_float(input_tensor._logical()) * scalar
    dims = _dims(op, dim, values.dim(), input_tensor.shape)
    result = _variance(values, dims, bool(correction), config)
    result = torch.sqrt(result) if root else result
    if not keepdim:
        result = result.squeeze(dims) if dims else result
    return finish(
        op, result, dtype=input_tensor.dtype, like=input_tensor, memory_config=memory_config, layout=Layout.TILE
    )


@ttnn_op("ttnn.var", flops=elementwise_flops(3))
def var(
    input_tensor,
    dim=None,
    keepdim=False,
    *,
    memory_config=None,
    compute_kernel_config=None,
    scalar=1.0,
    correction=True,
    sub_core_grids=None,
):
    return _spread(
        "ttnn.var", input_tensor, dim, keepdim, memory_config, compute_kernel_config, scalar, correction, root=False
    )


@ttnn_op("ttnn.std", flops=elementwise_flops(4))
def std(
    input_tensor,
    dim=None,
    keepdim=False,
    *,
    memory_config=None,
    compute_kernel_config=None,
    scalar=1.0,
    correction=True,
    sub_core_grids=None,
):
    return _spread(
        "ttnn.std", input_tensor, dim, keepdim, memory_config, compute_kernel_config, scalar, correction, root=True
    )


@ttnn_op("ttnn.prod", flops=elementwise_flops(1))
def prod(input_tensor, dim=None, keepdim=False, *, memory_config=None):
    """Product over one dim or all of them (float32 products, rounded once to the input dtype).

    Real ttnn's second overload (output_tensor, dims=[0, 1]) is the NC form; it is not emulated.
    """
    op = "ttnn.prod"
    require_device(op, "input_tensor", input_tensor, tile=False)
    if not DTYPE_INFO[input_tensor.dtype].is_float:
        raise DTypeError(
            f"{op}: input_tensor is {input_tensor.dtype.name}; prod takes bfloat16, float32 or block floats"
        )
    values = as_float(input_tensor._logical())
    if dim is None:
        result = values.prod().reshape([1] * values.dim() if keepdim else [])
    else:
        (d,) = _dims(op, dim, values.dim(), input_tensor.shape)
        result = values.prod(dim=d, keepdim=keepdim)
    layout = Layout.TILE if result.dim() else Layout.ROW_MAJOR
    return finish(op, result, dtype=input_tensor.dtype, like=input_tensor, memory_config=memory_config, layout=layout)
