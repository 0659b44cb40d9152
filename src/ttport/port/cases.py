"""Test cases from a real forward: module instances' captured inputs and outputs, saved for the generated tests.

The tests cover the first and the last instance of each kind (layer 0 and the last layer: where the error has
built up most); verification covers every instance. One file, tests/data/captured.pt:
{kind: {module path: {"inputs": {name: value}, "outputs": [tensor, ...]}}}, loadable with
torch.load(weights_only=True). A tensor one module returns and the next one takes is stored once; tensors are
copied so that a view does not drag its whole storage in.
"""

from __future__ import annotations

import io

import torch

from ..capture import Captured
from ..capture.record import tensor_leaves
from ..ported import KindPort
from .sources import EmitError

DATA_FILE = "captured.pt"


def instances(captured: Captured, generated, kind: KindPort) -> list:
    """The module calls of `kind`, in call-tree order (generated: ttport.reference's Generated)."""
    if kind.instances:  # a variant of a reference kind (<kind>_2) has its own instances
        return [call for call in captured.calls() if call.path in kind.instances]
    reference = next((k for k in generated.kinds if k.name == kind.name), None)
    if reference is None:
        raise EmitError(f"the lowered kind {kind.name} has no function of that name in the reference")
    order = {call.key: i for i, call in enumerate(captured.calls())}
    return sorted(reference.calls, key=lambda call: order[call.key])


def tested(captured: Captured, generated, kind: KindPort) -> list:
    """The instances the generated tests run: the first and the last."""
    calls = instances(captured, generated, kind)
    return calls[:1] + calls[1:][-1:]


def captured_data(captured: Captured, generated, kinds: list[KindPort]) -> bytes:
    """tests/data/captured.pt for the tested instances of every kind."""
    copies: dict[int, object] = {}
    data = {
        kind.name: {call.path: _case(captured, call, kind, copies) for call in tested(captured, generated, kind)}
        for kind in kinds
    }
    buffer = io.BytesIO()
    torch.save(data, buffer)
    return buffer.getvalue()


def _case(captured: Captured, call, kind: KindPort, copies: dict) -> dict:
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
        inputs[spec.name] = _copy(value, copies)
    expected = dict(tensor_leaves(call.record.output))
    outputs = [_copy(expected[path], copies) for path, node in call.outputs if node is not None]
    return {"inputs": inputs, "outputs": outputs}


def _copy(value, copies: dict):
    """A compact copy; the same captured tensor object always maps to the same copy (saved once)."""
    if isinstance(value, torch.Tensor):
        if id(value) not in copies:
            copies[id(value)] = (value, value.detach().contiguous().clone())  # keep the original alive: ids stay
        return copies[id(value)][1]
    if isinstance(value, (tuple, list)):
        return type(value)(_copy(item, copies) for item in value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    raise EmitError(f"cannot save a captured {type(value).__name__} as test data (tensors and numbers only)")
