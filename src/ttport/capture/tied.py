"""Tied tensors read under their reader's own name.

A tensor registered under several names (GPT-2's and Llama's LM head share the token embedding table:
`lm_head.weight is transformer.wte.weight`) is one parameter to torch.export, so the graph reads it through one
get_attr, under one of its names, at every use: the LM head's linear and the embedding lookup read the same node.
Each module prepares its own tensors (the table ROW_MAJOR for ttnn.embedding, the head's weight (in, out) for
ttnn.linear), as tt-metal's model ports keep a separate LM-head weight; so each read is retargeted to the name the
reading module owns the tensor by. A read no reading module owns under a name of its own keeps the graph's name.
ttnn's preprocess_model_parameters calls the preprocessor of each module by name and keeps no tensor identity
(tt-metal ttnn/ttnn/model_preprocessing.py, convert_torch_model_to_ttnn_model), so the head's and the table's
parameters are prepared separately, each by its own module's preprocessor.
"""

from __future__ import annotations

import torch
from torch import fx


def tied_names(model: torch.nn.Module) -> dict[str, list[str]]:
    """Each name of a tensor registered under several names -> all its names, in registration order."""
    by_id: dict[int, list[str]] = {}
    named = list(model.named_parameters(remove_duplicate=False)) + list(model.named_buffers(remove_duplicate=False))
    for name, tensor in named:
        by_id.setdefault(id(tensor), []).append(name)
    return {name: names for names in by_id.values() if len(names) > 1 for name in names}


def untie_reads(graph_module: fx.GraphModule, model: torch.nn.Module) -> None:
    """Retarget each read of a tied tensor to the name its reading module owns it by (see the module docstring)."""
    tied = tied_names(model)
    if not tied:
        return
    graph = graph_module.graph
    reads = {str(n.target): n for n in graph.nodes if n.op == "get_attr"}
    for node in [n for n in graph.nodes if n.op == "get_attr" and str(n.target) in tied]:
        for user in list(node.users):
            name = _reader_name(user, tied[str(node.target)])
            if name is None or name == node.target or not _resolves(graph_module, name):
                continue
            if name not in reads:
                with graph.inserting_after(node):
                    reads[name] = graph.get_attr(name)
                reads[name].meta = dict(node.meta)
            user.replace_input_with(node, reads[name])
    graph_module.recompile()


def _reader_name(user: fx.Node, names: list[str]) -> str | None:
    """The name under which the innermost module on `user`'s stack owns the tensor as its own attribute."""
    stack = [path.split("@")[0] for path, _ in (user.meta.get("nn_module_stack") or {}).values()]
    for path in reversed(stack):
        owned = [name for name in names if name.rpartition(".")[0] == path]
        if owned:
            return owned[0]
    return None


def _resolves(graph_module: fx.GraphModule, name: str) -> bool:
    value = graph_module
    for part in name.split("."):
        value = getattr(value, part, None)
    return isinstance(value, torch.Tensor)
