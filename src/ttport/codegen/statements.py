"""Statements of a generated function, and re-rolling of consecutive ModuleList calls into a loop."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Call:
    """A call of a child module's function: enough structure to re-roll a ModuleList into a loop."""

    path: str  # child path relative to the caller, e.g. "layer.3"
    function: str
    args: list[str]
    keywords: list[str]  # "name=value" texts, parameters= excluded
    parameters: str | None  # e.g. "parameters.layer[3]"


@dataclass
class Statement:
    targets: list[str]
    text: str  # right-hand side
    call: Call | None = None
    body: list[Statement] = field(default_factory=list)  # for loops
    header: str = ""  # for loops: "for layer in parameters.layer:"

    def lines(self, indent: str = "    ") -> list[str]:
        if self.header:
            return [indent + self.header] + [line for s in self.body for line in s.lines(indent + "    ")]
        if not self.targets:
            return [f"{indent}{self.text}"]
        return [f"{indent}{', '.join(self.targets)} = {self.text}"]


def call_text(call: Call, parameters: str | None) -> str:
    extra = [f"parameters={parameters}"] if parameters else []
    return f"{call.function}({', '.join(call.args + extra + call.keywords)})"


_INDEXED = re.compile(r"^(?P<list>.+)\.(?P<index>\d+)$")


def _list_member(statement: Statement):
    if statement.call is None or statement.call.parameters is None:
        return None
    match = _INDEXED.match(statement.call.path)
    return (match["list"], int(match["index"])) if match else None


def reroll(statements: list[Statement], list_lengths: dict[str, int], taken: set[str]) -> list[Statement]:
    """Runs of calls over consecutive ModuleList members with one function -> `for layer in parameters.layer:`."""
    out, i = [], 0
    while i < len(statements):
        run = _run_at(statements, i)
        if len(run) < 2:
            out.append(statements[i])
            i += 1
            continue
        out += _loop(run, list_lengths, taken)
        i += len(run)
    return out


def _run_at(statements: list[Statement], start: int) -> list[Statement]:
    first = _list_member(statements[start])
    if first is None:
        return []
    run = [statements[start]]
    for statement in statements[start + 1 :]:
        member = _list_member(statement)
        if member != (first[0], first[1] + len(run)) or not _same_shape(run[-1], statement, run[0] is run[-1]):
            break
        run.append(statement)
    return _trim_unused_targets(run)


def _same_shape(previous: Statement, statement: Statement, previous_is_first: bool) -> bool:
    a, b = previous.call, statement.call
    if a.function != b.function or a.keywords != b.keywords or statement.targets != previous.targets:
        return False
    if len(a.args) != len(b.args):
        return False
    carried = set(previous.targets) - {"_"}
    return all(y == x or (previous_is_first and y in carried) for x, y in zip(a.args, b.args))


def _trim_unused_targets(run: list[Statement]) -> list[Statement]:
    return run if len(run) >= 2 else []


def _loop(run: list[Statement], list_lengths: dict[str, int], taken: set[str]) -> list[Statement]:
    list_path, start = _list_member(run[0])
    prefix = run[0].call.parameters.rsplit("[", 1)[0]
    variable = _singular(list_path.rsplit(".", 1)[-1])
    if variable in taken:  # the loop variable must not hide a function or a value
        variable = f"{variable}_parameters"
    end = start + len(run)
    whole = start == 0 and end == list_lengths.get(list_path, -1)
    second = run[1].call
    if not whole:  # by index: an nn.Sequential's parameters are a dict with int keys, which cannot be sliced
        body = Statement(run[-1].targets, call_text(second, f"{prefix}[index]"), call=None)
        header = f"for index in range({start}, {end}):"
        before = [Statement([y], x) for x, y in zip(run[0].call.args, second.args) if x != y]
        return before + [Statement([], "", header=header, body=[body])]
    iterable = prefix
    before = [
        Statement([y], x) for x, y in zip(run[0].call.args, second.args) if x != y
    ]  # the first member reads the loop-carried value under another name
    body = Statement(run[-1].targets, call_text(second, variable), call=None)
    return before + [Statement([], "", header=f"for {variable} in {iterable}:", body=[body])]


def _singular(name: str) -> str:
    if len(name) <= 2:
        return "layer"
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name
