"""What a fusion rule matches and produces, and the graph questions rules ask."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from torch import fx

from ..graph import arguments, op_name


@dataclass(eq=False)
class Match:
    """Nodes a fusion replaces; at `anchor` (its last-needed position) it emits `steps(lowering)`."""

    fusion: str
    anchor: fx.Node
    nodes: set
    steps: Callable


class Synthetic:
    """A value a fusion creates that no graph node computes (the fused QKV projection)."""

    def __init__(self, name: str):
        self.name = name
        self.meta: dict = {}
        self.all_input_nodes: list = []
        self.op = "synthetic"

    def __repr__(self) -> str:
        return f"<{self.name}>"


def op(node) -> str:
    return op_name(node) if isinstance(node, fx.Node) and node.op == "call_function" else ""


def only_user(lowering, node: fx.Node) -> fx.Node | None:
    """The one op of this function reading `node`, if exactly one does and the function does not return it."""
    users = lowering.users.get(node, [])
    if len(users) != 1 or users[0].node is None or node in lowering.outputs:
        return None
    return users[0].node


def source(lowering, node: fx.Node, name: str = "self"):
    """An argument of `node`, read through identities and no-op aliases."""
    value = arguments(node).get(name)
    return lowering.resolve(value) if isinstance(value, fx.Node) else value


def on_device(lowering, node) -> bool:
    return isinstance(node, fx.Node) and lowering.form.get(node) == "tile"
