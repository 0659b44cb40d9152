"""x[i0, ..., ik-1] on a device tensor reads its flat row ids as a value of its own (rules_movement._index_ids): when
the indices come from the inputs only (CLIP's pooled output at argmax(input_ids == eos)), that value is computed and
uploaded once in prepare_inputs and the forward runs no host torch; when they come from device values, it stays in
the forward after the host fallback that makes them (issue 11)."""

from __future__ import annotations

import ast

import torch
from test_lower_helpers import lower_and_verify, report
from torch import nn

EOS = 3


class EosPool(nn.Module):
    """The hidden state at each sequence's first eos token, indexed by (batch row, eos position) as CLIP does."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(20, 32)
        self.proj = nn.Linear(32, 32)

    def forward(self, input_ids):
        hidden = self.proj(self.embed(input_ids))
        eos = (input_ids.to(torch.int32) == EOS).to(torch.int32).argmax(-1)
        return hidden[torch.arange(hidden.shape[0]), eos]


class LargestRow(nn.Module):
    """One element per row, at a column computed from device values (whether the row sums above 0): no input's."""

    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(32, 32)

    def forward(self, x):
        hidden = self.proj(x)
        picked = (hidden.sum(-1) > 0).long()
        return hidden[torch.arange(hidden.shape[0]), picked]


def _body(source: str, name: str) -> str:
    tree = ast.parse(source)
    function = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    return "\n".join(ast.unparse(statement) for statement in function.body)


def _eos_inputs():
    ids = torch.randint(4, 20, (3, 8), generator=torch.Generator().manual_seed(0))
    for row, position in enumerate((7, 2, 5)):  # a different eos position per row
        ids[row, position] = EOS
    ids[1, 6] = EOS  # a second eos: the first one counts
    return {"input_ids": ids}


def test_row_ids_read_off_the_input_ids_are_prepared_once_and_the_forward_runs_no_torch(device):
    torch.manual_seed(0)
    lowered, checks, _ = lower_and_verify(EosPool().eval(), _eos_inputs(), device, name="pool")
    assert all(c.passed for c in checks), report(checks)
    top = lowered.top
    forward, prepare = _body(top.source, top.name), _body(top.source, "prepare_inputs")
    assert "torch." not in forward and "from_torch" not in forward, top.source
    assert "ttnn.embedding(" in forward, top.source
    assert "argmax(" in prepare and "dtype=ttnn.uint32" in prepare, top.source
    assert not [f for kind in lowered.kinds for f in kind.fallbacks]


def test_row_ids_computed_from_device_values_stay_in_the_forward_after_their_fallback(device):
    torch.manual_seed(0)
    x = torch.randn(4, 32, generator=torch.Generator().manual_seed(1))
    lowered, checks, _ = lower_and_verify(LargestRow().eval(), {"x": x}, device, name="rows")
    assert all(c.passed for c in checks), report(checks)
    forward = _body(lowered.top.source, lowered.top.name)
    assert "dtype=ttnn.uint32" in forward and "ttnn.embedding(" in forward, lowered.top.source
    fallbacks = [f.op for kind in lowered.kinds for f in kind.fallbacks]
    # `> 0` runs on the device (ttnn.gt); its bool -> int64 cast is the host step the ids are computed by
    assert fallbacks == ["aten.to.dtype"], fallbacks


class SortedRows(nn.Module):
    """Rows gathered in the order of a host sort of an int input, whose sorted values a host fallback also reads
    beside a device value (Qwen2-MoE's experts: sort[1] gathers, sort[0] feeds histc on host)."""

    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(32, 32)

    def forward(self, x, expert):
        hidden = self.proj(x)
        values, order = torch.sort(expert.reshape(-1))
        picked = hidden[order]
        bins = torch.searchsorted(values.to(torch.float32), hidden[:, 0].contiguous())
        return picked, bins


def test_a_prepared_step_whose_producer_stays_in_the_forward_stays_there_too(device):
    """The ids of hidden[order] read sort's second output; sort stays in the forward (its first output is read on
    host there), so the ids may not move to prepare_inputs alone: before, prepare read `sort` it never made."""
    x = torch.randn(6, 32, generator=torch.Generator().manual_seed(2))
    expert = torch.tensor([3, 0, 2, 1, 0, 2])
    lowered, checks, _ = lower_and_verify(SortedRows().eval(), {"x": x, "expert": expert}, device, name="sorted")
    assert all(c.passed for c in checks), report(checks)
    prepare = _body(lowered.top.source, "prepare_inputs") if "def prepare_inputs" in lowered.top.source else ""
    assert "sort" not in prepare, lowered.top.source
