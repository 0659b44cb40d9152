"""Ops that move values without arithmetic: reshape, permute, transpose, concat, split, pad, slice.

They work on the logical values; a TILE output is re-tiled with zero padding (and block floats re-quantized,
since values change blocks).
"""

from __future__ import annotations

import builtins
import math

import torch

from ..errors import ShapeError, TTNNError
from ..registry import ttnn_op
from ..tensor import Tensor
from ..types import Layout, TTNNEnum
from ._common import finish, refuse_unmodelled


def _move(op: str, tensor: Tensor, values: torch.Tensor, memory_config=None, layout=None) -> Tensor:
    return finish(op, values, dtype=tensor.dtype, like=tensor, memory_config=memory_config, layout=layout)


def _shape_list(op: str, shape) -> list[int]:
    try:
        return [int(d) for d in shape]
    except TypeError:
        raise TTNNError(f"{op}: shape must be a list, tuple or ttnn.Shape of ints, got {shape!r}") from None


class TileReshapeMapMode(TTNNEnum):
    """How a TILE reshape keeps its index-mapping tensor: a speed/memory choice, the values are the same."""

    CACHE = 0
    RECREATE = 1


@ttnn_op("ttnn.reshape")
def reshape(
    input_tensor,
    shape,
    *,
    memory_config=None,
    pad_value=None,
    reshape_tile_mode=TileReshapeMapMode.CACHE,
    sub_core_grids=None,
    skip_padding_fill=False,
):
    """The same values in a new logical shape (one dim may be -1). The emulator always fills tile padding."""
    new_shape = _shape_list("ttnn.reshape", shape)
    volume = math.prod(input_tensor.shape)
    known = math.prod(d for d in new_shape if d != -1)
    if new_shape.count(-1) == 1 and known and volume % known == 0:
        new_shape[new_shape.index(-1)] = volume // known
    if math.prod(new_shape) != volume or any(d < 0 for d in new_shape):
        raise ShapeError(
            f"ttnn.reshape: cannot reshape {list(input_tensor.shape)} (volume {volume}) to {list(shape)}; "
            "the volumes must match"
        )
    return _move("ttnn.reshape", input_tensor, input_tensor._logical().reshape(new_shape), memory_config)


@ttnn_op("ttnn.permute")
def permute(input_tensor, dims, *, memory_config=None, pad_value=0.0):
    rank = len(input_tensor.shape)
    order = [int(d) % rank if -rank <= int(d) < rank else -1 for d in dims]
    if sorted(order) != list(range(rank)):
        raise ShapeError(
            f"ttnn.permute: {list(dims)} is not a permutation of the {rank} dims of {list(input_tensor.shape)}"
        )
    return _move("ttnn.permute", input_tensor, input_tensor._logical().permute(order), memory_config)


@ttnn_op("ttnn.transpose")
def transpose(input_tensor, dim1, dim2, *, memory_config=None, pad_value=0.0):
    rank = len(input_tensor.shape)
    for d in (dim1, dim2):
        if not -rank <= d < rank:
            raise ShapeError(f"ttnn.transpose: dim {d} is out of range for shape {list(input_tensor.shape)}")
    return _move("ttnn.transpose", input_tensor, input_tensor._logical().transpose(dim1, dim2), memory_config)


@ttnn_op("ttnn.concat")
def concat(tensors, dim=0, *, memory_config=None, output_tensor=None, groups=1, sub_core_grids=None):
    if not tensors:
        raise TTNNError("ttnn.concat: needs at least one tensor")
    first = tensors[0]
    rank = len(first.shape)
    for i, t in enumerate(tensors):
        if len(t.shape) != rank or t.layout is not first.layout or t.dtype is not first.dtype:
            raise ShapeError(
                f"ttnn.concat: tensors[{i}] is {t._describe()} but tensors[0] is {first._describe()}; all tensors "
                "need the same rank, layout and dtype"
            )
        others = [s for d, s in enumerate(t.shape) if d != dim % rank]
        if others != [s for d, s in enumerate(first.shape) if d != dim % rank]:
            raise ShapeError(
                f"ttnn.concat: tensors[{i}] is {list(t.shape)} and tensors[0] is {list(first.shape)}; "
                f"they must match in every dim but dim {dim}"
            )
    values = torch.cat([t._logical() for t in tensors], dim=dim)
    return finish(
        "ttnn.concat", values, dtype=first.dtype, like=first, memory_config=memory_config, output_tensor=output_tensor
    )


@ttnn_op("ttnn.split")
def split(input_tensor, split_size, dim=0, *, memory_config=None):
    size = split_size if isinstance(split_size, int) else [int(s) for s in split_size]
    pieces = input_tensor._logical().split(size, dim=dim)
    return [_move("ttnn.split", input_tensor, piece, memory_config) for piece in pieces]


@ttnn_op("ttnn.pad")
def pad(input_tensor, padding, value, *, use_multicore=True, memory_config=None, sub_core_grids=None):
    """Pad with `value`; `padding` is one (before, after) pair per dim, from the first dim."""
    pairs = [tuple(p) for p in padding]
    if len(pairs) != len(input_tensor.shape):
        raise ShapeError(
            f"ttnn.pad: padding has {len(pairs)} (before, after) pairs but the tensor "
            f"{list(input_tensor.shape)} has {len(input_tensor.shape)} dims"
        )
    flat = [amount for before, after in reversed(pairs) for amount in (before, after)]
    values = torch.nn.functional.pad(input_tensor._logical().to(torch.float32), flat, value=float(value))
    return _move("ttnn.pad", input_tensor, values, memory_config)


@ttnn_op("ttnn.slice")
def slice(  # noqa: A001 - ttnn's name
    input_tensor,
    slice_start,
    slice_end,
    slice_step=None,
    *,
    memory_config=None,
    output_tensor=None,
    pad_value=None,
    sub_core_grids=None,
):
    refuse_unmodelled("ttnn.slice", output_tensor=output_tensor)
    shape = list(input_tensor.shape)
    steps = list(slice_step) if slice_step is not None else [1] * len(shape)
    if not (len(slice_start) == len(slice_end) == len(steps) == len(shape)):
        raise ShapeError(f"ttnn.slice: starts, ends and steps need one entry per dim of {shape}")
    index = tuple(builtins.slice(int(b), int(e), int(s)) for b, e, s in zip(slice_start, slice_end, steps))
    return _move("ttnn.slice", input_tensor, input_tensor._logical()[index], memory_config)


def getitem(tensor: Tensor, key) -> Tensor:
    """tensor[...]: basic slicing (ints, slices, Ellipsis), as ttnn.Tensor.__getitem__ allows."""
    values = tensor._logical()
    try:
        result = values[key]
    except (IndexError, TypeError) as error:
        raise ShapeError(f"ttnn.Tensor[{key!r}]: {error} (shape {list(tensor.shape)})") from None
    if isinstance(key, torch.Tensor):
        raise TTNNError("ttnn.Tensor[...]: indexing with a tensor is not supported by ttnn; use ttnn.embedding")
    layout = tensor.layout if result.dim() > 0 else Layout.ROW_MAJOR
    return _move("ttnn.slice", tensor, result, layout=layout)


def _dim(op: str, dim: int, rank: int) -> int:
    if not -rank <= dim < rank:
        raise ShapeError(f"{op}: dim {dim} is out of range for a rank-{rank} tensor")
    return dim % rank


@ttnn_op("ttnn.squeeze")
def squeeze(input_tensor, dim=None):
    """Drop size-1 dims: all of them (dim=None), or the listed ones (a listed dim that is not 1 stays, as in torch)."""
    op, shape = "ttnn.squeeze", list(input_tensor.shape)
    dims = range(len(shape)) if dim is None else [dim] if isinstance(dim, int) else list(dim)
    drop = {_dim(op, d, len(shape)) for d in dims}
    new_shape = [size for i, size in enumerate(shape) if not (i in drop and size == 1)]
    return _move(op, input_tensor, input_tensor._logical().reshape(new_shape))


@ttnn_op("ttnn.unsqueeze")
def unsqueeze(input_tensor, dim):
    """Insert a size-1 dim at `dim` (negative counts from the end of the result, as in torch)."""
    op, shape = "ttnn.unsqueeze", list(input_tensor.shape)
    position = _dim(op, dim, len(shape) + 1)
    return _move(op, input_tensor, input_tensor._logical().reshape(shape[:position] + [1] + shape[position:]))


def unsqueeze_to_4D(tensor):  # noqa: N802 - ttnn's name
    """Leading size-1 dims up to rank 4; a rank above 4 is refused (its leading dims cannot be dropped)."""
    shape = list(tensor.shape)
    if len(shape) > 4:
        raise ShapeError(f"ttnn.unsqueeze_to_4D: the tensor has rank {len(shape)} > 4 ({shape})")
    if len(shape) == 4:
        return tensor
    return reshape(tensor, [1] * (4 - len(shape)) + shape)
