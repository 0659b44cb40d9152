"""A size-list literal takes a config name only from the source argument at its own position (issue 10 class 6).

DETR's encoder named its sequence length (16) `head_dim` because the head size is also 16 and the line mentions
`self.head_dim`. Each model here has sequence length == head_dim == 16 (static capture, as DETR's image features)."""

from __future__ import annotations

import re

import torch
from torch import nn

from ttport.capture import capture
from ttport.codegen.call_slots import slot_identifiers
from ttport.reference import generate
from ttport.reference.verify import verify

SEQ = HEAD = 16


def source_of(model: nn.Module, inputs: dict) -> str:
    captured = capture(model.eval(), inputs, dynamic=False)
    generated = generate(captured, "model")
    failures = [row for row in verify(captured, generated) if not row.passed]
    assert not failures, "\n".join(map(str, failures)) + "\n" + generated.source
    return generated.source


def calls(source: str, method: str) -> list[str]:
    return re.findall(rf"\.{method}\(([^()]*)\)", source)


class ShapeVariable(nn.Module):
    """DETR / GPT-2 / Llama: `hidden_shape = (*input_shape, -1, self.head_dim)`, `x.view(hidden_shape)`."""

    def __init__(self):
        super().__init__()
        self.head_dim = HEAD
        self.proj = nn.Linear(64, 64)

    def forward(self, x):
        input_shape = x.shape[:-1]
        hidden_shape = (*input_shape, -1, self.head_dim)
        heads = self.proj(x).view(hidden_shape).transpose(1, 2)
        return heads.transpose(1, 2).reshape(*input_shape, -1)


def test_a_starred_prefix_keeps_its_literal_and_the_written_entry_is_named():
    source = source_of(ShapeVariable(), {"x": torch.randn(2, SEQ, 64)})
    assert calls(source, "view") == [f"2, {SEQ}, -1, head_dim"], source
    assert calls(source, "reshape") == [f"2, {SEQ}, -1"], source


class Positional(nn.Module):
    """BERT / BART: sizes spread as arguments, one of them the sequence length the head size coincides with."""

    def __init__(self):
        super().__init__()
        self.num_heads, self.head_dim = 4, HEAD

    def forward(self, x, mask):
        b, s, _ = x.shape
        heads = x.view(b, s, self.num_heads, self.head_dim)
        return heads * mask[:, None, None, :].expand(b, 1, s, s).transpose(1, 2)


def test_positional_sizes_are_named_by_their_own_argument():
    source = source_of(Positional(), {"x": torch.randn(2, SEQ, 64), "mask": torch.ones(2, SEQ)})
    assert calls(source, "view") == [f"2, {SEQ}, num_heads, head_dim"], source
    assert calls(source, "expand") == [f"2, 1, {SEQ}, {SEQ}"], source


class Concatenated(nn.Module):
    """transformers' Conv1D: `size_out = x.size()[:-1] + (self.nf,)`; `x.view(-1, x.size(-1))` is no `nf`."""

    def __init__(self):
        super().__init__()
        self.nf = HEAD
        self.weight = nn.Parameter(torch.randn(HEAD, HEAD))

    def forward(self, x):
        size_out = x.size()[:-1] + (self.nf,)
        return (x.view(-1, x.size(-1)) @ self.weight).view(size_out)


def test_a_concatenated_shape_names_its_written_part_only():
    source = source_of(Concatenated(), {"x": torch.randn(2, SEQ, HEAD)})
    assert f"view(-1, {HEAD})" in source and "view(2, 16, nf)" in source, source


class TwoViews(nn.Module):
    """Two views on one line whose arguments differ at the same position: which one wrote it is unknown."""

    def __init__(self):
        super().__init__()
        self.head_dim = HEAD

    def forward(self, x):
        return x.view(2, SEQ, 4, self.head_dim).sum(1) + x.view(2, 4, SEQ, SEQ).sum(2)


def test_an_ambiguous_call_keeps_the_literal():
    source = source_of(TwoViews(), {"x": torch.randn(2, SEQ, 4 * HEAD)})
    assert "head_dim" not in source, source


def test_slot_identifiers_follow_names_bound_once_and_refuse_what_does_not_line_up(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(
        "def f(self, x, shape):\n"
        "    b, s = x.shape[:2]\n"
        "    hd = self.head_dim\n"
        "    y = x.view(b, s, self.num_heads, hd)\n"
        "    z = x.view(shape)\n"
        "    return y, z\n"
    )
    assert {"head_dim"} <= slot_identifiers(str(path), 4, "view", 3, 4)
    assert "head_dim" not in slot_identifiers(str(path), 4, "view", 1, 4)
    assert slot_identifiers(str(path), 4, "view", 1, 5) is None  # five entries cannot come from four arguments
    assert slot_identifiers(str(path), 4, "expand", 1, 4) is None  # no expand on the line
    assert slot_identifiers(str(path), 5, "view", 0, 4) is None  # a parameter's length is the caller's
