"""What every function builder of one model shares: attribute paths, sizes' names, configs, kinds so far."""

from __future__ import annotations

import torch
from torch import fx

from ..capture import Captured
from ..capture.parametrized import parametrized_names
from ..capture.tree import ModuleCall, is_builtin
from .expr import literal

MAX_CONSTANT = 64  # elements of a lifted constant written inline as torch.tensor([...])


class Context:
    def __init__(self, captured: Captured):
        self.captured = captured
        self.model = captured.model
        self.function_names: set[str] = set()
        self.imports: set[str] = set()  # modules that register custom ops the generated code calls
        self.aliases = _aliases(self.model)
        self.modules = dict(self.model.named_modules(remove_duplicate=False))
        self.symbol_names = _symbol_names(captured.graph_module.graph)

    def config_of(self, module: torch.nn.Module):
        return getattr(module, "config", None) or getattr(self.model, "config", None)

    def relative_attribute(self, target: str, owner_path: str) -> str | None:
        """`target`'s name under the owner (tied weights have several names: the read's own name if it is under the
        owner, else the first one that is; capture/tied.py names each read after the module reading it)."""
        prefix = f"{owner_path}." if owner_path else ""
        names = self.aliases.get(target, [target])
        for name in sorted(names, key=lambda name: name != target):
            if name.startswith(prefix) and name in self.aliases:
                return name[len(prefix) :]
        return None

    def is_linear_weight(self, owner_path: str, relative: str) -> bool:
        full = f"{owner_path}.{relative}" if owner_path else relative
        module_path, _, attribute = full.rpartition(".")
        return attribute == "weight" and isinstance(self.modules.get(module_path), torch.nn.Linear)

    def is_builtin_path(self, path: str) -> bool:
        module = self.modules.get(path.split("@")[0])
        return module is not None and is_builtin(module)

    def constant(self, node: fx.Node) -> str:
        value = _fetch(self.captured.graph_module, node.target)
        if not isinstance(value, torch.Tensor) or value.numel() > MAX_CONSTANT:
            raise ValueError(f"constant {node.target} is not a small tensor; cannot write it inline")
        return f"torch.tensor({value.tolist()!r}, dtype={literal(value.dtype)})"

    def depth(self, node: fx.Node, owner: ModuleCall) -> int:
        """Index of the owner's forward among the model's own frames in the node's stack trace."""
        paths = [
            path.split("@")[0]
            for path, _ in (node.meta.get("nn_module_stack") or {}).values()
            if not path.startswith("_") and not self.is_builtin_path(path)
        ]
        if not paths or paths[0] != "":
            paths.insert(0, "")
        return paths.index(owner.path) if owner.path in paths else len(paths) - 1

    def list_lengths(self, owner: ModuleCall) -> dict[str, int]:
        lengths = {}
        for path, module in owner.module.named_modules():
            if isinstance(module, torch.nn.ModuleList) and path:
                lengths[path] = len(module)
        return lengths


def _aliases(model: torch.nn.Module) -> dict[str, list[str]]:
    by_id: dict[int, list[str]] = {}
    named = list(model.named_parameters(remove_duplicate=False)) + list(model.named_buffers(remove_duplicate=False))
    for name, tensor in named:
        by_id.setdefault(id(tensor), []).append(name)
    aliases = {name: by_id[id(tensor)] for name, tensor in named}
    aliases.update({name: [name] for name in parametrized_names(model)})  # computed: weight_norm conv.weight
    return aliases


def _fetch(module, target: str):
    value = module
    for part in target.split("."):
        value = getattr(value, part)
    return value


def _symbol_names(graph: fx.Graph) -> dict:
    """Each dynamic dimension of the inputs -> batch_size, sequence_length, ... (by input and position)."""
    names, used = {}, set()
    for node in graph.nodes:
        value = node.meta.get("val")
        if node.op != "placeholder" or not isinstance(value, torch.Tensor):
            continue
        for dim, size in enumerate(value.shape):
            if not isinstance(size, torch.SymInt) or size.node.expr in names or not size.node.expr.is_Symbol:
                continue
            prefix = "decoder_" if str(node.target).startswith("decoder_") else ""
            wanted = {0: "batch_size", 1: f"{prefix}sequence_length"}.get(dim, f"{node.target}_size_{dim}")
            name = wanted if wanted not in used else f"{node.target}_size_{dim}"
            names[size.node.expr] = name
            used.add(name)
    return names
