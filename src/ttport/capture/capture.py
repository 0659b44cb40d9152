"""capture(): export a model, rebuild its module call tree, record a real forward, bind each call's boundary."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import fx
from torch.utils import _pytree as pytree

from .bind import bind
from .export import export, prepare
from .parametrized import computed_parametrizations
from .record import node_values, record_calls, same_value, tensor_leaves
from .state import check_program, drop_noop_writes
from .tied import untie_reads
from .tree import ModuleCall, build_tree


@dataclass
class Captured:
    """A captured model: the exported program, its module call tree, and the values of one real forward."""

    model: torch.nn.Module
    inputs: dict
    program: torch.export.ExportedProgram
    graph_module: fx.GraphModule
    root: ModuleCall
    values: dict  # fx.Node -> value on the example inputs
    notes: list[str] = field(default_factory=list)  # what the pipeline changed on the way (static shapes)

    def calls(self) -> list[ModuleCall]:
        """Every call emitted as its own function, root first, in call-tree order."""
        return [call for call in self.root.walk() if not call.inline]


def capture(model: torch.nn.Module, inputs: dict, *, dynamic_shapes=None, dynamic: bool = True) -> Captured:
    """Export `model(**inputs)` and describe it module by module.

    >>> captured = capture(model, {"input_ids": ids, "attention_mask": mask})
    >>> [(c.path, type(c.module).__name__) for c in captured.calls()][:2]
    [('', 'BertModel'), ('embeddings', 'BertEmbeddings')]
    """
    model = prepare(model)
    with computed_parametrizations(model):  # the graph reads conv.weight, not its parametrization's originals
        program = export(model, inputs, dynamic_shapes=dynamic_shapes, dynamic=dynamic)
    check_program(program, model)  # a forward that writes state cannot be proven by its outputs
    graph_module = program.module()
    drop_noop_writes(graph_module)  # `self.buffer = self.buffer.to(...)`: export writes the buffer into itself
    untie_reads(graph_module, model)  # a tied LM head reads lm_head.weight, the embedding its table
    flat, _ = pytree.tree_flatten(((), inputs))
    placeholders = [n for n in graph_module.graph.nodes if n.op == "placeholder"]
    tensors = [value for value in flat if isinstance(value, torch.Tensor)]
    values = node_values(graph_module, flat if len(flat) == len(placeholders) else tensors)
    root = build_tree(graph_module.graph, model)
    functions = [call.module for call in root.walk() if not call.inline]
    records = record_calls(model, inputs, functions)
    _bind_root(root, records, graph_module.graph, values)
    bind(root, records, values, graph_module.graph)
    return Captured(model, inputs, program, graph_module, root, values)


def _bind_root(root: ModuleCall, records, graph: fx.Graph, values) -> None:
    """The root's inputs are the graph's placeholders; its outputs the returned nodes, matched to real outputs."""
    root.record = records[id(root.module)][0]
    root.inputs = [(str(n.target), n) for n in graph.nodes if n.op == "placeholder" and n.users]
    output = next(n for n in graph.nodes if n.op == "output")
    returned = [a for a in pytree.tree_leaves(output.args) if isinstance(a, fx.Node)]
    root.outputs = [
        (path, next((n for n in returned if same_value(values.get(n), tensor)), None))
        for path, tensor in tensor_leaves(root.record.output)
    ]
