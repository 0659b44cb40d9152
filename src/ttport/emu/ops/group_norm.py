"""ttnn.group_norm over [N, 1, H*W, C] (groups formed along the last dim), with its helpers
ttnn.create_group_norm_weight_bias_rm (a Python function in real ttnn: gamma/beta padded per core to [1, 1, -1, 32])
and ttnn.create_group_norm_input_mask.

Signature real ttnn 0.81.1's (recorded). The statistics of each (batch, group) are taken over H*W and the group's
channels in fp32 from the stored values; the normalized values are parked in bfloat16 before the affine step
(as layer_norm's phases are, numerics.intermediate). The input_mask only selects each group's channels on the
device; here groups are taken exactly, so a mask is accepted and not needed.
"""

from __future__ import annotations

import torch

from ..errors import ShapeError, UnsupportedError
from ..numerics import MathFidelity, WormholeComputeKernelConfig, intermediate, resolve_config
from ..registry import require_device, ttnn_op
from ..tensor import Tensor
from ..types import DataType, Layout
from ._common import output_config, refuse_unmodelled


def create_group_norm_weight_bias_rm(input_tensor, num_channels, num_cores_x):
    """gamma / beta (torch, C values) -> [1, 1, -1, 32]: each core's channels padded to a multiple of 32."""
    per_core = num_channels // num_cores_x
    padding = -(-per_core // 32) * 32 - per_core
    rows = torch.nn.functional.pad(input_tensor.reshape(-1, per_core), (0, padding))
    return rows.flatten().reshape(1, 1, -1, 32)


def create_group_norm_input_mask(
    num_channel,
    num_groups,
    num_cores_across_channel,
    data_type=DataType.BFLOAT16,
    tile_height=32,
    tile_width=32,
    rows_in_last_tile=0,
):
    """The [1, num_groups, 32, 32 * block_wt] mask selecting each group's channels (host, TILE)."""
    if (tile_height, tile_width, rows_in_last_tile) != (32, 32, 0):
        raise UnsupportedError(
            "ttnn.create_group_norm_input_mask: only 32x32 tiles with full last tiles are emulated (got tile_height="
            f"{tile_height}, tile_width={tile_width}, rows_in_last_tile={rows_in_last_tile}); leave them at their "
            "defaults"
        )
    per_core = num_channel // num_cores_across_channel
    block_wt = -(-per_core // 32)
    group_size = num_channel // num_groups
    mask = torch.zeros(1, num_groups, 32, 32 * block_wt)
    for group in range(num_groups):
        start = (group * group_size) % per_core
        mask[:, group, :, start : start + group_size] = 1
    return Tensor._from_logical(mask, data_type, Layout.TILE)


def _affine(op: str, name: str, tensor, channels: int) -> torch.Tensor | None:
    if tensor is None:
        return None
    require_device(op, name, tensor, tile=False)
    values = tensor._logical().to(torch.float32).flatten()
    if values.numel() < channels:
        raise ShapeError(
            f"{op}: {name} holds {values.numel()} values for {channels} channels; prepare it with "
            "ttnn.create_group_norm_weight_bias_rm(torch_param, channels, 1)"
        )
    return values[:channels]


@ttnn_op("ttnn.group_norm")
def group_norm(
    input_tensor,
    *,
    num_groups,
    epsilon=1e-12,
    input_mask=None,
    weight=None,
    bias=None,
    memory_config=None,
    dtype=None,
    core_grid=None,
    inplace=True,
    output_layout=None,
    num_out_blocks=None,
    compute_kernel_config=None,
    negative_mask=None,
    use_welford=False,
):
    """Group norm of [N, 1, H*W, C] over num_groups groups of C; weight/bias per channel."""
    op = "ttnn.group_norm"
    require_device(op, "input_tensor", input_tensor, tile=False)
    refuse_unmodelled(op, negative_mask=negative_mask)
    shape = tuple(input_tensor.shape)
    if len(shape) != 4 or shape[1] != 1 or shape[-1] % num_groups:
        raise ShapeError(f"{op}: input_tensor is {list(shape)}; it must be [N, 1, H*W, C], C divisible by {num_groups}")
    if dtype is not None and dtype is not input_tensor.dtype:
        raise UnsupportedError(f"{op}: dtype must equal the input's dtype ({input_tensor.dtype}) when given")
    default = WormholeComputeKernelConfig(math_fidelity=MathFidelity.HiFi4, math_approx_mode=True)
    config = resolve_config(op, compute_kernel_config, default)
    batch, _, rows, channels = shape
    x = input_tensor._logical().to(torch.float32).reshape(batch, rows, num_groups, channels // num_groups)
    mean = x.mean(dim=(1, 3), keepdim=True)
    var = ((x - mean) ** 2).mean(dim=(1, 3), keepdim=True)
    y = intermediate((x - mean) * torch.rsqrt(var + epsilon), config).reshape(batch, 1, rows, channels)
    gamma, beta = _affine(op, "weight", weight, channels), _affine(op, "bias", bias, channels)
    if gamma is not None:
        y = intermediate(y * gamma, config)
    if beta is not None:
        y = y + beta
    layout = output_layout or input_tensor.layout
    config_out = output_config(op, memory_config, input_tensor)
    return Tensor._from_logical(y, input_tensor.dtype, layout, input_tensor.device(), config_out)
