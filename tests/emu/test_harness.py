"""`ttport run pytest`: tt-metal-style tests (tests/emu/tt_metal_style/case_*.py) run on the emulator with the
harness's `device` fixture and tt-metal helper modules, and a failing one fails the run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CASES = Path(__file__).parent / "tt_metal_style"
REPO = Path(__file__).parents[2]


def run_harness(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    code = "import sys; from ttport.cli import main; sys.exit(main(sys.argv[1:]))"
    command = [
        sys.executable,
        "-c",
        code,
        "run",
        "pytest",
        *args,
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        "python_files=case_*.py",
    ]
    env = {**os.environ, "TTPORT_TTNN": "emu"}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_tt_metal_style_tests_pass_on_the_emulator():
    out = run_harness(str(CASES / "case_ops.py"))
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert " passed" in out.stdout and "failed" not in out.stdout
    assert "tests.ttnn.utils_for_testing" in out.stderr  # provided by the harness: this repo has no such module


def test_a_failing_tt_metal_style_test_fails_the_run(tmp_path):
    (tmp_path / "case_wrong.py").write_text(
        "import torch, ttnn\n"
        "from tests.ttnn.utils_for_testing import assert_with_pcc\n"
        "def test_wrong(device):\n"
        "    x = ttnn.from_torch(torch.randn(32, 32), layout=ttnn.TILE_LAYOUT, device=device)\n"
        "    assert_with_pcc(torch.randn(32, 32), ttnn.to_torch(ttnn.relu(x)), 0.99)\n"
    )
    out = run_harness(str(tmp_path / "case_wrong.py"), cwd=tmp_path)
    assert out.returncode == 1, out.stdout[-3000:]
    assert "PCC" in out.stdout and "below the required 0.99" in out.stdout
