"""Write a generated project without losing anyone's work.

Text files get a hash header (headers.py); binary files (captured test data) are listed with their hashes in a
generated `manifest.txt` beside them. Before writing, every target that exists must be an untouched generated
file; an edited file, or one ttport did not write, stops the whole write (EditedFilesError names them) unless
`force`, which first copies each of them to `.ttport-backup/<UTC time>/` in the project. Generated files of an
earlier run that this run no longer produces are removed if untouched; nothing else is ever deleted.
"""

from __future__ import annotations

import pathlib
import shutil
import time
from dataclasses import dataclass, field

from .headers import EDITED, FOREIGN, GENERATED, digest, file_status, stamp

MANIFEST = "manifest.txt"
BACKUPS = ".ttport-backup"  # under the project: one folder per forced write, holding the files it replaced
PROJECT_DIRS = ("tt", "reference", "tests")  # the directories a project consists of; whatever is in them is ours
PROJECT_FILES = ("README.md", "__init__.py")  # the files directly in the project directory
_TEXT_SUFFIXES = {".py", ".md", ".txt"}
_SKIPPED_DIRS = {"__pycache__", ".pytest_cache", ".git", ".venv"}


class EditedFilesError(Exception):
    """Targets that exist and are not untouched generated files; regenerate with --force to replace them."""

    def __init__(self, out: pathlib.Path, conflicts: dict[str, str]):
        self.out, self.conflicts = out, conflicts
        listed = ", ".join(f"{path} ({_WHY[state]})" for path, state in sorted(conflicts.items()))
        super().__init__(
            f"refusing to overwrite {len(conflicts)} file(s) in {out}: {listed}. Move your changes elsewhere, or "
            "run again with --force to replace them."
        )


_WHY = {EDITED: "edited since generated", FOREIGN: "not written by ttport"}


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # untouched generated files no longer produced
    kept: list[str] = field(default_factory=list)  # edited generated files no longer produced (left in place)
    forced: list[str] = field(default_factory=list)  # edited or foreign files replaced because of force
    backup: pathlib.Path | None = None  # where the forced files were copied before they were replaced


def write_project(out: pathlib.Path, files: dict[str, str | bytes], *, force: bool = False) -> WriteReport:
    """Write `files` (relative path -> text or bytes) under `out`; text is stamped, bytes listed in manifests."""
    out = pathlib.Path(out)
    final = _with_manifests(files)
    existing = _generated_on_disk(out, _top_directories(final))
    states = {path: _state(out, path, existing, content) for path, content in final.items()}
    conflicts = {path: state for path, state in states.items() if state not in (None, GENERATED)}
    if conflicts and not force:
        raise EditedFilesError(out, conflicts)
    report = WriteReport(forced=sorted(conflicts))
    if conflicts:
        report.backup = _back_up(out, sorted(conflicts))
    for path, state in sorted(existing.items()):
        if path in final:
            continue
        if state == GENERATED:
            (out / path).unlink()
            report.removed.append(path)
        else:
            report.kept.append(path)
    for path, content in sorted(final.items()):
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
        report.written.append(path)
    return report


def foreign_files(out: pathlib.Path) -> list[str]:
    """Files in the project's places (PROJECT_FILES, PROJECT_DIRS) that no ttport run wrote: a write would refuse
    them, so a port checks this before its slow stages."""
    out = pathlib.Path(out)
    if not out.is_dir():
        return []
    ours = _generated_on_disk(out, set(PROJECT_DIRS))
    present = [out / name for name in PROJECT_FILES if (out / name).is_file()]
    present += [path for name in PROJECT_DIRS if (out / name).is_dir() for path in _files(out / name)]
    return [path.relative_to(out).as_posix() for path in present if path.relative_to(out).as_posix() not in ours]


def _back_up(out: pathlib.Path, paths: list[str]) -> pathlib.Path:
    """Copy the files a forced write replaces to out/.ttport-backup/<UTC time>/ (their relative paths kept)."""
    backup = out / BACKUPS / time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    suffix = 1
    while backup.exists():
        backup, suffix = backup.with_name(f"{backup.name.split('-')[0]}-{suffix}"), suffix + 1
    for path in paths:
        target = backup / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(out / path, target)
    return backup


def _with_manifests(files: dict[str, str | bytes]) -> dict[str, str | bytes]:
    final: dict[str, str | bytes] = {}
    listings: dict[pathlib.PurePosixPath, list[str]] = {}
    for path, content in files.items():
        pure = pathlib.PurePosixPath(path)
        if isinstance(content, bytes):
            final[path] = content
            listings.setdefault(pure.parent, []).append(f"{digest(content)}  {pure.name}")
        else:
            final[path] = stamp(content, path)
    for directory, lines in listings.items():
        manifest = str(directory / MANIFEST)
        if manifest in files:
            raise ValueError(f"{manifest} is reserved for the hashes of the binary files beside it")
        body = "# Captured data written by ttport port: content hash and file name, one a line.\n"
        final[manifest] = stamp(body + "\n".join(sorted(lines)) + "\n", manifest)
    return final


def _state(out: pathlib.Path, path: str, existing: dict[str, str], new: str | bytes) -> str | None:
    """None if nothing is at `path`, else GENERATED (safe to replace), EDITED or FOREIGN."""
    target = out / path
    if not target.exists():
        return None
    if path in existing:
        return existing[path]
    if isinstance(new, bytes) and target.read_bytes() == new:
        return GENERATED
    return FOREIGN


def _top_directories(files) -> set[str]:
    return {path.split("/", 1)[0] for path in files if "/" in path}


def _generated_on_disk(out: pathlib.Path, directories: set[str]) -> dict[str, str]:
    """Files a previous run wrote (relative path -> GENERATED or EDITED): those directly in `out` and those under
    the directories this run writes into; never deeper elsewhere (another project nested under `out` is not ours)."""
    found: dict[str, str] = {}
    if not out.is_dir():
        return found
    candidates = [path for path in sorted(out.iterdir()) if path.is_file()]
    candidates += [path for name in sorted(directories) if (out / name).is_dir() for path in _files(out / name)]
    for path in candidates:
        if path.suffix not in _TEXT_SUFFIXES:
            continue
        state = file_status(path)
        if state == FOREIGN:
            continue
        relative = path.relative_to(out).as_posix()
        found[relative] = state
        if path.name == MANIFEST:
            found.update(_listed(out, path))
    return found


def _listed(out: pathlib.Path, manifest: pathlib.Path) -> dict[str, str]:
    """Binary files a manifest lists, by whether their content still has the listed hash."""
    found = {}
    for line in manifest.read_text().splitlines()[1:]:
        if not line or line.startswith("#"):
            continue
        hashed, _, name = line.partition("  ")
        target = manifest.parent / name
        if target.is_file():
            found[target.relative_to(out).as_posix()] = GENERATED if digest(target.read_bytes()) == hashed else EDITED
    return found


def _files(root: pathlib.Path):
    for path in sorted(root.iterdir()):
        if path.is_dir():
            if path.name not in _SKIPPED_DIRS:
                yield from _files(path)
        elif path.is_file():
            yield path
