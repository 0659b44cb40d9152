"""Run every generated TTNN function on the inputs its module saw in a real forward; PCC against its output."""

from __future__ import annotations

import operator
import traceback
import types

import torch
from torch import fx

from ..capture import Captured
from ..capture.record import tensor_leaves
from ..ported import LoweredModel, ModuleCheck
from ..reference.parameters import subtree
from ..reference.verify import returned_paths
from ..validate.outputs import Limits, Selection, by_leaf, check_outputs
from .errors import LoweringError
from .graph import arguments

MODULE_PCC = 0.999  # per module (DESIGN.md §5)
MODEL_PCC = 0.99  # the whole model


def load(lowered: LoweredModel) -> types.ModuleType:
    """The generated parameters and TTNN functions in one module namespace (as `import ttnn` sees them)."""
    module = types.ModuleType(f"ttnn_{lowered.model_name}")
    source = lowered.parameters_source + "\n\n" + "\n\n".join(kind.source for kind in lowered.kinds)
    filename = f"<ttnn_{lowered.model_name}.py>"
    module.__dict__["__lines__"] = source.splitlines()
    try:
        exec(compile(source, filename, "exec"), module.__dict__)
    except Exception as exc:
        line = _generated_line(module.__lines__, exc, filename)
        raise LoweringError(
            f"{lowered.model_name}: the generated TTNN source does not load: {type(exc).__name__}: {exc}{line}; "
            "the lowering wrote code Python cannot run: report it with this message"
        ) from exc
    return module


def verify(lowered: LoweredModel, captured: Captured, device, progress=None) -> list[ModuleCheck]:
    """One ModuleCheck per module call: the kind's TTNN function on that call's captured inputs."""
    namespace = load(lowered)
    parameters = _parameters(namespace, lowered, captured, device)
    by_path = {path: kind for kind in lowered.kinds for path in kind.instances}
    by_key = {key: kind for kind in lowered.kinds for key in kind.keys}  # ModernBERT's rotary: two calls, two kinds
    checks = []
    for call in captured.calls():
        kind = by_key.get(call.key) or by_path.get(call.path)
        if kind is None:
            raise LoweringError(
                f"{call.path or '<root>'} ({call.cls.__name__}): no lowered kind lists this module as an instance; "
                "lower and verify the same capture"
            )
        checks.append(_check(call, kind, getattr(namespace, kind.name), parameters, captured, device))
        if progress is not None:
            progress()
    return checks


def _parameters(namespace, lowered: LoweredModel, captured: Captured, device):
    """create_ttnn_parameters on the model; a failure names the module whose preprocessor failed and the line."""
    try:
        return namespace.create_ttnn_parameters(captured.model, device)
    except Exception as exc:
        paths = {id(module): path for path, module in captured.model.named_modules(remove_duplicate=False)}
        module = _failing_module(exc, namespace)
        where = f" for {paths.get(id(module), '?') or '<root>'} ({type(module).__name__})" if module is not None else ""
        line = _generated_line(namespace.__lines__, exc, f"<ttnn_{lowered.model_name}.py>")
        raise LoweringError(
            f"{lowered.model_name}: tt/parameters.py failed{where}: {type(exc).__name__}: {exc}{line}; its "
            "preprocessor reads a tensor that module does not have in that form: report it with this message"
        ) from exc


def _failing_module(exc: BaseException, namespace) -> torch.nn.Module | None:
    """The `model` the innermost generated preprocessor was preparing when `exc` was raised."""
    found = None
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        model = frame.f_locals.get("model")
        if frame.f_globals is namespace.__dict__ and isinstance(model, torch.nn.Module):
            found = model
    return found


def _generated_line(lines: list[str], exc: BaseException, filename: str) -> str:
    """`, at `<code>`` of the innermost generated-source frame of `exc` (or of a SyntaxError); "" if none."""
    number = exc.lineno if isinstance(exc, SyntaxError) and exc.filename == filename else None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            number = frame.lineno
    if number is None or not 0 < number <= len(lines):
        return ""
    return f", at `{lines[number - 1].strip()}`"


def prepare(value, kind: str, device):
    """A captured torch input as the generated function takes it (model.INPUT_KINDS)."""
    import ttnn

    if isinstance(value, (tuple, list)):
        return type(value)(prepare(v, kind, device) for v in value)
    if isinstance(value, dict):
        return {key: prepare(v, kind, device) for key, v in value.items()}
    if not isinstance(value, torch.Tensor) or kind in ("host", "scalar"):
        return value
    if kind == "ids":
        return ttnn.from_torch(value, dtype=ttnn.uint32, device=device)
    if kind == "nhwc":  # a captured NCHW value as the function takes it: channels-last (lower/channels_last.py)
        value = value.permute(0, 2, 3, 1)
    return ttnn.from_torch(bfloat16_range(value), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)


def bfloat16_range(value: torch.Tensor) -> torch.Tensor:
    """Finite float32 values beyond bfloat16's range (finfo(float32).min in a captured additive mask) at bfloat16's
    limits instead of +-inf, as the generated code clamps them (lower/steps.py TO_BFLOAT16_RANGE); inf stays inf."""
    if not value.is_floating_point():
        return value
    limit = torch.finfo(torch.bfloat16).max
    return torch.where(value.isfinite(), value.clamp(-limit, limit), value)


def as_torch(value, form: str = "tile") -> torch.Tensor:
    """A returned value as torch holds it: a channels-last ("nhwc") result permuted back to NCHW, so the PCC
    compares the same numbers as the torch module's output."""
    import ttnn

    if isinstance(value, torch.Tensor):
        return value
    value = ttnn.to_torch(value).to(torch.float32)
    return value.permute(0, 3, 1, 2) if form == "nhwc" else value


def run(call, kind, function, parameters, captured: Captured, device):
    """The generated function's outputs on the call's captured inputs, and the ops it issued."""
    from .. import emu

    arguments = []
    for spec in kind.inputs:
        traced = call.traced.get(spec.name)
        value = captured.values[traced] if traced is not None else call.record.arguments[spec.name]
        arguments.append(prepare(value, spec.kind, device))
    if kind.prepare_inputs:  # the module's inputs go through its generated prepare function first (lower/prepare.py)
        preparation = function.__globals__[kind.prepare_name]
        given = {"parameters": subtree(parameters, call.path)} if "parameters" in _keyword_names(preparation) else {}
        arguments = list(preparation(*arguments, device=device, **given))
    keywords = dict(kind.instances.get(call.path, kind.config))
    if "parameters" in _keyword_names(function):
        keywords["parameters"] = subtree(parameters, call.path)
    if "device" in _keyword_names(function):
        keywords["device"] = device
    with emu.trace() as records:
        result = function(*arguments, **keywords)
    return result, sum(1 for r in records if r.on_device)


# ops whose output [1] holds positions along their `dim` of their first argument (validate/outputs.py Selection)
SELECTING = {"topk": -1, "sort": -1}


def selections(call, captured: Captured) -> dict:
    """Output leaves that are a topk's or a sort's indices, by path: compared by the original scores they pick."""
    found = {}
    for path, node in call.outputs:
        if not (isinstance(node, fx.Node) and node.target is operator.getitem and node.args[1] == 1):
            continue
        op = node.args[0]
        name = getattr(getattr(op, "target", None), "overloadpacket", None)
        default = SELECTING.get(getattr(name, "__name__", ""))
        scores = captured.values.get(op.args[0]) if default is not None else None
        if isinstance(scores, torch.Tensor) and scores.is_floating_point():
            dim = arguments(op).get("dim", default)
            found[path] = Selection(scores.float(), dim % scores.dim())
    return found


def _keyword_names(function) -> set[str]:
    code = function.__code__
    return set(code.co_varnames[code.co_argcount : code.co_argcount + code.co_kwonlyargcount])


def _check(call, kind, function, parameters, captured: Captured, device) -> ModuleCheck:
    threshold = MODEL_PCC if call.path == "" else MODULE_PCC
    try:
        result, ops = run(call, kind, function, parameters, captured, device)
        returned = by_leaf(returned_paths(call), result)
        forms = dict(zip(returned_paths(call), kind.output_forms))
        actual = {path: as_torch(value, forms.get(path, "tile")).float() for path, value in returned.items()}
    except Exception as exc:  # a generated function that fails is a failed check, reported with its error
        line = _generated_line(function.__globals__.get("__lines__", []), exc, function.__code__.co_filename)
        error = f"{type(exc).__name__}: {exc}{line}"
        return ModuleCheck(call.path, kind.name, 0.0, float("inf"), threshold, 0, error)
    expected = [(path, tensor.to(torch.float32)) for path, tensor in tensor_leaves(call.record.output)]
    check = check_outputs(expected, actual, Limits("TTNN", min_pcc=threshold), selections(call, captured))
    return ModuleCheck(
        call.path,
        kind.name,
        check.pcc,
        check.max_abs_error,
        threshold,
        ops,
        problems=check.problems,
        nonfinite=check.differing_nonfinite,
    )
