"""Shared fixtures: an emulated device per test, and the one tolerance table every op test uses."""

from __future__ import annotations

import pytest
import torch
import ttnn

from ttport.validate import compare

# Per output dtype: minimum PCC and the max abs error allowed relative to the expected tensor's max magnitude.
# bfloat16 keeps 8 significant bits (relative step 2^-8); bfloat8_b shares one exponent per 16 values so small
# values in a block lose most of their bits; bfloat4_b keeps 3 magnitude bits.
TOLERANCES = {
    ttnn.float32: (0.99999, 1e-5),
    ttnn.bfloat16: (0.9999, 2**-7),
    ttnn.bfloat8_b: (0.999, 2**-5),
    ttnn.bfloat4_b: (0.98, 2**-1),
}


@pytest.fixture
def device():
    device = ttnn.open_device(device_id=0)
    yield device
    ttnn.close_device(device)


def assert_close(expected: torch.Tensor, actual: torch.Tensor, dtype=ttnn.bfloat16, *, pcc=None, scale=None):
    """Assert PCC and scaled max abs error within the dtype's tolerance; print all figures on failure."""
    min_pcc, max_error = TOLERANCES[dtype]
    min_pcc = pcc if pcc is not None else min_pcc
    expected = expected.to(torch.float32)
    actual = actual.to(torch.float32)
    assert tuple(actual.shape) == tuple(expected.shape), f"shape {tuple(actual.shape)} != {tuple(expected.shape)}"
    result = compare(expected, actual)
    magnitude = scale if scale is not None else max(float(expected.abs().max()), 1e-30)
    assert result.pcc >= min_pcc, f"PCC {result.pcc:.6f} < {min_pcc} ({result})"
    assert result.max_abs_error <= max_error * magnitude, (
        f"max abs error {result.max_abs_error:.3g} > {max_error} * {magnitude:.3g} ({result})"
    )
    return result
