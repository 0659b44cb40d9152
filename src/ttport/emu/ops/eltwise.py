"""Element-wise ops. Binary ops run on the matrix engine's element-wise path; unary ops on the vector unit (SFPU).

Both work on whole tiles, so they also compute on the padding (exp turns a zero pad into ones): that is what the
hardware does, and it is why the padding of a tensor is kept as real values.
"""

from __future__ import annotations

import torch

from ..errors import TTNNError
from ..numerics import MathFidelity, elementwise_product, is_ideal
from ..registry import elementwise_flops, require_device, ttnn_op
from ..tensor import Tensor
from ..types import DataType, Layout, TTNNEnum
from ._common import as_float, broadcast_many, broadcast_stored, finish, refuse_unmodelled
from .activations import apply_activations
from .gelu_lut import gelu_approximate

# Element-wise binary ops default to HiFi4 (docs/ttnn-numerics.md): multiply forms the exact bfloat16 product.
BINARY_MATH_FIDELITY = MathFidelity.HiFi4


def _binary(op: str, a, b, golden, *, dtype, memory_config, output_tensor, fidelity=None):
    if not isinstance(a, Tensor):
        raise TTNNError(f"{op}: input_tensor_a must be a ttnn.Tensor, got {type(a).__name__}")
    # ttnn 0.81.1's binary ops take TILE and ROW_MAJOR operands, independently of each other (their docstring).
    require_device(op, "input_tensor_a", a, tile=False)
    dtype = dtype or a.dtype
    if isinstance(b, (int, float)):
        values = golden(as_float(a._values), float(b), fidelity)  # float64 math for integer tensors: exact
        return finish(
            op,
            values,
            dtype=dtype,
            like=a,
            shape=tuple(a.shape),
            memory_config=memory_config,
            output_tensor=output_tensor,
        )
    if not isinstance(b, Tensor):
        raise TTNNError(f"{op}: input_tensor_b must be a ttnn.Tensor or a number, got {type(b).__name__}")
    require_device(op, "input_tensor_b", b, tile=False)
    if b.device() is not a.device():
        raise TTNNError(f"{op}: input_tensor_a and input_tensor_b are on different devices")
    stored_a, stored_b, shape = broadcast_stored(op, *same_layout(a, b))
    values = golden(as_float(stored_a), as_float(stored_b), fidelity)
    like = a if tuple(a.shape) == shape else b
    return finish(
        op,
        values,
        dtype=dtype,
        like=like,
        shape=shape,
        memory_config=memory_config or a.memory_config(),
        output_tensor=output_tensor,
    )


def same_layout(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """Operands of one layout to broadcast: a ROW_MAJOR one beside a TILE one is read as its tiles would hold it
    (the op reads both into tiles; the padding of a tile it fills is zero)."""
    if a.layout is b.layout:
        return a, b
    as_tiles = [
        t if t.layout is Layout.TILE else Tensor._from_logical(t._logical(), t.dtype, Layout.TILE) for t in (a, b)
    ]
    return as_tiles[0], as_tiles[1]


# name -> (golden on float32 operands, math fidelity it runs at or None, flops per element).
BINARY_GOLDENS = {
    "add": (lambda x, y: x + y, None, 1),
    "subtract": (lambda x, y: x - y, None, 1),
    "multiply": (None, BINARY_MATH_FIDELITY, 1),  # the matrix engine's product, see elementwise_product
}
# ttnn 0.81.1's default for fast_and_approximate_mode differs per op (validate/data/ttnn_api_0.81.1.json); for add,
# subtract and multiply of floats it selects nothing the result depends on.
FAST_MODE_DEFAULTS = {"add": True, "subtract": True, "multiply": False}


def _multiply(x, y, fidelity):
    # A scalar, ideal numerics or integer operands (as_float gives float64 only for those): an exact product.
    if isinstance(y, float) or is_ideal() or x.dtype == torch.float64:
        return x * y
    return elementwise_product(x, y, fidelity)


def _with_activations(op: str, compute, activations, a_activations, b_activations):
    """`compute` with ttnn's fused activations: on each input before the op, on the output after it."""
    if not (activations or a_activations or b_activations):
        return compute

    def fused(x, y, fidelity):
        x = apply_activations(op, x, a_activations)
        if not isinstance(y, float):
            y = apply_activations(op, y, b_activations)
        return apply_activations(op, compute(x, y, fidelity), activations)

    return fused


def _make_binary(name: str):
    golden, fidelity, flops = BINARY_GOLDENS[name]
    compute = _multiply if golden is None else (lambda x, y, _: golden(x, y))
    op = f"ttnn.{name}"

    def binary(
        input_tensor_a,
        input_tensor_b,
        *,
        fast_and_approximate_mode=False,
        dtype=None,
        memory_config=None,
        output_tensor=None,
        activations=[],  # noqa: B006 - ttnn's default, never mutated
        input_tensor_a_activations=[],  # noqa: B006
        input_tensor_b_activations=[],  # noqa: B006
        sub_core_grids=None,
        sub_device_id=None,
    ):
        return _binary(
            op,
            input_tensor_a,
            input_tensor_b,
            _with_activations(op, compute, activations, input_tensor_a_activations, input_tensor_b_activations),
            dtype=dtype,
            memory_config=memory_config,
            output_tensor=output_tensor,
            fidelity=fidelity,
        )

    binary.__kwdefaults__["fast_and_approximate_mode"] = FAST_MODE_DEFAULTS[name]
    binary.__name__ = binary.__qualname__ = name
    binary.__doc__ = f"{op}: element-wise {name} of two tensors (broadcasting dims of size 1) or a tensor and a number."
    return ttnn_op(op, flops=elementwise_flops(flops))(binary)


add = _make_binary("add")
subtract = _make_binary("subtract")
multiply = _make_binary("multiply")

# rounding_mode -> how the quotient is rounded to an integer value (None keeps it).
ROUNDING_MODES = {None: lambda q: q, "floor": torch.floor, "trunc": torch.trunc}


@ttnn_op("ttnn.divide", flops=elementwise_flops(2))
def divide(
    input_tensor_a,
    input_tensor_b,
    *,
    fast_and_approximate_mode=False,
    rounding_mode=None,
    dtype=None,
    memory_config=None,
    output_tensor=None,
    activations=[],  # noqa: B006 - ttnn's default, never mutated
    input_tensor_a_activations=[],  # noqa: B006
    input_tensor_b_activations=[],  # noqa: B006
    sub_core_grids=None,
    sub_device_id=None,
):
    """ttnn.divide: a / b, or with rounding_mode "floor" / "trunc" rounded to an integer value."""
    if rounding_mode not in ROUNDING_MODES:
        raise TTNNError(f"ttnn.divide: rounding_mode must be None, 'floor' or 'trunc', got {rounding_mode!r}")
    rounding = ROUNDING_MODES[rounding_mode]
    # Division runs on the vector unit as a * reciprocal(b) in fp32 (docs/ttnn-numerics.md §5); what the fast
    # mode changes for bfloat16 is not documented, so it is refused.
    refuse_unmodelled("ttnn.divide", fast_and_approximate_mode=fast_and_approximate_mode)
    quotient = lambda x, y: x * torch.reciprocal(torch.as_tensor(y, dtype=torch.float32))  # noqa: E731
    compute = _with_activations(
        "ttnn.divide",
        lambda x, y, _: rounding(quotient(x, y)),
        activations,
        input_tensor_a_activations,
        input_tensor_b_activations,
    )
    return _binary(
        "ttnn.divide",
        input_tensor_a,
        input_tensor_b,
        compute,
        dtype=dtype,
        memory_config=memory_config,
        output_tensor=output_tensor,
    )


# -- unary ops on the vector unit (fp32 inside), each with its torch golden ------------------------------------------
def _unary(op: str, input_tensor, golden, memory_config, output_tensor):
    require_device(op, "input_tensor", input_tensor, tile=False)  # TILE or ROW_MAJOR, per ttnn 0.81.1's docstrings
    values = golden(as_float(input_tensor._values))
    return finish(
        op,
        values,
        dtype=input_tensor.dtype,
        like=input_tensor,
        shape=tuple(input_tensor.shape),
        memory_config=memory_config,
        output_tensor=output_tensor,
    )


# name -> (golden on float32, flops per element). Ops with extra parameters are written out below.
UNARY_GOLDENS = {
    "relu": (torch.relu, 1),
    "silu": (torch.nn.functional.silu, 5),
    "sqrt": (torch.sqrt, 4),
    "rsqrt": (torch.rsqrt, 4),
    "reciprocal": (torch.reciprocal, 4),
    "neg": (torch.neg, 1),
    "exp": (torch.exp, 4),
}


def _make_unary(name: str):
    golden, flops = UNARY_GOLDENS[name]
    op = f"ttnn.{name}"

    def unary(input_tensor, *, memory_config=None, output_tensor=None, sub_core_grids=None):
        return _unary(op, input_tensor, golden, memory_config, output_tensor)

    unary.__name__ = unary.__qualname__ = name
    unary.__doc__ = f"{op}: element-wise {name} on the vector unit (golden: {golden.__module__}.{golden.__name__})."
    return ttnn_op(op, flops=elementwise_flops(flops))(unary)


def _make_approximable_unary(name: str):
    """A unary op with ttnn's fast_and_approximate_mode: its SFPU approximation is not modelled, so it is refused."""
    golden, flops = UNARY_GOLDENS[name]
    op = f"ttnn.{name}"

    def unary(
        input_tensor, *, fast_and_approximate_mode=False, memory_config=None, output_tensor=None, sub_core_grids=None
    ):
        refuse_unmodelled(op, fast_and_approximate_mode=fast_and_approximate_mode)
        return _unary(op, input_tensor, golden, memory_config, output_tensor)

    unary.__name__ = unary.__qualname__ = name
    unary.__doc__ = f"{op}: element-wise {name} on the vector unit (golden: {golden.__module__}.{golden.__name__})."
    return ttnn_op(op, flops=elementwise_flops(flops))(unary)


relu = _make_unary("relu")
silu = _make_unary("silu")
reciprocal = _make_unary("reciprocal")
neg = _make_unary("neg")
sqrt = _make_approximable_unary("sqrt")
rsqrt = _make_approximable_unary("rsqrt")
exp = _make_approximable_unary("exp")


@ttnn_op("ttnn.tanh", flops=elementwise_flops(4))
def tanh(input_tensor, *, memory_config=None, output_tensor=None, fast_and_approximate_mode=False, sub_core_grids=None):
    refuse_unmodelled("ttnn.tanh", fast_and_approximate_mode=fast_and_approximate_mode)
    return _unary("ttnn.tanh", input_tensor, torch.tanh, memory_config, output_tensor)


class SigmoidMode(TTNNEnum):
    Accurate = 0
    Approximate = 1


# vector_mode 4 is VecMode.RC: the whole tile (2, VecMode.C, would compute only the first column of faces).
SIGMOID_VECTOR_MODE_RC = 4


@ttnn_op("ttnn.sigmoid", flops=elementwise_flops(4))
def sigmoid(
    input_tensor,
    *,
    vector_mode=SIGMOID_VECTOR_MODE_RC,
    mode=SigmoidMode.Accurate,
    memory_config=None,
    output_tensor=None,
    sub_core_grids=None,
):
    if vector_mode != SIGMOID_VECTOR_MODE_RC or mode is not SigmoidMode.Accurate:
        refuse_unmodelled("ttnn.sigmoid", vector_mode=vector_mode, mode=mode)
    return _unary("ttnn.sigmoid", input_tensor, torch.sigmoid, memory_config, output_tensor)


@ttnn_op("ttnn.gelu", flops=elementwise_flops(8))
def gelu(input_tensor, *, fast_and_approximate_mode=False, memory_config=None, output_tensor=None, sub_core_grids=None):
    """ttnn.gelu: erf GELU, as torch's default; the fast mode is the vector unit's 6-segment piecewise-linear table
    (ttnn 0.81.1's docstring: "6-segment piecewise-linear LUT"; segments in gelu_lut.py)."""
    function = gelu_approximate if fast_and_approximate_mode else torch.nn.functional.gelu
    return _unary("ttnn.gelu", input_tensor, function, memory_config, output_tensor)


@ttnn_op("ttnn.pow", flops=elementwise_flops(4))
def pow(input_tensor, exponent, *, memory_config=None, output_tensor=None):  # noqa: A001 - ttnn's name
    if isinstance(exponent, Tensor):
        return _binary(
            "ttnn.pow",
            input_tensor,
            exponent,
            lambda x, y, _: torch.pow(x, y),
            dtype=None,
            memory_config=memory_config,
            output_tensor=output_tensor,
        )
    if not isinstance(exponent, (int, float)):
        raise TTNNError(f"ttnn.pow: exponent must be a number or a ttnn.Tensor, got {type(exponent).__name__}")
    return _unary("ttnn.pow", input_tensor, lambda x: torch.pow(x, exponent), memory_config, output_tensor)


@ttnn_op("ttnn.clamp", flops=elementwise_flops(2))
def clamp(input_tensor, min=None, max=None, *, memory_config=None, output_tensor=None):  # noqa: A002 - ttnn's names
    if min is None and max is None:
        raise TTNNError("ttnn.clamp: give min, max or both")
    for bound_name, bound in (("min", min), ("max", max)):
        if isinstance(bound, Tensor):
            raise TTNNError(f"ttnn.clamp: a tensor {bound_name} is not emulated; use ttnn.where")
    return _unary("ttnn.clamp", input_tensor, lambda x: torch.clamp(x, min, max), memory_config, output_tensor)


@ttnn_op("ttnn.where", flops=elementwise_flops(1))
def where(predicate, true_value, false_value, *, memory_config=None, output_tensor=None, sub_core_grids=None):
    """predicate != 0 ? true_value : false_value, broadcasting tensors of size-1 dims against each other.

    Output dtype as real ttnn (ttnn/operations/eltwise/ternary/ternary.cpp, unary.cpp where_tss): the true value's
    dtype when it is a tensor, else the false value's; with two scalars the predicate's, except that an int32 /
    uint32 predicate with a float scalar is first converted to float32, so the result is float32.
    """
    op = "ttnn.where"
    require_device(op, "predicate", predicate)
    values = {"true_value": true_value, "false_value": false_value}
    for name, value in values.items():
        if isinstance(value, Tensor):
            require_device(op, name, value)
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TTNNError(f"{op}: {name} must be a ttnn.Tensor or a number, got {type(value).__name__}")
    tensors = [predicate] + [v for v in values.values() if isinstance(v, Tensor)]
    stored, shape = broadcast_many(op, tensors)
    chosen = iter(stored[1:])
    operands = [as_float(next(chosen)) if isinstance(v, Tensor) else v for v in values.values()]
    result = torch.where(as_float(stored[0]) != 0, *[torch.as_tensor(o, dtype=torch.float64) for o in operands])
    like = next((t for t in tensors if tuple(t.shape) == shape), predicate)
    return finish(
        op,
        result,
        dtype=_where_dtype(predicate, true_value, false_value),
        like=like,
        shape=shape,
        memory_config=memory_config,
        output_tensor=output_tensor,
    )


def _where_dtype(predicate: Tensor, true_value, false_value) -> DataType:
    for value in (true_value, false_value):
        if isinstance(value, Tensor):
            return value.dtype
    integer_predicate = predicate.dtype in (DataType.INT32, DataType.UINT32)
    if integer_predicate and any(isinstance(v, float) for v in (true_value, false_value)):
        return DataType.FLOAT32
    return predicate.dtype
