"""Instances of one module class whose tensors are read differently get their own preprocessor, chosen by module
name (issue 10: DeBERTa-v2's rel_embeddings table read as a matrix, Mamba's dt_proj weight read on host); the
class's preprocessor keeps the common form and no tensor is prepared twice."""

from __future__ import annotations

import pytest
import torch
import ttnn
from test_lower_helpers import lower_and_verify, report
from torch import nn

from ttport.lower.preprocessors import ParameterError, plan_preprocessors

G = torch.Generator().manual_seed(0)


class Tables(nn.Module):
    """Two Embeddings: `word` looked up by id, `rel` read whole as a matrix by its parent (DeBERTa's encoder)."""

    def __init__(self):
        super().__init__()
        self.word = nn.Embedding(50, 32)
        self.rel = nn.Embedding(16, 32)
        self.norm = nn.LayerNorm(32)

    def forward(self, ids):
        hidden = self.word(ids)
        rel = self.norm(self.rel.weight)
        return torch.matmul(hidden, rel.transpose(-1, -2))


def test_an_embedding_read_as_a_matrix_gets_its_own_preprocessor(device):
    ids = torch.randint(0, 50, (2, 8), generator=G)
    lowered, checks, _ = lower_and_verify(Tables(), {"ids": ids}, device, name="tables")
    source = lowered.parameters_source
    assert '"Embedding": embedding_parameters' in source, source
    assert '"rel": embedding_rel_parameters' in source, source
    assert all(c.passed and c.pcc >= 0.999 for c in checks), report(checks)
    namespace = {}
    exec(compile(source, "<parameters>", "exec"), namespace)
    model = Tables()
    parameters = namespace["create_ttnn_parameters"](model, device)
    assert parameters.word.weight.layout == ttnn.ROW_MAJOR_LAYOUT  # a table for ttnn.embedding
    assert parameters.rel.weight.layout == ttnn.TILE_LAYOUT  # a matrix, and only a matrix: one form each
    assert sorted(parameters.rel) == ["weight"] and sorted(parameters.word) == ["weight"]


class Block(nn.Module):
    """`proj` runs on device; `dt`'s weight is read only by host torch (cumsum has no TTNN rule), like Mamba's
    dt_proj. The block has a tensor of its own, so its preprocessor walks its children by name."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.rand(32, generator=G) + 0.5)
        self.proj = nn.Linear(32, 32)
        self.dt = nn.Linear(32, 32)

    def forward(self, x):
        drift = torch.cumsum(self.dt.weight, 0).mean(0) * 0.01
        return self.proj(x) * self.scale + drift


class Blocks(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList(Block() for _ in range(3))
        self.head = nn.Linear(32, 16)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.head(x)


def test_a_linear_read_on_host_in_every_layer_gets_one_instance_preprocessor(device):
    x = torch.randn(2, 8, 32, generator=G)
    lowered, checks, _ = lower_and_verify(Blocks(), {"x": x}, device, name="blocks")
    source = lowered.parameters_source
    assert '"layers.*.dt": linear_dt_parameters' in source, source  # one pattern for the three layers
    assert source.count("def linear_dt_parameters(") == 1 and "def linear_parameters(" in source, source
    assert all(c.passed and c.pcc >= 0.999 for c in checks), report(checks)
    namespace = {}
    exec(compile(source, "<parameters>", "exec"), namespace)
    parameters = namespace["create_ttnn_parameters"](Blocks(), device)
    for index in range(3):
        assert isinstance(parameters.layers[index].dt.weight, torch.Tensor)  # on host, for torch
        assert isinstance(parameters.layers[index].proj.weight, ttnn.Tensor)
    assert isinstance(parameters.head.weight, ttnn.Tensor)


def test_instance_patterns_never_cover_a_module_read_the_common_way():
    """Only layers.1 differs: `layers.*` would also catch layers.0 and layers.2, so its name stays exact."""
    model = nn.Sequential(nn.ModuleList(nn.Linear(4, 4) for _ in range(3)))
    preparations = {(f"0.{i}", "weight"): "linear_weight" for i in range(3)}
    preparations["0.1", "weight"] = "host"
    planned = plan_preprocessors(model, preparations, {})
    by_name = {p.name: p for p in planned}
    assert set(by_name) == {"linear_parameters", "linear_2_parameters"}, by_name
    assert by_name["linear_parameters"].tensors == {"weight": "linear_weight"}
    assert by_name["linear_2_parameters"].patterns == ["0.1"]
    assert by_name["linear_2_parameters"].tensors == {"weight": "host_linear_weight"}


def test_the_common_form_is_the_one_most_instances_read():
    model = nn.ModuleDict({name: nn.Embedding(4, 4) for name in ("a", "b", "c")})
    preparations = {("a", "weight"): "tile", ("b", "weight"): "embedding", ("c", "weight"): "embedding"}
    planned = plan_preprocessors(model, preparations, {})
    assert [(p.patterns, p.tensors["weight"]) for p in planned] == [([], "embedding"), (["a"], "tile")]


class Lookup(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(64, 32)

    def forward(self, ids):
        return self.emb(ids)


class Tied(nn.Module):
    """One table looked up by `lookup` and read whole as a matrix by the parent (a tied output head)."""

    def __init__(self):
        super().__init__()
        self.lookup = Lookup()
        self.norm = nn.LayerNorm(32)

    def forward(self, ids):
        hidden = self.lookup(ids)
        return torch.matmul(hidden, self.norm(self.lookup.emb.weight).transpose(0, 1))


def test_one_tensor_two_functions_read_in_two_forms_is_refused_by_name(device):
    """Prepared once, one form would be wrong for the other reader: refused, naming the tensor and both readers
    (before, the last reader's form silently replaced the first's)."""
    ids = torch.randint(0, 64, (2, 8), generator=G)
    with pytest.raises(ParameterError, match=r"lookup\.emb\.weight is read as embedding by lookup and as tile by"):
        lower_and_verify(Tied(), {"ids": ids}, device, name="tied")
