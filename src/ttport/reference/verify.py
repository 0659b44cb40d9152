"""Run every generated function on the inputs its module saw in a real forward; compare with the module's output."""

from __future__ import annotations

import types
from dataclasses import dataclass

import torch

from ..capture import Captured
from ..capture.record import tensor_leaves
from ..validate.pcc import compare
from .generate import Generated
from .parameters import reference_parameters, subtree

# Functional torch vs the original module, fp32: tt-metal's target for references (DESIGN.md §5).
MAX_ABS_DIFF = 1e-5
MIN_PCC = 0.9999


@dataclass(frozen=True)
class Row:
    path: str
    module: str
    function: str
    max_abs_diff: float
    pcc: float
    error: str = ""

    @property
    def passed(self) -> bool:
        return not self.error and self.max_abs_diff <= MAX_ABS_DIFF and self.pcc >= MIN_PCC


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
            result = function(*args, **keywords)
    except Exception as exc:  # a generated function that fails is a verification failure, reported as a row
        return Row(label, call.cls.__name__, kind.name, float("inf"), 0.0, f"{type(exc).__name__}: {exc}")
    returned = [path for path, node in call.outputs if node is not None]
    actual = list(result) if len(returned) > 1 else [result]
    expected = dict(tensor_leaves(call.record.output))
    worst_diff, worst_pcc = 0.0, 1.0
    for path, value in zip(returned, actual):
        reference = expected[path]
        if tuple(value.shape) != tuple(reference.shape) or value.dtype != reference.dtype:
            error = f"output {path}: {tuple(value.shape)} {value.dtype} != {tuple(reference.shape)} {reference.dtype}"
            return Row(label, call.cls.__name__, kind.name, float("inf"), 0.0, error)
        comparison = compare(reference.float(), value.float())
        worst_diff = max(worst_diff, comparison.max_abs_error)
        worst_pcc = min(worst_pcc, comparison.pcc)
    return Row(label, call.cls.__name__, kind.name, worst_diff, worst_pcc)
