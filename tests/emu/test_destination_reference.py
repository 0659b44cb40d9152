"""The 16-bit destination against its definition computed exactly: each 16-deep partial summed in float64 (bfloat16
products are exact there), added to the destination and rounded once to bfloat16, nearest even, step after step.
torch's bfloat16 GEMM sums a step's 16 products in float32 and rounds (d + partial) to float32 before bfloat16, so a
few results per 10^4 land one rounding away (docs/ttnn-numerics.md, "16-bit destination")."""

from __future__ import annotations

import importlib

import pytest
import torch

numerics = importlib.import_module("ttport.emu.numerics")  # ttport.emu.numerics is also a function's name
FACE = numerics.FACE_WIDTH


def round_bfloat16(values: torch.Tensor) -> torch.Tensor:
    """float64 -> the nearest bfloat16 (8 significant bits, ties to even), held in float64; normal range only."""
    mantissa, exponent = torch.frexp(values)
    return torch.ldexp(torch.round(mantissa * 256.0), (exponent - 8).to(torch.float64))


def exact_steps(left: torch.Tensor, right: torch.Tensor) -> torch.Tensor:
    left, right = left.double(), right.double()
    destination = torch.zeros(left.shape[0], right.shape[1], dtype=torch.float64)
    for step in range(left.shape[1] // FACE):
        inner = slice(step * FACE, (step + 1) * FACE)
        destination = round_bfloat16(destination + left[:, inner] @ right[inner])
    return destination


def operands(rows: int, inner: int, columns: int, relu: bool):
    generator = torch.Generator().manual_seed(rows + inner + columns)
    left = torch.randn(rows, inner, generator=generator)
    left = left.relu() if relu else left
    right = torch.randn(inner, columns, generator=generator) * 0.05
    return left.to(torch.bfloat16), right.to(torch.bfloat16)


@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("shape", [(392, 576, 64), (196, 1152, 128), (98, 1024, 256)])
def test_the_destination_is_the_per_step_rounding_but_for_a_few_in_ten_thousand(shape, relu):
    left, right = operands(*shape, relu)
    expected = exact_steps(left, right)
    actual = numerics._bfloat16_destination(left, right).double()
    once = round_bfloat16(left.double() @ right.double())  # an fp32 destination, rounded at the end
    assert (actual != expected).double().mean() < 1e-3
    assert (once != expected).double().mean() > 0.5  # the check tells per-step rounding from rounding once
