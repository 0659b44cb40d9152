"""linear(x, W, b) then gelu / relu / silu -> ttnn.linear(x, W, bias=b, activation=...): the activation runs on
the matmul's output tile before it is written out (act(x @ W + b), one op instead of two)."""

from __future__ import annotations

from ..graph import arguments
from ..render import Render
from ..rules import RULES, _gelu_exact
from ..steps import Step
from .base import Match, only_user, op, source

ACTIVATIONS = {"gelu": "gelu", "relu": "relu", "silu": "silu"}
LINEARS = ("linear", "addmm")


def match(node, lowering) -> Match | None:
    activation = ACTIVATIONS.get(op(node))
    if activation is None or (op(node) == "gelu" and _gelu_exact(node, lowering)):
        return None
    linear = source(lowering, node)
    if op(linear) not in LINEARS or only_user(lowering, linear) is not node or lowering.form.get(linear) != "tile":
        return None
    return Match("linear_activation", node, {linear, node}, lambda lw: [_step(lw, linear, node, activation)])


def _step(lowering, linear, node, activation: str) -> Step:
    rule = RULES[op(linear)]

    def render() -> str:
        text = rule.render(Render(lowering, linear, rule))
        return text[:-1] + f', activation="{activation}")'

    sources = [lowering.resolve(v) for v in arguments(linear).values() if _tensor(lowering, v)]
    return Step([(node, "tile")], [(s, "tile") for s in sources], render, device_ops=("ttnn.linear",))


def _tensor(lowering, value) -> bool:
    return hasattr(value, "op") and value.op != "get_attr" and lowering.form.get(lowering.resolve(value)) == "tile"
