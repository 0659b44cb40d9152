"""A symbolic size (a sympy expression over named dims) as Python source: sympy's own str prints `Max(0, n - 8)`
and torch's `FloorDiv(n, 2)`, names no generated module defines (MPT's ALiBi bias slice starts at
`max(0, bias_length - key_length)`)."""

from __future__ import annotations

from sympy.printing.str import StrPrinter


class _Printer(StrPrinter):
    def _call(self, name: str, expr) -> str:
        return f"{name}({', '.join(self._print(a) for a in expr.args)})"

    def _print_Max(self, expr) -> str:
        return self._call("max", expr)

    def _print_Min(self, expr) -> str:
        return self._call("min", expr)

    def _print_FloorDiv(self, expr) -> str:  # torch.utils._sympy.functions.FloorDiv
        base, divisor = (self.parenthesize(a, 1000) for a in expr.args)
        return f"({base} // {divisor})"

    def _print_PythonMod(self, expr) -> str:
        base, divisor = (self.parenthesize(a, 1000) for a in expr.args)
        return f"({base} % {divisor})"

    _print_Mod = _print_PythonMod


def size_source(expr) -> str:
    """`expr` as a Python expression over the names its symbols stand for."""
    return _Printer().doprint(expr)
