"""Hugging Face's additive attention mask, built on host (transformers.masking_utils, its vmap-free expansion):
where(padding[b, k] [& k <= q] over aranges b, q, k, 0, finfo.min) ->
attends = attention_mask.to(torch.bool)[:, None, None, :] [& torch.ones(q, k).tril()];
zeros(b, 1, q, k).masked_fill(~attends, min). Two statements instead of ~20 index-arithmetic ones.

The matched ops are interpreted symbolically (each value a known form: an arange along one axis, a conjunction of
known conditions), so the rewrite is the same function for every input the original accepts; anything else in the
chain (an offset, another condition, a sliding window) leaves it as it was. One difference on inputs the model
does not accept: an attention_mask with more rows than the batch is cut to the batch by the original, refused
(a broadcast error) by the rewrite.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import fx

from ..graph import arguments, meta, shape
from ..steps import Step
from .base import Match, Synthetic, op

FORMS = ("host",)  # a host fusion: it rewrites torch code, not device ops
MINIMUM = float(torch.finfo(torch.float32).min)
BATCH, HEAD, QUERY, KEY = range(4)
PADDING, CAUSAL = "padding", "causal"  # attention_mask[b, k]; k <= q


@dataclass(frozen=True)
class Coord:
    """arange(length) laid along `axis` of a rank-`rank` tensor (the index of that axis)."""

    length: str
    axis: int = 0
    rank: int = 1


@dataclass(frozen=True)
class Flags:
    """A boolean tensor: the conjunction of `atoms` (PADDING, CAUSAL) at each (b, h, q, k)."""

    atoms: frozenset


@dataclass(frozen=True)
class Mask:
    """The (batch, key) 0/1 padding mask input, `boolean` once cast to bool."""

    node: fx.Node
    boolean: bool = False


ZERO = "zero"  # a float32 scalar 0


def match(node, lowering) -> Match | None:
    if op(node) != "where" or arguments(node).get("other") != MINIMUM or not _is_mask_shape(node):
        return None
    nodes = _chain(lowering, node)
    if nodes is None:
        return None
    sizes = [str(d) for d in shape(node)]
    values = _interpret(lowering, [item.node for item in lowering.items if item.node in nodes], sizes)
    result = values.get(node) if values else None
    if not isinstance(result, Flags) or PADDING not in result.atoms:
        return None
    mask = next(v for v in values.values() if isinstance(v, Mask)).node
    if lowering.wanted.of(node).strip("_") == "where":  # no name in the source
        lowering.wanted.cache[node] = "extended_attention_mask"
    causal = CAUSAL in result.atoms
    return Match("additive_mask", node, nodes, lambda lw: _steps(lw, node, mask, causal))


def _is_mask_shape(node) -> bool:
    dims, value = shape(node), meta(node)
    return len(dims) == 4 and dims[HEAD] == 1 and value is not None and value.dtype == torch.float32


def _chain(lowering, anchor) -> set | None:
    """The host ops `anchor` is computed from back to the function's inputs and sizes; each read only in the chain."""
    nodes, stack = set(), [anchor]
    while stack:
        node = stack.pop()
        if node in nodes or node in lowering.inputs or node.op != "call_function" or _is_size(node):
            continue
        if lowering.form.get(node) != "host":
            return None
        nodes.add(node)
        stack += [lowering.resolve(n) for n in node.all_input_nodes]
    for node in nodes - {anchor}:
        if any(item.node not in nodes for item in lowering.users.get(node, [])) or node in lowering.outputs:
            return None
    return nodes


def _is_size(node) -> bool:
    return isinstance(node.meta.get("val"), (torch.SymInt, int))


def _interpret(lowering, order: list, sizes: list[str]) -> dict | None:
    """Each node's symbolic value, or None when one op is not of the known forms."""
    values: dict = {}

    def value(argument):
        if isinstance(argument, fx.Node):
            resolved = lowering.resolve(argument)
            if resolved in lowering.inputs and resolved not in values:
                values[resolved] = _input(resolved)
            return values.get(resolved)
        if isinstance(argument, (list, tuple)):
            return [value(a) for a in argument]
        return argument

    for node in order:
        rule = OPS.get(op(node))
        result = rule(node, {k: value(v) for k, v in arguments(node).items()}, sizes) if rule else None
        if result is None:
            return None
        values[node] = result
    masks = {v.node for v in values.values() if isinstance(v, Mask)}
    return values if len(masks) == 1 else None


def _input(node) -> Mask | None:
    value = meta(node)
    floating = value is None or value.is_floating_point() or value.is_complex()
    return None if floating or len(shape(node)) != 2 else Mask(node)


def _arange(node, a, _sizes):
    start_at_zero = a.get("start", 0) == 0 and a.get("step", 1) == 1
    value = meta(node)
    return Coord(str(shape(node)[0])) if start_at_zero and value is not None and not value.is_floating_point() else None


def _unsqueeze(_node, a, _sizes):
    x = a["self"]
    if not isinstance(x, Coord):
        return None
    dim = a["dim"] % (x.rank + 1)
    return Coord(x.length, x.axis + (dim <= x.axis), x.rank + 1)


def _to(node, a, _sizes):
    x = a["self"]
    if isinstance(x, Mask) and a.get("dtype") == torch.bool:
        return Mask(x.node, boolean=True)
    if isinstance(x, Flags) and a.get("dtype") in (None, torch.bool):
        return x
    return None


def _view(node, a, _sizes):
    x = a["self"]
    same = isinstance(x, Mask) and [str(d) for d in shape(node)] == [str(d) for d in shape(x.node)]
    return x if same else None


def _new_ones(_node, a, _sizes):
    return Flags(frozenset()) if a.get("size") == [] and a.get("dtype") == torch.bool else None


def _query_key(value, sizes) -> int | None:
    """The axis a 4-d arange indexes, when its length is that axis' size (b, q or k)."""
    if isinstance(value, Coord) and value.rank == 4 and value.axis != HEAD and value.length == sizes[value.axis]:
        return value.axis
    return None


def _compare(flipped: bool):
    """k <= q (or q >= k with `flipped`) -> CAUSAL; q >= 0 -> always true (an arange starts at 0)."""

    def rule(_node, a, sizes):
        x, y = a["self"], a["other"]
        if flipped and isinstance(y, int) and not isinstance(y, bool) and y <= 0 and _query_key(x, sizes) is not None:
            return Flags(frozenset())
        if flipped:
            x, y = y, x
        if _query_key(x, sizes) == KEY and _query_key(y, sizes) == QUERY:
            return Flags(frozenset({CAUSAL}))
        return None

    return rule


def _and(_node, a, _sizes):
    x, y = a["self"], a["other"]
    return Flags(x.atoms | y.atoms) if isinstance(x, Flags) and isinstance(y, Flags) else None


def _index(_node, a, sizes):
    x, indices = a["self"], a["indices"]
    if not (isinstance(x, Mask) and x.boolean and len(indices) == 2):
        return None
    batch, key = (_query_key(i, sizes) for i in indices)
    mask_keys = str(shape(x.node)[1])
    return Flags(frozenset({PADDING})) if batch == BATCH and key == KEY and mask_keys == sizes[KEY] else None


def _expand(node, a, sizes):
    x = a["self"]
    return x if isinstance(x, Flags) and [str(d) for d in shape(node)] == sizes else None


def _zeros(node, a, _sizes):
    return ZERO if a.get("size") == [] and a.get("dtype") == torch.float32 else None


def _where(node, a, sizes):
    x = a["condition"]
    return x if isinstance(x, Flags) and a["self"] == ZERO and a["other"] == MINIMUM else None


# op -> (node, its arguments' symbolic values, the mask's (b, 1, q, k) sizes) -> its symbolic value or None
OPS = {
    "arange": _arange,
    "unsqueeze": _unsqueeze,
    "to": _to,
    "_to_copy": _to,
    "view": _view,
    "reshape": _view,
    "new_ones": _new_ones,
    "le": _compare(flipped=False),
    "ge": _compare(flipped=True),
    "__and__": _and,
    "bitwise_and": _and,
    "logical_and": _and,
    "index": _index,
    "expand": _expand,
    "zeros": _zeros,
    "where": _where,
}


def _steps(lowering, node, mask, causal: bool) -> list[Step]:
    attends = (Synthetic("attends"), "host")
    batch, _, queries, keys = (lowering.size_text(d) for d in shape(node))

    def allowed() -> str:
        padding = f"{lowering.name_of((mask, 'host'))}.to(torch.bool)[:, None, None, :]"
        return f"{padding} & torch.ones({queries}, {keys}, dtype=torch.bool).tril()" if causal else padding

    def additive() -> str:
        zeros = f"torch.zeros({batch}, 1, {queries}, {keys}, dtype=torch.float32)"
        return f"{zeros}.masked_fill(~{lowering.name_of(attends)}, torch.finfo(torch.float32).min)"

    comment = (
        "Hugging Face's additive attention mask, built on host from attention_mask (batch, seq) of 0/1:\n"
        "0 where a query may attend a key, the float32 minimum where the key is padding"
        + (" or later than the query (causal)" if causal else "")
    )
    return [
        Step([attends], [(mask, "host")], allowed, comment, names={attends: "attends"}),
        Step([(node, "host")], [attends], additive),
    ]
