"""Conv weights prepared once (rules_conv.prepare_convs_source): parameters.py prepares every conv2d's weight and bias
on the device with ttnn.prepare_conv_weights / prepare_conv_bias at the captured geometry; the TTNN function passes
them as they are (no ttnn.from_torch per call), in bfloat16 or bfloat8_b as the port's weights."""

from __future__ import annotations

import pytest
import torch
from test_lower_conv import IMAGE, batch_norm
from test_lower_helpers import Forward, lower_and_verify, report

CHILDREN = {"conv1": torch.nn.Conv2d(8, 16, 3, padding=1), "bn": batch_norm(16), "conv2": torch.nn.Conv2d(16, 8, 1)}


def _forward(m, x):
    return m.conv2(torch.relu(m.bn(m.conv1(x))))


@pytest.mark.parametrize("weights", ["bf16", "bfp8"])
def test_conv_weights_are_prepared_once_in_parameters(weights, device):
    lowered, checks, source = lower_and_verify(Forward(_forward, **CHILDREN), {"x": IMAGE}, device, weights=weights)
    functions = "\n".join(kind.source for kind in lowered.kinds)
    assert "ttnn.from_torch(" not in functions, functions
    assert "weight_tensor=parameters.conv1.weight" in functions and "bias_tensor=parameters.conv2.bias" in functions
    assert lowered.parameters_source.count("ttnn.prepare_conv_weights(") == 1  # in the loop over CONVS
    assert '"conv1.weight": dict(' in lowered.parameters_source and '"conv2.weight": dict(' in lowered.parameters_source
    assert all(c.pcc >= 0.999 for c in checks), report(checks)


def test_the_parameter_tree_holds_prepared_device_weights(device):
    import ttnn

    lowered, _, _ = lower_and_verify(Forward(_forward, **CHILDREN), {"x": IMAGE}, device, weights="bfp8")
    namespace: dict = {}
    exec(compile(lowered.parameters_source, "<parameters>", "exec"), namespace)  # noqa: S102 - generated source
    parameters = namespace["create_ttnn_parameters"](Forward(_forward, **CHILDREN).eval(), device)
    weight = parameters.conv1.weight
    assert weight.device() is not None and weight.dtype == ttnn.bfloat8_b and weight.layout == ttnn.TILE_LAYOUT
    assert parameters.conv2.bias.device() is not None


def test_conv1d_weights_are_prepared_as_a_conv2d_of_height_one(device):
    conv = torch.nn.Conv1d(8, 16, 3, padding=1, stride=2)
    x = torch.randn(2, 8, 20, generator=torch.Generator().manual_seed(2))
    lowered, checks, source = lower_and_verify(Forward(lambda m, x: m.conv(x), conv=conv), {"x": x}, device)
    functions = "\n".join(kind.source for kind in lowered.kinds)
    assert "ttnn.conv1d(" in functions and "ttnn.from_torch(" not in functions, functions
    assert "input_height=1" in lowered.parameters_source and "kernel_size=(1, 3)" in lowered.parameters_source
    assert all(c.pcc >= 0.999 for c in checks), report(checks)
