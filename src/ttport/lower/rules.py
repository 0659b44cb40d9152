"""ATen op -> TTNN call: one entry per op (the call it becomes, the form of each tensor argument, how a parameter
read there is prepared, when it applies). An op with no entry, or whose `when` refuses, runs in torch on host.

Forms: "tile" = bfloat16 TILE on device (every compute op), "ids" = uint32 ROW_MAJOR on device (embedding indices).
Preparations (see parameters.py): "linear_weight" (transposed, weights dtype), "matrix" (as is, weights dtype),
"linear_bias" / "norm" ((1, N) bfloat16 TILE), "embedding" (ROW_MAJOR bfloat16), "tile" (bfloat16 TILE).
"""

from __future__ import annotations

import math

from torch import fx

from ..capture.bind import is_symbolic
from ..capture.identity import MAX_INDEX
from .graph import arguments, is_float, shape
from .rule import Rule
from .rule import call as _call
from .rules_compute import COMPUTE
from .rules_conv import CONV
from .rules_eltwise import ELTWISE
from .rules_movement import MOVEMENT
from .rules_selection import SELECTION


def _binary(name: str):
    return lambda r: r.call(name, [r.t("self"), r.t_or_p("other")])


def _unit_alpha(node, _context):
    return None if arguments(node).get("alpha", 1) == 1 else "alpha != 1"


def _linear(r):
    parts = [r.t("input"), r.t("weight")]
    if r.given("bias"):
        parts.append(f"bias={r.t('bias')}")
    return r.call("ttnn.linear", parts)


def _weights_are_parameters(node, context):
    """F.linear(x, w, b) with w (and b) tensor attributes: nn.Linear's, or a bare Parameter (Mixtral's router
    reads F.linear(hidden_states, self.weight)); each is prepared as ttnn.linear takes it (w transposed)."""
    values = arguments(node)
    for name in ("weight", "bias"):
        value = values.get(name)
        if value is not None and not context.is_own_parameter(value):
            return f"the {name} is computed, not a parameter"
    return None


def _matmul(r):
    """a @ b where torch broadcasts a batch dim of size 1 (multi-query attention's one key head): ttnn.matmul wants
    b's batch dims all 1 or equal to a's, so the size-1 side is repeated along that dim first (ttnn.concat)."""
    a, b = shape(r.values["self"]), shape(r.values["other"])
    operands = {"self": r.t("self"), "other": r.t("other")}
    if len(a) == len(b) > 2:
        for dim, (x, y) in enumerate(zip(a[:-2], b[:-2])):
            small = "other" if str(y) == "1" and str(x) != "1" else "self" if str(x) == "1" and str(y) != "1" else ""
            if small and not all(str(d) == "1" for d in (b if small == "other" else a)[:-2]):
                copies = r.lowering.size_text(x if small == "other" else y)
                operands[small] = r.call("ttnn.concat", [f"[{operands[small]}] * {copies}", f"dim={dim}"], False)
    return r.call("ttnn.matmul", [operands["self"], operands["other"]])


def _addmm(r):
    return r.call("ttnn.linear", [r.t("mat1"), r.t("mat2"), f"bias={r.t('self')}"])


def _addmm_when(node, _context):
    values = arguments(node)
    if values.get("beta", 1) != 1 or values.get("alpha", 1) != 1:
        return "beta or alpha != 1"
    if not all(isinstance(values[a], fx.Node) and values[a].op == "get_attr" for a in ("self", "mat2")):
        return "bias and weight are not parameters"
    return None


def _embedding(r):
    return r.call("ttnn.embedding", [r.t("indices"), r.t("weight"), "layout=ttnn.TILE_LAYOUT"])


def _embedding_when(node, _context):
    values = arguments(node)  # padding_idx, scale_grad_by_freq and sparse only change gradients
    weight = values["weight"]
    return None if isinstance(weight, fx.Node) and weight.op == "get_attr" else "the table is not a parameter"


def _layer_norm(r):
    parts = [r.t("input")]
    parts += [f"{k}={r.t(k)}" for k in ("weight", "bias") if r.given(k)]
    parts.append(f"epsilon={r.p('eps')}")
    return r.call("ttnn.layer_norm", parts)


def _last_dim_only(node, _context):
    return None if len(arguments(node)["normalized_shape"]) == 1 else "normalizes over more than the last dim"


def _reshape(r):
    return r.call("ttnn.reshape", [r.t("self"), r.dims()])


def _permute(r):
    return r.call("ttnn.permute", [r.t("self"), str(list(r.permutation()))])


def _softmax(r):
    return r.call("ttnn.softmax", [r.t("self"), f"dim={r.p('dim')}"])


def _gelu_exact(node, _context):
    """For fusing into ttnn.linear(activation="gelu"), which is erf GELU."""
    exact = arguments(node).get("approximate", "none") == "none"
    return None if exact else "tanh-approximate GELU is not linear's fused gelu"


def _slice(r):
    starts, ends = r.slice_bounds()
    step = r.raw("step") or 1
    if step == 1:
        return r.call("ttnn.slice", [r.t("self"), starts, ends])
    steps = [1] * len(shape(r.raw("self")))
    steps[slice_range(r.node)[0]] = step
    return r.call("ttnn.slice", [r.t("self"), starts, ends, str(steps)])  # slice_step: one per dim


def _slice_when(node, _context):
    values = arguments(node)
    if isinstance(values.get("step"), fx.Node):
        return "a step computed at run time"
    if any(isinstance(values.get(k), fx.Node) and not is_symbolic(values[k]) for k in ("start", "end")):
        return "a bound computed from tensor values"
    return None if (values.get("step") or 1) > 0 else "a negative step"


def _select(r):
    starts, ends = r.slice_bounds()
    return r.call("ttnn.reshape", [r.call("ttnn.slice", [r.t("self"), starts, ends], memory=False), r.dims()])


def _concat(r):
    return r.call("ttnn.concat", [r.tensors("tensors"), f"dim={r.p('dim')}"])


def _split(r):
    return r.call("ttnn.split", [r.t("self"), r.p("split_size"), f"dim={r.p('dim')}"])


def _reduce(name: str):
    def render(r):
        parts = [r.t("self"), f"dim={r.p('dim')}"]
        if r.raw("keepdim"):
            parts.append("keepdim=True")
        return r.call(name, parts)

    return render


def _reduce_when(node, _context):
    values = arguments(node)
    return "a dtype argument" if values.get("dtype") is not None else None


def _pow(r):
    return r.call("ttnn.pow", [r.t("self"), r.t_or_p("exponent")])


def _where(r):
    return r.call("ttnn.where", [r.t("condition"), r.t_or_p("self"), r.t_or_p("other")])


def _clamp(r):
    parts = [r.t("self")] + [f"{k}={r.p(k)}" for k in ("min", "max") if r.given(k)]
    return r.call("ttnn.clamp", parts)


def _clamp_when(node, _context):
    values = arguments(node)
    return "tensor bounds" if any(isinstance(values.get(k), fx.Node) for k in ("min", "max")) else None


def _sdpa(r):
    parts = [r.t("query"), r.t("key"), r.t("value")]
    if r.given("attn_mask"):
        parts.append(f"attn_mask={r.t('attn_mask')}")
    parts.append(f"is_causal={bool(r.raw('is_causal'))}")
    if r.given("scale"):
        parts.append(f"scale={r.p('scale')}")
    return r.call("ttnn.transformer.scaled_dot_product_attention", parts)


def _sdpa_when(node, _context):
    values = arguments(node)
    if values.get("dropout_p", 0.0):
        return "dropout_p != 0"
    if len(shape(values["query"])) != 4:
        return "query is not (batch, heads, sequence, head_size)"
    if values.get("is_causal") and values.get("attn_mask") is not None:
        return "both is_causal and attn_mask"
    return None


def _rsub(r):
    return r.call("ttnn.add", [r.call("ttnn.neg", [r.t("self")], memory=False), r.t_or_p("other")])


def _float_cast(node, _context):
    """x.to(float) of a float tensor: on device every activation is bfloat16 already."""
    dtype = arguments(node).get("dtype")
    return None if is_float(node) and (dtype is None or dtype.is_floating_point) else "not a float-to-float cast"


UNARY = ("relu", "silu", "tanh", "sigmoid", "exp", "sqrt", "rsqrt", "reciprocal", "neg")
RESHAPES = ("view", "reshape", "_unsafe_view", "flatten", "unsqueeze", "squeeze")

# aten op (overload packet name) -> rule.
RULES: dict[str, Rule] = {
    "linear": Rule(
        "ttnn.linear",
        _linear,
        weights={"weight": "linear_weight", "bias": "linear_bias"},
        when=_weights_are_parameters,
    ),
    "addmm": Rule("ttnn.linear", _addmm, weights={"mat2": "matrix", "self": "linear_bias"}, when=_addmm_when),
    "matmul": Rule("ttnn.matmul", _matmul, weights={"other": "matrix"}),
    "mm": Rule("ttnn.matmul", _call("ttnn.matmul", "self", "mat2"), weights={"mat2": "matrix"}),
    "bmm": Rule("ttnn.matmul", _call("ttnn.matmul", "self", "mat2")),
    "add": Rule("ttnn.add", _binary("ttnn.add"), when=_unit_alpha),
    "sub": Rule("ttnn.subtract", _binary("ttnn.subtract"), when=_unit_alpha),
    "rsub": Rule("ttnn.add", _rsub, when=_unit_alpha),
    "mul": Rule("ttnn.multiply", _binary("ttnn.multiply")),
    "div": Rule(
        "ttnn.divide",
        _binary("ttnn.divide"),
        when=lambda n, _: "a rounding mode" if arguments(n).get("rounding_mode") else None,
    ),
    "pow": Rule("ttnn.pow", _pow),
    **{name: Rule(f"ttnn.{name}", _call(f"ttnn.{name}", "self")) for name in UNARY},
    "softmax": Rule("ttnn.softmax", _softmax),
    "_softmax": Rule("ttnn.softmax", _softmax),
    "layer_norm": Rule("ttnn.layer_norm", _layer_norm, weights={"weight": "norm", "bias": "norm"}, when=_last_dim_only),
    "embedding": Rule(
        "ttnn.embedding", _embedding, forms={"indices": "ids"}, weights={"weight": "embedding"}, when=_embedding_when
    ),
    **{name: Rule("ttnn.reshape", _reshape, alias=True, keeps_form=True) for name in RESHAPES},
    "permute": Rule("ttnn.permute", _permute),
    "transpose": Rule("ttnn.permute", _permute),
    "t": Rule("ttnn.permute", _permute),
    "slice": Rule("ttnn.slice", _slice, when=_slice_when),
    "select": Rule("ttnn.slice", _select),
    "cat": Rule("ttnn.concat", _concat),
    "split": Rule("ttnn.split", _split),
    "mean": Rule("ttnn.mean", _reduce("ttnn.mean"), when=_reduce_when),
    "sum": Rule("ttnn.sum", _reduce("ttnn.sum"), when=_reduce_when),
    "amax": Rule("ttnn.max", _reduce("ttnn.max")),
    "where": Rule("ttnn.where", _where),
    "clamp": Rule("ttnn.clamp", _clamp, when=_clamp_when),
    "scaled_dot_product_attention": Rule("ttnn.transformer.scaled_dot_product_attention", _sdpa, when=_sdpa_when),
    **MOVEMENT,
    **SELECTION,
    **COMPUTE,
}


RULES.update(CONV)  # convolutions, pooling, batch norm, resize: rules_conv.py
RULES.update(ELTWISE)  # element-wise math, comparisons, logical ops: rules_eltwise.py


def _times_one(node, _context):
    """x * 1 -> x, x / 1 -> x (T5 scales its scores by 1.0): a scalar 1 leaves a bfloat16 tensor unchanged."""
    other = arguments(node).get("other")
    return None if isinstance(other, (int, float)) and not isinstance(other, bool) and other == 1 else "not by 1"


# Ops that are the identity on device (no call): float casts (activations are bfloat16 already), x * 1, x / 1.
IDENTITY_WHEN = {
    "to": _float_cast,
    "_to_copy": _float_cast,
    "type_as": _float_cast,
    "mul": _times_one,
    "div": _times_one,
}


def permutation(node: fx.Node) -> list[int]:
    """The full dims order of a permute / transpose / t node."""
    values = arguments(node)
    rank = len(shape(node))
    name = node.target.overloadpacket.__name__
    if name == "permute":
        return [d % rank for d in values["dims"]]
    order = list(range(rank))
    a, b = (values["dim0"] % rank, values["dim1"] % rank) if name == "transpose" else (0, 1)
    order[a], order[b] = order[b], order[a]
    return order


def slice_range(node: fx.Node) -> tuple[int, object, object]:
    """(dim, start, end) of a slice/select node; end None means the whole dim; ints may be negative."""
    values = arguments(node)
    rank = len(shape(values["self"]))
    dim = values.get("dim", 0) % rank
    if node.target.overloadpacket.__name__ == "select":
        index = values["index"]
        return dim, index, (index + 1 if index != -1 else None)
    start, end = values.get("start") or 0, values.get("end")
    return dim, start, (None if end in (None, MAX_INDEX) else end)


def inverse_sqrt(value: float) -> float | None:
    """n when value == 1/sqrt(n) for a whole n (a head size), else None."""
    if not isinstance(value, float) or value <= 0:
        return None
    n = round(1.0 / value**2)
    return n if n > 0 and math.isclose(value, 1.0 / math.sqrt(n), rel_tol=1e-6) else None
