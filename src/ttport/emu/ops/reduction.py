"""sum, mean and max over dims. Sum and mean reduce on the matrix engine (16-bit destination); max is exact."""

from __future__ import annotations

import torch

from ..errors import ShapeError
from ..numerics import destination_sum
from ..registry import elementwise_flops, require_device, ttnn_op
from ._common import as_float, finish
from .normalization import DEFAULT_NORM_CONFIG, kernel_config


def _dims(op: str, dim, rank: int, shape) -> list[int]:
    if dim is None:
        return list(range(rank))
    dims = [dim] if isinstance(dim, int) else list(dim)
    for d in dims:
        if not -rank <= d < rank:
            raise ShapeError(f"{op}: dim {d} is out of range for shape {list(shape)}")
    return sorted(d % rank for d in dims)


def _reduce(op: str, input_tensor, dim, keepdim, memory_config, compute_kernel_config, reducer):
    require_device(op, "input_tensor", input_tensor)
    config = kernel_config(op, compute_kernel_config, DEFAULT_NORM_CONFIG)
    values = as_float(input_tensor.logical())
    dims = _dims(op, dim, values.dim(), input_tensor.shape)
    for d in dims:
        values = reducer(values, d, config)
    if not keepdim:
        values = values.squeeze(dims) if dims else values
    return finish(op, values, dtype=input_tensor.dtype, like=input_tensor, memory_config=memory_config)


@ttnn_op("ttnn.sum", flops=elementwise_flops(1))
def sum(
    input_tensor,
    dim=None,
    keepdim=False,
    *,
    memory_config=None,
    compute_kernel_config=None,  # noqa: A001
    scalar=1.0,
    correction=True,
):
    return _reduce(
        "ttnn.sum",
        input_tensor,
        dim,
        keepdim,
        memory_config,
        compute_kernel_config,
        lambda v, d, c: destination_sum(v, d, c) * scalar,
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
    correction=True,
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
    correction=True,
):
    return _reduce(
        "ttnn.max",
        input_tensor,
        dim,
        keepdim,
        memory_config,
        compute_kernel_config,
        lambda v, d, c: torch.amax(v, dim=d, keepdim=True),
    )
