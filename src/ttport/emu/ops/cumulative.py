"""cumsum and cumprod: running sums / products along a dim.

The device adds (multiplies) one tile of the running value into the next and packs the result back to a circular
buffer in the tensor's format before the next step (tt-metal's accumulation op, ops/reduction/accumulation/device/
kernels/compute, read on a recent main), so a bfloat16 running value is rounded to bfloat16 at every step. float32
cumsum is compensated (Kahan, 0.81.1's docstring): modelled as exact, then rounded once; integers are exact.
"""

from __future__ import annotations

import torch

from ..errors import DTypeError, ShapeError
from ..numerics import is_ideal
from ..registry import elementwise_flops, require_device, ttnn_op
from ..types import DataType
from ._common import finish
from .conversion import typecast

ACCUMULATE_DTYPES = (DataType.BFLOAT16, DataType.FLOAT32, DataType.INT32, DataType.UINT32)


def _running(values: torch.Tensor, dim: int, combine, dtype: DataType) -> torch.Tensor:
    """The running result along `dim`, rounded to bfloat16 after each step when the tensor is bfloat16."""
    if dtype is not DataType.BFLOAT16 or is_ideal() or values.numel() == 0:
        wide = values.to(torch.float64) if values.is_floating_point() else values
        return wide.cumsum(dim) if combine is torch.add else wide.cumprod(dim)
    steps = values.unbind(dim)
    total = steps[0].to(torch.bfloat16).to(torch.float32)
    out = [total]
    for step in steps[1:]:
        total = combine(total, step).to(torch.bfloat16).to(torch.float32)
        out.append(total)
    return torch.stack(out, dim)


def _accumulate(op: str, input_tensor, dim, dtype, reverse_order, out, memory_config, combine):
    require_device(op, "input", input_tensor)
    if dtype is not None and dtype is not input_tensor.dtype:
        input_tensor = typecast(input_tensor, dtype)
    if input_tensor.dtype not in ACCUMULATE_DTYPES:
        raise DTypeError(f"{op}: input is {input_tensor.dtype.name}; it takes BFLOAT16, FLOAT32 or INT32 (pass dtype=)")
    rank = max(len(input_tensor.shape), 1)  # a rank-0 tensor accumulates as one element, as in torch
    if not -rank <= dim < rank:
        raise ShapeError(f"{op}: dim {dim} is out of range for shape {list(input_tensor.shape)}")
    if out is not None and tuple(out.shape) != tuple(input_tensor.shape):
        raise ShapeError(f"{op}: out is {list(out.shape)} but input is {list(input_tensor.shape)}; they must match")
    values = input_tensor._logical()
    values = values.to(torch.float32) if values.is_floating_point() else values.to(torch.int64)
    flat = values.dim() == 0
    values, d = (values.reshape(1), 0) if flat else (values, dim % rank)
    if reverse_order:
        values = values.flip(d)
    result = _running(values, d, combine, input_tensor.dtype)
    if reverse_order:
        result = result.flip(d)
    result = result.reshape(()) if flat else result
    return finish(
        op,
        result.to(torch.float32) if result.is_floating_point() else result,
        dtype=input_tensor.dtype,
        like=input_tensor,
        memory_config=memory_config,
        output_tensor=out,
    )


@ttnn_op("ttnn.cumsum", flops=elementwise_flops(1))
def cumsum(input, dim, *, dtype=None, reverse_order=False, out=None, memory_config=None, disable_compensated_sum=False):  # noqa: A002
    return _accumulate("ttnn.cumsum", input, dim, dtype, reverse_order, out, memory_config, torch.add)


@ttnn_op("ttnn.cumprod", flops=elementwise_flops(1))
def cumprod(input_tensor, dim, *, dtype=None, reverse_order=False, out=None, memory_config=None):
    return _accumulate("ttnn.cumprod", input_tensor, dim, dtype, reverse_order, out, memory_config, torch.mul)
