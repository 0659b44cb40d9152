"""Constructs from T5 and Whisper, each on a minimal module: it lowers, and every module matches torch on the
emulated device (PCC >= 0.999)."""

from __future__ import annotations

import torch
from test_lower_helpers import Forward, lower_and_verify, report

G = torch.Generator().manual_seed(2)
X = torch.randn(2, 8, 64, generator=G)


class Biased(torch.nn.Module):
    """Returns its `bias` input unchanged beside its result, as T5Attention returns position_bias."""

    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(64, 64)

    def forward(self, x, bias):
        return self.proj(x) + bias, bias


class Chain(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.first, self.second = Biased(), Biased()

    def forward(self, x, y):
        x, bias = self.first(x, y * 0.5)
        x, bias = self.second(x, bias)
        return x + bias


def test_an_input_a_child_returns_unchanged_keeps_its_name(device):
    lowered, checks, source = lower_and_verify(Chain(), {"x": X, "y": torch.randn(2, 8, 64, generator=G)}, device)
    assert "_ = biased(" in source, source  # the pass-through output is not rebound to a new name
    assert all(c.passed and c.pcc >= 0.999 for c in checks), report(checks)


def test_embedding_indices_read_through_an_identity(device):
    """T5's bucket: `0 + torch.where(...)` is the where itself; the table lookup still takes uint32 ids."""
    model = Forward(lambda m, x: m.table(0 + torch.where(x < 20, x, x // 2)), table=torch.nn.Embedding(50, 64))
    ids = torch.randint(0, 50, (2, 8), generator=G)
    lowered, checks, source = lower_and_verify(model, {"x": ids}, device, name="bucket")
    assert "ttnn.embedding(" in source and "dtype=ttnn.uint32" in source, source
    assert all(c.passed and c.pcc >= 0.999 for c in checks), report(checks)


def test_linear_without_bias_beside_linears_with_one(device):
    """Whisper's k_proj has no bias: the one Linear preprocessor prepares a bias only where there is one."""
    model = Forward(lambda m, x: m.k(x) + m.q(x), k=torch.nn.Linear(64, 64, bias=False), q=torch.nn.Linear(64, 64))
    lowered, checks, _ = lower_and_verify(model, {"x": X}, device, name="biases")
    assert "if model.bias is not None:" in lowered.parameters_source, lowered.parameters_source
    assert all(c.passed and c.pcc >= 0.999 for c in checks), report(checks)


def test_slice_bound_computed_from_a_size_is_a_device_slice(device):
    model = Forward(lambda m, x: x.reshape(x.shape[0] * x.shape[1], -1)[: x.shape[1] // 2] * 2.0)
    lowered, checks, source = lower_and_verify(model, {"x": X}, device, name="half")
    assert not [(f.op, f.reason) for kind in lowered.kinds for f in kind.fallbacks]
    assert "ttnn.slice(" in source and "// 2" in source, source
    assert all(c.passed and c.pcc >= 0.999 for c in checks), report(checks)


def test_times_one_is_no_op(device):
    """T5 scales its scores by 1.0: x * 1 and x / 1 are the identity, x * 2 is not."""
    model = Forward(lambda m, x: torch.softmax((x * 1.0) / 1 + x * 2.0, dim=-1))
    lowered, checks, source = lower_and_verify(model, {"x": X}, device, name="ones")
    assert source.count("ttnn.multiply(") == 1 and "ttnn.divide(" not in source, source
    assert all(c.passed and c.pcc >= 0.999 for c in checks), report(checks)
