"""One check of a module's outputs against the original's, used by every verification (DESIGN.md §9).

Every output leaf (tensors inside tuples, lists, dicts, ModelOutputs) is compared; a leaf the port does not return
is a failure named as such. NaN and inf are counted in the expected and the actual tensor separately: a NaN/inf
the original does not have at that element (or one it has that the port lacks) fails whatever PCC says. PCC zeroes
them, as tt-metal's comp_pcc does; tt-metal's own ULP check holds non-finite values to the same positions
(`_comp_nonfinite` in models/common/utility_functions.py). Every failure message names the value and the limit;
callers prefix the check and the module.

>>> limits = Limits("reference", min_pcc=0.9999, atol=1e-5, rtol=1e-6)
>>> check_outputs([((), expected)], {(): actual}, limits).problems
('max abs diff 2.5e-05 > 1.98e-05 (1e-05 + 1e-06*|max| 9.8)',)
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .pcc import differing_nonfinite, pcc


@dataclass(frozen=True)
class Limits:
    """What one check requires of every output leaf.

    `atol`/`rtol`: the max abs diff may be at most atol + rtol * max|expected| (a tolerance that scales with the
    values' magnitude: float32 rounding grows with it); None checks PCC only (TTNN in bfloat16).
    """

    check: str  # "reference", "TTNN": the check's name in every message
    min_pcc: float
    atol: float | None = None
    rtol: float = 0.0
    same_dtype: bool = False  # the port must return the original's dtype (the fp32 reference does)

    def max_abs(self, magnitude: float) -> float:
        return (self.atol or 0.0) + self.rtol * magnitude

    def max_abs_rule(self, magnitude: float) -> str:
        return f"{self.atol:g} + {self.rtol:g}*|max| {magnitude:.3g}"


@dataclass(frozen=True)
class NonFinite:
    """NaN and inf counts of one leaf, in the original's output and in the port's."""

    expected_nan: int = 0
    expected_inf: int = 0
    actual_nan: int = 0
    actual_inf: int = 0
    differing: int = 0  # elements where one side is NaN/inf and the other is not that same value

    def describe(self) -> str:
        return (
            f"NaN/inf differ at {self.differing} elements "
            f"(NaN: original {self.expected_nan}, port {self.actual_nan}; "
            f"inf: original {self.expected_inf}, port {self.actual_inf})"
        )


@dataclass(frozen=True)
class Leaf:
    path: str  # "output", "output[0]", "output.last_hidden_state"
    pcc: float
    max_abs_error: float  # over the elements finite in both
    magnitude: float  # max |expected| over its finite elements
    nonfinite: NonFinite


@dataclass(frozen=True)
class OutputCheck:
    leaves: tuple[Leaf, ...]
    problems: tuple[str, ...]  # one line each: what failed, its value and its limit

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def pcc(self) -> float:
        return min((leaf.pcc for leaf in self.leaves), default=0.0)

    @property
    def max_abs_error(self) -> float:
        return max((leaf.max_abs_error for leaf in self.leaves), default=float("inf"))

    @property
    def differing_nonfinite(self) -> int:
        return sum(leaf.nonfinite.differing for leaf in self.leaves)


def leaf_name(path: tuple) -> str:
    """A leaf path as the user reads it: () -> "output", (0, "logits") -> "output[0].logits"."""
    return "output" + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)


def by_leaf(paths: list[tuple], result) -> dict:
    """A generated function's result by output leaf path: it returns the leaves in `paths` in order (one value
    when there is one); leaves it does not return are absent, and check_outputs names them "not compared"."""
    if not paths:
        return {}
    values = list(result) if len(paths) > 1 and isinstance(result, (tuple, list)) else [result]
    if len(values) != len(paths):
        raise ValueError(f"the function returned {len(values)} values for the module's {len(paths)} outputs")
    return dict(zip(paths, values))


@dataclass(frozen=True)
class Selection:
    """An integer output that holds positions picked from `scores` along `dim`: the indices of a topk or a sort.

    Such a leaf is compared by the scores it picks, not by the positions: where two scores tie (or are equal in
    bfloat16, the device's format) either order of their positions is right, and a position's number says nothing
    about how close it is to the right one (expert 7 for expert 6 is no nearer than expert 0). tt-metal's own topk
    test does the same (tests/ttnn/unit_tests/operations/reduce/test_topk.py gathers the input at the returned
    indices and compares those values: "pcc is not a good measure for the raw indices"). A wrong choice shows as a
    picked score that differs, held to the same PCC as every other output.
    """

    scores: torch.Tensor  # the original's input to the selection, float
    dim: int

    def picked(self, indices: torch.Tensor) -> torch.Tensor | None:
        """scores gathered at `indices` (None when an index is out of range or the shapes do not line up)."""
        positions = indices.detach().to(torch.int64)
        scores = self.scores.detach().to(torch.float64)
        if positions.dim() != scores.dim() or positions.numel() == 0:
            return None
        if positions.min() < 0 or positions.max() >= scores.shape[self.dim]:
            return None
        try:
            return torch.gather(scores, self.dim, positions)
        except RuntimeError:
            return None


def check_outputs(
    expected: list[tuple[tuple, torch.Tensor]], actual: dict, limits: Limits, selections: dict | None = None
) -> OutputCheck:
    """Every expected (path, tensor) against `actual[path]` (a torch tensor; missing = not compared); a leaf in
    `selections` (path -> Selection) is compared by the scores its positions pick."""
    if not expected:
        return OutputCheck((), ("the module returns no tensor, so nothing was compared",))
    leaves, problems = [], []
    single = len(expected) == 1 and expected[0][0] == ()
    for path, reference in expected:
        name = leaf_name(path)
        prefix = "" if single else f"{name}: "
        value = actual.get(path)
        if not isinstance(value, torch.Tensor):
            what = "not returned by the port" if value is None else f"a {type(value).__name__}, not a tensor"
            problems.append(f"{prefix}not compared ({what})")
            continue
        mismatch = _mismatch(reference, value, limits)
        if mismatch:
            problems.append(prefix + mismatch)
            continue
        selection = (selections or {}).get(path)
        if selection is not None:
            reference, value = selection.picked(reference), selection.picked(value)
            if reference is None or value is None:
                problems.append(f"{prefix}positions out of range of the {tuple(selection.scores.shape)} scores")
                continue
            name += " (by the scores it picks)"
        leaf = _leaf(name, reference, value)
        leaves.append(leaf)
        problems += [prefix + problem for problem in _problems(leaf, limits)]
    return OutputCheck(tuple(leaves), tuple(problems))


def _mismatch(reference: torch.Tensor, value: torch.Tensor, limits: Limits) -> str:
    if tuple(value.shape) != tuple(reference.shape):
        return f"shape {tuple(value.shape)} != the original's {tuple(reference.shape)}"
    if limits.same_dtype and value.dtype != reference.dtype:
        return f"dtype {value.dtype} != the original's {reference.dtype}"
    return ""


def _leaf(name: str, reference: torch.Tensor, value: torch.Tensor) -> Leaf:
    expected = reference.detach().to(torch.float64)
    actual = value.detach().to(torch.float64)
    finite = torch.isfinite(expected) & torch.isfinite(actual)
    difference = (actual - expected)[finite].abs()
    magnitude = expected[torch.isfinite(expected)].abs()
    return Leaf(
        name,
        pcc(expected, actual),
        float(difference.max()) if difference.numel() else 0.0,
        float(magnitude.max()) if magnitude.numel() else 0.0,
        _nonfinite(expected, actual),
    )


def _nonfinite(expected: torch.Tensor, actual: torch.Tensor) -> NonFinite:
    counts = (torch.isnan(expected), torch.isinf(expected), torch.isnan(actual), torch.isinf(actual))
    return NonFinite(*(int(mask.sum()) for mask in counts), differing_nonfinite(expected, actual))


def _problems(leaf: Leaf, limits: Limits) -> list[str]:
    problems = []
    if leaf.nonfinite.differing:
        problems.append(leaf.nonfinite.describe())
    if leaf.pcc < limits.min_pcc:
        problems.append(f"PCC {leaf.pcc:.6f} < {limits.min_pcc}")
    if limits.atol is not None and leaf.max_abs_error > limits.max_abs(leaf.magnitude):
        limit = limits.max_abs(leaf.magnitude)
        problems.append(f"max abs diff {leaf.max_abs_error:.3g} > {limit:.3g} ({limits.max_abs_rule(leaf.magnitude)})")
    return problems
