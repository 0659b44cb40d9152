"""Generated files carry a hash of their body; regeneration replaces untouched files, refuses edited or foreign
ones (naming them) unless forced, removes only its own stale untouched files, and never anything else."""

from __future__ import annotations

import pytest

from ttport.port.headers import EDITED, FOREIGN, GENERATED, stamp, status
from ttport.port.writer import EditedFilesError, write_project

FILES = {
    "tt/ttnn_tiny.py": "import ttnn\n\n\ndef tiny(x):\n    return ttnn.gelu(x)\n",
    "README.md": "# tiny\n",
    "tests/data/tiny.pt": b"\x00captured bytes\x01",
}


def test_header_hashes_the_body():
    text = stamp("import ttnn\n", "tt/a.py")
    assert text.startswith("# ttport: generated, sha256 ")
    assert status(text) == GENERATED
    assert status(text + "x = 1\n") == EDITED
    assert status(text.replace("import ttnn", "import torch")) == EDITED
    assert status("import ttnn\n") == FOREIGN
    assert stamp("# x\n", "README.md").startswith("<!-- ttport: generated")
    with pytest.raises(ValueError, match="no header syntax"):
        stamp("x", "model.bin")


def test_every_text_file_is_stamped_and_binaries_are_listed(tmp_path):
    report = write_project(tmp_path, FILES)
    assert sorted(report.written) == sorted([*FILES, "tests/data/manifest.txt"])
    assert status((tmp_path / "tt/ttnn_tiny.py").read_text()) == GENERATED
    assert status((tmp_path / "README.md").read_text()) == GENERATED
    assert (tmp_path / "tests/data/tiny.pt").read_bytes() == FILES["tests/data/tiny.pt"]
    manifest = (tmp_path / "tests/data/manifest.txt").read_text()
    assert status(manifest) == GENERATED and "  tiny.pt" in manifest


def test_untouched_files_are_replaced(tmp_path):
    write_project(tmp_path, FILES)
    changed = FILES | {"tt/ttnn_tiny.py": "import ttnn\n\n\ndef tiny(x):\n    return ttnn.relu(x)\n"}
    write_project(tmp_path, changed)
    assert "ttnn.relu" in (tmp_path / "tt/ttnn_tiny.py").read_text()


def test_an_edited_file_stops_the_write_and_is_named(tmp_path):
    write_project(tmp_path, FILES)
    edited = tmp_path / "tt/ttnn_tiny.py"
    edited.write_text(edited.read_text() + "# my note\n")
    changed = {path: (text + "\n" if isinstance(text, str) else text) for path, text in FILES.items()}
    with pytest.raises(EditedFilesError, match=r"tt/ttnn_tiny\.py \(edited since generated\)") as raised:
        write_project(tmp_path, changed)
    assert raised.value.conflicts == {"tt/ttnn_tiny.py": EDITED}
    assert "--force" in str(raised.value)
    assert "# my note" in edited.read_text()
    assert (tmp_path / "README.md").read_text().endswith("# tiny\n")  # nothing else was written either
    report = write_project(tmp_path, changed, force=True)
    assert report.forced == ["tt/ttnn_tiny.py"]
    assert "# my note" not in edited.read_text()
    assert status(edited.read_text()) == GENERATED


def test_edited_captured_data_is_detected_by_its_manifest(tmp_path):
    write_project(tmp_path, FILES)
    (tmp_path / "tests/data/tiny.pt").write_bytes(b"user data")
    with pytest.raises(EditedFilesError, match=r"tests/data/tiny\.pt \(edited since generated\)"):
        write_project(tmp_path, FILES)


def test_a_file_ttport_did_not_write_is_never_overwritten_or_deleted(tmp_path):
    (tmp_path / "tt").mkdir()
    (tmp_path / "tt/ttnn_tiny.py").write_text("def mine():\n    pass\n")
    (tmp_path / "tt/notes.py").write_text("NOTES = 1\n")
    with pytest.raises(EditedFilesError, match=r"tt/ttnn_tiny\.py \(not written by ttport\)"):
        write_project(tmp_path, FILES)
    assert (tmp_path / "tt/ttnn_tiny.py").read_text() == "def mine():\n    pass\n"
    write_project(tmp_path, FILES, force=True)
    write_project(tmp_path, {"README.md": "# other\n"})
    assert (tmp_path / "tt/notes.py").read_text() == "NOTES = 1\n"


def test_stale_generated_files_go_only_if_untouched(tmp_path):
    write_project(tmp_path, FILES | {"tests/test_old.py": "OLD = 1\n", "tests/test_kept.py": "KEPT = 1\n"})
    kept = tmp_path / "tests/test_kept.py"
    kept.write_text(kept.read_text() + "MINE = 2\n")
    report = write_project(tmp_path, FILES)
    assert report.removed == ["tests/test_old.py"]
    assert report.kept == ["tests/test_kept.py"]
    assert not (tmp_path / "tests/test_old.py").exists()
    assert "MINE = 2" in kept.read_text()


def test_another_project_nested_under_out_is_left_alone(tmp_path):
    write_project(tmp_path / "minilm", FILES)
    write_project(tmp_path, {"README.md": "# demos\n", "tt/ttnn_other.py": "import ttnn\n"})
    assert (tmp_path / "minilm/tt/ttnn_tiny.py").is_file() and (tmp_path / "minilm/tests/data/tiny.pt").is_file()
