"""Rules of rules_selection.py on minimal graphs: each op lowers to its ttnn call with no host fallback and matches
torch on the emulated device; the host index it reads is uploaded once, before the op (Rule.ids)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from test_lower_helpers import Forward, lower_and_verify, report

from ttport.validate.outputs import Limits, Selection, check_outputs

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
    "topk": (  # a router: the top-2 scores and the experts they belong to (indices read back on host)
        lambda m, x: torch.topk(torch.softmax(x, -1), 2, dim=-1),
        {"x": torch.stack([torch.randperm(64, generator=G) for _ in range(16)]).reshape(2, 8, 64) / 8.0},
        {},
        "ttnn.topk",
    ),
    "sort": (
        lambda m, x: torch.sort(x, dim=-1, descending=True),
        {"x": torch.stack([torch.randperm(64, generator=G) for _ in range(16)]).reshape(2, 8, 64) / 4.0},
        {},
        "ttnn.sort",
    ),
    "argmax": (  # greedy decoding: the highest-scoring position, read back on host as int64
        lambda m, x: torch.argmax(x * 2, dim=-1),
        {"x": torch.stack([torch.randperm(64, generator=G) for _ in range(16)]).reshape(2, 8, 64) / 8.0},
        {},
        "ttnn.argmax",
    ),
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


def test_topk_indices_feed_host_code_as_int64(device):
    """Mixtral's router: the expert ids go on to torch code (one_hot), which needs int64 indices."""
    forward = Forward(
        lambda m, x: F.one_hot(torch.topk(x, 2, dim=-1)[1], 8).float() * torch.topk(x, 2, -1)[0][..., None]
    )
    x = torch.stack([torch.randperm(8, generator=G) for _ in range(16)]).reshape(2, 8, 8) / 2.0
    lowered, checks, source = lower_and_verify(forward, {"x": x}, device, name="router")
    assert "ttnn.topk(" in source and "ttnn.to_torch(" in source and ".to(torch.int64)" in source, source
    assert all(c.pcc >= 0.999 for c in checks), report(checks)


def _router_scores():
    """16 tokens x 8 experts, distinct scores; token 5's top two differ by less than bfloat16's step there."""
    scores = torch.stack([torch.randperm(8, generator=G) for _ in range(16)]).float() / 8 + 0.1
    scores[5, 0], scores[5, 7] = 1.25, 1.2505  # one bfloat16 value (step 2**-7 at 1.25): a tie on the device
    return scores


def test_indices_are_compared_by_the_scores_they_pick():
    scores = _router_scores()
    expected = torch.topk(scores, 2).indices
    flipped = expected.clone()
    flipped[5] = flipped[5].flip(0)  # the tie broken the other way: same experts, same scores within 0.0005
    wrong = expected.clone()
    wrong[5, 0] = torch.argmin(scores[5])  # another expert: its score is far from the one it replaces
    limits = Limits("TTNN", min_pcc=0.999)
    selection = {(): Selection(scores, 1)}
    assert check_outputs([((), expected.float())], {(): flipped.float()}, limits).problems  # as raw numbers: fails
    assert not check_outputs([((), expected.float())], {(): flipped.float()}, limits, selection).problems
    assert check_outputs([((), expected.float())], {(): wrong.float()}, limits, selection).problems
    outside = expected.clone()
    outside[0, 0] = 8
    problems = check_outputs([((), expected.float())], {(): outside.float()}, limits, selection).problems
    assert problems and "out of range" in problems[0], problems


def test_a_module_returning_topk_indices_is_verified_by_what_they_pick(device):
    """Qwen2-MoE's gate returns its expert ids: a bfloat16 tie may order two experts the other way round."""
    forward = Forward(lambda m, x: m.router(x), router=Router())
    lowered, checks, source = lower_and_verify(forward, {"x": _router_scores()[None]}, device, name="gate")
    assert "ttnn.topk(" in source and _no_fallback(lowered), source
    # compared as raw positions the router's ids fail (PCC 0.755 < 0.999: experts 0 and 7 swapped at token 5)
    assert all(c.passed for c in checks) and {c.path for c in checks} == {"", "router"}, report(checks)


class Router(torch.nn.Module):
    """A gate returning (scores, expert ids), the expert dim fixed by its weight (the identity: scores = x)."""

    def __init__(self):
        super().__init__()
        self.gate = torch.nn.Linear(8, 8, bias=False)
        self.gate.weight.data = torch.eye(8)

    def forward(self, x):
        return torch.topk(self.gate(x), 2, dim=-1)


def test_a_router_normalizing_its_top_values_in_place_stays_on_device(device):
    """Mixtral's router: top = topk(p)[0]; top /= top.sum(-1, keepdim=True) — topk's values are a new tensor, not a
    view of p, so the in-place divide is an ordinary ttnn.divide."""

    def route(m, x):
        top = torch.topk(torch.softmax(m.gate(x), -1), 2, dim=-1)[0]
        top /= top.sum(dim=-1, keepdim=True)
        return top

    forward = Forward(route, gate=torch.nn.Linear(8, 8, bias=False))
    lowered, checks, source = lower_and_verify(forward, {"x": randn(1, 16, 8)}, device, name="normalized")
    assert "ttnn.topk(" in source and "ttnn.divide(" in source and _no_fallback(lowered), source
    assert all(c.pcc >= 0.999 for c in checks), report(checks)


def test_a_repeat_by_the_batch_size(device):
    """DeBERTa-v2 repeats its relative-position scores once per sequence of the batch: a run-time count."""
    forward = Forward(lambda m, x, y: (x * 2).repeat(y.shape[0], 1, 1) + y)
    lowered, checks, source = lower_and_verify(forward, {"x": randn(1, 8, 32), "y": randn(3, 8, 32)}, device)
    assert "ttnn.repeat(" in source and _no_fallback(lowered), source
    assert all(c.pcc >= 0.999 for c in checks), report(checks)
