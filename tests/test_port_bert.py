"""End to end: `ttport port bert-tiny` with the real lowering; the project's own tests reproduce verification."""

from __future__ import annotations

import importlib

import pytest

from ttport import cli
from ttport.port.pipeline import run
from ttport.zoo import resolve

GROUP_FILES = ["tt/ttnn_bert_tiny.py", "tt/ttnn_attention.py", "tt/ttnn_embeddings.py", "tt/ttnn_feedforward.py"]


@pytest.fixture(scope="module")
def ported(tmp_path_factory):
    out = tmp_path_factory.mktemp("demos") / "bert_tiny"
    return run(*resolve("bert-tiny"), "bert_tiny", model_spec="bert-tiny", out=out)


def test_every_module_proven_and_the_tests_agree_with_verification(ported):
    assert all(check.passed for check in ported.checks) and ported.tests.passed
    assert all(row.passed for row in ported.reference_rows)
    assert len(ported.checks) == 18
    checks = {(check.kind, check.path): check for check in ported.checks}
    cases = {(case.kind, case.path): case for case in ported.tests.cases}
    assert cases.keys() == checks.keys()
    for key, case in cases.items():
        assert case.passed and case.pcc == pytest.approx(checks[key].pcc, abs=1e-9), key


def test_generated_code_is_ruff_clean_and_uses_only_real_ttnn(ported):
    assert ported.emitted.problems == []


def test_layout_readme_and_imports(ported, monkeypatch):
    out = ported.out
    for path in [*GROUP_FILES, "tt/parameters.py", "reference/torch_bert_tiny.py", "tests/test_model.py"]:
        assert (out / path).is_file(), path
    readme = (out / "README.md").read_text()
    assert "| `encoder.layer.0.attention.self` | `bert_self_attention` |" in readme
    assert "## Device ops per call" in readme and "## Host fallbacks" in readme
    monkeypatch.syspath_prepend(str(out.parent))
    model = importlib.import_module("bert_tiny.tt.ttnn_bert_tiny")
    assert callable(model.bert_model) and callable(model.bert_encoder)
    assert ported.seconds.keys() == {"capture", "reference", "lower", "verify", "emit", "test"}


def test_ttport_test_reruns_the_project(ported, capsys):
    assert cli.main(["test", str(ported.out)]) == 0
    assert "all 18 modules meet their PCC threshold" in capsys.readouterr().err
