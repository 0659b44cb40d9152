"""Backend selection: the emulator installs as `ttnn` only where real ttnn (and a card) is missing, and says so."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CHECK = (
    "import ttnn, ttport.emu as e; print(getattr(ttnn, '__ttport_emulator__', False)); print(e.backend_description())"
)


def run_python(code: str, env_extra: dict, tmp_path: Path, fake_real_ttnn: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TTPORT_TTNN"}
    env.update(env_extra)
    if fake_real_ttnn:
        package = tmp_path / "ttnn"
        package.mkdir(exist_ok=True)
        (package / "__init__.py").write_text("__version__ = '0.81.1'\n")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


def installing(code: str) -> str:
    return f"import ttport.emu as e; print(e.install()); {code}"


def test_emulator_when_real_ttnn_is_missing(tmp_path):
    out = run_python(installing(CHECK), {}, tmp_path, fake_real_ttnn=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[:2] == ["emu", "True"]
    assert "real ttnn package is not installed" in out.stdout


def test_real_ttnn_without_a_card_is_named_not_shadowed_silently(tmp_path):
    out = run_python(installing(CHECK), {}, tmp_path, fake_real_ttnn=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "emu"
    assert "real ttnn is installed but no Tenstorrent card was found" in out.stdout
    assert "TTPORT_TTNN=real" in out.stdout


def test_forcing_real_uses_the_real_package(tmp_path):
    out = run_python(installing(CHECK), {"TTPORT_TTNN": "real"}, tmp_path, fake_real_ttnn=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[:2] == ["real", "False"]
    assert "real ttnn 0.81.1" in out.stdout


def test_forcing_real_without_the_package_fails_clearly(tmp_path):
    out = run_python(installing(""), {"TTPORT_TTNN": "real"}, tmp_path, fake_real_ttnn=False)
    assert out.returncode != 0
    assert "TTPORT_TTNN=real but the real ttnn package is not importable" in out.stderr


def test_forcing_emu_over_real(tmp_path):
    out = run_python(installing(CHECK), {"TTPORT_TTNN": "emu"}, tmp_path, fake_real_ttnn=True)
    assert out.stdout.splitlines()[:2] == ["emu", "True"]
    assert "forced by TTPORT_TTNN=emu" in out.stdout


def test_bad_choice_is_refused(tmp_path):
    out = run_python(installing(""), {"TTPORT_TTNN": "gpu"}, tmp_path, fake_real_ttnn=False)
    assert "TTPORT_TTNN must be emu, real or auto" in out.stderr


def test_submodules_import(tmp_path):
    code = installing("import ttnn.transformer; from ttnn.transformer import concatenate_heads; print('ok')")
    out = run_python(code, {}, tmp_path, fake_real_ttnn=False)
    assert out.stdout.splitlines()[-1] == "ok", out.stderr


def test_ttport_run_provides_ttnn_and_passes_arguments(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent("""
        import sys
        import torch
        import ttnn
        device = ttnn.open_device(device_id=0)
        x = ttnn.from_torch(torch.ones(2, 3), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
        print(float(ttnn.to_torch(ttnn.add(x, x)).sum()), sys.argv[1:])
        sys.exit(3)
    """)
    )
    ttport = Path(sys.executable).with_name("ttport")
    out = subprocess.run(
        [str(ttport), "run", str(script), "--flag", "value"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 3, out.stderr
    assert out.stdout.strip() == "12.0 ['--flag', 'value']"
    assert "ttnn backend: ttport CPU emulator" in out.stderr


def test_pytest_plugin_reports_the_backend(pytestconfig):
    header = pytestconfig.pluginmanager.get_plugin("ttport_ttnn").pytest_report_header(pytestconfig)
    assert header.startswith("ttnn backend:")


@pytest.mark.hardware
def test_hardware_marker_is_skipped_on_the_emulator():
    import ttnn

    assert not getattr(ttnn, "__ttport_emulator__", False)
