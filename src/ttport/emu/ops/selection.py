"""Ops that pick values by position: topk, sort, argmax, gather, scatter, index_fill, nonzero.

Values are exact (no arithmetic); index outputs are integer tensors in the dtype and layout the device gives.
Ties: the emulator orders equal values by position (a stable order). The device guarantees that only with
stable=True; tt-metal's topk test therefore checks indices by the values they select, not by position
(tests/ttnn/unit_tests/operations/reduce/test_topk.py, run_topk_test).
"""

from __future__ import annotations

import torch

from ..errors import DTypeError, LayoutError, ShapeError
from ..registry import require_device, ttnn_op
from ..tensor import Tensor, padded_shape_for
from ..types import DataType, Layout
from ._common import finish, refuse_unmodelled

UINT16_LIMIT = 65535  # an index above this needs a uint32 index tensor
INDEX_DTYPES = (DataType.UINT16, DataType.UINT32)


def _dim(op: str, dim: int, tensor: Tensor) -> int:
    rank = max(len(tensor.shape), 1)  # a rank-0 tensor has one position, as in torch
    if not -rank <= dim < rank:
        raise ShapeError(f"{op}: dim {dim} is out of range for shape {list(tensor.shape)}")
    return dim % rank


def _require_tile_dtype(op: str, tensor: Tensor, dtypes: tuple[DataType, ...], name: str = "input_tensor") -> None:
    require_device(op, name, tensor)
    if tensor.dtype not in dtypes:
        allowed = ", ".join(d.name for d in dtypes)
        raise DTypeError(f"{op}: {name} is {tensor.dtype.name}; it must be one of {allowed} (ttnn.typecast it first)")


def _index_dtype(tensor: Tensor, dim: int) -> DataType:
    """uint16 indices while the tile-padded dim fits 16 bits and the values are 16-bit, else uint32
    (topk_device_operation.cpp compute_output_specs; topk's 0.81.1 docstring: float32 input needs 32-bit)."""
    wide = _padded_size(tensor, dim) > UINT16_LIMIT or tensor.dtype is DataType.FLOAT32
    return DataType.UINT32 if wide else DataType.UINT16


def _padded_size(tensor: Tensor, dim: int) -> int:
    shape = tuple(tensor.shape) or (1,)
    return padded_shape_for(shape, Layout.TILE)[dim]


def _ordered(values: torch.Tensor, dim: int, descending: bool) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.sort(values, dim=dim, descending=descending, stable=True)


def _pair(op: str, tensor: Tensor, values, indices, index_dtype: DataType, memory_config, outputs) -> list[Tensor]:
    result = [
        finish(op, values, dtype=tensor.dtype, like=tensor, memory_config=memory_config),
        finish(op, indices.to(torch.int64), dtype=index_dtype, like=tensor, memory_config=memory_config),
    ]
    if outputs is not None:
        _check_outputs(op, tensor, outputs)
        return [_write(op, r, o) for r, o in zip(result, outputs)]
    return result


def _check_outputs(op: str, tensor: Tensor, outputs) -> None:
    """Preallocated (values, indices): values in the input's dtype, indices uint16 / uint32 (sort's and topk's
    validate: a mismatched preallocated dtype is an error, not a conversion)."""
    values, indices = outputs
    if values.dtype is not tensor.dtype:
        raise DTypeError(
            f"{op}: the preallocated values tensor is {values.dtype.name} but the input is {tensor.dtype.name}; "
            "they must match"
        )
    if indices.dtype not in INDEX_DTYPES:
        raise DTypeError(f"{op}: the preallocated indices tensor is {indices.dtype.name}; it must be UINT16 or UINT32")


def _write(op: str, result: Tensor, output: Tensor) -> Tensor:
    return finish(op, result._logical(), dtype=output.dtype, like=result, output_tensor=output)


@ttnn_op("ttnn.topk")
def topk(
    input_tensor,
    k=32,
    dim=-1,
    largest=True,
    sorted=True,  # noqa: A002 - ttnn's name
    *,
    memory_config=None,
    sub_core_grids=None,
    indices_tensor=None,
    output_tensor=None,
    stable=False,
):
    """The k largest (or smallest) values along `dim` and their indices (uint16, uint32 past 65535).

    Needs TILE bfloat16 / bfloat8_b / float32 (topk_device_operation.cpp validate; float32 per 0.81.1's docstring).
    Returned in order whatever `sorted` says (the device's bitonic sort returns them ordered too).
    """
    op = "ttnn.topk"
    _require_tile_dtype(op, input_tensor, (DataType.BFLOAT16, DataType.BFLOAT8_B, DataType.FLOAT32))
    d = _dim(op, dim, input_tensor)
    size = input_tensor.shape[d]
    if not 1 <= int(k) <= size:
        raise ShapeError(
            f"{op}: k={k} must be between 1 and the size {size} of dim {dim} of {list(input_tensor.shape)}"
        )
    values, order = _ordered(input_tensor._logical().to(torch.float32), d, descending=bool(largest))
    values, order = values.narrow(d, 0, int(k)), order.narrow(d, 0, int(k))
    index_dtype = _index_dtype(input_tensor, d)
    if indices_tensor is not None:
        order = _labels(op, indices_tensor, input_tensor, order, d)
        index_dtype = indices_tensor.dtype
    return _pair(op, input_tensor, values, order, index_dtype, memory_config, output_tensor)


def _labels(op: str, labels: Tensor, input_tensor: Tensor, order: torch.Tensor, dim: int) -> torch.Tensor:
    """topk's indices_tensor: the labels it holds at the selected positions instead of the positions."""
    _require_tile_dtype(op, labels, (DataType.UINT16, DataType.UINT32, DataType.INT32), "indices_tensor")
    if tuple(labels.shape) != tuple(input_tensor.shape):
        raise ShapeError(
            f"{op}: indices_tensor is {list(labels.shape)} but input_tensor is {list(input_tensor.shape)}; "
            "they must have the same shape"
        )
    return torch.gather(labels._logical().to(torch.int64), dim, order)


@ttnn_op("ttnn.sort")
def sort(input_tensor, dim=-1, descending=False, stable=False, *, memory_config=None, out=None):
    """Sorted values and the positions they came from (uint16 indices, uint32 past 65535)."""
    op = "ttnn.sort"
    _require_tile_dtype(op, input_tensor, (DataType.BFLOAT16, DataType.FLOAT32, DataType.UINT16))
    d = _dim(op, dim, input_tensor)
    values, order = _ordered(input_tensor._logical(), d, descending=bool(descending))
    if values.is_floating_point():
        values = values.to(torch.float32)
    index_dtype = DataType.UINT32 if _padded_size(input_tensor, d) > UINT16_LIMIT else DataType.UINT16
    return _pair(op, input_tensor, values, order, index_dtype, memory_config, out)


# argmax's dtypes per reduced dim (its 0.81.1 docstring): integer inputs only on the last dim / all elements.
ARGMAX_FLOAT = (DataType.BFLOAT16, DataType.FLOAT32)
ARGMAX_ANY = ARGMAX_FLOAT + (DataType.INT32, DataType.UINT32, DataType.UINT16)


@ttnn_op("ttnn.argmax")
def argmax(
    input_tensor,
    dim=None,
    keepdim=False,
    *,
    sub_core_grids=None,
    memory_config=None,
    output_tensor=None,
    enable_secondary_dm=None,
):
    """Position of the largest value (the first one among equals): UINT32, ROW_MAJOR."""
    op = "ttnn.argmax"
    require_device(op, "input_tensor", input_tensor, tile=False)
    rank = len(input_tensor.shape)
    if input_tensor.is_sharded():
        raise LayoutError(f"{op}: input_tensor is sharded; argmax takes INTERLEAVED tensors (ttnn.to_memory_config)")
    if dim is None and input_tensor.layout is Layout.TILE:
        raise LayoutError(f"{op}: dim=None (all elements) needs a ROW_MAJOR input; ttnn.to_layout it first")
    d = None if dim is None else _dim(op, dim, input_tensor)
    allowed = ARGMAX_ANY if d is None or d == rank - 1 else ARGMAX_FLOAT
    if d == rank - 1 and input_tensor.layout is Layout.TILE:
        allowed = ARGMAX_FLOAT
    if input_tensor.dtype not in allowed:
        raise DTypeError(
            f"{op}: a {input_tensor.dtype.name} input cannot be reduced over dim {dim}; "
            f"this case takes {', '.join(t.name for t in allowed)}"
        )
    values = input_tensor._logical()
    if values.numel() == 0 or (d is not None and values.shape[d] == 0):
        raise ShapeError(f"{op}: input_tensor {list(input_tensor.shape)} has no values to take the argmax of")
    result = values.flatten().argmax() if d is None else values.argmax(dim=d, keepdim=bool(keepdim))
    if d is None and keepdim:
        result = result.reshape([1] * rank)
    result = finish(
        op, result, dtype=DataType.UINT32, like=input_tensor, memory_config=memory_config, layout=Layout.ROW_MAJOR
    )
    return _write(op, result, output_tensor) if output_tensor is not None else result


@ttnn_op("ttnn.gather")
def gather(input, dim, index, *, sparse_grad=False, memory_config=None, out=None, sub_core_grids=None):  # noqa: A002
    """input's values at `index` along `dim` (torch.gather); the output has index's shape and input's dtype."""
    op = "ttnn.gather"
    refuse_unmodelled(op, sparse_grad=sparse_grad)
    values_dtypes = (DataType.BFLOAT16, DataType.FLOAT32, DataType.UINT16, DataType.UINT32, DataType.INT32)
    _require_tile_dtype(op, input, values_dtypes, "input")
    _require_tile_dtype(op, index, INDEX_DTYPES, "index")
    d = _dim(op, dim, input)
    _check_index_shape(op, input, index, d)
    positions = _positions(op, index, input.shape[d], "input", d)
    result = torch.gather(input._logical(), d, positions)
    if result.is_floating_point():
        result = result.to(torch.float32)
    return finish(op, result, dtype=input.dtype, like=input, memory_config=memory_config, output_tensor=out)


def _check_index_shape(op: str, input: Tensor, index: Tensor, dim: int) -> None:  # noqa: A002
    if len(index.shape) != len(input.shape) or any(
        i > s for axis, (i, s) in enumerate(zip(index.shape, input.shape)) if axis != dim
    ):
        raise ShapeError(
            f"{op}: index is {list(index.shape)} and input is {list(input.shape)}; index needs input's rank and "
            f"no dim larger than input's except dim {dim} (they do not broadcast)"
        )


def _positions(op: str, index: Tensor, size: int, name: str, dim: int) -> torch.Tensor:
    """The index values as int64, refused when one is out of range (the device would return unspecified values)."""
    positions = index._logical().to(torch.int64)
    if positions.numel() and (positions.min() < 0 or positions.max() >= size):
        raise ShapeError(
            f"{op}: index holds {int(positions.max())} but {name} has {size} entries along dim {dim}; on a device "
            "the values read for such an index are unspecified"
        )
    return positions


@ttnn_op("ttnn.scatter")
def scatter(input, dim, index, src, *, memory_config=None, reduce=None, sub_core_grids=None):  # noqa: A002
    """input with src's values written at `index` along `dim` (torch.scatter; later writes win)."""
    op = "ttnn.scatter"
    refuse_unmodelled(op, reduce=reduce)  # "currently not supported" (0.81.1's docstring)
    values_dtypes = (DataType.BFLOAT16, DataType.FLOAT32, DataType.UINT16, DataType.UINT32, DataType.INT32)
    require_device(op, "input", input, tile=False)
    require_device(op, "src", src, tile=False)
    require_device(op, "index", index, tile=False)
    for name, tensor, dtypes in (("input", input, values_dtypes), ("index", index, INDEX_DTYPES + (DataType.INT32,))):
        if tensor.dtype not in dtypes:
            raise DTypeError(f"{op}: {name} is {tensor.dtype.name}; it must be one of {[t.name for t in dtypes]}")
    if src.dtype is not input.dtype:
        raise DTypeError(f"{op}: src is {src.dtype.name} but input is {input.dtype.name}; they must match")
    d = _dim(op, dim, input)
    _check_index_shape(op, input, index, d)
    if any(i > s for i, s in zip(index.shape, src.shape)):
        raise ShapeError(f"{op}: index {list(index.shape)} is larger than src {list(src.shape)} in some dim")
    positions = _positions(op, index, input.shape[d], "input", d)
    window = tuple(slice(0, n) for n in index.shape)
    result = input._logical().clone().scatter_(d, positions, src._logical()[window].to(input._logical().dtype))
    return finish(op, result, dtype=input.dtype, like=input, memory_config=memory_config)


@ttnn_op("ttnn.index_fill")
def index_fill(input, dim, index, value, *, memory_config=None):  # noqa: A002 - ttnn's name
    """input with every slice along `dim` named in the 1-D `index` set to `value` (torch.index_fill)."""
    op = "ttnn.index_fill"
    require_device(op, "input", input, tile=False)
    require_device(op, "index", index, tile=False)
    if len(index.shape) != 1 or index.dtype not in (DataType.UINT32, DataType.INT32):
        raise ShapeError(f"{op}: index is {index._describe()}; it must be a 1-D uint32 tensor on the device")
    d = _dim(op, dim, input)
    positions = _positions(op, index, input.shape[d], "input", d)
    values = input._logical()
    filled = values.clone().index_fill_(d, positions, value)
    if filled.is_floating_point():
        filled = filled.to(torch.float32)
    return finish(op, filled, dtype=input.dtype, like=input, memory_config=memory_config)


@ttnn_op("ttnn.nonzero")
def nonzero(input_tensor, *, memory_config=None):
    """[count, indices]: count in element 0 of a [1, 1, 1, 8] uint32 tensor; indices the positions of the non-zero
    values first, in a uint32 tensor of the input's shape (the rest zero). Takes a ROW_MAJOR [1, 1, 1, W] tensor."""
    op = "ttnn.nonzero"
    require_device(op, "input_tensor", input_tensor, tile=False)
    shape = list(input_tensor.shape)
    if input_tensor.layout is not Layout.ROW_MAJOR or len(shape) != 4 or shape[:3] != [1, 1, 1]:
        raise ShapeError(
            f"{op}: input_tensor is {input_tensor._describe()}; it must be a ROW_MAJOR [1, 1, 1, W] tensor "
            "(ttnn.reshape / ttnn.to_layout it first)"
        )
    found = torch.nonzero(input_tensor._logical().flatten()).flatten()
    indices = torch.zeros(shape[-1], dtype=torch.int64)
    indices[: found.numel()] = found
    count = torch.zeros(8, dtype=torch.int64)
    count[0] = found.numel()
    return [
        finish(op, count.reshape(1, 1, 1, 8), dtype=DataType.UINT32, like=input_tensor, memory_config=memory_config),
        finish(op, indices.reshape(shape), dtype=DataType.UINT32, like=input_tensor, memory_config=memory_config),
    ]
