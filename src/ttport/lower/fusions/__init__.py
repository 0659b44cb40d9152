"""Fusion rules, tried in this order on every device op; each claims a group of ops and emits fewer TTNN calls.

Each module has `match(node, lowering) -> Match | None`; its docstring states the rewrite. A module's FORMS says
which nodes it is tried on (device ops unless it says otherwise: additive_mask rewrites host torch code).
"""

from __future__ import annotations

from . import (
    additive_mask,
    attention_softmax,
    concatenate_heads,
    conv_batch_norm,
    linear_activation,
    qkv,
    residual_layer_norm,
    rms_norm,
)

FUSIONS: list = [
    qkv,
    conv_batch_norm,
    attention_softmax,
    concatenate_heads,
    linear_activation,
    residual_layer_norm,
    rms_norm,
    additive_mask,
]
