"""Python expressions with precedence, so nested ops get exactly the parentheses they need."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

# Python operator precedence, higher binds tighter.
ATOM, POWER, UNARY, PRODUCT, SUM, BITAND, COMPARE, TERNARY = 100, 90, 80, 70, 60, 50, 40, 10


@dataclass(frozen=True)
class Expr:
    text: str
    precedence: int = ATOM

    def at(self, precedence: int) -> str:
        """The text, parenthesised if it binds looser than `precedence` needs."""
        return self.text if self.precedence >= precedence else f"({self.text})"


def literal(value) -> str:
    """Source text of a Python constant as it appears in an op's arguments."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return repr(value)
    if isinstance(value, float):
        if math.isnan(value):
            return 'float("nan")'
        if math.isinf(value):
            return 'float("inf")' if value > 0 else '-float("inf")'
        return repr(value)
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, torch.dtype):
        return str(value)
    if isinstance(value, torch.memory_format):
        return str(value)
    if isinstance(value, torch.layout):
        return str(value)
    raise TypeError(f"no literal for {type(value).__name__}")
