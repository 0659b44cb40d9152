"""Make `import ttnn` work: the real package where it and a card are present, the emulator otherwise.

TTPORT_TTNN=emu|real|auto forces the choice (auto is the default). The emulator never replaces a working real
ttnn silently: every choice is reported by backend_description() (the pytest header and `ttport run` print it).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import sys

BACKEND_ENV = "TTPORT_TTNN"
DEVICE_NODE = "/dev/tenstorrent"  # the kernel driver's device directory; present only with a card
_choice: dict[str, str] = {}


def is_emulator(module) -> bool:
    """True for the `ttnn` modules the emulator installs (ttport.emu.surface), False for real ttnn."""
    return getattr(module, "__ttport_emulator__", False)


def _real_ttnn_spec():
    module = sys.modules.get("ttnn")
    if module is not None:
        return None if is_emulator(module) else module.__spec__
    return importlib.util.find_spec("ttnn")


@functools.cache
def _emulated_modules() -> dict:
    """The `ttnn` modules, built once so that every `import ttnn` sees the same objects."""
    from . import surface

    return surface.build()


def _install_emulator(reason: str) -> str:
    sys.modules.update(_emulated_modules())
    _choice.update(backend="emu", reason=reason)
    return "emu"


def _use_real(reason: str) -> str:
    importlib.import_module("ttnn")
    _choice.update(backend="real", reason=reason)
    return "real"


def install(backend: str | None = None) -> str:
    """Provide `ttnn`; returns "emu" or "real". `backend` (or $TTPORT_TTNN) is "emu", "real" or "auto"."""
    backend = (backend or os.environ.get(BACKEND_ENV) or "auto").lower()
    if backend not in ("emu", "real", "auto"):
        raise ValueError(f"{BACKEND_ENV} must be emu, real or auto, got {backend!r}")
    real_spec = _real_ttnn_spec()
    if backend == "real":
        if real_spec is None:
            raise ImportError(
                f"{BACKEND_ENV}=real but the real ttnn package is not importable here; install it "
                "(pip install ttnn, Python 3.10 or 3.12) or use TTPORT_TTNN=emu"
            )
        return _use_real("forced by TTPORT_TTNN=real")
    if backend == "emu":
        return _install_emulator(f"forced by {BACKEND_ENV}=emu")
    if real_spec is None:
        return _install_emulator("the real ttnn package is not installed")
    if not os.path.exists(DEVICE_NODE):
        return _install_emulator(
            f"real ttnn is installed but no Tenstorrent card was found ({DEVICE_NODE}); "
            f"set {BACKEND_ENV}=real to use it anyway"
        )
    return _use_real(f"real ttnn and a card ({DEVICE_NODE}) are present")


def backend_description() -> str:
    """One line saying which ttnn is in use and why, e.g. for a test-session header."""
    if not _choice:
        return "ttnn backend: not selected yet (call ttport.emu.install())"
    if _choice["backend"] == "emu":
        return f"ttnn backend: ttport CPU emulator (ttnn 0.81.1 API) — {_choice['reason']}"
    module = sys.modules["ttnn"]
    return f"ttnn backend: real ttnn {getattr(module, '__version__', '?')} from {module.__file__} — {_choice['reason']}"
