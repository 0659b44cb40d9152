"""tt/ files from the lowered kinds: one file per KindPort.group, each importing exactly what its functions use.

The top kind's group is tt/ttnn_<model>.py; every other group g is tt/ttnn_<g>.py. A name a function reads and
does not define must be a builtin, one of the modules below, or another kind (imported from its group's file).
"""

from __future__ import annotations

import ast
import builtins
import symtable
from dataclasses import dataclass

from ..codegen.format import docstring
from ..ported import KindPort, LoweredModel

# Modules generated functions may use, with the import line and its isort section (stdlib first).
MODULES = {"math": ("import math", 0), "torch": ("import torch", 1), "ttnn": ("import ttnn", 1)}


class EmitError(Exception):
    """The lowered model cannot be written as a project (a name nothing defines, groups importing each other)."""


@dataclass(frozen=True)
class Signature:
    positional: list[str]  # the module inputs, in order
    keywords: list[str]  # keyword-only: "parameters" (if any) and config values


def signature(kind: KindPort, name: str | None = None) -> Signature:
    """The parameters of the function `name` (default `kind.name`) defined in `kind.source`."""
    name = name or kind.name
    tree = ast.parse(kind.source)
    function = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name), None)
    if function is None:
        raise EmitError(f"the lowered source of {kind.name} does not define a function named {name}")
    arguments = function.args
    positional = [a.arg for a in arguments.posonlyargs + arguments.args]
    return Signature(positional, [a.arg for a in arguments.kwonlyargs])


def file_stem(lowered: LoweredModel, group: str) -> str:
    return f"ttnn_{lowered.model_name}" if group == lowered.top.group else f"ttnn_{group}"


def groups(lowered: LoweredModel) -> dict[str, list[KindPort]]:
    """group -> its kinds, in the lowered order (callees first)."""
    grouped: dict[str, list[KindPort]] = {}
    for kind in lowered.kinds:
        grouped.setdefault(kind.group, []).append(kind)
    return grouped


def tt_files(lowered: LoweredModel) -> dict[str, str]:
    """Relative path under tt/ -> unformatted source, for every group; EmitError on a cycle or unknown name."""
    home = {kind.name: kind.group for kind in lowered.kinds}
    home |= {kind.prepare_name: kind.group for kind in lowered.kinds if kind.prepare_inputs}
    imports = {group: _imports(lowered, kinds, home) for group, kinds in groups(lowered).items()}
    _refuse_cycles({group: set(local) for group, (_, local) in imports.items()})
    files = {}
    for group, kinds in groups(lowered).items():
        modules, local = imports[group]
        files[f"{file_stem(lowered, group)}.py"] = _file_text(lowered, group, kinds, modules, local)
    return files


def _imports(lowered: LoweredModel, kinds: list[KindPort], home: dict[str, str]):
    """(modules used, {other group: kind names used}) for one group's functions."""
    modules: set[str] = set()
    local: dict[str, set[str]] = {}
    for kind in kinds:
        for name in sorted(free_names(kind.source)):
            if name in MODULES:
                modules.add(name)
            elif name in home:
                if home[name] != kind.group:
                    local.setdefault(home[name], set()).add(name)
            elif not hasattr(builtins, name):
                raise EmitError(
                    f"the lowered function {kind.name} reads {name!r}, which is neither a ttnn/torch/math module, "
                    "a builtin, nor another lowered function"
                )
    return modules, local


def free_names(source: str) -> set[str]:
    """Global names the source reads but does not define at module level."""
    table = symtable.symtable(source, "<lowered>", "exec")
    defined = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
    defined |= {child.get_name() for child in table.get_children() if child.get_type() == "function"}
    used: set[str] = {s.get_name() for s in table.get_symbols() if s.is_referenced()}
    stack = list(table.get_children())
    while stack:
        child = stack.pop()
        stack.extend(child.get_children())
        used |= {s.get_name() for s in child.get_symbols() if s.is_global() and s.is_referenced()}
    return used - defined


def _refuse_cycles(edges: dict[str, set[str]]) -> None:
    state: dict[str, int] = {}

    def visit(group: str, trail: list[str]) -> None:
        if state.get(group) == 2:
            return
        if state.get(group) == 1:
            cycle = " -> ".join(trail[trail.index(group) :] + [group])
            raise EmitError(f"tt/ files would import each other ({cycle}): put these kinds in one group")
        state[group] = 1
        for callee in sorted(edges.get(group, ())):
            visit(callee, trail + [group])
        state[group] = 2

    for group in sorted(edges):
        visit(group, [])


def _file_text(lowered, group, kinds, modules: set[str], local: dict[str, set[str]]) -> str:
    names = ", ".join(kind.name for kind in kinds)
    lines = [docstring(f"{lowered.model_name} in TTNN, generated by ttport port: {names}."), ""]
    sections = [sorted(MODULES[m][0] for m in modules if MODULES[m][1] == section) for section in (0, 1)]
    for section in sections:
        if section:
            lines += section + [""]
    for other in sorted(local, key=lambda g: file_stem(lowered, g)):
        lines.append(f"from .{file_stem(lowered, other)} import {', '.join(sorted(local[other]))}")
    if local:
        lines.append("")
    body = "\n\n".join(kind.source.strip("\n") + "\n" for kind in kinds)
    return "\n".join(lines) + "\n" + body
