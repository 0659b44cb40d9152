"""Run every generated TTNN function on the inputs its module saw in a real forward; PCC against its output."""

from __future__ import annotations

import types

import torch

from ..capture import Captured
from ..capture.record import tensor_leaves
from ..port.model import LoweredModel, ModuleCheck
from ..reference.parameters import subtree
from ..validate.pcc import compare

MODULE_PCC = 0.999  # per module (DESIGN.md §5)
MODEL_PCC = 0.99  # the whole model


def load(lowered: LoweredModel) -> types.ModuleType:
    """The generated parameters and TTNN functions in one module namespace (as `import ttnn` sees them)."""
    module = types.ModuleType(f"ttnn_{lowered.model_name}")
    source = lowered.parameters_source + "\n\n" + "\n\n".join(kind.source for kind in lowered.kinds)
    exec(compile(source, f"<ttnn_{lowered.model_name}.py>", "exec"), module.__dict__)
    return module


def verify(lowered: LoweredModel, captured: Captured, device, progress=None) -> list[ModuleCheck]:
    """One ModuleCheck per module call: the kind's TTNN function on that call's captured inputs."""
    namespace = load(lowered)
    parameters = namespace.create_ttnn_parameters(captured.model, device)
    by_path = {path: kind for kind in lowered.kinds for path in kind.instances}
    checks = []
    for call in captured.calls():
        kind = by_path[call.path]
        checks.append(_check(call, kind, getattr(namespace, kind.name), parameters, captured, device))
        if progress is not None:
            progress()
    return checks


def prepare(value, kind: str, device):
    """A captured torch input as the generated function takes it (model.INPUT_KINDS)."""
    import ttnn

    if isinstance(value, (tuple, list)):
        return type(value)(prepare(v, kind, device) for v in value)
    if not isinstance(value, torch.Tensor) or kind in ("host", "scalar"):
        return value
    if kind == "ids":
        return ttnn.from_torch(value, dtype=ttnn.uint32, device=device)
    return ttnn.from_torch(value, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)


def as_torch(value) -> torch.Tensor:
    import ttnn

    if isinstance(value, torch.Tensor):
        return value
    return ttnn.to_torch(value).to(torch.float32)


def run(call, kind, function, parameters, captured: Captured, device):
    """The generated function's outputs on the call's captured inputs, and the ops it issued."""
    from .. import emu

    arguments = []
    for spec in kind.inputs:
        traced = call.traced.get(spec.name)
        value = captured.values[traced] if traced is not None else call.record.arguments[spec.name]
        arguments.append(prepare(value, spec.kind, device))
    keywords = dict(kind.instances.get(call.path, kind.config))
    if "parameters" in _keyword_names(function):
        keywords["parameters"] = subtree(parameters, call.path)
    with emu.trace() as records:
        result = function(*arguments, **keywords)
    return result, sum(1 for r in records if r.on_device)


def _keyword_names(function) -> set[str]:
    code = function.__code__
    return set(code.co_varnames[code.co_argcount : code.co_argcount + code.co_kwonlyargcount])


def _check(call, kind, function, parameters, captured: Captured, device) -> ModuleCheck:
    threshold = MODEL_PCC if call.path == "" else MODULE_PCC
    try:
        result, ops = run(call, kind, function, parameters, captured, device)
    except Exception as exc:  # a generated function that fails is a failed check, reported with its error
        return ModuleCheck(call.path, kind.name, 0.0, float("inf"), threshold, 0, f"{type(exc).__name__}: {exc}")
    returned = [path for path, node in call.outputs if node is not None]
    actual = list(result) if len(returned) > 1 else [result]
    expected = dict(tensor_leaves(call.record.output))
    worst_pcc, worst_error = 1.0, 0.0
    for path, value in zip(returned, actual):
        reference = expected[path].to(torch.float32)
        value = as_torch(value).to(torch.float32)
        if tuple(value.shape) != tuple(reference.shape):
            error = f"output {path}: shape {tuple(value.shape)} != {tuple(reference.shape)}"
            return ModuleCheck(call.path, kind.name, 0.0, float("inf"), threshold, ops, error)
        comparison = compare(reference, value)
        worst_pcc = min(worst_pcc, comparison.pcc)
        worst_error = max(worst_error, comparison.max_abs_error)
    return ModuleCheck(call.path, kind.name, worst_pcc, worst_error, threshold, ops)
