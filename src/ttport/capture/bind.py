"""Match each module call's boundary nodes to its real forward arguments and outputs, by value."""

from __future__ import annotations

import inspect

import torch
from torch import fx

from .identity import source
from .parametrized import parametrized_names
from .record import CallRecord, same_value, tensor_leaves
from .sizes import missing_sizes, spells
from .tree import ModuleCall


def is_symbolic(node: fx.Node) -> bool:
    value = node.meta.get("val")
    return isinstance(value, (torch.SymInt, torch.SymFloat, torch.SymBool, int, float, bool))


def external_inputs(call: ModuleCall) -> list[fx.Node]:
    """Tensor nodes computed outside the call and read inside it, in first-use order; parameters of other
    modules count (DeBERTa's layers take the encoder's `rel_embeddings.weight` as an argument)."""
    inside = set(call.nodes)
    owned = _owned(call)
    seen: dict[fx.Node, None] = {}
    for node in call.nodes:
        for arg in node.all_input_nodes:
            if arg in inside or is_symbolic(arg) or (arg.op == "get_attr" and owned(arg)):
                continue
            seen.setdefault(arg, None)
    return list(seen)


def _owned(call: ModuleCall):
    """Whether a get_attr node reads a tensor of this call's module (under any of its names), or a constant."""
    root = call
    while root.parent is not None:
        root = root.parent
    mine = {id(t) for t in call.module.parameters()} | {id(t) for t in call.module.buffers()}
    prefix = f"{call.path}." if call.path else ""
    computed = {prefix + name for name in parametrized_names(call.module)}  # weight_norm's weight: new each read

    def owned(node: fx.Node) -> bool:
        if str(node.target) in computed:
            return True
        value = root.module
        for part in str(node.target).split("."):
            value = getattr(value, part, None)
        return not isinstance(value, torch.Tensor) or id(value) in mine

    return owned


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
    Where several arguments hold equal values (Canine's local attention passes two equal slices as `from_tensor`
    and `to_tensor`), each node takes the first such argument no other node has taken.
    """
    leaves = argument_leaves(call.record)
    spare = iter(_unset_parameters(call))
    call.inputs, call.traced = [], {}
    for node in external_inputs(call):
        matches = [expr for expr, tensor in leaves if same_value(values.get(node), tensor)]
        taken = {expr for expr, _ in call.inputs}
        match = next((expr for expr in matches if expr not in taken), matches[0] if matches else None)
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


def bind_size_inputs(call: ModuleCall, values: dict, order: dict[fx.Node, int]) -> None:
    """Arguments read only for their shape become inputs when the call's ops need a size nothing else it reads
    has: BART's positional embedding takes `input_ids` for its length, and export spells that length through
    the root's `attention_mask`. The argument's node must be one the caller holds (its input or computed before)."""
    missing = missing_sizes(call.nodes, [n for _, n in call.inputs])
    if not missing:
        return
    owner = call.parent
    while owner.parent is not None and owner.inline:
        owner = owner.parent
    start = order[call.nodes[0]] if call.nodes else len(order)
    visible = [n for _, n in owner.inputs] + [n for n in owner.nodes if order[n] < start]
    bound = {expr for expr, _ in call.inputs}
    for expr, tensor in argument_leaves(call.record):
        node = None if expr in bound else next((n for n in visible if _supplies(n, tensor, values, missing)), None)
        if node is not None:
            call.inputs.append((expr, node))
            missing = missing_sizes(call.nodes, [n for _, n in call.inputs])
            if not missing:
                return


def _supplies(node: fx.Node, tensor, values: dict, missing: list) -> bool:
    value = values.get(node)
    return (
        isinstance(value, torch.Tensor)
        and value.shape == tensor.shape
        and spells(node, missing)
        and same_value(value, tensor)
    )


def bind(root: ModuleCall, records: dict[int, list[CallRecord]], values: dict, graph: fx.Graph) -> None:
    """Bind every function-emitted call (parents first); a call that cannot be bound is emitted inline in its
    parent."""
    order = {node: i for i, node in enumerate(graph.nodes)}
    for call in root.walk():
        if call is root or call.inline:
            continue
        calls = records.get(id(call.module)) or []
        call.record = calls[call.index] if call.index < len(calls) else None
        if call.record is None or not bind_inputs(call, values) or not bind_outputs(call, values):
            call.inline = True
            continue
        bind_size_inputs(call, values, order)
