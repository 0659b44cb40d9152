"""Convolutional models by name: Hugging Face vision CNNs at small configs (random, seeded) and ResNet-50 at its
real size, built offline. Weights are perturbed as ttport.archs does, and batch-norm running statistics are drawn
away from (0, 1), so a dropped or misapplied normalization shows in verification.

>>> model, inputs = CNN_MODELS["resnet-tiny"]()
"""

from __future__ import annotations

from collections.abc import Callable

import torch

SEED = 0
BATCH = 2
PERTURB = 0.02


def _realistic(model: torch.nn.Module) -> torch.nn.Module:
    generator = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(torch.randn(parameter.shape, generator=generator) * PERTURB)
        for module in model.modules():
            if isinstance(module, torch.nn.modules.batchnorm._BatchNorm) and module.running_mean is not None:
                module.running_mean.copy_(torch.randn(module.running_mean.shape, generator=generator) * 0.1)
                module.running_var.copy_(torch.rand(module.running_var.shape, generator=generator) + 0.5)
    return model.eval()


def _hf(config_class: str, model_class: str, size: int, batch: int = BATCH, **config) -> tuple:
    import transformers

    torch.manual_seed(SEED)
    model = getattr(transformers, model_class)(getattr(transformers, config_class)(**config))
    pixels = torch.randn(batch, config.get("num_channels", 3), size, size, generator=torch.Generator().manual_seed(1))
    return _realistic(model), {"pixel_values": pixels}


def resnet_tiny():
    """A two-stage ResNet (basic blocks), 64x64 images."""
    return _hf(
        "ResNetConfig", "ResNetModel", 64, embedding_size=16, hidden_sizes=[16, 32], depths=[1, 1], layer_type="basic"
    )


def resnet_bottleneck_tiny():
    """A two-stage bottleneck ResNet (ResNet-50's block), 64x64 images."""
    config = dict(embedding_size=16, hidden_sizes=[32, 64], depths=[1, 2], layer_type="bottleneck")
    return _hf("ResNetConfig", "ResNetModel", 64, **config)


def resnet50():
    """ResNet-50 at its real size (ResNetConfig's defaults), batch 1, 224x224."""
    return _hf("ResNetConfig", "ResNetModel", 224, batch=1)


def mobilenet_v2():
    return _hf("MobileNetV2Config", "MobileNetV2Model", 64, depth_multiplier=0.35, image_size=64)


def efficientnet_b0():
    """EfficientNet-B0 (width and depth 1.0, head 1280: HF's EfficientNetConfig defaults are B7's) on 64x64 images."""
    return _hf(
        "EfficientNetConfig",
        "EfficientNetModel",
        64,
        image_size=64,
        width_coefficient=1.0,
        depth_coefficient=1.0,
        hidden_dim=1280,
    )


def convnext_tiny():
    return _hf("ConvNextConfig", "ConvNextModel", 64, hidden_sizes=[16, 32], depths=[1, 1], num_stages=2)


def regnet_tiny():
    config = dict(embedding_size=16, hidden_sizes=[16, 32], depths=[1, 1], groups_width=8, layer_type="y")
    return _hf("RegNetConfig", "RegNetModel", 64, **config)


CNN_MODELS: dict[str, Callable] = {
    "resnet-tiny": resnet_tiny,
    "resnet-bottleneck-tiny": resnet_bottleneck_tiny,
    "resnet50": resnet50,
    "mobilenet-v2": mobilenet_v2,
    "efficientnet-b0": efficientnet_b0,
    "convnext-tiny": convnext_tiny,
    "regnet-tiny": regnet_tiny,
}


def _mtcnn_nets():
    """facenet-pytorch's MTCNN networks with the weights its wheel ships (facenet_pytorch/data/{p,r,o}net.pt).

    Install with `pip install --no-deps facenet-pytorch`. The nets need only torch; the package's __init__ and its
    face-detection utilities import torchvision and PIL, so the package is entered below its __init__ with those
    utilities (unused by the nets) left out.
    """
    import importlib
    import importlib.util
    import sys
    import types

    if "facenet_pytorch.models.mtcnn" not in sys.modules:
        spec = importlib.util.find_spec("facenet_pytorch")
        if spec is None:
            raise ModuleNotFoundError("facenet-pytorch is not installed: pip install --no-deps facenet-pytorch")
        root = spec.submodule_search_locations[0]
        package = types.ModuleType("facenet_pytorch")
        package.__path__ = [root]
        sys.modules.setdefault("facenet_pytorch", package)
        detect = types.ModuleType("facenet_pytorch.models.utils.detect_face")
        detect.detect_face = detect.extract_face = None  # face detection, not part of the networks
        sys.modules.setdefault("facenet_pytorch.models.utils.detect_face", detect)
    return importlib.import_module("facenet_pytorch.models.mtcnn")


def _mtcnn(net: str, size: int):
    model = getattr(_mtcnn_nets(), net)(pretrained=True).eval()
    pixels = torch.rand(BATCH, 3, size, size, generator=torch.Generator().manual_seed(1)) * 2 - 1  # images in [-1, 1]
    return model, {"x": pixels}


CNN_MODELS.update(
    {
        "mtcnn-pnet": lambda: _mtcnn("PNet", 48),  # fully convolutional: a 48x48 image -> a 19x19 score map
        "mtcnn-rnet": lambda: _mtcnn("RNet", 24),
        "mtcnn-onet": lambda: _mtcnn("ONet", 48),
    }
)
