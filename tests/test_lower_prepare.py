"""prepare_inputs: host torch the model's top-level function runs on its host inputs only (Hugging Face's
additive mask from attention_mask) moves to a generated function beside the model, run once per batch, and the
forward takes the prepared device tensors (issue 11: the forward runs no host torch, so it can be traced)."""

from __future__ import annotations

import ast
import inspect

import torch
from test_lower_helpers import lower_and_verify, report
from transformers import BertConfig, BertModel

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
    assert list(prepare.parameters) == ["input_ids", "attention_mask", "device"]
    assert list(inspect.signature(getattr(namespace, top.name)).parameters)[:2] == [
        "input_ids",
        "extended_attention_mask",
    ]
    assert [spec.name for spec in top.inputs] == ["input_ids", "attention_mask"]  # what the model is called with


def test_a_function_below_the_top_keeps_its_own_inputs(device):
    model, inputs = bert()
    lowered, _, _ = lower_and_verify(model, inputs, device, name="bert")
    assert not [kind.name for kind in lowered.kinds[:-1] if kind.prepare_inputs or "def prepare_inputs" in kind.source]
