"""Which source expression wrote one entry of an op's size list: `x.view(b, s, self.num_heads, self.head_dim)`.

A literal in a size list is named after a config value only where the source expression at that position mentions
it. Matching the whole function's identifiers instead names DETR's sequence length (16) `head_dim` because the
head size is also 16 and the same line mentions `self.head_dim`. The graph's list lines up with the source call's
arguments by position; where it cannot be lined up unambiguously, the entry has no source expression (None) and the
caller keeps the literal, which is always correct."""

from __future__ import annotations

import ast
import functools
import linecache

# aten op (overload packet name) -> the source calls that produce it with the same size list.
SOURCE_CALLS = {
    "view": {"view", "reshape"},
    "_unsafe_view": {"view", "reshape"},
    "reshape": {"view", "reshape"},
    "expand": {"expand", "broadcast_to"},
    "repeat": {"repeat", "tile"},
    "zeros": {"zeros", "new_zeros"},
    "ones": {"ones", "new_ones"},
    "full": {"full", "new_full"},
    "empty": {"empty", "new_empty"},
    "new_zeros": {"new_zeros", "zeros"},
    "new_ones": {"new_ones", "ones"},
    "new_full": {"new_full", "full"},
    "new_empty": {"new_empty", "empty"},
}
# Receivers that make `ns.f(tensor, sizes)` a function call whose first argument is the tensor, not a size.
NAMESPACES = {"torch", "F", "nn", "functional", "Tensor"}
KEYWORDS = {"size", "shape", "normalized_shape", "dims"}
RESOLVE_DEPTH = 3  # how many `name = expr` assignments are followed back from a name


def slot_identifiers(file: str, line: int, op: str, index: int, length: int) -> frozenset | None:
    """Identifiers of the source expression at `index` of the `length`-long size list the call on `line` passes to
    `op`; None when no call lines up or several line up differently."""
    tree = _tree(file)
    function = _enclosing(tree, line, (ast.FunctionDef, ast.AsyncFunctionDef)) if tree else None
    statement = _enclosing(function, line, ast.stmt) if function else None
    if statement is None:
        return None
    bindings = _bindings(function)
    names = SOURCE_CALLS.get(op, {op})
    found = {}
    for call in ast.walk(statement):
        if isinstance(call, ast.Call) and _called_name(call) in names:
            for sequence in _sequences(call, bindings):
                expr = _align(sequence, index, length)
                if expr is not None:
                    found[ast.dump(expr)] = expr
    if len(found) != 1:
        return None
    return _identifiers(next(iter(found.values())), bindings, RESOLVE_DEPTH)


@functools.cache
def _tree(file: str) -> ast.Module | None:
    try:
        return ast.parse("".join(linecache.getlines(file)))
    except (SyntaxError, ValueError):
        return None


def _enclosing(root: ast.AST, line: int, kinds) -> ast.AST | None:
    """The smallest node of `kinds` under root (root included) whose lines span `line`."""
    spans = [n for n in ast.walk(root) if isinstance(n, kinds) and n.lineno <= line <= (n.end_lineno or n.lineno)]
    return min(spans, key=lambda n: (n.end_lineno or n.lineno) - n.lineno) if spans else None


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _bindings(function: ast.AST) -> dict[str, list[ast.expr]]:
    """name -> the expressions assigned to it in the function (tuple targets matched element by element)."""
    found: dict[str, list[ast.expr | None]] = {}
    arguments = function.args
    for argument in arguments.posonlyargs + arguments.args + arguments.kwonlyargs:
        found[argument.arg] = [None]  # a parameter: its value is the caller's
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                _bind(target, node.value, found)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            _bind(node.target, node.value, found)
        elif isinstance(node, (ast.AugAssign, ast.For, ast.comprehension)):  # rebound to a value not written here
            _bind(node.target, None, found)
    return found


def _bind(target: ast.expr, value: ast.expr | None, found: dict) -> None:
    if isinstance(target, ast.Name):
        found.setdefault(target.id, []).append(value)
    elif isinstance(target, (ast.Tuple, ast.List)):
        paired = isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts)
        for i, element in enumerate(target.elts):
            _bind(element, value.elts[i] if paired else value, found)


def _single(values: list | None) -> ast.expr | None:
    """The one expression a name is bound to: assigned once, or always to the same text (GPT-2's `shape_kv` in
    both branches of an if)."""
    if not values or any(v is None for v in values) or len({ast.dump(v) for v in values}) != 1:
        return None
    return values[0]


def _resolved(expr: ast.expr, bindings: dict) -> ast.expr:
    """A name bound to a single expression, replaced by it (`hidden_shape`)."""
    for _ in range(RESOLVE_DEPTH):
        value = _single(bindings.get(expr.id)) if isinstance(expr, ast.Name) else None
        if value is None:
            return expr
        expr = value
    return expr


def _expanded(expr: ast.expr, bindings: dict) -> list[ast.expr] | None:
    """The elements of a sequence written in the source, stars of written sequences spread; None otherwise. A
    concatenation with a written sequence (Conv1D's `x.size()[:-1] + (self.nf,)`) counts its other operand as a
    star of unknown length."""
    expr = _resolved(expr, bindings)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        left, right = (_expanded(side, bindings) for side in (expr.left, expr.right))
        if left is None and right is None:
            return None
        return (left or [ast.Starred(value=expr.left)]) + (right or [ast.Starred(value=expr.right)])
    if not isinstance(expr, (ast.Tuple, ast.List)):
        return None
    elements = []
    for element in expr.elts:
        inner = _expanded(element.value, bindings) if isinstance(element, ast.Starred) else None
        elements += inner if inner is not None else [element]
    return elements


def _sequences(call: ast.Call, bindings: dict) -> list[list[ast.expr]]:
    """Ways the call's arguments can hold the size list: spread positionally or one sequence argument."""
    args = list(call.args)
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in NAMESPACES:
        args = args[1:] if _called_name(call) not in {"zeros", "ones", "full", "empty"} else args
    sequences = []
    spread = _expanded(ast.Tuple(elts=args), bindings)
    if spread is not None and not any(_expanded(a, bindings) is not None for a in spread):
        sequences.append(spread)
    for argument in args[:1] + [k.value for k in call.keywords if k.arg in KEYWORDS]:
        if not isinstance(argument, ast.Starred):
            elements = _expanded(argument, bindings)
            sequences += [elements] if elements is not None else []
    return sequences


def _align(sequence: list[ast.expr], index: int, length: int) -> ast.expr | None:
    """The element at graph position `index`: before a starred (unknown-length) element count from the start,
    after it from the end; positions the star covers, or a sequence that cannot have `length` entries, give None."""
    stars = [i for i, e in enumerate(sequence) if isinstance(e, ast.Starred)]
    if not stars:
        return sequence[index] if len(sequence) == length else None
    fixed = len(sequence) - len(stars)
    if fixed > length:
        return None
    if index < stars[0]:
        return sequence[index]
    from_end = length - index
    if from_end <= len(sequence) - stars[-1] - 1:
        return sequence[len(sequence) - from_end]
    return None


def _identifiers(expr: ast.expr, bindings: dict, depth: int) -> frozenset:
    """Names and attributes the expression uses, through names assigned once in the function."""
    found = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.Name):
            found.add(node.id)
            value = _single(bindings.get(node.id)) if depth > 0 else None
            if value is not None:
                found |= _identifiers(value, bindings, depth - 1)
    return frozenset(found)
