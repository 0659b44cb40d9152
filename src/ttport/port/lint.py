"""Generated Python made to the project's style and checked: ruff's safe fixes and format, then ruff check,
Python 3.10 syntax, and only names and keywords real ttnn has (ttport.validate.api_check)."""

from __future__ import annotations

import ast
import pathlib
import tempfile

from ..formatting import ruff, ruff_installed, warn_unformatted
from ..validate.api_check import RecordedApi, check_source, recorded_api_path

_RUFF_OPTIONS = ["--isolated", "--line-length", "120", "--target-version", "py310"]
_RULES = ["--select", "E,F,W,I,UP,B", "--ignore", "B905"]


def format_sources(sources: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """(sources sorted and formatted by ruff, problems left: lint findings, syntax, ttnn API misuse); without ruff,
    the sources unformatted and unlinted (one warning), still checked for syntax and the ttnn API."""
    problems = [problem for path, text in sources.items() for problem in _syntax_problems(path, text)]
    if problems:
        return sources, problems
    if not ruff_installed():
        warn_unformatted()
        return sources, api_problems(sources)
    with tempfile.TemporaryDirectory(prefix="ttport-emit-") as directory:
        root = pathlib.Path(directory)
        for path, text in sources.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        ruff("check", "--fix", *_RULES, *_RUFF_OPTIONS, ".", cwd=root)  # ruff's safe fixes: imports, pyupgrade
        formatted = ruff("format", *_RUFF_OPTIONS, ".", cwd=root)
        if formatted.returncode != 0:
            return sources, [f"ruff format failed: {formatted.stderr.strip()}"]
        checked = ruff("check", "--output-format", "concise", *_RULES, *_RUFF_OPTIONS, ".", cwd=root)
        result = {path: (root / path).read_text() for path in sources}
    problems = [line for line in checked.stdout.splitlines() if line and ":" in line and not line.startswith("Found")]
    return result, problems + api_problems(result)


def _syntax_problems(path: str, text: str) -> list[str]:
    try:
        ast.parse(text, filename=path, feature_version=(3, 10))
    except SyntaxError as exc:
        return [f"{path}:{exc.lineno}: not valid Python 3.10: {exc.msg}"]
    return []


def api_problems(sources: dict[str, str]) -> list[str]:
    recorded = recorded_api_path()
    if not recorded.is_file():
        return [f"recorded ttnn API not found at {recorded}: ttnn names and keywords were not checked"]
    api = RecordedApi(recorded)
    found = [check_source(text, path, api) for path, text in sources.items() if "ttnn" in text]
    return [str(problem) for problems in found for problem in problems]
