"""Q, K, V projections of one input, each split into heads, scores = Q Kᵀ, context = P V ->
one ttnn.linear on a fused (in, 3*out) weight (parameters.py concatenates them: a custom_preprocessor) and
ttnn.transformer.split_query_key_value_and_split_heads, whose K comes out already transposed for Q Kᵀ."""

from __future__ import annotations

from .. import accumulation
from ..graph import arguments, shape
from ..rules import RESHAPES, permutation
from ..steps import Step
from .base import Match, Synthetic, on_device, only_user, op, source

FUSED_NAME = "query_key_value"
TILE = 32  # split_query_key_value_and_split_heads needs whole-tile heads


def match(node, lowering) -> Match | None:
    if op(node) != "linear" or not on_device(lowering, node):
        return None
    x = source(lowering, node, "input")
    linears = [
        item.node
        for item in lowering.items
        if item.node is not None and op(item.node) == "linear" and source(lowering, item.node, "input") is x
    ]
    if len(linears) != 3 or node is not linears[0]:
        return None
    heads = [_heads(lowering, linear) for linear in linears]
    if any(h is None for h in heads) or not _same_biases(linears) or not _whole_tiles(heads):
        return None
    roles = _roles(lowering, [h[1] for h in heads])
    if roles is None:
        return None
    order = [roles.index(role) for role in ("query", "key", "value")]
    linears, heads = [linears[i] for i in order], [heads[i] for i in order]
    key_transposed = _transposed_key(lowering, heads[1][1])
    paths = [_module_path(lowering, linear) for linear in linears]
    if any(p is None for p in paths) or len({p.rpartition(".")[0] for p in paths}) != 1:
        return None
    nodes = set(linears) | {n for h in heads for n in h} | {key_transposed}
    outputs = [heads[0][1], key_transposed, heads[2][1]]
    build = lambda lw: _steps(lw, x, linears, outputs, paths, heads)  # noqa: E731
    return Match("qkv", node, nodes, build)


def _heads(lowering, linear):
    """(view, transpose) when the projection's one use is a split into (batch, heads, seq, head_size)."""
    view = only_user(lowering, linear)
    if op(view) not in RESHAPES or len(shape(view)) != 4:
        return None
    swap = only_user(lowering, view)
    if op(swap) not in ("transpose", "permute") or permutation(swap) != [0, 2, 1, 3]:
        return None
    return view, swap


def _same_biases(linears) -> bool:
    return len({arguments(linear).get("bias") is None for linear in linears}) == 1


def _whole_tiles(heads) -> bool:
    sizes = {shape(view)[-1] for view, _ in heads}
    counts = {shape(view)[-2] for view, _ in heads}
    size = next(iter(sizes))
    return len(sizes) == 1 and len(counts) == 1 and isinstance(size, int) and size % TILE == 0


def _roles(lowering, heads) -> list[str] | None:
    """Which head tensor is Q, K and V, from how the two attention matmuls read them."""
    roles = [None, None, None]
    for index, head in enumerate(heads):
        user = only_user(lowering, head)
        if op(user) == "transpose" and permutation(user)[-2:] == [3, 2]:
            scores = only_user(lowering, user)
            if op(scores) != "matmul" or source(lowering, scores, "other") is not user:
                return None
            query = source(lowering, scores, "self")
            if query not in heads:
                return None
            roles[index], roles[heads.index(query)] = "key", "query"
    remaining = [i for i, role in enumerate(roles) if role is None]
    if len(remaining) != 1:
        return None
    value_user = only_user(lowering, heads[remaining[0]])
    if op(value_user) != "matmul" or source(lowering, value_user, "other") is not heads[remaining[0]]:
        return None
    roles[remaining[0]] = "value"
    return roles


def _transposed_key(lowering, key_head):
    return only_user(lowering, key_head)


def _module_path(lowering, linear) -> str | None:
    weight = arguments(linear)["weight"]
    if not lowering.is_parameter(weight) or not lowering.is_linear_parameter(weight):
        return None
    relative = lowering.context.relative_attribute(weight.target, lowering.call.path)
    return relative.rpartition(".")[0]


def _steps(lowering, x, linears, outputs, paths, heads) -> list[Step]:
    parent = paths[0].rpartition(".")[0]
    prefix = f"{parent}.{FUSED_NAME}" if parent else FUSED_NAME
    bias = arguments(linears[0]).get("bias") is not None
    full_parent = ".".join(p for p in (lowering.call.path, parent) if p)
    lowering.fused[full_parent] = (
        "qkv",
        {
            "children": [p.rpartition(".")[2] for p in paths],
            "name": FUSED_NAME,
            "bias": bias,
            "why": "Q, K, V as one (in, 3 * out) weight: one ttnn.linear, then split_query_key_value_and_split_heads",
        },
    )
    lowering.builder.uses_parameters = True
    fused = (Synthetic(FUSED_NAME), "tile")
    view = heads[0][0]
    num_heads = shape(view)[-2]

    def project() -> str:
        weight = lowering.parameter_expression(f"{prefix}.weight")
        parts = [lowering.name_of((x, "tile")), weight]
        if bias:
            parts.append(f"bias={lowering.parameter_expression(f'{prefix}.bias')}")
        return _call(lowering, "ttnn.linear", parts + accumulation.keywords(shape(x)[-1]))

    def split() -> str:
        parts = [lowering.name_of(fused), f"num_heads={lowering.literal(num_heads)}"]
        return _call(lowering, "ttnn.transformer.split_query_key_value_and_split_heads", parts)

    wanted = lowering.wanted
    names = {(out, "tile"): wanted.of(head[1]) for out, head in zip(outputs, heads)}
    comment = "Q, K, V in one matmul on the fused weight, then split into heads (K comes out transposed)"
    return [
        Step([fused], [(x, "tile")], project, comment, device_ops=("ttnn.linear",), names={fused: FUSED_NAME}),
        Step(
            [(out, "tile") for out in outputs],
            [fused],
            split,
            device_ops=("ttnn.transformer.split_query_key_value_and_split_heads",),
            names=names,
            unpack=True,
        ),
    ]


def _call(lowering, name: str, parts: list[str]) -> str:
    if lowering.l1:
        parts = parts + ["memory_config=ttnn.L1_MEMORY_CONFIG"]
    return f"{name}({', '.join(parts)})"
