"""Values of a real forward: every module call's arguments and output (hooks), every graph node's value."""

from __future__ import annotations

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
    handles = [m.register_forward_hook(_hook(m, records[id(m)]), with_kwargs=True) for m in set(modules)]
    try:
        with torch.no_grad():
            model(**kwargs)
    finally:
        for handle in handles:
            handle.remove()
    return records


def _hook(module, sink: list):
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
        sink.append(CallRecord(arguments, output))

    return hook


def node_values(graph_module: fx.GraphModule, flat_inputs: list) -> dict[fx.Node, object]:
    """Every node's value when the exported graph runs on the example inputs."""
    values: dict[fx.Node, object] = {}

    class Recorder(fx.Interpreter):
        def run_node(self, node):
            result = super().run_node(node)
            values[node] = result
            return result

    with torch.no_grad():
        Recorder(graph_module).run(*flat_inputs)
    return values


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
