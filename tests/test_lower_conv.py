"""Convolution, pooling, batch norm and resize rules (ttport.lower.rules_conv): each op alone (CONV_CASES, run by
test_lower_rules.test_rule), and the channels-last plan: a conv stack pays one permute in and one out."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from test_lower_helpers import Forward, lower_and_verify, report

G = torch.Generator().manual_seed(1)
aten = torch.ops.aten


def randn(*shape):
    return torch.randn(*shape, generator=G)


def batch_norm(channels: int) -> torch.nn.BatchNorm2d:
    norm = torch.nn.BatchNorm2d(channels)
    norm.running_mean.copy_(randn(channels) * 0.1)
    norm.running_var.copy_(torch.rand(channels, generator=G) + 0.5)
    norm.weight.data.copy_(1 + 0.1 * randn(channels))
    norm.bias.data.copy_(0.1 * randn(channels))
    return norm


IMAGE = randn(1, 8, 16, 16)


def _prelu(channels: int) -> torch.nn.PReLU:
    act = torch.nn.PReLU(channels)
    act.weight.data.copy_(torch.rand(channels, generator=G) * 0.5)
    return act


# rule name -> (forward, inputs, submodules/parameters, the ttnn call it must become), as test_lower_rules.CASES
CONV_CASES = {
    "conv2d": (
        lambda m, x: m.conv(x),
        {"x": randn(1, 3, 16, 16)},
        {"conv": torch.nn.Conv2d(3, 8, 3, padding=1)},
        "ttnn.conv2d",
    ),
    "convolution": (
        lambda m, x: aten.convolution(x, m.w, m.b, [2, 2], [1, 1], [1, 1], False, [0, 0], 1),
        {"x": IMAGE},
        {"w": randn(16, 8, 3, 3) * 0.2, "b": randn(16)},
        "ttnn.conv2d",
    ),
    "conv1d": (
        lambda m, x: m.conv(x),
        {"x": randn(2, 8, 20)},
        {"conv": torch.nn.Conv1d(8, 16, 3, padding=1)},
        "ttnn.conv1d",
    ),
    "max_pool2d": (lambda m, x: F.max_pool2d(x, 3, 2, 1), {"x": IMAGE}, {}, "ttnn.max_pool2d"),
    "avg_pool2d": (lambda m, x: F.avg_pool2d(x, 2), {"x": IMAGE}, {}, "ttnn.avg_pool2d"),
    "adaptive_avg_pool2d": (lambda m, x: F.adaptive_avg_pool2d(x, 1), {"x": IMAGE}, {}, "ttnn.global_avg_pool2d"),
    "batch_norm": (lambda m, x: m.norm(x), {"x": IMAGE}, {"norm": batch_norm(8)}, "ttnn.multiply"),
    "prelu": (
        lambda m, x: m.act(m.conv(x)),
        {"x": IMAGE},
        {"conv": torch.nn.Conv2d(8, 8, 1), "act": _prelu(8)},
        "ttnn.relu",
    ),
    "upsample_nearest2d": (lambda m, x: F.interpolate(x, scale_factor=2), {"x": IMAGE}, {}, "ttnn.upsample"),
    "upsample_bilinear2d": (
        lambda m, x: F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False),
        {"x": IMAGE},
        {},
        "ttnn.upsample",
    ),
}


def _conv_stack(m, x):
    y = torch.relu(m.bn1(m.conv1(x)))
    y = m.bn2(m.conv2(y))
    return F.adaptive_avg_pool2d(torch.relu(x + y), 1).flatten(1)


def test_a_conv_stack_stays_channels_last(device):
    """conv-bn-relu-conv-bn, residual add, relu, pool, flatten: one permute (the input), no fallback, and the
    pooled [N, 1, 1, C] flattens without going back to NCHW."""
    children = {
        "conv1": torch.nn.Conv2d(8, 8, 3, padding=1, bias=False),
        "bn1": batch_norm(8),
        "conv2": torch.nn.Conv2d(8, 8, 3, padding=1, bias=False),
        "bn2": batch_norm(8),
    }
    lowered, checks, source = lower_and_verify(Forward(_conv_stack, **children), {"x": IMAGE}, device, name="stack")
    assert not [f for kind in lowered.kinds for f in kind.fallbacks]
    assert source.count("ttnn.permute(") == 1, source
    assert "conv_config = ttnn.Conv2dConfig(" in source and "input_height=" in source, source
    assert all(c.pcc >= 0.999 for c in checks), report(checks)


def test_an_average_pool_over_the_whole_input_is_global_whatever_ceil_mode(device):
    """EfficientNet's pooler, AvgPool2d(kernel 1280, ceil_mode=True) over 2x2 pixels, is the global average."""
    model = Forward(lambda m, x: F.avg_pool2d(torch.relu(x), 64, ceil_mode=True))
    lowered, checks, source = lower_and_verify(model, {"x": randn(2, 16, 3, 3)}, device, name="pooler")
    assert not [f for kind in lowered.kinds for f in kind.fallbacks]
    assert "ttnn.global_avg_pool2d(" in source, source
    assert all(c.pcc >= 0.999 for c in checks), report(checks)
