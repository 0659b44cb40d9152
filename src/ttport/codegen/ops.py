"""ATen op -> readable torch source: one table entry per op, a generic torch.ops fallback for the rest."""

from __future__ import annotations

import operator

from ..capture.identity import MAX_INDEX, is_identity, op_name
from .expr import ATOM, BITAND, COMPARE, POWER, PRODUCT, SUM, UNARY, Expr

F = "torch.nn.functional"

# Ops with no value that only check things at trace time.
CHECKS = {"_assert_tensor_metadata", "_assert_scalar", "sym_constrain_range_for_size", "_assert_async"}


def binary(symbol: str, precedence: int):
    return lambda a: Expr(f"{a.e('self', precedence)} {symbol} {a.e('other', precedence + 1)}", precedence)


def reflected(symbol: str, precedence: int):
    return lambda a: Expr(f"{a.e('other', precedence)} {symbol} {a.e('self', precedence + 1)}", precedence)


def unary(symbol: str):
    return lambda a: Expr(f"{symbol}{a.e('self', UNARY)}", UNARY)


def method(name: str, *args: str, star: str | None = None):
    """x.name(args): `star` names a list argument spread as positional arguments (view sizes)."""

    def emit(a):
        parts, skipped = [], False
        for n in args:  # positional while nothing was skipped, then keywords
            if a.given(n):
                parts.append(f"{n}={a.p(n)}" if skipped or n in a.keyword_only else a.p(n))
            skipped = skipped or not a.given(n)
        if star is not None:
            parts = a.spread(star) + parts
        return Expr(f"{a.e('self', ATOM)}.{name}({', '.join(parts)})")

    return emit


def function(name: str, positional: tuple = ("self",), keywords: tuple = ()):
    """name(positional..., keyword=value for non-default keywords)."""

    def emit(a):
        parts = [a.p(n) for n in positional] + [f"{n}={a.p(n)}" for n in keywords if a.given(n)]
        return Expr(f"{name}({', '.join(parts)})")

    return emit


def linear(a):
    """x @ W (+ b): Linear weights arrive pre-transposed (preprocess_model_parameters convention)."""
    weight = a.linear_weight("weight")
    product = f"{a.e('input', PRODUCT)} @ {weight}" if weight else None
    if product is None:
        return function(f"{F}.linear", ("input", "weight"), ("bias",))(a)
    if a.given("bias"):
        return Expr(f"{product} + {a.e('bias', SUM + 1)}", SUM)
    return Expr(product, PRODUCT)


def to(a):
    dtype = a.raw("dtype")
    if dtype is None:
        return a.x("self")
    return Expr(f"{a.e('self', ATOM)}.to({a.p('dtype')})")


def power(a):
    return Expr(f"{a.e('self', POWER + 1)} ** {a.e('exponent', UNARY)}", POWER)


def layer_norm(a):
    parts = ", ".join(a.p(n) for n in ("input", "normalized_shape", "weight", "bias"))
    return Expr(f"{F}.layer_norm({parts}, eps={a.p('eps')})")


def optional(plain, full, argument: str):
    """`plain` unless `argument` is given (alpha, rounding_mode), then the explicit torch call."""
    return lambda a: full(a) if a.given(argument) else plain(a)


def slice_(a):
    start, end, step = a.raw("start"), a.raw("end"), a.raw("step")
    start_text = "" if start in (None, 0) else a.p("start")
    end_text = "" if end in (None, MAX_INDEX) else a.p("end")
    step_text = "" if step in (None, 1) else f":{a.p('step')}"
    return a.subscript(f"{start_text}:{end_text}{step_text}")


def select(a):
    return a.subscript(a.p("index"))


def index(a):
    indices = a.raw("indices")
    parts = [":" if i is None else a.fmt(i) for i in indices]
    return Expr(f"{a.e('self', ATOM)}[{', '.join(parts)}]")


def getitem(a):
    return Expr(f"{a.e(0, ATOM)}[{a.fmt(a.raw(1))}]")


def positional(name: str, args: tuple, keywords: tuple = ()):
    """name(given args positionally, in order, then keywords): torch.arange(start, end), x.new_ones(size)."""

    def emit(a):
        parts = [a.p(n) for n in args if a.given(n) or n in ("end", "size")]
        parts += [f"{n}={a.p(n)}" for n in keywords if a.given(n)]
        if name.startswith("."):
            return Expr(f"{a.e('self', ATOM)}{name}({', '.join(parts)})")
        return Expr(f"{name}({', '.join(parts)})")

    return emit


def view(a):
    """x.view(sizes), with the model's own `.contiguous()` before it: a view of a transposed tensor needs it, and
    the identity chain the reference reads through would otherwise drop it (GPT-Neo, GPT-J, Swin)."""
    receiver = a.e("self", ATOM) + (".contiguous()" if _made_contiguous(a.node.args[0]) else "")
    return Expr(f"{receiver}.view({', '.join(a.spread('size'))})")


def _made_contiguous(node) -> bool:
    while is_identity(node):
        if op_name(node) in ("contiguous", "clone"):
            return True
        node = node.args[0]
    return False


def sym_size(a):
    return Expr(f"{a.e('self', ATOM)}.shape[{a.p('dim')}]")


# aten op name (overload packet) -> emitter.
OPS = {
    "add": optional(binary("+", SUM), function("torch.add", ("self", "other"), ("alpha",)), "alpha"),
    "sub": optional(binary("-", SUM), function("torch.sub", ("self", "other"), ("alpha",)), "alpha"),
    "rsub": reflected("-", SUM),
    "mul": binary("*", PRODUCT),
    "div": optional(
        binary("/", PRODUCT), function("torch.div", ("self", "other"), ("rounding_mode",)), "rounding_mode"
    ),
    "pow": power,
    "neg": unary("-"),
    "bitwise_not": unary("~"),
    "__and__": binary("&", BITAND),
    "bitwise_and": binary("&", BITAND),
    "__or__": binary("|", BITAND - 2),
    "bitwise_or": binary("|", BITAND - 2),
    "eq": binary("==", COMPARE),
    "ne": binary("!=", COMPARE),
    "lt": binary("<", COMPARE),
    "le": binary("<=", COMPARE),
    "gt": binary(">", COMPARE),
    "ge": binary(">=", COMPARE),
    "matmul": binary("@", PRODUCT),
    "mm": lambda a: Expr(f"{a.e('self', PRODUCT)} @ {a.e('mat2', PRODUCT + 1)}", PRODUCT),
    "bmm": lambda a: Expr(f"{a.e('self', PRODUCT)} @ {a.e('mat2', PRODUCT + 1)}", PRODUCT),
    "linear": linear,
    "view": view,
    "reshape": method("reshape", star="shape"),
    "_unsafe_view": view,
    "expand": method("expand", star="size"),
    "repeat": method("repeat", star="repeats"),
    "permute": method("permute", star="dims"),
    "transpose": method("transpose", "dim0", "dim1"),
    "t": method("t"),
    "unsqueeze": method("unsqueeze", "dim"),
    "squeeze": method("squeeze", "dim"),
    "flatten": method("flatten", "start_dim", "end_dim"),
    "float": method("float"),
    "to": to,
    "_to_copy": to,
    "type_as": method("type_as", "other"),
    "slice": slice_,
    "select": select,
    "index": index,
    "sym_size": sym_size,
    "softmax": function("torch.softmax", ("self",), ("dim", "dtype")),
    "_softmax": function("torch.softmax", ("self", "dim")),
    "log_softmax": function("torch.log_softmax", ("self",), ("dim", "dtype")),
    "layer_norm": layer_norm,
    "embedding": function(f"{F}.embedding", ("indices", "weight")),
    "gelu": function(f"{F}.gelu", ("self",), ("approximate",)),
    "silu": function(f"{F}.silu"),
    "relu": function("torch.relu"),
    "tanh": function("torch.tanh"),
    "sigmoid": function("torch.sigmoid"),
    "exp": function("torch.exp"),
    "log": function("torch.log"),
    "sqrt": function("torch.sqrt"),
    "rsqrt": function("torch.rsqrt"),
    "cos": function("torch.cos"),
    "sin": function("torch.sin"),
    "abs": function("torch.abs"),
    "erf": function("torch.erf"),
    "mean": method("mean", "dim", "keepdim"),
    "sum": method("sum", "dim", "keepdim"),
    "amax": method("amax", "dim", "keepdim"),
    "cat": function("torch.cat", ("tensors",), ("dim",)),
    "stack": function("torch.stack", ("tensors",), ("dim",)),
    "where": function("torch.where", ("condition", "self", "other")),
    "masked_fill": method("masked_fill", "mask", "value"),
    "clamp": function("torch.clamp", ("self",), ("min", "max")),
    "minimum": function("torch.minimum", ("self", "other")),
    "maximum": function("torch.maximum", ("self", "other")),
    "full_like": function("torch.full_like", ("self", "fill_value"), ("dtype",)),
    "zeros_like": function("torch.zeros_like", ("self",), ("dtype",)),
    "ones_like": function("torch.ones_like", ("self",), ("dtype",)),
    "arange": positional("torch.arange", ("start", "end", "step"), ("dtype",)),
    "zeros": positional("torch.zeros", ("size",), ("dtype",)),
    "ones": positional("torch.ones", ("size",), ("dtype",)),
    "full": function("torch.full", ("size", "fill_value"), ("dtype",)),
    "new_ones": positional(".new_ones", ("size",), ("dtype",)),
    "new_zeros": positional(".new_zeros", ("size",), ("dtype",)),
    "gather": function("torch.gather", ("self", "dim", "index")),
    "split": method("split", "split_size", "dim"),
    "chunk": method("chunk", "chunks", "dim"),
    "unbind": method("unbind", "dim"),
    "triu": function("torch.triu", ("self",), ("diagonal",)),
    "tril": function("torch.tril", ("self",), ("diagonal",)),
    "outer": function("torch.outer", ("self", "vec2")),
    "square": function("torch.square"),
    "reciprocal": function("torch.reciprocal"),
    "any": method("any", "dim", "keepdim"),
    "all": method("all", "dim", "keepdim"),
    "max": optional(method("max", "dim", "keepdim"), function("torch.maximum", ("self", "other")), "other"),
    "min": optional(method("min", "dim", "keepdim"), function("torch.minimum", ("self", "other")), "other"),
    "argmax": method("argmax", "dim", "keepdim"),
    "cumsum": method("cumsum", "dim", "dtype"),
    "native_layer_norm": function("torch.native_layer_norm", ("input", "normalized_shape", "weight", "bias", "eps")),
    "scaled_dot_product_attention": function(
        f"{F}.scaled_dot_product_attention",
        ("query", "key", "value"),
        ("attn_mask", "dropout_p", "is_causal", "scale", "enable_gqa"),
    ),
    "conv1d": function(f"{F}.conv1d", ("input", "weight"), ("bias", "stride", "padding", "dilation", "groups")),
    "conv2d": function(f"{F}.conv2d", ("input", "weight"), ("bias", "stride", "padding", "dilation", "groups")),
    "addmm": function("torch.addmm", ("self", "mat1", "mat2"), ("beta", "alpha")),
    "baddbmm": function("torch.baddbmm", ("self", "batch1", "batch2"), ("beta", "alpha")),
    "einsum": function("torch.einsum", ("equation", "tensors")),
    "log1p": function("torch.log1p"),
    "floor": function("torch.floor"),
    "round": function("torch.round"),
}

# Python operators on sizes (SymInt arithmetic) -> infix.
OPERATORS = {
    operator.add: ("+", SUM),
    operator.sub: ("-", SUM),
    operator.mul: ("*", PRODUCT),
    operator.floordiv: ("//", PRODUCT),
    operator.truediv: ("/", PRODUCT),
    operator.mod: ("%", PRODUCT),
}
