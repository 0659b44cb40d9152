"""Rules of rules_selection.py on minimal graphs: each op lowers to its ttnn call with no host fallback and matches
torch on the emulated device; the host index it reads is uploaded once, before the op (Rule.ids)."""

from __future__ import annotations

import torch
from test_lower_helpers import Forward, lower_and_verify, report

G = torch.Generator().manual_seed(7)


def randn(*shape):
    return torch.randn(*shape, generator=G)


# rule name -> (forward, inputs, submodules/parameters, the ttnn call it must become); test_lower_rules runs them
SELECTION_CASES = {
    "gather": (  # DeBERTa's relative-position scores: one column per (query, key) picked by a host index
        lambda m, x, y: torch.gather(x, -1, y),
        {"x": randn(2, 8, 64), "y": torch.randint(0, 64, (2, 8, 16), generator=G)},
        {},
        "ttnn.gather",
    ),
    "repeat": (lambda m, x: x.repeat(1, 2, 3) * 2, {"x": randn(2, 8, 40)}, {}, "ttnn.repeat"),
    "roll": (lambda m, x: torch.roll(x, (3, -2), dims=(1, 2)), {"x": randn(2, 8, 64)}, {}, "ttnn.roll"),
    "cumsum": (lambda m, x: torch.cumsum(x, dim=1), {"x": randn(2, 8, 64)}, {}, "ttnn.cumsum"),
    "index": (  # CLIP's pooled token: one row per sequence, chosen by ids computed on host
        lambda m, x, y: x[torch.arange(2), y],
        {"x": randn(2, 8, 64), "y": torch.tensor([3, 5])},
        {},
        "ttnn.embedding",
    ),
}


def _no_fallback(lowered) -> bool:
    return not [f for kind in lowered.kinds for f in kind.fallbacks]


def test_an_index_after_full_slices_is_a_device_gather(device):
    """Falcon's fused query/key/value: x[:, :, [-2]] picks one head along dim 2 (a negative index wraps)."""
    forward = Forward(lambda m, x: x[:, :, torch.tensor([-2])] * 2 + x[:, :, torch.tensor([0, 3])].sum(2, True))
    lowered, checks, source = lower_and_verify(forward, {"x": randn(2, 8, 6, 32)}, device, name="heads")
    assert source.count("ttnn.gather(") == 2 and _no_fallback(lowered), source
    assert all(c.pcc >= 0.999 for c in checks), report(checks)


def test_a_roll_of_one_dim_and_of_two(device):
    """Swin's shifted windows roll (height, width) together; a single-dim roll takes the same call."""
    forward = Forward(lambda m, x: torch.roll(x, -2, 1) + torch.roll(x, (2, 2), (1, 2)))
    lowered, checks, source = lower_and_verify(forward, {"x": randn(2, 8, 8, 32)}, device, name="windows")
    assert source.count("ttnn.roll(") == 2 and _no_fallback(lowered), source
    assert all(c.pcc >= 0.999 for c in checks), report(checks)


def test_a_repeat_adding_leading_dims(device):
    forward = Forward(lambda m, x: x.repeat(2, 1, 1, 2))
    lowered, checks, source = lower_and_verify(forward, {"x": randn(3, 8, 32)}, device, name="tiles")
    assert "ttnn.repeat(" in source and _no_fallback(lowered), source
    assert all(c.pcc >= 0.999 for c in checks), report(checks)


def test_a_flattened_roll_stays_on_host_with_its_reason(device):
    forward = Forward(lambda m, x: torch.roll(x, 5) * 2)
    lowered, _checks, _source = lower_and_verify(forward, {"x": randn(2, 8, 32)}, device, name="flat")
    reasons = [f.reason for kind in lowered.kinds for f in kind.fallbacks]
    assert reasons == ["a roll of the flattened tensor"], reasons
