"""Element-wise ttnn code in the manner of tt-metal's eltwise op tests (test_math, test_activation, test_relational,
test_ternary under tests/ttnn/unit_tests/operations/eltwise), rewritten: goldens from ttnn.get_golden_function,
ULP / equality / PCC asserts from tests.ttnn.utils_for_testing. Run by the harness (`ttport run pytest`)."""

import pytest
import torch
import ttnn
from tests.ttnn.utils_for_testing import assert_equal, assert_with_pcc, assert_with_ulp


def to_device(values, device, dtype=None, layout=ttnn.TILE_LAYOUT):
    return ttnn.from_torch(values, dtype=dtype, layout=layout, device=device)


@pytest.mark.parametrize("layout", [ttnn.TILE_LAYOUT, ttnn.ROW_MAJOR_LAYOUT])
@pytest.mark.parametrize("op", [ttnn.log2, ttnn.log10, ttnn.abs, ttnn.square, ttnn.erf, ttnn.cbrt, ttnn.deg2rad])
def test_unary_on_unit_interval(device, op, layout):
    torch.manual_seed(1)
    values = torch.rand((64, 96), dtype=torch.bfloat16) + 0.01
    output = op(to_device(values, device, layout=layout))
    assert output.layout == layout
    assert_with_pcc(ttnn.get_golden_function(op)(values), ttnn.to_torch(output), 0.999)


@pytest.mark.parametrize(
    "op, kwargs",
    [
        (ttnn.elu, {"alpha": 0.7}),
        (ttnn.celu, {"alpha": 1.5}),
        (ttnn.hardshrink, {"lambd": 0.3}),
        (ttnn.softshrink, {"lambd": 0.3}),
        (ttnn.leaky_relu, {"negative_slope": 0.05}),
        (ttnn.hardtanh, {"min_val": -0.4, "max_val": 0.6}),
        (ttnn.softplus, {"beta": 2.0, "threshold": 10.0}),
    ],
)
def test_activation_with_parameters_within_two_ulp(device, op, kwargs):
    torch.manual_seed(2)
    values = torch.randn((32, 128), dtype=torch.bfloat16)
    golden = ttnn.get_golden_function(op)(values, **kwargs)
    output = ttnn.to_torch(op(to_device(values, device), **kwargs))
    assert_with_ulp(golden, output, 2)


@pytest.mark.parametrize("op", [ttnn.eq, ttnn.ne, ttnn.lt, ttnn.le, ttnn.gt, ttnn.ge])
def test_relational_on_int32_edges(device, op):
    left = torch.tensor([[0, 1, -1, 2**31 - 1, -(2**31) + 1, 7, 7]], dtype=torch.int32)
    right = torch.tensor([[0, -1, 1, -(2**31) + 1, 2**31 - 1, 7, 8]], dtype=torch.int32)
    output = op(to_device(left, device, ttnn.int32), to_device(right, device, ttnn.int32))
    assert output.dtype == ttnn.int32
    assert torch.equal(ttnn.get_golden_function(op)(left, right), ttnn.to_torch(output))


@pytest.mark.parametrize("op", [ttnn.gtz, ttnn.lez, ttnn.eqz, ttnn.nez, ttnn.logical_not])
def test_zero_comparisons_are_exact(device, op):
    values = torch.tensor([[-3.0, -0.0, 0.0, 2.5, 1e-20]], dtype=torch.bfloat16).repeat(32, 8)
    output = ttnn.to_torch(op(to_device(values, device)))
    assert_equal(ttnn.get_golden_function(op)(values).float(), output.float())


def test_where_reads_a_comparison(device):
    torch.manual_seed(3)
    a, b = torch.randn((64, 64), dtype=torch.bfloat16), torch.randn((64, 64), dtype=torch.bfloat16)
    ta, tb = to_device(a, device), to_device(b, device)
    output = ttnn.where(ttnn.gt(ta, tb), ta, ttnn.neg(tb))
    assert_equal(torch.where(a > b, a, -b).float(), ttnn.to_torch(output).float())


def test_addcmul_wraps_int32_like_the_device(device):
    torch.manual_seed(4)
    a, b, c = (torch.randint(-(2**20), 2**20, (1, 1, 32, 32), dtype=torch.int32) for _ in range(3))
    output = ttnn.addcmul(*(to_device(v, device, ttnn.int32) for v in (a, b, c)), value=7)
    expected = ttnn.get_golden_function(ttnn.addcmul)(a.long(), b.long(), c.long(), value=7).to(torch.int32)
    assert_equal(expected, ttnn.to_torch(output))


@pytest.mark.parametrize("op", [ttnn.addcmul, ttnn.addcdiv])
def test_addc_ops_round_once(device, op):
    torch.manual_seed(5)
    a, b = torch.randn((32, 64), dtype=torch.bfloat16), torch.randn((32, 64), dtype=torch.bfloat16)
    c = torch.rand((32, 64), dtype=torch.bfloat16) + 0.5
    output = op(*(to_device(v, device) for v in (a, b, c)), value=3.5)
    assert_with_ulp(ttnn.get_golden_function(op)(a, b, c, value=3.5), ttnn.to_torch(output), 1)


@pytest.mark.parametrize("op", [ttnn.glu, ttnn.reglu, ttnn.geglu, ttnn.swiglu])
def test_gated_units(device, op):
    torch.manual_seed(6)
    values = torch.randn((1, 1, 64, 256), dtype=torch.bfloat16)
    output = ttnn.to_torch(op(to_device(values, device)))
    assert_with_pcc(ttnn.get_golden_function(op)(values), output, 0.999)


def test_isclose_with_nans(device):
    a = torch.randn((1, 1, 32, 32), dtype=torch.bfloat16)
    b = a.clone()
    a[0, 0, 0, 0] = b[0, 0, 0, 0] = float("nan")
    b[0, 0, 0, 1] += 1
    output = ttnn.isclose(to_device(a, device), to_device(b, device), equal_nan=True)
    assert torch.equal(torch.isclose(a.float(), b.float(), equal_nan=True), ttnn.to_torch(output).bool())
