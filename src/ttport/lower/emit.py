"""Planned steps -> function text: conversions between forms, deallocation after last use, names, loops."""

from __future__ import annotations

import math
import re

from torch import fx

from ..codegen.body import wanted_name
from ..codegen.naming import Names, safe
from ..codegen.statements import Statement, reroll
from .graph import arguments, meta, op_name
from .steps import DEVICE_FORMS, DIRECT, Step, conversion, overflows_bfloat16

_LIST_MEMBER = re.compile(r"\.\d+$")
VIEWS = {"view", "reshape", "_unsafe_view", "unsqueeze", "squeeze", "flatten"}


def insert_conversions(lowering) -> None:
    """Each value read in a form it is not produced in gets one conversion, right after it is produced."""
    produced = {(node, form) for node, form in lowering.form.items() if node in lowering.inputs}
    for step in lowering.steps:
        produced.update(step.outputs)
    needed = []
    for step in lowering.steps:
        lowering.at = step
        for key in step.reads:
            if key not in produced and key not in needed:
                needed.append(key)
    needed += [key for key in lowering.output_keys if key not in produced and key not in needed]  # NHWC returned
    lowering.at = None
    for key in needed:
        node, form = key
        native = (node, lowering.form.get(node, "host"))
        direct = native[1] == "host" or form == "host" or (native[1], form) in DIRECT
        chain = [native, key] if direct else [native, (node, "host"), key]
        for source, target in zip(chain, chain[1:]):
            if target in produced:
                continue
            clamp = target[1] == "tile" and _beyond_bfloat16(lowering, node)
            template, suffix = conversion(source, target[1], clamp=clamp)
            step = Step(
                [target],
                [source],
                (lambda t=template, s=source: t.format(x=lowering.name_of(s))),
                comment=BEYOND_BFLOAT16 if clamp else "",
                device_ops=_conversion_ops(source[1], target[1]),
            )
            step.suffix = suffix
            step.fresh = {target: target[1] in DEVICE_FORMS}
            index = _after_producer(lowering.steps, source)
            lowering.steps.insert(index, step)
            produced.add(target)


def _conversion_ops(start: str, form: str) -> tuple:
    if (start, form) in DIRECT:
        return ("ttnn.permute",)
    return ("ttnn.from_torch",) if form in DEVICE_FORMS else ("ttnn.to_torch",)


BEYOND_BFLOAT16 = "float32's minimum/maximum would round to -inf/inf in bfloat16 (NaN softmax rows): clamped"


def _beyond_bfloat16(lowering, node) -> bool:
    """The host value is computed (in this function, on host) with a constant bfloat16 cannot hold."""
    seen, stack = set(), [node]
    while stack:
        current = lowering.resolve(stack.pop())
        if current in seen or current.op != "call_function" or lowering.form.get(current) != "host":
            continue
        seen.add(current)
        if any(overflows_bfloat16(v) for v in _flat(arguments(current).values())):
            return True
        stack += current.all_input_nodes
    return False


def _flat(values):
    for value in values:
        if isinstance(value, (list, tuple)):
            yield from _flat(value)
        else:
            yield value


def _after_producer(steps: list[Step], key) -> int:
    for index, step in enumerate(steps):
        if key in step.outputs:
            return index + 1
    return 0


class Plan:
    """Positions of definitions and last reads, deallocation points and buffer groups of one function."""

    def __init__(self, lowering):
        self.lowering = lowering
        steps = lowering.steps
        self.defined = {key: i for i, step in enumerate(steps) for key in step.outputs}
        self.last_read: dict = {}
        for i, step in enumerate(steps):
            for key in step.reads:
                self.last_read[key] = i
        end = len(steps)
        self.outputs = set(lowering.output_keys)
        for key in self.outputs:
            self.last_read[key] = end
        self.parent = {}
        for step in steps:
            for out, source in step.shares.items():
                self.parent[out] = source
        self.deallocate_after = self._deallocations()

    def root(self, key):
        while key in self.parent:
            key = self.parent[key]
        return key

    def _deallocations(self) -> dict[int, list]:
        groups: dict = {}
        for key in list(self.defined) + [k for k in self.lowering.input_keys]:
            groups.setdefault(self.root(key), []).append(key)
        fresh = {key: step.fresh.get(key, True) for step in self.lowering.steps for key in step.outputs}
        after: dict[int, list] = {}
        for members in groups.values():
            if any(k in self.outputs or k in self.lowering.input_keys or not fresh.get(k, False) for k in members):
                continue
            if any(k[1] not in DEVICE_FORMS or not _is_tensor(k[0]) for k in members):
                continue
            last = max(self.last_read.get(k, self.defined[k]) for k in members)
            if self._carried(members, last):
                continue
            target = max(members, key=lambda k: self.defined[k])
            after.setdefault(last, []).append(target)
        return after

    def _carried(self, members, last: int) -> bool:
        """A value one ModuleList member's call hands to the next: freed by the loop, not by name."""
        steps = self.lowering.steps
        producer = steps[self.defined[members[0]]]
        reader = steps[last] if last < len(steps) else None
        return all(
            s is not None and s.call is not None and _LIST_MEMBER.search(s.call.path) for s in (producer, reader)
        )

    def busy_until(self, key) -> int:
        last = self.last_read.get(key, self.defined.get(key, 0))
        targets = {k for keys in self.deallocate_after.values() for k in keys}
        return last + 1 if key in targets else last


def assign_names(lowering, plan: Plan) -> None:
    taken = set(lowering.context.function_names) | {"parameters", "device", "ttnn", "torch"}
    taken |= set(lowering.builder.kwargs)
    names = Names(taken)
    lowering.names = {}
    for key in lowering.input_keys:
        expr = lowering.inputs[key[0]]
        lowering.names[key] = expr
        names.hold(expr.split("[", 1)[0], plan.last_read.get(key, -1))
    wanted = lowering.wanted
    for position, step in enumerate(lowering.steps):
        for key in step.outputs:
            unused = key not in plan.last_read and not any(key in keys for keys in plan.deallocate_after.values())
            if unused and step.unpack:
                lowering.names[key] = "_"
                continue
            base = step.names.get(key) or wanted.of(key[0])
            suffix = step.suffix
            if suffix and step.reads and step.reads[0] in lowering.names:  # named after what it converts
                base = lowering.names[step.reads[0]].split("[", 1)[0]
            lowering.names[key] = names.assign(f"{base}_{suffix}" if suffix else base, position, plan.busy_until(key))


class Wanted:
    """Names from the model's source lines; a reshape or transpose in a chain takes the name of what it feeds."""

    def __init__(self, lowering):
        self.lowering = lowering
        self.position = {item.node: i for i, item in enumerate(lowering.items) if item.node is not None}
        self.cache: dict = {}

    def of(self, node) -> str:
        if node in self.cache:
            return self.cache[node]
        self.cache[node] = "value"  # cycles cannot happen in a DAG; this guards odd graphs
        position = self.position.get(node)
        if node in self.lowering.inputs:  # a converted input is named after its parameter, not its fx node
            name = safe(self.lowering.inputs[node].split("[", 1)[0])
        elif position is None:
            name = safe(node.name)
        else:
            name = wanted_name(self.lowering.builder, self.lowering.items, position)
            if name.strip("_") == op_name(node).strip("_"):  # no name in the source: borrow a neighbour's
                name = self.borrowed(node) or name
        self.cache[node] = name
        return name

    def borrowed(self, node) -> str | None:
        """A view takes its single-use input's name; another unnamed op the name of the one op it feeds."""
        lowering = self.lowering
        sources = [lowering.resolve(n) for n in node.all_input_nodes if n.op != "get_attr"]
        if op_name(node) in VIEWS and sources and len(lowering.users.get(sources[0], [])) == 1:
            if sources[0] in self.position or sources[0] in lowering.inputs:
                return self.of(sources[0]) if sources[0] in self.position else None
        users = lowering.users.get(node, [])
        if len(users) == 1 and users[0].node is not None and node not in lowering.outputs:
            return self.of(users[0].node)
        return None


def render(lowering, plan: Plan, only=None, skip=()) -> list[Statement]:
    """Statements of the steps at `only` (all by default) except those at `skip`; a value made by a skipped step
    is an argument here, never deallocated."""
    statements = []
    skipped = {key for i in skip for key in lowering.steps[i].outputs}
    for position, step in enumerate(lowering.steps):
        if position in skip or (only is not None and position not in only):
            continue
        lowering.at = step
        lowering.builder.current = {node: lowering.names[(node, form)] for node, form in step.reads}
        text = step.render()
        for line in step.comment.splitlines():  # a long comment comes as several lines
            statements.append(Statement([], f"# {line}"))
        targets = [lowering.names[k] for k in step.outputs]
        if step.unpack and len(targets) == 1:
            targets = [targets[0] + ","]
        statements.append(Statement(targets, text, call=step.call))
        for key in plan.deallocate_after.get(position, []):
            if key not in skipped and only is None:
                statements.append(Statement([], f"ttnn.deallocate({lowering.names[key]})"))
    return statements


def peak_bytes(lowering, plan: Plan) -> int:
    """Largest sum of live device activations at any statement (inputs included), callees' peaks added."""
    sizes = {key: _bytes(key) for key in list(plan.defined) + list(lowering.input_keys)}
    freed = {k: p for p, keys in plan.deallocate_after.items() for k in keys}
    peak = 0
    for position, step in enumerate(lowering.steps):
        live = sum(
            size
            for key, size in sizes.items()
            if plan.defined.get(key, -1) <= position <= freed.get(key, plan.last_read.get(key, position))
        )
        inner = lowering.ports[step.call_key].peak_bytes if step.call_key else 0
        peak = max(peak, live + inner)
    return peak


def _is_tensor(node) -> bool:
    """A single tensor (a split's list of pieces is not; its pieces are freed one by one)."""
    return not isinstance(node, fx.Node) or meta(node) is not None


def _bytes(key) -> int:
    node, form = key
    value = meta(node)
    if value is None or form not in DEVICE_FORMS:
        return 0
    dims = [_captured(d) for d in value.shape] or [1]
    if form == "ids":
        return math.prod(dims) * 4
    rows = math.prod(dims[:-1]) if len(dims) > 1 else 1
    height = dims[-2] if len(dims) > 1 else 1
    batch = rows // max(height, 1)
    return batch * (-(-height // 32) * 32) * (-(-dims[-1] // 32) * 32) * 2


def _captured(size) -> int:
    """A dim at the captured inputs' shapes: a run-time size by its value in the captured forward."""
    if isinstance(size, int):
        return size
    hint = getattr(size.node, "hint", None)
    return hint if isinstance(hint, int) else 32


def loops(lowering, statements: list[Statement]) -> list[Statement]:
    taken = set(lowering.names.values()) | lowering.context.function_names  # a loop variable must not hide one
    return reroll(statements, lowering.context.list_lengths(lowering.call), taken)
