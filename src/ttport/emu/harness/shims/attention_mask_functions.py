"""models.experimental.functional_common.attention_mask_functions: Hugging Face's extended attention mask."""

from __future__ import annotations

import torch


def get_extended_attention_mask(attention_mask, input_shape, dtype=torch.float32):
    """[batch, seq] (or [batch, from, to]) 1/0 mask -> additive [batch, 1, 1|from, seq] mask: 0 kept, dtype's
    minimum masked (what BertModel.get_extended_attention_mask builds)."""
    if attention_mask.dim() == 3:
        extended = attention_mask[:, None, :, :]
    elif attention_mask.dim() == 2:
        extended = attention_mask[:, None, None, :]
    else:
        raise ValueError(
            f"Wrong shape for input_ids (shape {input_shape}) or attention_mask (shape {attention_mask.shape})"
        )
    extended = extended.to(dtype=dtype)
    return (1.0 - extended) * torch.finfo(dtype).min
