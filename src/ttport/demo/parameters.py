"""Parameter trees for the seed blocks: torch tensors for the functional twins, ttnn tensors for the TTNN code.

A stop-gap until ttnn.model_preprocessing lands in the emulator; it follows that contract (DESIGN.md §4): Linear
weights transposed to (in, out), biases and LayerNorm parameters reshaped to (1, N), all TILE bfloat16.
"""

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
    """The module's parameters as a tree of (detached) torch tensors, in the module's own layout."""
    tree = Parameters({name: p.detach() for name, p in module.named_parameters(recurse=False)})
    for name, child in module.named_children():
        tree[name] = torch_parameters(child)
    return tree


def ttnn_parameters(module: torch.nn.Module, device, dtype=None) -> Parameters:
    """The module's Linear and LayerNorm parameters as device tensors laid out the way ttnn ops take them."""
    import ttnn

    dtype = dtype or ttnn.bfloat16
    tree = Parameters()
    if isinstance(module, torch.nn.Linear):
        tree["weight"] = ttnn.from_torch(
            module.weight.detach().T.contiguous(), dtype=dtype, layout=ttnn.TILE_LAYOUT, device=device
        )
    elif isinstance(module, torch.nn.LayerNorm):
        tree["weight"] = ttnn.from_torch(
            module.weight.detach().reshape(1, -1), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device
        )
    if isinstance(module, (torch.nn.Linear, torch.nn.LayerNorm)) and module.bias is not None:
        tree["bias"] = ttnn.from_torch(
            module.bias.detach().reshape(1, -1), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device
        )
    for name, child in module.named_children():
        tree[name] = ttnn_parameters(child, device, dtype)
    return tree
