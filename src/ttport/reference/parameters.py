"""The parameter tree generated references take: preprocess_model_parameters(convert_to_ttnn=False) + buffers."""

from __future__ import annotations

import torch

from ..emu.model_preprocessing import ParameterDict, ParameterList, preprocess_model_parameters


def reference_parameters(model: torch.nn.Module) -> ParameterDict:
    """Torch parameters as ttnn's model_preprocessing arranges them (Linear weights transposed), buffers added.

    >>> parameters = reference_parameters(model)
    >>> parameters.encoder.layer[0].attention.self.query.weight.shape  # (in, out)
    """
    parameters = preprocess_model_parameters(initialize_model=lambda: model, convert_to_ttnn=lambda *_: False)
    for name, buffer in model.named_buffers():
        *path, leaf = name.split(".")
        node = parameters
        for part in path:
            node = _child(node, part)
        node[leaf] = buffer
    return parameters


def _child(node, part: str):
    if isinstance(node, ParameterList):
        return node[int(part)]
    key = int(part) if part.isdigit() else part
    if key not in node:
        node[key] = ParameterDict()
    return node[key]


def subtree(parameters, path: str):
    """parameters at a module path: subtree(p, "encoder.layer.0") is p.encoder.layer[0]."""
    node = parameters
    for part in path.split(".") if path else []:
        node = node[int(part)] if part.isdigit() else node[part]
    return node
