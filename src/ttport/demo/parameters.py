"""Parameter trees for the seed blocks: torch tensors for the functional twins, ttnn tensors for the TTNN code."""

from __future__ import annotations

import torch


class Parameters(dict):
    """A dict whose keys read as attributes: parameters.attention.self.query.weight."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no parameter {name!r}; have {sorted(self)}") from None


def torch_parameters(module: torch.nn.Module) -> Parameters:
    """The module's parameters in its own layout (the seed's twins transpose Linear weights themselves)."""
    tree = Parameters({name: p.detach() for name, p in module.named_parameters(recurse=False)})
    for name, child in module.named_children():
        tree[name] = torch_parameters(child)
    return tree


def ttnn_parameters(module: torch.nn.Module, device):
    """ttnn.model_preprocessing's default conversion (Linear weights (in, out), (1, N) biases), on `device`."""
    from ttnn.model_preprocessing import preprocess_model_parameters

    return preprocess_model_parameters(initialize_model=lambda: module, device=device)
