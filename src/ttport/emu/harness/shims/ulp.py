"""ULP comparisons and bfloat16 test inputs tt-metal's element-wise tests use (comp_ulp, assert_with_ulp,
generate_all_bfloat16_bitpatterns, flush_subnormal_values_to_zero), as tests/ttnn/utils_for_testing.py and
models/common/utility_functions.py define their behaviour."""

from __future__ import annotations

import torch

from .utility_functions import _as_torch


def _ulp(values: torch.Tensor) -> torch.Tensor:
    """The gap from |x| to the next representable number of x's dtype (the length of one ULP at x)."""
    magnitude = values.abs()
    return torch.nextafter(magnitude, torch.full_like(magnitude, float("inf"))) - magnitude


def comp_ulp(golden, calculated, ulp_threshold, allow_nonfinite=False):
    """(passed, message): max |calculated - golden| / ULP(golden in calculated's dtype) within the threshold.

    Non-finite values fail unless `allow_nonfinite`; then they must match position by position and are left out.
    """
    golden, calculated = _as_torch(golden), _as_torch(calculated)
    if not golden.is_floating_point():
        golden = golden.to(torch.float32)
    if not calculated.is_floating_point():
        calculated = calculated.to(golden.dtype)
    finite = torch.isfinite(golden) & torch.isfinite(calculated)
    if not finite.all():
        if not allow_nonfinite:
            return False, f"{int((~finite).sum())} non-finite values (allow_nonfinite=False)"
        same = torch.equal(golden[~finite].float().nan_to_num(1.0), calculated[~finite].float().nan_to_num(1.0))
        if not same:
            return False, "non-finite values differ between golden and calculated"
        golden, calculated = golden.where(finite, 0), calculated.where(finite, 0)
    ulp = _ulp(golden.to(calculated.dtype))
    if golden.dtype != calculated.dtype:
        calculated, ulp = calculated.to(golden.dtype), ulp.to(golden.dtype)
    delta = ((calculated - golden).abs() / ulp).max() if golden.numel() else torch.tensor(0.0)
    return bool(delta <= ulp_threshold), f"Max ULP Delta: {delta}"


def assert_with_ulp(expected_result, actual_result, ulp_threshold=10, allow_nonfinite=False):
    expected, actual = _as_torch(expected_result), _as_torch(actual_result)
    assert list(expected.shape) == list(actual.shape), f"shapes differ: {list(expected.shape)} vs {list(actual.shape)}"
    passed, message = comp_ulp(expected, actual, ulp_threshold, allow_nonfinite)
    assert passed, message
    return passed, message


def generate_all_bfloat16_bitpatterns(dtype=torch.bfloat16) -> torch.Tensor:
    """Every 16-bit pattern as a bfloat16 (256 x 256), converted to `dtype`."""
    bits = torch.arange(0, 2**16, dtype=torch.int32)
    signed = torch.where(bits >= 2**15, bits - 2**16, bits).to(torch.int16)
    return signed.view(torch.bfloat16).reshape(256, 256).to(dtype)


def flush_subnormal_values_to_zero(values: torch.Tensor) -> torch.Tensor:
    """Subnormal values set to zero (the device flushes them)."""
    tiny = torch.finfo(values.dtype).tiny
    return torch.where(values.abs() < tiny, torch.zeros_like(values), values)
