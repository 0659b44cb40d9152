"""lower(): every module call of a captured model -> its TTNN function, grouped by the reference's kinds."""

from __future__ import annotations

import re

from ..capture import Captured
from ..capture.tree import ModuleCall
from ..codegen.canonical import canonical
from ..codegen.context import Context
from ..codegen.format import format_source
from ..ported import KindPort, LoweredModel
from ..reference.generate import Generated
from .errors import WHAT_TO_DO, LoweringError
from .function import LoweredCall, lower_call
from .memory_plan import MemoryPlan, model_inputs
from .parameters import WEIGHTS_DTYPES, parameters_source
from .preprocessors import gather, plan_preprocessors

# Kind name fragment -> the tt/ file it goes to (first match).
GROUPS = (
    ("embed", "embeddings"),
    ("attention", "attention"),
    ("attn", "attention"),
    ("mlp", "feedforward"),
    ("intermediate", "feedforward"),
    ("feed_forward", "feedforward"),
    ("activation", "feedforward"),
    ("output", "feedforward"),
    ("norm", "normalization"),
)


def lower(captured: Captured, generated: Generated, *, weights: str = "bf16") -> LoweredModel:
    """The captured model as TTNN functions, one per module kind, with their parameter preprocessing.

    >>> lowered = lower(captured, generate(captured, "minilm"))
    >>> print(lowered.kind("bert_self_attention").source)
    """
    if weights not in WEIGHTS_DTYPES:
        raise ValueError(f"weights must be one of {sorted(WEIGHTS_DTYPES)}, got {weights!r}")
    ports = _lower_calls(captured, generated, l1=False)
    plan = MemoryPlan(model_inputs(captured.inputs), ports[captured.root.key].peak_bytes)
    if plan.l1:
        ports = _lower_calls(captured, generated, l1=True)
    try:
        return _model(captured, generated, ports, weights, plan)
    except LoweringError:
        raise
    except Exception as exc:  # assembling kinds and parameters.py: name the stage rather than a bare KeyError
        raise LoweringError(
            f"{generated.model_name}: cannot assemble the lowered kinds and their parameter preprocessing: "
            f"{type(exc).__name__}: {exc}. {WHAT_TO_DO}"
        ) from exc


def _lower_calls(captured: Captured, generated: Generated, *, l1: bool) -> dict[str, LoweredCall]:
    context = Context(captured)
    context.function_names = {kind.name for kind in generated.kinds}
    ports: dict[str, LoweredCall] = {}
    variants: dict[str, list[tuple[str, str]]] = {}  # reference kind -> (canonical code, TTNN function name)
    for call in _post_order(captured.root):
        kind = generated.by_call.get(call.key)
        if kind is None:
            raise LoweringError(
                f"{call.path or '<root>'} ({call.cls.__name__}): the functional reference has no function for this "
                "module call; regenerate the reference from the same capture (ttport.reference.generate)"
            )
        port = lower_call(call, context, ports, kind.name, l1=l1)
        ports[call.key] = _as_variant(port, variants.setdefault(kind.name, []), context)
    return ports


def _as_variant(port: LoweredCall, known: list[tuple[str, str]], context: Context) -> LoweredCall:
    """Instances of one kind share its TTNN function when their code is equal up to local names; an instance
    whose code really differs (a fusion applies to it only, shapes that change the memory plan) gets a variant,
    `<kind>_2`, which its caller's code calls by name (callers are lowered after their callees)."""
    code = canonical(port.text)
    name = next((variant for text, variant in known if text == code), None)
    if name is None:
        name = port.kind if not known else _unused(port.kind, context.function_names)
        known.append((code, name))
        context.function_names.add(name)
    if name != port.kind:
        port.text = re.sub(rf"^def {re.escape(port.kind)}\(", f"def {name}(", port.text, count=1, flags=re.M)
        port.kind = name
    return port


def _unused(base: str, taken: set[str]) -> str:
    n = 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


def _post_order(call: ModuleCall):
    for child in call.children:
        yield from _post_order(child)
    if not call.inline:
        yield call


def _model(captured, generated, ports: dict[str, LoweredCall], weights: str, plan: MemoryPlan) -> LoweredModel:
    preparations, fused, convs = gather(ports.values())
    planned = plan_preprocessors(captured.model, preparations, fused)
    source, preprocessors = parameters_source(planned, weights, convs)
    kinds = []
    for kind, calls in _variants(generated, ports):
        first = ports[calls[0].key]
        instances = {call.path: dict(ports[call.key].kwargs) for call in calls}
        fallbacks = list(dict.fromkeys(f for call in calls for f in ports[call.key].fallbacks))
        kinds.append(
            KindPort(
                name=first.kind,
                group="model" if kind is generated.top else _group(kind.name),
                source=format_source(_source(first, plan, kind is generated.top)),
                inputs=first.inputs,
                preprocessor=preprocessors.get(kind.cls.__name__, ""),
                calls=first.calls,
                fallbacks=fallbacks,
                config=dict(first.kwargs),
                instances=instances,
                keys=[call.key for call in calls],
                prepare_inputs=bool(first.preparation),
                prepare_name=first.prepare_name,
                output_forms=first.output_forms,
            )
        )
    _untangle_groups(kinds)
    lowered = LoweredModel(generated.model_name, kinds, generated.source, format_source(source), weights)
    lowered.memory_plan = plan.statement()
    return lowered


def _variants(generated: Generated, ports: dict[str, LoweredCall]):
    """(reference kind, its calls) per TTNN function, variants right after their kind (callees before callers)."""
    for kind in generated.kinds:
        groups: dict[str, list[ModuleCall]] = {}
        for call in kind.calls:
            groups.setdefault(ports[call.key].kind, []).append(call)
        yield from ((kind, calls) for calls in groups.values())


def _untangle_groups(kinds: list[KindPort]) -> None:
    """Groups are tt/ files, which import the kinds they call: a kind no name fragment places (GPT-2's conv1_d)
    joins its first caller's file, and files that would still import each other are merged into the model's."""
    callers = {}
    for kind in kinds:
        for callee in kind.calls:
            callers.setdefault(callee, []).append(kind)
    for kind in reversed(kinds):  # callers before callees
        if kind.group == "model" and kind is not kinds[-1] and callers.get(kind.name):
            kind.group = callers[kind.name][0].group
    while cycle := _group_cycle(kinds):
        for kind in kinds:
            if kind.group in cycle:
                kind.group = "model"


def _group_cycle(kinds: list[KindPort]) -> set[str]:
    """The groups of one import cycle between tt/ files, or an empty set."""
    group_of = {kind.name: kind.group for kind in kinds}
    edges: dict[str, set[str]] = {}
    for kind in kinds:
        edges.setdefault(kind.group, set()).update(group_of[c] for c in kind.calls if group_of[c] != kind.group)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(n == goal or (n not in seen and reaches(n, goal, seen | {n})) for n in edges.get(start, ()))

    for group, targets in edges.items():
        for target in targets:
            if reaches(target, group, {target}):
                return {group, target}
    return set()


def _source(port: LoweredCall, plan: MemoryPlan, top: bool) -> str:
    """prepare_inputs (the top function's, if any), the memory note, the function."""
    preparation = port.preparation + "\n\n" if port.preparation else ""
    return preparation + _memory_note(port, plan, top) + port.text


def _memory_note(port: LoweredCall, plan: MemoryPlan, top: bool) -> str:
    """One line on where this function's activations live and the shapes that was planned for."""
    return plan.note(port.peak_bytes, top) if port.peak_bytes else ""


def _group(name: str) -> str:
    return next((group for fragment, group in GROUPS if fragment in name), "model")
