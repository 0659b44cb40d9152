"""Tensor creation: ones, zeros, full, arange and their _like forms."""

from __future__ import annotations

import math

import torch

from ..errors import TTNNError
from ..memory import DRAM_MEMORY_CONFIG
from ..registry import ttnn_op
from ..tensor import Tensor, storage_bytes
from ..types import DTYPE_INFO, DataType, Layout
from ._common import refuse_unmodelled
from .conversion import open_device_of, to_device


def _create(op: str, make_values, shape, dtype, layout, device, memory_config) -> Tensor:
    """A new tensor of `make_values()` (called only once the device is known to hold it: a tensor too large for
    DRAM fails with ttnn's out-of-memory error before any host memory is spent on it)."""
    dtype = dtype or DataType.BFLOAT16
    layout = layout or Layout.ROW_MAJOR
    if device is not None:
        nbytes, page = storage_bytes(tuple(shape), dtype, layout)
        buffer_type = (memory_config or DRAM_MEMORY_CONFIG).buffer_type
        open_device_of(device, op)._allocator.check(nbytes, page, buffer_type)
    values = make_values()
    if DTYPE_INFO[dtype].is_float:
        values = values.to(torch.float32)
    tensor = Tensor._from_logical(values, dtype, layout)
    return to_device(tensor, device, memory_config=memory_config) if device is not None else tensor


def _shape(op: str, shape) -> list[int]:
    try:
        return [int(d) for d in shape]
    except TypeError:
        raise TTNNError(f"{op}: shape must be a list or tuple of ints, got {shape!r}") from None


@ttnn_op("ttnn.full")
def full(shape, fill_value, dtype=None, layout=None, device=None, memory_config=None, optional_tensor=None):
    refuse_unmodelled("ttnn.full", optional_tensor=optional_tensor)
    shape = _shape("ttnn.full", shape)
    return _create(
        "ttnn.full", lambda: torch.full(shape, float(fill_value)), shape, dtype, layout, device, memory_config
    )


@ttnn_op("ttnn.zeros")
def zeros(shape, dtype=None, layout=None, device=None, memory_config=None):
    shape = _shape("ttnn.zeros", shape)
    return _create("ttnn.zeros", lambda: torch.zeros(shape), shape, dtype, layout, device, memory_config)


@ttnn_op("ttnn.ones")
def ones(shape, dtype=None, layout=None, device=None, memory_config=None):
    shape = _shape("ttnn.ones", shape)
    return _create("ttnn.ones", lambda: torch.ones(shape), shape, dtype, layout, device, memory_config)


def _like(op: str, tensor: Tensor, fill: float, dtype, layout, device, memory_config) -> Tensor:
    device = device if device is not None else tensor.device()
    shape = tuple(tensor.shape)
    return _create(
        op,
        lambda: torch.full(shape, float(fill)),
        shape,
        dtype or tensor.dtype,
        layout or tensor.layout,
        device,
        memory_config or (tensor.memory_config() if device is not None else None),
    )


@ttnn_op("ttnn.full_like")
def full_like(tensor, fill_value, dtype=None, layout=None, device=None, memory_config=None, optional_tensor=None):
    refuse_unmodelled("ttnn.full_like", optional_tensor=optional_tensor)
    return _like("ttnn.full_like", tensor, fill_value, dtype, layout, device, memory_config)


@ttnn_op("ttnn.zeros_like")
def zeros_like(tensor, dtype=None, layout=None, device=None, memory_config=None, optional_tensor=None):
    refuse_unmodelled("ttnn.zeros_like", optional_tensor=optional_tensor)
    return _like("ttnn.zeros_like", tensor, 0.0, dtype, layout, device, memory_config)


@ttnn_op("ttnn.ones_like")
def ones_like(tensor, dtype=None, layout=None, device=None, memory_config=None, optional_tensor=None):
    refuse_unmodelled("ttnn.ones_like", optional_tensor=optional_tensor)
    return _like("ttnn.ones_like", tensor, 1.0, dtype, layout, device, memory_config)


@ttnn_op("ttnn.arange")
def arange(
    start=0,
    end=None,
    step=1,
    *,
    dtype=DataType.BFLOAT16,
    device=None,
    memory_config=DRAM_MEMORY_CONFIG,
    layout=Layout.ROW_MAJOR,
):
    """ttnn.arange(end) or ttnn.arange(start, end, step): real ttnn has the two as overloads; one function here."""
    if end is None:
        start, end = 0, start
    if step == 0 or (end - start) * step < 0:
        raise TTNNError(f"ttnn.arange: step {step} must be non-zero and point from start {start} to end {end}")
    count = math.ceil((end - start) / step)
    values = lambda: torch.arange(start, end, step)  # noqa: E731
    return _create("ttnn.arange", values, (count,), dtype, layout, device, memory_config)
