"""x.transpose(1, 2).reshape(batch, seq, heads * d) of (batch, heads, seq, d) ->
ttnn.transformer.concatenate_heads(x): one op instead of a permute and a reshape."""

from __future__ import annotations

from ..graph import shape
from ..rules import RESHAPES, permutation
from ..steps import Step
from .base import Match, on_device, only_user, op, source


def match(node, lowering) -> Match | None:
    if op(node) not in RESHAPES or len(shape(node)) != 3:
        return None
    swap = source(lowering, node)
    if op(swap) not in ("transpose", "permute") or permutation(swap) != [0, 2, 1, 3]:
        return None
    heads = source(lowering, swap)
    if only_user(lowering, swap) is not node or not on_device(lowering, heads) or len(shape(heads)) != 4:
        return None
    if str(shape(node)[-1]) != str(shape(heads)[1] * shape(heads)[3]):
        return None
    return Match("concatenate_heads", node, {swap, node}, lambda lw: [_step(lw, node, heads)])


def _step(lowering, node, heads) -> Step:
    def render() -> str:
        memory = ", memory_config=ttnn.L1_MEMORY_CONFIG" if lowering.l1 else ""
        return f"ttnn.transformer.concatenate_heads({lowering.name_of((heads, 'tile'))}{memory})"

    return Step([(node, "tile")], [(heads, "tile")], render, device_ops=("ttnn.transformer.concatenate_heads",))
