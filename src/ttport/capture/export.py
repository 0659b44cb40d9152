"""torch.export on a user's model: Hugging Face preparation, dynamic batch/sequence dims, typed errors."""

from __future__ import annotations

import contextlib
import io
import logging
import traceback

import torch
from torch.export import Dim

from .errors import (
    CaptureError,
    DataDependentControlFlowError,
    DynamicShapeError,
    UnsupportedInputError,
    UnsupportedOperatorError,
)

# (substring of the export error, error type): the first match classifies the failure.
_CLASSIFY = [
    ("data-dependent", DataDependentControlFlowError),
    ("GuardOnDataDependentSymNode", DataDependentControlFlowError),
    ("Could not guard on", DataDependentControlFlowError),
    ("Could not extract specialized integer", DataDependentControlFlowError),
    ("Constraints violated", DynamicShapeError),
    ("not a supported input type", UnsupportedInputError),
    ("Unsupported input type", UnsupportedInputError),
    ("pytree", UnsupportedInputError),
]

_LEAF_TYPES = (torch.Tensor, int, float, bool, str, type(None))


def prepare(model: torch.nn.Module) -> torch.nn.Module:
    """Eval mode; Hugging Face caches off (they return cache objects export cannot trace through)."""
    model.eval()
    config = getattr(model, "config", None)
    if config is not None and hasattr(config, "use_cache"):
        config.use_cache = False
    return model


def check_inputs(kwargs: dict, model_name: str) -> None:
    for name, value in kwargs.items():
        bad = _first_unsupported(value)
        if bad is not None:
            raise UnsupportedInputError(
                model_name,
                f"argument {name!r} holds a {type(bad).__module__}.{type(bad).__qualname__}, which torch.export "
                "cannot flatten into tensors",
            )


def _first_unsupported(value):
    if isinstance(value, _LEAF_TYPES):
        return None
    if isinstance(value, (tuple, list)):
        return next((b for b in map(_first_unsupported, value) if b is not None), None)
    if isinstance(value, dict):
        return next((b for b in map(_first_unsupported, value.values()) if b is not None), None)
    return value


def auto_dynamic_shapes(kwargs: dict) -> dict:
    """Dim.AUTO on batch (dim 0) and, for rank <= 3, sequence (dim 1): export keeps what the model allows."""
    shapes = {}
    for name, value in kwargs.items():
        if isinstance(value, torch.Tensor) and value.dim() >= 1:
            dims = (0, 1) if value.dim() in (2, 3) else (0,)
            shapes[name] = {d: Dim.AUTO for d in dims}
        else:
            shapes[name] = None
    return shapes


def export(model: torch.nn.Module, kwargs: dict, dynamic_shapes=None, dynamic: bool = True):
    """torch.export.export(strict=False) with typed errors; falls back to static shapes if dynamic ones fail."""
    name = type(model).__name__
    check_inputs(kwargs, name)
    attempts = []
    if dynamic_shapes is not None:
        attempts.append(dynamic_shapes)
    elif dynamic:
        attempts.append(auto_dynamic_shapes(kwargs))
    attempts.append(None)
    error = None
    for shapes in attempts:
        try:
            with torch.no_grad(), _quiet():
                return torch.export.export(model, (), kwargs, dynamic_shapes=shapes, strict=False)
        except Exception as exc:  # export raises many types; all are translated below
            error = exc
    raise translate(error, model) from None


@contextlib.contextmanager
def _quiet():
    """Keep export's own chatter (graph dumps on stderr, symbolic-shape warnings) off the user's terminal: a
    failure is reported once, as a CaptureError, and a success needs no commentary."""
    logger = logging.getLogger("torch.fx.experimental.symbolic_shapes")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        logger.setLevel(level)


def translate(exc: BaseException, model: torch.nn.Module) -> CaptureError:
    text = f"{type(exc).__name__}: {exc}"
    kind = next((cls for needle, cls in _CLASSIFY if needle in text), UnsupportedOperatorError)
    where = _module_in_traceback(exc, model)
    return kind(where, _summary(exc))


def _summary(exc: BaseException) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    keep = [
        line for line in lines if not line.lstrip().startswith(("File ", "For more information", "(Refer", "User "))
    ]
    return f"{type(exc).__name__}: " + " ".join(keep[:4])


def _module_in_traceback(exc: BaseException, model: torch.nn.Module) -> str:
    """The innermost model submodule whose forward is on the failing stack, with the source line."""
    paths = {id(module): path for path, module in model.named_modules()}
    found = f"{type(model).__name__} (the model)"
    chain, seen = [], set()
    while exc is not None and id(exc) not in seen:  # re-raised errors keep the model frames in their causes
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    frames = [frame for error in reversed(chain) for frame in traceback.walk_tb(error.__traceback__)]
    for frame, lineno in frames:
        owner = frame.f_locals.get("self")
        if isinstance(owner, torch.nn.Module) and id(owner) in paths:
            path = paths[id(owner)] or "<root>"
            line = _line(frame, lineno)
            found = f"{path} ({type(owner).__name__}), at `{line}`" if line else f"{path} ({type(owner).__name__})"
    return found


def _line(frame, lineno: int) -> str:
    import linecache

    return linecache.getline(frame.f_code.co_filename, lineno).strip()
