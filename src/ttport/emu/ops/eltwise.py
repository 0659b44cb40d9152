"""Element-wise ops. Binary ops run on the matrix engine's element-wise path; unary ops on the vector unit (SFPU).

Both work on whole tiles, so they also compute on the padding (exp turns a zero pad into ones): that is what the
hardware does, and it is why the padding of a tensor is kept as real values.
"""

from __future__ import annotations

import torch

from ..errors import ShapeError, TTNNError
from ..numerics import MathFidelity, elementwise_product, is_ideal
from ..registry import elementwise_flops, require_device, ttnn_op
from ..tensor import Tensor
from ._common import as_float, broadcast_stored, finish

# Element-wise binary ops default to HiFi4 (docs/ttnn-numerics.md): multiply forms the exact bfloat16 product.
BINARY_MATH_FIDELITY = MathFidelity.HiFi4


def _binary(op: str, a, b, golden, *, dtype, memory_config, output_tensor, fidelity=None):
    if not isinstance(a, Tensor):
        raise TTNNError(f"{op}: input_tensor_a must be a ttnn.Tensor, got {type(a).__name__}")
    require_device(op, "input_tensor_a", a)
    dtype = dtype or a.dtype
    if isinstance(b, (int, float)):
        values = golden(as_float(a.stored), float(b), fidelity)
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
    require_device(op, "input_tensor_b", b)
    if b.device() is not a.device():
        raise TTNNError(f"{op}: input_tensor_a and input_tensor_b are on different devices")
    stored_a, stored_b, shape = broadcast_stored(op, a, b)
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


# name -> (golden on float32 operands, math fidelity it runs at or None, flops per element).
BINARY_GOLDENS = {
    "add": (lambda x, y: x + y, None, 1),
    "subtract": (lambda x, y: x - y, None, 1),
    "multiply": (None, BINARY_MATH_FIDELITY, 1),  # the matrix engine's product, see elementwise_product
    # ttnn divides as x * recip(y), the reciprocal on the SFPU in fp32 (docs/ttnn-numerics.md).
    "divide": (lambda x, y: x * torch.reciprocal(torch.as_tensor(y, dtype=torch.float32)), None, 2),
}


def _multiply(x, y, fidelity):
    if isinstance(y, float) or is_ideal():
        return x * y
    return elementwise_product(x, y, fidelity)


def _make_binary(name: str):
    golden, fidelity, flops = BINARY_GOLDENS[name]
    compute = _multiply if golden is None else (lambda x, y, _: golden(x, y))
    op = f"ttnn.{name}"

    def binary(
        input_tensor_a,
        input_tensor_b,
        *,
        dtype=None,
        memory_config=None,
        output_tensor=None,
        activations=None,
        input_tensor_a_activations=None,
        input_tensor_b_activations=None,
        use_legacy=None,
        sub_core_grids=None,
    ):
        _refuse_activations(op, activations, input_tensor_a_activations, input_tensor_b_activations)
        return _binary(
            op,
            input_tensor_a,
            input_tensor_b,
            compute,
            dtype=dtype,
            memory_config=memory_config,
            output_tensor=output_tensor,
            fidelity=fidelity,
        )

    binary.__name__ = binary.__qualname__ = name
    binary.__doc__ = f"{op}: element-wise {name} of two tensors (broadcasting dims of size 1) or a tensor and a number."
    return ttnn_op(op, flops=elementwise_flops(flops))(binary)


add = _make_binary("add")
subtract = _make_binary("subtract")
multiply = _make_binary("multiply")
divide = _make_binary("divide")


def _refuse_activations(op: str, *activations) -> None:
    if any(activations):
        raise TTNNError(f"{op}: fused activations are not emulated; apply the activation op (e.g. ttnn.relu) after")


# -- unary ops on the vector unit (fp32 inside), each with its torch golden ------------------------------------------
def _unary(op: str, input_tensor, golden, memory_config, output_tensor):
    require_device(op, "input_tensor", input_tensor)
    values = golden(as_float(input_tensor.stored))
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
    "sigmoid": (torch.sigmoid, 4),
    "tanh": (torch.tanh, 4),
    "sqrt": (torch.sqrt, 4),
    "rsqrt": (torch.rsqrt, 4),
    "reciprocal": (torch.reciprocal, 4),
    "neg": (torch.neg, 1),
}


def _make_unary(name: str):
    golden, flops = UNARY_GOLDENS[name]
    op = f"ttnn.{name}"

    def unary(input_tensor, *, memory_config=None, output_tensor=None):
        return _unary(op, input_tensor, golden, memory_config, output_tensor)

    unary.__name__ = unary.__qualname__ = name
    unary.__doc__ = f"{op}: element-wise {name} on the vector unit (golden: {golden.__module__}.{golden.__name__})."
    return ttnn_op(op, flops=elementwise_flops(flops))(unary)


relu = _make_unary("relu")
silu = _make_unary("silu")
sigmoid = _make_unary("sigmoid")
tanh = _make_unary("tanh")
sqrt = _make_unary("sqrt")
rsqrt = _make_unary("rsqrt")
reciprocal = _make_unary("reciprocal")
neg = _make_unary("neg")


@ttnn_op("ttnn.gelu", flops=elementwise_flops(8))
def gelu(input_tensor, *, fast_and_approximate_mode=True, memory_config=None, output_tensor=None):
    # The fast mode's SFPU kernel approximates erf; its closed-form twin is the tanh approximation.
    approximate = "tanh" if fast_and_approximate_mode and not is_ideal() else "none"
    golden = lambda x: torch.nn.functional.gelu(x, approximate=approximate)  # noqa: E731
    return _unary("ttnn.gelu", input_tensor, golden, memory_config, output_tensor)


@ttnn_op("ttnn.exp", flops=elementwise_flops(4))
def exp(input_tensor, *, fast_and_approximate_mode=False, memory_config=None, output_tensor=None):
    return _unary("ttnn.exp", input_tensor, torch.exp, memory_config, output_tensor)


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
def where(condition, true_value, false_value, *, memory_config=None, output_tensor=None):
    require_device("ttnn.where", "condition", condition)
    operands = [("true_value", true_value), ("false_value", false_value)]
    for name, value in operands:
        if isinstance(value, Tensor):
            require_device("ttnn.where", name, value)
            if tuple(value.shape) != tuple(condition.shape):
                raise ShapeError(
                    f"ttnn.where: condition is {list(condition.shape)} but {name} is {list(value.shape)}; "
                    "where needs equal shapes"
                )
        elif not isinstance(value, (int, float)):
            raise TTNNError(f"ttnn.where: {name} must be a ttnn.Tensor or a number, got {type(value).__name__}")
    chosen = [as_float(v.stored) if isinstance(v, Tensor) else float(v) for _, v in operands]
    values = torch.where(as_float(condition.stored) != 0, *[torch.as_tensor(c) for c in chosen])
    dtype = next((v.dtype for _, v in operands if isinstance(v, Tensor)), condition.dtype)
    return finish(
        "ttnn.where",
        values.expand(condition.stored.shape).to(torch.float32),
        dtype=dtype,
        like=condition,
        shape=tuple(condition.shape),
        memory_config=memory_config,
        output_tensor=output_tensor,
    )
