"""Every emulated op against its torch golden, over ragged (non-multiple-of-32), batched and broadcast shapes."""

from __future__ import annotations

import pytest
import torch
import ttnn

from tests.closeness import assert_close
from ttport.emu import errors
from ttport.validate import compare

SHAPES = [(1, 1, 32, 32), (2, 7, 50), (3, 33, 65), (1, 2, 64, 96), (5, 40)]


def device_tensor(values, device, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT):
    return ttnn.from_torch(values, dtype=dtype, layout=layout, device=device)


def stored(values, dtype=ttnn.bfloat16):
    """What the device holds for `values` in `dtype` (the golden's input)."""
    return ttnn.to_torch(ttnn.from_torch(values, dtype=dtype, layout=ttnn.TILE_LAYOUT)).to(torch.float32)


BINARY = {
    "add": (ttnn.add, torch.add),
    "subtract": (ttnn.subtract, torch.sub),
    "multiply": (ttnn.multiply, torch.mul),
    "divide": (ttnn.divide, torch.div),
}


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize(
    "shape_a, shape_b",
    [
        ((2, 7, 50), (2, 7, 50)),
        ((2, 3, 33, 65), (2, 1, 1, 65)),  # row broadcast, like an attention mask
        ((2, 3, 33, 65), (2, 3, 33, 1)),  # column broadcast
        ((4, 2, 40, 40), (1, 1, 1, 1)),  # scalar tensor
        ((3, 64, 32), (64, 32)),  # lower rank
    ],
)
def test_binary_ops(device, name, shape_a, shape_b):
    tt_op, golden = BINARY[name]
    torch.manual_seed(1)
    a, b = torch.randn(shape_a), torch.randn(shape_b)
    if name == "divide":
        b = b.sign() * (b.abs() + 0.5)
    result = tt_op(device_tensor(a, device), device_tensor(b, device))
    assert tuple(result.shape) == tuple(torch.broadcast_shapes(shape_a, shape_b))
    assert_close(golden(stored(a), stored(b)), ttnn.to_torch(result))


@pytest.mark.parametrize("name", BINARY)
def test_binary_ops_with_scalars(device, name):
    tt_op, golden = BINARY[name]
    a = torch.randn(3, 33, 65)
    assert_close(golden(stored(a), 0.7), ttnn.to_torch(tt_op(device_tensor(a, device), 0.7)))


def test_operators(device):
    a, b = torch.randn(2, 40, 64), torch.randn(2, 64, 48)
    ta, tb = device_tensor(a, device), device_tensor(b, device)
    assert_close(stored(a) + stored(a), ttnn.to_torch(ta + ta))
    assert_close(stored(a) - 1.0, ttnn.to_torch(ta - 1.0))
    assert_close(stored(a) * 2.0, ttnn.to_torch(2.0 * ta))
    assert_close(-stored(a), ttnn.to_torch(-ta))
    assert_within_matmul_bound(stored(a), stored(b), ttnn.to_torch(ta @ tb), "HiFi2", fp32_acc=False)


UNARY = {
    "relu": (ttnn.relu, torch.relu, lambda x: x),
    "silu": (ttnn.silu, torch.nn.functional.silu, lambda x: x),
    "sigmoid": (ttnn.sigmoid, torch.sigmoid, lambda x: x),
    "tanh": (ttnn.tanh, torch.tanh, lambda x: x),
    "exp": (ttnn.exp, torch.exp, lambda x: x),
    "sqrt": (ttnn.sqrt, torch.sqrt, lambda x: x.abs() + 0.1),
    "rsqrt": (ttnn.rsqrt, torch.rsqrt, lambda x: x.abs() + 0.1),
    "reciprocal": (ttnn.reciprocal, torch.reciprocal, lambda x: x.sign() * (x.abs() + 0.5)),
    "neg": (ttnn.neg, torch.neg, lambda x: x),
    "gelu": (ttnn.gelu, torch.nn.functional.gelu, lambda x: x),
}


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("shape", SHAPES)
def test_unary_ops(device, name, shape):
    tt_op, golden, domain = UNARY[name]
    torch.manual_seed(2)
    x = domain(torch.randn(shape))
    # gelu's default fast mode approximates erf-gelu to well inside bfloat16's rounding.
    assert_close(golden(stored(x)), ttnn.to_torch(tt_op(device_tensor(x, device))))


def test_gelu_exact_mode_matches_erf_gelu(device):
    x = torch.randn(64, 64)
    assert_close(
        torch.nn.functional.gelu(stored(x)),
        ttnn.to_torch(ttnn.gelu(device_tensor(x, device), fast_and_approximate_mode=False)),
    )


def test_pow_clamp_where(device):
    x = torch.randn(3, 33, 65)
    tx = device_tensor(x, device)
    assert_close(stored(x) ** 2, ttnn.to_torch(ttnn.pow(tx, 2)))
    assert_close(stored(x).clamp(-0.5, 0.3), ttnn.to_torch(ttnn.clamp(tx, min=-0.5, max=0.3)))
    condition = device_tensor((x > 0).float(), device)
    assert_close(torch.where(x > 0, stored(x), 0.0), ttnn.to_torch(ttnn.where(condition, tx, 0.0)))


@pytest.mark.parametrize("shape", [(2, 7, 50), (1, 2, 64, 96), (3, 33, 65)])
@pytest.mark.parametrize("dim", [-1, -2])
def test_reductions(device, shape, dim):
    x = torch.randn(shape)
    tx = device_tensor(x, device)
    assert_close(stored(x).sum(dim), ttnn.to_torch(ttnn.sum(tx, dim)), pcc=0.999)
    assert_close(stored(x).mean(dim, keepdim=True), ttnn.to_torch(ttnn.mean(tx, dim, keepdim=True)), pcc=0.999)
    assert_close(stored(x).amax(dim), ttnn.to_torch(ttnn.max(tx, dim)))


# Largest relative error of one product at each fidelity: LoFi drops SrcA's low 3 mantissa bits (< 2^-4
# relative) and SrcB's low bit (< 2^-6); HiFi2 keeps all of SrcA; HiFi3 misses only low x low; HiFi4 is exact.
PRODUCT_ERROR = {"LoFi": 2**-4 + 2**-6, "HiFi2": 2**-6, "HiFi3": 2**-10, "HiFi4": 0.0}


def assert_within_matmul_bound(a, b, actual, fidelity, *, fp32_acc, extra=None):
    """|actual - a@b| <= (product error + accumulation rounding) * (|a| @ |b|) + output rounding."""
    magnitude = a.abs() @ b.abs()
    steps = a.shape[-1] / 16  # 16-deep partial sums, each rounded into a bfloat16 destination
    accumulation = 2**-24 * steps if fp32_acc else 2**-8 * steps
    expected = a @ b if extra is None else a @ b + extra
    bound = (PRODUCT_ERROR[fidelity] + accumulation) * magnitude + 2**-8 * expected.abs() + 1e-6
    excess = (actual.float() - expected).abs() - bound
    assert excess.max() <= 0, f"error exceeds the {fidelity} bound by {float(excess.max()):.3g}"
    assert compare(expected, actual).pcc >= (0.999 if fidelity == "LoFi" else 0.9999)


@pytest.mark.parametrize(
    "shape_a, shape_b",
    [
        ((2, 7, 50), (50, 96)),
        ((2, 3, 33, 65), (2, 3, 65, 40)),
        ((1, 1, 128, 64), (1, 1, 64, 128)),
        ((40, 64), (64, 32)),
    ],
)
@pytest.mark.parametrize("fidelity", ["LoFi", "HiFi2", "HiFi3", "HiFi4"])
@pytest.mark.parametrize("fp32_acc", [False, True])
def test_matmul_fidelity_and_accumulation(device, shape_a, shape_b, fidelity, fp32_acc):
    a, b = torch.randn(shape_a), torch.randn(shape_b)
    config = ttnn.WormholeComputeKernelConfig(
        math_fidelity=getattr(ttnn.MathFidelity, fidelity), fp32_dest_acc_en=fp32_acc
    )
    result = ttnn.matmul(device_tensor(a, device), device_tensor(b, device), compute_kernel_config=config)
    assert_within_matmul_bound(stored(a), stored(b), ttnn.to_torch(result), fidelity, fp32_acc=fp32_acc)


def test_hifi4_with_fp32_accumulation_is_exact_before_rounding(device):
    a, b = torch.randn(40, 64), torch.randn(64, 48)
    config = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi4, fp32_dest_acc_en=True)
    result = ttnn.matmul(
        device_tensor(a, device), device_tensor(b, device), dtype=ttnn.float32, compute_kernel_config=config
    )
    assert torch.allclose(ttnn.to_torch(result), stored(a) @ stored(b), atol=1e-5)


def test_lower_fidelity_is_less_accurate(device):
    torch.manual_seed(3)
    a, b = torch.randn(64, 256), torch.randn(256, 64)
    expected = stored(a) @ stored(b)
    errors = []
    for fidelity in ("LoFi", "HiFi2", "HiFi3", "HiFi4"):
        config = ttnn.WormholeComputeKernelConfig(
            math_fidelity=getattr(ttnn.MathFidelity, fidelity), fp32_dest_acc_en=True
        )
        result = ttnn.matmul(
            device_tensor(a, device), device_tensor(b, device), dtype=ttnn.float32, compute_kernel_config=config
        )
        errors.append(float((ttnn.to_torch(result) - expected).abs().mean()))
    assert errors[0] > errors[1] > errors[2] > errors[3]


# (input dtypes, core_grid given, output dtype) -> the config tt-metal picks when none is passed
# (docs/ttnn-numerics.md §2).
DEFAULT_MATMUL_CASES = [
    ((ttnn.bfloat16, ttnn.bfloat16), False, None, ("HiFi2", False)),
    ((ttnn.bfloat16, ttnn.bfloat8_b), False, None, ("HiFi2", False)),
    ((ttnn.bfloat8_b, ttnn.bfloat8_b), False, None, ("LoFi", False)),
    ((ttnn.bfloat16, ttnn.bfloat16), True, None, ("LoFi", False)),
    ((ttnn.float32, ttnn.float32), False, None, ("HiFi3", True)),
    ((ttnn.bfloat16, ttnn.bfloat16), False, ttnn.float32, ("HiFi2", True)),
]


@pytest.mark.parametrize("dtypes, with_core_grid, output_dtype, expected", DEFAULT_MATMUL_CASES)
def test_matmul_default_config_is_ttnns(device, dtypes, with_core_grid, output_dtype, expected):
    torch.manual_seed(5)
    a = device_tensor(torch.randn(64, 256), device, dtypes[0])
    b = device_tensor(torch.randn(256, 96), device, dtypes[1])
    core_grid = ttnn.CoreGrid(y=2, x=2) if with_core_grid else None
    by_default = ttnn.matmul(a, b, core_grid=core_grid, dtype=output_dtype)
    fidelity, fp32_acc = expected
    config = ttnn.WormholeComputeKernelConfig(
        math_fidelity=getattr(ttnn.MathFidelity, fidelity), math_approx_mode=False, fp32_dest_acc_en=fp32_acc
    )
    explicit = ttnn.matmul(a, b, core_grid=core_grid, dtype=output_dtype, compute_kernel_config=config)
    assert torch.equal(ttnn.to_torch(by_default), ttnn.to_torch(explicit))


def test_invalid_fidelity_config_is_refused(device):
    a = device_tensor(torch.randn(32, 32), device)
    with pytest.raises(errors.UnsupportedError, match="math_fidelity=MathFidelity.Invalid"):
        ttnn.matmul(a, a, compute_kernel_config=ttnn.WormholeComputeKernelConfig())


@pytest.mark.parametrize("weight_dtype", [ttnn.bfloat16, ttnn.bfloat8_b])
def test_linear_with_bias(device, weight_dtype):
    x, w, bias = torch.randn(2, 50, 64), torch.randn(64, 96) / 8, torch.randn(1, 96)
    result = ttnn.linear(
        device_tensor(x, device), device_tensor(w, device, weight_dtype), bias=device_tensor(bias, device)
    )
    assert_within_matmul_bound(
        stored(x), stored(w, weight_dtype), ttnn.to_torch(result), "HiFi2", fp32_acc=False, extra=stored(bias)
    )


@pytest.mark.parametrize("activation", ["gelu", "relu", "silu"])
def test_linear_fused_activation(device, activation):
    x, w, bias = torch.randn(2, 50, 64), torch.randn(64, 96) / 8, torch.randn(1, 96)
    config = ttnn.WormholeComputeKernelConfig(
        math_fidelity=ttnn.MathFidelity.HiFi4, fp32_dest_acc_en=True, math_approx_mode=False
    )
    result = ttnn.linear(
        device_tensor(x, device),
        device_tensor(w, device),
        bias=device_tensor(bias, device),
        activation=activation,
        compute_kernel_config=config,
    )
    golden = {"gelu": torch.nn.functional.gelu, "relu": torch.relu, "silu": torch.nn.functional.silu}[activation]
    assert_close(golden(stored(x) @ stored(w) + stored(bias)), ttnn.to_torch(result))


def test_linear_transpose_b(device):
    x, w = torch.randn(33, 64), torch.randn(96, 64)
    result = ttnn.linear(device_tensor(x, device), device_tensor(w, device), transpose_b=True)
    assert_within_matmul_bound(stored(x), stored(w).T, ttnn.to_torch(result), "HiFi2", fp32_acc=False)


@pytest.mark.parametrize("shape", [(2, 3, 33, 65), (1, 12, 128, 128), (4, 7, 50)])
def test_softmax(device, shape):
    x = torch.randn(shape) * 3
    expected = torch.softmax(stored(x), -1)
    # Four bfloat16 roundings (exp, running sum per tile, reciprocal, product): up to ~2^-6 relative, not 2^-7.
    assert_close(
        expected, ttnn.to_torch(ttnn.softmax(device_tensor(x, device), dim=-1)), scale=2 * float(expected.max())
    )


@pytest.mark.parametrize("shape", [(2, 7, 384), (1, 33, 96), (8, 128, 64)])
@pytest.mark.parametrize("with_residual", [False, True])
def test_layer_norm(device, shape, with_residual):
    x, residual = torch.randn(shape), torch.randn(shape)
    gamma, beta = torch.randn(1, shape[-1]), torch.randn(1, shape[-1])
    inputs = stored(x) + (stored(residual) if with_residual else 0)
    expected = torch.nn.functional.layer_norm(inputs, (shape[-1],), stored(gamma)[0], stored(beta)[0], 1e-12)
    result = ttnn.layer_norm(
        device_tensor(x, device),
        weight=device_tensor(gamma, device),
        bias=device_tensor(beta, device),
        residual_input_tensor=device_tensor(residual, device) if with_residual else None,
    )
    assert_close(expected, ttnn.to_torch(result), pcc=0.999, scale=float(expected.abs().max()) * 2)


def test_rms_norm(device):
    x, gamma = torch.randn(2, 33, 128), torch.randn(1, 128)
    xs = stored(x)
    expected = xs * torch.rsqrt(xs.pow(2).mean(-1, keepdim=True) + 1e-6) * stored(gamma)
    result = ttnn.rms_norm(device_tensor(x, device), weight=device_tensor(gamma, device), epsilon=1e-6)
    assert_close(expected, ttnn.to_torch(result), pcc=0.999, scale=float(expected.abs().max()) * 2)


@pytest.mark.parametrize("layout", [ttnn.TILE_LAYOUT, ttnn.ROW_MAJOR_LAYOUT])
def test_data_movement(device, layout):
    x = torch.randn(2, 7, 4, 50)
    tx = device_tensor(x, device, layout=layout)
    xs = stored(x)
    assert torch.equal(ttnn.to_torch(ttnn.reshape(tx, (2, 28, 50))).float(), xs.reshape(2, 28, 50))
    assert torch.equal(ttnn.to_torch(ttnn.reshape(tx, (14, -1))).float(), xs.reshape(14, -1))
    assert torch.equal(ttnn.to_torch(ttnn.permute(tx, (0, 2, 1, 3))).float(), xs.permute(0, 2, 1, 3))
    assert torch.equal(ttnn.to_torch(ttnn.transpose(tx, -1, -2)).float(), xs.transpose(-1, -2))
    assert torch.equal(ttnn.to_torch(ttnn.concat([tx, tx], dim=-1)).float(), torch.cat([xs, xs], -1))
    pieces = ttnn.split(tx, 20, dim=-1)
    assert [tuple(p.shape) for p in pieces] == [(2, 7, 4, 20), (2, 7, 4, 20), (2, 7, 4, 10)]
    assert torch.equal(ttnn.to_torch(pieces[2]).float(), xs[..., 40:])
    assert torch.equal(ttnn.to_torch(tx[:, 1:5, :, 3:40]).float(), xs[:, 1:5, :, 3:40])
    assert torch.equal(
        ttnn.to_torch(ttnn.slice(tx, [0, 0, 1, 0], [2, 7, 4, 50], [1, 2, 1, 1])).float(), xs[:, ::2, 1:4]
    )
    padded = ttnn.pad(tx, [(0, 0), (0, 1), (0, 0), (0, 14)], 0.5)
    assert torch.equal(ttnn.to_torch(padded).float(), torch.nn.functional.pad(xs, (0, 14, 0, 0, 0, 1), value=0.5))


def test_embedding(device):
    table = torch.randn(100, 64)
    ids = torch.randint(0, 100, (2, 7))
    result = ttnn.embedding(
        ttnn.from_torch(ids, dtype=ttnn.uint32, device=device),
        ttnn.from_torch(table, dtype=ttnn.bfloat16, device=device),
        layout=ttnn.TILE_LAYOUT,
    )
    assert result.layout == ttnn.TILE_LAYOUT and tuple(result.shape) == (2, 7, 64)
    assert torch.equal(ttnn.to_torch(result).float(), stored(table)[ids])


def test_creation(device):
    assert torch.equal(ttnn.to_torch(ttnn.ones((2, 3))).float(), torch.ones(2, 3))
    assert torch.equal(ttnn.to_torch(ttnn.zeros((2, 3), device=device)).float(), torch.zeros(2, 3))
    full = ttnn.full((3, 40), 1.5, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    assert full.padded_shape == (32, 64) and torch.equal(ttnn.to_torch(full).float(), torch.full((3, 40), 1.5))
    assert ttnn.to_torch(ttnn.arange(0, 10, 2, dtype=ttnn.uint32)).tolist() == [0, 2, 4, 6, 8]
    like = ttnn.zeros_like(full)
    assert like.device() is device and tuple(like.shape) == (3, 40)


def test_typecast_and_clone(device):
    x = torch.randn(33, 65)
    tx = device_tensor(x, device)
    as_bfp8 = ttnn.typecast(tx, ttnn.bfloat8_b)
    assert as_bfp8.dtype == ttnn.bfloat8_b
    assert torch.equal(ttnn.to_torch(as_bfp8), stored(stored(x), ttnn.bfloat8_b))
    copy = ttnn.clone(tx, memory_config=ttnn.L1_MEMORY_CONFIG)
    assert copy.memory_config() == ttnn.L1_MEMORY_CONFIG and torch.equal(ttnn.to_torch(copy), ttnn.to_torch(tx))


def test_layout_and_memory_conversions(device):
    x = torch.randn(3, 33, 65)
    host = ttnn.from_torch(x, dtype=ttnn.bfloat16)
    assert host.layout == ttnn.ROW_MAJOR_LAYOUT and host.storage_type() == ttnn.StorageType.HOST
    tiled = ttnn.to_layout(host, ttnn.TILE_LAYOUT)
    assert tiled.padded_shape == (3, 64, 96) and tiled.shape == (3, 33, 65)
    on_device = ttnn.to_device(tiled, device, memory_config=ttnn.L1_MEMORY_CONFIG)
    assert on_device.device() is device and on_device.memory_config().buffer_type == ttnn.BufferType.L1
    in_dram = ttnn.to_memory_config(on_device, ttnn.DRAM_MEMORY_CONFIG)
    back = ttnn.from_device(ttnn.to_layout(in_dram, ttnn.ROW_MAJOR_LAYOUT))
    assert back.storage_type() == ttnn.StorageType.HOST
    assert torch.equal(ttnn.to_torch(back), x.to(torch.bfloat16))


def test_padding_holds_real_values(device):
    # exp turns the zero padding into ones, as the hardware's tile-wide SFPU would.
    x = ttnn.exp(device_tensor(torch.zeros(3, 5), device))
    assert x.padded_shape == (32, 32)
    assert float(x._values[31, 31]) == 1.0
