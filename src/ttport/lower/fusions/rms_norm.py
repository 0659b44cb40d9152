"""x * rsqrt(mean(x ** 2, -1, keepdim) + eps) * w -> ttnn.rms_norm(x, weight=w, epsilon=eps): LlamaRMSNorm and
T5LayerNorm in one kernel instead of pow, mean, add, rsqrt, multiply, multiply. Either operand order of both
multiplies; x * x for x ** 2; float casts around it (HF's .to(float32) ... .to(input_dtype)) are device identities
already; without a weight multiply it is ttnn.rms_norm(x, epsilon=eps). The weight is prepared as layer_norm's is
((1, N) bfloat16, preprocess_layernorm_parameter)."""

from __future__ import annotations

from ..graph import arguments, shape
from ..render import Render
from ..steps import Step
from .base import Match, on_device, only_user, op, source


def match(node, lowering) -> Match | None:
    if op(node) != "mul":
        return None
    weighted = _weighted(lowering, node)
    if weighted is not None:
        weight, normed = weighted
        found = _normalized(lowering, normed)
        if found is None or only_user(lowering, normed) is not node:
            return None
        x, eps_node, nodes = found
        nodes = nodes | {node}
    else:
        found = _normalized(lowering, node)
        if found is None or _weighted(lowering, only_user(lowering, node)) is not None:
            return None  # the weight multiply after it anchors the fusion
        weight, (x, eps_node, nodes) = None, found
    _name(lowering, node, x)
    return Match("rms_norm", node, nodes, lambda lw: [_step(lw, node, x, eps_node, weight)])


def _name(lowering, node, x) -> None:
    """The input's name for the normalized value where the source gave it none (`return self.weight * ...`)."""
    if lowering.wanted.of(node).strip("_") == "mul":
        given = lowering.inputs.get(x)  # a parameter's name, the same at every instance of the module
        lowering.wanted.cache[node] = given.split("[", 1)[0] if given else lowering.wanted.of(x)


def _weighted(lowering, node):
    """(weight, other operand) when `node` multiplies a (N,) parameter of the last dim into a device tensor."""
    if op(node) != "mul":
        return None
    a, b = source(lowering, node, "self"), source(lowering, node, "other")
    for weight, other in ((a, b), (b, a)):
        if lowering.is_parameter(weight) and on_device(lowering, other) and _last_dim_vector(weight, other):
            return weight, other
    return None


def _last_dim_vector(weight, other) -> bool:
    dims, of = shape(weight), shape(other)
    return len(dims) == 1 and bool(of) and str(dims[0]) == str(of[-1])


def _normalized(lowering, node):
    """(x, the add of eps, nodes) when `node` is x * rsqrt(mean(x ** 2, -1, keepdim=True) + eps)."""
    if op(node) != "mul" or not on_device(lowering, node):
        return None
    a, b = source(lowering, node, "self"), source(lowering, node, "other")
    for x, inverse in ((a, b), (b, a)):
        found = _inverse_rms(lowering, inverse, node)
        if found is not None and found[0] is x and on_device(lowering, x):
            return x, found[1], found[2] | {node}
    return None


def _inverse_rms(lowering, node, user):
    """(x, add, nodes) when `node` is rsqrt(mean(x ** 2, -1, keepdim=True) + eps), each read only by the next."""
    if op(node) != "rsqrt" or only_user(lowering, node) is not user:
        return None
    add = source(lowering, node)
    eps = arguments(add).get("other")
    if op(add) != "add" or not isinstance(eps, float) or arguments(add).get("alpha", 1) != 1:
        return None
    mean = source(lowering, add, "self")
    if op(mean) != "mean" or only_user(lowering, add) is not node or only_user(lowering, mean) is not add:
        return None
    values = arguments(mean)
    dims = values.get("dim") or []
    rank = len(shape(mean))
    if len(dims) != 1 or dims[0] % rank != rank - 1 or not values.get("keepdim") or values.get("dtype") is not None:
        return None
    square = source(lowering, mean)
    x = _squared(lowering, square)
    if x is None or only_user(lowering, square) is not mean:
        return None
    return x, add, {node, add, mean, square}


def _squared(lowering, node):
    """x when `node` is x ** 2 or x * x."""
    if op(node) == "pow" and arguments(node).get("exponent") == 2:
        return source(lowering, node)
    if op(node) == "mul" and source(lowering, node, "self") is source(lowering, node, "other"):
        return source(lowering, node)
    return None


def _step(lowering, node, x, eps_node, weight) -> Step:
    def render() -> str:
        r = Render(lowering, node)
        parts = [lowering.name_of((x, "tile"))]
        if weight is not None:
            parts.append(f"weight={lowering.tensor_text(weight, 'tile', 'norm')}")
        parts.append(f"epsilon={Render(lowering, eps_node).p('other')}")
        return r.call("ttnn.rms_norm", parts)

    return Step([(node, "tile")], [(x, "tile")], render, device_ops=("ttnn.rms_norm",))
