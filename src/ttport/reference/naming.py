"""Readable names: from the source line that assigned a value, from attribute names, from op names."""

from __future__ import annotations

import builtins
import keyword
import re

from torch import fx

_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>\S+)')
_TARGETS = re.compile(r"^\s*(?P<targets>[A-Za-z_][\w\s,]*?)\s*(?::[^=]+)?=(?!=)")
# Names a generated variable must not take (the function's own keyword, the module, shadowed builtins).
RESERVED = {"parameters", "torch", "self"} | set(dir(builtins)) | set(keyword.kwlist)


# Mixed-case words the case rule would split (SiLU -> si_lu): written as one word.
WORDS = {"SiLU": "Silu", "GeLU": "Gelu", "PReLU": "Prelu", "ReLU": "Relu", "ViT": "Vit"}  # longest first


def snake(name: str) -> str:
    """BertSelfAttention -> bert_self_attention, LayerNorm -> layer_norm, GELUActivation -> gelu_activation,
    SiLUActivation -> silu_activation."""
    for word, plain in WORDS.items():
        name = name.replace(word, plain)
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    name = re.sub(r"\W+", "_", name).strip("_").lower()
    return name or "value"


def frames(node: fx.Node) -> list[tuple[str, int, str]]:
    """(file, line, code) of the model's own frames in the node's stack trace, outermost first."""
    text = node.meta.get("stack_trace") or ""
    lines = text.splitlines()
    found = []
    for i, line in enumerate(lines):
        match = _FRAME.search(line)
        if match and "/torch/" not in match["file"]:
            code = lines[i + 1].strip() if i + 1 < len(lines) else ""
            found.append((match["file"], int(match["line"]), code))
    return found


def targets(code: str) -> list[str]:
    """Assignment targets of a source line: `a, b = f(x)` -> ["a", "b"]; no assignment -> []."""
    match = _TARGETS.match(code or "")
    if not match:
        return []
    names = [t.strip() for t in match["targets"].split(",") if t.strip()]
    return names if all(n.isidentifier() for n in names) else []


def safe(name: str) -> str:
    name = snake(name) if not name.isidentifier() else name
    return f"{name}_value" if name in RESERVED else name


class Names:
    """Variable names in one function: a name is reused only once its previous value is dead."""

    def __init__(self, taken: set[str]):
        self.taken = set(taken)  # never reassigned (parameters, sizes, keyword arguments)
        self.live_until: dict[str, int] = {}

    def assign(self, wanted: str, position: int, last_use: int) -> str:
        wanted = safe(wanted)
        candidate, n = wanted, 1
        while candidate in self.taken or self.live_until.get(candidate, -1) > position:
            n += 1
            candidate = f"{wanted}_{n}"
        self.live_until[candidate] = last_use
        return candidate

    def hold(self, name: str, last_use: int) -> None:
        self.live_until[name] = max(self.live_until.get(name, -1), last_use)
