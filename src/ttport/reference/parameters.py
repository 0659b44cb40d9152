"""The parameter tree generated references take: preprocess_model_parameters(convert_to_ttnn=False) + buffers."""

from __future__ import annotations

import torch

from ..capture.parametrized import PARAMETRIZATIONS, parametrized_tensors
from ..emu.model_preprocessing import ParameterDict, ParameterList, preprocess_model_parameters


def reference_parameters(model: torch.nn.Module) -> ParameterDict:
    """Torch parameters as ttnn's model_preprocessing arranges them (Linear weights transposed), buffers added.

    >>> parameters = reference_parameters(model)
    >>> parameters.encoder.layer[0].attention.self.query.weight.shape  # (in, out)
    """
    parameters = preprocess_model_parameters(initialize_model=lambda: model, convert_to_ttnn=lambda *_: False)
    for name, buffer in model.named_buffers():
        _place(parameters, name, buffer)
    for name, parameter in model.named_parameters():  # tensors ttnn's walk skips (a ModuleList subclass's own)
        if not _present(parameters, name) and f"{PARAMETRIZATIONS}." not in name:
            _place(parameters, name, parameter)
    for name, tensor in parametrized_tensors(model).items():  # weight_norm's conv.weight, as the graph reads it
        if not _present(parameters, name):  # a parametrized Linear's weight is there already, transposed
            _place(parameters, name, tensor)
    return parameters


def _place(parameters, name: str, tensor) -> None:
    *path, leaf = name.split(".")
    node = parameters
    for part, following in zip(path, path[1:] + [leaf]):
        node = _child(node, part, named=not following.isdigit())
    node[leaf] = tensor


def _present(parameters, name: str) -> bool:
    try:
        subtree(parameters, name)
    except (KeyError, IndexError, AttributeError, TypeError):
        return False
    return True


def _child(node, part: str, named: bool):
    """node[part], created if missing; a list whose module holds tensors by name (a ModuleList subclass with
    tensors of its own) becomes a dict keeping its positions as int keys."""
    key = int(part) if part.isdigit() else part
    value = node[key] if isinstance(node, ParameterList) else node.get(key)
    if value is None or (named and isinstance(value, ParameterList)):
        value = ParameterDict(enumerate(value or []))
        node[key] = value
    return value


def subtree(parameters, path: str):
    """parameters at a module path: subtree(p, "encoder.layer.0") is p.encoder.layer[0]."""
    node = parameters
    for part in path.split(".") if path else []:
        node = node[int(part)] if part.isdigit() else node[part]
    return node
