"""Ports call only what real ttnn has: every ttnn name and keyword under models/ is in the recorded 0.81.1 API."""

from __future__ import annotations

import pathlib

import pytest

from ttport.validate.api_check import RecordedApi, check_paths, check_source, recorded_api_path

ROOT = pathlib.Path(__file__).parents[1]
API = RecordedApi(recorded_api_path())
PORTS = sorted((ROOT / "models").rglob("*.py")) + sorted((ROOT / "src" / "ttport" / "demo").glob("seed_ttnn.py"))


def test_there_are_ports_to_scan():
    assert any("ttnn_optimized_bert" in str(path) for path in PORTS)


@pytest.mark.parametrize("path", PORTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_port_uses_only_real_ttnn_api(path):
    problems = check_paths([path], API)
    assert not problems, "\n".join(map(str, problems))


@pytest.mark.parametrize(
    "source, expected",
    [
        ("ttnn.linear(x, w, bias=b, activation='gelu')", []),
        ("ttnn.transformer.attention_softmax_(s, head_size=64, attention_mask=m)", []),
        ("ttnn.MathFidelity.HiFi2", []),
        ("from ttnn.model_preprocessing import preprocess_model_parameters", []),
        ("ttnn.linear(x, w, fused_bias=b)", ["no keyword argument 'fused_bias'"]),
        ("ttnn.layer_norm(x, eps=1e-5)", ["no keyword argument 'eps'"]),
        ("ttnn.fused_gelu(x)", ["ttnn.fused_gelu is not in the recorded API"]),
        ("ttnn.MathFidelity.HiFi5", ["ttnn.MathFidelity.HiFi5 is not in the recorded API"]),
        ("from ttnn.model_preprocessing import preprocess_conv", ["model_preprocessing.preprocess_conv is not"]),
    ],
)
def test_checker_flags_what_real_ttnn_lacks(source, expected):
    problems = [str(p) for p in check_source(source, "snippet.py", API)]
    assert len(problems) == len(expected), problems
    for problem, fragment in zip(problems, expected):
        assert fragment in problem
