"""Ops that copy values into a new arrangement: repeat, repeat_interleave, expand, stack, chunk, view, narrow,
roll, tril, triu. No arithmetic: outputs hold the input's values exactly (re-tiled with zero padding)."""

from __future__ import annotations

import math

import torch

from ..errors import ShapeError, TTNNError
from ..registry import require_device, ttnn_op
from ..tensor import Tensor
from ..types import Layout
from ._common import finish
from .data_movement import reshape


def _move(op: str, tensor: Tensor, values: torch.Tensor, memory_config=None, output_tensor=None) -> Tensor:
    return finish(op, values, dtype=tensor.dtype, like=tensor, memory_config=memory_config, output_tensor=output_tensor)


def _dim(op: str, dim: int, rank: int) -> int:
    if not -rank <= dim < rank:
        raise ShapeError(f"{op}: dim {dim} is out of range for a rank-{rank} tensor")
    return dim % rank


def _ints(op: str, name: str, values) -> list[int]:
    try:
        return [int(v) for v in values]
    except TypeError:
        raise TTNNError(f"{op}: {name} must be a list or tuple of ints, got {values!r}") from None


@ttnn_op("ttnn.repeat")
def repeat(input_tensor, repeat_dims, *, memory_config=None, optional_output_tensor=None):
    """torch.Tensor.repeat: the whole tensor tiled repeat_dims[i] times along dim i (one entry per dim, or more:
    extra leading entries add dims)."""
    op = "ttnn.repeat"
    counts = _ints(op, "repeat_dims", repeat_dims)
    rank = len(input_tensor.shape)
    if len(counts) < rank or any(c < 1 for c in counts):
        raise ShapeError(
            f"{op}: repeat_dims {counts} needs one count >= 1 per dim of {list(input_tensor.shape)} (rank {rank})"
        )
    values = input_tensor._logical().repeat(counts)
    return _move(op, input_tensor, values, memory_config, optional_output_tensor)


@ttnn_op("ttnn.repeat_interleave")
def repeat_interleave(input_tensor, repeats, dim, *, memory_config=None):
    """Each slice along `dim` repeated `repeats` times in place (torch.repeat_interleave with an int)."""
    op = "ttnn.repeat_interleave"
    if not isinstance(repeats, int) or repeats < 1:
        raise TTNNError(f"{op}: repeats must be an int >= 1, got {repeats!r}")
    d = _dim(op, dim, len(input_tensor.shape))
    return _move(op, input_tensor, input_tensor._logical().repeat_interleave(repeats, dim=d), memory_config)


@ttnn_op("ttnn.expand")
def expand(input_tensor, output_shape, *, memory_config=None):
    """Size-1 dims broadcast to output_shape (-1 keeps a dim); a copy, not a view, on the device."""
    op = "ttnn.expand"
    shape = _ints(op, "output_shape", output_shape)
    try:
        values = input_tensor._logical().expand(shape)
    except RuntimeError:
        raise ShapeError(
            f"{op}: {list(input_tensor.shape)} cannot expand to {shape}; only size-1 dims expand (-1 keeps a dim)"
        ) from None
    return _move(op, input_tensor, values.contiguous(), memory_config)


@ttnn_op("ttnn.stack")
def stack(input_tensors, dim):
    """The tensors joined along a new dim (torch.stack): all need the same shape, dtype and layout."""
    op = "ttnn.stack"
    if not input_tensors:
        raise TTNNError(f"{op}: needs at least one tensor")
    first = input_tensors[0]
    for i, t in enumerate(input_tensors):
        if tuple(t.shape) != tuple(first.shape) or t.dtype is not first.dtype or t.layout is not first.layout:
            raise ShapeError(
                f"{op}: input_tensors[{i}] is {t._describe()} but input_tensors[0] is {first._describe()}; all "
                "need the same shape, dtype and layout"
            )
    d = _dim(op, dim, len(first.shape) + 1)
    return _move(op, first, torch.stack([t._logical() for t in input_tensors], dim=d))


@ttnn_op("ttnn.chunk")
def chunk(input_tensor, chunks, dim):
    """torch.chunk: up to `chunks` pieces along `dim`, each ceil(size / chunks) long but the last."""
    op = "ttnn.chunk"
    if not isinstance(chunks, int) or chunks < 1:
        raise TTNNError(f"{op}: chunks must be an int >= 1, got {chunks!r}")
    d = _dim(op, dim, len(input_tensor.shape))
    return [_move(op, input_tensor, piece) for piece in input_tensor._logical().chunk(chunks, dim=d)]


@ttnn_op("ttnn.view")
def view(input_tensor, shape):
    """The same buffer under a new shape: only where no value moves (0.81.1's docstring: on device, the last dim
    unchanged, and for TILE the second-to-last too unless it has no tile padding)."""
    op = "ttnn.view"
    require_device(op, "input_tensor", input_tensor, tile=False)
    old, new = list(input_tensor.shape), _ints(op, "shape", shape)
    if -1 in new and new.count(-1) == 1:
        known = math.prod(s for s in new if s != -1)
        new[new.index(-1)] = math.prod(old) // known if known else 0
    moves = new[-1:] != old[-1:]
    if input_tensor.layout is Layout.TILE and len(old) > 1:
        height_padded = old[-2] % 32 != 0
        moves = moves or (height_padded and new[-2:-1] != old[-2:-1])
    if moves:
        raise ShapeError(
            f"{op}: {old} -> {new} would move values (the last dim must stay, and for TILE the second-to-last too "
            "unless it is a multiple of 32); use ttnn.reshape"
        )
    return reshape(input_tensor, new)


@ttnn_op("ttnn.narrow")
def narrow(input_tensor, dim, start, length):
    """`length` entries of `dim` from `start` (torch.narrow)."""
    op = "ttnn.narrow"
    d = _dim(op, dim, len(input_tensor.shape))
    size = input_tensor.shape[d]
    if start < 0 or length < 0 or start + length > size:
        raise ShapeError(f"{op}: start {start} + length {length} exceeds size {size} of dim {dim}")
    return _move(op, input_tensor, input_tensor._logical().narrow(d, start, length))


@ttnn_op("ttnn.roll")
def roll(input_tensor, shifts, dim, *, memory_config=None):
    """Circular shift along one dim (ints) or several (equal-length lists), as torch.roll.

    Real ttnn's third overload, roll(tensor, shifts) over the flattened tensor, is not emulated.
    """
    op = "ttnn.roll"
    many = isinstance(shifts, (list, tuple))
    if many != isinstance(dim, (list, tuple)) or (many and len(shifts) != len(dim)):
        raise TTNNError(f"{op}: shifts {shifts!r} and dim {dim!r} must both be ints or lists of the same length")
    shifts, dims = (list(shifts), list(dim)) if many else ([shifts], [dim])
    rank = len(input_tensor.shape)
    dims = [_dim(op, d, rank) for d in dims]
    values = torch.roll(input_tensor._logical(), [int(s) for s in shifts], dims)
    return _move(op, input_tensor, values, memory_config)


def _triangle(op: str, input_tensor, diagonal, memory_config, keep) -> Tensor:
    require_device(op, "input_tensor", input_tensor, tile=False)
    values = input_tensor._logical()
    if values.dim() < 2:
        raise ShapeError(f"{op}: input_tensor is {list(input_tensor.shape)}; it needs at least 2 dims")
    return _move(op, input_tensor, keep(values, diagonal=int(diagonal)), memory_config)


@ttnn_op("ttnn.tril")
def tril(input_tensor, *, diagonal=0, memory_config=None):
    return _triangle("ttnn.tril", input_tensor, diagonal, memory_config, torch.tril)


@ttnn_op("ttnn.triu")
def triu(input_tensor, *, diagonal=0, memory_config=None):
    return _triangle("ttnn.triu", input_tensor, diagonal, memory_config, torch.triu)
