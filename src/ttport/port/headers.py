"""The first line of every generated text file: a content hash of the rest, so that regeneration can tell an
untouched file (safe to replace) from one the user edited (kept unless --force).

>>> text = stamp("import ttnn\\n", "tt/ttnn_tiny.py")
>>> status(text)
'generated'
>>> status(text + "x = 1\\n")
'edited'
"""

from __future__ import annotations

import hashlib
import pathlib
import re

# How a comment line is written in each kind of generated text file.
_COMMENT = {".py": "# {}", ".md": "<!-- {} -->", ".txt": "# {}"}
_HEADER = "ttport: generated, sha256 {} of the rest of this file; once edited, kept unless --force"
_PATTERN = re.compile(r"ttport: generated, sha256 ([0-9a-f]{16}) of the rest of this file")

GENERATED, EDITED, FOREIGN = "generated", "edited", "foreign"


def digest(body: bytes | str) -> str:
    """The short content hash written in headers and manifests (16 hex digits of sha256)."""
    data = body.encode() if isinstance(body, str) else body
    return hashlib.sha256(data).hexdigest()[:16]


def stamp(body: str, path: str | pathlib.Path) -> str:
    """`body` with the header line for a file at `path` (its suffix chooses the comment syntax)."""
    suffix = pathlib.PurePath(path).suffix
    if suffix not in _COMMENT:
        raise ValueError(f"no header syntax for {suffix or 'suffix-less'} files ({path})")
    return _COMMENT[suffix].format(_HEADER.format(digest(body))) + "\n" + body


def status(text: str) -> str:
    """GENERATED (hash matches), EDITED (header present, body changed) or FOREIGN (no ttport header)."""
    first, _, body = text.partition("\n")
    match = _PATTERN.search(first)
    if match is None:
        return FOREIGN
    return GENERATED if match.group(1) == digest(body) else EDITED


def file_status(path: pathlib.Path) -> str:
    try:
        return status(path.read_text())
    except UnicodeDecodeError:
        return FOREIGN
