"""Selection, reduction and data-movement ops written as tt-metal's op unit tests write them (reduce/, data_movement/):
the `device` fixture, inputs made with torch, indices checked by the values they pick, exact ops checked with
assert_equal. Our own cases, in the style of those tests; run by the harness (`ttport run pytest`)."""

import pytest
import torch
import ttnn
from tests.ttnn.utils_for_testing import assert_equal, assert_with_pcc


@pytest.mark.parametrize("shape, k", [((1, 1, 32, 64), 4), ((1, 1, 64, 256), 32), ((2, 3, 32, 96), 7)])
@pytest.mark.parametrize("largest", [True, False])
def test_topk_picks_the_right_values(device, shape, k, largest):
    torch.manual_seed(11)
    scores = torch.randn(shape, dtype=torch.bfloat16)
    values, indices = ttnn.topk(ttnn.from_torch(scores, layout=ttnn.TILE_LAYOUT, device=device), k, -1, largest)
    golden = torch.topk(scores, k, dim=-1, largest=largest).values
    picked = torch.gather(scores, -1, ttnn.to_torch(indices).to(torch.int64))
    assert indices.dtype == ttnn.uint16
    assert_equal(golden, ttnn.to_torch(values))
    assert_equal(golden, picked)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_argmax_on_row_major(device, dim):
    torch.manual_seed(12)
    values = torch.randn((6, 40, 72), dtype=torch.bfloat16)
    output = ttnn.argmax(ttnn.from_torch(values, device=device), dim=dim)
    assert output.dtype == ttnn.uint32 and output.layout == ttnn.ROW_MAJOR_LAYOUT
    assert_equal(torch.argmax(values, dim=dim), ttnn.to_torch(output).to(torch.int64))


@pytest.mark.parametrize("shape, dim", [((4, 50, 70), 1), ((2, 3, 64, 64), -1)])
def test_cumsum_of_small_integers_is_exact(device, shape, dim):
    torch.manual_seed(13)
    values = torch.randint(-2, 3, shape).to(torch.bfloat16)
    output = ttnn.cumsum(ttnn.from_torch(values, layout=ttnn.TILE_LAYOUT, device=device), dim)
    assert_equal(torch.cumsum(values.float(), dim).to(torch.bfloat16), ttnn.to_torch(output))


@pytest.mark.parametrize("reduce_op", ["var", "std", "min"])
def test_reductions_over_the_last_dim(device, reduce_op):
    torch.manual_seed(14)
    values = torch.randn((8, 33, 130), dtype=torch.bfloat16)
    golden = ttnn.get_golden_function(getattr(ttnn, reduce_op))(values, dim=-1)
    output = getattr(ttnn, reduce_op)(ttnn.from_torch(values, layout=ttnn.TILE_LAYOUT, device=device), dim=-1)
    assert_with_pcc(golden, ttnn.to_torch(output), 0.999)


@pytest.mark.parametrize("layout", [ttnn.ROW_MAJOR_LAYOUT, ttnn.TILE_LAYOUT])
def test_repeat_roll_and_gather_are_exact(device, layout):
    torch.manual_seed(15)
    values = torch.randn((2, 12, 40), dtype=torch.bfloat16)
    index = torch.randint(0, 40, (2, 12, 16))
    tensor = ttnn.from_torch(values, layout=layout, device=device)
    assert_equal(values.repeat(1, 2, 3), ttnn.to_torch(ttnn.repeat(tensor, [1, 2, 3])))
    assert_equal(torch.roll(values, (5, -3), (1, 2)), ttnn.to_torch(ttnn.roll(tensor, [5, -3], [1, 2])))
    tiled = ttnn.to_layout(tensor, ttnn.TILE_LAYOUT)
    ids = ttnn.from_torch(index, dtype=ttnn.uint32, layout=ttnn.TILE_LAYOUT, device=device)
    assert_equal(torch.gather(values, -1, index), ttnn.to_torch(ttnn.gather(tiled, -1, index=ids)))


def test_tilize_with_val_padding_then_untilize_with_unpadding(device):
    values = torch.randn((1, 1, 45, 70), dtype=torch.bfloat16)
    row_major = ttnn.from_torch(values, device=device)
    padded = ttnn.tilize_with_val_padding(row_major, [1, 1, 64, 96], 0.0)
    back = ttnn.untilize_with_unpadding(padded, [0, 0, 44, 69])
    assert_equal(values, ttnn.to_torch(back))
