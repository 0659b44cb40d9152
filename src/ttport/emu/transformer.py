"""ttnn.transformer: the fused attention helpers (head split/merge, attention softmax, SDPA)."""

from __future__ import annotations

import math

import torch

from .errors import ShapeError, TTNNError
from .numerics import MathFidelity, WormholeComputeKernelConfig, intermediate, matrix_engine_matmul, resolve_config
from .ops._common import as_float, finish, refuse_unmodelled
from .ops.norm_config import sdpa_compute_config
from .ops.normalization import (
    DEFAULT_SOFTMAX_PROGRAM_CONFIG,
    check_softmax_program_config,
    softmax_config,
    softmax_values,
)
from .registry import elementwise_flops, require_device, ttnn_op
from .tensor import Tensor


def _heads(values: torch.Tensor, count: int, head_size: int) -> torch.Tensor:
    batch, sequence, _ = values.shape
    return values.reshape(batch, sequence, count, head_size).permute(0, 2, 1, 3)


@ttnn_op("ttnn.transformer.split_query_key_value_and_split_heads")
def split_query_key_value_and_split_heads(
    input_tensor,
    kv_input_tensor=None,
    *,
    num_heads,
    num_kv_heads=None,
    transpose_key=True,
    memory_config=None,
    use_falcon7b_backend=False,
):
    """(batch, seq, [Q|K|V]) -> query (b, heads, seq, d), key (b, heads, d, seq) if transpose_key, value."""
    op = "ttnn.transformer.split_query_key_value_and_split_heads"
    require_device(op, "input_tensor", input_tensor)
    if len(input_tensor.shape) != 3:
        raise ShapeError(f"{op}: input_tensor must be (batch, sequence, hidden), got {list(input_tensor.shape)}")
    num_kv_heads = num_kv_heads or num_heads
    values = as_float(input_tensor._logical())
    if kv_input_tensor is not None:
        require_device(op, "kv_input_tensor", kv_input_tensor)
        head_size = values.shape[-1] // num_heads
        query = values
        key, value = as_float(kv_input_tensor._logical()).split(num_kv_heads * head_size, dim=-1)
    else:
        fused = num_heads + 2 * num_kv_heads
        if values.shape[-1] % fused:
            raise ShapeError(
                f"{op}: the fused width {values.shape[-1]} is not divisible into {num_heads} query + "
                f"2x{num_kv_heads} key/value heads"
            )
        head_size = values.shape[-1] // fused
        query, key, value = values.split(
            [num_heads * head_size, num_kv_heads * head_size, num_kv_heads * head_size], dim=-1
        )
    if head_size % 32:
        raise ShapeError(f"{op}: head size {head_size} must be a multiple of 32 (one tile) for this op")
    query = _heads(query, num_heads, head_size)
    key = _heads(key, num_kv_heads, head_size)
    value = _heads(value, num_kv_heads, head_size)
    if transpose_key:
        key = key.transpose(-1, -2)
    return tuple(
        finish(op, v, dtype=input_tensor.dtype, like=input_tensor, memory_config=memory_config)
        for v in (query, key, value)
    )


@ttnn_op("ttnn.transformer.concatenate_heads")
def concatenate_heads(input_tensor, *, memory_config=None):
    """(batch, heads, seq, head_size) -> (batch, seq, heads * head_size)."""
    op = "ttnn.transformer.concatenate_heads"
    require_device(op, "input_tensor", input_tensor)
    if len(input_tensor.shape) != 4:
        raise ShapeError(
            f"{op}: input_tensor must be (batch, heads, sequence, head_size), got {list(input_tensor.shape)}"
        )
    batch, heads, sequence, head_size = input_tensor.shape
    values = input_tensor._logical().permute(0, 2, 1, 3).reshape(batch, sequence, heads * head_size)
    return finish(
        op, values.to(torch.float32), dtype=input_tensor.dtype, like=input_tensor, memory_config=memory_config
    )


def _masked_scores(op: str, input_tensor: Tensor, head_size, attention_mask, causal_mask: bool, config):
    require_device(op, "input_tensor", input_tensor)
    scores = as_float(input_tensor._logical())
    if head_size is not None:
        scores = intermediate(scores * (1.0 / math.sqrt(head_size)), config)
    if attention_mask is not None:
        require_device(op, "attention_mask", attention_mask)
        mask = as_float(attention_mask._logical())
        try:
            scores = intermediate(scores + mask, config)
        except RuntimeError:
            raise ShapeError(
                f"{op}: attention_mask {list(attention_mask.shape)} does not broadcast to the scores "
                f"{list(input_tensor.shape)}; use (batch, 1, 1, seq) or (batch, 1, seq, seq)"
            ) from None
    if causal_mask and attention_mask is None:
        raise TTNNError(f"{op}: causal_mask=True needs the causal attention_mask tensor itself")
    return scores


@ttnn_op("ttnn.transformer.attention_softmax", flops=elementwise_flops(8))
def attention_softmax(
    tensor,
    *,
    head_size=None,
    attention_mask=None,
    program_config=DEFAULT_SOFTMAX_PROGRAM_CONFIG,
    causal_mask=False,
    memory_config=None,
):
    """softmax(input_tensor / sqrt(head_size) + attention_mask) over the last dim."""
    op = "ttnn.transformer.attention_softmax"
    input_tensor = tensor
    check_softmax_program_config(op, program_config, input_tensor)
    config = softmax_config(input_tensor.dtype)
    scores = _masked_scores(op, input_tensor, head_size, attention_mask, causal_mask, config)
    return finish(
        op, softmax_values(scores, -1, config), dtype=input_tensor.dtype, like=input_tensor, memory_config=memory_config
    )


@ttnn_op("ttnn.transformer.attention_softmax_", flops=elementwise_flops(8))
def attention_softmax_(
    tensor,
    *,
    head_size=None,
    attention_mask=None,
    program_config=DEFAULT_SOFTMAX_PROGRAM_CONFIG,
    causal_mask=False,
    memory_config=None,
):
    """In-place attention_softmax: the result overwrites input_tensor, which is returned."""
    op = "ttnn.transformer.attention_softmax_"
    input_tensor = tensor
    if attention_mask is None:
        # Real ttnn stops here too (TT_FATAL in attention_softmax.cpp): the in-place form needs a mask.
        raise TTNNError(f"{op}: attention_mask is required by the in-place form; use attention_softmax without a mask")
    check_softmax_program_config(op, program_config, input_tensor)
    config = softmax_config(input_tensor.dtype)
    scores = _masked_scores(op, input_tensor, head_size, attention_mask, causal_mask, config)
    # In place: the result is built on host (no second device buffer, as on the card) and written into the input.
    result = Tensor._from_logical(softmax_values(scores, -1, config), input_tensor.dtype, input_tensor.layout)
    input_tensor._stored = result._values
    return input_tensor


# SDPA's default on Wormhole: HiFi2, approximate exp, 16-bit destination (sdpa.cpp legacy_compute_config,
# docs/ttnn-numerics.md §7). Its flash-attention chunking (online softmax) and approximate exp are not modelled.
SDPA_CONFIG = WormholeComputeKernelConfig(math_fidelity=MathFidelity.HiFi2, math_approx_mode=True)


def _sdpa_flops(inputs, outputs) -> int:
    query, key = inputs[0], inputs[1]
    batch_heads = math.prod(tuple(query.padded_shape)[:-2])
    return 4 * batch_heads * query.padded_shape[-2] * key.padded_shape[-2] * query.padded_shape[-1]


@ttnn_op("ttnn.transformer.scaled_dot_product_attention", flops=_sdpa_flops)
def scaled_dot_product_attention(
    input_tensor_q,
    input_tensor_k,
    input_tensor_v,
    *,
    attn_mask=None,
    is_causal=True,
    scale=None,
    sliding_window_size=None,
    memory_config=None,
    program_config=None,
    compute_kernel_config=None,
    attention_sink=None,
    cu_window_seqlens=None,
    windowed_q_token_offset=0,
    windowed_q_token_offset_tensor=None,
    output_concat_heads=False,
    attn_mask_block_map=None,
):
    """softmax(Q Kᵀ * scale + mask) V over (batch, heads, seq, head_size); K/V may have fewer (grouped) heads."""
    op = "ttnn.transformer.scaled_dot_product_attention"
    for name, tensor in (
        ("input_tensor_q", input_tensor_q),
        ("input_tensor_k", input_tensor_k),
        ("input_tensor_v", input_tensor_v),
    ):
        require_device(op, name, tensor)
        if len(tensor.shape) != 4:
            raise ShapeError(f"{op}: {name} must be (batch, heads, sequence, head_size), got {list(tensor.shape)}")
    if is_causal and attn_mask is not None:
        raise TTNNError(f"{op}: pass either is_causal=True or attn_mask, not both")
    refuse_unmodelled(
        op,
        sliding_window_size=sliding_window_size,
        attention_sink=attention_sink,
        cu_window_seqlens=cu_window_seqlens,
        windowed_q_token_offset=windowed_q_token_offset,
        windowed_q_token_offset_tensor=windowed_q_token_offset_tensor,
        output_concat_heads=output_concat_heads,
        attn_mask_block_map=attn_mask_block_map,
    )
    config = sdpa_compute_config(op, program_config, resolve_config(op, compute_kernel_config, SDPA_CONFIG))
    query, key, value = (as_float(t._logical()) for t in (input_tensor_q, input_tensor_k, input_tensor_v))
    heads, kv_heads = query.shape[1], key.shape[1]
    if heads % kv_heads:
        raise ShapeError(f"{op}: {heads} query heads cannot be grouped over {kv_heads} key/value heads")
    key = key.repeat_interleave(heads // kv_heads, dim=1)
    value = value.repeat_interleave(heads // kv_heads, dim=1)
    scale = scale if scale is not None else 1.0 / math.sqrt(query.shape[-1])
    scores = intermediate(matrix_engine_matmul(query, key.transpose(-1, -2), config) * scale, config)
    if is_causal:
        causal = torch.ones(scores.shape[-2:], dtype=torch.bool).triu(1)
        scores = scores.masked_fill(causal, float("-inf"))
    if attn_mask is not None:
        require_device(op, "attn_mask", attn_mask)
        scores = intermediate(scores + as_float(attn_mask._logical()), config)
    probabilities = intermediate(softmax_values(scores, -1, config), config)
    return finish(
        op,
        matrix_engine_matmul(probabilities, value, config),
        dtype=input_tensor_q.dtype,
        like=input_tensor_q,
        memory_config=memory_config,
    )
