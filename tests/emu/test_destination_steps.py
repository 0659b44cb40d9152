"""The 16-bit destination skips 16-deep steps whose weight rows are all zero (a conv's channel padding) and keeps
every output bit: each case against the loop over every step it replaced."""

from __future__ import annotations

import importlib

import pytest
import torch

numerics = importlib.import_module("ttport.emu.numerics")  # ttport.emu.numerics is also a function's name
FACE = numerics.FACE_WIDTH


def every_step(left, right, initial=None):
    """The previous destination: one bfloat16 addmm_ per 16-deep step, zero steps included."""
    out_shape = (*torch.broadcast_shapes(left.shape[:-2], right.shape[:-2]), left.shape[-2], right.shape[-1])
    destination = torch.zeros(out_shape, dtype=torch.bfloat16) if initial is None else initial.to(torch.bfloat16)
    for step in range(left.shape[-1] // FACE):
        inner = slice(step * FACE, (step + 1) * FACE)
        numerics._accumulate(destination, left[..., inner], right[..., inner, :])
    return destination.to(torch.float32)


def padded_channels(rows: int, positions: int, channels: int, out: int, seed: int = 0):
    """A stem's im2col matmul: `channels` real input channels padded to 32 per kernel position (zero weight rows)."""
    generator = torch.Generator().manual_seed(seed)
    left = torch.randn(rows, positions * 32, generator=generator).to(torch.bfloat16)
    right = torch.randn(positions, 32, out, generator=generator) * 0.1
    right[:, channels:] = 0
    return left, right.reshape(positions * 32, out).to(torch.bfloat16)


def bits(values: torch.Tensor) -> torch.Tensor:
    return values.contiguous().view(torch.int32)


def test_zero_weight_steps_are_skipped_with_the_same_bits():
    left, right = padded_channels(300, 7, 3, 64)
    assert len(numerics._contributing_steps(left, right, True)) == 7  # of 14: the padded half is skipped
    assert torch.equal(bits(numerics._bfloat16_destination(left, right)), bits(every_step(left, right)))


@pytest.mark.parametrize("special", [float("inf"), float("-inf"), float("nan")])
def test_inf_or_nan_in_a_skippable_column_keeps_every_step(special):
    """inf x 0 is NaN: the zero step is no longer a no-op, so nothing is skipped."""
    left, right = padded_channels(64, 3, 5, 32, seed=1)
    left[7, 20] = special  # channel 20 of position 0: its weight row is zero
    assert len(numerics._contributing_steps(left, right, True)) == 6
    actual, expected = numerics._bfloat16_destination(left, right), every_step(left, right)
    assert torch.isnan(actual[7]).all() and torch.equal(bits(actual), bits(expected))


def test_a_step_zero_in_one_batch_only_is_kept():
    left, right = padded_channels(48, 2, 4, 16, seed=2)
    batched = torch.stack([right, right.clone()])
    batched[1, 4:32] = 1.0  # batch 1 uses the rows batch 0 pads
    left = torch.stack([left, left])
    assert len(numerics._contributing_steps(left, batched, True)) == 2 + 1  # step 3 is zero in both
    assert torch.equal(bits(numerics._bfloat16_destination(left, batched)), bits(every_step(left, batched)))


def test_a_reloaded_partial_keeps_every_step():
    """A destination that starts from a partial may hold -0, which an exact zero step turns into +0."""
    left, right = padded_channels(32, 2, 3, 16, seed=3)
    initial = torch.full((32, 16), -0.0)
    assert len(numerics._contributing_steps(left, right, False)) == 4
    actual = numerics._bfloat16_destination(left, right, initial)
    assert torch.equal(bits(actual), bits(every_step(left, right, initial)))
