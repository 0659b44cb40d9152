"""Names tt-metal's op tests and model ports use (issue 12), the bugs their use found, and issue 11's refusals."""

from __future__ import annotations

import pytest
import torch
import ttnn

from ttport.emu import errors


def on_device(values, device, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT):
    return ttnn.from_torch(values, dtype=dtype, layout=layout, device=device)


def test_aliases_are_the_ops(device):
    a, b = on_device(torch.full((32, 32), 3.0), device), on_device(torch.full((32, 32), 2.0), device)
    assert torch.equal(ttnn.to_torch(ttnn.mul(a, b)), ttnn.to_torch(ttnn.multiply(a, b)))
    assert torch.equal(ttnn.to_torch(ttnn.div(a, b)), torch.full((32, 32), 1.5, dtype=torch.bfloat16))


@pytest.mark.parametrize("shape, dim, expected", [((1, 3, 1, 5), None, (3, 5)), ((1, 3, 1, 5), 2, (1, 3, 5))])
def test_squeeze(device, shape, dim, expected):
    out = ttnn.squeeze(on_device(torch.randn(shape), device), dim)
    assert tuple(out.shape) == expected


def test_unsqueeze_and_unsqueeze_to_4d(device):
    x = on_device(torch.randn(3, 5), device)
    assert tuple(ttnn.unsqueeze(x, 0).shape) == (1, 3, 5)
    assert tuple(ttnn.unsqueeze(x, -1).shape) == (3, 5, 1)
    assert tuple(ttnn.unsqueeze_to_4D(x).shape) == (1, 1, 3, 5)


def test_fill_implicit_tile_padding_sets_the_padding_only(device):
    x = on_device(torch.ones(3, 5), device)
    filled = ttnn.fill_implicit_tile_padding(x, -7.0)
    assert torch.equal(ttnn.to_torch(filled), torch.ones(3, 5, dtype=torch.bfloat16))
    padded = filled._values.float()
    assert padded[3:, :].eq(-7).all() and padded[:3, 5:].eq(-7).all()


def test_tile_argument_and_tensor_tile(device):
    x = ttnn.from_torch(torch.ones(2, 3), tile=ttnn.Tile((32, 32)), layout=ttnn.TILE_LAYOUT)
    assert x.tile == ttnn.Tile([32, 32]) and x.tile.tile_shape == [32, 32]
    with pytest.raises(errors.UnsupportedError, match=r"Tile with shape: \[16, 32\].*32x32 tiles only"):
        ttnn.from_torch(torch.ones(2, 3), tile=ttnn.Tile((16, 32)), layout=ttnn.TILE_LAYOUT)


def test_golden_functions(device):
    x = torch.randn(4, 64)
    assert torch.allclose(ttnn.get_golden_function(ttnn.softmax)(x, dim=-1), torch.softmax(x, -1))
    assert ttnn.gelu.golden_function is ttnn.get_golden_function(ttnn.gelu)
    with pytest.raises(RuntimeError, match="does not have a golden function"):
        ttnn.get_golden_function(ttnn.to_device)


def test_fallback_function_runs_on_host_and_returns_like_the_input(device):
    x = on_device(torch.arange(24.0).reshape(2, 12), device, layout=ttnn.ROW_MAJOR_LAYOUT)
    out = ttnn.get_fallback_function(ttnn.reshape)(x, (2, 3, 4))
    assert (out.layout, out.dtype, out.device()) == (ttnn.ROW_MAJOR_LAYOUT, ttnn.bfloat16, device)
    assert torch.equal(ttnn.to_torch(out), torch.arange(24.0, dtype=torch.bfloat16).reshape(2, 3, 4))


def test_pearson_correlation_coefficient(device):
    expected = torch.randn(64, 64)
    assert ttnn.pearson_correlation_coefficient(expected, on_device(expected, device)) > 0.999
    assert ttnn.pearson_correlation_coefficient(expected, -expected) == pytest.approx(-1.0)


def test_as_tensor_writes_then_reads_its_cache(device, tmp_path):
    calls = []

    def preprocess(t):
        calls.append(1)
        return t * 2

    kwargs = dict(dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device, memory_config=ttnn.DRAM_MEMORY_CONFIG)
    first = ttnn.as_tensor(torch.ones(4, 4), cache_file_name=tmp_path / "w", preprocess=preprocess, **kwargs)
    second = ttnn.as_tensor(torch.zeros(4, 4), cache_file_name=tmp_path / "w", preprocess=preprocess, **kwargs)
    assert len(calls) == 1 and (tmp_path / "w_dtype_BFLOAT16_layout_TILE.tensorbin").is_file()
    assert torch.equal(ttnn.to_torch(first), ttnn.to_torch(second))
    with pytest.raises(RuntimeError, match="memory_config must be specified when device is specified"):
        ttnn.as_tensor(torch.ones(2), device=device)


def test_device_is_a_1x1_mesh(device):
    assert device.core_grid.y == 8 and device.core_grid.x == 8
    assert device.arch() == ttnn.device.Arch.WORMHOLE_B0 and ttnn.device.is_wormhole_b0(device)
    assert device.get_num_devices() == 1 and device.shape == ttnn.MeshShape(1, 1)
    device.enable_program_cache()
    device.disable_and_clear_program_cache()
    ttnn.synchronize_device(device)
    assert ttnn.is_tensor_storage_on_device(on_device(torch.ones(2, 2), device))


def test_mesh_device_mappers_and_composers_are_identity_on_one_chip():
    mesh = ttnn.open_mesh_device(ttnn.MeshShape(1, 1))
    try:
        values = torch.randn(2, 64)
        for mapper in (ttnn.ReplicateTensorToMesh(mesh), ttnn.ShardTensorToMesh(mesh, dim=0)):
            x = ttnn.from_torch(values, layout=ttnn.TILE_LAYOUT, device=mesh, mesh_mapper=mapper)
            back = ttnn.to_torch(x, mesh_composer=ttnn.ConcatMeshToTensor(mesh, dim=0))
            assert torch.equal(back, values)
    finally:
        ttnn.close_mesh_device(mesh)
    with pytest.raises(RuntimeError, match=r"mesh_shape MeshShape\(\[2, 4\]\) needs 8 chips"):
        ttnn.open_mesh_device(ttnn.MeshShape(2, 4))


def test_compute_kernel_config_from_the_device_arch():
    config = ttnn.init_device_compute_kernel_config(ttnn.device.Arch.WORMHOLE_B0, math_fidelity=ttnn.MathFidelity.HiFi4)
    assert config.math_fidelity == ttnn.MathFidelity.HiFi4 and config.math_approx_mode
    given = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.LoFi)
    assert ttnn.init_device_compute_kernel_config(ttnn.device.Arch.WORMHOLE_B0, given) is given


def test_dispatch_core_config_and_sub_device():
    config = ttnn.DispatchCoreConfig(axis=ttnn.DispatchCoreAxis.COL)
    assert config.axis == ttnn.DispatchCoreAxis.COL and config.type == ttnn.DispatchCoreType.WORKER
    grid = ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(3, 3))})
    ttnn.SubDevice([grid])
    assert ttnn.SubDeviceId(1) == ttnn.SubDeviceId(1)


# -- tt-metal's head helpers: checked against the torch references of their own unit tests -----------------------
@pytest.mark.parametrize(
    "heads, kv_heads, head_dim, transpose_k", [(4, 4, 32, True), (5, 3, 96, False), (8, 2, 64, True)]
)
def test_nlp_create_qkv_heads(device, heads, kv_heads, head_dim, transpose_k):
    batch, seq = 2, 64
    fused = torch.randn(batch, 1, seq, (heads + 2 * kv_heads) * head_dim)
    q, k, v = ttnn.experimental.nlp_create_qkv_heads(
        on_device(fused, device), num_heads=heads, num_kv_heads=kv_heads, transpose_k_heads=transpose_k
    )
    ref_q, ref_k, ref_v = fused.to(torch.bfloat16).split(
        [heads * head_dim, kv_heads * head_dim] * 1 + [kv_heads * head_dim], -1
    )
    split = lambda t, n: t.reshape(batch, seq, n, head_dim).transpose(1, 2)  # noqa: E731
    ref_k = split(ref_k, kv_heads).transpose(-2, -1) if transpose_k else split(ref_k, kv_heads)
    assert torch.equal(ttnn.to_torch(q), split(ref_q, heads))
    assert torch.equal(ttnn.to_torch(k), ref_k)
    assert torch.equal(ttnn.to_torch(v), split(ref_v, kv_heads))
    assert torch.equal(ttnn.to_torch(ttnn.experimental.nlp_concat_heads(q)), ref_q.reshape(batch, 1, seq, -1))


def test_rotary_embedding(device):
    x, cos, sin = torch.randn(1, 2, 32, 64), torch.randn(1, 1, 128, 64), torch.randn(1, 1, 128, 64)
    out = ttnn.experimental.rotary_embedding(on_device(x, device), on_device(cos, device), on_device(sin, device))
    xb, cb, sb = (t.to(torch.bfloat16).float() for t in (x, cos, sin))
    rotated = torch.cat((-xb[..., 32:], xb[..., :32]), -1)
    expected = (xb * cb[..., :32, :] + rotated * sb[..., :32, :]).to(torch.bfloat16)
    assert torch.equal(ttnn.to_torch(out), expected)


# -- wrong rejections and emulator bugs ---------------------------------------------------------------------------
@pytest.mark.parametrize("shape_b", [(5,), (1,)])
def test_binary_ops_on_rank_1_tile_tensors(device, shape_b):
    a, b = torch.arange(5.0), torch.full(shape_b, 2.0)
    out = ttnn.add(on_device(a, device), on_device(b, device))
    assert torch.equal(ttnn.to_torch(out), (a + b).to(torch.bfloat16))


def test_zero_element_add(device):
    out = ttnn.add(on_device(torch.ones(0), device), on_device(torch.ones(0), device))
    assert tuple(ttnn.to_torch(out).shape) == (0,)


@pytest.mark.parametrize(
    "shape_p, shape_t, shape_f", [((4, 3), (1, 3), (4, 3)), ((4, 3), (4, 1), (1, 1)), ((4, 1), (1, 3), (4, 3))]
)
def test_where_broadcasts_row_column_scalar_and_outer(device, shape_p, shape_t, shape_f):
    p, t, f = (torch.randint(0, 2, shape_p).float(), torch.randn(shape_t), torch.randn(shape_f))
    out = ttnn.where(on_device(p, device), on_device(t, device), on_device(f, device))
    expected = torch.where(p != 0, t.to(torch.bfloat16), f.to(torch.bfloat16))
    assert torch.equal(ttnn.to_torch(out), expected)


def test_where_with_integer_predicate_and_float_scalars_is_float32(device):
    p = on_device(torch.tensor([[1, 0, 3]], dtype=torch.int32), device, dtype=ttnn.int32)
    out = ttnn.where(p, 1.5, -2.25)
    assert out.dtype == ttnn.float32
    assert torch.equal(ttnn.to_torch(out), torch.tensor([[1.5, -2.25, 1.5]]))


def test_large_integer_scalars_stay_exact(device):
    x = on_device(torch.zeros(2, 2, dtype=torch.int32), device, dtype=ttnn.int32)
    assert ttnn.to_torch(ttnn.add(x, 16777217)).eq(16777217).all()
    p = on_device(torch.tensor([[1, 0]], dtype=torch.int32), device, dtype=ttnn.int32)
    assert ttnn.to_torch(ttnn.where(p, 16777217, -16777219)).tolist() == [[16777217, -16777219]]


@pytest.mark.parametrize("shape_a, shape_b, expected", [((64,), (64, 32), (32,)), ((3, 64), (64,), (3,))])
def test_one_dimensional_matmul_operands(device, shape_a, shape_b, expected):
    a, b = torch.randn(shape_a), torch.randn(shape_b)
    out = ttnn.to_torch(ttnn.linear(on_device(a, device), on_device(b, device)))
    assert tuple(out.shape) == expected
    reference = a.to(torch.bfloat16).float() @ b.to(torch.bfloat16).float()
    assert torch.allclose(out.float(), reference, rtol=0.02, atol=0.1)


def test_a_core_grid_larger_than_the_device_runs_on_the_device_grid(device):
    # tt-metal's BERT passes CoreGrid(y=batch, x=12) on an 8x8 Wormhole; real ttnn then uses the device's grid.
    a = on_device(torch.randn(64, 64), device)
    wide = ttnn.matmul(a, a, core_grid=ttnn.CoreGrid(y=8, x=12))
    assert torch.equal(ttnn.to_torch(wide), ttnn.to_torch(ttnn.matmul(a, a, core_grid=ttnn.CoreGrid(y=8, x=8))))


# -- issue 11 item 5: refusals ------------------------------------------------------------------------------------
def test_tensors_are_unusable_after_close_device():
    device = ttnn.open_device(device_id=0)
    x = on_device(torch.ones(2, 2), device)
    ttnn.close_device(device)
    with pytest.raises(errors.StorageError, match="lives on a device that was closed"):
        ttnn.to_torch(x)
    with pytest.raises(errors.StorageError, match="lives on a device that was closed"):
        ttnn.relu(x)


@pytest.mark.parametrize("dtype", [ttnn.uint32, ttnn.int32])
def test_integer_matmul_is_unsupported(device, dtype):
    x = on_device(torch.ones(32, 32, dtype=torch.int32), device, dtype=dtype)
    with pytest.raises(errors.DTypeError, match="Unsupported data format .* ttnn.typecast"):
        ttnn.matmul(x, x)


@pytest.mark.parametrize("dtype", ["bfloat16", torch.bfloat16, 3])
def test_bad_dtype_argument_names_the_accepted_values(dtype):
    with pytest.raises(TypeError, match=r"dtype must be a ttnn data type \(ttnn.bfloat16, ttnn.float32, .*\)"):
        ttnn.from_torch(torch.ones(2), dtype=dtype)


def test_device_allocation_is_checked_before_host_memory(device):
    with pytest.raises(errors.OutOfMemoryError, match="Out of Memory: Not enough space to allocate .* DRAM buffer"):
        ttnn.zeros((8, 1024, 1024, 1024), device=device)  # 16 GiB of bfloat16: more than the n150's 12 GiB
    with pytest.raises(errors.OutOfMemoryError, match="L1 buffer"):
        ttnn.ones((8192, 8192), layout=ttnn.TILE_LAYOUT, device=device, memory_config=ttnn.L1_MEMORY_CONFIG)
