"""The hand BERT port against Hugging Face, module by module and whole, on real and random weights.

Thresholds (tt-metal's): functional torch vs HF >= 0.9999 per module; plain TTNN >= 0.999 per module and
>= 0.99 whole model; optimized TTNN >= 0.99 whole model; sentence-embedding cosine >= 0.99.
"""

from __future__ import annotations

import pytest
import torch

from ttport.validate import compare

from .. import check

SENTENCES = [
    "Tenstorrent cards run TTNN programs.",
    "A CPU emulator lets the same code run anywhere, one module at a time, before it ever meets a card.",
    "PCC compares two tensors.",
    "The weather is nice today.",
    "It is sunny and warm outside.",
    "Matrix engines multiply tiles of 32 by 32 values.",
    "ttport ports PyTorch models module by module.",
    "A short one.",
]
RANDOM_SHAPES = [(1, 7), (1, 50), (1, 128), (8, 7), (8, 50), (8, 128)]
# The encoder is every layer stacked: it is the whole model (less the embeddings), so it is held to the
# whole-model threshold. Each layer alone keeps >= 0.999; the error compounds over MiniLM's 6 layers.
TTNN_THRESHOLD = {"encoder": 0.99}


def assert_pcc(expected, actual, threshold, what):
    result = compare(expected, actual)
    print(f"{what}: PCC {result.pcc:.6f}, max abs err {result.max_abs_error:.4g}, rel err {result.relative_error:.4g}")
    assert result.nonfinite == 0, f"{what}: {result.nonfinite} NaN/inf the original does not have ({result})"
    assert result.pcc >= threshold, f"{what}: PCC {result.pcc:.6f} < {threshold} ({result})"


@pytest.fixture(scope="module")
def minilm_case(minilm):
    model, tokenizer = minilm
    inputs = check.tokenized_inputs(tokenizer, SENTENCES)
    return model, inputs, check.hf_activations(model, inputs)


@pytest.mark.parametrize("module", check.MODULES)
def test_minilm_modules(minilm_case, module, device):
    model, inputs, hf = minilm_case
    reference = check.run_reference(module, model, inputs, hf)
    assert_pcc(hf[module], reference, 0.9999, f"reference {module}")
    actual = check.run_ttnn(module, model, inputs, hf, device)
    assert_pcc(hf[module], actual, TTNN_THRESHOLD.get(module, 0.999), f"ttnn {module}")


@pytest.mark.parametrize("optimized", [False, True], ids=["plain", "optimized"])
def test_minilm_model_and_sentence_embeddings(minilm_case, optimized, device):
    model, inputs, _ = minilm_case
    hf_hidden, hf_pooled = check.hf_model(model, inputs)
    ref_hidden, ref_pooled = check.reference_model(model, inputs)
    assert_pcc(hf_hidden, ref_hidden, 0.9999, "reference model")
    hidden, pooled = check.ttnn_model(model, inputs, device, optimized=optimized)
    assert_pcc(hf_hidden, hidden, 0.99, "ttnn model")
    assert_pcc(hf_pooled, pooled, 0.99, "ttnn pooler output")
    expected = check.sentence_embeddings(hf_hidden, inputs.attention_mask)
    actual = check.sentence_embeddings(hidden, inputs.attention_mask)
    cosine = torch.nn.functional.cosine_similarity(expected, actual, dim=-1)
    print(f"sentence cosine: min {float(cosine.min()):.6f}")
    assert float(cosine.min()) >= 0.99


@pytest.mark.parametrize("batch, sequence", RANDOM_SHAPES)
@pytest.mark.parametrize("module", ["embeddings", "attention", "layer", "encoder", "pooler"])
def test_random_modules(random_bert, batch, sequence, module, device):
    inputs = check.random_inputs(random_bert.config, batch, sequence)
    hf = check.hf_activations(random_bert, inputs)
    assert_pcc(hf[module], check.run_reference(module, random_bert, inputs, hf), 0.9999, f"reference {module}")
    actual = check.run_ttnn(module, random_bert, inputs, hf, device)
    assert_pcc(hf[module], actual, TTNN_THRESHOLD.get(module, 0.999), f"ttnn {module}")


@pytest.mark.parametrize("batch, sequence", RANDOM_SHAPES)
def test_random_model_optimized(random_bert, batch, sequence, device):
    inputs = check.random_inputs(random_bert.config, batch, sequence)
    hf_hidden, _ = check.hf_model(random_bert, inputs)
    hidden, _ = check.ttnn_model(random_bert, inputs, device, optimized=True)
    assert_pcc(hf_hidden, hidden, 0.99, "optimized model")
