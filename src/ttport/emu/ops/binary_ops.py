"""Binary element-wise ops as data: tt-metal's binary_ng composes most of them from one core op and unary steps.

binary_ng (ttnn/cpp/ttnn/operations/eltwise/binary_ng/device/binary_ng_utils.cpp, OpConfig) runs, per tile,
`post(core(pre_a(a), pre_b(b)))`: a comparison is the subtraction a - b followed by EQZ / GTZ / ...; logical_and is
NEZ(a * b); logical_or GTZ(NEZ(a) + NEZ(b)); logical_xor NEZ(NEZ(a) - NEZ(b)); logaddexp LOG(EXP(a) + EXP(b));
squared_difference SQUARE(a - b); bias_gelu GELU(a + b). Rows below are those recipes. The core add / sub / mul
runs on the matrix engine (FPU) unless both inputs are float32 or integers, and then every step's result is
parked in bfloat16 (the input-format circular buffer, the 16-bit destination) before the next step reads it;
maximum / minimum / bitwise ops only exist on the vector unit (SFPU) in fp32. A scalar operand is packed in the
input's format (pack_scalar_runtime_arg: two bfloat16 for bfloat16 / block-float inputs, fp32 for float32,
int32 for int32). Composite ops (remainder, fmod, atan2, hypot, xlogy, div_no_nan, floor_div) are one fp32
golden rounded once: their intermediate roundings on a card are not modelled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from .. import golden as golden_registry
from ..errors import DTypeError, TTNNError
from ..registry import require_device
from ..tensor import Tensor
from ..types import DTYPE_INFO, DataType
from ._common import as_float, broadcast_stored, finish
from .activations import apply_activations
from .eltwise import add, divide, multiply, same_layout, subtract
from .gelu_lut import gelu_approximate
from .op_signature import ACTIVATION_PARAMS, KW, PLACEMENT, POS, golden_of, table_op
from .unary_ops import UNARY_OPS

# The keyword parameters after (input_tensor_a, input_tensor_b), per family, as recorded for ttnn 0.81.1.
BINARY_NG = (KW("dtype"), KW("memory_config"), KW("output_tensor"), *ACTIVATION_PARAMS, *PLACEMENT)
MAX_MIN = (KW("dtype"), KW("memory_config"), KW("output_tensor"), *ACTIVATION_PARAMS)
RSUB = (*MAX_MIN, KW("fast_and_approximate_mode", True))
BIAS_GELU = (KW("fast_and_approximate_mode", False), *BINARY_NG)
BITWISE = (KW("memory_config"), KW("output_tensor"), *ACTIVATION_PARAMS, *PLACEMENT)
FMOD = (KW("memory_config"), *PLACEMENT)
MEMORY_ONLY = (KW("memory_config"),)


def _int(x):
    return x.to(torch.int64)


def _div_no_nan(x, y):
    return torch.where(y == 0, torch.zeros_like(x * y), x / torch.where(y == 0, torch.ones_like(y), y))


# core op -> (function on float32 / float64 values, runs on the FPU when the inputs are bfloat16 / block floats).
CORES: dict[str, tuple[Callable, bool]] = {
    "add": (torch.add, True),
    "sub": (torch.sub, True),
    "mul": (torch.mul, True),
    "rsub": (lambda x, y: y - x, True),
    "maximum": (torch.maximum, False),
    "minimum": (torch.minimum, False),
    "bitwise_and": (lambda x, y: _int(x) & _int(y), False),
    "bitwise_or": (lambda x, y: _int(x) | _int(y), False),
    "bitwise_xor": (lambda x, y: _int(x) ^ _int(y), False),
    "remainder": (torch.remainder, False),
    "fmod": (torch.fmod, False),
    "atan2": (torch.atan2, False),
    "hypot": (torch.hypot, False),
    "xlogy": (torch.xlogy, False),
    "div_no_nan": (_div_no_nan, False),
    "floor_div": (lambda x, y: torch.floor(x / y), False),
    "nextafter": (lambda x, y: torch.nextafter(x, y.to(x.dtype) if isinstance(y, torch.Tensor) else y), False),
}


@dataclass(frozen=True)
class Binary:
    core: str
    pre_a: str | None = None  # a UNARY_OPS row applied to input a first
    pre_b: str | None = None
    post: str | None = None  # applied to the core's result
    parameters: tuple = BINARY_NG
    golden: Callable | None = None  # torch golden (ttnn.get_golden_function); default: this recipe in float32
    integers: str = "any"  # "any": floats and integers; "only": integer tensors (bitwise)
    tensor_b: bool = False  # input_tensor_b must be a tensor (no scalar overload in ttnn 0.81.1)


BINARY_OPS: dict[str, Binary] = {
    "eq": Binary("sub", post="eqz", golden=torch.eq),
    "ne": Binary("sub", post="nez", golden=torch.ne),
    "gt": Binary("sub", post="gtz", golden=torch.gt),
    "ge": Binary("sub", post="gez", golden=torch.ge),
    "lt": Binary("sub", post="ltz", golden=torch.lt),
    "le": Binary("sub", post="lez", golden=torch.le),
    "logical_and": Binary("mul", post="nez", golden=torch.logical_and),
    "logical_or": Binary("add", pre_a="nez", pre_b="nez", post="gtz", golden=torch.logical_or),
    "logical_xor": Binary("sub", pre_a="nez", pre_b="nez", post="nez", golden=torch.logical_xor),
    "squared_difference": Binary("sub", post="square", golden=lambda a, b: torch.square(a - b)),
    "logaddexp": Binary("add", pre_a="exp", pre_b="exp", post="log", golden=torch.logaddexp),
    "logaddexp2": Binary("add", pre_a="exp2", pre_b="exp2", post="log2", golden=torch.logaddexp2),
    "bias_gelu": Binary("add", post="gelu", parameters=BIAS_GELU),
    "rsub": Binary("rsub", parameters=RSUB),
    "maximum": Binary("maximum", parameters=MAX_MIN),
    "minimum": Binary("minimum", parameters=MAX_MIN),
    "remainder": Binary("remainder"),
    "xlogy": Binary("xlogy"),
    "fmod": Binary("fmod", parameters=FMOD),
    "atan2": Binary("atan2", parameters=MEMORY_ONLY, tensor_b=True),
    "hypot": Binary("hypot", parameters=MEMORY_ONLY, tensor_b=True),
    "div_no_nan": Binary("div_no_nan", parameters=MEMORY_ONLY),
    "floor_div": Binary("floor_div", parameters=MEMORY_ONLY, golden=torch.floor_divide),
    "ldexp": Binary("mul", pre_b="exp2", golden=lambda a, b: torch.ldexp(a, torch.as_tensor(b))),  # a * 2**b
    "nextafter": Binary("nextafter", parameters=MEMORY_ONLY, tensor_b=True),
    "bitwise_and": Binary("bitwise_and", parameters=BITWISE, integers="only"),
    "bitwise_or": Binary("bitwise_or", parameters=BITWISE, integers="only"),
    "bitwise_xor": Binary("bitwise_xor", parameters=BITWISE, integers="only"),
}

# Steps a recipe uses that are not unary table rows: exp and gelu live in eltwise.py (gelu's fast mode is the LUT).
_EXTRA_STEPS = {"exp": torch.exp, "gelu": torch.nn.functional.gelu}


def _step(name: str | None, fast: bool = False) -> Callable | None:
    if name is None:
        return None
    if name == "gelu" and fast:
        return gelu_approximate
    return _EXTRA_STEPS.get(name) or UNARY_OPS[name].golden


def _parks_in_bfloat16(row: Binary, dtypes: list[DataType]) -> bool:
    """Whether steps hand their results on in bfloat16: the FPU path (binary_ng's is_sfpu is false)."""
    fpu = CORES[row.core][1] and not all(d is DataType.FLOAT32 for d in dtypes)
    return fpu and all(DTYPE_INFO[d].is_float for d in dtypes)


def _park(values: torch.Tensor, bfloat16: bool) -> torch.Tensor:
    return values.to(torch.bfloat16).to(torch.float32) if bfloat16 and values.is_floating_point() else values


def _scalar(op: str, value, dtype: DataType) -> torch.Tensor:
    """A number as binary_ng packs it for a tensor of `dtype` (pack_scalar_runtime_arg)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TTNNError(f"{op}: input_tensor_b must be a ttnn.Tensor or a number, got {type(value).__name__}")
    if not DTYPE_INFO[dtype].is_float:
        return torch.tensor(int(value), dtype=torch.float64)
    if dtype is DataType.FLOAT32:
        return torch.tensor(float(value), dtype=torch.float32)
    return torch.tensor(float(value), dtype=torch.float32).to(torch.bfloat16).to(torch.float32)


def _check(op: str, row: Binary, a, b) -> None:
    if not isinstance(a, Tensor):
        raise TTNNError(f"{op}: input_tensor_a must be a ttnn.Tensor, got {type(a).__name__}")
    require_device(op, "input_tensor_a", a, tile=False)
    if row.tensor_b and not isinstance(b, Tensor):
        raise TTNNError(f"{op}: input_tensor_b must be a ttnn.Tensor (ttnn 0.81.1 has no scalar {op})")
    if isinstance(b, Tensor):
        require_device(op, "input_tensor_b", b, tile=False)
        if b.device() is not a.device():
            raise TTNNError(f"{op}: input_tensor_a and input_tensor_b are on different devices")
    if row.integers == "only":
        for name, t in (("input_tensor_a", a), ("input_tensor_b", b)):
            if isinstance(t, Tensor) and DTYPE_INFO[t.dtype].is_float:
                raise DTypeError(f"{op}: {name} is {t.dtype.name}; bitwise ops take INT32 / UINT32 / UINT16 tensors")


def _operands(op: str, a: Tensor, b):
    if isinstance(b, Tensor):
        stored_a, stored_b, shape = broadcast_stored(op, *same_layout(a, b))
        like = a if tuple(a.shape) == shape else b
        return as_float(stored_a), as_float(stored_b), shape, like, [a.dtype, b.dtype]
    return as_float(a._values), _scalar(op, b, a.dtype), tuple(a.shape), a, [a.dtype]


def run_binary(op: str, row: Binary, a, b, arguments: dict) -> Tensor:
    _check(op, row, a, b)
    x, y, shape, like, dtypes = _operands(op, a, b)
    bfloat16 = _parks_in_bfloat16(row, dtypes)
    x = apply_activations(op, x, arguments.get("input_tensor_a_activations"))
    y = apply_activations(op, y, arguments.get("input_tensor_b_activations")) if isinstance(b, Tensor) else y
    if row.pre_a:
        x = _park(_step(row.pre_a)(x), bfloat16)
    if row.pre_b:
        y = _park(_step(row.pre_b)(y), bfloat16)
    result = CORES[row.core][0](x, y)
    if row.post:
        result = _step(row.post, bool(arguments.get("fast_and_approximate_mode")))(_park(result, bfloat16))
    result = apply_activations(op, result, arguments.get("activations"))
    return finish(
        op,
        result,
        dtype=arguments.get("dtype") or a.dtype,
        like=like,
        shape=shape,
        memory_config=arguments.get("memory_config") or (a.memory_config() if like is not a else None),
        output_tensor=arguments.get("output_tensor"),
    )


def _implementation(op: str, row: Binary) -> Callable:
    def implementation(input_tensor_a, input_tensor_b, **arguments):
        return run_binary(op, row, input_tensor_a, input_tensor_b, arguments)

    return implementation


def _recipe_golden(row: Binary) -> Callable:
    def golden(input_tensor_a, input_tensor_b):
        x = input_tensor_a
        y = input_tensor_b if isinstance(input_tensor_b, torch.Tensor) else torch.tensor(input_tensor_b)
        x, y = (_step(row.pre_a)(x) if row.pre_a else x), (_step(row.pre_b)(y) if row.pre_b else y)
        result = CORES[row.core][0](x, y)
        return _step(row.post)(result) if row.post else result

    return golden


def _register(name: str, row: Binary):
    op = f"ttnn.{name}"
    inputs = (POS("input_tensor_a"), POS("input_tensor_b"))
    steps = " -> ".join(s for s in (row.pre_a and f"{row.pre_a}(a), {row.pre_b}(b)", row.core, row.post) if s)
    doc = f"{op}: element-wise {name} ({steps}), broadcasting dims of size 1; b a tensor or a number."
    function = table_op(op, (*inputs, *row.parameters), _implementation(op, row), doc=doc)
    golden = row.golden or _recipe_golden(row)
    GOLDENS[op] = golden_of(inputs, lambda input_tensor_a, input_tensor_b: golden(input_tensor_a, input_tensor_b))
    return function


# -- in-place variants: the op written into input_tensor_a (ttnn 0.81.1's add_ / subtract_ / multiply_ / divide_) --
IN_PLACE = {
    "add_": (add, ("input_tensor_a", "input_tensor_b"), True),
    "subtract_": (subtract, ("input_tensor_a", "input_tensor_b"), True),
    "multiply_": (multiply, ("input_a", "input_b"), False),
    "divide_": (divide, ("input_a", "input_b"), False),
}


# comparisons and logical ops written into input_a (ttnn 0.81.1's eq_ ... logical_xor_): the result in a's dtype
IN_PLACE_COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le", "logical_and", "logical_or", "logical_xor")
IN_PLACE_TAIL = (*ACTIVATION_PARAMS, *PLACEMENT)


def _register_in_place_comparison(name: str):
    op, row = f"ttnn.{name}_", BINARY_OPS[name]

    def implementation(input_a, input_b, **arguments):
        return run_binary(op, row, input_a, input_b, {**arguments, "output_tensor": input_a})

    doc = f"{op}: {name} written into input_a (1.0 / 0.0 in its dtype), which is returned."
    GOLDENS[op] = golden_of((POS("input_a"), POS("input_b")), lambda input_a, input_b: row.golden(input_a, input_b))
    return table_op(op, (POS("input_a"), POS("input_b"), *IN_PLACE_TAIL), implementation, doc=doc)


# addalpha / subalpha: a + alpha * b, a - alpha * b (one fp32 golden rounded once)
def _register_alpha(name: str, sign: float):
    op = f"ttnn.{name}"
    parameters = (POS("input_tensor_a"), POS("input_tensor_b"), POS("alpha"), KW("memory_config"), KW("output_tensor"))
    row = Binary("add", parameters=MEMORY_ONLY, tensor_b=True)

    def implementation(input_tensor_a, input_tensor_b, alpha, memory_config=None, output_tensor=None):
        _check(op, row, input_tensor_a, input_tensor_b)
        x, y, shape, like, _ = _operands(op, input_tensor_a, input_tensor_b)
        result = x + sign * float(alpha) * y
        dtype = input_tensor_a.dtype
        return finish(
            op, result, dtype=dtype, like=like, shape=shape, memory_config=memory_config, output_tensor=output_tensor
        )

    GOLDENS[op] = golden_of(
        parameters[:3],
        lambda input_tensor_a, input_tensor_b, alpha: torch.add(input_tensor_a, input_tensor_b, alpha=sign * alpha),
    )
    return table_op(
        op, parameters, implementation, doc=f"{op}: input_tensor_a {'+' if sign > 0 else '-'} alpha * input_tensor_b."
    )


def _register_in_place(name: str, base: Callable, inputs: tuple[str, str], fast_default: bool):
    op = f"ttnn.{name}"
    parameters = (
        POS(inputs[0]),
        POS(inputs[1]),
        *ACTIVATION_PARAMS,
        KW("fast_and_approximate_mode", fast_default),
        *PLACEMENT,
    )

    def implementation(**arguments):
        a, b = arguments.pop(inputs[0]), arguments.pop(inputs[1])
        if not isinstance(a, Tensor):
            raise TTNNError(f"{op}: {inputs[0]} must be a ttnn.Tensor, got {type(a).__name__}")
        return base(a, b, output_tensor=a, **arguments)

    doc = f"{op}: {base.__name__} written into {inputs[0]}, which is returned."
    function = table_op(op, parameters, implementation, doc=doc)
    GOLDENS[op] = golden_registry.GOLDENS[f"ttnn.{base.__name__}"]
    return function


# -- isclose: |a - b| <= atol + rtol * |b| in float32, integer operands promoted to float32 first -----------------
ISCLOSE = (
    POS("input_tensor_a"),
    POS("input_tensor_b"),
    KW("rtol", 9.999999747378752e-06),  # ttnn 0.81.1's defaults: torch's 1e-05 / 1e-08 narrowed to float32
    KW("atol", 9.99999993922529e-09),
    KW("equal_nan", False),
    KW("memory_config"),
)


def _isclose(input_tensor_a, input_tensor_b, rtol, atol, equal_nan, memory_config=None):
    op = "ttnn.isclose"
    row = Binary("sub", parameters=MEMORY_ONLY, tensor_b=True)
    _check(op, row, input_tensor_a, input_tensor_b)
    x, y, shape, like, dtypes = _operands(op, input_tensor_a, input_tensor_b)
    x, y = x.to(torch.float32), y.to(torch.float32)
    close = (x - y).abs() <= atol + rtol * y.abs()
    if equal_nan:
        close = close | (torch.isnan(x) & torch.isnan(y))
    mixed = len({DTYPE_INFO[d].is_float for d in dtypes}) > 1  # an int32 with a float: computed as float32
    dtype = DataType.FLOAT32 if mixed else input_tensor_a.dtype
    return finish(op, close.to(torch.float32), dtype=dtype, like=like, shape=shape, memory_config=memory_config)


GOLDENS: dict[str, Callable] = {}
OPS = {name: _register(name, row) for name, row in BINARY_OPS.items()}
OPS["isclose"] = table_op(
    "ttnn.isclose", ISCLOSE, _isclose, doc="ttnn.isclose: |a - b| <= atol + rtol * |b| (1.0 / 0.0), as torch.isclose."
)
GOLDENS["ttnn.isclose"] = golden_of(
    ISCLOSE[:5],
    lambda input_tensor_a, input_tensor_b, rtol, atol, equal_nan: torch.isclose(
        input_tensor_a, input_tensor_b, rtol=rtol, atol=atol, equal_nan=equal_nan
    ),
)
OPS.update({name: _register_in_place(name, *spec) for name, spec in IN_PLACE.items()})
OPS.update({f"{name}_": _register_in_place_comparison(name) for name in IN_PLACE_COMPARISONS})
OPS.update({"addalpha": _register_alpha("addalpha", 1.0), "subalpha": _register_alpha("subalpha", -1.0)})
globals().update(OPS)
golden_registry.GOLDENS.update(GOLDENS)
__all__ = sorted(OPS)
