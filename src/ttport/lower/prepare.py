"""The model's input preparation: torch code in the top-level function that reads only the model's host inputs
(Hugging Face's additive mask built from attention_mask, ...) and ends on the device moves to a generated
`prepare_inputs(<model inputs>, *, device)`, which returns the top-level function's arguments. The forward then
runs no host torch for it and can be traced, as tt-metal's ports prepare inputs once beside the model
(models/demos/bert/tt/ttnn_optimized_bert.py and models/demos/distilbert/tt/ttnn_optimized_distilbert.py:
preprocess_inputs(input_ids, ..., attention_mask, device) -> device tensors the model function takes)."""

from __future__ import annotations

import re

from .steps import DEVICE_FORMS

PREPARE_INPUTS = "prepare_inputs"


def hoisted(lowering, plan) -> list[int]:
    """Indices of the steps prepare_inputs runs: host torch and uploads reading only host inputs or each other,
    no parameter and no configuration value, whose results the rest reads only on the device."""
    chosen: dict[int, object] = {}
    made: dict = {}  # output key -> index of the step that makes it
    host_inputs = {key for key in lowering.input_keys if key[1] == "host"}
    for index, step in enumerate(lowering.steps):
        if step.call is not None or (step.device_ops and step.device_ops != ("ttnn.from_torch",)):
            continue
        if not all(key in host_inputs or key in made for key in step.reads):
            continue
        text = _text(lowering, step)
        if "parameters." in text or any(re.search(rf"\b{re.escape(k)}\b", text) for k in lowering.builder.kwargs):
            continue
        chosen[index] = step
        made.update({key: index for key in step.outputs})
    return _exported_on_device(lowering, plan, chosen, made)


def _exported_on_device(lowering, plan, chosen: dict, made: dict) -> list[int]:
    """Drop chosen steps whose result the rest (or the return) reads in host form, until none is left."""
    while True:
        kept = [i for i in chosen]
        host_exports = [key for key in exports(lowering, kept) if key[1] not in DEVICE_FORMS]
        if not host_exports:
            return kept if exports(lowering, kept) else []
        for key in host_exports:
            chosen.pop(made[key], None)


def exports(lowering, kept: list[int]) -> list:
    """Output keys of the kept steps that a step outside them, or the function's return, reads (in step order)."""
    inside = set(kept)
    produced = {key for i in kept for key in lowering.steps[i].outputs}
    read = [key for i, step in enumerate(lowering.steps) if i not in inside for key in step.reads]
    read += list(lowering.output_keys)
    return list(dict.fromkeys(key for key in read if key in produced))


def rename_exports(lowering, moved: list[int]) -> None:
    """Each prepared value takes, in the forward, the name of the host value it was made from when free there."""
    outside = {lowering.names[key] for i, step in enumerate(lowering.steps) if i not in moved for key in step.outputs}
    outside |= {name.split("[", 1)[0] for name in lowering.inputs.values()}
    for key in exports(lowering, moved):
        base = re.sub(r"_(device|ids)$", "", lowering.names[key])
        if base not in outside:
            lowering.names[key] = base
            outside.add(base)


def _text(lowering, step) -> str:
    lowering.builder.current = {node: lowering.names[(node, form)] for node, form in step.reads}
    return step.render()


def function_text(params: list[str], statements: list, prelude: list, returned: list[str]) -> str:
    """def prepare_inputs(<model inputs>, *, device): ... return <the top-level function's arguments>."""
    lines = [
        "# the model's inputs as the function below takes them: host torch run once per batch, outside the forward",
        f"def {PREPARE_INPUTS}({', '.join(params + ['*', 'device'])}):",
    ]
    for statement in prelude + statements:
        lines += statement.lines()
    lines.append(f"    return {', '.join(returned)}{',' if len(returned) == 1 else ''}")
    return "\n".join(lines) + "\n"
