"""Whole models through capture -> reference -> lower -> verify on the emulated device (issue 6 acceptance)."""

from __future__ import annotations

import pytest
import torch
import ttnn
from test_lower_helpers import Forward, lower_and_verify, report

import ttport.emu
from ttport import zoo


@pytest.fixture(scope="module")
def minilm_port():
    """MiniLM with real weights, lowered with bfloat16 weights and verified: (lowered, checks)."""
    model, inputs = zoo.resolve("minilm")
    device = ttnn.open_device(device_id=0)
    lowered, checks, _ = lower_and_verify(model, inputs, device, name="minilm")
    yield model, lowered, checks
    ttnn.close_device(device)


def test_minilm_every_module_and_the_model(minilm_port):
    _, lowered, checks = minilm_port
    modules = [c for c in checks if c.path]
    root = next(c for c in checks if c.path == "")
    assert all(c.pcc >= 0.999 and c.threshold == 0.999 for c in modules), report(checks)
    assert root.pcc >= 0.99 and root.threshold == 0.99, report(checks)
    assert all(c.passed for c in checks), report(checks)
    assert not [f for kind in lowered.kinds for f in kind.fallbacks]


def test_minilm_layer_issues_no_more_device_ops_than_the_hand_optimized_port(minilm_port, device):
    from models.demos.bert.tt import ttnn_optimized_bert
    from models.demos.bert.tt.parameters import create_optimized_ttnn_parameters

    model, _, checks = minilm_port
    generated = next(c for c in checks if c.path == "encoder.layer.0")
    parameters = create_optimized_ttnn_parameters(model, device, weights_dtype=ttnn.bfloat16)
    hidden = ttnn.from_torch(torch.randn(2, 8, 384), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    mask = ttnn.from_torch(torch.zeros(2, 1, 1, 8), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    with ttport.emu.trace() as records:
        ttnn_optimized_bert.bert_layer(model.config, hidden, mask, parameters=parameters.encoder.layer[0])
    hand = sum(1 for r in records if r.on_device)
    assert hand == 11
    assert generated.device_ops <= hand, f"generated layer: {generated.device_ops} device ops, hand: {hand}"


def test_minilm_attention_reads_like_the_hand_port(minilm_port):
    _, lowered, _ = minilm_port
    source = lowered.kind("bert_self_attention").source
    for call in (
        "ttnn.transformer.split_query_key_value_and_split_heads(",
        "ttnn.transformer.attention_softmax_(",
        "ttnn.transformer.concatenate_heads(",
        "ttnn.deallocate(query_key_value)",
    ):
        assert call in source, source


@pytest.mark.parametrize("name", ["gpt2-tiny", "llama-tiny"])
def test_random_models_every_module(name, device):
    model, inputs = zoo.resolve(name)
    _, checks, _ = lower_and_verify(model, inputs, device, name=name.replace("-", "_"))
    assert all(c.pcc >= 0.99 for c in checks), report(checks)
    assert all(c.passed for c in checks), report(checks)


def test_vit_every_module(device):
    """Every module >= 0.99. Two checks miss the 0.999 module threshold, both on the attention probabilities
    ViTAttention also returns (0.9982, 0.9983): with random-init weights they are nearly uniform (std 0.003
    around 1/17), so rounding is a visible share of their spread. Rounding the exact fp32 reference to bfloat16
    alone gives 0.99967; the rest is the softmax kernel's bfloat16 intermediates (exp and 1/sum, fp32_dest_acc_en
    off by default; ttnn.softmax with fp32_dest_acc_en=True reaches 0.9996 at two more device ops). The attention
    output itself is >= 0.9999, and under the emulator's "ideal" numerics every module is 1.0: the lowering is
    exact."""
    model, inputs = zoo.resolve("vit-tiny")
    lowered, checks, _ = lower_and_verify(model, inputs, device, name="vit_tiny")
    assert all(c.pcc >= 0.99 for c in checks), report(checks)
    missed = {c.kind for c in checks if not c.passed}
    assert missed <= {"vit_attention"}, report(checks)
    assert not [f for kind in lowered.kinds for f in kind.fallbacks]  # the patch embedding is a ttnn.conv2d
    with ttport.emu.numerics("ideal"):
        _, ideal, _ = lower_and_verify(model, inputs, device, name="vit_tiny")
    assert all(c.pcc >= 0.99999 for c in ideal), report(ideal)


def test_t5_every_module(device):
    """Encoder-decoder with relative position buckets (integer ops on host, then a device embedding) and a
    position_bias that later blocks take and hand back unchanged: every module >= 0.999."""
    model, inputs = zoo.resolve("t5-tiny")
    lowered, checks, _ = lower_and_verify(model, inputs, device, name="t5_tiny")
    assert all(c.pcc >= 0.999 for c in checks), report(checks)
    assert all(c.passed for c in checks), report(checks)
    assert {f.reason for kind in lowered.kinds for f in kind.fallbacks} <= {"no TTNN rule"}


def test_whisper_encoder_every_module(device):
    """Every module >= 0.99; WhisperAttention misses 0.999 on the attention probabilities it also returns, and no
    bfloat16 result can reach it: the probabilities are nearly uniform (1/12 +- 0.002 at random init), and merely
    rounding the exact fp32 reference to bfloat16 gives PCC 0.9978 (layer 0) and 0.9987 (layer 1). Its attention
    output is >= 0.9999 and under ideal numerics every output is 1.0."""
    model, inputs = zoo.resolve("whisper-tiny")
    lowered, checks, _ = lower_and_verify(model, inputs, device, name="whisper_tiny")
    assert all(c.pcc >= 0.99 for c in checks), report(checks)
    assert {c.kind for c in checks if not c.passed} <= {"whisper_attention"}, report(checks)
    assert not [f.op for kind in lowered.kinds for f in kind.fallbacks]  # both convolutions are ttnn.conv1d
    with ttport.emu.numerics("ideal"):
        _, ideal, _ = lower_and_verify(model, inputs, device, name="whisper_tiny")
    assert all(c.pcc >= 0.99999 for c in ideal), report(ideal)


def test_op_without_rule_runs_on_host_as_a_named_fallback(device):
    model = Forward(lambda m, x: torch.tanh(m.proj(x).logcumsumexp(-1) * 0.1), proj=torch.nn.Linear(64, 64))
    lowered, checks, source = lower_and_verify(model, {"x": torch.randn(2, 8, 64)}, device, name="logcumsumexp")
    fallbacks = [f for kind in lowered.kinds for f in kind.fallbacks]
    assert [(f.op, f.reason) for f in fallbacks] == [("aten.logcumsumexp.default", "no TTNN rule")]
    assert "# fallback: aten.logcumsumexp runs in torch on host" in source
    assert "ttnn.to_torch(" in source and "ttnn.from_torch(" in source
    assert all(c.passed for c in checks), report(checks)


def test_bfp8_weights(device):
    model, inputs = zoo.resolve("bert-tiny")
    lowered, checks, _ = lower_and_verify(model, inputs, device, name="bert_tiny", weights="bfp8")
    assert "WEIGHTS_DTYPE = ttnn.bfloat8_b" in lowered.parameters_source
    assert lowered.weights == "bfp8"
    assert all(c.pcc >= 0.99 for c in checks), report(checks)
