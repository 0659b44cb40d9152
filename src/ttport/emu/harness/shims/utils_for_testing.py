"""tests.ttnn.utils_for_testing: the asserts tt-metal's op tests end with."""

from __future__ import annotations

from .utility_functions import _as_torch, comp_allclose, comp_pcc


def assert_with_pcc(expected_pytorch_result, actual_pytorch_result, pcc=0.9999):
    expected, actual = _as_torch(expected_pytorch_result), _as_torch(actual_pytorch_result)
    assert list(expected.shape) == list(actual.shape), f"shapes differ: {list(expected.shape)} vs {list(actual.shape)}"
    passed, value = comp_pcc(expected, actual, pcc)
    assert passed, f"PCC {value} is below the required {pcc}"
    return passed, value


def check_with_pcc(expected_pytorch_result, actual_pytorch_result, pcc=0.9999):
    expected, actual = _as_torch(expected_pytorch_result), _as_torch(actual_pytorch_result)
    if list(expected.shape) != list(actual.shape):
        return False, f"shapes differ: {list(expected.shape)} vs {list(actual.shape)}"
    return comp_pcc(expected, actual, pcc)


check_with_pcc_without_tensor_printout = check_with_pcc


def assert_allclose(expected_result, actual_result, rtol=1e-05, atol=1e-08):
    expected, actual = _as_torch(expected_result), _as_torch(actual_result)
    assert list(expected.shape) == list(actual.shape), f"shapes differ: {list(expected.shape)} vs {list(actual.shape)}"
    passed, message = comp_allclose(expected, actual, rtol, atol)
    assert passed, message
    return passed, message


def assert_equal(expected_pytorch_result, actual_pytorch_result):
    expected, actual = _as_torch(expected_pytorch_result), _as_torch(actual_pytorch_result)
    assert list(expected.shape) == list(actual.shape), f"shapes differ: {list(expected.shape)} vs {list(actual.shape)}"
    assert (expected == actual).all(), f"{int((expected != actual).sum())} elements differ"


def assert_relative_frobenius(expected_pytorch_result, actual_pytorch_result, threshold=0.01):
    """||actual - expected||_F / ||expected||_F below `threshold` (the absolute norm when expected is all zero)."""
    expected, actual = _as_torch(expected_pytorch_result).float(), _as_torch(actual_pytorch_result).float()
    assert list(expected.shape) == list(actual.shape), f"shapes differ: {list(expected.shape)} vs {list(actual.shape)}"
    error, scale = (expected - actual).norm(), expected.norm()
    value = float(error / scale) if scale != 0 else float(error)
    assert value <= threshold, f"relative Frobenius error {value} is above the allowed {threshold}"
    return True, value


def assert_numeric_metrics(
    expected,
    actual,
    rtol=None,
    atol=None,
    frobenius_threshold=None,
    pcc_threshold=None,
    check_allclose=True,
    check_frobenius=True,
    check_pcc=True,
):
    """allclose, relative Frobenius error and PCC in one call (each with its own default when not given)."""
    if check_allclose:
        tolerances = {k: v for k, v in (("rtol", rtol), ("atol", atol)) if v is not None}
        assert_allclose(expected, actual, **tolerances)
    if check_frobenius:
        assert_relative_frobenius(
            expected, actual, **({} if frobenius_threshold is None else {"threshold": frobenius_threshold})
        )
    if check_pcc:
        threshold = 0.98 if pcc_threshold is None else pcc_threshold
        passed, value = comp_pcc(expected, actual, threshold)
        assert passed, f"PCC {value} is below the required {threshold}"


from .ulp import assert_with_ulp, flush_subnormal_values_to_zero, generate_all_bfloat16_bitpatterns  # noqa: E402, F401
