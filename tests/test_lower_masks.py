"""The additive_mask host fusion: Hugging Face's mask builder (transformers.masking_utils) lowered to two readable
torch statements that give exactly the same tensor, for padded masks of shapes other than the captured one."""

from __future__ import annotations

import pytest
import torch
import ttnn
from test_lower_helpers import Forward, lower_and_verify
from transformers import LlamaConfig
from transformers.masking_utils import create_bidirectional_mask, create_causal_mask

from ttport.lower.verify import load

G = torch.Generator().manual_seed(3)


class MaskOnly(torch.nn.Module):
    """(x, attention_mask) -> the additive (batch, 1, seq, seq) mask BertModel (bidirectional) or LlamaModel
    (causal) builds from a 0/1 padding mask."""

    def __init__(self, causal: bool):
        super().__init__()
        self.causal = causal
        self.config = LlamaConfig(hidden_size=32, num_attention_heads=1, num_hidden_layers=1, vocab_size=8)
        self.config._attn_implementation = "eager"

    def forward(self, x, attention_mask):
        if self.causal:
            return create_causal_mask(self.config, x, attention_mask, past_key_values=None)
        return create_bidirectional_mask(self.config, x, attention_mask)


def padding(batch: int, sequence: int) -> torch.Tensor:
    mask = (torch.rand(batch, sequence, generator=G) > 0.3).long()
    mask[:, 0] = 1
    return mask


@pytest.mark.parametrize("causal", [False, True], ids=["bidirectional", "causal"])
def test_additive_mask_is_two_statements_and_exactly_hf_mask(causal, device):
    model = MaskOnly(causal)
    inputs = {"x": torch.randn(2, 8, 32, generator=G), "attention_mask": padding(2, 8)}
    lowered, _, source = lower_and_verify(model, inputs, device)
    assert "attention_mask.to(torch.bool)[:, None, None, :]" in source, source
    assert ".masked_fill(~attends, torch.finfo(torch.float32).min)" in source, source
    assert ("tril()" in source) == causal, source
    assert "torch.arange" not in source and "torch.where" not in source, source
    assert "Hugging Face's additive attention mask" in source, source
    function = getattr(load(lowered), lowered.kinds[0].name)
    for batch, sequence in ((2, 8), (3, 5), (1, 13)):
        x, attention_mask = torch.randn(batch, sequence, 32, generator=G), padding(batch, sequence)
        expected = model(x, attention_mask)
        on_device = ttnn.from_torch(x, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
        actual = function(on_device, attention_mask)
        assert actual.dtype == expected.dtype and torch.equal(actual, expected), (batch, sequence)


class HandWritten(torch.nn.Module):
    """The same index arithmetic written out, with `k <= q` (causal) or `k < q` (a condition the fusion refuses)."""

    def __init__(self, strict: bool):
        super().__init__()
        self.strict = strict

    def forward(self, x, attention_mask):
        batch, sequence = attention_mask.shape
        b = torch.arange(batch).unsqueeze(1).unsqueeze(2).unsqueeze(3)
        q = torch.arange(sequence).unsqueeze(0).unsqueeze(1).unsqueeze(3)
        k = torch.arange(sequence).unsqueeze(0).unsqueeze(1).unsqueeze(2)
        before = k < q if self.strict else k <= q
        allowed = (before & attention_mask.to(torch.bool)[b, k]).expand(batch, -1, sequence, sequence)
        return torch.where(allowed, torch.zeros([], dtype=torch.float32), torch.finfo(torch.float32).min)


@pytest.mark.parametrize("strict", [False, True], ids=["causal", "strictly_before"])
def test_additive_mask_rewritten_only_for_the_conditions_it_knows(strict, device):
    model = HandWritten(strict)
    inputs = {"x": torch.randn(2, 8, 32, generator=G), "attention_mask": padding(2, 8)}
    lowered, _, source = lower_and_verify(model, inputs, device)
    assert ("masked_fill(~attends" in source) != strict, source
    assert ("torch.where(" in source) == strict, source
    function = getattr(load(lowered), lowered.kinds[0].name)
    x, attention_mask = torch.randn(3, 6, 32, generator=G), padding(3, 6)
    on_device = ttnn.from_torch(x, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    assert torch.equal(function(on_device, attention_mask), model(x, attention_mask))


class PaddedAttention(MaskOnly):
    """Causal self-attention with Hugging Face's additive mask: left padding makes a query row fully masked."""

    def __init__(self):
        super().__init__(causal=True)

    def forward(self, x, attention_mask):
        mask = super().forward(x, attention_mask)[:, 0]
        return torch.softmax(x @ x.transpose(-1, -2) / 32**0.5 + mask, dim=-1) @ x


def test_a_fully_masked_row_softmaxes_to_nan_on_device_with_float32s_minimum(device):
    """What the kernel does (calc_numeric_stable in tt-metal's softmax compute kernel subtracts the row max, and
    -inf - -inf is NaN): float32's minimum is -inf in bfloat16, so the emulator gives NaN for such a row."""
    row = torch.full((1, 1, 32, 32), torch.finfo(torch.float32).min)
    on_device = ttnn.from_torch(row, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    assert torch.isinf(ttnn.to_torch(on_device)).all()
    assert torch.isnan(ttnn.to_torch(ttnn.softmax(on_device, dim=-1))).all()


def test_left_padded_causal_attention_has_no_nan_on_device(device):
    x = torch.randn(2, 8, 32, generator=G)
    attention_mask = torch.ones(2, 8, dtype=torch.long)
    attention_mask[1, :3] = 0  # left padding, as batched generation pads: rows 0-2 of sequence 1 attend nothing
    lowered, checks, source = lower_and_verify(PaddedAttention(), {"x": x, "attention_mask": attention_mask}, device)
    assert "clamp(torch.finfo(torch.bfloat16).min, torch.finfo(torch.bfloat16).max)" in source, source
    assert all(c.passed for c in checks), [(c.path, c.pcc, c.error) for c in checks]
    namespace = load(lowered)
    on_device = ttnn.from_torch(x, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    prepared = namespace.prepare_inputs(on_device, attention_mask, device=device)
    actual = ttnn.to_torch(namespace.padded_attention(*prepared)).to(torch.float32)
    assert not actual.isnan().any()
    assert torch.allclose(actual, PaddedAttention()(x, attention_mask), atol=0.05)


def test_a_float32_minimum_filled_on_device_is_bfloat16s_minimum(device):
    """scores.masked_fill(~keep, finfo(float32).min) on device: the literal would be -inf in bfloat16, so a fully
    masked row would softmax to NaN; bfloat16's minimum keeps it uniform, as the float32 original is."""

    def forward(m, x, y):
        return torch.softmax(x.masked_fill(y, torch.finfo(torch.float32).min), dim=-1)

    keep = torch.ones(2, 8, 32, dtype=torch.bool)
    keep[1, :3] = False
    x = torch.randn(2, 8, 32, generator=G)
    lowered, checks, source = lower_and_verify(Forward(forward), {"x": x, "y": ~keep}, device)
    assert "torch.finfo(torch.bfloat16).min" in source, source
    assert all(c.passed for c in checks), [(c.path, c.pcc, c.error) for c in checks]
