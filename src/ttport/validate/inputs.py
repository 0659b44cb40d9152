"""The example inputs through the eager model, before any capture: inputs the model rejects are reported as bad
inputs (not as an export failure with pages of fake-tensor log), a forward that mutates state is refused, and a
model that returns no tensor has nothing a port could be proven on.

>>> output = run_eager(model, {"input_ids": ids, "attention_mask": mask})
"""

from __future__ import annotations

import inspect
import linecache
import traceback

import torch

from ..capture.export import prepare
from ..capture.record import tensor_leaves
from ..capture.state import StateMutationError, watch
from ..capture.tree import is_builtin
from ..specs import first_line


class BadInputsError(Exception):
    """The model does not run on its example inputs, or returns nothing to compare."""


def run_eager(model: torch.nn.Module, inputs: dict):
    """`model(**inputs)` as capture will see it (eval, HF caches off), its output; twice if the first call
    changed state (StateMutationError if the second does too)."""
    prepare(model)
    try:
        output = _forward(model, inputs)
    except StateMutationError:
        # A forward may settle its configuration on the first call (Swin shrinks its window to the input's size):
        # state that changes again on an identical second call is state the forward updates, and is refused.
        output = _forward(model, inputs)
    if not tensor_leaves(output):
        raise BadInputsError(
            f"{type(model).__name__}.forward returns {type(output).__name__} on the example inputs, no tensor: a port "
            "is proven by comparing outputs, so the forward must return its result (a tensor, or tuples/dicts of them)."
        )
    return output


def _forward(model: torch.nn.Module, inputs: dict):
    with torch.no_grad(), watch(model, inputs):
        try:
            return model(**inputs)
        except Exception as exc:  # the user's model on the user's inputs: whatever it raises, the inputs are bad
            raise BadInputsError(_failed(model, inputs, exc)) from exc


def _failed(model: torch.nn.Module, inputs: dict, exc: BaseException) -> str:
    return (
        f"bad example inputs: {type(model).__name__}.forward fails on them with {type(exc).__name__}: "
        f"{first_line(exc)}{_where(model, exc)}. The inputs are {_describe(inputs)}; forward takes "
        f"({', '.join(inspect.signature(model.forward).parameters)}). Give inputs the model accepts (a factory "
        "returns them as its second value; for a local directory ttport makes input_ids and attention_mask)."
    )


def _describe(inputs: dict) -> str:
    parts = []
    for name, value in inputs.items():
        if isinstance(value, torch.Tensor):
            parts.append(f"{name}: {tuple(value.shape)} {str(value.dtype).removeprefix('torch.')}")
        else:
            parts.append(f"{name}: {type(value).__name__}")
    return "{" + ", ".join(parts) + "}" if parts else "none"


def _where(model: torch.nn.Module, exc: BaseException) -> str:
    """` in <path> (<Class>), at <file>:<line>: <code>`: the innermost module of the model's own code on the
    failing stack (torch.nn's building blocks are where the error surfaces, not where the inputs went wrong)."""
    paths = {id(module): path for path, module in model.named_modules()}
    found = ""
    for frame, line in traceback.walk_tb(exc.__traceback__):
        owner = frame.f_locals.get("self")
        if isinstance(owner, torch.nn.Module) and id(owner) in paths and not is_builtin(owner):
            code = (linecache.getline(frame.f_code.co_filename, line) or "").strip()
            where = f"{frame.f_code.co_filename.rsplit('/', 1)[-1]}:{line}: {code}"
            found = f" in {paths[id(owner)] or '<root>'} ({type(owner).__name__}), at {where}"
    return found
