"""Batch norm folded into the conv before it (fusions/conv_batch_norm.py): one ttnn.conv2d on the folded weight and
bias, the fold done once in parameters.py (fold_batch_norm2d_into_conv2d); a norm after anything else keeps the
channels-last affine."""

from __future__ import annotations

import torch
from test_lower_conv import IMAGE, batch_norm
from test_lower_helpers import Forward, lower_and_verify, report


def _verified(model, name: str, device):
    lowered, checks, source = lower_and_verify(model, {"x": IMAGE}, device, name=name)
    assert not [f for kind in lowered.kinds for f in kind.fallbacks]
    assert all(c.pcc >= 0.999 for c in checks), report(checks)
    return lowered, source


def test_every_conv_then_norm_pair_folds(device):
    """Two pairs in one module (torchvision's Bottleneck shape), one conv with a bias: no multiply or add is left."""
    children = {
        "conv1": torch.nn.Conv2d(8, 8, 3, padding=1, bias=False),
        "bn1": batch_norm(8),
        "conv2": torch.nn.Conv2d(8, 16, 1, bias=True),
        "bn2": batch_norm(16),
    }
    model = Forward(lambda m, x: m.bn2(m.conv2(torch.relu(m.bn1(m.conv1(x))))), **children)
    lowered, source = _verified(model, "folded", device)
    assert source.count("ttnn.conv2d(") == 2 and "ttnn.multiply(" not in source and "ttnn.add(" not in source, source
    assert "fold_batch_norm2d_into_conv2d(model.conv1, model.bn1)" in lowered.parameters_source
    assert "fold_batch_norm2d_into_conv2d(model.conv2, model.bn2)" in lowered.parameters_source
    functions = "\n".join(kind.source for kind in lowered.kinds)
    assert functions.count("bias_tensor=parameters.") == 2, functions  # the folded bias, also where the conv had none


def test_a_pair_inside_a_sequential_keeps_its_affine(device):
    """conv and norm of a Sequential (inlined into the caller): one preprocessor per container class would fold
    every Sequential alike, so nothing folds and the port still proves."""
    block = torch.nn.Sequential(torch.nn.Conv2d(8, 8, 3, padding=1, bias=False), batch_norm(8), torch.nn.ReLU())
    lowered, source = _verified(Forward(lambda m, x: m.block(x) * 2, block=block), "sequential", device)
    assert "fold_batch_norm2d_into_conv2d(" not in lowered.parameters_source
    assert "ttnn.multiply(" in source, source


def test_a_norm_not_after_a_conv_keeps_its_affine(device):
    """relu between conv and norm: the norm reads the relu, so nothing folds (the affine runs channels-last)."""
    children = {"conv": torch.nn.Conv2d(8, 8, 3, padding=1), "bn": batch_norm(8)}
    lowered, source = _verified(Forward(lambda m, x: m.bn(torch.relu(m.conv(x))), **children), "unfolded", device)
    assert "fold_batch_norm2d_into_conv2d(" not in lowered.parameters_source
    assert "ttnn.multiply(" in source, source


def test_a_conv_output_read_twice_is_not_folded(device):
    """The conv's output is also returned: folding would change it, so the norm stays separate."""
    children = {"conv": torch.nn.Conv2d(8, 8, 3, padding=1), "bn": batch_norm(8)}
    model = Forward(lambda m, x: (lambda y: (y, m.bn(y)))(m.conv(x)), **children)
    lowered, source = _verified(model, "twice", device)
    assert "fold_batch_norm2d_into_conv2d(" not in lowered.parameters_source
