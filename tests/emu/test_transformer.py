"""ttnn.transformer helpers against their torch goldens."""

from __future__ import annotations

import math

import pytest
import torch
import ttnn

from tests.closeness import assert_close


def device_tensor(values, device):
    return ttnn.from_torch(values, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)


def stored(values):
    return values.to(torch.bfloat16).to(torch.float32)


@pytest.mark.parametrize("sequence", [7, 64])
@pytest.mark.parametrize("transpose_key", [True, False])
def test_split_query_key_value_and_split_heads(device, sequence, transpose_key):
    batch, heads, head_size = 2, 4, 32
    fused = torch.randn(batch, sequence, 3 * heads * head_size)
    query, key, value = ttnn.transformer.split_query_key_value_and_split_heads(
        device_tensor(fused, device), num_heads=heads, transpose_key=transpose_key
    )
    q, k, v = stored(fused).split(heads * head_size, dim=-1)
    split = lambda t: t.reshape(batch, sequence, heads, head_size).permute(0, 2, 1, 3)  # noqa: E731
    assert torch.equal(ttnn.to_torch(query).float(), split(q))
    expected_key = split(k).transpose(-1, -2) if transpose_key else split(k)
    assert torch.equal(ttnn.to_torch(key).float(), expected_key)
    assert torch.equal(ttnn.to_torch(value).float(), split(v))


def test_split_heads_with_grouped_kv(device):
    batch, sequence, heads, kv_heads, head_size = 1, 33, 8, 2, 32
    fused = torch.randn(batch, sequence, (heads + 2 * kv_heads) * head_size)
    query, key, value = ttnn.transformer.split_query_key_value_and_split_heads(
        device_tensor(fused, device), num_heads=heads, num_kv_heads=kv_heads, transpose_key=False
    )
    assert tuple(query.shape) == (1, 8, 33, 32) and tuple(key.shape) == (1, 2, 33, 32) == tuple(value.shape)


def test_concatenate_heads(device):
    x = torch.randn(2, 4, 50, 32)
    result = ttnn.transformer.concatenate_heads(device_tensor(x, device))
    assert torch.equal(ttnn.to_torch(result).float(), stored(x).permute(0, 2, 1, 3).reshape(2, 50, 128))


@pytest.mark.parametrize("in_place", [False, True])
def test_attention_softmax(device, in_place):
    scores = torch.randn(2, 4, 50, 50) * 4
    mask = torch.zeros(2, 1, 1, 50)
    mask[1, ..., 40:] = -10000.0
    op = ttnn.transformer.attention_softmax_ if in_place else ttnn.transformer.attention_softmax
    tt_scores = device_tensor(scores, device)
    result = op(tt_scores, head_size=32, attention_mask=device_tensor(mask, device))
    assert (result is tt_scores) == in_place
    expected = torch.softmax(stored(scores) / math.sqrt(32) + mask, dim=-1)
    assert_close(expected, ttnn.to_torch(result), scale=2 * float(expected.max()))


@pytest.mark.parametrize("is_causal", [True, False])
def test_scaled_dot_product_attention(device, is_causal):
    q, k, v = torch.randn(1, 8, 64, 32), torch.randn(1, 2, 64, 32), torch.randn(1, 2, 64, 32)
    result = ttnn.transformer.scaled_dot_product_attention(
        device_tensor(q, device), device_tensor(k, device), device_tensor(v, device), is_causal=is_causal
    )
    expected = torch.nn.functional.scaled_dot_product_attention(
        stored(q), stored(k).repeat_interleave(4, 1), stored(v).repeat_interleave(4, 1), is_causal=is_causal
    )
    assert_close(expected, ttnn.to_torch(result), pcc=0.999, scale=4 * float(expected.abs().max()))
