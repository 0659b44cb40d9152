"""Generated source formatted in the project's style (ruff format, 120 columns, Python 3.10 target)."""

from __future__ import annotations

import ast
import textwrap

from ..formatting import ruff, ruff_installed, warn_unformatted

COLUMNS = 120


def docstring(summary: str, indent: str = "") -> str:
    """A docstring wrapped to the generated code's 120 columns. ruff format leaves long docstrings as they are, and
    puts the closing quotes of a one-line docstring on its line, so a one-line text leaves room for both quotes."""
    width = COLUMNS - len(indent) - 3  # the opening quotes
    text = textwrap.fill(summary, width, break_on_hyphens=False, subsequent_indent=indent)
    if "\n" not in text and len(text) > width - 3:
        text = textwrap.fill(summary, width - 3, break_on_hyphens=False, subsequent_indent=indent)
    return f'{indent}"""{text}"""' if "\n" not in text else f'{indent}"""{text}\n{indent}"""'


def format_source(source: str) -> str:
    """ruff format (the project's style: 120 columns); the source unchanged (one warning) if ruff is not installed."""
    if not ruff_installed():
        warn_unformatted()
        ast.parse(source)  # a SyntaxError names the line, as ruff would have
        return source
    result = ruff("format", "--line-length", str(COLUMNS), "--target-version", "py310", "-", stdin=source)
    if result.returncode != 0:
        raise SyntaxError(f"generated code does not parse:\n{result.stderr}\n{source}")
    return result.stdout
