"""`ttport run pytest` on tests/emu/tt_metal_style/case_eltwise.py: element-wise ttnn code in tt-metal's test style
(ULP asserts, int32 comparisons, goldens) passes on the emulator."""

from __future__ import annotations

from test_harness import CASES, run_harness


def test_tt_metal_style_eltwise_cases_pass_on_the_emulator():
    out = run_harness(str(CASES / "case_eltwise.py"))
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert " passed" in out.stdout and "failed" not in out.stdout
