"""Number formats, bit-exact with real ttnn 0.81.1's host conversions (tests/emu/test_conformance_formats.py).

bfloat16: round to nearest even on the float32 bits; subnormals, infinities and overflow to infinity behave as in
IEEE; a NaN stays a quiet NaN (the recording only holds the canonical 0x7FC00000, which maps to itself).

Block floating point (DESIGN.md §3), as tt-metal's packer does it (tt_metal/common/blockfloat_common.cpp,
``get_max_exp`` / ``convert_u32_to_bfp``, and ``convert_bfp_to_u32`` for reading back):

* 16 consecutive values of a tile row inside one 16x16 face share one 8-bit exponent: the largest float32 exponent
  field among them (infinities and NaNs have field 255, so they win and zero every finite neighbour).
* a value whose exponent field is 0 (zero or float32 subnormal) is stored as 0;
* otherwise its 24-bit significand (hidden bit included) is shifted right by (shared - own exponent), truncating,
  then cut to `mantissa_bits` (7 for bfloat8_b, 3 for bfloat4_b) rounding to nearest, ties to even on the bits that
  survived the shift, saturating at the largest mantissa; a zero mantissa loses its sign.
* reading back renormalises the mantissa: the value is k * 2**(shared - 127 - (mantissa_bits - 1)), and with a
  shared exponent of 255 the hidden bit lands in the exponent again (inf for k = 2**(bits-1), NaN above).

In a padded TILE tensor the 16-value blocks are exactly the aligned groups of 16 along the last dim, so no
tilize/untilize is needed to find them. The pad value is part of the block (it can set the shared exponent).
"""

from __future__ import annotations

import torch

from .types import DTYPE_INFO, FACE_WIDTH, DataType

_INT32_MIN = -(2**31)


def _bits(values: torch.Tensor) -> torch.Tensor:
    """The float32 bit patterns of `values` as non-negative int64."""
    return values.to(torch.float32).contiguous().view(torch.int32).to(torch.int64) & 0xFFFFFFFF


def _from_bits(bits: torch.Tensor) -> torch.Tensor:
    """float32 values from bit patterns held in int64."""
    signed = torch.where(bits >= 2**31, bits - 2**32, bits)
    return signed.to(torch.int32).view(torch.float32)


def exact_bfloat16(values: torch.Tensor) -> torch.Tensor:
    """float32 values that are already bfloat16 numbers -> torch.bfloat16, keeping every bit (NaN payloads too).

    torch's own float -> bfloat16 cast turns NaN into 0xFFFF, so the emulator never uses it on stored values.
    """
    high = _bits(values) >> 16
    return torch.where(high >= 2**15, high - 2**16, high).to(torch.int16).view(torch.bfloat16)


def bfloat16_to_float32(values: torch.Tensor) -> torch.Tensor:
    """torch.bfloat16 -> float32 by the bits (exact, NaN payloads kept)."""
    high = values.contiguous().view(torch.int16).to(torch.int64) & 0xFFFF
    return _from_bits(high << 16)


def round_to_bfloat16(values: torch.Tensor) -> torch.Tensor:
    """float32 -> bfloat16 with round-to-nearest-even; NaN stays a quiet NaN with its sign.

    torch's cast rounds to nearest even (overflow to inf, subnormals kept) at memory speed; only NaNs, which it
    turns into 0xFFFF, are redone on the bits.
    """
    values = values.to(torch.float32)
    rounded = values.to(torch.bfloat16)
    # A NaN anywhere makes the sum NaN (NaN + x is NaN in any order), so a sum that is a number proves there is
    # none, at one read of the values; a NaN sum (a NaN, or inf + -inf) goes on to the element-wise check.
    if not torch.isnan(values.sum()):
        return rounded
    nan = torch.isnan(values)
    if nan.any():
        quiet = ((_bits(values[nan]) >> 16) | 0x0040) & 0xFFFF
        rounded.view(torch.int16)[nan] = torch.where(quiet >= 2**15, quiet - 2**16, quiet).to(torch.int16)
    return rounded


def quantize_block_float(values: torch.Tensor, mantissa_bits: int) -> torch.Tensor:
    """Values (last dim a multiple of 16) as stored in a block-float format and read back, as float32."""
    if values.shape[-1] % FACE_WIDTH:
        raise ValueError(f"block-float needs the last dim padded to a multiple of {FACE_WIDTH}, got {values.shape}")
    bits = _bits(values).reshape(-1, FACE_WIDTH)
    exponent = (bits >> 23) & 0xFF
    sign = bits >> 31
    shared = exponent.amax(dim=1, keepdim=True) if bits.numel() else exponent
    # Pack (convert_u32_to_bfp): shift the significand down to the shared exponent, then round on what is left.
    shift = 24 - mantissa_bits
    significand = ((bits & 0x7FFFFF) | 0x800000) >> (shared - exponent).clamp(max=31)
    remainder = significand & ((1 << shift) - 1)
    mantissa = significand >> shift
    tie = 1 << (shift - 1)
    round_up = (remainder > tie) | ((remainder == tie) & ((mantissa & 1) == 1))
    mantissa = (mantissa + round_up.to(torch.int64)).clamp(max=(1 << mantissa_bits) - 1)
    mantissa = torch.where(exponent == 0, torch.zeros_like(mantissa), mantissa)
    sign = torch.where(mantissa == 0, torch.zeros_like(sign), sign)
    # Unpack (convert_bfp_to_u32): move the leading 1 to the hidden bit, lowering the exponent by the shift.
    leading = torch.floor(torch.log2(mantissa.clamp(min=1).to(torch.float64))).to(torch.int64)
    normalise = (mantissa_bits - 1) - leading
    out_exponent = (shared - normalise) & 0xFFFFFFFF  # uint32 arithmetic, as in the C++
    out_mantissa = (mantissa << (normalise + 1)) & ((1 << mantissa_bits) - 1)
    out = ((sign << 31) | (out_exponent << 23) | (out_mantissa << (23 - mantissa_bits))) & 0xFFFFFFFF
    out = torch.where(mantissa == 0, torch.zeros_like(out), out)
    return _from_bits(out).reshape(values.shape)


def to_integer(values: torch.Tensor, dtype: DataType) -> torch.Tensor:
    """Values converted to integer `dtype` as ttnn's host conversion does (storage: DTYPE_INFO[dtype].torch_storage).

    Integer sources wrap modulo 2**bits (C++ static_cast). Float sources are truncated to int32 first, an
    out-of-range value or NaN becoming INT32_MIN (x86 cvttss2si); uint32 then takes those 32 bits, uint16 and uint8
    clamp to their range (recorded: -2.5 -> uint32 4294967294, uint16 0; 70000.2 -> uint16 65535; 1e10 -> 0).
    """
    storage = DTYPE_INFO[dtype].torch_storage
    if values.is_floating_point():
        wide = values.to(torch.float64)
        in_range = (wide > -(2.0**31) - 1) & (wide < 2.0**31)
        ints = torch.where(in_range, torch.trunc(wide).nan_to_num(0.0), _INT32_MIN).to(torch.int64)
        if dtype in (DataType.UINT16, DataType.UINT8):
            return ints.clamp(0, 2**16 - 1 if dtype is DataType.UINT16 else 2**8 - 1).to(storage)
    else:
        ints = values.to(torch.int64)
    if dtype is DataType.INT32:
        return (((ints + 2**31) % 2**32) - 2**31).to(storage)
    width = {DataType.UINT32: 32, DataType.UINT16: 16, DataType.UINT8: 8}[dtype]
    return (ints % 2**width).to(storage)


def quantize(values: torch.Tensor, dtype: DataType) -> torch.Tensor:
    """Values as a tensor of `dtype` would store them, in the emulator's storage dtype for that type.

    `values` must already be laid out as stored (for block floats: padded to whole tiles).
    """
    info = DTYPE_INFO[dtype]
    if dtype is DataType.FLOAT32:
        return values.to(torch.float32)
    if dtype is DataType.BFLOAT16:
        return values if values.dtype == torch.bfloat16 else round_to_bfloat16(values)
    if info.mantissa_bits:
        return exact_bfloat16(quantize_block_float(values, info.mantissa_bits))
    return to_integer(values, dtype)
