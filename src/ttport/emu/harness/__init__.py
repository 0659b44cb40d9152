"""Run tt-metal's op tests and model ports on the emulator: `ttport run pytest <dir or file> [pytest args]`.

tt-metal's tests need three things besides `ttnn`: a `device` fixture (tt-metal's root conftest.py, which opens a
card), helpers from `tests.ttnn.utils_for_testing` and `models.(common.)utility_functions`, and a few model
helpers. The harness

* installs the emulator as `ttnn` (ttport.emu.install),
* stops pytest from loading conftest.py files above the target (`--confcutdir`): tt-metal's root conftest opens a
  card; the harness plugin (ttport.emu.harness.plugin) gives `device`, `mesh_device`, `device_params`,
  `reset_seeds`, `use_program_cache` instead,
* makes the helper modules importable: a checkout's own are used when they import; where they do not (they need
  loguru and tt-metal's build), small equivalents (ttport.emu.harness.shims) take their names.

None of this is under `ttnn.*`: the emulated ttnn holds real ttnn names only.
"""

from __future__ import annotations

import importlib
import os
import sys

from . import shims

PLUGIN = "ttport.emu.harness.plugin"


def provide_helpers() -> list[str]:
    """Make each tt-metal helper module importable; returns the names that got the harness's equivalents."""
    provided = []
    for name, module in shims.MODULES.items():
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - missing, or a checkout's copy that needs loguru / tt-metal's build
            sys.modules[name] = module  # found by full name: its parent packages need not exist
            provided.append(name)
    return provided


def target_dir(args: list[str]) -> str | None:
    """The directory of the first test path in pytest's arguments (for --confcutdir)."""
    for arg in args:
        path = arg.split("::")[0]
        if not arg.startswith("-") and os.path.exists(path):
            return os.path.abspath(path if os.path.isdir(path) else os.path.dirname(path))
    return None


def run_pytest(args: list[str]) -> int:
    """pytest `args` on the emulator, with the harness's fixtures and helpers; returns pytest's exit code."""
    import pytest

    from .. import install

    install()
    sys.path.insert(0, os.getcwd())  # a checkout's root, so `models.` and `tests.` import from it
    provided = provide_helpers()
    if provided:
        print(f"ttport harness: tt-metal helpers provided by the emulator: {', '.join(provided)}", file=sys.stderr)
    extra = ["-p", PLUGIN]
    directory = target_dir(args)
    if directory and not any(a.startswith("--confcutdir") for a in args):
        extra.append(f"--confcutdir={directory}")
    return int(pytest.main([*extra, *args]))
