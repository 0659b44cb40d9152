"""PCC as tt-metal's comp_pcc computes it (models/common/utility_functions.py; DESIGN.md §5), plus the error
figures PCC alone hides. NaN/inf are zeroed here as comp_pcc does; ttport.validate.outputs counts them."""

from __future__ import annotations

from dataclasses import dataclass

import torch


def pcc(expected: torch.Tensor, actual: torch.Tensor) -> float:
    """Pearson correlation of the flattened tensors in float64, with comp_pcc's special cases.

    Both all-NaN -> 1.0; one all-NaN -> 0.0; exactly one all-zero -> 0.0; then NaN/inf zeroed; identical -> 1.0.
    """
    expected = expected.detach().to(torch.float64).flatten()
    actual = actual.detach().to(torch.float64).flatten()
    if expected.shape != actual.shape:
        raise ValueError(f"pcc: shapes differ: expected {tuple(expected.shape)}, actual {tuple(actual.shape)}")
    expected_nan, actual_nan = torch.isnan(expected).all(), torch.isnan(actual).all()
    if expected_nan and actual_nan:
        return 1.0
    if expected_nan or actual_nan:
        return 0.0
    if bool(expected.any()) != bool(actual.any()):  # comp_pcc tests "all zero" before it zeroes NaN/inf
        return 0.0
    expected = torch.nan_to_num(expected, nan=0.0, posinf=0.0, neginf=0.0)
    actual = torch.nan_to_num(actual, nan=0.0, posinf=0.0, neginf=0.0)
    if torch.equal(expected, actual):
        return 1.0
    expected = expected - expected.mean()
    actual = actual - actual.mean()
    denominator = expected.norm() * actual.norm()
    if denominator == 0:  # comp_pcc's masked corrcoef says 1.0 here; a verdict must not pass on a constant
        return 0.0
    return float((expected @ actual) / denominator)


@dataclass(frozen=True)
class Comparison:
    pcc: float
    max_abs_error: float
    relative_error: float  # ||actual - expected|| / ||expected||
    nonfinite: int = 0  # elements whose NaN/inf differ from the expected's (PCC zeroes them; this counts them)

    def passes(self, threshold: float) -> bool:
        return self.pcc >= threshold and not self.nonfinite


def differing_nonfinite(expected: torch.Tensor, actual: torch.Tensor) -> int:
    """Elements where one side is NaN/inf and the other is not that same value (tt-metal's `_comp_nonfinite`
    in models/common/utility_functions.py holds non-finite values to the same positions)."""
    same = (torch.isnan(expected) & torch.isnan(actual)) | (torch.isinf(expected) & (actual == expected))
    either = ~torch.isfinite(expected) | ~torch.isfinite(actual)
    return int((either & ~same).sum())


def compare(expected: torch.Tensor, actual: torch.Tensor) -> Comparison:
    """PCC, max absolute error, relative (Frobenius) error and differing NaN/inf of `actual` against `expected`."""
    expected64 = expected.detach().to(torch.float64)
    actual64 = actual.detach().to(torch.float64)
    if expected64.shape != actual64.shape:
        raise ValueError(f"compare: shapes differ: expected {tuple(expected64.shape)}, actual {tuple(actual64.shape)}")
    difference = actual64 - expected64
    max_abs = float(difference.abs().max()) if difference.numel() else 0.0
    scale = float(expected64.norm())
    relative = float(difference.norm()) / scale if scale else float(difference.norm())
    return Comparison(pcc(expected, actual), max_abs, relative, differing_nonfinite(expected64, actual64))
