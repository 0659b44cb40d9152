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
    """EfficientNet-B0's block structure (width and depth 1.0) on 64x64 images."""
    return _hf("EfficientNetConfig", "EfficientNetModel", 64, image_size=64)


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
