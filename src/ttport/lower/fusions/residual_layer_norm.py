"""layer_norm(a + b) -> ttnn.layer_norm(a, residual_input_tensor=b): the residual add happens inside the norm
kernel, in its fp32 intermediates, so the sum is never written out (nor rounded to bfloat16)."""

from __future__ import annotations

from ..graph import arguments, same_shape
from ..render import Render
from ..rules import RULES
from ..steps import Step
from .base import Match, on_device, only_user, op, source


def match(node, lowering) -> Match | None:
    if op(node) != "layer_norm" or RULES["layer_norm"].when(node, lowering) is not None:
        return None
    add = source(lowering, node, "input")
    if op(add) != "add" or only_user(lowering, add) is not node or arguments(add).get("alpha", 1) != 1:
        return None
    a, b = source(lowering, add, "self"), source(lowering, add, "other")
    if not (on_device(lowering, a) and on_device(lowering, b) and same_shape(a, b)):
        return None
    return Match("residual_layer_norm", node, {add, node}, lambda lw: [_step(lw, node, a, b)])


def _step(lowering, node, a, b) -> Step:
    rule = RULES["layer_norm"]

    def render() -> str:
        r = Render(lowering, node, rule)
        parts = [lowering.name_of((a, "tile")), f"residual_input_tensor={lowering.name_of((b, 'tile'))}"]
        parts += [f"{k}={r.t(k)}" for k in ("weight", "bias") if r.given(k)]
        parts.append(f"epsilon={r.p('eps')}")
        return r.call("ttnn.layer_norm", parts)

    return Step([(node, "tile")], [(a, "tile"), (b, "tile")], render, device_ops=("ttnn.layer_norm",))
