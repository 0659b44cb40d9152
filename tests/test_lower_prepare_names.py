"""A value moved into prepare_<kind>_inputs becomes an argument, live from the function's start: its name must not
be one the forward reuses for a later value (names are given by liveness before the move; Mamba's mixer uploaded
`D` as `value_device`, reused that name for another upload, deallocated it, then read the argument)."""

from __future__ import annotations

import torch
from test_lower_helpers import lower_and_verify, report
from torch import nn


class Mixer(nn.Module):
    def __init__(self):
        super().__init__()
        self.D = nn.Parameter(torch.rand(32, generator=torch.Generator().manual_seed(0)) + 0.5)
        self.proj = nn.Linear(32, 32)

    def forward(self, x):
        h = self.proj(x)
        value = torch.cumsum(h.to(torch.float32), -1)  # host torch (no TTNN rule), uploaded, used, freed
        h = h * value
        value = self.D.unsqueeze(0)  # host torch on a parameter only: moved to prepare_mixer_inputs
        value = value.unsqueeze(1)
        return h * value


class Top(nn.Module):
    def __init__(self):
        super().__init__()
        self.mixer = Mixer()
        self.out = nn.Linear(32, 32)

    def forward(self, x):
        return self.out(self.mixer(x))


def test_a_prepared_argument_keeps_a_name_the_forward_does_not_reuse(device):
    x = torch.randn(2, 8, 32, generator=torch.Generator().manual_seed(1))
    lowered, checks, _ = lower_and_verify(Top(), {"x": x}, device, name="top")
    source = lowered.kind("mixer").source
    assert "def prepare_mixer_inputs(" in source, source
    argument = source.split("def mixer(", 1)[1].split(",")[1].strip()
    body = source.split("def mixer(", 1)[1]
    assert f"    {argument} = " not in body and f"ttnn.deallocate({argument})" not in body, source
    assert all(c.passed and c.pcc >= 0.999 for c in checks), report(checks)
