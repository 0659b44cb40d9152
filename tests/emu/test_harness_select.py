"""tests/emu/tt_metal_style/case_select.py (selection, reduction and data-movement ops as tt-metal's op tests write
them) passes on the emulator through `ttport run pytest`."""

from __future__ import annotations

from test_harness import CASES, run_harness


def test_selection_cases_pass_on_the_emulator():
    out = run_harness(str(CASES / "case_select.py"))
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert " passed" in out.stdout and "failed" not in out.stdout
