"""Matmul operand rules that come before the math: data formats the matrix engine takes, and 1-D operands.

Kept apart from ops/matmul.py (the math and its configs) so each stays one concern.
"""

from __future__ import annotations

from ..errors import DTypeError, ShapeError
from ..tensor import Tensor
from ..types import DTYPE_INFO

# The matrix engine multiplies float formats only; real ttnn refuses a uint32 / int32 matmul with
# "Unsupported data format" (observed on hardware, issue 11).
UNSUPPORTED_FORMAT = "Unsupported data format"


def check_formats(op: str, a: Tensor, b: Tensor) -> None:
    for name, tensor in (("input_tensor_a", a), ("input_tensor_b", b)):
        if not DTYPE_INFO[tensor.dtype].is_float:
            raise DTypeError(
                f"{UNSUPPORTED_FORMAT} ({op}: {name} is {tensor.dtype.name.lower()}; the matrix engine multiplies "
                "bfloat16, float32, bfloat8_b or bfloat4_b: ttnn.typecast it to ttnn.bfloat16 first)"
            )


def as_matrices(op: str, a: Tensor, b: Tensor, transpose_a: bool, transpose_b: bool):
    """1-D operands as torch.matmul treats them: a [K] is a [1, K] row, b [K] a [K, 1] column; returns the two
    rank >= 2 tensors and the dims to drop from the result."""
    drop = []
    if len(a.shape) == 1:
        _no_transpose(op, "input_tensor_a", transpose_a)
        a, drop = _reshaped(a, (1, a.shape[0])), drop + [-2]
    if len(b.shape) == 1:
        _no_transpose(op, "input_tensor_b", transpose_b)
        b, drop = _reshaped(b, (b.shape[0], 1)), drop + [-1]
    return a, b, drop


def squeezed(op: str, result: Tensor, drop: list[int]) -> Tensor:
    """The result without the dims a 1-D operand added."""
    if not drop:
        return result
    shape = list(result.shape)
    for dim in sorted(drop):  # -2 before -1: deleting the row dim first leaves -1 in place
        del shape[dim if dim == -1 else len(shape) + dim]
    out = _reshaped(result, tuple(shape))
    result.deallocate()
    return out


def _reshaped(tensor: Tensor, shape: tuple[int, ...]) -> Tensor:
    values = tensor._logical().reshape(shape)
    out = Tensor._from_logical(values, tensor.dtype, tensor.layout)
    if tensor.device() is None:
        return out
    return Tensor(out._values, out.shape, out.dtype, out.layout, tensor.device(), tensor.memory_config())


def _no_transpose(op: str, name: str, transpose: bool) -> None:
    if transpose:
        raise ShapeError(f"{op}: {name} is 1-D, so it has no last two dims to transpose; drop transpose_* for it")
