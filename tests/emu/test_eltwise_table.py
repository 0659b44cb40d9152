"""The element-wise tables (unary_ops, binary_ops, ternary_ops) against torch written out independently here, and
the device behaviours they model: 1.0 / 0.0 predicates in the input's dtype, binary_ng's recipes, scalars packed
in bfloat16, integer-only bitwise ops, and refusals by name."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F  # noqa: N812
import ttnn

from tests.closeness import assert_close
from ttport.emu import errors

SHAPE = (2, 33, 65)  # ragged: both tile dims padded, so the padding is computed on too


def on_device(values, device, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT):
    return ttnn.from_torch(values, dtype=dtype, layout=layout, device=device)


def stored(values, dtype=ttnn.bfloat16):
    return ttnn.to_torch(ttnn.from_torch(values, dtype=dtype)).to(torch.float32)


def uniform(low, high, shape=SHAPE, seed=0):
    torch.manual_seed(seed)
    return torch.rand(shape) * (high - low) + low


# name -> (torch expectation, input range, extra positional arguments, keyword arguments)
UNARY = {
    "abs": (torch.abs, (-4, 4), (), {}),
    "square": (torch.square, (-4, 4), (), {}),
    "identity": (lambda x: x, (-4, 4), (), {}),
    "relu6": (F.relu6, (-8, 8), (), {}),
    "log": (torch.log, (0.1, 10), (), {}),
    "log2": (torch.log2, (0.1, 10), (), {}),
    "log10": (torch.log10, (0.1, 10), (), {}),
    "log1p": (torch.log1p, (-0.5, 10), (), {}),
    "exp2": (lambda x: 2.0**x, (-4, 4), (), {}),
    "expm1": (torch.special.expm1, (-2, 2), (), {}),
    "erf": (torch.special.erf, (-3, 3), (), {}),
    "erfc": (torch.special.erfc, (-3, 3), (), {}),
    "erfinv": (torch.special.erfinv, (-0.9, 0.9), (), {}),
    "logit": (lambda x: torch.log(x / (1 - x)), (0.05, 0.95), (), {}),
    "sin": (torch.sin, (-3, 3), (), {}),
    "cos": (torch.cos, (-3, 3), (), {}),
    "tan": (torch.tan, (-1.2, 1.2), (), {}),
    "asin": (torch.arcsin, (-0.95, 0.95), (), {}),
    "acos": (torch.arccos, (-0.95, 0.95), (), {}),
    "atan": (torch.arctan, (-5, 5), (), {}),
    "sinh": (torch.sinh, (-3, 3), (), {}),
    "cosh": (torch.cosh, (-3, 3), (), {}),
    "asinh": (torch.arcsinh, (-5, 5), (), {}),
    "acosh": (torch.arccosh, (1.1, 5), (), {}),
    "atanh": (torch.arctanh, (-0.9, 0.9), (), {}),
    "rad2deg": (torch.rad2deg, (-3, 3), (), {}),
    "deg2rad": (torch.deg2rad, (-180, 180), (), {}),
    "sign": (torch.sign, (-2, 2), (), {}),
    "floor": (torch.floor, (-5, 5), (), {}),
    "ceil": (torch.ceil, (-5, 5), (), {}),
    "trunc": (torch.trunc, (-5, 5), (), {}),
    "frac": (lambda x: x - torch.trunc(x), (-5, 5), (), {}),
    "round": (lambda x: torch.round(x * 10) / 10, (-5, 5), (), {"decimals": 1}),
    "cbrt": (lambda x: torch.sign(x) * x.abs() ** (1 / 3), (-8, 8), (), {}),
    "leaky_relu": (lambda x: torch.where(x > 0, x, 0.1 * x), (-4, 4), (0.1,), {}),
    "elu": (lambda x: torch.where(x > 0, x, 0.5 * (torch.exp(x) - 1)), (-4, 4), (), {"alpha": 0.5}),
    "selu": (F.selu, (-4, 4), (), {}),
    "celu": (
        lambda x: torch.clamp(x, min=0) + torch.clamp(2 * (torch.exp(x / 2) - 1), max=0),
        (-4, 4),
        (),
        {"alpha": 2.0},
    ),
    "hardswish": (lambda x: x * torch.clamp(x + 3, 0, 6) / 6, (-5, 5), (), {}),
    "hardsigmoid": (lambda x: torch.clamp(x / 6 + 0.5, 0, 1), (-5, 5), (), {}),
    "hardtanh": (lambda x: torch.clamp(x, -0.5, 2.0), (-4, 4), (), {"min_val": -0.5, "max_val": 2.0}),
    "hardshrink": (lambda x: torch.where(x.abs() > 0.5, x, 0), (-2, 2), (), {}),
    "softshrink": (lambda x: torch.where(x > 0.5, x - 0.5, torch.where(x < -0.5, x + 0.5, 0)), (-2, 2), (), {}),
    "mish": (lambda x: x * torch.tanh(torch.log1p(torch.exp(x))), (-4, 4), (), {}),
    "softplus": (lambda x: torch.log1p(torch.exp(2 * x)) / 2, (-4, 4), (), {"beta": 2.0}),
    "softsign": (lambda x: x / (1 + x.abs()), (-4, 4), (), {}),
    "swish": (lambda x: x * torch.sigmoid(x), (-4, 4), (), {}),
    "log_sigmoid": (lambda x: -torch.log1p(torch.exp(-x)), (-4, 4), (), {}),
    "tanhshrink": (lambda x: x - torch.tanh(x), (-4, 4), (), {}),
    "threshold": (lambda x: torch.where(x > 0.5, x, -1.0), (-2, 2), (0.5, -1.0), {}),
    "sigmoid_accurate": (torch.sigmoid, (-6, 6), (), {}),
    "rpow": (lambda x: 3.0**x, (-2, 2), (3.0,), {}),
    "rdiv": (lambda x: 2.0 / x, (0.5, 4), (2.0,), {}),
}
PREDICATES = {
    "eqz": lambda x: x == 0,
    "nez": lambda x: x != 0,
    "gtz": lambda x: x > 0,
    "gez": lambda x: x >= 0,
    "ltz": lambda x: x < 0,
    "lez": lambda x: x <= 0,
    "logical_not": lambda x: x == 0,
    "isnan": torch.isnan,
    "isinf": torch.isinf,
    "isfinite": torch.isfinite,
}


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("dtype", [ttnn.bfloat16, ttnn.float32])
def test_unary_ops_match_torch(device, name, dtype):
    expected_of, (low, high), args, kwargs = UNARY[name]
    x = uniform(low, high)
    result = getattr(ttnn, name)(on_device(x, device, dtype), *args, **kwargs)
    assert tuple(result.shape) == SHAPE and result.dtype == dtype
    expected = expected_of(stored(x, dtype).double()).float()
    assert_close(expected, ttnn.to_torch(result).float(), dtype)


@pytest.mark.parametrize("name", PREDICATES)
def test_predicates_are_one_or_zero_in_the_input_dtype(device, name):
    x = torch.tensor([[-2.0, 0.0, 3.0, float("nan"), float("inf"), -float("inf"), -0.0, 1e-30]])
    result = getattr(ttnn, name)(on_device(x, device))
    assert result.dtype == ttnn.bfloat16
    assert torch.equal(ttnn.to_torch(result).float(), PREDICATES[name](x).float())


def test_integer_tensors_through_integer_capable_unary_ops(device):
    x = torch.tensor([[-7, 0, 5, 2**20 + 1]], dtype=torch.int32)
    tensor = on_device(x, device, ttnn.int32)
    assert torch.equal(ttnn.to_torch(ttnn.abs(tensor)), x.abs())
    assert torch.equal(ttnn.to_torch(ttnn.eqz(tensor)), (x == 0).to(torch.int32))
    assert torch.equal(ttnn.to_torch(ttnn.bitwise_not(tensor)), ~x)


def test_float_only_unary_ops_refuse_integer_tensors(device):
    tensor = on_device(torch.tensor([[1, 2]], dtype=torch.int32), device, ttnn.int32)
    with pytest.raises(errors.DTypeError, match=r"ttnn.sin: input_tensor is INT32.*typecast"):
        ttnn.sin(tensor)
    with pytest.raises(errors.DTypeError, match="bitwise ops take INT32"):
        ttnn.bitwise_not(on_device(torch.ones(1, 4), device))


@pytest.mark.parametrize("name", ["log", "log1p", "erf", "mish"])
def test_approximate_modes_are_refused_not_guessed(device, name):
    with pytest.raises(errors.UnsupportedError, match=rf"ttnn.{name}: fast_and_approximate_mode=True is not modelled"):
        getattr(ttnn, name)(on_device(torch.rand(1, 32) + 0.5, device), fast_and_approximate_mode=True)
    with pytest.raises(errors.UnsupportedError, match="sigmoid_accurate"):
        ttnn.sigmoid_accurate(on_device(torch.rand(1, 32), device), True)


def test_row_major_tensors_are_taken_as_ttnn_does(device):
    x = uniform(-3, 3, (3, 5))
    result = ttnn.sin(on_device(x, device, layout=ttnn.ROW_MAJOR_LAYOUT))
    assert result.layout == ttnn.ROW_MAJOR_LAYOUT
    assert_close(torch.sin(stored(x)), ttnn.to_torch(result).float())


def test_a_call_that_does_not_fit_the_signature_names_it(device):
    with pytest.raises(TypeError, match=r"ttnn.leaky_relu\(\).*negative_slope"):
        ttnn.leaky_relu(on_device(torch.rand(1, 32), device))


# -- binary ---------------------------------------------------------------------------------------------------------
BINARY = {
    "eq": lambda a, b: (a == b).float(),
    "ne": lambda a, b: (a != b).float(),
    "gt": lambda a, b: (a > b).float(),
    "ge": lambda a, b: (a >= b).float(),
    "lt": lambda a, b: (a < b).float(),
    "le": lambda a, b: (a <= b).float(),
    "logical_and": lambda a, b: ((a != 0) & (b != 0)).float(),
    "logical_or": lambda a, b: ((a != 0) | (b != 0)).float(),
    "logical_xor": lambda a, b: ((a != 0) ^ (b != 0)).float(),
    "maximum": torch.max,
    "minimum": torch.min,
    "squared_difference": lambda a, b: (a - b) ** 2,
    "rsub": lambda a, b: b - a,
    "remainder": lambda a, b: a - b * torch.floor(a / b),
    "fmod": lambda a, b: a - b * torch.trunc(a / b),
    "atan2": torch.arctan2,
    "hypot": lambda a, b: torch.sqrt(a * a + b * b),
    "xlogy": lambda a, b: a * torch.log(b),
    "div_no_nan": lambda a, b: a / b,
    "floor_div": lambda a, b: torch.floor(a / b),
    "logaddexp": lambda a, b: torch.log(torch.exp(a) + torch.exp(b)),
    "logaddexp2": lambda a, b: torch.log2(2**a + 2**b),
    "bias_gelu": lambda a, b: F.gelu(a + b),
}
POSITIVE_B = {"remainder", "fmod", "xlogy", "div_no_nan", "floor_div"}


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("shape_b", [SHAPE, (1, 1, 65), (2, 33, 1)])
def test_binary_ops_match_torch_with_broadcasting(device, name, shape_b):
    a = torch.round(uniform(-3, 3) * 4) / 4  # quarter steps: comparisons see equal elements too
    b = torch.round(uniform(-3, 3, shape_b, seed=1) * 4) / 4
    if name in POSITIVE_B:
        b = b.abs() + 0.5
    result = getattr(ttnn, name)(on_device(a, device), on_device(b, device))
    assert tuple(result.shape) == SHAPE and result.dtype == ttnn.bfloat16
    expected = BINARY[name](stored(a).double(), stored(b).double()).float()
    assert_close(expected, ttnn.to_torch(result).float())


def test_comparisons_take_their_output_dtype_from_dtype_or_input_a(device):
    a, b = on_device(torch.tensor([[1.0, 2.0]]), device), on_device(torch.tensor([[1.0, 3.0]]), device)
    assert ttnn.eq(a, b).dtype == ttnn.bfloat16
    result = ttnn.lt(a, b, dtype=ttnn.float32)
    assert result.dtype == ttnn.float32 and ttnn.to_torch(result).tolist() == [[0.0, 1.0]]
    ints = on_device(torch.tensor([[4, 5]], dtype=torch.int32), device, ttnn.int32)
    assert ttnn.to_torch(ttnn.ne(ints, 5)).tolist() == [[1, 0]] and ttnn.ne(ints, 5).dtype == ttnn.int32


def test_a_scalar_is_packed_in_bfloat16_for_a_bfloat16_tensor(device):
    # binary_ng packs the scalar as two bfloat16 (pack_scalar_runtime_arg): 0.1 becomes 0.10009765625, so
    # eq(x, 0.1) holds where x is bfloat16's 0.1 - and for float32 the scalar stays fp32.
    x = torch.tensor([[0.1, 0.2]])
    assert ttnn.to_torch(ttnn.eq(on_device(x, device), 0.1)).tolist() == [[1.0, 0.0]]
    assert ttnn.to_torch(ttnn.eq(on_device(x, device, ttnn.float32), 0.1)).tolist() == [[1.0, 0.0]]
    near = torch.tensor([[0.10009765625]])
    assert ttnn.to_torch(ttnn.eq(on_device(near, device, ttnn.float32), 0.1)).tolist() == [[0.0]]


def test_recipes_show_what_the_kernels_compute(device):
    # eq is EQZ(a - b): inf - inf is NaN, which is not zero; logical_and is NEZ(a * b): 1e-30 * 1e-30 underflows.
    inf = on_device(torch.tensor([[math.inf, 1.0]]), device)
    assert ttnn.to_torch(ttnn.eq(inf, inf)).tolist() == [[0.0, 1.0]]
    tiny = on_device(torch.tensor([[1e-30, 2.0]]), device)
    assert ttnn.to_torch(ttnn.logical_and(tiny, tiny)).tolist() == [[0.0, 1.0]]
    # logaddexp is LOG(EXP(a) + EXP(b)): it overflows where torch's stable form does not.
    big = on_device(torch.tensor([[100.0, 1.0]]), device)
    assert ttnn.to_torch(ttnn.logaddexp(big, big)).float()[0, 0].item() == math.inf


def test_bitwise_ops_take_integers_only(device):
    x = torch.tensor([[12, 10, -1]], dtype=torch.int32)
    y = torch.tensor([[10, 6, 255]], dtype=torch.int32)
    a, b = on_device(x, device, ttnn.int32), on_device(y, device, ttnn.int32)
    assert torch.equal(ttnn.to_torch(ttnn.bitwise_and(a, b)), x & y)
    assert torch.equal(ttnn.to_torch(ttnn.bitwise_or(a, b)), x | y)
    assert torch.equal(ttnn.to_torch(ttnn.bitwise_xor(a, 3)), x ^ 3)
    with pytest.raises(errors.DTypeError, match="ttnn.bitwise_and: input_tensor_a is BFLOAT16"):
        ttnn.bitwise_and(on_device(torch.ones(1, 4), device), 1)


def test_tensor_only_binary_ops_refuse_numbers(device):
    with pytest.raises(errors.TTNNError, match="ttnn.atan2: input_tensor_b must be a ttnn.Tensor"):
        ttnn.atan2(on_device(torch.ones(1, 4), device), 1.0)


def test_fused_activations_apply_to_binary_table_ops(device):
    a, b = uniform(-2, 2), uniform(-2, 2, seed=3)
    result = ttnn.maximum(
        on_device(a, device), on_device(b, device), activations=[ttnn.UnaryWithParam(ttnn.UnaryOpType.RELU)]
    )
    assert_close(torch.relu(torch.max(stored(a), stored(b))), ttnn.to_torch(result).float())


@pytest.mark.parametrize("name, reference", [("add_", torch.add), ("subtract_", torch.sub), ("multiply_", torch.mul)])
def test_in_place_ops_write_into_their_first_input(device, name, reference):
    a, b = uniform(-2, 2), uniform(-2, 2, seed=3)
    tensor = on_device(a, device)
    returned = getattr(ttnn, name)(tensor, on_device(b, device))
    assert returned is tensor
    assert_close(reference(stored(a), stored(b)), ttnn.to_torch(tensor).float())


def test_divide_in_place(device):
    tensor = on_device(torch.full((1, 32), 3.0), device)
    ttnn.divide_(tensor, 2.0)
    assert ttnn.to_torch(tensor).float().unique().tolist() == [1.5]


# -- three operands, gated units, polyval, prelu, clip --------------------------------------------------------------
def test_three_operand_ops(device):
    a, b, c = uniform(-2, 2), uniform(-2, 2, seed=1), uniform(0.5, 2, seed=2)
    ta, tb, tc = (on_device(v, device) for v in (a, b, c))
    sa, sb, sc = stored(a), stored(b), stored(c)
    assert_close(sa + 0.5 * sb * sc, ttnn.to_torch(ttnn.addcmul(ta, tb, tc, value=0.5)).float())
    assert_close(sa + 2.0 * sb / sc, ttnn.to_torch(ttnn.addcdiv(ta, tb, tc, value=2.0)).float())
    assert_close(sa + sc * (sb - sa), ttnn.to_torch(ttnn.lerp(ta, tb, tc)).float(), scale=4.0)
    assert_close(sa + 0.25 * (sb - sa), ttnn.to_torch(ttnn.lerp(ta, tb, 0.25)).float())
    assert_close(sa * sb + sc, ttnn.to_torch(ttnn.mac(ta, tb, tc)).float())
    assert_close(sa * 3.0 + 1.0, ttnn.to_torch(ttnn.mac(ta, 3.0, 1.0)).float())


@pytest.mark.parametrize(
    "name, gate", [("glu", torch.sigmoid), ("reglu", torch.relu), ("geglu", F.gelu), ("swiglu", F.silu)]
)
def test_gated_linear_units_split_the_last_dim(device, name, gate):
    x = uniform(-3, 3, (2, 40, 128))
    result = getattr(ttnn, name)(on_device(x, device))
    assert tuple(result.shape) == (2, 40, 64)
    left, right = stored(x)[..., :64], stored(x)[..., 64:]
    assert_close(left * gate(right), ttnn.to_torch(result).float())


def test_gated_units_refuse_what_ttnn_does_not_run(device):
    with pytest.raises(errors.TTNNError, match="ttnn.glu: dim=0 is not supported"):
        ttnn.glu(on_device(torch.rand(64, 128), device), 0)
    with pytest.raises(errors.ShapeError, match="ttnn.swiglu: the last dim \\(96\\) must be divisible by 64"):
        ttnn.swiglu(on_device(torch.rand(32, 96), device))


def test_polyval_prelu_and_clip(device):
    x = uniform(-2, 2, (1, 4, 33, 40))
    tensor, sx = on_device(x, device), stored(x)
    assert_close(2 * sx**2 - sx + 0.5, ttnn.to_torch(ttnn.polyval(tensor, [2.0, -1.0, 0.5])).float())
    assert_close(torch.where(sx >= 0, sx, 0.2 * sx), ttnn.to_torch(ttnn.prelu(tensor, 0.2)).float())
    slopes = torch.tensor([0.1, 0.2, 0.3, 0.4]).reshape(1, 4, 1, 1)
    per_channel = ttnn.prelu(tensor, [0.1, 0.2, 0.3, 0.4])
    assert_close(torch.where(sx >= 0, sx, slopes * sx), ttnn.to_torch(per_channel).float())
    assert_close(sx.clamp(-0.5, 1.0), ttnn.to_torch(ttnn.clip(tensor, -0.5, 1.0)).float())
    high = uniform(0, 1, (1, 1, 1, 40))
    clipped = ttnn.clip(tensor, None, on_device(high, device))
    assert_close(torch.minimum(sx, stored(high)), ttnn.to_torch(clipped).float())
    with pytest.raises(errors.ShapeError, match="ttnn.prelu: weight has 3 slopes but input_tensor_a has 4 channels"):
        ttnn.prelu(tensor, [0.1, 0.2, 0.3])


# -- goldens, as tt-metal's tests fetch them -------------------------------------------------------------------------
def test_goldens_take_the_ops_own_arguments(device):
    x = torch.rand(2, 32, dtype=torch.bfloat16)
    assert torch.equal(
        ttnn.get_golden_function(ttnn.hardtanh)(x, min_val=0.2, max_val=0.5, device=device), x.clamp(0.2, 0.5)
    )
    assert torch.equal(
        ttnn.get_golden_function(ttnn.eq)(x, x, memory_config=None), torch.ones_like(x, dtype=torch.bool)
    )
    assert torch.equal(ttnn.get_golden_function(ttnn.leaky_relu)(x - 0.5, 0.1), F.leaky_relu(x - 0.5, 0.1))
    assert ttnn.get_golden_function(ttnn.glu)(torch.rand(4, 64)).shape == (4, 32)


def test_binary_ops_take_row_major_and_tile_operands_together(device):
    # ttnn 0.81.1's binary docstring: A and B in tile or row-major layout, independently of each other.
    a, b = uniform(-2, 2, (33, 65)), uniform(-2, 2, (33, 65), seed=5)
    tile, row_major = on_device(a, device), on_device(b, device, layout=ttnn.ROW_MAJOR_LAYOUT)
    assert_close(stored(a) + stored(b), ttnn.to_torch(ttnn.add(tile, row_major)).float())
    assert_close(torch.max(stored(a), stored(b)), ttnn.to_torch(ttnn.maximum(row_major, tile)).float())


@pytest.mark.parametrize(
    "activation, expected",
    [
        (ttnn.UnaryWithParam(ttnn.UnaryOpType.LEAKY_RELU, 0.1), lambda x: F.leaky_relu(x, 0.1)),
        (ttnn.UnaryWithParam(ttnn.UnaryOpType.ABS), torch.abs),
        (ttnn.UnaryWithParam(ttnn.UnaryOpType.HARDTANH, -0.5, 0.5), lambda x: x.clamp(-0.5, 0.5)),
        (ttnn.UnaryWithParam(ttnn.UnaryOpType.SOFTPLUS, 2.0), lambda x: F.softplus(x, beta=2.0)),
        (ttnn.UnaryWithParam(ttnn.UnaryOpType.RELU_MAX, 1.0), lambda x: x.clamp(0, 1)),
    ],
)
def test_fused_activations_cover_the_unary_table(device, activation, expected):
    a, b = uniform(-2, 2), uniform(-2, 2, seed=8)
    result = ttnn.add(on_device(a, device), on_device(b, device), activations=[activation])
    assert_close(expected(stored(a) + stored(b)), ttnn.to_torch(result).float())


def test_a_fused_activation_without_its_parameter_is_refused(device):
    with pytest.raises(errors.TTNNError, match="activation leaky_relu needs its parameter"):
        ttnn.add(
            on_device(torch.ones(1, 32), device), 1.0, activations=[ttnn.UnaryWithParam(ttnn.UnaryOpType.LEAKY_RELU)]
        )


@pytest.mark.parametrize(
    "name, expected, low, high, args",
    [
        ("i0", torch.special.i0, -3, 3, ()),
        ("lgamma", torch.lgamma, 0.5, 6, ()),
        ("digamma", torch.digamma, 0.5, 6, ()),
        ("polygamma", lambda x: torch.special.polygamma(2, x), 1, 6, (2,)),
        ("multigammaln", lambda x: torch.special.multigammaln(x, 4), 2, 8, ()),
        ("softcap", lambda x: 2.0 * torch.tanh(x / 2.0), -6, 6, (2.0,)),
        ("relu_max", lambda x: x.clamp(0, 1.5), -3, 3, (1.5,)),
        ("relu_min", lambda x: x.clamp(min=-0.5), -3, 3, (-0.5,)),
    ],
)
def test_special_functions_and_capped_activations(device, name, expected, low, high, args):
    x = uniform(low, high)
    result = getattr(ttnn, name)(on_device(x, device), *args)
    assert_close(expected(stored(x).double()).float(), ttnn.to_torch(result).float())


def test_in_place_comparisons_and_alpha_ops(device):
    a, b = torch.round(uniform(-2, 2) * 2) / 2, torch.round(uniform(-2, 2, seed=9) * 2) / 2
    tensor = on_device(a, device)
    assert ttnn.ge_(tensor, on_device(b, device)) is tensor
    assert torch.equal(ttnn.to_torch(tensor).float(), (stored(a) >= stored(b)).float())
    flags = on_device((a > 0).float(), device)
    ttnn.logical_not_(flags)
    assert torch.equal(ttnn.to_torch(flags).float(), (a <= 0).float())
    summed = ttnn.addalpha(on_device(a, device), on_device(b, device), 0.5)
    assert_close(stored(a) + 0.5 * stored(b), ttnn.to_torch(summed).float())
    assert_close(torch.ldexp(stored(a), torch.tensor(3.0)), ttnn.to_torch(ttnn.ldexp(on_device(a, device), 3)).float())
