"""A child call's argument rebuilt from the tensors the child reads in it: one tensor, or a nested tuple / list /
dict shaped like the argument the real forward passed (Funnel passes `attention_inputs = (position_embeds, ...)`
with `position_embeds` a list of tensors). Leaves the child does not read are passed as `None`, or as the literal
the real forward passed when it is a plain scalar: the child's graph holds that value as a constant, never reads it."""

from __future__ import annotations

import re

_STEP = re.compile(r"\[(\d+)\]|\[(['\"])(\w+)\2\]")
_SCALARS = (bool, int, float, str, type(None))


def path_of(suffix: str) -> tuple | None:
    """'[0][\\'mask\\']' -> (0, 'mask'); None when the suffix is not a chain of index / key steps."""
    steps, at = [], 0
    for match in _STEP.finditer(suffix):
        if match.start() != at:
            return None
        steps.append(int(match[1]) if match[1] is not None else match[3])
        at = match.end()
    return tuple(steps) if at == len(suffix) else None


def rebuild(parts: list[tuple[str, str]], example) -> str | None:
    """The argument's source text from (suffix, text) pairs, shaped like `example` (the recorded argument);
    None when the parts do not fit it (the caller says what cannot be passed)."""
    if len(parts) == 1 and parts[0][0] == "":
        return parts[0][1]
    paths = {}
    for suffix, text in parts:
        path = path_of(suffix)
        if not path or paths.setdefault(path, text) != text:
            return None
    return _text(example, (), paths) if all(_fits(example, path) for path in paths) else None


def _fits(value, path: tuple) -> bool:
    for step in path:
        if isinstance(value, (tuple, list)) and isinstance(step, int) and step < len(value):
            value = value[step]
        elif isinstance(value, dict) and step in value:
            value = value[step]
        else:
            return False
    return True


def _text(value, prefix: tuple, paths: dict) -> str:
    if prefix in paths:
        return paths[prefix]
    if not any(path[: len(prefix)] == prefix for path in paths):
        return repr(value) if isinstance(value, _SCALARS) else "None"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_text(v, prefix + (k,), paths)}" for k, v in value.items()) + "}"
    items = [_text(v, prefix + (i,), paths) for i, v in enumerate(value)]
    if isinstance(value, list):
        return "[" + ", ".join(items) + "]"
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
