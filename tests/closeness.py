"""The one closeness check every emulator op test uses: a per-dtype tolerance table and `assert_close`, held to the
rule every verification uses (ttport.validate.outputs, DESIGN.md §9): NaN/inf counted on each side and required
to agree element by element, PCC over the rest, max abs error scaled by the expected values' magnitude."""

from __future__ import annotations

import torch
import ttnn

from ttport.validate.outputs import Limits, OutputCheck, check_outputs

# Per output dtype: minimum PCC and the max abs error allowed relative to the expected tensor's max magnitude.
# bfloat16 keeps 8 significant bits (relative step 2^-8); bfloat8_b shares one exponent per 16 values so small
# values in a block lose most of their bits; bfloat4_b keeps 3 magnitude bits.
TOLERANCES = {
    ttnn.float32: (0.99999, 1e-5),
    ttnn.bfloat16: (0.9999, 2**-7),
    ttnn.bfloat8_b: (0.999, 2**-5),
    ttnn.bfloat4_b: (0.98, 2**-1),
}


def assert_close(expected: torch.Tensor, actual: torch.Tensor, dtype=ttnn.bfloat16, *, pcc=None, scale=None):
    """Assert the dtype's PCC and max abs error (relative to max |expected|, or to `scale` when given), and the
    same NaN/inf at the same elements; the message gives every figure."""
    min_pcc, max_error = TOLERANCES[dtype]
    if scale is None:
        limits = Limits("close", pcc if pcc is not None else min_pcc, atol=0.0, rtol=max_error)
    else:
        limits = Limits("close", pcc if pcc is not None else min_pcc, atol=max_error * scale, rtol=0.0)
    result = check_outputs([((), expected)], {(): actual}, limits)
    assert result.passed, "; ".join(result.problems) + _figures(result)
    return result


def _figures(result: OutputCheck) -> str:
    if not result.leaves:
        return ""
    leaf = result.leaves[0]
    return f" (PCC {leaf.pcc:.6f}, max abs error {leaf.max_abs_error:.3g}, max |expected| {leaf.magnitude:.3g})"
