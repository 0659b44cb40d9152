"""Parametrized tensors (torch.nn.utils.parametrize: weight_norm, spectral_norm, orthogonal, ...) as plain tensors
while the model is exported.

`module.weight` of a parametrized module is a property that computes the tensor from
`module.parametrizations.weight.original*` on every read. Exported as is, the graph reads the originals and recomputes
the weight inside the forward, so the port would walk `parametrizations` and redo the parametrization's math on every
call. A port prepares weights once: during export each parametrized tensor is the computed value, registered under
its own name (`conv.weight`), so the graph's get_attr reads `conv.weight` and the generated preprocessor reads
`model.weight` (computed once, by torch, from whatever parametrization the module has). The model is restored after.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch.nn.utils import parametrize

PARAMETRIZATIONS = "parametrizations"  # the child module parametrize adds (a ModuleDict of ParametrizationLists)


@contextlib.contextmanager
def computed_parametrizations(model: torch.nn.Module) -> Iterator[None]:
    """Inside the block every parametrized tensor of `model` is a plain parameter (or buffer) holding its value."""
    swapped = []
    try:
        for module in [m for m in model.modules() if parametrize.is_parametrized(m)]:
            swapped.append(_plain(module))
        yield
    finally:
        for module, cls, parametrizations in reversed(swapped):
            _restore(module, cls, parametrizations)


def _plain(module: torch.nn.Module) -> tuple[torch.nn.Module, type, torch.nn.ModuleDict]:
    """Swap the parametrized class for the original one and register each computed tensor under its name."""
    cls = type(module)
    parametrizations = getattr(module, PARAMETRIZATIONS)
    with torch.no_grad():
        values = {name: getattr(module, name).detach() for name in parametrizations}
    module.__class__ = parametrize.type_before_parametrizations(module)
    del module._modules[PARAMETRIZATIONS]
    for name, value in values.items():
        if _is_parameter(parametrizations[name]):
            module._parameters[name] = torch.nn.Parameter(value, requires_grad=False)
        else:
            module._buffers[name] = value
    return module, cls, parametrizations


def _restore(module: torch.nn.Module, cls: type, parametrizations: torch.nn.ModuleDict) -> None:
    for name in parametrizations:
        module._parameters.pop(name, None)
        module._buffers.pop(name, None)
    module._modules[PARAMETRIZATIONS] = parametrizations
    module.__class__ = cls


def _is_parameter(parametrization: torch.nn.Module) -> bool:
    """A parametrized parameter stays a parameter; a parametrized buffer stays a buffer (as remove_parametrizations
    would leave it)."""
    return any(isinstance(t, torch.nn.Parameter) for t in parametrization.parameters(recurse=False))


def parametrized_names(model: torch.nn.Module) -> list[str]:
    """Full names (`encoder.conv.weight`) of the parametrized tensors: names the exported graph reads that
    `named_parameters()` of the (restored) model does not list."""
    return [
        f"{path}.{name}" if path else name
        for path, module in model.named_modules()
        if parametrize.is_parametrized(module)
        for name in getattr(module, PARAMETRIZATIONS)
    ]


def parametrized_tensors(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """Full name -> computed value of every parametrized tensor."""
    with torch.no_grad():
        return {name: _read(model, name) for name in parametrized_names(model)}


def _read(model: torch.nn.Module, name: str) -> torch.Tensor:
    path, _, attribute = name.rpartition(".")
    return getattr(model.get_submodule(path), attribute).detach()
