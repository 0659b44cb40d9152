"""Readable names: from the source line that assigned a value, from attribute names, from op names."""

from __future__ import annotations

import ast
import builtins
import functools
import inspect
import keyword
import linecache
import re
import textwrap

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


def mentioned(found: list[tuple[str, int, str]]) -> set[str]:
    """Identifiers (names, attributes, parameters) of the functions enclosing these (file, line, code) frames."""
    names: set[str] = set()
    for file, line, _ in found:
        names |= _enclosing_names(file, line)
    return names


@functools.cache
def _functions(file: str) -> tuple:
    """(first line, last line, identifiers) of every function in a source file; empty if it cannot be read."""
    try:
        tree = ast.parse("".join(linecache.getlines(file)))
    except (SyntaxError, ValueError):
        return ()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            names |= {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
            names |= {n.arg for n in ast.walk(node) if isinstance(n, ast.arg)}
            found.append((node.lineno, node.end_lineno or node.lineno, frozenset(names)))
    return tuple(found)


def _enclosing_names(file: str, line: int) -> frozenset:
    enclosing = [f for f in _functions(file) if f[0] <= line <= f[1]]
    return min(enclosing, key=lambda f: f[1] - f[0])[2] if enclosing else frozenset()


@functools.cache
def construction_names(cls: type, attribute: str) -> frozenset:
    """Identifiers in the `self.<attribute> = ...` statement of the class's __init__: where an inline child's
    sizes come from (`self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)`)."""
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass.__module__.startswith("torch."):
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(init)))
        except (OSError, TypeError, SyntaxError):
            continue
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and any(_is_self_attribute(t, attribute) for t in targets):
                value = node.value
                return frozenset(
                    {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
                    | {n.attr for n in ast.walk(value) if isinstance(n, ast.Attribute)}
                )
    return frozenset()


def _is_self_attribute(target, attribute: str) -> bool:
    return (
        isinstance(target, ast.Attribute)
        and target.attr == attribute
        and isinstance(target.value, ast.Name)
        and target.value.id == "self"
    )


@functools.cache
def runtime_attributes(cls: type) -> frozenset:
    """Attributes read outside __init__ in the class's source file (`module.num_key_value_groups` in a helper
    the forward calls, whose frame export does not record): the module's own values its forward uses."""
    try:
        file = inspect.getsourcefile(cls)
    except TypeError:
        return frozenset()
    if file is None:
        return frozenset()
    try:
        tree = ast.parse("".join(linecache.getlines(file)))
    except (SyntaxError, ValueError):
        return frozenset()
    found = set()
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and function.name != "__init__":
            reads = (n for n in ast.walk(function) if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Load))
            found |= {n.attr for n in reads}
    return frozenset(found)
