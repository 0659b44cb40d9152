"""conv2d(x, W, b) then eval-mode batch_norm(gamma, beta, mean, var, eps) -> one ttnn.conv2d on folded parameters:
bn(conv(x)) = conv(x, W * s, (b - mean) * s + beta) with s = gamma / sqrt(var + eps) per output channel, so the
per-channel multiply and add (and their two bfloat16 roundings) disappear. parameters.py folds them as tt-metal's
ResNet-50 port does (models/demos/ttnn_resnet/tt/custom_preprocessing.py: fold_batch_norm2d_into_conv2d(conv, bn)
from ttnn.model_preprocessing, then the folded bias reshaped to (1, 1, 1, OC)).

Folded when conv and norm are both children of the function's module (that module's preprocessor folds every such
pair; not a torch.nn container such as Sequential, whose one preprocessor serves instances of any content) and the
norm reads nothing but the conv's output; otherwise the norm stays the channels-last affine (rules_conv.py).
"""

from __future__ import annotations

from ..graph import arguments
from ..render import Render
from ..rules_conv import CONV, NHWC, conv2d_text, is_eval_batch_norm
from ..steps import Step
from .base import Match, only_user, op, source

CONVS = ("conv2d", "convolution")


def match(node, lowering) -> Match | None:
    if op(node) != "batch_norm" or lowering.form.get(node) != NHWC or not is_eval_batch_norm(node):
        return None
    conv = source(lowering, node, "input")
    if op(conv) not in CONVS or lowering.form.get(conv) != NHWC or only_user(lowering, conv) is not node:
        return None
    if not any(item.node is conv for item in lowering.items):  # a child module's output, channels-last: not ours
        return None
    paths = [_module_of(lowering, conv, "weight"), _module_of(lowering, node, "weight")]
    if None in paths or any("." in p for p in paths) or lowering.call.cls.__module__.startswith("torch.nn"):
        return None  # not both children of this function's module, or that is a container every instance shares
    fusion, details = lowering.fused.setdefault(lowering.call.path, ("conv_batch_norm", _details()))
    if fusion != "conv_batch_norm":
        return None
    details["pairs"].append(paths)
    details["children"] += paths
    return Match("conv_batch_norm", node, {conv, node}, lambda lw: [_step(lw, conv, node, paths[0])])


def _details() -> dict:
    """parameters.py's entry: every folded (conv, norm) pair of the module, unpacked into its parameters."""
    why = "batch norm folded into the conv: W * s, (b - mean) * s + beta, s = gamma / sqrt(var + eps)"
    return {"pairs": [], "children": [], "name": None, "why": why}


def _module_of(lowering, node, argument: str) -> str | None:
    value = arguments(node).get(argument)
    if not lowering.is_parameter(value):
        return None
    relative = lowering.context.relative_attribute(value.target, lowering.call.path)
    return relative.rpartition(".")[0] if relative is not None else None


def _step(lowering, conv, norm, conv_name: str) -> Step:
    rule = CONV[op(conv)]

    def render() -> str:
        return conv2d_text(Render(lowering, conv, rule), bias=f"{conv_name}.bias")

    x = lowering.resolve(arguments(conv)["input"])
    return Step([(norm, NHWC)], [(x, NHWC)], render, device_ops=("ttnn.conv2d",))
