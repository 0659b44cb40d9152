"""Fusion rules, tried in this order on every device op; each claims a group of ops and emits fewer TTNN calls.

Each module has `match(node, lowering) -> Match | None`; its docstring states the rewrite.
"""

from __future__ import annotations

from . import attention_softmax, concatenate_heads, linear_activation, qkv, residual_layer_norm, rms_norm

FUSIONS: list = [qkv, attention_softmax, concatenate_heads, linear_activation, residual_layer_norm, rms_norm]
