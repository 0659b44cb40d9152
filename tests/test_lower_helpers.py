"""Shared by the lowering tests: lower a small module or a zoo model and verify it on the emulated device."""

from __future__ import annotations

import torch

from ttport.capture import capture
from ttport.lower import lower, verify
from ttport.reference.generate import generate
from ttport.validate.api_check import RecordedApi, check_source, recorded_api_path

API = RecordedApi(recorded_api_path())


class Forward(torch.nn.Module):
    """A module whose forward is `function(self, *inputs)`, with optional submodules and parameters."""

    def __init__(self, function, **children):
        super().__init__()
        self.function = function
        for name, child in children.items():
            if isinstance(child, torch.Tensor):
                self.register_parameter(name, torch.nn.Parameter(child))
            else:
                self.add_module(name, child)

    def forward(self, x, y=None):
        return self.function(self, x) if y is None else self.function(self, x, y)


def lower_and_verify(model, inputs: dict, device, name: str = "model", weights: str = "bf16"):
    torch.manual_seed(0)
    captured = capture(model.eval(), inputs)
    generated = generate(captured, name)
    lowered = lower(captured, generated, weights=weights)
    source = lowered.parameters_source + "\n\n" + "\n\n".join(kind.source for kind in lowered.kinds)
    problems = check_source(source, f"<{name}>", API)
    assert not problems, "\n".join(map(str, problems))
    return lowered, verify(lowered, captured, device), source


def report(checks) -> str:
    return "\n".join(f"{c.path or '<root>'}: {c.kind} PCC {c.pcc:.6f} {c.error}" for c in checks)
