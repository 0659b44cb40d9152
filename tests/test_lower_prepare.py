"""prepare_inputs: host torch a function runs on its inputs, sizes and host-held buffers only (Hugging Face's
additive mask from attention_mask, BERT's position and token-type id buffers, RoBERTa's position ids from
input_ids) moves to a generated function beside it, run once per batch, and the forward takes the prepared device
tensors (issue 11: the forward runs no host torch, so it can be traced). A module's prepare function is called by
its caller's, up to the model's prepare_inputs."""

from __future__ import annotations

import ast
import inspect

import torch
import ttnn
from test_lower_helpers import lower_and_verify, report
from transformers import BertConfig, BertModel, RobertaConfig, RobertaModel

from ttport.lower.verify import load


def bert():
    torch.manual_seed(0)
    config = BertConfig(vocab_size=60, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=48)
    config._attn_implementation = "eager"
    model = BertModel(config, add_pooling_layer=False).eval()
    ids = torch.randint(0, 60, (2, 8), generator=torch.Generator().manual_seed(0))
    mask = torch.ones(2, 8, dtype=torch.long)
    mask[1, 5:] = 0
    return model, {"input_ids": ids, "attention_mask": mask}


def _body(source: str, name: str) -> str:
    tree = ast.parse(source)
    function = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    return "\n".join(ast.unparse(statement) for statement in function.body)


def test_the_mask_is_prepared_beside_the_model_and_the_forward_runs_no_torch(device):
    model, inputs = bert()
    lowered, checks, _ = lower_and_verify(model, inputs, device, name="bert")
    assert all(c.passed for c in checks), report(checks)
    top = lowered.top
    assert top.prepare_inputs
    assert "torch." not in _body(top.source, top.name), top.source
    assert "masked_fill" in _body(top.source, "prepare_inputs")
    namespace = load(lowered)
    prepare = inspect.signature(namespace.prepare_inputs)
    assert list(prepare.parameters) == ["input_ids", "attention_mask", "parameters", "device"]
    forward = list(inspect.signature(getattr(namespace, top.name)).parameters)
    assert forward[:4] == ["input_ids", "token_type_ids", "position_ids", "extended_attention_mask"]
    assert [spec.name for spec in top.inputs] == ["input_ids", "attention_mask"]  # what the model is called with


def test_the_embeddings_id_buffers_are_prepared_once_per_batch_and_their_forward_runs_no_torch(device):
    model, inputs = bert()
    lowered, checks, _ = lower_and_verify(model, inputs, device, name="bert")
    assert all(c.passed for c in checks), report(checks)
    embeddings = next(kind for kind in lowered.kinds if kind.name == "bert_embeddings")
    assert embeddings.prepare_name == "prepare_bert_embeddings_inputs"
    assert "torch." not in _body(embeddings.source, "bert_embeddings"), embeddings.source
    assert "parameters.position_ids[" in _body(embeddings.source, embeddings.prepare_name)
    assert "prepare_bert_embeddings_inputs(" in _body(lowered.top.source, "prepare_inputs")
    assert [spec.name for spec in embeddings.inputs] == ["input_ids"]  # what the module is called with


def roberta():
    torch.manual_seed(0)
    config = RobertaConfig(
        vocab_size=60, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=48
    )
    config._attn_implementation = "eager"
    model = RobertaModel(config, add_pooling_layer=False).eval()
    ids = torch.randint(2, 60, (2, 8), generator=torch.Generator().manual_seed(0))
    ids[1, 6:] = config.pad_token_id  # padding: its position ids stay at padding_idx
    return model, {"input_ids": ids, "attention_mask": (ids != config.pad_token_id).long()}


def test_position_ids_computed_from_the_input_ids_are_prepared_beside_the_model(device):
    model, inputs = roberta()
    lowered, checks, _ = lower_and_verify(model, inputs, device, name="roberta")
    assert all(c.passed for c in checks), report(checks)
    for kind in lowered.kinds:
        assert "torch." not in _body(kind.source, kind.name), kind.source
    embeddings = next(kind for kind in lowered.kinds if kind.name == "roberta_embeddings")
    assert "cumsum" in _body(embeddings.source, embeddings.prepare_name)
    namespace = load(lowered)
    parameters = namespace.create_ttnn_parameters(model, device)
    arguments = namespace.prepare_inputs(*inputs.values(), parameters=parameters, device=device)
    assert all(isinstance(a, ttnn.Tensor) and a.storage_type() == ttnn.StorageType.DEVICE for a in arguments)
