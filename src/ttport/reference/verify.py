"""Run every generated function on the inputs its module saw in a real forward; compare with the module's output."""

from __future__ import annotations

import types
from dataclasses import dataclass

import torch

from ..capture import Captured
from ..capture.record import tensor_leaves
from ..validate.outputs import Limits, OutputCheck, by_leaf, check_outputs
from .generate import Generated
from .parameters import reference_parameters, subtree

# Functional torch vs the original module, fp32: PCC is tt-metal's target for references (DESIGN.md §5). The max abs
# diff may grow with the values' magnitude (DESIGN.md §9): a float32 sum computed in another order errs by a few
# roundings of its largest terms, each up to 6e-8 (half an epsilon) of the value, so 1e-6*|max| allows ~16 of them
# at the largest output value. Measured: rxnmapper's real ALBERT weights (12 shared layers, |max| 5.66) differ by
# 1.18e-5, refused by a flat 1e-5 and within 1e-5 + 1e-6*5.66 = 1.57e-5. MAX_ABS_DIFF is the floor near zero.
MAX_ABS_DIFF = 1e-5
MAX_REL_DIFF = 1e-6
MIN_PCC = 0.9999
LIMITS = Limits("reference", min_pcc=MIN_PCC, atol=MAX_ABS_DIFF, rtol=MAX_REL_DIFF, same_dtype=True)


@dataclass(frozen=True)
class Row:
    path: str
    module: str
    function: str
    max_abs_diff: float
    pcc: float
    error: str = ""  # the exception the generated function raised
    problems: tuple[str, ...] = ()  # every output check it missed: the value and the limit (validate.outputs)
    nonfinite: int = 0  # elements whose NaN/inf differ from the original's

    @property
    def passed(self) -> bool:
        return not self.error and not self.problems

    @property
    def failure(self) -> str:
        """Why the row failed, one line; "" when it passed."""
        return self.error or "; ".join(self.problems)


def load(generated: Generated) -> types.ModuleType:
    module = types.ModuleType(f"torch_{generated.model_name}")
    exec(compile(generated.source, f"<torch_{generated.model_name}.py>", "exec"), module.__dict__)
    return module


def verify(captured: Captured, generated: Generated, progress=None) -> list[Row]:
    """One row per module call: max abs diff and PCC of the generated function against the real module."""
    namespace = load(generated)
    parameters = reference_parameters(captured.model)
    rows = []
    for call in captured.calls():
        rows.append(_check(call, generated.by_call[call.key], namespace, parameters, captured.values))
        if progress is not None:
            progress()
    return rows


def _check(call, kind, namespace, parameters, values) -> Row:
    label = call.path or "<root>"
    function = getattr(namespace, kind.name)
    args = [values[call.traced[n]] if n in call.traced else call.record.arguments[n] for n in kind.params]
    keywords = dict(kind.kwargs_of(call))
    if kind.uses_parameters:
        keywords["parameters"] = subtree(parameters, call.path)
    try:
        with torch.no_grad():
            actual = by_leaf(returned_paths(call), function(*args, **keywords))
    except Exception as exc:  # a generated function that fails is a verification failure, reported as a row
        return Row(label, call.cls.__name__, kind.name, float("inf"), 0.0, f"{type(exc).__name__}: {exc}")
    return _row(label, call, kind, check_outputs(tensor_leaves(call.record.output), actual, LIMITS))


def returned_paths(call) -> list[tuple]:
    """The output leaves a generated function returns, in order: those bound to a graph node (capture.bind)."""
    return [path for path, node in call.outputs if node is not None]


def _row(label: str, call, kind, check: OutputCheck) -> Row:
    return Row(
        label,
        call.cls.__name__,
        kind.name,
        check.max_abs_error,
        check.pcc,
        problems=check.problems,
        nonfinite=check.differing_nonfinite,
    )
