"""tests/closeness.assert_close counts NaN/inf as every verification does (ttport.validate.outputs): a NaN or inf
one side has and the other lacks at that element fails, whatever PCC and the finite errors say."""

from __future__ import annotations

import pytest
import torch
import ttnn

from tests.closeness import assert_close


def _values() -> torch.Tensor:
    return torch.linspace(-2.0, 3.0, 64).reshape(8, 8)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_a_nonfinite_value_the_expected_lacks_fails(bad):
    actual = _values().clone()
    actual[3, 4] = bad
    with pytest.raises(AssertionError, match="NaN/inf differ at 1 elements"):
        assert_close(_values(), actual)


def test_a_nonfinite_value_the_actual_lacks_fails():
    expected = _values().clone()
    expected[0, 0] = float("nan")
    with pytest.raises(AssertionError, match="NaN/inf differ at 1 elements"):
        assert_close(expected, _values())


def test_the_same_nonfinite_values_at_the_same_elements_pass():
    expected = _values().clone()
    expected[1, 2], expected[5, 5] = float("nan"), float("inf")
    assert_close(expected, expected.to(torch.bfloat16))


def test_finite_errors_scale_with_the_magnitude_or_the_given_scale():
    expected = _values()
    assert_close(expected, expected * (1 + 2**-9))
    with pytest.raises(AssertionError, match="max abs diff"):
        assert_close(expected, expected + 0.1, ttnn.float32)
    assert_close(expected, expected + 0.01, pcc=0.999, scale=3.0)
    with pytest.raises(AssertionError, match="shape"):
        assert_close(expected, expected[:4])
