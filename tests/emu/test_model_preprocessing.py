"""ttnn.model_preprocessing: each rule of real ttnn's contract (DESIGN.md §4)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch
import ttnn
from ttnn.model_preprocessing import (
    ParameterDict,
    ParameterList,
    fold_batch_norm2d_into_conv2d,
    preprocess_embedding_weight,
    preprocess_layernorm_parameter,
    preprocess_linear_bias,
    preprocess_linear_weight,
    preprocess_model_parameters,
)


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.query = torch.nn.Linear(64, 32)
        self.norm = torch.nn.LayerNorm(32)
        self.scale = torch.nn.Parameter(torch.randn(32))


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = torch.nn.Embedding(100, 64)
        self.layer = torch.nn.ModuleList([Block(), Block()])
        self.head = torch.nn.Sequential(torch.nn.Linear(32, 8, bias=False))


@pytest.fixture
def model():
    torch.manual_seed(0)
    return Model().eval()


def test_linear_layernorm_embedding_rules():
    w, b = torch.randn(32, 64), torch.randn(32)
    weight = preprocess_linear_weight(w, dtype=ttnn.bfloat16)
    assert tuple(weight.shape) == (64, 32) and weight.layout == ttnn.TILE_LAYOUT
    assert torch.equal(ttnn.to_torch(weight), w.T.to(torch.bfloat16))
    assert tuple(preprocess_linear_bias(b, dtype=ttnn.bfloat16).shape) == (1, 32)
    assert tuple(preprocess_layernorm_parameter(b, dtype=ttnn.bfloat16).shape) == (1, 32)
    table = preprocess_embedding_weight(torch.randn(100, 64), dtype=ttnn.bfloat16)
    assert tuple(table.shape) == (100, 64) and table.layout == ttnn.ROW_MAJOR_LAYOUT


def test_tree_mirrors_the_module_tree(model, device):
    parameters = preprocess_model_parameters(initialize_model=lambda: model, device=device)
    assert isinstance(parameters, ParameterDict)
    assert isinstance(parameters.layer, ParameterList) and len(parameters.layer) == 2
    assert tuple(parameters.layer[1].query.weight.shape) == (64, 32)
    assert tuple(parameters.layer[1].query.bias.shape) == (1, 32)
    assert tuple(parameters.layer[0].norm.weight.shape) == (1, 32)
    assert parameters.embeddings.weight.layout == ttnn.ROW_MAJOR_LAYOUT
    # A direct parameter with no default rule: ROW_MAJOR bfloat16, shape kept.
    scale = parameters.layer[0].scale
    assert scale.layout == ttnn.ROW_MAJOR_LAYOUT and scale.dtype == ttnn.bfloat16 and tuple(scale.shape) == (32,)
    # Sequential children are digit names: int keys; no bias -> no key.
    assert list(parameters.head) == [0] and "bias" not in parameters.head[0]
    assert parameters.layer[0].query.weight.device() is device


def test_torch_parameters_for_references(model):
    parameters = preprocess_model_parameters(initialize_model=lambda: model, convert_to_ttnn=lambda *_: False)
    assert torch.equal(parameters.layer[0].query.weight, model.layer[0].query.weight.T)
    assert parameters.layer[0].query.bias is model.layer[0].query.bias
    assert parameters.embeddings.weight is model.embeddings.weight
    assert parameters.layer[0].norm.weight is model.layer[0].norm.weight


def test_custom_preprocessor_owns_its_subtree(model):
    seen = []

    def custom(module, name, ttnn_module_args, convert_to_ttnn):
        seen.append(name)
        if isinstance(module, Block):
            fused = torch.cat([module.query.weight, module.query.weight], dim=0)
            return {"fused": {"weight": preprocess_linear_weight(fused, dtype=ttnn.bfloat8_b)}}
        return {}

    parameters = preprocess_model_parameters(initialize_model=lambda: model, custom_preprocessor=custom)
    assert list(parameters.layer[0]) == ["fused"]
    assert parameters.layer[0].fused.weight.dtype == ttnn.bfloat8_b
    assert "layer.0" in seen and "layer.0.query" not in seen  # the subtree was not walked further
    assert tuple(parameters.head[0].weight.shape) == (32, 8)  # the default still handles the rest


def test_custom_preprocessor_with_bad_signature(model):
    with pytest.raises(RuntimeError, match="'device' is not supported"):
        preprocess_model_parameters(initialize_model=lambda: model, custom_preprocessor=lambda m, n, device: {})
    with pytest.raises(RuntimeError, match="at least two parameters"):
        preprocess_model_parameters(initialize_model=lambda: model, custom_preprocessor=lambda m: {})


def test_default_preprocessor_leaving_parameters_is_an_error():
    class LinearWithGate(torch.nn.Linear):
        def __init__(self):
            super().__init__(32, 32)
            self.gate = torch.nn.Parameter(torch.ones(32))

    with pytest.raises(
        RuntimeError, match=r"converted \['bias', 'weight'\] of <root> \(LinearWithGate\) but left \['gate'\]"
    ):
        preprocess_model_parameters(initialize_model=LinearWithGate)


def test_fold_batch_norm(model):
    conv, bn = torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4).eval()
    bn.running_mean.uniform_(-1, 1)
    bn.running_var.uniform_(0.5, 2)
    weight, bias = fold_batch_norm2d_into_conv2d(conv, bn)
    x = torch.randn(1, 3, 8, 8)
    expected = bn(conv(x))
    assert torch.allclose(torch.nn.functional.conv2d(x, weight, bias), expected, atol=1e-5)


def test_model_cache_round_trip(model, tmp_path):
    code = """
import torch, ttport.emu as e; e.install()
from ttnn.model_preprocessing import preprocess_model_parameters
import ttnn
torch.manual_seed(0)
calls = []
def init():
    calls.append(1)
    return torch.nn.Sequential(torch.nn.Linear(32, 16), torch.nn.LayerNorm(16))
first = preprocess_model_parameters(model_name="tiny", version="1", initialize_model=init)
second = preprocess_model_parameters(model_name="tiny", version="1", initialize_model=init)
third = preprocess_model_parameters(model_name="tiny", version="2", initialize_model=init)
print(len(calls), torch.equal(ttnn.to_torch(first[0].weight), ttnn.to_torch(second[0].weight)),
      tuple(second[1].bias.shape), type(second).__name__)
"""
    env = dict(
        os.environ, TTNN_CONFIG_OVERRIDES=json.dumps({"enable_model_cache": True, "model_cache_path": str(tmp_path)})
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["2", "True", "(1,", "16)", "ParameterDict"]
    assert (tmp_path / "tiny" / "version.txt").read_text() == "2"


def test_bad_config_override_is_named(tmp_path):
    env = dict(os.environ, TTNN_CONFIG_OVERRIDES='{"enable_model_cash": true}')
    out = subprocess.run([sys.executable, "-c", "import ttport.emu"], env=env, capture_output=True, text=True)
    assert "ttnn.CONFIG has no setting 'enable_model_cash'" in out.stderr
