"""The main job runs end to end through `ttport run -m` and reports every check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[4]


def test_main_job_passes_and_prints_its_tables():
    ttport = Path(sys.executable).with_name("ttport")
    out = subprocess.run(
        [str(ttport), "run", "-m", "models.demos.bert.demo"], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "model (optimized)" in out.stdout and "sentence similarity" in out.stdout
    assert "15 passed, 0 failed" in out.stdout
    assert "ttnn backend: ttport CPU emulator" in out.stderr
