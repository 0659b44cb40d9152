"""What `ttport port` checks before its slow stages: the project directory (`--out`), the model name, and that the
project can record how to rebuild the model.

Each refusal is one paragraph naming the directory and what to do. The directory must be writable, its last part
a Python identifier that shadows no importable package (the project is a package its tests import), and the
places a project occupies must hold only files an earlier port wrote, unless --force (which backs them up).
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import re
import sys
import tempfile

from ..specs import listed
from .headers import FOREIGN, file_status
from .writer import BACKUPS, foreign_files

_NEVER = ("ttnn", "torch", "ttport", "transformers")  # shadowed, these break the port itself; checked by name


class PreflightError(Exception):
    """The port cannot be written where or as asked; nothing was run."""


def check_name(name: str) -> None:
    """The model name goes into file and function names (`ttnn_<name>.py`, `def <name>(...)`)."""
    if not name.isidentifier():
        raise PreflightError(
            f"--name {name!r} is not a Python identifier; it names the generated files and functions, so use e.g. "
            f"--name {_identifier(name)}"
        )


def check_out(out: pathlib.Path, *, force: bool = False) -> None:
    """Refuse an --out that cannot be written, would shadow a package, or holds files ttport did not write."""
    out = pathlib.Path(out)
    name = out.resolve().name
    if not name.isidentifier():
        raise PreflightError(
            f"the project directory name {name!r} is not a Python identifier; the project is a package its tests "
            f"import from, so use e.g. --out {out.parent / _identifier(name)}"
        )
    _check_shadowing(out, name)
    check_writable(out)
    foreign = foreign_files(out)
    if foreign and not force:
        names = listed(foreign)
        raise PreflightError(
            f"{out} holds {len(foreign)} file(s) ttport did not write where the project goes ({names}): port into "
            f"an empty directory or one an earlier port wrote, or pass --force to replace them (each replaced file "
            f"is first copied to {out / BACKUPS}/<time>/)."
        )


def _check_shadowing(out: pathlib.Path, name: str) -> None:
    shadowed = name in _NEVER or name in sys.stdlib_module_names
    origin = "" if not shadowed else "ttport's own dependencies" if name in _NEVER else "the standard library"
    if not shadowed:
        spec = _find_spec(name)
        location = _location(spec)
        harmless = location is not None and (_inside(location, out) or _ported(location))
        shadowed, origin = spec is not None and not harmless, location or "an installed package"
    if shadowed:
        raise PreflightError(
            f"--out {out}: the project would be a package named {name!r}, which shadows the importable module of "
            f"that name ({origin}) for its tests and any code run beside it; choose another last part, e.g. "
            f"--out {out.parent / (name + '_port')}"
        )


def _inside(location: str, out: pathlib.Path) -> bool:
    return pathlib.Path(location).resolve().is_relative_to(out.resolve())


def _ported(location: str) -> bool:
    """Another project an earlier port wrote (its __init__.py has ttport's header): porting again under the same
    name elsewhere is ordinary, not a package being shadowed."""
    path = pathlib.Path(location)
    init = path if path.name == "__init__.py" else path / "__init__.py"
    return init.is_file() and file_status(init) != FOREIGN


def _find_spec(name: str):
    try:
        return importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None


def _location(spec) -> str | None:
    if spec is None:
        return None
    if spec.origin and spec.origin not in ("built-in", "frozen"):
        return spec.origin
    locations = list(spec.submodule_search_locations or [])
    return locations[0] if locations else spec.origin


def check_writable(out: pathlib.Path) -> None:
    """`out` is, or can be made, a directory this process writes in (probed with a temporary file)."""
    if out.exists() and not out.is_dir():
        raise PreflightError(f"--out {out} is a file; give a directory for the project")
    existing = next(parent for parent in [out, *out.absolute().parents] if parent.exists())
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise PreflightError(
            f"--out {out}: cannot write in {existing} ({reason}); choose a directory you can write, e.g. under "
            f"{pathlib.Path.home()}"
        ) from None


def _identifier(name: str) -> str:
    cleaned = re.sub(r"\W", "_", name)
    return cleaned if cleaned.isidentifier() else f"_{cleaned}"


def check_recordable(model, spec: str, out: pathlib.Path) -> None:
    """The project's tests must rebuild the model (provenance.model_source): refuse now, not after verify, a model
    they could not rebuild (an in-memory model over the size a project stores, a class from_pretrained cannot load)."""
    from .provenance import model_source
    from .sources import EmitError

    try:
        model_source(model, spec, out, save=False)
    except EmitError as exc:
        raise PreflightError(str(exc)) from exc
