"""Instances of one module class: one TTNN function when their code is the same up to local names, a variant
function when it really differs; never a refusal (issue 10, class 1)."""

from __future__ import annotations

import torch
from test_lower_helpers import lower_and_verify, report
from torch import nn

from ttport.codegen.canonical import canonical


class Act(nn.Module):
    """An op without a TTNN rule: its host fallback's value names come from per-instance graph nodes."""

    def forward(self, x):
        return torch.cumsum(x, -1) * 0.1


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(32, 32)
        self.act = Act()

    def forward(self, x):
        return self.act(self.proj(x))


class Stack(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList(Block() for _ in range(3))

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x


def test_instances_that_differ_only_in_local_names_share_one_function(device):
    lowered, checks, source = lower_and_verify(Stack(), {"x": torch.randn(2, 8, 32)}, device, name="stack")
    assert [k.name for k in lowered.kinds].count("act") == 1 and "act_2" not in source
    assert set(lowered.kind("act").instances) == {f"blocks.{i}.act" for i in range(3)}
    assert all(c.passed for c in checks), report(checks)


class Flatten(nn.Module):
    """The same torch code for both instances; on a 2-D input the reshape is a no-op, on a 3-D one it is not."""

    def forward(self, x):
        return x.reshape(x.shape[0], -1) * 2


class TwoShapes(nn.Module):
    def __init__(self):
        super().__init__()
        self.flat = Flatten()
        self.wide = Flatten()

    def forward(self, x):
        return self.flat(x[:, 0, :32]) + self.wide(x[:, :2, :16])


def test_instances_whose_ttnn_code_differs_get_a_variant_function(device):
    lowered, checks, source = lower_and_verify(TwoShapes(), {"x": torch.randn(2, 4, 64)}, device, name="shapes")
    assert "def flatten_2" not in lowered.reference_source  # one torch function: the instances differ in TTNN only
    names = [k.name for k in lowered.kinds]
    assert "flatten" in names and "flatten_2" in names, names
    assert lowered.kind("flatten").instances.keys() != lowered.kind("flatten_2").instances.keys()
    assert "flatten_2(" in lowered.kind("two_shapes").source
    assert all(c.passed for c in checks), report(checks)


def test_canonical_code_ignores_local_names_only():
    one = "def f(x, *, parameters):\n    silu_1_torch = g(x)\n    return silu_1_torch\n"
    other = "def f(x, *, parameters):\n    silu_4_torch = g(x)\n    return silu_4_torch\n"
    assert canonical(one) == canonical(other)
    assert canonical(one) != canonical(one.replace("g(x)", "h(x)"))  # callees are the interface
    assert canonical(one) != canonical(one.replace("(x", "(y").replace("g(y)", "g(y)"))  # so are parameters


class Rotary(nn.Module):
    """ModernBERT's rotary embedding: one module, called once per attention type, reading a different buffer."""

    def __init__(self):
        super().__init__()
        self.register_buffer("global_scale", torch.linspace(0.5, 1.5, 32))
        self.register_buffer("local_scale", torch.linspace(2.0, 3.0, 32))

    def forward(self, x, kind: str):
        return x * (self.global_scale if kind == "global" else self.local_scale)


class TwoCalls(nn.Module):
    def __init__(self):
        super().__init__()
        self.rotary = Rotary()

    def forward(self, x):
        return self.rotary(x, "global") + self.rotary(x * 2, "local")


def test_a_module_called_twice_as_two_kinds_is_checked_with_each_calls_function(device):
    lowered, checks, _ = lower_and_verify(TwoCalls(), {"x": torch.randn(2, 8, 32)}, device, name="two_calls")
    assert [c.kind for c in checks if c.path == "rotary"] == ["rotary", "rotary_2"]
    assert all(c.passed for c in checks), report(checks)
