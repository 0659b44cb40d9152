"""ttnn code as tt-metal's op unit tests write it (tests/ttnn/unit_tests/operations/...): the `device` fixture,
inputs from torch_random, the expected output from ttnn's own golden function, assert_with_pcc at the thresholds
those tests use. Run by the harness (`ttport run pytest`), never collected by ttport's own suite (case_*.py)."""

import pytest
import torch
import ttnn
from models.utility_functions import torch_random
from tests.ttnn.utils_for_testing import assert_equal, assert_with_pcc


@pytest.mark.parametrize("h, w", [(32, 64), (7, 50), (384, 1024)])
@pytest.mark.parametrize("op", [ttnn.add, ttnn.subtract, ttnn.multiply])
def test_binary(device, h, w, op):
    torch.manual_seed(0)
    torch_a = torch_random((h, w), -1, 1, dtype=torch.bfloat16)
    torch_b = torch_random((h, w), -1, 1, dtype=torch.bfloat16)
    golden = ttnn.get_golden_function(op)(torch_a, torch_b)
    a = ttnn.from_torch(torch_a, layout=ttnn.TILE_LAYOUT, device=device)
    b = ttnn.from_torch(torch_b, layout=ttnn.TILE_LAYOUT, device=device)
    output = ttnn.to_torch(op(a, b))
    assert_with_pcc(golden, output, 0.9999)


@pytest.mark.parametrize("shape_b", [(1, 1, 1, 64), (1, 1, 32, 1), (1, 1, 1, 1)])
def test_add_broadcast(device, shape_b):
    torch_a = torch_random((2, 3, 32, 64), -1, 1, dtype=torch.bfloat16)
    torch_b = torch_random(shape_b, -1, 1, dtype=torch.bfloat16)
    a = ttnn.from_torch(torch_a, layout=ttnn.TILE_LAYOUT, device=device)
    b = ttnn.from_torch(torch_b, layout=ttnn.TILE_LAYOUT, device=device)
    assert_with_pcc(torch_a + torch_b, ttnn.to_torch(ttnn.add(a, b)), 0.9999)


@pytest.mark.parametrize("op", [ttnn.relu, ttnn.gelu, ttnn.silu, ttnn.sigmoid, ttnn.tanh, ttnn.exp, ttnn.neg])
def test_unary(device, op):
    torch_input = torch_random((64, 128), -4, 4, dtype=torch.bfloat16)
    golden = ttnn.get_golden_function(op)(torch_input)
    output = op(ttnn.from_torch(torch_input, layout=ttnn.TILE_LAYOUT, device=device))
    assert_with_pcc(golden, ttnn.to_torch(output), 0.999)


@pytest.mark.parametrize("m, k, n", [(32, 64, 96), (384, 1024, 1024), (7, 50, 33)])
@pytest.mark.parametrize("dtype", [ttnn.bfloat16, ttnn.bfloat8_b])
def test_matmul(device, m, k, n, dtype):
    torch_a = torch_random((1, m, k), -0.5, 0.5, dtype=torch.bfloat16)
    torch_b = torch_random((k, n), -0.5, 0.5, dtype=torch.bfloat16)
    a = ttnn.from_torch(torch_a, layout=ttnn.TILE_LAYOUT, device=device)
    b = ttnn.from_torch(torch_b, dtype=dtype, layout=ttnn.TILE_LAYOUT, device=device)
    output = ttnn.matmul(a, b, core_grid=device.core_grid)
    assert_with_pcc(torch_a.float() @ torch_b.float(), ttnn.to_torch(output), 0.999 if dtype == ttnn.bfloat16 else 0.99)


def test_linear_bias_activation(device):
    torch_x = torch_random((2, 64, 128), -1, 1, dtype=torch.bfloat16)
    torch_w = torch_random((128, 96), -0.1, 0.1, dtype=torch.bfloat16)
    torch_bias = torch_random((1, 96), -0.1, 0.1, dtype=torch.bfloat16)
    golden = torch.nn.functional.relu(torch_x.float() @ torch_w.float() + torch_bias.float())
    output = ttnn.linear(
        ttnn.from_torch(torch_x, layout=ttnn.TILE_LAYOUT, device=device),
        ttnn.from_torch(torch_w, layout=ttnn.TILE_LAYOUT, device=device),
        bias=ttnn.from_torch(torch_bias, layout=ttnn.TILE_LAYOUT, device=device),
        activation="relu",
    )
    assert_with_pcc(golden, ttnn.to_torch(output), 0.999)


@pytest.mark.parametrize("shape", [(1, 1, 32, 32), (2, 8, 384, 384), (1, 16, 7, 50)])
def test_softmax(device, shape):
    torch_input = torch_random(shape, -10, 10, dtype=torch.bfloat16)
    golden = ttnn.get_golden_function(ttnn.softmax)(torch_input, dim=-1)
    output = ttnn.softmax(ttnn.from_torch(torch_input, layout=ttnn.TILE_LAYOUT, device=device), dim=-1)
    assert_with_pcc(golden, ttnn.to_torch(output), 0.999)


@pytest.mark.parametrize("h, w", [(32, 64), (384, 1024)])
def test_layer_norm(device, h, w):
    torch_input = torch.rand((h, w), dtype=torch.bfloat16)
    torch_weight = torch.rand((w,), dtype=torch.bfloat16)
    torch_bias = torch.rand((w,), dtype=torch.bfloat16)
    golden = ttnn.get_golden_function(ttnn.layer_norm)(torch_input, weight=torch_weight, bias=torch_bias)
    output = ttnn.layer_norm(
        ttnn.from_torch(torch_input, layout=ttnn.TILE_LAYOUT, device=device),
        weight=ttnn.from_torch(torch_weight, layout=ttnn.TILE_LAYOUT, device=device),
        bias=ttnn.from_torch(torch_bias, layout=ttnn.TILE_LAYOUT, device=device),
    )
    assert_with_pcc(golden, ttnn.to_torch(output), 0.9998)


def test_embedding(device):
    torch_ids = torch.randint(0, 1000, (4, 128))
    torch_weight = torch_random((1000, 256), -1, 1, dtype=torch.bfloat16)
    output = ttnn.embedding(
        ttnn.from_torch(torch_ids, dtype=ttnn.uint32, device=device),
        ttnn.from_torch(torch_weight, device=device),
        layout=ttnn.TILE_LAYOUT,
    )
    assert_equal(torch.nn.functional.embedding(torch_ids, torch_weight), ttnn.to_torch(output))


@pytest.mark.parametrize("layout", [ttnn.ROW_MAJOR_LAYOUT, ttnn.TILE_LAYOUT])
def test_data_movement(device, layout):
    torch_input = torch_random((2, 64, 96), -1, 1, dtype=torch.bfloat16)
    x = ttnn.from_torch(torch_input, layout=layout, device=device)
    assert_equal(torch_input.permute(0, 2, 1), ttnn.to_torch(ttnn.permute(x, (0, 2, 1))))
    assert_equal(torch_input.reshape(2, 32, 192), ttnn.to_torch(ttnn.reshape(x, (2, 32, 192))))
    assert_equal(torch.cat([torch_input, torch_input], -1), ttnn.to_torch(ttnn.concat([x, x], dim=-1)))
    assert_equal(torch_input[:, 3:40, 5:70], ttnn.to_torch(x[:, 3:40, 5:70]))
    assert_equal(torch_input.unsqueeze(0), ttnn.to_torch(ttnn.unsqueeze_to_4D(x)))


@pytest.mark.parametrize("dim", [-1, 1])
def test_reductions(device, dim):
    torch_input = torch_random((4, 64, 96), -1, 1, dtype=torch.bfloat16)
    x = ttnn.from_torch(torch_input, layout=ttnn.TILE_LAYOUT, device=device)
    assert_with_pcc(torch.mean(torch_input, dim, keepdim=True), ttnn.to_torch(ttnn.mean(x, dim, keepdim=True)), 0.999)
    assert_with_pcc(torch.sum(torch_input, dim), ttnn.to_torch(ttnn.sum(x, dim=dim)), 0.999)


def test_split_query_key_value_and_split_heads(device):
    batch, seq, heads, head_size = 2, 384, 16, 64
    torch_qkv = torch_random((batch, seq, 3 * heads * head_size), -1, 1, dtype=torch.bfloat16)
    q, k, v = ttnn.transformer.split_query_key_value_and_split_heads(
        ttnn.from_torch(torch_qkv, layout=ttnn.TILE_LAYOUT, device=device), num_heads=heads
    )
    torch_q, torch_k, torch_v = (t.reshape(batch, seq, heads, head_size) for t in torch_qkv.chunk(3, dim=-1))
    assert_equal(torch_q.permute(0, 2, 1, 3), ttnn.to_torch(q))
    assert_equal(torch_k.permute(0, 2, 3, 1), ttnn.to_torch(k))
    assert_equal(torch_v.permute(0, 2, 1, 3), ttnn.to_torch(v))
    context = ttnn.transformer.concatenate_heads(q)
    assert_equal(torch_q.reshape(batch, seq, heads * head_size), ttnn.to_torch(context))


@pytest.mark.parametrize("device_params", [{"l1_small_size": 16384}], indirect=True)
def test_device_params_and_l1_outputs(device):
    torch_input = torch_random((1, 1, 64, 64), -1, 1, dtype=torch.bfloat16)
    x = ttnn.from_torch(torch_input, layout=ttnn.TILE_LAYOUT, device=device, memory_config=ttnn.L1_MEMORY_CONFIG)
    y = ttnn.relu(x, memory_config=ttnn.L1_MEMORY_CONFIG)
    assert y.memory_config().buffer_type == ttnn.BufferType.L1
    assert_with_pcc(torch.relu(torch_input), ttnn.to_torch(y), 0.9999)
