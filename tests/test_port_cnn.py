"""Convolutional models end to end (capture -> reference -> lower -> verify on the emulated device): every conv,
pool, norm and resize on the device (no host fallback), every module >= 0.999 PCC, the whole model >= 0.99."""

from __future__ import annotations

import importlib.util

import pytest
from test_lower_helpers import lower_and_verify, report

from ttport import zoo

# model -> ttnn calls its port must contain
MODELS = {
    "resnet-tiny": ("ttnn.conv2d(", "ttnn.max_pool2d(", "ttnn.global_avg_pool2d("),
    "vit": ("ttnn.conv2d(",),  # the patch embedding
    "whisper": ("ttnn.conv1d(",),  # the audio stem
    "segformer": ("ttnn.conv2d(",),  # overlapping patch embeddings and the attention's reduction conv
}
SLOW = {
    "resnet-bottleneck-tiny": ("ttnn.conv2d(", "ttnn.max_pool2d("),
    "convnext-tiny": ("ttnn.conv2d(", "groups=16"),  # depthwise 7x7
    "regnet-tiny": ("ttnn.conv2d(", "ttnn.global_avg_pool2d("),
    "deit": ("ttnn.conv2d(",),
    "mobilenet-v2": ("ttnn.conv2d(", "ttnn.clamp("),  # inverted residuals, depthwise, ReLU6
    "efficientnet-b0": ("ttnn.conv2d(", "ttnn.silu("),  # MBConv, squeeze-excite; 98 modules, ~25 s
}


def _check(name: str, calls: tuple, device) -> None:
    model, inputs = zoo.resolve(name)
    lowered, checks, source = lower_and_verify(model, inputs, device, name=name.replace("-", "_"))
    fallbacks = sorted({f"{f.op} in {f.kind} ({f.reason})" for kind in lowered.kinds for f in kind.fallbacks})
    assert not fallbacks, fallbacks
    for call in calls:
        assert call in source, f"{call} not in the port of {name}"
    modules = [c for c in checks if c.path]
    root = next(c for c in checks if c.path == "")
    assert all(c.pcc >= 0.999 for c in modules), report(checks)
    assert root.pcc >= 0.99, report(checks)
    assert all(c.passed for c in checks), report(checks)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_cnn_ported_without_host_fallback(name, device):
    _check(name, MODELS[name], device)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SLOW))
def test_larger_cnns(name, device):
    _check(name, SLOW[name], device)


@pytest.mark.slow
def test_resnet50_at_its_real_size(device):
    """HF ResNet-50 (random init), batch 1, 224x224: 53 convs on the device (~1 min on 2 cores since convs over
    K >= 2048 accumulate in fp32 and batch norms fold into the convs)."""
    model, inputs = zoo.resolve("resnet50")
    lowered, checks, source = lower_and_verify(model, inputs, device, name="resnet50")
    assert not [f for kind in lowered.kinds for f in kind.fallbacks]
    root = next(c for c in checks if c.path == "")
    assert root.pcc >= 0.99, report(checks)
    assert all(c.pcc >= 0.999 for c in checks if c.path), report(checks)
    assert "ttnn.conv2d(" in source and "ttnn.max_pool2d(" in source


@pytest.mark.skipif(
    importlib.util.find_spec("facenet_pytorch") is None,
    reason="facenet-pytorch is not installed (pip install --no-deps)",
)
@pytest.mark.parametrize("net", ["mtcnn-pnet", "mtcnn-rnet", "mtcnn-onet"])
def test_mtcnn_with_the_weights_facenet_pytorch_ships(net, device):
    """Real weights from a PyPI package (facenet-pytorch's pnet.pt / rnet.pt / onet.pt): conv, PReLU, ceil-mode max
    pool, channel softmax, linear heads, all on the device."""
    _check(net, ("ttnn.conv2d(", "ttnn.max_pool2d("), device)
