"""Canonical form of a generated function: equal for two functions that differ only in their local names.

Two instances of one module class compute the same function when their generated code is equal up to the names
of local values (`silu_1_torch` in one, `silu_4_torch` in the other: names taken from per-instance graph nodes).
Parameters, keywords, attributes and callees keep their names: they are the function's interface.
"""

from __future__ import annotations

import ast


def canonical(source: str) -> str:
    """The function's syntax tree with its name and local variables renamed in order of first assignment.

    >>> one, other = "def f(x):\\n    a_1 = x + 1\\n    return a_1", "def g(x):\\n    a_4 = x + 1\\n    return a_4"
    >>> canonical(one) == canonical(other)
    True
    """
    tree = ast.parse(source)
    function = next(node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef))
    function.name = "_"
    names = _Locals({argument.arg for argument in ast.walk(function.args) if isinstance(argument, ast.arg)})
    names.visit(function)
    return ast.dump(_Rename(names.order).visit(function), annotate_fields=False)


class _Locals(ast.NodeVisitor):
    """Names the function assigns (statement targets, loop variables), first assignment first; parameters keep
    theirs."""

    def __init__(self, parameters: set[str]):
        self.parameters = parameters
        self.order: dict[str, str] = {}

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store) and node.id not in self.order and node.id not in self.parameters:
            self.order[node.id] = f"_{len(self.order)}"


class _Rename(ast.NodeTransformer):
    def __init__(self, order: dict[str, str]):
        self.order = order

    def visit_Name(self, node: ast.Name) -> ast.Name:
        return ast.copy_location(ast.Name(self.order.get(node.id, node.id), node.ctx), node)
