"""Number formats, bit-exact: bfloat16 round-to-nearest-even and bfloat8_b / bfloat4_b block floating point.

Block floating point (DESIGN.md §3): 16 consecutive values of a tile row inside one 16x16 face share one 8-bit
exponent, the largest exponent among them. Each value keeps a sign and `mantissa_bits` explicit magnitude bits with no
hidden bit, i.e. a magnitude k * 2**(shared_exp - (mantissa_bits - 1)) with 0 <= k < 2**mantissa_bits; k is the value
shifted right and rounded to nearest-even, saturating at the largest k. Zero loses its sign.
In a padded TILE tensor the 16-value blocks are exactly the aligned groups of 16 along the last dim, so no
tilize/untilize is needed to find them.
"""

from __future__ import annotations

import torch

from .types import DTYPE_INFO, FACE_WIDTH, INTEGER_RANGES, DataType

_FLOAT32_EXPONENT_MASK = 0x7F800000


def round_to_bfloat16(values: torch.Tensor) -> torch.Tensor:
    """float32 -> bfloat16 with round-to-nearest-even (torch's cast is RNE, c10/util/BFloat16.h)."""
    return values.to(torch.float32).to(torch.bfloat16)


def _float32_exponents(values: torch.Tensor) -> torch.Tensor:
    """Biased 8-bit exponent field of each float32 value (0 for zeros and subnormals)."""
    bits = values.contiguous().view(torch.int32)
    return (bits & _FLOAT32_EXPONENT_MASK) >> 23


def quantize_block_float(values: torch.Tensor, mantissa_bits: int) -> torch.Tensor:
    """Values (float32, last dim a multiple of 16) as stored in a block-float format, returned as float32."""
    values = values.to(torch.float32)
    if values.shape[-1] % FACE_WIDTH:
        raise ValueError(f"block-float needs the last dim padded to a multiple of {FACE_WIDTH}, got {values.shape}")
    blocks = values.reshape(-1, FACE_WIDTH)
    shared_exponent = _float32_exponents(blocks).amax(dim=1, keepdim=True)
    # One unit in the last place of the block: k counts these.
    ulp_exponent = shared_exponent - 127 - (mantissa_bits - 1)
    ulp = torch.pow(2.0, ulp_exponent.to(torch.float64))
    steps = torch.round(blocks.abs().to(torch.float64) / ulp)  # torch.round is round-half-to-even
    steps = steps.clamp(max=2**mantissa_bits - 1)
    quantized = (steps * ulp).to(torch.float32) * torch.sign(blocks)
    quantized = torch.where(shared_exponent == 0, torch.zeros_like(quantized), quantized)
    return (quantized + 0.0).reshape(values.shape)  # + 0.0 turns -0 into +0


def quantize(values: torch.Tensor, dtype: DataType) -> torch.Tensor:
    """Values as a tensor of `dtype` would store them, in the emulator's storage dtype for that type.

    `values` must already be laid out as stored (for block floats: padded to whole tiles).
    """
    info = DTYPE_INFO[dtype]
    if dtype is DataType.FLOAT32:
        return values.to(torch.float32)
    if dtype is DataType.BFLOAT16:
        return round_to_bfloat16(values)
    if info.mantissa_bits:
        return quantize_block_float(values.to(torch.float32), info.mantissa_bits).to(info.torch_storage)
    low, high = INTEGER_RANGES[dtype]
    if values.is_floating_point():
        values = torch.trunc(values)
    return values.clamp(low, high).to(info.torch_storage)
