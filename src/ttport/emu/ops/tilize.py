"""tilize / untilize and their padding forms: the explicit layout changes (ttnn.to_layout picks among them).

Values do not change, except that a block-float output dtype quantizes them and padding holds `pad_value`.
"""

from __future__ import annotations

import torch

from ..errors import LayoutError, ShapeError
from ..registry import require_device, ttnn_op
from ..tensor import Tensor
from ..tile import DEFAULT_TILE, require_default_tile
from ..types import DTYPE_INFO, DataType, Layout
from ._common import finish
from .conversion import check_dtype_argument


def _require_layout(op: str, tensor: Tensor, layout: Layout) -> None:
    require_device(op, "input_tensor", tensor, tile=False)
    if tensor.layout is not layout:
        other = "ttnn.untilize" if layout is Layout.TILE else "ttnn.tilize"
        raise LayoutError(
            f"{op}: input_tensor is {tensor.layout.name}; it takes a {layout.name} tensor "
            f"(this one is already {tensor.layout.name}: drop the call, or use {other})"
        )


def _values(tensor: Tensor) -> torch.Tensor:
    values = tensor._logical()
    return values.to(torch.float32) if DTYPE_INFO[tensor.dtype].is_float else values


def _tiled(op: str, tensor: Tensor, values, dtype, memory_config, fill: float = 0.0) -> Tensor:
    dtype = dtype or tensor.dtype
    check_dtype_argument(op, dtype)
    result = Tensor._from_logical(values, dtype, Layout.TILE, fill=fill)
    return finish(
        op,
        result._values,
        dtype=dtype,
        like=tensor,
        shape=result.shape,
        memory_config=memory_config,
        layout=Layout.TILE,
    )


@ttnn_op("ttnn.tilize")
def tilize(
    input_tensor,
    *,
    memory_config=None,
    dtype=None,
    use_multicore=True,
    use_low_perf=False,
    tile=DEFAULT_TILE,
    sub_core_grids=None,
):
    """A ROW_MAJOR device tensor in TILE layout (optionally converted to `dtype`, e.g. ttnn.bfloat8_b)."""
    op = "ttnn.tilize"
    _require_layout(op, input_tensor, Layout.ROW_MAJOR)
    require_default_tile(op, tile)
    return _tiled(op, input_tensor, _values(input_tensor), dtype, memory_config)


def _padded_values(op: str, tensor: Tensor, output_shape, pad_value) -> torch.Tensor:
    """The input's values padded at the end of each dim up to output_shape."""
    target = [int(d) for d in output_shape]
    shape = list(tensor.shape)
    if len(target) != len(shape) or any(t < s for t, s in zip(target, shape)):
        raise ShapeError(f"{op}: output_tensor_shape {target} must have input's rank and be >= {shape} in every dim")
    flat = [amount for size, want in zip(reversed(shape), reversed(target)) for amount in (0, want - size)]
    return torch.nn.functional.pad(_values(tensor), flat, value=float(pad_value))


@ttnn_op("ttnn.tilize_with_val_padding")
def tilize_with_val_padding(
    input_tensor,
    output_tensor_shape,
    pad_value,
    *,
    memory_config=None,
    dtype=None,
    use_multicore=True,
    sub_core_grids=None,
):
    """Tilize, padding every dim up to output_tensor_shape with pad_value (the tile padding too)."""
    op = "ttnn.tilize_with_val_padding"
    _require_layout(op, input_tensor, Layout.ROW_MAJOR)
    values = _padded_values(op, input_tensor, output_tensor_shape, pad_value)
    return _tiled(op, input_tensor, values, dtype, memory_config, fill=float(pad_value))


@ttnn_op("ttnn.tilize_with_zero_padding")
def tilize_with_zero_padding(
    input_tensor, *, memory_config=None, output_dtype=None, use_multicore=True, sub_core_grids=None
):
    """Tilize with zeros in the tile padding."""
    op = "ttnn.tilize_with_zero_padding"
    _require_layout(op, input_tensor, Layout.ROW_MAJOR)
    return _tiled(op, input_tensor, _values(input_tensor), output_dtype, memory_config)


def _untiled(op: str, tensor: Tensor, values: torch.Tensor, memory_config) -> Tensor:
    # Block floats come out as bfloat16 (untilize_with_unpadding's 0.81.1 docstring).
    dtype = DataType.BFLOAT16 if tensor.dtype in (DataType.BFLOAT8_B, DataType.BFLOAT4_B) else tensor.dtype
    return finish(op, values, dtype=dtype, like=tensor, memory_config=memory_config, layout=Layout.ROW_MAJOR)


@ttnn_op("ttnn.untilize")
def untilize(input_tensor, *, memory_config=None, use_multicore=True, sub_core_grids=None):
    """A TILE device tensor in ROW_MAJOR layout (its tile padding dropped)."""
    op = "ttnn.untilize"
    _require_layout(op, input_tensor, Layout.TILE)
    return _untiled(op, input_tensor, _values(input_tensor), memory_config)


@ttnn_op("ttnn.untilize_with_unpadding")
def untilize_with_unpadding(
    input_tensor, output_tensor_end, *, memory_config=None, use_multicore=True, sub_core_grids=None
):
    """Untilize, keeping indices 0..output_tensor_end[i] (inclusive) of each dim, read from the padded tiles."""
    op = "ttnn.untilize_with_unpadding"
    _require_layout(op, input_tensor, Layout.TILE)
    end = [int(e) for e in output_tensor_end]
    padded = list(input_tensor.padded_shape)
    if len(end) != len(padded) or any(not 0 <= e < p for e, p in zip(end, padded)):
        raise ShapeError(f"{op}: output_tensor_end {end} must lie inside the padded shape {padded} (inclusive ends)")
    stored = input_tensor._float32_values() if DTYPE_INFO[input_tensor.dtype].is_float else input_tensor._values
    window = tuple(slice(0, e + 1) for e in end)
    return _untiled(op, input_tensor, stored.reshape(padded)[window], memory_config)
