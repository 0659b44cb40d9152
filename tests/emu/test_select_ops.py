"""Reduction, selection and data-movement ops against torch: exact where no arithmetic happens, index outputs in
the dtype/layout the device gives, and the refusals real ttnn makes."""

from __future__ import annotations

import pytest
import torch
import ttnn

from tests.closeness import assert_close
from ttport.emu import errors


def on_device(values, device, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT):
    return ttnn.from_torch(values, dtype=dtype, layout=layout, device=device)


def bf16(shape, seed=0):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed)).to(torch.bfloat16)


@pytest.mark.parametrize("shape, dim", [((2, 3, 33, 65), -1), ((4, 50), 0), ((2, 40, 40), (1, 2)), ((3, 7), None)])
def test_min_is_exact(device, shape, dim):
    x = bf16(shape)
    expected = x.amin() if dim is None else x.amin(dim=dim)
    assert torch.equal(ttnn.to_torch(ttnn.min(on_device(x, device), dim)), expected)


@pytest.mark.parametrize("op, golden", [(ttnn.var, torch.var), (ttnn.std, torch.std)])
@pytest.mark.parametrize("dim, correction", [(-1, True), (1, False), ((1, 2), True)])
def test_var_std_match_torch(device, op, golden, dim, correction):
    # The default reduce config accumulates in fp32: the only error left is the bfloat16 output rounding.
    x = bf16((2, 37, 70))
    expected = golden(x.float(), dim=dim, correction=int(correction))
    actual = ttnn.to_torch(op(on_device(x, device), dim, correction=correction)).float()
    assert torch.allclose(actual, expected, rtol=2**-8, atol=0)


def test_std_of_one_value_with_correction_is_refused(device):
    with pytest.raises(errors.ShapeError, match="Bessel"):
        ttnn.std(on_device(bf16((4, 1)), device), -1)


@pytest.mark.parametrize("dim", [None, 0, -1])
def test_prod_is_the_float32_product_rounded_once(device, dim):
    x = (1 + 0.05 * bf16((3, 20))).to(torch.bfloat16)
    expected = x.float().prod() if dim is None else x.float().prod(dim)
    assert torch.equal(ttnn.to_torch(ttnn.prod(on_device(x, device), dim)), expected.bfloat16())


def test_argmax_is_uint32_row_major_and_takes_the_first_of_equals(device):
    x = torch.tensor([[1.0, 3.0, 3.0, 0.0], [5.0, 5.0, 1.0, 5.0]], dtype=torch.bfloat16)
    result = ttnn.argmax(on_device(x, device, layout=ttnn.ROW_MAJOR_LAYOUT), dim=-1)
    assert (result.dtype, result.layout) == (ttnn.uint32, ttnn.ROW_MAJOR_LAYOUT)
    assert ttnn.to_torch(result).tolist() == [1, 0]


def test_argmax_over_all_elements_needs_row_major(device):
    with pytest.raises(errors.LayoutError, match="ROW_MAJOR"):
        ttnn.argmax(on_device(bf16((4, 8)), device))


@pytest.mark.parametrize("dtype", [ttnn.bfloat16, ttnn.float32])
@pytest.mark.parametrize("reverse", [False, True])
def test_cumsum(device, dtype, reverse):
    x = bf16((2, 3, 40, 64))
    expected = (x.float().flip(1).cumsum(1).flip(1)) if reverse else x.float().cumsum(1)
    out = ttnn.cumsum(on_device(x, device, dtype=dtype), 1, reverse_order=reverse)
    assert_close(expected, ttnn.to_torch(out), dtype)


def test_bfloat16_cumsum_rounds_its_running_value_at_every_step(device):
    # 256 + 1 + 1 ... in bf16: each +1 is lost (256 + 1 rounds back to 256), as a bf16 running tile loses it.
    x = torch.tensor([[256.0] + [1.0] * 7], dtype=torch.bfloat16)
    out = ttnn.to_torch(ttnn.cumsum(on_device(x, device), -1))
    assert out[0, -1].item() == 256.0
    exact = ttnn.to_torch(ttnn.cumsum(on_device(x, device, dtype=ttnn.float32), -1))
    assert exact[0, -1].item() == 263.0


def test_cumprod_bfloat16_rounds_per_step_float32_does_not(device):
    x = (1 + 0.1 * bf16((4, 33))).to(torch.bfloat16)
    running, steps = x[:, 0].float(), [x[:, 0].float()]
    for column in x.float().unbind(1)[1:]:
        running = (running * column).bfloat16().float()
        steps.append(running)
    out = ttnn.to_torch(ttnn.cumprod(on_device(x, device), -1)).float()
    assert torch.equal(out, torch.stack(steps, 1))
    exact = ttnn.to_torch(ttnn.cumprod(on_device(x, device, dtype=ttnn.float32), -1))
    assert_close(x.float().cumprod(-1), exact, ttnn.float32)


@pytest.mark.parametrize("shape, k, dim, largest", [((1, 1, 32, 64), 8, -1, True), ((2, 50, 100), 5, 1, False)])
def test_topk_values_exact_and_indices_uint16(device, shape, k, dim, largest):
    x = bf16(shape)  # bfloat16 ties: indices are checked by the values they select, as tt-metal's topk test does
    values, indices = ttnn.topk(on_device(x, device), k, dim, largest)
    expected, _ = torch.topk(x, k, dim=dim, largest=largest)
    assert torch.equal(ttnn.to_torch(values), expected)
    assert (indices.dtype, indices.layout) == (ttnn.uint16, ttnn.TILE_LAYOUT)
    assert torch.equal(torch.gather(x, dim, ttnn.to_torch(indices).long()), expected)


def test_topk_refuses_row_major_and_integer_inputs(device):
    with pytest.raises(errors.LayoutError, match="ROW_MAJOR"):
        ttnn.topk(on_device(bf16((32, 64)), device, layout=ttnn.ROW_MAJOR_LAYOUT), 4)
    with pytest.raises(errors.DTypeError, match="UINT32"):
        ttnn.topk(on_device(torch.arange(64).reshape(1, 64), device, dtype=ttnn.uint32), 4)
    with pytest.raises(errors.ShapeError, match="k=65"):
        ttnn.topk(on_device(bf16((32, 64)), device), 65)


def test_topk_indices_tensor_returns_its_labels(device):
    x = torch.stack([torch.randperm(64, generator=torch.Generator().manual_seed(r)) for r in range(32)]).bfloat16()
    labels = torch.arange(64).flip(0).repeat(32, 1)
    _, indices = ttnn.topk(on_device(x, device), 3, indices_tensor=on_device(labels, device, dtype=ttnn.uint32))
    assert torch.equal(ttnn.to_torch(indices).long(), 63 - torch.topk(x, 3).indices)


@pytest.mark.parametrize("descending", [False, True])
def test_sort_stable_order(device, descending):
    x = torch.tensor([[2.0, 1.0, 2.0, 0.0, 1.0]], dtype=torch.bfloat16)
    values, indices = ttnn.sort(on_device(x, device), descending=descending)
    expected = torch.sort(x, descending=descending, stable=True)
    assert torch.equal(ttnn.to_torch(values), expected.values)
    assert torch.equal(ttnn.to_torch(indices).long(), expected.indices)
    assert indices.dtype == ttnn.uint16


def test_gather_matches_torch_and_refuses_out_of_range(device):
    x = bf16((3, 40, 70))
    index = torch.randint(0, 70, (3, 40, 20), generator=torch.Generator().manual_seed(1))
    out = ttnn.gather(on_device(x, device), -1, on_device(index, device, dtype=ttnn.uint32))
    assert torch.equal(ttnn.to_torch(out), torch.gather(x, -1, index))
    with pytest.raises(errors.ShapeError, match="unspecified"):
        ttnn.gather(on_device(x, device), -1, on_device(index + 70, device, dtype=ttnn.uint32))
    with pytest.raises(errors.DTypeError, match="index"):
        ttnn.gather(on_device(x, device), -1, on_device(index.float(), device))


def test_scatter_and_index_fill(device):
    x = bf16((4, 6))
    index = torch.tensor([[5, 0], [1, 2], [3, 4], [0, 1]])
    src = bf16((4, 2), seed=3)
    out = ttnn.scatter(on_device(x, device), 1, on_device(index, device, dtype=ttnn.uint32), on_device(src, device))
    assert torch.equal(ttnn.to_torch(out), torch.scatter(x, 1, index, src))
    rows = on_device(torch.tensor([0, 2]), device, dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
    filled = ttnn.index_fill(on_device(x, device), 0, rows, 7.0)
    assert torch.equal(ttnn.to_torch(filled), x.index_fill(0, torch.tensor([0, 2]), 7.0))


def test_nonzero(device):
    x = torch.tensor([[[[0, 3, 0, 1, 0, 0, 2, 0]]]], dtype=torch.bfloat16)
    count, indices = ttnn.nonzero(on_device(x, device, layout=ttnn.ROW_MAJOR_LAYOUT))
    assert ttnn.to_torch(count)[0, 0, 0, 0].item() == 3
    assert ttnn.to_torch(indices)[0, 0, 0, :3].tolist() == [1, 3, 6]


MOVES = [
    (lambda t: ttnn.repeat(t, [2, 1, 3]), lambda x: x.repeat(2, 1, 3)),
    (lambda t: ttnn.repeat_interleave(t, 3, 1), lambda x: x.repeat_interleave(3, 1)),
    (lambda t: ttnn.expand(t, [2, 5, 7, 50]), lambda x: x.expand(2, 5, 7, 50)),
    (lambda t: ttnn.roll(t, [3, -2], [1, 2]), lambda x: torch.roll(x, [3, -2], [1, 2])),
    (lambda t: ttnn.roll(t, 4, -1), lambda x: torch.roll(x, 4, -1)),
    (lambda t: ttnn.tril(t, diagonal=1), lambda x: torch.tril(x, 1)),
    (lambda t: ttnn.triu(t), torch.triu),
    (lambda t: ttnn.narrow(t, 2, 10, 30), lambda x: x.narrow(2, 10, 30)),
    (lambda t: ttnn.stack([t, t], 1), lambda x: torch.stack([x, x], 1)),
]


@pytest.mark.parametrize("index", range(len(MOVES)))
@pytest.mark.parametrize("layout", [ttnn.TILE_LAYOUT, ttnn.ROW_MAJOR_LAYOUT])
def test_moves_are_exact(device, index, layout):
    op, golden = MOVES[index]
    x = bf16((5, 7, 50)) if index != 2 else bf16((5, 1, 50))
    out = op(on_device(x, device, layout=layout))
    assert out.layout == layout
    assert torch.equal(ttnn.to_torch(out), golden(x))


def test_chunk_and_view(device):
    x = bf16((2, 64, 10))
    pieces = ttnn.chunk(on_device(x, device), 3, 1)
    assert [tuple(p.shape) for p in pieces] == [(2, 22, 10), (2, 22, 10), (2, 20, 10)]
    assert tuple(ttnn.view(on_device(x, device), [128, 10]).shape) == (128, 10)
    with pytest.raises(errors.ShapeError, match="ttnn.reshape"):
        ttnn.view(on_device(x, device), [2, 640])


def test_tilize_family(device):
    x = bf16((1, 1, 40, 50))
    row_major = on_device(x, device, layout=ttnn.ROW_MAJOR_LAYOUT)
    tiled = ttnn.tilize(row_major, dtype=ttnn.bfloat8_b)
    assert (tiled.layout, tiled.dtype) == (ttnn.TILE_LAYOUT, ttnn.bfloat8_b)
    padded = ttnn.tilize_with_val_padding(row_major, [1, 1, 64, 64], -1.0)
    assert tuple(padded.shape) == (1, 1, 64, 64) and ttnn.to_torch(padded)[0, 0, 63, 63].item() == -1.0
    back = ttnn.untilize_with_unpadding(padded, [0, 0, 39, 49])
    assert back.layout == ttnn.ROW_MAJOR_LAYOUT and torch.equal(ttnn.to_torch(back), x)
    assert torch.equal(ttnn.to_torch(ttnn.untilize(ttnn.tilize_with_zero_padding(row_major))), x)
    with pytest.raises(errors.LayoutError, match="ROW_MAJOR tensor"):
        ttnn.tilize(tiled)


def test_copy_fill_assign_and_creation(device):
    x, y = bf16((3, 40)), bf16((3, 40), seed=2)
    target = on_device(y, device, dtype=ttnn.float32)
    assert ttnn.copy(on_device(x, device), target) is target
    assert torch.equal(ttnn.to_torch(target), x.float())
    assert torch.equal(ttnn.to_torch(ttnn.fill(on_device(x, device), 2.5)), torch.full((3, 40), 2.5).bfloat16())
    moved = ttnn.assign(on_device(x, device), memory_config=ttnn.L1_MEMORY_CONFIG, dtype=ttnn.float32)
    assert moved.dtype == ttnn.float32 and moved.memory_config() == ttnn.L1_MEMORY_CONFIG
    assert tuple(ttnn.empty([2, 64], ttnn.bfloat16, ttnn.TILE_LAYOUT, device).shape) == (2, 64)
    values = ttnn.to_torch(ttnn.rand([64, 64], device, low=-1.0, high=2.0, seed=5))
    assert -1.0 <= values.min() and values.max() <= 2.0  # bfloat16 rounding can reach high
    assert ttnn.to_dtype(ttnn.from_torch(x), ttnn.float32).dtype == ttnn.float32
    outer = ttnn.outer(on_device(x[:1], device), on_device(y[:1], device))
    assert_close(x[0].float()[:, None] * y[0].float()[None, :], ttnn.to_torch(outer)[0])
    with pytest.raises(errors.StorageError, match="device"):
        ttnn.empty([2, 2])
