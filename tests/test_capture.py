"""ttport.capture: the module call tree, each call's inputs/outputs bound to its real forward, typed export errors."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ttport.capture import DataDependentControlFlowError, UnsupportedInputError, capture


class Block(nn.Module):
    def __init__(self, width: int):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 2 * width), nn.GELU(), nn.Linear(2 * width, width))

    def forward(self, hidden_states, scale):
        return hidden_states + self.mlp(self.norm(hidden_states)) * scale


class Plain(nn.Module):
    """A non-Hugging-Face model: a ModuleList of blocks, a Sequential head, two inputs."""

    def __init__(self, width: int = 24, depth: int = 3):
        super().__init__()
        self.embed = nn.Linear(5, width)
        self.blocks = nn.ModuleList(Block(width) for _ in range(depth))
        self.head = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, 4))

    def forward(self, x, scale):
        hidden_states = self.embed(x)
        for block in self.blocks:
            hidden_states = block(hidden_states, scale)
        return self.head(hidden_states)


def plain_inputs():
    generator = torch.Generator().manual_seed(0)
    return {"x": torch.randn(2, 7, 5, generator=generator), "scale": torch.rand(2, 7, 1, generator=generator)}


def make_plain():
    torch.manual_seed(0)
    return Plain().eval(), plain_inputs()


def test_module_tree_and_boundaries_of_a_plain_model():
    model, inputs = make_plain()
    captured = capture(model, inputs)
    calls = {call.path: call for call in captured.calls()}
    assert list(calls) == ["", "blocks.0", "blocks.1", "blocks.2"]  # built-in modules are emitted inline
    block = calls["blocks.1"]
    assert [expr for expr, _ in block.inputs] == ["hidden_states", "scale"]
    ((path, node),) = block.outputs
    assert path == () and node is not None
    # the bound output node really computes the block's output on the example inputs
    torch.testing.assert_close(captured.values[node], block.record.output, rtol=0, atol=0)
    # the record holds the argument's value as called (a copy: the model may update tensors in place later)
    torch.testing.assert_close(block.record.arguments["scale"], inputs["scale"], rtol=0, atol=0)


def test_dynamic_batch_and_sequence():
    model, inputs = make_plain()
    captured = capture(model, inputs)
    x = next(n for n in captured.graph_module.graph.nodes if n.op == "placeholder" and n.target == "x")
    batch, sequence, features = x.meta["val"].shape
    assert isinstance(batch, torch.SymInt) and isinstance(sequence, torch.SymInt) and features == 5


def test_hugging_face_model_cache_off_and_mask_bound():
    from ttport import zoo

    model, inputs = zoo.gpt2_tiny()
    model.config.use_cache = True
    captured = capture(model, inputs)
    assert model.config.use_cache is False
    attention = next(c for c in captured.calls() if c.path == "h.0.attn")
    assert [expr for expr, _ in attention.inputs][:2] == ["hidden_states", "attention_mask"]


class DataDependent(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = nn.ModuleList([Gate()])

    def forward(self, x):
        return self.inner[0](x)


class Gate(nn.Module):
    def forward(self, x):
        if x.sum() > 0:  # a branch on tensor values: export cannot trace it
            return x * 2
        return x


def test_data_dependent_control_flow_is_a_typed_error_naming_the_module():
    with pytest.raises(DataDependentControlFlowError) as error:
        capture(DataDependent(), {"x": torch.randn(3, 4)})
    message = str(error.value)
    assert "inner.0 (Gate)" in message and "if x.sum() > 0" in message
    assert "data-dependent control flow" in message and "try:" in message and "torch.where" in message
    assert "Traceback" not in message and len(message) < 1500


class Opaque:
    def __init__(self, tensor):
        self.tensor = tensor


class TakesObject(nn.Module):
    def forward(self, x, extra):
        return x + extra.tensor


def test_unsupported_input_type_is_a_typed_error():
    with pytest.raises(UnsupportedInputError) as error:
        capture(TakesObject(), {"x": torch.randn(2), "extra": Opaque(torch.randn(2))})
    message = str(error.value)
    assert "'extra'" in message and "Opaque" in message and "try:" in message


def data_dependent_model():
    """A `package.module:factory` for the CLI test below: (model, example inputs)."""
    return DataDependent(), {"x": torch.randn(3, 4)}


def test_cli_reports_a_model_that_cannot_be_exported_in_one_paragraph(capsys):
    from ttport.cli import main

    assert main(["reference", "tests.test_capture:data_dependent_model"]) == 2
    err = capsys.readouterr().err
    assert "data-dependent control flow" in err and "inner.0" in err
    assert "Traceback" not in err and "def forward(" not in err  # no traceback, no graph dump from export
