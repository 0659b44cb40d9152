"""State a forward mutates: parameters, buffers, inputs or number attributes written during the call.

A port is a pure function of its inputs and parameters, so a forward that updates state (a step counter, a running
statistic, an input written in place) cannot be proven by comparing outputs: both sides would `return None`, or
compare values the state update makes stale. It is refused, naming the state and the module.

Two detectors, one per way state changes: `watch` around the eager forward (tensor version counters and
identities of every parameter and buffer, number attributes of every module), and `check_program` on the exported
graph (torch.export's signature lists buffers/parameters/user inputs to mutate; torch 2.13's graph can instead keep
the in-place op, so a write to a placeholder is looked for too).
"""

from __future__ import annotations

import contextlib
import re

import torch

from .errors import CaptureError

_NUMBERS = (int, float)  # exact types: bools (`training`) are flags, not state a forward counts in


class StateMutationError(CaptureError):
    construct = "a forward that mutates state"
    advice = (
        "a port is a pure function of its inputs and parameters: move the update out of forward (or return the new "
        "value as an output and pass it back in as an input)."
    )

    def _message(self) -> str:
        return f"cannot port {self.module}: {self.construct}: {self.summary}. Try: {self.advice_text}"


@contextlib.contextmanager
def watch(model: torch.nn.Module, inputs: dict | None = None):
    """Raise StateMutationError after the block if it changed a parameter, buffer, number attribute or input."""
    before = _snapshot(model, inputs or {})
    yield
    after = _snapshot(model, inputs or {})
    changed = [name for name in before.keys() | after.keys() if before.get(name) != after.get(name)]
    if changed:
        raise StateMutationError(_model_name(model), "the eager forward changed " + ", ".join(sorted(set(changed))))


def _snapshot(model: torch.nn.Module, inputs: dict) -> dict[str, tuple]:
    state = {f"input `{name}`": (value._version,) for name, value in inputs.items() if isinstance(value, torch.Tensor)}
    for prefix, module in model.named_modules(remove_duplicate=False):
        owner = _owner(model, prefix)
        for name, tensor in [*module.named_parameters(recurse=False), *module.named_buffers(recurse=False)]:
            kind = "parameter" if isinstance(tensor, torch.nn.Parameter) else "buffer"
            state[f"{kind} `{name}` of {owner}"] = (id(tensor), getattr(tensor, "_version", 0))
        for name, value in vars(module).items():
            if type(value) in _NUMBERS and not name.startswith("_"):
                state[f"attribute `{name}` of {owner}"] = (value,)
    return state


def check_program(program: torch.export.ExportedProgram, model: torch.nn.Module) -> None:
    """Raise StateMutationError if the exported forward writes a parameter, buffer or user input."""
    signature = program.graph_signature
    written = [*signature.buffers_to_mutate.values(), *signature.user_inputs_to_mutate.values()]
    written += list(getattr(signature, "parameters_to_mutate", {}).values())
    found = [_describe_target(model, name, "") for name in written]
    found += _inplace_writes(program, model)
    if found:
        raise StateMutationError(_model_name(model), "its forward writes " + "; ".join(dict.fromkeys(found)))


def _inplace_writes(program, model) -> list[str]:
    """Calls of in-place/out ops whose written argument is a placeholder (a parameter, buffer or user input)."""
    signature = program.graph_signature
    names = {**signature.inputs_to_parameters, **signature.inputs_to_buffers}
    found = []
    for node in program.graph.nodes:
        schema = getattr(node.target, "_schema", None)
        if node.op != "call_function" or schema is None or not schema.is_mutable:
            continue
        for argument, value in zip(schema.arguments, node.args):
            written = argument.alias_info is not None and argument.alias_info.is_write
            if written and isinstance(value, torch.fx.Node) and value.op == "placeholder" and not noop_write(node):
                where = _source_line(node)
                target = names.get(value.name)
                if target is None:
                    found.append(f"input `{value.name}` in place with {node.target}{where}")
                else:
                    found.append(_describe_target(model, target, f" in place with {node.target}{where}"))
    return found


# Ops that give back their first argument's values: a copy of one into its source changes nothing.
_SAME_VALUES = {"to", "_to_copy", "alias", "detach", "clone", "contiguous"}


def noop_write(node: torch.fx.Node) -> bool:
    """`buffer.copy_(buffer.to(...))` at the buffer's own dtype: CTRL's `self.pos_encoding =
    self.pos_encoding.to(device=..., dtype=...)`, which export records as a write of the buffer into itself."""
    if node.target is not torch.ops.aten.copy_.default:
        return False
    target, source = node.args[0], node.args[1]
    while isinstance(source, torch.fx.Node) and source is not target:
        packet = getattr(source.target, "overloadpacket", None)
        if source.op != "call_function" or getattr(packet, "__name__", "") not in _SAME_VALUES or not source.args:
            return False
        source = source.args[0]
    return source is target and _dtype(node.args[1]) == _dtype(target)


def _dtype(node: torch.fx.Node):
    value = node.meta.get("val")
    return getattr(value, "dtype", None)


def drop_noop_writes(graph_module: torch.fx.GraphModule) -> None:
    """Take the no-op writes (noop_write) out of the graph the port is generated from: readers of the write's
    result read the buffer itself."""
    writes = [n for n in graph_module.graph.nodes if n.op == "call_function" and noop_write(n)]
    for node in writes:
        target, source = node.args[0], node.args[1]
        node.replace_all_uses_with(target)
        graph_module.graph.erase_node(node)
        while source is not target and not source.users:  # the cast chain the write read, now unread
            graph_module.graph.erase_node(source)
            source = source.args[0]
    if writes:
        graph_module.recompile()


def _describe_target(model: torch.nn.Module, qualified: str, how: str) -> str:
    path, _, name = qualified.rpartition(".")
    try:
        module = model.get_submodule(path)
    except AttributeError:
        return f"`{qualified}`{how}"
    kind = "parameter" if isinstance(getattr(module, name, None), torch.nn.Parameter) else "buffer"
    return f"{kind} `{name}` of {_owner(model, path)}{how}"


def _owner(model: torch.nn.Module, path: str) -> str:
    module = model.get_submodule(path)
    return f"{path or '<root>'} ({type(module).__name__})"


def _model_name(model: torch.nn.Module) -> str:
    return f"{type(model).__name__} (the model)"


def _source_line(node) -> str:
    """` (at file.py:12: code)` from the node's stack trace, or ""."""
    trace = (node.meta.get("stack_trace") or "").strip().splitlines()
    files = [i for i, line in enumerate(trace) if re.match(r'\s*File "', line)]
    if not files:
        return ""
    match = re.match(r'\s*File "([^"]+)", line (\d+)', trace[files[-1]])
    code = trace[files[-1] + 1].strip() if files[-1] + 1 < len(trace) else ""
    return f" (at {match[1].rsplit('/', 1)[-1]}:{match[2]}: {code})" if match else ""
