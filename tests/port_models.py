"""A tiny two-kind model and its TTNN port written by hand, for testing `ttport port`'s writer without the lowering.

Tiny: x -> Block (linear + gelu) -> proj linear -> + x -> LayerNorm; the spec `port_models:tiny` resolves it
(this directory on PYTHONPATH). TINY_CORRUPT=1 in the environment negates one weight: a port tested against it
must fail.
"""

from __future__ import annotations

import os

import torch
from torch import nn

from ttport.capture import capture
from ttport.ported import InputSpec, KindPort, LoweredModel, ModuleCheck
from ttport.reference.generate import generate
from ttport.validate.pcc import compare

SPEC = "port_models:tiny"


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(32, 64)

    def forward(self, hidden_states):
        return nn.functional.gelu(self.dense(hidden_states))


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.proj = nn.Linear(64, 32)
        self.norm = nn.LayerNorm(32, eps=1e-5)

    def forward(self, x):
        return self.norm(self.proj(self.block(x)) + x)


def tiny():
    torch.manual_seed(0)
    model = Tiny().eval()
    if os.environ.get("TINY_CORRUPT"):
        with torch.no_grad():
            model.block.dense.weight.neg_()
    return model, {"x": torch.randn(2, 8, 32, generator=torch.Generator().manual_seed(1))}


BLOCK = """# from port_models (Block)
def block(hidden_states, *, parameters):
    return ttnn.linear(hidden_states, parameters.dense.weight, bias=parameters.dense.bias, activation="gelu")
"""

TINY = """# from port_models (Tiny)
def tiny(x, *, parameters, norm_eps):
    block_output = block(x, parameters=parameters.block)
    projected = ttnn.linear(block_output, parameters.proj.weight, bias=parameters.proj.bias)
    ttnn.deallocate(block_output)
    return ttnn.layer_norm(
        projected,
        residual_input_tensor=x,
        weight=parameters.norm.weight,
        bias=parameters.norm.bias,
        epsilon=norm_eps,
    )
"""

PARAMETERS = '''"""Tiny's parameters: Linear weights (in, out), biases (1, N), LayerNorm (1, N), all TILE."""

import torch
import ttnn
from ttnn.model_preprocessing import (
    preprocess_layernorm_parameter,
    preprocess_linear_bias,
    preprocess_linear_weight,
    preprocess_model_parameters,
)


def custom_preprocessor(model, name):
    parameters = {}
    if isinstance(model, torch.nn.Linear):
        parameters["weight"] = preprocess_linear_weight(model.weight, dtype=ttnn.bfloat16)
        parameters["bias"] = preprocess_linear_bias(model.bias, dtype=ttnn.bfloat16)
    elif isinstance(model, torch.nn.LayerNorm):
        parameters["weight"] = preprocess_layernorm_parameter(model.weight, dtype=ttnn.bfloat16)
        parameters["bias"] = preprocess_layernorm_parameter(model.bias, dtype=ttnn.bfloat16)
    return parameters


def create_ttnn_parameters(torch_model, device):
    return preprocess_model_parameters(
        initialize_model=lambda: torch_model, device=device, custom_preprocessor=custom_preprocessor
    )
'''


def lowered_tiny(captured, generated) -> LoweredModel:
    """The hand port as the lowering would return it: block in the feedforward group, tiny at the top."""
    block = KindPort("block", "feedforward", BLOCK, [InputSpec("hidden_states", "activation")])
    top = KindPort("tiny", "model", TINY, [InputSpec("x", "activation")], calls=["block"], config={"norm_eps": 1e-5})
    return LoweredModel("tiny", [block, top], generated.source, PARAMETERS)


def port_tiny():
    """(captured, generated reference, lowered, checks) for Tiny; checks computed by running the hand port."""
    model, inputs = tiny()
    captured = capture(model, inputs)
    generated = generate(captured, "tiny")
    lowered = lowered_tiny(captured, generated)
    return captured, generated, lowered, checks_by_hand(captured, lowered)


def checks_by_hand(captured, lowered: LoweredModel) -> list[ModuleCheck]:
    """Run each kind on each captured instance on the emulator (a stand-in for ttport.lower.verify)."""
    import ttnn

    from ttport.emu.trace import trace
    from ttport.reference.parameters import subtree

    namespace = {"ttnn": ttnn}
    for kind in lowered.kinds:
        exec(compile(kind.source, kind.name, "exec"), namespace)
    exec(compile(PARAMETERS, "parameters", "exec"), namespace)
    device = ttnn.open_device(device_id=0)
    try:
        parameters = namespace["create_ttnn_parameters"](captured.model, device)
        checks = []
        for call in captured.calls():
            kind = lowered.kind({"": "tiny", "block": "block"}[call.path])
            (name,) = [spec.name for spec in kind.inputs]
            x = ttnn.from_torch(
                call.record.arguments[name], dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device
            )
            with trace() as records:
                output = namespace[kind.name](x, parameters=subtree(parameters, call.path), **kind.config)
            result = compare(call.record.output, ttnn.to_torch(output).float())
            threshold = 0.99 if call.path == "" else 0.999
            device_ops = sum(record.on_device for record in records)
            checks.append(ModuleCheck(call.path, kind.name, result.pcc, result.max_abs_error, threshold, device_ops))
        return checks
    finally:
        ttnn.close_device(device)


class Branching(nn.Module):
    """A Python branch on a tensor value: torch.export cannot capture it."""

    def forward(self, x):
        return x * 2 if x.sum() > 0 else x


def branching():
    return Branching(), {"x": torch.ones(2, 4)}
