"""tt/ file groups never import each other in a cycle (GPT-2: attention calls conv1_d, which no name places)."""

from __future__ import annotations

from ttport.lower.lower import _untangle_groups
from ttport.ported import KindPort


def kind(name, group, calls=()):
    return KindPort(name=name, group=group, source="", inputs=[], calls=list(calls))


def test_unplaced_callee_joins_its_caller_file():
    kinds = [
        kind("conv1_d", "model"),
        kind("gpt2_attention", "attention", ["conv1_d"]),
        kind("gpt2_mlp", "feedforward", ["conv1_d"]),
        kind("gpt2_model", "model", ["gpt2_attention", "gpt2_mlp"]),
    ]
    _untangle_groups(kinds)
    assert [k.group for k in kinds] == ["attention", "attention", "feedforward", "model"]


def test_files_that_would_import_each_other_are_merged_into_the_model_file():
    kinds = [
        kind("a_norm", "normalization", ["b_attention"]),
        kind("b_attention", "attention", ["a_norm"]),
        kind("top", "model", ["b_attention"]),
    ]
    _untangle_groups(kinds)
    assert {k.group for k in kinds} == {"model"}
