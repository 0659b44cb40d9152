"""softmax(scores * 1/sqrt(d) + mask) -> ttnn.transformer.attention_softmax_(scores, attention_mask=mask,
head_size=d): scale, mask and softmax in one kernel, in place on the scores (also scores / sqrt(d))."""

from __future__ import annotations

import math

from ..graph import arguments, shape
from ..rules import inverse_sqrt
from ..steps import Step
from .base import Match, on_device, only_user, op, source


def match(node, lowering) -> Match | None:
    if op(node) not in ("softmax", "_softmax") or arguments(node).get("dim") not in (-1, len(shape(node)) - 1):
        return None
    add = source(lowering, node)
    mask = None
    scaled = add
    if op(add) == "add" and only_user(lowering, add) is node and arguments(add).get("alpha", 1) == 1:
        scaled, mask = source(lowering, add, "self"), source(lowering, add, "other")
        if not on_device(lowering, mask) or len(shape(mask)) != 4:
            return None
    head_size = _head_size(scaled)
    if head_size is None or only_user(lowering, scaled) not in (add, node):
        return None
    scores = source(lowering, scaled)
    if not on_device(lowering, scores) or len(shape(scores)) != 4:
        return None
    nodes = {node, scaled} | ({add} if mask is not None else set())
    _name(lowering, scores, "attention_scores")
    _name(lowering, node, "attention_probs")
    return Match("attention_softmax", node, nodes, lambda lw: [_step(lw, node, scores, mask, head_size)])


def _name(lowering, node, name: str) -> None:
    """The usual names where the model's source gave none (the value was written inline)."""
    wanted = lowering.wanted.of(node)
    if wanted.strip("_") in (op(node).strip("_"), "softmax", "matmul", "attn_weights"):
        lowering.wanted.cache[node] = name


def _head_size(node) -> int | None:
    """d when `node` is x * (1/sqrt(d)) or x / sqrt(d)."""
    factor = arguments(node).get("other")
    if op(node) == "mul" and isinstance(factor, float):
        return inverse_sqrt(factor)
    if op(node) == "div" and isinstance(factor, (int, float)) and factor > 0:
        size = round(factor**2)
        return size if math.isclose(math.sqrt(size), factor, rel_tol=1e-6) else None
    return None


def _step(lowering, node, scores, mask, head_size: int) -> Step:
    reads = [(scores, "tile")] + ([(mask, "tile")] if mask is not None else [])

    def render() -> str:
        size = lowering.literal(head_size)
        if mask is None:  # the in-place form needs a mask (attention_softmax.cpp TT_FATALs without one)
            return f"ttnn.transformer.attention_softmax({lowering.name_of((scores, 'tile'))}, head_size={size})"
        return (
            f"ttnn.transformer.attention_softmax_({lowering.name_of((scores, 'tile'))}, "
            f"attention_mask={lowering.name_of((mask, 'tile'))}, head_size={size})"
        )

    call = "ttnn.transformer.attention_softmax_" if mask is not None else "ttnn.transformer.attention_softmax"
    step = Step([(node, "tile")], reads, render, device_ops=(call,))
    if mask is not None:
        step.shares = {(node, "tile"): (scores, "tile")}
    return step
