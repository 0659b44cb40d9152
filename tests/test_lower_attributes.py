"""Tensor attributes read as values (issue 10, lowering): a module passing its own Parameter to a child (YOLOS'
position embeddings), a parent reading a child's `.weight` (DeBERTa's rel_embeddings), a parameter read by torch
code on host and by device ops both, and `F.linear` on a bare Parameter (Mixtral's router). Each lowers, and every
module matches torch on the emulated device."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from test_lower_helpers import Forward, lower_and_verify, report

G = torch.Generator().manual_seed(3)
X = torch.randn(2, 8, 64, generator=G)


def _fallbacks(lowered) -> list[str]:
    return [f.op for kind in lowered.kinds for f in kind.fallbacks]


def _proven(checks) -> bool:
    return bool(checks) and all(c.passed and c.pcc >= 0.999 for c in checks)


class Scaled(torch.nn.Module):
    """Takes a table as an argument and uses it on device (a slice and a Linear)."""

    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(64, 64)

    def forward(self, x, table):
        return x + self.proj(table[:8])


class OwnParameter(torch.nn.Module):
    """Passes its own Parameter to a child call, as YolosEmbeddings passes position_embeddings to its interpolation."""

    def __init__(self):
        super().__init__()
        self.table = torch.nn.Parameter(torch.randn(16, 64, generator=G))
        self.scaled = Scaled()

    def forward(self, x):
        return self.scaled(x, self.table)


def test_own_parameter_passed_to_a_child_is_a_device_tensor(device):
    lowered, checks, source = lower_and_verify(OwnParameter(), {"x": X}, device, name="own")
    assert "= parameters.table\n" in source, source  # prepared once as a device tensor, passed by name
    assert "from_torch(" not in source.split("def own_parameter(", 1)[1], source  # no upload at run time
    assert not _fallbacks(lowered)
    assert _proven(checks), report(checks)


class SlicedToo(OwnParameter):
    """Also slices the table itself: once the table is a device tensor, the slice is a device op."""

    def forward(self, x):
        return self.scaled(x, self.table) + self.table[8:]


def test_parameter_on_device_takes_its_slice_there(device):
    lowered, checks, source = lower_and_verify(SlicedToo(), {"x": X}, device, name="sliced")
    assert "ttnn.slice(table, [8, 0]" in source and "to_torch(" not in source, source
    assert not _fallbacks(lowered)
    assert _proven(checks), report(checks)


class ChildWeight(torch.nn.Module):
    """Reads a child's weight and passes it on, as DebertaEncoder passes rel_embeddings.weight to every layer."""

    def __init__(self):
        super().__init__()
        self.rel = torch.nn.Embedding(16, 64)
        self.layers = torch.nn.ModuleList([Scaled(), Scaled()])

    def forward(self, x):
        table = self.rel.weight
        for layer in self.layers:
            x = layer(x, table)
        return x


def test_a_child_weight_passed_to_grandchildren(device):
    lowered, checks, source = lower_and_verify(ChildWeight(), {"x": X}, device, name="childweight")
    assert "= parameters.rel.weight\n" in source, source
    assert not _fallbacks(lowered)
    assert _proven(checks), report(checks)


def _host_and_device(m, x):
    """logcumsumexp has no TTNN rule: it runs on host on the table, which the add also reads on device (cumsum,
    used here before, is a device op now)."""
    return x + m.table + torch.logcumsumexp(m.table, dim=0) * 0.1


def test_parameter_read_on_host_and_on_device_is_prepared_once(device):
    model = Forward(_host_and_device, table=torch.randn(8, 64, generator=G))
    lowered, checks, source = lower_and_verify(model, {"x": X}, device, name="both")
    assert "ttnn.to_torch(table" in source, source  # the host code reads the device tensor back
    assert _fallbacks(lowered) == ["aten.logcumsumexp.default"], _fallbacks(lowered)  # a fallback, named
    assert _proven(checks), report(checks)


def test_parameter_fed_to_a_host_fallback_op(device):
    """A device input and a parameter into an op with no rule: the fallback reads the parameter on host."""
    model = Forward(lambda m, x: torch.copysign(x, m.scale) * 2.0, scale=torch.randn(64, generator=G))
    lowered, checks, source = lower_and_verify(model, {"x": X}, device, name="fallback")
    assert _fallbacks(lowered) == ["aten.copysign.Tensor"], _fallbacks(lowered)
    assert _proven(checks), report(checks)


class Router(torch.nn.Module):
    """F.linear on a bare Parameter, as MixtralTopKRouter computes its router logits."""

    def __init__(self, bias: bool):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(4, 64, generator=G) / 8)
        self.bias = torch.nn.Parameter(torch.randn(4, generator=G)) if bias else None

    def forward(self, x):
        x = x.reshape(-1, 64)
        return F.linear(x, self.weight, self.bias)


def test_linear_on_a_bare_parameter_is_ttnn_linear(device):
    for bias in (False, True):
        lowered, checks, source = lower_and_verify(Router(bias), {"x": X}, device, name="router")
        assert "ttnn.linear(" in source and "preprocess_linear_weight(" in lowered.parameters_source, source
        assert ("preprocess_linear_bias(" in lowered.parameters_source) == bias, lowered.parameters_source
        assert not _fallbacks(lowered)
        assert _proven(checks), report(checks)


def test_host_op_reads_a_value_the_device_aliased(device):
    """An identity reshape on device is no op; a host fallback reading it reads its source (Mixtral's router
    reshapes its already-2-D input, then F.linear read it on host)."""
    model = Forward(lambda m, x: torch.copysign(x.reshape(-1, 64), x.reshape(-1, 64).abs() + 1.0))
    lowered, checks, _ = lower_and_verify(model, {"x": X.reshape(-1, 64)}, device, name="aliased")
    assert _fallbacks(lowered) == ["aten.copysign.Tensor"], _fallbacks(lowered)
    assert _proven(checks), report(checks)


def test_a_device_attribute_below_the_model_stays_in_its_function(device):
    """Below the model, `rel_weight = parameters.rel.weight` is not input preparation: the function reads it
    itself, not as an argument a prepare function hands it (DeBERTa's encoder under DebertaModel)."""
    model = Forward(lambda m, x: m.inner(x) * 2.0, inner=ChildWeight())
    lowered, checks, source = lower_and_verify(model, {"x": X}, device, name="outer")
    assert "def child_weight(x, *, parameters" in source, source
    assert not _fallbacks(lowered)
    assert _proven(checks), report(checks)
