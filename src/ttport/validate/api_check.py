"""Check that TTNN code uses only names and keyword arguments real ttnn has.

The emulator accepts what real ttnn 0.81.1 accepts, but a port must also never lean on anything else: this scans
Python source for `ttnn.<name>` references, `ttnn.<op>(..., keyword=...)` calls and `from ttnn... import` lines,
and checks each against the API recorded from real ttnn (ttport/validate/data/ttnn_api_<version>.json, package data
written by tools/ttnn_oracle/record.py).
"""

from __future__ import annotations

import ast
import json
import pathlib
from dataclasses import dataclass

TTNN_VERSION = "0.81.1"
# Package data, so that an installed wheel checks ports as the checkout does.
DATA_DIR = pathlib.Path(__file__).parent / "data"


def recorded_api_path(version: str = TTNN_VERSION) -> pathlib.Path:
    """Where the API recorded from real ttnn `version` is (tools/ttnn_oracle/record.py writes it)."""
    return DATA_DIR / f"ttnn_api_{version}.json"


@dataclass(frozen=True)
class ApiProblem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class RecordedApi:
    """The recorded names, each operation's accepted keywords (over all overloads) and enum members."""

    def __init__(self, path: pathlib.Path | None = None):
        path = recorded_api_path() if path is None else path
        recorded = json.loads(pathlib.Path(path).read_text())
        self.version = recorded["ttnn_version"]
        self.names = recorded["names"]
        self.enums = {name: {m["name"] for m in entry["members"]} for name, entry in recorded["enums"].items()}

    def keywords(self, name: str) -> set[str] | None:
        """Keywords `name` accepts, or None when any are (a **kwargs parameter or no recorded signature)."""
        entry = self.names[name]
        signatures = entry.get("signatures") or entry.get("init") or []
        if not signatures:
            return None
        accepted = set()
        for signature in signatures:
            for parameter in signature["parameters"]:
                if parameter["kind"] == "VAR_KEYWORD":
                    return None
                if parameter["kind"] in ("POSITIONAL_OR_KEYWORD", "KEYWORD_ONLY"):
                    accepted.add(parameter["name"])
        return accepted - {"self"}


def _dotted(node: ast.AST) -> str | None:
    """'ttnn.transformer.attention_softmax_' for that attribute chain rooted at the name `ttnn`, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id == "ttnn" and parts:
        return ".".join(reversed(parts))
    return None


def _known(api: RecordedApi, dotted: str) -> str | None:
    """The recorded name `dotted` refers to (itself, or the enum / class it is a member of), or None."""
    if dotted in api.names:
        return dotted
    head, _, member = dotted.rpartition(".")
    if head in api.enums and member in api.enums[head]:
        return head
    if head in api.names and member in api.names[head].get("members", {}):
        return head
    return None


def check_source(source: str, path: str, api: RecordedApi) -> list[ApiProblem]:
    problems = []
    tree = ast.parse(source, filename=path)
    inner = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "ttnn":
            prefix = node.module.removeprefix("ttnn").lstrip(".")
            for alias in node.names:
                name = f"{prefix}.{alias.name}" if prefix else alias.name
                if _known(api, name) is None:
                    problems.append(
                        ApiProblem(
                            path, node.lineno, f"ttnn.{name} is not in the recorded API of real ttnn {api.version}"
                        )
                    )
        elif isinstance(node, ast.Attribute) and id(node) not in inner:  # the whole chain ttnn.a.b, once
            dotted = _dotted(node)
            if dotted is not None and _known(api, dotted) is None and not _is_prefix(api, dotted):
                problems.append(
                    ApiProblem(
                        path, node.lineno, f"ttnn.{dotted} is not in the recorded API of real ttnn {api.version}"
                    )
                )
        elif isinstance(node, ast.Call) and (dotted := _dotted(node.func)) in api.names:
            accepted = api.keywords(dotted)
            for keyword in node.keywords:
                if keyword.arg is not None and accepted is not None and keyword.arg not in accepted:
                    problems.append(
                        ApiProblem(
                            path,
                            keyword.value.lineno,
                            f"ttnn.{dotted} has no keyword argument {keyword.arg!r} in the recorded API of real ttnn "
                            f"{api.version} "
                            f"(it takes {', '.join(sorted(accepted))})",
                        )
                    )
    return problems


def _is_prefix(api: RecordedApi, dotted: str) -> bool:
    """`ttnn.transformer` and `ttnn.model_preprocessing` are modules, the prefix of recorded names."""
    return any(name.startswith(dotted + ".") for name in api.names)


def check_paths(paths, api: RecordedApi) -> list[ApiProblem]:
    problems = []
    for path in paths:
        source = pathlib.Path(path).read_text()
        if "ttnn" in source:
            problems += check_source(source, str(path), api)
    return problems
