"""Ops that pass their first argument through unchanged in an eval-mode functional reference."""

from __future__ import annotations

import torch
from torch import fx

MAX_INDEX = 9223372036854775807
# Identity in eval mode or in functional code (aliasing, memory layout, dropout).
PASSTHROUGH = {
    "dropout",
    "feature_dropout",
    "alpha_dropout",
    "contiguous",
    "clone",
    "alias",
    "detach",
    "lift_fresh_copy",
}


def op_name(node: fx.Node) -> str:
    target = node.target
    if hasattr(target, "overloadpacket"):
        return target.overloadpacket.__name__
    return getattr(target, "__name__", str(target))


def is_identity(node: fx.Node) -> bool:
    """dropout(x), x[:], x + 0, x.to(its own dtype): values a reference reads straight through."""
    if node.op != "call_function" or not node.args or not isinstance(node.args[0], fx.Node):
        return False
    name, args = op_name(node), node.args
    if name in PASSTHROUGH:
        return True
    if name == "slice":
        start = args[2] if len(args) > 2 else None
        end = args[3] if len(args) > 3 else None
        step = args[4] if len(args) > 4 else 1
        return start in (None, 0) and end in (None, MAX_INDEX) and step == 1
    if name in ("add", "sub") and len(args) == 2 and not isinstance(args[1], fx.Node) and args[1] == 0:
        return _same_dtype(node)
    return name in ("to", "_to_copy", "type_as") and _same_dtype(node)


def _same_dtype(node: fx.Node) -> bool:
    before, after = node.args[0].meta.get("val"), node.meta.get("val")
    return isinstance(before, torch.Tensor) and isinstance(after, torch.Tensor) and before.dtype == after.dtype


def source(node: fx.Node) -> fx.Node:
    """The node an identity chain reads from."""
    while is_identity(node):
        node = node.args[0]
    return node


def view_base(node: fx.Node) -> fx.Node:
    """The tensor a chain of views reads (x[:, 1:], x.view(...)): an in-place write to a view changes it.
    A view's schema returns an alias of its first argument that the op does not write."""
    while node.op == "call_function" and node.args and isinstance(node.args[0], fx.Node):
        schema = getattr(node.target, "_schema", None)
        if schema is None or not schema.returns or not schema.arguments:
            break
        out, first = schema.returns[0].alias_info, schema.arguments[0].alias_info
        if out is None or first is None or first.is_write or out.before_set != first.before_set:
            break
        node = node.args[0]
    return node
