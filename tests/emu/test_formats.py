"""Number formats, bit for bit, against reference encoders written from the formats' definitions (DESIGN.md §3)."""

from __future__ import annotations

import math
import struct

import pytest
import torch
import ttnn
from hypothesis import given, settings
from hypothesis import strategies as st

from ttport.emu.formats import quantize_block_float, round_to_bfloat16


def reference_bfloat16(value: float) -> float:
    """float32 -> bfloat16 by the definition: keep the top 16 bits, round to nearest, ties to even."""
    bits = struct.unpack("<I", struct.pack("<f", value))[0]
    if math.isnan(value):
        return value
    lower = bits & 0xFFFF
    upper = bits >> 16
    if lower > 0x8000 or (lower == 0x8000 and upper & 1):
        upper += 1
    return struct.unpack("<f", struct.pack("<I", (upper << 16) & 0xFFFFFFFF))[0]


def reference_block(values: list[float], mantissa_bits: int) -> list[float]:
    """One 16-value block, as tt-metal's convert_u32_to_bfp: shared exponent = max exponent field; each 24-bit
    significand is shifted right to it (truncating), then rounded half-even to `mantissa_bits`, saturating; no -0.

    float32 subnormals (exponent field 0) count as zero, as the packer reads only the exponent field.
    """
    bits = [struct.unpack("<I", struct.pack("<f", v))[0] for v in values]
    exponents = [(b >> 23) & 0xFF for b in bits]
    shared = max(exponents)
    shift = 24 - mantissa_bits
    out = []
    for v, b, e in zip(values, bits, exponents):
        if e == 0:
            out.append(0.0)
            continue
        significand = ((b & 0x7FFFFF) | 0x800000) >> (shared - e)
        steps = significand >> shift
        remainder = significand - (steps << shift)
        if remainder > 1 << (shift - 1) or (remainder == 1 << (shift - 1) and steps & 1):
            steps += 1
        steps = min(steps, 2**mantissa_bits - 1)
        out.append(math.copysign(steps * 2.0 ** (shared - 127 - (mantissa_bits - 1)), v) if steps else 0.0)
    return out


finite_float32 = st.floats(width=32, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(finite_float32, min_size=1, max_size=64))
def test_bfloat16_rounding_matches_definition(values):
    rounded = round_to_bfloat16(torch.tensor(values, dtype=torch.float32)).to(torch.float32).tolist()
    assert rounded == [reference_bfloat16(v) for v in values]


def test_bfloat16_ties_round_to_even():
    # 1 + 2^-8 lies exactly between 1 and 1 + 2^-7: ties go to the even mantissa (1.0); 1 + 3*2^-8 goes up.
    values = torch.tensor([1 + 2**-8, 1 + 3 * 2**-8, -(1 + 2**-8)])
    assert round_to_bfloat16(values).to(torch.float32).tolist() == [1.0, 1 + 2**-6, -1.0]


block_values = st.lists(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False, width=32), min_size=16, max_size=16
)


@pytest.mark.parametrize("mantissa_bits", [7, 3])
@settings(max_examples=300, deadline=None)
@given(block=block_values, scale_exponent=st.integers(-20, 20))
def test_block_float_matches_definition(mantissa_bits, block, scale_exponent):
    values = [v * 2.0**scale_exponent for v in block]
    values32 = torch.tensor(values, dtype=torch.float32)
    got = quantize_block_float(values32.reshape(1, 16), mantissa_bits).flatten().tolist()
    assert got == reference_block(values32.tolist(), mantissa_bits)


def test_block_float_cases_by_hand():
    # Shared exponent 0 (from 1.5): ulp 2^-6 for bfloat8_b, so 1/128 = half an ulp ties to 0, 3/128 ties up to 2/64.
    block = torch.tensor([1.5, 2**-7, 3 * 2**-7, -0.0, 1.9999, -1.0] + [0.0] * 10).reshape(1, 16)
    got = quantize_block_float(block, 7).flatten().tolist()
    assert got[:6] == [1.5, 0.0, 2 * 2**-6, 0.0, 127 / 64, -1.0]
    assert math.copysign(1.0, got[3]) == 1.0  # zero loses its sign
    # bfloat4_b keeps 3 bits: 1.9999 saturates at 7/4, 0.3 rounds to 1/4.
    block4 = torch.tensor([1.9999, 0.3] + [0.0] * 14).reshape(1, 16)
    assert quantize_block_float(block4, 3).flatten().tolist()[:2] == [1.75, 0.25]


def test_blocks_are_16_values_of_a_tile_row(device):
    # A big value in one 16-value block must not affect its neighbour block in the same row.
    values = torch.full((32, 32), 0.01)
    values[0, 0] = 1000.0
    tensor = ttnn.from_torch(values, dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT)
    back = ttnn.to_torch(tensor)
    assert back[0, 1] == 0.0  # crushed by the shared exponent of 1000
    assert back[0, 16] == pytest.approx(0.01, rel=2**-6)  # second face's row: own exponent
    assert back[1, 1] == pytest.approx(0.01, rel=2**-6)  # next row: own exponent


@pytest.mark.parametrize("dtype", [ttnn.bfloat16, ttnn.float32, ttnn.bfloat8_b, ttnn.bfloat4_b])
@pytest.mark.parametrize("shape", [(7, 50), (1, 3, 33, 65), (2, 32, 64), (100,)])
def test_round_trip_is_idempotent(dtype, shape):
    torch.manual_seed(0)
    values = torch.randn(shape)
    once = ttnn.to_torch(ttnn.from_torch(values, dtype=dtype, layout=ttnn.TILE_LAYOUT)).to(torch.float32)
    twice = ttnn.to_torch(ttnn.from_torch(once, dtype=dtype, layout=ttnn.TILE_LAYOUT)).to(torch.float32)
    assert tuple(once.shape) == shape
    assert torch.equal(once, twice)
    tolerance = {ttnn.float32: 0, ttnn.bfloat16: 2**-8, ttnn.bfloat8_b: 2**-6, ttnn.bfloat4_b: 2**-2}[dtype]
    assert (once - values).abs().max() <= tolerance * values.abs().max() * 2


def test_integer_types_wrap_ints_and_clamp_floats():
    # Recorded from real ttnn 0.81.1 (int32_values / int_like_float cases): integer inputs wrap modulo 2**bits,
    # float inputs are truncated to int32 and then clamped to uint8 / uint16.
    ids = torch.tensor([[0, 5, 30521]])
    assert torch.equal(ttnn.to_torch(ttnn.from_torch(ids, dtype=ttnn.uint32)).long(), ids)
    assert ttnn.to_torch(ttnn.from_torch(torch.tensor([300, -4]), dtype=ttnn.uint8)).tolist() == [44, 252]
    assert ttnn.to_torch(ttnn.from_torch(torch.tensor([300.5, -4.5]), dtype=ttnn.uint8)).tolist() == [255, 0]
