"""A project emitted from a hand-written LoweredModel of a tiny two-kind model: its layout and imports, that it
imports and runs on the emulator, and that its generated tests pass, and fail when the weights are wrong."""

from __future__ import annotations

import importlib
import pathlib
import subprocess
import sys

import pytest
import torch
import ttnn
from port_models import SPEC, port_tiny

from ttport.port import sources
from ttport.port.emit import emit
from ttport.port.headers import GENERATED, file_status
from ttport.port.runner import run_tests
from ttport.port.sources import EmitError
from ttport.ported import InputSpec, KindPort, LoweredModel
from ttport.validate.pcc import compare

TESTS = str(pathlib.Path(__file__).parent)
LAYOUT = {
    "__init__.py",
    "README.md",
    "tt/__init__.py",
    "tt/ttnn_tiny.py",
    "tt/ttnn_feedforward.py",
    "tt/parameters.py",
    "reference/__init__.py",
    "reference/torch_tiny.py",
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/helpers.py",
    "tests/test_model.py",
    "tests/test_feedforward.py",
    "tests/data/captured.pt",
    "tests/data/manifest.txt",
}


@pytest.fixture(scope="module")
def tiny():
    return port_tiny()


@pytest.fixture(scope="module")
def project(tiny, tmp_path_factory):
    captured, generated, lowered, checks = tiny
    out = tmp_path_factory.mktemp("demos") / "tiny"
    emitted = emit(lowered, captured, generated, checks, out, model_spec=SPEC)
    assert emitted.problems == []
    return out


def test_layout_and_headers(project):
    written = {path.relative_to(project).as_posix() for path in project.rglob("*") if path.is_file()}
    assert written == LAYOUT
    for path in written - {"tests/data/captured.pt"}:
        assert file_status(project / path) == GENERATED, path


def test_imports_between_tt_files(project):
    top = (project / "tt/ttnn_tiny.py").read_text()
    assert "from .ttnn_feedforward import block\n" in top
    assert "import ttnn\n" in top and "import torch" not in top
    assert "from ." not in (project / "tt/ttnn_feedforward.py").read_text()
    assert "from ..tt.ttnn_feedforward import block" in (project / "tests/test_feedforward.py").read_text()


def test_generated_python_is_ruff_clean_and_py310(project):
    command = [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "E,F,W,I,UP,B", "--ignore", "B905"]
    command += ["--line-length", "120", "--target-version", "py310", str(project)]
    checked = subprocess.run(command, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
    formatted = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--isolated", "--line-length", "120", str(project)],
        capture_output=True,
        text=True,
    )
    assert formatted.returncode == 0, formatted.stdout


def test_project_imports_and_runs_on_the_emulator(project, tiny, monkeypatch):
    captured = tiny[0]
    monkeypatch.syspath_prepend(str(project.parent))
    model_module = importlib.import_module("tiny.tt.ttnn_tiny")
    parameters_module = importlib.import_module("tiny.tt.parameters")
    device = ttnn.open_device(device_id=0)
    try:
        parameters = parameters_module.create_ttnn_parameters(captured.model, device)
        x = ttnn.from_torch(captured.inputs["x"], dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
        output = ttnn.to_torch(model_module.tiny(x, parameters=parameters, norm_eps=1e-5)).float()
    finally:
        ttnn.close_device(device)
    with torch.no_grad():
        expected = captured.model(**captured.inputs)
    assert compare(expected, output).pcc >= 0.99


def test_generated_tests_pass_with_the_verified_pcc(project, tiny):
    checks = {check.path: check for check in tiny[3]}
    run = run_tests(project, pythonpath=[TESTS])
    assert run.passed, run.output[-3000:]
    assert {case.path for case in run.cases} == {"", "block"}
    for case in run.cases:
        assert case.pcc == pytest.approx(checks[case.path].pcc, abs=1e-9)
        assert case.threshold == checks[case.path].threshold


def test_generated_tests_fail_on_a_corrupted_weight(project, monkeypatch):
    monkeypatch.setenv("TINY_CORRUPT", "1")  # port_models.tiny negates block.dense.weight
    run = run_tests(project, pythonpath=[TESTS])
    assert run.returncode == 1
    failed = {case.path: case for case in run.cases if not case.passed}
    assert set(failed) == {"", "block"}
    assert failed["block"].pcc < 0.5 and "PCC" in failed["block"].message


def test_generated_tests_fail_on_a_wrong_function(project):
    lowered_file = project / "tt/ttnn_feedforward.py"
    original = lowered_file.read_text()
    lowered_file.write_text(original.replace('activation="gelu"', 'activation="relu"'))
    try:
        run = run_tests(project, pythonpath=[TESTS])
    finally:
        lowered_file.write_text(original)
    assert not run.passed
    assert not next(case for case in run.cases if case.path == "block").passed


def test_inputs_go_to_the_device_as_verification_puts_them(project, monkeypatch):
    monkeypatch.syspath_prepend(str(project.parent))
    helpers = importlib.import_module("tiny.tests.helpers")
    device = ttnn.open_device(device_id=0)
    try:
        ids = helpers.to_device(torch.tensor([[3, 1, 2]]), "ids", device)
        assert ids.dtype == ttnn.uint32 and ids.layout == ttnn.ROW_MAJOR_LAYOUT
        mask = helpers.to_device(torch.zeros(2, 1, 1, 8), "mask", device)
        assert mask.dtype == ttnn.bfloat16 and mask.layout == ttnn.TILE_LAYOUT and tuple(mask.shape) == (2, 1, 1, 8)
        pair = helpers.to_device((torch.ones(2, 32), torch.ones(2, 32)), "activation", device)
        assert isinstance(pair, tuple) and all(item.layout == ttnn.TILE_LAYOUT for item in pair)
        host = torch.ones(3)
        assert helpers.to_device(host, "host", device) is host and helpers.to_device(7, "scalar", device) == 7
    finally:
        ttnn.close_device(device)


def _lowered(*kinds: KindPort) -> LoweredModel:
    return LoweredModel("m", list(kinds), "", "")


def test_groups_that_import_each_other_are_refused():
    a = KindPort("a", "attention", "def a(x):\n    return b(x)\n", [InputSpec("x", "activation")])
    b = KindPort("b", "feedforward", "def b(x):\n    return a(x)\n", [InputSpec("x", "activation")])
    top = KindPort("m", "model", "def m(x):\n    return a(x)\n", [InputSpec("x", "activation")])
    with pytest.raises(EmitError, match="import each other"):
        sources.tt_files(_lowered(a, b, top))


def test_unknown_names_are_refused_and_torch_is_imported_when_used():
    bad = KindPort("m", "model", "def m(x):\n    return numpy.tanh(x)\n", [InputSpec("x", "host")])
    with pytest.raises(EmitError, match="reads 'numpy'"):
        sources.tt_files(_lowered(bad))
    fallback = KindPort("m", "model", "def m(x):\n    return ttnn.gelu(torch.tanh(x))\n", [InputSpec("x", "host")])
    text = sources.tt_files(_lowered(fallback))["ttnn_m.py"]
    assert "import torch\nimport ttnn\n" in text


def test_instances_with_their_own_config_get_it_per_case():
    from ttport.port.testgen import generated_tests

    source = "def norm(x, *, parameters, eps):\n    return ttnn.layer_norm(x, epsilon=eps)\n"
    instances = {"a": {"eps": 1e-5}, "b": {"eps": 1e-6}}
    kind = KindPort("norm", "model", source, [InputSpec("x", "activation")], config={"eps": 1e-5}, instances=instances)
    text = generated_tests(_lowered(kind), {"norm": ["a", "b"]}, [])["test_model.py"]
    assert '"path, threshold, config"' in text
    assert '("a", 0.999, {"eps": 1e-05})' in text.replace("'", '"')
    assert '("b", 0.999, {"eps": 1e-06})' in text.replace("'", '"')
    assert "outputs = norm(x, parameters=subtree(parameters, path), **config)" in text
    compile(text, "test_model.py", "exec")
    kind.instances = {"a": {"eps": 1e-5}}
    shared = generated_tests(_lowered(kind), {"norm": ["a"]}, [])["test_model.py"]
    assert "eps=1e-05)" in shared and "config" not in shared


def test_readme_names_fallbacks_op_counts_and_failures(tiny):
    from ttport.port.readme import readme
    from ttport.ported import Fallback, ModuleCheck

    _, _, lowered, checks = tiny
    lowered.kinds[0].fallbacks = [Fallback("aten.cumsum.default", "block", "no ttnn rule for cumsum")]
    failing = ModuleCheck("block", "block", 0.5, 1.0, 0.999, 1, "RuntimeError: boom")
    try:
        text = readme(lowered, [checks[0], failing], SPEC, "the emulator")
    finally:
        lowered.kinds[0].fallbacks = []
    assert "- `aten.cumsum.default` in `block`: no ttnn rule for cumsum" in text
    assert "| `block` | `block` | 0.500000 | 1 | 0.999 | 1 | **FAIL** RuntimeError: boom |" in text
    assert "| `tiny` | 3 | 1 |" in text  # device ops of one call of tiny, one instance
    assert "(1 of 2 at their PCC threshold)" in text


def test_a_group_of_many_kinds_keeps_its_docstring_within_120_columns():
    kinds = [
        KindPort(
            f"t5_layer_self_attention_{i}",
            "attention",
            f"def t5_layer_self_attention_{i}(x):\n    return x\n",
            [InputSpec("x", "activation")],
        )
        for i in range(12)
    ]
    top = KindPort(
        "t5", "model", "def t5(x):\n    return t5_layer_self_attention_0(x)\n", [InputSpec("x", "activation")]
    )
    files = sources.tt_files(_lowered(*kinds, top))
    text = files["ttnn_attention.py"]
    assert max(len(line) for line in text.splitlines()) <= 120
    assert "t5_layer_self_attention_11." in text
    compile(text, "ttnn_attention.py", "exec")


def test_names_the_generated_tests_need_are_refused_as_inputs_or_functions():
    from ttport.port.testgen import generated_tests

    device_input = KindPort("m", "model", "def m(device):\n    return device\n", [InputSpec("device", "activation")])
    with pytest.raises(EmitError, match="shadow the generated test's own variables"):
        generated_tests(_lowered(device_input), {"m": [""]}, [])
    subtree = KindPort("subtree", "model", "def subtree(x):\n    return x\n", [InputSpec("x", "activation")])
    with pytest.raises(EmitError, match="clash with what the generated tests import"):
        generated_tests(_lowered(subtree), {"subtree": [""]}, [])


def test_a_broken_generated_file_fails_with_its_error(project):
    lowered_file = project / "tt/ttnn_feedforward.py"
    original = lowered_file.read_text()
    lowered_file.write_text(original + "oops = (\n")
    try:
        run = run_tests(project, pythonpath=[TESTS])
    finally:
        lowered_file.write_text(original)
    assert run.returncode != 0 and run.cases and not any(case.passed for case in run.cases)
    assert all("SyntaxError" in case.message for case in run.cases), [case.message for case in run.cases]


def test_without_ruff_files_are_written_unformatted_with_one_warning(monkeypatch, capsys):
    from ttport import formatting
    from ttport.codegen.format import format_source
    from ttport.port import lint

    monkeypatch.setattr(formatting.importlib.util, "find_spec", lambda name: None)
    formatting.warn_unformatted.cache_clear()
    sources_in = {"tt/a.py": "import ttnn\nx = ttnn.not_a_ttnn_name\n"}
    result, problems = lint.format_sources(sources_in)
    assert result == sources_in
    assert len(problems) == 1 and "ttnn.not_a_ttnn_name is not in the recorded API" in problems[0]
    assert format_source("x  =  1\n") == "x  =  1\n"
    warnings = capsys.readouterr().err.splitlines()
    assert warnings == ["ttport: ruff is not installed (pip install ruff): generated files are written unformatted"]
    assert lint.format_sources({"tt/a.py": "match = (\n"})[1][0].startswith("tt/a.py:1: not valid Python 3.10")
    with pytest.raises(SyntaxError):
        format_source("oops = (\n")


def test_generated_check_fails_a_nan_the_original_lacks_whatever_the_pcc(project, monkeypatch):
    monkeypatch.syspath_prepend(str(project.parent))
    helpers = importlib.import_module("tiny.tests.helpers")
    expected = torch.linspace(-1, 1, 4096).reshape(64, 64)
    case = {"kind": "k", "path": "p", "outputs": [expected]}
    with_nan = expected.clone()
    with_nan[3, 5] = float("nan")  # PCC zeroes it: 0.9997
    assert helpers.comp_pcc(expected, with_nan) > 0.999
    with pytest.raises(AssertionError, match=r"NaN/inf differ at 1 elements \(NaN: original 0, port 1"):
        helpers.assert_outputs_with_pcc(case, [with_nan], 0.999, lambda *_: None)
    both = {"kind": "k", "path": "p", "outputs": [with_nan]}
    helpers.assert_outputs_with_pcc(both, [with_nan.clone()], 0.999, lambda *_: None)  # the same NaN: agreed
