"""A call of a child module's TTNN function inside its parent's: arguments in the forms the child takes,
configuration keywords passed through, outputs in the forms the child returns."""

from __future__ import annotations

import re

from ..codegen.body import output_name
from ..codegen.builder import parameter_expression
from ..codegen.naming import targets
from ..codegen.statements import Call
from .errors import LoweringError
from .steps import Step

_INDEX = re.compile(r"\[(\d+)\]")
_KEY = re.compile(r"\[(['\"])(\w+)\1\]")


def child_call_step(lowering, item) -> Step:
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
        where = f"{lowering.where()}, the call of {child.path} ({child.cls.__name__})"
        call.args = [_argument(lowering, groups[name], name, where) for name in port.params]
        extra = [f"parameters={parameters}"] if parameters else []
        extra += ["device=device"] if port.takes_device else []
        return f"{port.kind}({', '.join(call.args + extra + call.keywords)})"

    lowering.child_kinds.append(port.kind)
    return Step(
        outputs, reads, render, call=call, names=names, unpack=len(outputs) > 1, fresh=fresh, call_key=child.key
    )


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


def _argument(lowering, parts, name: str, where: str) -> str:
    """The argument from the tensors the child reads in it: a tensor, a flat tuple, or a flat dict of tensors."""
    if len(parts) == 1 and parts[0][0] == "":
        return lowering.name_of(parts[0][1])
    if all(_INDEX.fullmatch(p) for p, _ in parts):
        values = {int(p[1:-1]): lowering.name_of(key) for p, key in parts}
        if sorted(values) == list(range(len(values))):
            return "(" + ", ".join(values[i] for i in range(len(values))) + ("," if len(values) == 1 else "") + ")"
    if all(_KEY.fullmatch(p) for p, _ in parts):
        return "{" + ", ".join(f"{_KEY.fullmatch(p)[2]!r}: {lowering.name_of(key)}" for p, key in parts) + "}"
    read = ", ".join(f"{name}{p}" for p, _ in parts)
    raise LoweringError(
        f"{where}: cannot pass argument {name!r} to the child's TTNN function: it reads {read}, and only a tensor, "
        "a flat tuple or a flat dict of tensors can be rebuilt; pass the tensors as separate arguments in the model"
    )
