"""Every refusal: what a card would reject is rejected here, with a message naming the op, the tensor and the fix."""

from __future__ import annotations

import pytest
import torch
import ttnn

from ttport.emu import errors


@pytest.fixture
def tiled(device):
    return ttnn.from_torch(torch.randn(64, 64), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)


def test_linear_rejects_row_major_host_input(tiled):
    host = ttnn.from_torch(torch.randn(32, 64), dtype=ttnn.bfloat16)
    with pytest.raises(errors.LayoutError) as error:
        ttnn.linear(host, tiled)
    assert str(error.value) == (
        "ttnn.linear: input_tensor_a is ROW_MAJOR on host; "
        "call ttnn.to_layout(x, ttnn.TILE_LAYOUT) and ttnn.to_device(x, device)"
    )


def test_matmul_rejects_host_tile_input(tiled):
    host = ttnn.from_torch(torch.randn(32, 64), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)
    with pytest.raises(errors.StorageError, match=r"ttnn.matmul: input_tensor_b is on host; call ttnn.to_device"):
        ttnn.matmul(tiled, host)


def test_row_major_device_input_names_the_layout_fix(device, tiled):
    row_major = ttnn.from_torch(torch.randn(64, 64), dtype=ttnn.bfloat16, device=device)
    with pytest.raises(
        errors.LayoutError, match=r"ttnn.softmax: input_tensor is ROW_MAJOR on device; call ttnn.to_layout"
    ):
        ttnn.softmax(row_major)
    host = ttnn.from_torch(torch.randn(64, 64), dtype=ttnn.bfloat16)
    with pytest.raises(errors.StorageError, match="ttnn.add: input_tensor_b is on host"):
        ttnn.add(tiled, host)


@pytest.mark.parametrize("dtype", [ttnn.bfloat8_b, ttnn.bfloat4_b])
def test_block_float_needs_tile_layout(device, dtype):
    with pytest.raises(errors.DTypeError, match=r"Layout must be Layout::TILE for bfloat8_b or bfloat4_b!"):
        ttnn.from_torch(torch.randn(32, 32), dtype=dtype, layout=ttnn.ROW_MAJOR_LAYOUT)
    tiled = ttnn.from_torch(torch.randn(32, 32), dtype=dtype, layout=ttnn.TILE_LAYOUT, device=device)
    with pytest.raises(errors.DTypeError, match="cannot be ROW_MAJOR; pass dtype=ttnn.bfloat16"):
        ttnn.to_layout(tiled, ttnn.ROW_MAJOR_LAYOUT)


def test_matmul_inner_dim_mismatch_names_both_shapes(device):
    a = ttnn.from_torch(torch.randn(2, 32, 64), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    b = ttnn.from_torch(torch.randn(96, 32), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    with pytest.raises(errors.ShapeError, match=r"input_tensor_a is \[2, 32, 64\] and input_tensor_b is \[96, 32\]"):
        ttnn.matmul(a, b)


def test_binary_broadcast_mismatch_names_both_shapes(device):
    a = ttnn.from_torch(torch.randn(2, 7, 50), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    b = ttnn.from_torch(torch.randn(2, 7, 40), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    with pytest.raises(errors.ShapeError, match=r"ttnn.add: shapes \[2, 7, 50\] and \[2, 7, 40\] cannot be broadcast"):
        ttnn.add(a, b)


def test_reshape_volume_mismatch(tiled):
    with pytest.raises(errors.ShapeError, match=r"cannot reshape \[64, 64\] \(volume 4096\) to \[3, 64\]"):
        ttnn.reshape(tiled, (3, 64))


def test_bias_shape_mismatch(device, tiled):
    bias = ttnn.from_torch(torch.randn(1, 32), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    with pytest.raises(errors.ShapeError, match=r"bias is \[1, 32\] but the output is \[64, 64\]"):
        ttnn.linear(tiled, tiled, bias=bias)


def test_layer_norm_weight_mismatch(device, tiled):
    gamma = ttnn.from_torch(torch.randn(1, 32), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    with pytest.raises(errors.ShapeError, match=r"ttnn.layer_norm: weight is \[1, 32\] but the input's last dim is 64"):
        ttnn.layer_norm(tiled, weight=gamma)


def test_embedding_refuses_float_ids_and_tiled_tables(device):
    table = ttnn.from_torch(torch.randn(10, 32), dtype=ttnn.bfloat16, device=device)
    float_ids = ttnn.from_torch(torch.tensor([[1.0, 2.0]]), dtype=ttnn.bfloat16, device=device)
    with pytest.raises(errors.DTypeError, match="pass ids as ttnn.uint32"):
        ttnn.embedding(float_ids, table)
    ids = ttnn.from_torch(torch.tensor([[1, 2]]), dtype=ttnn.uint32, device=device)
    tiled_table = ttnn.to_layout(table, ttnn.TILE_LAYOUT)
    with pytest.raises(errors.LayoutError, match="embedding tables must be ROW_MAJOR"):
        ttnn.embedding(ids, tiled_table)
    out_of_range = ttnn.from_torch(torch.tensor([[1, 10]]), dtype=ttnn.uint32, device=device)
    with pytest.raises(errors.ShapeError, match=r"ids range over \[1, 10\] but weight has 10 rows"):
        ttnn.embedding(out_of_range, table)


def test_use_after_deallocate(tiled):
    ttnn.deallocate(tiled)
    assert not tiled.is_allocated()
    with pytest.raises(errors.DeallocatedError, match=r"ttnn.gelu: argument 0 was deallocated"):
        ttnn.gelu(tiled)
    with pytest.raises(errors.DeallocatedError):
        ttnn.to_torch(tiled)


def test_unemulated_options_are_refused_not_ignored(tiled):
    with pytest.raises(errors.TTNNError, match="program_config must be one of ttnn.MatmulMultiCoreReuseProgramConfig"):
        ttnn.matmul(tiled, tiled, program_config=object())
    with pytest.raises(errors.TTNNError, match="core_grid must be a ttnn.CoreGrid"):
        ttnn.matmul(tiled, tiled, core_grid=(8, 8))
    with pytest.raises(errors.TTNNError, match="unknown activation 'swish'"):
        ttnn.linear(tiled, tiled, activation="swish")
    with pytest.raises(errors.TTNNError, match="compute_kernel_config must be a ttnn.WormholeComputeKernelConfig"):
        ttnn.matmul(tiled, tiled, compute_kernel_config={"math_fidelity": "HiFi4"})


def test_errors_are_runtime_errors_like_ttnn(tiled):
    # Real ttnn raises RuntimeError (TT_FATAL); code that catches that must catch ours.
    with pytest.raises(RuntimeError):
        ttnn.reshape(tiled, (5, 5))


def test_device_errors(device):
    assert ttnn.open_device(device_id=0) is device  # ttnn returns the open device rather than refusing
    with pytest.raises(errors.TTNNError, match="device_id 3 does not exist"):
        ttnn.open_device(device_id=3)
