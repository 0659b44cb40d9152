"""A call of a child module's TTNN function inside its parent's: arguments in the forms the child takes,
configuration keywords passed through, outputs in the forms the child returns."""

from __future__ import annotations

import re

from ..codegen.body import output_name
from ..codegen.builder import parameter_expression
from ..codegen.naming import targets
from ..codegen.statements import Call
from ..codegen.structure import rebuild
from .errors import LoweringError
from .steps import Step


def child_call_steps(lowering, item) -> list[Step]:
    """The call, after the call of the child's prepare function when it has one (lower/prepare.py)."""
    child = item.call
    port = lowering.ports[child.key]
    reads, groups = [], {}
    for expr, node in child.inputs:
        base, suffix = expr.split("[", 1)[0], expr[len(expr.split("[", 1)[0]) :]
        key = (lowering.resolve(node), lowering.leaf_form(port, expr))
        reads.append(key)
        groups.setdefault(base, []).append((suffix, key))
    keywords = _keywords(lowering, port)
    relative = child.relative_path(lowering.call)
    parameters = parameter_expression(relative) if port.uses_parameters else None
    lowering.builder.uses_parameters |= port.uses_parameters
    where = f"{lowering.where()}, the call of {child.path} ({child.cls.__name__})"
    steps = []
    if port.prepare_name:
        steps.append(_prepare_step(lowering, child, port, groups, where))
        groups.update(
            {name: [("", key)] for (name, _), key in zip(port.prepared, steps[0].outputs[-len(port.prepared) :])}
        )
        reads = [key for name in port.params for _, key in groups[name]]
    returned = [(path, lowering.resolve(node)) for path, node in child.outputs if node is not None]
    outputs = [(node, form) for (_, node), form in zip(returned, port.output_forms)]
    # an input the child hands back unchanged (T5's position_bias) keeps its name here: the call's target is `_`
    outputs = [(PassedThrough(key[0]), key[1]) if key in reads else key for key in outputs]
    wanted = targets(item.code)
    names = {}
    for index, (key, (path, _)) in enumerate(zip(outputs, returned)):
        name = output_name(wanted, path, child, len(returned))
        names[key] = port.output_names[index] if name == "_" else name
    fresh = dict(zip(outputs, port.output_fresh))
    call = Call(relative, port.kind, [], [f"{k}={v}" for k, v in keywords], parameters)

    def render() -> str:
        call.args = [_argument(lowering, groups[name], name, where, child) for name in port.params]
        extra = [f"parameters={parameters}"] if parameters else []
        extra += ["device=device"] if port.takes_device else []
        return f"{port.kind}({', '.join(call.args + extra + call.keywords)})"

    lowering.child_kinds.append(port.kind)
    return steps + [
        Step(outputs, reads, render, call=call, names=names, unpack=len(outputs) > 1, fresh=fresh, call_key=child.key)
    ]


def _prepare_step(lowering, child, port, groups: dict, where: str) -> Step:
    """`_, position_ids = prepare_<kind>_inputs(input_ids, parameters=..., device=device)`: the arguments the
    child's function takes; those it takes unchanged are `_` (the caller passes its own)."""
    kept = [name for name in port.params if name not in dict(port.prepared)]
    outputs = [(Prepared(child, name), "host") for name in kept]
    outputs += [(Prepared(child, name), form) for name, form in port.prepared]
    reads = [key for name in port.prepare_params for _, key in groups[name]]
    relative = child.relative_path(lowering.call)
    keywords = [f"parameters={parameter_expression(relative)}"] if _takes_parameters(port) else []
    lowering.builder.uses_parameters |= bool(keywords)

    def render() -> str:
        arguments = [_argument(lowering, groups[name], name, where, child) for name in port.prepare_params]
        return f"{port.prepare_name}({', '.join(arguments + keywords + ['device=device'])})"

    fresh = {key: key[0].name not in kept for key in outputs}
    names = {key: key[0].name for key in outputs}
    return Step(outputs, reads, render, names=names, unpack=True, fresh=fresh, device_ops=("ttnn.from_torch",))


def _takes_parameters(port) -> bool:
    header = next(line for line in port.preparation.splitlines() if line.startswith("def "))
    return re.search(r"\bparameters\b", header) is not None


class Prepared:
    """An argument a child's prepare function returns: a value of the caller's with no fx node of its own."""

    op = "prepared"

    def __init__(self, call, name: str):
        self.call, self.name = call, name
        self.meta: dict = {}
        self.all_input_nodes: list = []

    def __repr__(self) -> str:
        return f"<{self.name} prepared for {self.call.path}>"


class PassedThrough:
    """A child's output that is one of its inputs: the caller already holds it, the call's target is `_`."""

    op = "passed_through"

    def __init__(self, node):
        self.node = node
        self.meta: dict = {}
        self.all_input_nodes: list = []

    def __repr__(self) -> str:
        return f"<{self.node} passed through>"


def _keywords(lowering, port) -> list[tuple[str, str]]:
    """The child's configuration keywords: passed through by name when this function takes the same value."""
    found = []
    for name, value in port.kwargs.items():
        if lowering.builder.kwargs.get(name, value) == value:
            lowering.builder.kwargs[name] = value
            found.append((name, name))
        else:
            found.append((name, repr(value)))
    return found


def _argument(lowering, parts, name: str, where: str, child) -> str:
    """The argument from the tensors the child reads in it, shaped like the real forward's (codegen/structure.py)."""
    texts = [(p, lowering.name_of(key)) for p, key in parts]
    text = rebuild(texts, child.record.arguments.get(name) if child.record else None)
    if text is None:
        read = ", ".join(f"{name}{p}" for p, _ in parts)
        raise LoweringError(
            f"{where}: cannot pass argument {name!r} to the child's TTNN function: it reads {read}, which do not fit "
            "the tensor, tuple, list or dict the model passed; pass the tensors as separate arguments in the model"
        )
    return text
