"""The `ttnn` modules the emulator installs: real ttnn 0.81.1's names only, and a clear word for every other name.

ttport.emu holds the emulator and its own API (install, set_numerics, trace, errors, ...). What code sees as `ttnn`
is built here: one module per real ttnn module path (`ttnn`, `ttnn.transformer`, `ttnn.device`,
`ttnn.operations.core`, ...), each holding the emulated objects whose names real ttnn has at that path, as
recorded by tools/ttnn_oracle/record.py ("module_names"). A name real ttnn has but the emulator does not raises
"... is real ttnn but not emulated yet"; any other name "... is not a ttnn name". So code that runs here uses only
names that exist on a card.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import json
import types

from ..validate.api_check import recorded_api_path  # stdlib-only module: the recorded API ships as package data

# Where each real module's emulated objects come from; any other real module path takes the names it shares with
# the top level (real ttnn's submodules re-export the same objects: ttnn.operations.core.from_torch is ttnn.from_torch).
SOURCES = {
    "ttnn": "ttport.emu",
    "ttnn.transformer": "ttport.emu.transformer",
    "ttnn.model_preprocessing": "ttport.emu.model_preprocessing",
    "ttnn.experimental": "ttport.emu.experimental",
    "ttnn.dot_access": "ttport.emu.dot_access",
}
OWN_NAMESPACE = (
    "ttnn.experimental",
    "ttnn.transformer",
    "ttnn.model_preprocessing",
    "ttnn.dot_access",
)  # no top-level fallback


@functools.cache
def real_module_names() -> dict[str, frozenset[str]]:
    """Real ttnn's public names per module path (recorded)."""
    recorded = json.loads(recorded_api_path().read_text())["module_names"]
    return {path: frozenset(names) for path, names in recorded.items()}


class TTNNModule(types.ModuleType):
    """A module of the emulated `ttnn`; unknown attributes say whether they are real ttnn names."""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        raise AttributeError(missing_name_message(self.__name__, name))


def missing_name_message(module: str, name: str) -> str:
    real = real_module_names().get(module, frozenset())
    if name in real:
        return (
            f"{module}.{name} is real ttnn (0.81.1) but not emulated by ttport yet; run this code on a Tenstorrent "
            "card, or replace the call (ttport.emu.registry.OPS lists what the emulator runs)"
        )
    close = difflib.get_close_matches(name, sorted(real), n=3)
    hint = f"; did you mean {', '.join(f'{module}.{c}' for c in close)}?" if close else ""
    return f"{module}.{name} is not a ttnn name (real ttnn 0.81.1 has no such attribute){hint}"


def _source_objects(path: str) -> dict[str, object]:
    names = {}
    if path not in OWN_NAMESPACE:
        names.update(vars(importlib.import_module("ttport.emu")))
    if path in SOURCES:
        names.update(vars(importlib.import_module(SOURCES[path])))
    return names


def build() -> dict[str, TTNNModule]:
    """Fresh `ttnn` modules by path, each holding the emulated objects real ttnn has there."""
    modules = {}
    for path, real in real_module_names().items():
        module = TTNNModule(path, f"ttnn (ttport CPU emulator of real ttnn 0.81.1's {path})")
        module.__ttport_emulator__ = True
        module.__version__ = "0.81.1+ttport.emu"  # code that checks ttnn.__version__ sees the emulated version
        available = _source_objects(path)
        for name in real & available.keys():
            value = available[name]
            if not isinstance(value, types.ModuleType):
                setattr(module, name, value)
        modules[path] = module
    for path, module in modules.items():  # submodules as attributes of their parent: ttnn.operations.core
        parent, _, child = path.rpartition(".")
        if parent in modules:
            setattr(modules[parent], child, module)
    return modules
