"""Match each module call's boundary nodes to its real forward arguments and outputs, by value."""

from __future__ import annotations

import inspect

import torch
from torch import fx

from .identity import source
from .record import CallRecord, same_value, tensor_leaves
from .tree import ModuleCall


def is_symbolic(node: fx.Node) -> bool:
    value = node.meta.get("val")
    return isinstance(value, (torch.SymInt, torch.SymFloat, torch.SymBool, int, float, bool))


def external_inputs(call: ModuleCall) -> list[fx.Node]:
    """Tensor nodes computed outside the call and read inside it, in first-use order."""
    inside = set(call.nodes)
    seen: dict[fx.Node, None] = {}
    for node in call.nodes:
        for arg in node.all_input_nodes:
            if arg not in inside and arg.op != "get_attr" and not is_symbolic(arg):
                seen.setdefault(arg, None)
    return list(seen)


def used_outside(call: ModuleCall) -> list[fx.Node]:
    inside = set(call.nodes)
    return [
        node
        for node in call.nodes
        if not is_symbolic(node) and source(node) in inside and any(user not in inside for user in node.users)
    ]


def argument_leaves(record: CallRecord) -> list[tuple[str, object]]:
    """(expression, tensor) for every tensor reachable from the call's arguments."""
    leaves = []
    for name, value in record.arguments.items():
        for path, tensor in tensor_leaves(value):
            leaves.append((name + "".join(f"[{step!r}]" for step in path), tensor))
    return leaves


def bind_inputs(call: ModuleCall, values: dict) -> bool:
    """Each tensor read from outside -> the argument holding that value.

    A tensor the traced graph builds where the eager forward passed None (Hugging Face builds an all-zero mask
    only when tracing) is bound, in signature order, to a parameter that was None or left at its default.
    """
    leaves = argument_leaves(call.record)
    spare = iter(_unset_parameters(call))
    call.inputs, call.traced = [], {}
    for node in external_inputs(call):
        match = next((expr for expr, tensor in leaves if same_value(values.get(node), tensor)), None)
        if match is None:
            match = next(spare, None)
            if match is None:
                return False
            call.traced[match] = node
        call.inputs.append((match, node))
    return True


def _unset_parameters(call: ModuleCall) -> list[str]:
    parameters = inspect.signature(call.module.forward).parameters.values()
    return [
        p.name
        for p in parameters
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and call.record.arguments.get(p.name) is None
    ]


def bind_outputs(call: ModuleCall, values: dict) -> bool:
    """Each real output tensor -> the node computing it; every node the parent reads must be among them."""
    inside = list(call.nodes)
    outside = used_outside(call)
    candidates = outside + [n for n in reversed(inside) if n not in outside] + [n for _, n in call.inputs]
    call.outputs = []
    for path, tensor in tensor_leaves(call.record.output):
        node = next((n for n in candidates if same_value(values.get(n), tensor)), None)
        call.outputs.append((path, node))
    returned = {node for _, node in call.outputs}
    return all(node in returned for node in outside)


def bind(root: ModuleCall, records: dict[int, list[CallRecord]], values: dict) -> None:
    """Bind every function-emitted call; a call that cannot be bound is emitted inline in its parent."""
    for call in root.walk():
        if call is root or call.inline:
            continue
        calls = records.get(id(call.module)) or []
        call.record = calls[call.index] if call.index < len(calls) else None
        if call.record is None or not bind_inputs(call, values) or not bind_outputs(call, values):
            call.inline = True
