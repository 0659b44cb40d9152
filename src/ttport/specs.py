"""MODEL specs that are not built in: a local Hugging Face directory or `package.module:factory`, loaded with the
checks that keep a bad one from reaching capture (every refusal is one paragraph: what, where, what to do).

>>> model, inputs = from_factory("my_package.models:make_model")  # returns (model, example inputs)
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import json
import logging
import os
import pathlib
import sys
import traceback

import torch

# Files a checkpoint directory holds its weights in (transformers' names); without one every weight is invented.
WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)


class ModelNotFoundError(Exception):
    """MODEL cannot be turned into (model, example inputs): unknown, unloadable, or a factory that misbehaves."""


def load_directory(path: pathlib.Path) -> torch.nn.Module:
    """AutoModel from a local Hugging Face directory, refusing one that would load with invented weights."""
    path = pathlib.Path(path)
    _check_config(path)
    if not any((path / name).is_file() for name in WEIGHT_FILES) and not any(path.glob("*.safetensors")):
        raise ModelNotFoundError(
            f"{path} has no weights (none of {', '.join(WEIGHT_FILES)}): transformers would initialise every weight "
            "randomly and the port would be proven against invented weights. Save the model with save_pretrained() "
            "into that directory, or build it in a package.module:factory if random weights are what you want."
        )
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModel

    try:
        with _quiet_transformers():
            model, info = AutoModel.from_pretrained(str(path), attn_implementation="eager", output_loading_info=True)
    except Exception as exc:  # transformers and safetensors raise many types; all mean "cannot load this"
        raise ModelNotFoundError(
            f"cannot load the model in {path}: {type(exc).__name__}: {first_line(exc)}. A weights file may be "
            "truncated or corrupt, or config.json may name an architecture this transformers lacks: re-save the "
            "model with save_pretrained(), or load it yourself in a package.module:factory."
        ) from exc
    _check_loaded(path, model, info)
    return model.eval()


def listed(names: list[str], limit: int = 5) -> str:
    """The first `limit` names, comma-separated, and how many more: messages stay one paragraph."""
    more = len(names) - limit
    return ", ".join(names[:limit]) + (f" and {more} more" if more > 0 else "")


def _check_config(path: pathlib.Path) -> None:
    config = path / "config.json"
    if not config.is_file():
        raise ModelNotFoundError(
            f"{path} is not a Hugging Face model directory: it has no config.json. Give a directory written by "
            "save_pretrained(), a built-in model name, or package.module:factory."
        )
    try:
        json.loads(config.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelNotFoundError(
            f"{config} is not valid JSON ({exc}): fix the file or re-save the model with save_pretrained()."
        ) from None


def _check_loaded(path: pathlib.Path, model: torch.nn.Module, info: dict) -> None:
    invented = sorted(info.get("missing_keys") or []) + sorted(str(k) for k in info.get("mismatched_keys") or [])
    if invented:
        names = listed(invented)
        raise ModelNotFoundError(
            f"the checkpoint in {path} lacks {len(invented)} weight(s) that {type(model).__name__} reads ({names}): "
            "transformers would initialise them randomly and the port would be proven against invented weights. "
            "Use a checkpoint saved from this architecture, or build the model in a package.module:factory if "
            "random weights are what you want."
        )


@contextlib.contextmanager
def _quiet_transformers():
    """transformers' load report and progress bar: what matters in them is checked and reported here instead."""
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        hf_logging.enable_progress_bar()
        logging.getLogger("transformers").setLevel(logging.NOTSET)


def from_factory(spec: str) -> tuple[torch.nn.Module, dict]:
    """`package.module:factory` -> (model, keyword inputs); the module may sit in the current directory."""
    module_name, _, attribute = spec.partition(":")
    module = _import(module_name, spec)
    factory = getattr(module, attribute, None)
    if not callable(factory):
        found = "has no" if factory is None else "has a non-callable"
        raise ModelNotFoundError(
            f"{spec}: module {module_name} ({getattr(module, '__file__', '?')}) {found} {attribute!r}; name a "
            "function that returns (model, example_inputs)."
        )
    try:
        returned = factory()
    except Exception as exc:  # the user's code: report what it raised and where
        raise ModelNotFoundError(
            f"factory {spec} raised {type(exc).__name__}: {first_line(exc)}{_where(exc)}; fix the factory (it is "
            "called with no arguments and must return (model, example_inputs))."
        ) from exc
    return _checked(spec, returned)


def _import(module_name: str, spec: str):
    if os.getcwd() not in sys.path and "" not in sys.path:  # as `python -m` does: the current directory first
        sys.path.insert(0, os.getcwd())
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            raise ModelNotFoundError(
                f"{spec}: there is no module {module_name} (looked in the current directory {os.getcwd()} and on "
                "sys.path): run from the directory that holds it, or add that directory to PYTHONPATH."
            ) from None
        raise ModelNotFoundError(_import_failed(spec, module_name, exc)) from exc
    except Exception as exc:  # a module that fails while importing: its own error, with its line
        raise ModelNotFoundError(_import_failed(spec, module_name, exc)) from exc


def _import_failed(spec: str, module_name: str, exc: BaseException) -> str:
    return (
        f"{spec}: importing {module_name} failed with {type(exc).__name__}: {first_line(exc)}{_where(exc)}; "
        "fix that module or install what it imports."
    )


def _checked(spec: str, returned) -> tuple[torch.nn.Module, dict]:
    shape = "(model, example_inputs) with model a torch.nn.Module and example_inputs a dict of keyword arguments"
    if not (isinstance(returned, (tuple, list)) and len(returned) == 2 and isinstance(returned[0], torch.nn.Module)):
        raise ModelNotFoundError(
            f"factory {spec} must return {shape} (or a tuple of positional ones); it returned {_describe(returned)}."
        )
    model, inputs = returned
    if isinstance(inputs, dict):
        return model, inputs
    if isinstance(inputs, torch.Tensor):
        inputs = (inputs,)
    names = _forward_names(model)
    if not isinstance(inputs, (tuple, list)) or len(inputs) > len(names):
        raise ModelNotFoundError(
            f"factory {spec} must return {shape}; its example inputs are {_describe(inputs)}, which do not fit "
            f"{type(model).__name__}.forward({', '.join(names)})."
        )
    return model, dict(zip(names, inputs))


def _describe(value) -> str:
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} ({', '.join(type(v).__name__ for v in value[:4])})"
    return f"a {type(value).__name__}"


def _forward_names(model: torch.nn.Module) -> list[str]:
    parameters = inspect.signature(model.forward).parameters.values()
    return [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _where(exc: BaseException) -> str:
    """` (at file.py:12)`: the innermost frame of the traceback, where the user's code raised."""
    frames = traceback.extract_tb(exc.__traceback__)
    if isinstance(exc, SyntaxError) and exc.filename:
        return f" (at {exc.filename}:{exc.lineno})"
    return f" (at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""
