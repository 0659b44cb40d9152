"""ttnn.experimental: the head-splitting and rotary ops tt-metal's transformer ports call.

What each op computes is taken from tt-metal's unit tests of it (tests/ttnn/unit_tests/operations/...
test_nlp_create_qkv_heads.py, test_nlp_concat_heads.py, test_rotary_embedding.py): their torch references are the
goldens here. Head splitting moves values only (the outputs are bit-exact copies, as those tests' PCC 1.0 demands);
rotary embedding is an element-wise x*cos + rotate_half(x)*sin computed in fp32 and rounded once to the output.
"""

from __future__ import annotations

import torch

from .errors import ShapeError, TTNNError
from .ops._common import finish, refuse_unmodelled
from .registry import elementwise_flops, require_device, ttnn_op
from .tensor import Tensor


def _heads(values: torch.Tensor, heads: int) -> torch.Tensor:
    """[B, 1, S, heads*D] -> [B, heads, S, D]."""
    batch, _, seq, width = values.shape
    return values.reshape(batch, seq, heads, width // heads).transpose(1, 2)


def _check_rank4(op: str, name: str, tensor: Tensor) -> None:
    require_device(op, name, tensor)
    if len(tensor.shape) != 4 or tensor.shape[1] != 1:
        raise ShapeError(f"{op}: {name} must be [batch, 1, seq, width], got {list(tensor.shape)}")


@ttnn_op("ttnn.experimental.nlp_create_qkv_heads")
def nlp_create_qkv_heads(
    input,  # noqa: A002 - ttnn's name
    input_kv=None,
    *,
    num_heads,
    num_kv_heads=None,
    transpose_k_heads=True,
    kv_tied=False,
    memory_config=None,
    output_tensors=None,
):
    """Split a fused [B, 1, S, (H + 2*Hkv) * D] projection (or Q and a separate [.., 2*Hkv*D] KV input) into
    q [B, H, S, D], k [B, Hkv, D, S] (or [B, Hkv, S, D] without transpose_k_heads) and v [B, Hkv, S, D].
    With kv_tied, one K section serves as both k and v."""
    op = "ttnn.experimental.nlp_create_qkv_heads"
    refuse_unmodelled(op, output_tensors=output_tensors)
    num_kv_heads = num_heads if num_kv_heads is None else num_kv_heads
    _check_rank4(op, "input", input)
    kv_sections = 1 if kv_tied else 2
    q_width = input.shape[-1] if input_kv is not None else None
    widths = (num_heads, num_kv_heads * kv_sections)
    head_dim = (q_width // num_heads) if q_width else input.shape[-1] // (widths[0] + widths[1])
    if input_kv is not None:
        _check_rank4(op, "input_kv", input_kv)
        q, kv = input._logical(), input_kv._logical()
    else:
        q, kv = input._logical().split([num_heads * head_dim, num_kv_heads * kv_sections * head_dim], dim=-1)
    if q.shape[-1] != num_heads * head_dim or kv.shape[-1] != num_kv_heads * kv_sections * head_dim:
        raise ShapeError(
            f"{op}: widths {q.shape[-1]} (q) and {kv.shape[-1]} (kv) do not split into {num_heads} query and "
            f"{num_kv_heads} key/value heads of one head size; check num_heads and num_kv_heads"
        )
    k, v = (kv, kv) if kv_tied else kv.split(num_kv_heads * head_dim, dim=-1)
    k_heads = _heads(k, num_kv_heads)
    outputs = (
        _heads(q, num_heads),
        k_heads.transpose(-2, -1) if transpose_k_heads else k_heads,
        _heads(v, num_kv_heads),
    )
    return tuple(
        finish(op, values.contiguous(), dtype=input.dtype, like=input, memory_config=memory_config)
        for values in outputs
    )


@ttnn_op("ttnn.experimental.nlp_concat_heads")
def nlp_concat_heads(input_tensor, *, memory_config=None):
    """[B, H, S, D] -> [B, 1, S, H*D], the inverse of nlp_create_qkv_heads' head split."""
    op = "ttnn.experimental.nlp_concat_heads"
    require_device(op, "input_tensor", input_tensor)
    if len(input_tensor.shape) != 4:
        raise ShapeError(f"{op}: input_tensor must be [batch, heads, seq, head_dim], got {list(input_tensor.shape)}")
    batch, heads, seq, head_dim = input_tensor.shape
    values = input_tensor._logical().transpose(1, 2).reshape(batch, 1, seq, heads * head_dim)
    return finish(op, values, dtype=input_tensor.dtype, like=input_tensor, memory_config=memory_config)


def _rotate_half(x: torch.Tensor) -> torch.Tensor:
    first, second = x.chunk(2, dim=-1)
    return torch.cat((-second, first), dim=-1)


@ttnn_op("ttnn.experimental.rotary_embedding", flops=elementwise_flops(4))
def rotary_embedding(
    input_tensor, cos_cache, sin_cache, token_index=None, *, memory_config=None, compute_kernel_config=None
):
    """x * cos + rotate_half(x) * sin over the last dim; caches are [1, 1, max_seq, D]. Without token_index the
    first S rows of the caches are used (S = the input's seq dim, -2); with it, row token_index for every position."""
    op = "ttnn.experimental.rotary_embedding"
    refuse_unmodelled(op, compute_kernel_config=compute_kernel_config)
    for name, tensor in (("input_tensor", input_tensor), ("cos_cache", cos_cache), ("sin_cache", sin_cache)):
        require_device(op, name, tensor)
    head_dim, seq = input_tensor.shape[-1], input_tensor.shape[-2]
    if cos_cache.shape[-1] != head_dim or tuple(cos_cache.shape) != tuple(sin_cache.shape):
        raise ShapeError(
            f"{op}: cos_cache {list(cos_cache.shape)} and sin_cache {list(sin_cache.shape)} must be equal and end in "
            f"the input's head dim {head_dim}"
        )
    rows = slice(token_index, token_index + 1) if token_index is not None else slice(0, seq)
    if (rows.stop or 0) > cos_cache.shape[-2]:
        raise TTNNError(f"{op}: the caches hold {cos_cache.shape[-2]} positions, {rows.stop} are needed")
    cos = cos_cache._logical().float()[..., rows, :]
    sin = sin_cache._logical().float()[..., rows, :]
    x = input_tensor._logical().float()
    return finish(
        op, x * cos + _rotate_half(x) * sin, dtype=input_tensor.dtype, like=input_tensor, memory_config=memory_config
    )
