"""The module call tree of an exported graph, from each node's nn_module_stack."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import fx

# torch.nn building blocks are emitted inline in their parent's function (a Linear is one line, not a function).
_CONTAINERS = (torch.nn.ModuleList, torch.nn.ModuleDict)


@dataclass(eq=False)  # identity: calls are tree nodes and dict keys
class ModuleCall:
    """One call of one module instance: its graph nodes, its children, and (after binding) its inputs/outputs."""

    key: str  # nn_module_stack key; distinct per call
    path: str  # attribute path from the root, "" for the root
    module: torch.nn.Module
    index: int  # which call of this module object (0 for the first)
    parent: ModuleCall | None = None
    children: list[ModuleCall] = field(default_factory=list)
    nodes: list[fx.Node] = field(default_factory=list)  # every node in this call, children's included
    inline: bool = False  # emitted in the parent's function instead of its own
    inputs: list[tuple[str, fx.Node]] = field(default_factory=list)  # (argument expression, node)
    outputs: list[tuple[tuple, fx.Node | None]] = field(default_factory=list)  # (leaf path in the output, node)
    record: object = None  # the real forward's (arguments, output) for this call
    traced: dict = field(default_factory=dict)  # argument name -> graph node, where the eager call passed None

    @property
    def cls(self) -> type:
        return type(self.module)

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1] if self.path else ""

    def relative_path(self, owner: ModuleCall) -> str:
        return self.path[len(owner.path) + 1 :] if owner.path else self.path

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def is_builtin(module: torch.nn.Module) -> bool:
    return type(module).__module__.startswith("torch.nn.")


def build_tree(graph: fx.Graph, model: torch.nn.Module) -> ModuleCall:
    """ModuleCall tree: a node belongs to every call in its nn_module_stack."""
    root = ModuleCall(key="", path="", module=model, index=0)
    calls: dict[str, ModuleCall] = {}
    counts: dict[int, int] = {}
    for node in graph.nodes:
        stack = node.meta.get("nn_module_stack") or {}
        parent = root
        for key, (path, _cls) in stack.items():
            path = _clean(path)
            if path == "" or path.startswith("_"):  # the root, or export's own hooks
                continue
            call = calls.get(key)
            if call is None:
                module = model.get_submodule(path)
                index = counts.get(id(module), 0)
                counts[id(module)] = index + 1
                call = calls[key] = ModuleCall(key, path, module, index, parent=parent)
                parent.children.append(call)
            call.nodes.append(node)
            parent = call
        if node.op == "call_function":
            root.nodes.append(node)
    for call in root.walk():
        call.inline = call is not root and (is_builtin(call.module) or isinstance(call.module, _CONTAINERS))
    return root


def _clean(path: str) -> str:
    # export spells the root "" and repeated calls "path@1"
    return path.split("@")[0]
