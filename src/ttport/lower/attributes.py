"""Tensor attributes read as values: a module's own Parameter or a child's `.weight` passed to a child call
(YolosEmbeddings -> its interpolation, DebertaEncoder -> every layer), or read both by torch code on host and by
device ops. Such a tensor becomes a value of the function, defined once from the parameter tree, in the form its
readers need: prepared as a bfloat16 TILE device tensor when a device op or a child's device input reads it (host
code then reads it back with ttnn.to_torch), kept on host when only host code reads it.

A tensor a rule reads in a weight slot with its own preparation (a linear weight, an embedding table) stays read
there as `parameters.<name>`; it is not a value (ttnn.linear wants it transposed, a child would not)."""

from __future__ import annotations

from torch import fx

from ..codegen.naming import snake
from .errors import LoweringError
from .graph import arguments
from .rules import RULES
from .steps import DEVICE_FORMS, Step


def place_attributes(lowering) -> bool:
    """Choose which tensor attributes are values and their forms (lowering.attributes, lowering.form); True when
    one is on device (the items are then placed again: an op reading it there is a device op or a fallback)."""
    for node, readers in _readers(lowering).items():
        form = _form(lowering, node, readers)
        if form is not None:
            lowering.attributes[node] = form
            lowering.form[node] = form
    return any(form in DEVICE_FORMS for form in lowering.attributes.values())


def attribute_steps(lowering) -> list[Step]:
    """One step per value attribute: `name = parameters.<relative>` (not a fresh buffer: never deallocated)."""
    return [_step(lowering, node, form) for node, form in lowering.attributes.items()]


def _readers(lowering) -> dict[fx.Node, list]:
    """Each tensor attribute -> what reads it: ("call", form) for a child call, (argument, node) for an op."""
    found: dict[fx.Node, list] = {}
    for item in lowering.items:
        if item.call is not None:
            port = lowering.ports[item.call.key]
            for expr, node in item.call.inputs:
                node = lowering.resolve(node)
                if lowering.is_parameter(node):
                    found.setdefault(node, []).append(("call", lowering.leaf_form(port, expr)))
            continue
        for argument, value in arguments(item.node).items():
            for one in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(one, fx.Node) and lowering.is_parameter(lowering.resolve(one)):
                    found.setdefault(lowering.resolve(one), []).append((argument, item.node))
    return found


def _form(lowering, node: fx.Node, readers: list) -> str | None:
    """The form of the value, or None when the attribute is read as `parameters.<name>` where it is used."""
    calls = {form for kind, form in readers if kind == "call"}
    host = any(kind != "call" and lowering.form.get(user) == "host" for kind, user in readers)
    device = [(kind, user) for kind, user in readers if kind != "call" and lowering.form.get(user) in DEVICE_FORMS]
    prepared = [(kind, user) for kind, user in device if _preparation(user, kind) != "tile"]
    if not calls and not (host and device):
        return None
    if prepared:
        kind, user = prepared[0]
        raise LoweringError(
            f"{lowering.where()}: {node.target} is read as a {_preparation(user, kind)} by {user.name} and also "
            f"{'passed to a child module' if calls else 'by torch code on host'}; one tensor has one preparation "
            "(read a copy of it in the model, e.g. `self.weight.clone()`, where it is not a weight)"
        )
    wants_device = bool(device) or "tile" in calls
    relative = lowering.context.relative_attribute(node.target, lowering.call.path)
    return "tile" if wants_device and relative is not None else "host"  # a captured constant is host torch


def _preparation(user: fx.Node, argument: str) -> str:
    rule = RULES.get(user.target.overloadpacket.__name__) if hasattr(user.target, "overloadpacket") else None
    return rule.weights.get(argument, "tile") if rule is not None else "tile"


def _step(lowering, node: fx.Node, form: str) -> Step:
    key = (node, form)
    relative = lowering.context.relative_attribute(node.target, lowering.call.path)

    def render() -> str:
        if form == "host":  # torch code's own reading (a Linear weight in its original layout, a small constant)
            return lowering.builder.attribute(node)
        return lowering.parameter_text(node, "tile")

    return Step([key], [], render, names={key: snake(relative or node.name)}, fresh={key: False})
