"""Input preparation: torch code in a function that reads only its inputs, sizes and host-held parameters (Hugging
Face's additive mask from attention_mask, RoBERTa's position ids from input_ids, BERT's position and token-type id
buffers sliced to the sequence length) and ends on the device moves to a generated prepare function beside it,
which returns the function's arguments: `prepare_inputs(<model inputs>, *, [parameters,] device)` for the model,
`prepare_<kind>_inputs(...)` for a module below it. A caller that calls such a module calls its prepare function,
and moves that call into its own preparation when it reads only the caller's inputs, so that the model's
prepare_inputs runs them all once per batch and the forward runs no host torch for them and can be traced, as
tt-metal's ports prepare inputs once beside the model (models/demos/bert/tt/ttnn_optimized_bert.py and
models/demos/distilbert/tt/ttnn_optimized_distilbert.py: preprocess_inputs(input_ids, ..., attention_mask, device)
-> device tensors the model function takes; models/demos/bert/tests/test_ttnn_optimized_bert.py computes RoBERTa's
position ids from input_ids on host before it)."""

from __future__ import annotations

import re

from .steps import DEVICE_FORMS

PREPARE_INPUTS = "prepare_inputs"


def prepare_name(kind: str, top: bool) -> str:
    return PREPARE_INPUTS if top else f"prepare_{kind}_inputs"


def hoisted(lowering, plan) -> list[int]:
    """Indices of the steps the prepare function runs: host torch, uploads and calls of host-only functions,
    reading only inputs, host parameters or each other (no configuration value), whose results the rest reads
    only on the device."""
    chosen: dict[int, object] = {}
    made: dict = {}  # output key -> index of the step that makes it
    inputs = set(lowering.input_keys)
    for index, step in enumerate(lowering.steps):
        if not _runs_on_host(lowering, step) or _device_attribute(lowering, step):
            continue
        if not all(key in inputs or key in made for key in step.reads):
            continue
        text = _text(lowering, step)
        if any(re.search(rf"\b{re.escape(k)}\b", text) for k in lowering.builder.kwargs):
            continue
        chosen[index] = step
        made.update({key: index for key in step.outputs})
    return _exported_on_device(lowering, plan, chosen, made)


def _device_attribute(lowering, step) -> bool:
    """A parameter the function reads as a device value (lower/attributes.py): already prepared, nothing to hoist."""
    return any(node in lowering.attributes and form in DEVICE_FORMS for node, form in step.outputs)


def _runs_on_host(lowering, step) -> bool:
    """Host torch, an upload, or a call of a function that runs only host torch (ModernBERT's rotary cos/sin)."""
    if step.call is not None:
        return _host_only(lowering.ports, lowering.ports[step.call_key])
    return not step.device_ops or step.device_ops == ("ttnn.from_torch",)


def _host_only(ports: dict, port) -> bool:
    """A function that takes, runs and returns only host torch (the functions it calls too)."""
    if port.takes_device or any(spec.kind != "host" for spec in port.inputs) or set(port.output_forms) - {"host"}:
        return False
    return all(not s.device_ops and (not s.call_key or _host_only(ports, ports[s.call_key])) for s in port.steps)


def _exported_on_device(lowering, plan, chosen: dict, made: dict) -> list[int]:
    """Drop chosen steps whose result the rest (or the return) reads in host form, until none is left."""
    while True:
        kept = [i for i in chosen]
        host_exports = [key for key in exports(lowering, kept) if key[1] not in DEVICE_FORMS]
        if not host_exports:
            return kept if exports(lowering, kept) else []
        for key in host_exports:
            chosen.pop(made[key], None)
        _drop_orphans(lowering, chosen)


def _drop_orphans(lowering, chosen: dict) -> None:
    """Drop chosen steps that read a value no longer made by a chosen step (nor an input), transitively: a step
    whose producer stays in the forward stays there too (Qwen2-MoE's sort[1] after its sort)."""
    inputs = set(lowering.input_keys)
    while True:
        made = {key for i in chosen for key in lowering.steps[i].outputs}
        orphans = [i for i in chosen if not all(key in inputs or key in made for key in lowering.steps[i].reads)]
        if not orphans:
            return
        for index in orphans:
            chosen.pop(index)


def exports(lowering, kept: list[int]) -> list:
    """Output keys of the kept steps that a step outside them, or the function's return, reads (in step order)."""
    inside = set(kept)
    produced = {key for i in kept for key in lowering.steps[i].outputs}
    read = [key for i, step in enumerate(lowering.steps) if i not in inside for key in step.reads]
    read += list(lowering.output_keys)
    return list(dict.fromkeys(key for key in read if key in produced))


def separate_exports(lowering, moved: list[int]) -> None:
    """Inside the prepare function every export lives until its return, but names were given by liveness in the
    forward's order, where an upload may die before the next is made and lend it its name (two gather indices both
    "add_ids"): an export whose name another moved step also defines gets a fresh one."""
    defined = [lowering.names[key] for i in moved for key in lowering.steps[i].outputs]
    taken = set(lowering.names.values())
    for key in exports(lowering, moved):
        name = lowering.names[key]
        if defined.count(name) > 1:
            fresh = next(f"{name}_{n}" for n in range(2, len(taken) + 3) if f"{name}_{n}" not in taken)
            lowering.names[key] = fresh
            taken.add(fresh)
            defined.remove(name)


def rename_exports(lowering, moved: list[int]) -> None:
    """Each prepared upload takes, in the forward, the name of the host value it was made from when free there
    (never an input's name: the forward may still read that input). Names were given by liveness before the move,
    so a moved value's name may be reused by a value the forward makes later; as an argument it is live from the
    start, so such a name is replaced by a free one."""
    outside = {lowering.names[key] for i, step in enumerate(lowering.steps) if i not in moved for key in step.outputs}
    outside |= {name.split("[", 1)[0] for name in lowering.inputs.values()}
    suffixes = {key: step.suffix for step in lowering.steps for key in step.outputs if step.suffix}
    for key in exports(lowering, moved):
        suffix = suffixes.get(key)
        base = lowering.names[key].removesuffix(f"_{suffix}") if suffix else lowering.names[key]
        name = next(n for n in _candidates(base, lowering.names[key]) if n not in outside)
        lowering.names[key] = name
        outside.add(name)


def _candidates(base: str, current: str):
    yield base
    yield current
    n = 2
    while True:
        yield f"{current}_{n}"
        n += 1


def _text(lowering, step) -> str:
    lowering.builder.current = {node: lowering.names[(node, form)] for node, form in step.reads}
    return step.render()


def function_text(name: str, params: list[str], statements: list, prelude: list, returned: list[str]) -> str:
    """def <name>(<inputs>, *, [parameters,] device): ... return <the function's arguments>."""
    body = [line for statement in prelude + statements for line in statement.lines()]
    keywords = (["parameters"] if any(re.search(r"\bparameters\b", line) for line in body) else []) + ["device"]
    whose = "the model's inputs" if name == PREPARE_INPUTS else "the inputs"
    lines = [
        f"# {whose} as the function below takes them: host torch run once per batch, outside the forward",
        f"def {name}({', '.join(params + ['*'] + keywords)}):",
        *body,
    ]
    lines.append(f"    return {', '.join(returned)}{',' if len(returned) == 1 else ''}")
    return "\n".join(lines) + "\n"
