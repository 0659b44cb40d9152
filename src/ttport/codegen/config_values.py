"""Literals in a module's graph -> named configuration values (num_attention_heads, layer_norm_eps, ...)."""

from __future__ import annotations

import torch

from .naming import safe, snake

# Config fields tried first when one value has several names.
PREFERRED = (
    "hidden_size",
    "num_attention_heads",
    "num_key_value_heads",
    "head_dim",
    "intermediate_size",
    "layer_norm_eps",
    "rms_norm_eps",
    "layer_norm_epsilon",
    "d_model",
    "d_kv",
    "d_ff",
    "num_heads",
)
# Fields that are never a shape or a scale in the graph even when their value coincides.
IGNORED_SUFFIXES = ("_id", "_layers", "_size_divisor", "vocab_size", "_idx")


def _scalars(obj) -> list[tuple[str, object]]:
    items = []
    for name, value in vars(obj).items():
        if name.startswith("_") or name == "training" or isinstance(value, bool):
            continue
        if isinstance(value, (int, float)) and not name.endswith(IGNORED_SUFFIXES):
            items.append((name, value))
    return items


class ConfigNames:
    """Candidate names for a literal in one module: its own attributes, the model config, its inline children.

    Each candidate carries the identifier the model's code must mention for the literal to be that value: the
    attribute or config field (`self.head_dim`, `config.hidden_size`), or the inline child (`self.LayerNorm(x)`
    for its eps). A literal is named only where the code that computed it mentions that identifier; a value that
    merely coincides with a config field (BLOOM's `permute(0, 2, 1, 3)` and `n_layer=2`) stays a literal."""

    def __init__(self, module: torch.nn.Module, config, inline_children: list[tuple[str, torch.nn.Module]]):
        self.candidates: list[tuple[str, object, str]] = [(n, v, n) for n, v in _scalars(module)]
        if config is not None:
            fields = dict(_scalars(config))
            self.candidates += [(n, fields[n], n) for n in PREFERRED if n in fields]
            self.candidates += [(n, v, n) for n, v in fields.items() if n not in PREFERRED]
        for child_name, child in inline_children:
            token = child_name.rsplit(".", 1)[-1]
            self.candidates += [(f"{snake(child_name)}_{n}", v, token) for n, v in _scalars(child)]

    def name(self, value, taken: dict, mentioned: set[str]) -> str | None:
        """A name for `value` not bound to another value in `taken` (the function's keyword arguments), among
        candidates whose identifier is in `mentioned` (the names the computing code uses)."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        if isinstance(value, int) and value < 2:
            return None
        if isinstance(value, float) and (value in (0.0, 1.0, -1.0) or abs(value) > 1e30 or value != value):
            return None
        for name, candidate, token in self.candidates:
            if type(candidate) is type(value) and candidate == value and token in mentioned:
                name = safe(name)
                if taken.get(name, value) == value:
                    taken[name] = value
                    return name
        return None
