"""Helpers shared by the op families: building outputs where ttnn would put them."""

from __future__ import annotations

import torch

from ..errors import ShapeError, TTNNError, UnsupportedError
from ..memory import MemoryConfig
from ..sharding import derived_output_config
from ..tensor import Tensor
from ..types import DTYPE_INFO, DataType, Layout


def output_config(op: str, memory_config, like: Tensor) -> MemoryConfig:
    """ttnn's rule: an op's output goes where its first input lives unless memory_config says otherwise."""
    if memory_config is None:
        return like.memory_config()
    if not isinstance(memory_config, MemoryConfig):
        raise TTNNError(
            f"{op}: memory_config must be a ttnn.MemoryConfig (e.g. ttnn.L1_MEMORY_CONFIG), got {memory_config!r}"
        )
    return memory_config


def as_float(values: torch.Tensor) -> torch.Tensor:
    """Operands for the math: float32, except integers, which float64 holds exactly (int32 / uint32 values)."""
    if not values.is_floating_point():
        return values.to(torch.float64)
    return values if values.dtype == torch.float32 else values.to(torch.float32)


def finish(
    op: str,
    values: torch.Tensor,
    *,
    dtype: DataType,
    like: Tensor,
    shape=None,
    memory_config=None,
    output_tensor: Tensor | None = None,
    layout: Layout | None = None,
) -> Tensor:
    """The op's output: `values` rounded to `dtype`, placed on `like`'s device.

    With `shape`, `values` are the padded values of a tensor of that logical shape (element-wise ops compute the
    padding too); without it they are logical values and the padding is zero.
    """
    layout = layout or like.layout
    if not DTYPE_INFO[dtype].is_float and values.is_floating_point():
        values = torch.round(values)
    if shape is None:
        result = Tensor._from_logical(values, dtype, layout)
    else:
        result = Tensor._from_stored(values, shape, dtype, layout)
    if like.device() is not None:
        config = derived_output_config(op, output_config(op, memory_config, like), result.shape, layout, like)
        result = Tensor(result._values, result.shape, dtype, layout, like.device(), config)
    if output_tensor is not None:
        return _write_into(op, result, output_tensor)
    return result


def _write_into(op: str, result: Tensor, output_tensor: Tensor) -> Tensor:
    if tuple(output_tensor.shape) != tuple(result.shape) or output_tensor.layout is not result.layout:
        raise ShapeError(
            f"{op}: output_tensor is {output_tensor._describe()} but the result is {result._describe()}; "
            "preallocate output_tensor with the result's shape and layout"
        )
    output_tensor._check_allocated(op, "output_tensor")
    output_tensor._stored = Tensor._from_stored(
        result._values, result.shape, output_tensor.dtype, result.layout
    )._values
    return output_tensor


def broadcast_stored(op: str, a: Tensor, b: Tensor) -> tuple[torch.Tensor, torch.Tensor, tuple[int, ...]]:
    """The two operands' padded values broadcast against each other as the hardware does, and the logical shape."""
    (stored_a, stored_b), shape = broadcast_many(op, [a, b])
    return stored_a, stored_b, shape


def broadcast_many(op: str, tensors: list[Tensor]) -> tuple[list[torch.Tensor], tuple[int, ...]]:
    """The tensors' padded values broadcast against each other, and the broadcast logical shape.

    A dim of logical size 1 broadcasts by repeating its first row / column / element (inside a tile that is
    row 0 or column 0), so broadcasting happens on logical sizes but yields padded values. A rank-0/1 TILE tensor
    is stored as one tile row ([32, n]), so all are lined up at the rank of the widest stored value: [n] is [1, n].
    """
    shapes = [tuple(t.shape) for t in tensors]
    try:
        out_shape = tuple(torch.broadcast_shapes(*shapes))
    except RuntimeError:
        listed = " and ".join(str(list(s)) for s in shapes)
        raise ShapeError(f"{op}: shapes {listed} cannot be broadcast; each dim must match or be 1") from None
    rank = max([len(out_shape)] + [t._values.dim() for t in tensors])
    stored_shapes = [(1,) * (rank - t._values.dim()) + tuple(t._values.shape) for t in tensors]
    widest = tuple(max(sizes) for sizes in zip(*stored_shapes))
    logical_out = (1,) * (rank - len(out_shape)) + out_shape
    return [_expand(t, logical_out, widest) for t in tensors], out_shape


def _expand(tensor: Tensor, out_shape: tuple[int, ...], widest: tuple[int, ...]) -> torch.Tensor:
    stored = tensor._values
    rank = len(out_shape)
    stored = stored.reshape((1,) * (rank - stored.dim()) + tuple(stored.shape))
    logical = (1,) * (rank - len(tensor.shape)) + tuple(tensor.shape)
    target = []
    for dim, (size, wanted) in enumerate(zip(logical, out_shape)):
        if size == 1 and wanted != 1:
            stored = stored.narrow(dim, 0, 1)
            target.append(widest[dim])
        else:
            target.append(stored.shape[dim])
    return stored.expand(target)


def refuse_unmodelled(op: str, **parameters) -> None:
    """Refuse a non-default value for a parameter real ttnn has but the emulator does not model.

    Ops take every parameter real ttnn takes, so ports run unchanged on a card. Parameters that only choose where or
    how fast an op runs (sub_core_grids, sub_device_id, queue_id, ...) cannot change results and are accepted as they
    are; the ones that can change results are passed here, so they are refused rather than silently ignored.
    """
    for name, value in parameters.items():
        if not _is_default(value):
            raise UnsupportedError(
                f"{op}: {name}={_brief(value)} is not modelled by the ttport emulator; leave it at its default to run "
                "here, or run on a Tenstorrent device"
            )


def _is_default(value) -> bool:
    """The defaults ttnn uses for its optional parameters: None, False, 0 or an empty list."""
    if value is None or value is False:
        return True
    if isinstance(value, (list, tuple)):
        return not value
    return isinstance(value, (int, float)) and value == 0


def _brief(value) -> str:
    """A value as an error message shows it: a tensor by its description, anything else by a short repr."""
    if isinstance(value, Tensor):
        return f"<{value._describe()}>"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
