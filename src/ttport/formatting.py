"""ruff, which formats and lints generated code, as an optional tool: where it is not installed, generated files are
written unformatted and unlinted, with one warning per process, and the port goes on."""

from __future__ import annotations

import functools
import importlib.util
import subprocess
import sys


def ruff_installed() -> bool:
    return importlib.util.find_spec("ruff") is not None


@functools.cache
def warn_unformatted() -> None:
    print("ttport: ruff is not installed (pip install ruff): generated files are written unformatted", file=sys.stderr)


def ruff(*arguments: str, cwd=None, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`ruff ARGUMENTS` with this interpreter's ruff (callers check ruff_installed() first)."""
    command = [sys.executable, "-m", "ruff", *arguments]
    return subprocess.run(command, cwd=cwd, input=stdin, capture_output=True, text=True, check=False)
