"""Dynamic sizes a call's ops take (view sizes, arange ends) and whether its inputs' shapes can spell them.

torch.export names each dynamic dimension once, after the root input it first saw it on (`attention_mask`,
`pixel_values`), and a child module's ops read that symbol through the root input. A generated function only has
its own arguments, so every symbolic size it uses must be an argument's dimension, or built from such dimensions.
"""

from __future__ import annotations

import sympy
import torch
from torch import fx


def dims(nodes: list[fx.Node]) -> list[tuple[fx.Node, int, object]]:
    """(node, dim, sympy expression) for every symbolic dimension of the given tensor nodes."""
    found = []
    for node in nodes:
        value = node.meta.get("val")
        for dim, size in enumerate(getattr(value, "shape", ()) if isinstance(value, torch.Tensor) else ()):
            if isinstance(size, torch.SymInt):
                found.append((node, dim, size.node.expr))
    return found


def spell(expr, known: list[tuple[fx.Node, int, object]]):
    """`expr` rewritten over the known dimensions: (expression, {symbol: (node, dim)}), or None.

    Compound dimensions stand for themselves (Mixtral's experts see `batch * seq` tokens and arange
    `2 * batch * seq`: that is `2 * hidden_states.shape[0]`), largest first so `a*b` is not split into `a`."""
    where: dict = {}
    for index, (node, dim, dimension) in enumerate(sorted(known, key=lambda k: -sympy.count_ops(k[2]))):
        if dimension.is_Symbol:
            where.setdefault(dimension, (node, dim))
        elif dimension.free_symbols and expr.has(*dimension.free_symbols):
            stand_in = sympy.Symbol(f"_dim{index}", integer=True, positive=True)
            rewritten = expr.subs(dimension, stand_in)
            if rewritten != expr:
                expr, where[stand_in] = rewritten, (node, dim)
    if not expr.free_symbols <= set(where):
        return None
    return expr, {symbol: where[symbol] for symbol in expr.free_symbols}


def expressible(expr, known: list[tuple[fx.Node, int, object]]) -> bool:
    """A size is a number, or arithmetic on the known dimensions."""
    return bool(getattr(expr, "is_number", False)) or spell(expr, known) is not None


def used_sizes(nodes: list[fx.Node]) -> list:
    """The symbolic sizes (sympy expressions) the given op nodes take as arguments, in first-use order."""
    found: dict = {}
    for node in nodes:
        if node.op != "call_function" or isinstance(node.meta.get("val"), (torch.SymInt, int)):
            continue
        for arg in node.all_input_nodes:
            value = arg.meta.get("val")
            if isinstance(value, torch.SymInt) and not value.node.expr.is_number:
                found.setdefault(value.node.expr, None)
    return list(found)


def missing_sizes(nodes: list[fx.Node], inputs: list[fx.Node]) -> list:
    """Sizes the ops use that their inputs' shapes cannot spell."""
    known = dims(inputs)
    return [expr for expr in used_sizes(nodes) if not expressible(expr, known)]


def spells(node: fx.Node, missing: list) -> bool:
    """The node's shape supplies one of the missing sizes (as a dimension or one of its symbols)."""
    exprs = [e for _, _, e in dims([node])]
    return any(m in exprs or any(s in exprs for s in m.free_symbols) for m in missing)
