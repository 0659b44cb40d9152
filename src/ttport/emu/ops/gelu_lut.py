"""GELU's fast-and-approximate mode on the vector unit: a 6-segment piecewise-linear table.

tt-llk's Wormhole _calculate_gelu_<APPROXIMATION_MODE=true> (tt_llk_wormhole_b0/common/inc/sfpu/ckernel_sfpu_gelu.h)
computes 0.5 * x + lut2_sign(x): the table maps |x| to A_i * |x| + B_i (the even part 0.5 * x * erf(x / sqrt 2) of
GELU), with segments split at |x| = 0.5, 1.0, 1.5, 2.0 and 3.0 and the coefficients loaded by _init_gelu_ as fp16
halves of LRegs 0-2 (slopes) and 4-6 (intercepts); 0x7C00 encodes 0 in this table. Arithmetic is fp32.
"""

from __future__ import annotations

import torch

# fp16 bit patterns, segment by segment, as _init_gelu_ loads them: (slope, intercept).
_SEGMENTS_FP16 = (
    (0x322B, 0x86D8),  # |x| <= 0.5
    (0x37E7, 0xB122),  # |x| <= 1.0
    (0x38F3, 0xB479),  # |x| <= 1.5
    (0x38E1, 0xB437),  # |x| <= 2.0
    (0x3852, 0xAFA4),  # |x| <= 3.0
    (0x3800, 0x7C00),  # |x| > 3.0 (0x7C00: zero)
)
_UPPER_BOUNDS = (0.5, 1.0, 1.5, 2.0, 3.0)


def _fp16(bits: int) -> float:
    if bits == 0x7C00:
        return 0.0
    return torch.tensor([bits], dtype=torch.int32).to(torch.int16).view(torch.float16).item()  # wraps to the bits


SLOPES = torch.tensor([_fp16(a) for a, _ in _SEGMENTS_FP16], dtype=torch.float32)
INTERCEPTS = torch.tensor([_fp16(b) for _, b in _SEGMENTS_FP16], dtype=torch.float32)


def gelu_approximate(values: torch.Tensor) -> torch.Tensor:
    """GELU as the fast-and-approximate table computes it (float32 in, float32 out)."""
    values = values.to(torch.float32)
    magnitude = values.abs()
    segment = torch.bucketize(magnitude, torch.tensor(_UPPER_BOUNDS), right=False)
    return 0.5 * values + (SLOPES[segment] * magnitude + INTERCEPTS[segment])
