"""Reading fx nodes in a lowering: schema arguments by name, tensor metadata, users inside one function."""

from __future__ import annotations

import torch
from torch import fx

from ..capture.identity import op_name

_MISSING = object()


def arguments(node: fx.Node) -> dict:
    """Schema argument name -> value (defaults filled in) of an aten call; positional index -> value otherwise."""
    schema = getattr(node.target, "_schema", None)
    if schema is None:
        return dict(enumerate(node.args))
    values = {}
    for i, argument in enumerate(schema.arguments):
        if i < len(node.args) and not argument.kwarg_only:
            values[argument.name] = node.args[i]
        elif argument.name in node.kwargs:
            values[argument.name] = node.kwargs[argument.name]
        elif argument.has_default_value():
            values[argument.name] = argument.default_value
        else:
            values[argument.name] = None
    return values


def meta(node) -> torch.Tensor | None:
    value = node.meta.get("val") if isinstance(node, fx.Node) else None
    return value if isinstance(value, torch.Tensor) else None


def shape(node) -> tuple:
    value = meta(node)
    return tuple(value.shape) if value is not None else ()


def static_shape(node) -> tuple | None:
    """The shape with every dim an int, or None when a dim is symbolic."""
    dims = shape(node)
    return dims if all(isinstance(d, int) for d in dims) else None


def is_float(node) -> bool:
    value = meta(node)
    return value is not None and value.is_floating_point()


def same_shape(a, b) -> bool:
    return len(shape(a)) == len(shape(b)) and all(str(x) == str(y) for x, y in zip(shape(a), shape(b)))


def name(node: fx.Node) -> str:
    return op_name(node) if node.op == "call_function" else node.op


__all__ = ["arguments", "meta", "shape", "static_shape", "is_float", "same_shape", "name", "op_name"]
