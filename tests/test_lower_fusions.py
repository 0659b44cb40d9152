"""Each fusion rule on a minimal module: it matches (its ttnn call appears, the ops it replaces do not) and the
fused function still matches torch (PCC >= 0.999) on the emulated device."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from test_lower_helpers import Forward, lower_and_verify, report

G = torch.Generator().manual_seed(1)


def randn(*shape):
    return torch.randn(*shape, generator=G)


def mask(batch: int, sequence: int) -> torch.Tensor:
    """Additive (batch, 1, 1, seq) mask, the last two positions of the second sequence dropped."""
    values = torch.zeros(batch, 1, 1, sequence)
    values[1, ..., -2:] = -10000.0
    return values


class Attention(torch.nn.Module):
    """BERT-style self-attention + output + feed-forward on `heads` heads of `head_size`."""

    def __init__(self, heads: int = 2, head_size: int = 32):
        super().__init__()
        hidden = heads * head_size
        self.heads, self.head_size = heads, head_size
        self.query, self.key, self.value = (torch.nn.Linear(hidden, hidden) for _ in range(3))
        self.dense, self.norm = torch.nn.Linear(hidden, hidden), torch.nn.LayerNorm(hidden)
        self.up, self.down = torch.nn.Linear(hidden, 2 * hidden), torch.nn.Linear(2 * hidden, hidden)

    def split(self, x):
        batch, sequence, _ = x.shape
        return x.view(batch, sequence, self.heads, self.head_size).transpose(1, 2)

    def forward(self, x, y):
        batch, sequence, hidden = x.shape
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = q @ k.transpose(-1, -2) * (1.0 / math.sqrt(self.head_size)) + y
        context = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(batch, sequence, hidden)
        attended = self.norm(self.dense(context) + x)
        return self.down(F.gelu(self.up(attended)))


def llama_rms_norm(hidden: int) -> torch.nn.Module:
    """HF's LlamaRMSNorm (float32 cast in, input dtype out, weight * x) with a weight that is not all ones."""
    from transformers.models.llama.modeling_llama import LlamaRMSNorm

    norm = LlamaRMSNorm(hidden, eps=1e-6)
    with torch.no_grad():
        norm.weight.copy_(1.0 + 0.1 * randn(hidden))
    return norm


RMS_OPS = ["ttnn.pow(", "ttnn.mean(", "ttnn.rsqrt(", "ttnn.multiply(", "ttnn.add("]
LINEAR = {"proj": torch.nn.Linear(64, 64)}
CASES = {
    "linear_gelu": (lambda m, x: F.gelu(m.proj(x)), {"x": randn(2, 8, 64)}, LINEAR, 'activation="gelu"'),
    "linear_relu": (lambda m, x: torch.relu(m.proj(x)), {"x": randn(2, 8, 64)}, LINEAR, 'activation="relu"'),
    "linear_silu": (lambda m, x: F.silu(m.proj(x)), {"x": randn(2, 8, 64)}, LINEAR, 'activation="silu"'),
    "residual_layer_norm": (
        lambda m, x: m.norm(m.proj(x) + x),
        {"x": randn(2, 8, 64)},
        {"proj": torch.nn.Linear(64, 64), "norm": torch.nn.LayerNorm(64)},
        "residual_input_tensor=",
    ),
    "attention_softmax": (
        lambda m, x, y: torch.softmax(x @ x.transpose(-1, -2) * (1 / math.sqrt(32)) + y, dim=-1),
        {"x": randn(2, 2, 8, 32), "y": mask(2, 8)},
        {},
        "ttnn.transformer.attention_softmax_(",
    ),
    "attention_softmax_divided": (
        lambda m, x, y: torch.softmax(x @ x.transpose(-1, -2) / math.sqrt(32) + y, dim=-1),
        {"x": randn(2, 2, 8, 32), "y": mask(2, 8)},
        {},
        "ttnn.transformer.attention_softmax_(",
    ),
    "rms_norm_llama": (
        lambda m, x: m.norm(x),
        {"x": randn(2, 8, 64)},
        {"norm": llama_rms_norm(64)},
        "ttnn.rms_norm(",
    ),
    "rms_norm_operands_swapped": (
        lambda m, x: torch.rsqrt((x * x).mean(-1, keepdim=True) + 1e-5) * x * m.weight,
        {"x": randn(2, 8, 64)},
        {"weight": 1.0 + 0.1 * randn(64)},
        "ttnn.rms_norm(",
    ),
    "rms_norm_no_weight": (
        lambda m, x: x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6),
        {"x": randn(2, 8, 64)},
        {},
        "ttnn.rms_norm(",
    ),
    "concatenate_heads": (
        lambda m, x: x.transpose(1, 2).reshape(2, 8, 64),
        {"x": randn(2, 2, 8, 32)},
        {},
        "ttnn.transformer.concatenate_heads(",
    ),
}
# Calls a fusion removes: none of these may be left in the fused source.
REPLACED = {
    "linear_gelu": ["ttnn.gelu("],
    "linear_relu": ["ttnn.relu("],
    "linear_silu": ["ttnn.silu("],
    "residual_layer_norm": ["ttnn.add("],
    "attention_softmax": ["ttnn.softmax(", "ttnn.multiply(", "ttnn.add("],
    "attention_softmax_divided": ["ttnn.softmax(", "ttnn.divide(", "ttnn.add("],
    "concatenate_heads": ["ttnn.permute(", "ttnn.reshape("],
    **{case: RMS_OPS for case in ("rms_norm_llama", "rms_norm_operands_swapped", "rms_norm_no_weight")},
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fusion(case, device):
    forward, inputs, children, call = CASES[case]
    _, checks, source = lower_and_verify(Forward(forward, **children), inputs, device, name=case)
    assert call in source, source
    assert not [c for c in REPLACED[case] if c in source], source
    assert all(c.pcc >= 0.999 for c in checks), report(checks)


def test_rms_norm_weight_prepared_as_layer_norm_weight(device):
    """The fused norm reads its weight as ttnn.layer_norm does: (1, N) bfloat16 from preprocess_layernorm_parameter."""
    model = Forward(lambda m, x: m.norm(x), norm=llama_rms_norm(64))
    lowered, checks, source = lower_and_verify(model, {"x": randn(2, 8, 64)}, device)
    assert "preprocess_layernorm_parameter(model.weight, dtype=ttnn.bfloat16)" in lowered.parameters_source, source
    assert "ttnn.rms_norm(" in source and "weight=parameters.weight, epsilon=variance_epsilon" in source, source
    assert all(c.device_ops == 1 for c in checks), report(checks)


def test_rms_norm_not_fused_over_a_dim_other_than_the_last(device):
    """ttnn.rms_norm normalizes the last dim only: a mean over dim 1 keeps its separate ops."""
    forward = Forward(lambda m, x: x * torch.rsqrt(x.pow(2).mean(1, keepdim=True) + 1e-6))
    _, checks, source = lower_and_verify(forward, {"x": randn(2, 8, 64)}, device)
    assert "ttnn.rms_norm(" not in source and "ttnn.rsqrt(" in source, source
    assert all(c.pcc >= 0.999 for c in checks), report(checks)


def test_attention_block_fuses_to_the_hand_optimized_op_sequence(device):
    """QKV fusion (weights concatenated by the generated custom_preprocessor) plus every other fusion."""
    torch.manual_seed(0)
    lowered, checks, source = lower_and_verify(Attention(), {"x": randn(2, 8, 64), "y": mask(2, 8)}, device)
    assert "ttnn.transformer.split_query_key_value_and_split_heads(" in source
    assert "parameters.query_key_value.weight" in source
    assert "torch.cat([model.query.weight, model.key.weight, model.value.weight], dim=0)" in lowered.parameters_source
    assert all(c.pcc >= 0.999 for c in checks), report(checks)
    # qkv linear, split, QKᵀ, attention_softmax_, PV, concatenate_heads, dense, layer_norm, up+gelu, down
    assert checks[0].device_ops == 10, source


def test_qkv_not_fused_when_heads_are_not_whole_tiles(device):
    """split_query_key_value_and_split_heads needs head_size % 32 == 0: 16-wide heads keep three linears."""
    torch.manual_seed(0)
    model = Attention(heads=4, head_size=16)
    _, checks, source = lower_and_verify(model, {"x": randn(2, 8, 64), "y": mask(2, 8)}, device)
    assert "split_query_key_value_and_split_heads" not in source
    assert source.count("ttnn.linear(") == 6, source
    assert all(c.pcc >= 0.999 for c in checks), report(checks)
