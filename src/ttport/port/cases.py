"""Test cases from a real forward: for every module instance of a kind, its captured inputs and outputs.

Saved per kind as tests/data/<kind>.pt: {module path: {"inputs": {name: value}, "outputs": [tensor, ...]}},
loadable with torch.load(weights_only=True). Tensors are cloned so that a view does not drag its whole storage in.
"""

from __future__ import annotations

import io

import torch

from ..capture import Captured
from ..capture.record import tensor_leaves
from .model import KindPort
from .sources import EmitError


def instances(captured: Captured, generated, kind: KindPort) -> list:
    """The module calls of `kind`, in call-tree order (generated: ttport.reference's Generated)."""
    reference = next((k for k in generated.kinds if k.name == kind.name), None)
    if reference is None:
        raise EmitError(f"the lowered kind {kind.name} has no function of that name in the reference")
    order = {call.key: i for i, call in enumerate(captured.calls())}
    return sorted(reference.calls, key=lambda call: order[call.key])


def case(captured: Captured, call, kind: KindPort) -> dict:
    """One instance's inputs (by the lowered function's input names) and returned outputs."""
    inputs = {}
    for spec in kind.inputs:
        if spec.name in call.traced:
            value = captured.values[call.traced[spec.name]]
        elif spec.name in call.record.arguments:
            value = call.record.arguments[spec.name]
        else:
            raise EmitError(
                f"the lowered {kind.name} takes {spec.name!r}, which {call.path or 'the model'} was not called with "
                f"(its arguments: {', '.join(call.record.arguments)})"
            )
        inputs[spec.name] = _detached(value)
    expected = dict(tensor_leaves(call.record.output))
    outputs = [_detached(expected[path]) for path, node in call.outputs if node is not None]
    return {"inputs": inputs, "outputs": outputs}


def kind_data(captured: Captured, generated, kind: KindPort) -> bytes:
    """tests/data/<kind>.pt: every instance's case, keyed by module path."""
    cases = {call.path: case(captured, call, kind) for call in instances(captured, generated, kind)}
    buffer = io.BytesIO()
    torch.save(cases, buffer)
    return buffer.getvalue()


def _detached(value):
    if isinstance(value, torch.Tensor):
        return value.detach().contiguous().clone()
    if isinstance(value, (tuple, list)):
        return type(value)(_detached(item) for item in value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    raise EmitError(f"cannot save a captured {type(value).__name__} as test data (tensors and numbers only)")
