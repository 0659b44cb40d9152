"""Tied tensors (issue 10: GPT-2's and Llama-3.2's LM head is the token embedding table): export reads the shared
tensor under one name, so each read is renamed after the module reading it (capture/tied.py) and each name is
prepared in its reader's form; a tensor read in two forms under one name is still refused by name."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from test_lower_helpers import lower_and_verify, report
from torch import nn

from ttport.capture import capture
from ttport.lower.errors import LoweringError
from ttport.lower.preprocessors import ParameterError

G = torch.Generator().manual_seed(0)
VOCAB, WIDTH = 64, 32


class Body(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, WIDTH)
        self.norm = nn.LayerNorm(WIDTH)

    def forward(self, ids):
        return self.norm(self.embed(ids))


class TiedHead(nn.Module):
    """A causal LM's shape: the body looks the table up, the head (an nn.Linear) multiplies by the same tensor."""

    def __init__(self):
        super().__init__()
        self.body = Body()
        self.head = nn.Linear(WIDTH, VOCAB, bias=False)
        self.head.weight = self.body.embed.weight

    def forward(self, ids):
        return self.head(self.body(ids))


class TiedTable(TiedHead):
    """Tied the other way round (the table is the head's tensor): export reads it under the other name."""

    def __init__(self):
        super().__init__()
        self.body.embed.weight = self.head.weight


class FlatTiedHead(nn.Module):
    """The table and the tied head inlined in one function."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, WIDTH)
        self.norm = nn.LayerNorm(WIDTH)
        self.head = nn.Linear(WIDTH, VOCAB, bias=False)
        self.head.weight = self.embed.weight

    def forward(self, ids):
        return self.head(self.norm(self.embed(ids)))


class BareHead(nn.Module):
    """No head module: the parent multiplies by the body's table itself (F.linear(x, self.body.embed.weight))."""

    def __init__(self):
        super().__init__()
        self.body = Body()

    def forward(self, ids):
        return F.linear(self.body(ids), self.body.embed.weight)


class FlatBareHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, WIDTH)

    def forward(self, ids):
        return F.linear(self.embed(ids), self.embed.weight)


def _ids():
    return torch.randint(0, VOCAB, (2, 8), generator=G)


def _readers(captured, op: str) -> list[str]:
    """The get_attr names the `op` nodes of the captured graph read."""
    graph = captured.graph_module.graph
    nodes = [n for n in graph.nodes if n.op == "call_function" and op in str(n.target)]
    return [str(a.target) for n in nodes for a in n.all_input_nodes if a.op == "get_attr"]


@pytest.mark.parametrize("model", [TiedHead, TiedTable])
def test_each_read_of_a_tied_tensor_is_named_after_its_reader(model):
    captured = capture(model().eval(), {"ids": _ids()})
    assert _readers(captured, "embedding") == ["body.embed.weight"]
    assert _readers(captured, "linear") == ["head.weight"]


@pytest.mark.parametrize("model", [TiedHead, TiedTable, FlatTiedHead], ids=["nested", "reversed", "flat"])
def test_a_tied_head_is_prepared_as_a_linear_weight_and_the_table_as_an_embedding(model, device):
    lowered, checks, source = lower_and_verify(model(), {"ids": _ids()}, device, name="tied")
    assert "parameters.head.weight" in source and "ttnn.embedding" in source, source
    parameters = lowered.parameters_source
    assert "preprocess_linear_weight(model.weight" in parameters, parameters
    assert "preprocess_embedding_weight(model.weight" in parameters, parameters
    assert all(c.passed and c.pcc >= 0.999 for c in checks), report(checks)
    assert any(c.path == "" for c in checks), report(checks)  # the whole model, against the original


def test_a_bare_head_reading_the_childs_table_is_refused_by_name(device):
    """One name, two forms (the child's lookup and the parent's matmul): prepared once, one would be wrong."""
    with pytest.raises(ParameterError, match=r"body\.embed\.weight is read as embedding by body and as linear_weight"):
        lower_and_verify(BareHead(), {"ids": _ids()}, device, name="bare")


def test_a_bare_head_reading_its_own_table_is_refused_by_name(device):
    with pytest.raises(LoweringError, match=r"embed\.weight is read as embedding and as linear_weight"):
        lower_and_verify(FlatBareHead(), {"ids": _ids()}, device, name="bare")
