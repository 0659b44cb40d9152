"""Generated source formatted in the project's style (ruff format, 120 columns, Python 3.10 target)."""

from __future__ import annotations

import ast

from ..formatting import ruff, ruff_installed, warn_unformatted


def format_source(source: str) -> str:
    """ruff format (the project's style: 120 columns); the source unchanged (one warning) if ruff is not installed."""
    if not ruff_installed():
        warn_unformatted()
        ast.parse(source)  # a SyntaxError names the line, as ruff would have
        return source
    result = ruff("format", "--line-length", "120", "--target-version", "py310", "-", stdin=source)
    if result.returncode != 0:
        raise SyntaxError(f"generated code does not parse:\n{result.stderr}\n{source}")
    return result.stdout
