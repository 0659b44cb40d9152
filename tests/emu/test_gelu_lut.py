"""GELU's fast-and-approximate mode: tt-llk's 6-segment table, used by ttnn.gelu(fast_and_approximate_mode=True)
and by a fused (GELU, True) activation (tt-metal's sharded BERT: fused_activation=(ttnn.UnaryOpType.GELU, True))."""

from __future__ import annotations

import pytest
import torch
import ttnn

from ttport.emu.ops.gelu_lut import gelu_approximate


@pytest.mark.parametrize(
    "x, expected",
    [  # 0.5 x + A |x| + B with the fp16 coefficients of _init_gelu_
        (0.25, 0.125 + 0.19275 * 0.25 - 0.000104),
        (-1.0, -0.5 + 0.49390 - 0.16040),
        (3.0, 1.5 + 0.54004 * 3.0 - 0.11938),
        (-5.0, 0.0),
    ],
)
def test_table_points(x, expected):
    assert gelu_approximate(torch.tensor([x])).item() == pytest.approx(expected, abs=2e-4)


def test_table_stays_within_its_documented_error_of_erf_gelu():
    x = torch.linspace(-8, 8, 20001)
    error = (gelu_approximate(x) - torch.nn.functional.gelu(x)).abs()
    assert 0.02 < error.max() < 0.025  # largest near |x| = 0.25, where the first segment's chord is furthest


def test_ttnn_gelu_fast_mode_and_fused_gelu_true_agree(device):
    torch.manual_seed(0)
    x = torch.randn(64, 64)
    tensor = ttnn.from_torch(x, dtype=ttnn.float32, layout=ttnn.TILE_LAYOUT, device=device)
    fast = ttnn.to_torch(ttnn.gelu(tensor, fast_and_approximate_mode=True))
    assert torch.allclose(fast, gelu_approximate(x), atol=1e-6)
    identity = ttnn.from_torch(torch.eye(64), dtype=ttnn.float32, layout=ttnn.TILE_LAYOUT, device=device)
    config = ttnn.MatmulMultiCoreReuseMultiCastProgramConfig(
        compute_with_storage_grid_size=(2, 2),
        in0_block_w=2,
        out_subblock_h=1,
        out_subblock_w=2,
        per_core_M=1,
        per_core_N=2,
        transpose_mcast=False,
        fused_activation=(ttnn.UnaryOpType.GELU, True),
    )
    fp32 = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi4, fp32_dest_acc_en=True)
    fused = ttnn.linear(tensor, identity, program_config=config, compute_kernel_config=fp32, dtype=ttnn.float32)
    assert torch.allclose(ttnn.to_torch(fused), fast, atol=1e-5)
