"""Values of a real forward: every module call's arguments and output (hooks), every graph node's value."""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass

import torch
from torch import fx


@dataclass
class CallRecord:
    arguments: dict  # forward parameter name -> value, as called
    output: object


def record_calls(model: torch.nn.Module, kwargs: dict, modules: list[torch.nn.Module]) -> dict[int, list[CallRecord]]:
    """Run the model once; for each listed module object, the records of its calls in order."""
    records: dict[int, list[CallRecord]] = {id(m): [] for m in modules}
    snapshot = _Snapshot()
    handles = [m.register_forward_hook(_hook(m, records[id(m)], snapshot), with_kwargs=True) for m in set(modules)]
    try:
        with torch.no_grad():
            model(**kwargs)
    finally:
        for handle in handles:
            handle.remove()
    return records


class _Snapshot:
    """Tensors as they were when a module returned: the model may update them in place afterwards (Falcon's
    `mlp_output += attention_output`). One copy per tensor version, however many calls see it."""

    def __init__(self):
        self.copies: dict[int, tuple[torch.Tensor, int, torch.Tensor]] = {}

    def __call__(self, value):
        if isinstance(value, torch.Tensor):
            kept = self.copies.get(id(value))
            if kept is None or kept[0] is not value or kept[1] != value._version:
                kept = self.copies[id(value)] = (value, value._version, value.detach().clone())
            return kept[2]
        if isinstance(value, (tuple, list)) and type(value) in (tuple, list):
            return type(value)(self(v) for v in value)
        if isinstance(value, dict):
            copied = copy.copy(value)  # ModelOutput keeps its class; its fields are replaced
            for key, item in value.items():
                copied[key] = self(item)
            return copied
        return value


def _hook(module, sink: list, snapshot: _Snapshot):
    signature = inspect.signature(module.forward)

    def hook(_module, args, kwargs, output):
        try:
            bound = signature.bind(*args, **kwargs)
            arguments = dict(bound.arguments)
        except TypeError:
            arguments = {f"arg{i}": a for i, a in enumerate(args)} | kwargs
        for name, parameter in signature.parameters.items():
            if parameter.kind is inspect.Parameter.VAR_KEYWORD and name in arguments:
                arguments.update(arguments.pop(name))
        sink.append(CallRecord({name: snapshot(value) for name, value in arguments.items()}, snapshot(output)))

    return hook


def node_values(graph_module: fx.GraphModule, flat_inputs: list) -> dict[fx.Node, object]:
    """Every node's value when the exported graph runs on the example inputs."""
    values: dict[fx.Node, object] = {}
    by_storage: dict[int, list[fx.Node]] = {}

    class Recorder(fx.Interpreter):
        def run_node(self, node):
            for target in written(node):  # keep what earlier nodes computed, as an in-place op overwrites it
                for other in by_storage.pop(_storage(values.get(target)), []):
                    values[other] = values[other].clone()
            result = super().run_node(node)
            values[node] = result
            if isinstance(result, torch.Tensor):
                by_storage.setdefault(_storage(result), []).append(node)
            return result

    with torch.no_grad():
        Recorder(graph_module).run(*flat_inputs)
    return values


def written(node: fx.Node) -> list[fx.Node]:
    """The arguments an op writes in place (x.add_(y), index_put_), from its schema's alias annotations."""
    schema = getattr(node.target, "_schema", None)
    if node.op != "call_function" or schema is None:
        return []
    return [
        arg
        for arg, argument in zip(node.args, schema.arguments)
        if isinstance(arg, fx.Node) and argument.alias_info is not None and argument.alias_info.is_write
    ]


def _storage(value) -> int:
    return value.untyped_storage().data_ptr() if isinstance(value, torch.Tensor) and value.numel() else -1


def tensor_leaves(value, prefix: tuple = ()) -> list[tuple[tuple, torch.Tensor]]:
    """(path, tensor) for every tensor in a nested output; a path step is an int index or a str key."""
    if isinstance(value, torch.Tensor):
        return [(prefix, value)]
    if isinstance(value, (tuple, list)):
        return [leaf for i, v in enumerate(value) for leaf in tensor_leaves(v, prefix + (i,))]
    if isinstance(value, dict):  # ModelOutput is an OrderedDict of the fields that are set
        return [leaf for k, v in value.items() for leaf in tensor_leaves(v, prefix + (k,))]
    return []


def same_value(a, b) -> bool:
    if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
        return False
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.is_floating_point():
        return bool(torch.allclose(a, b, rtol=1e-6, atol=1e-6, equal_nan=True))
    return bool(torch.equal(a, b))
