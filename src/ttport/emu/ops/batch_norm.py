"""ttnn.batch_norm in inference mode: (x - running_mean) * rsqrt(running_var + eps) * weight + bias per channel.

Signature real ttnn 0.81.1's (recorded). Input [N, C, H, W] TILE on device (rank 4), statistics and affine
parameters [1, C, 1, 1] TILE (its docstring). The kernel computes the denominator on the SFPU, then subtracts,
multiplies and adds tile by tile, parking each result in a circular buffer in the input's format unless the
destination is fp32. Default compute config (normalization/batch_norm/batch_norm_utils.cpp
resolve_compute_kernel_config): HiFi4, exact mode, fp32 destination for float32 / integer inputs.
Training mode (batch statistics, running-stat updates) is refused.
"""

from __future__ import annotations

import torch

from ..errors import ShapeError, UnsupportedError
from ..numerics import MathFidelity, WormholeComputeKernelConfig, intermediate, resolve_config
from ..registry import require_device, ttnn_op
from ..tensor import Tensor
from ..types import DataType
from ._common import output_config


def _default_config(input_tensor: Tensor) -> WormholeComputeKernelConfig:
    fp32 = input_tensor.dtype in (DataType.FLOAT32, DataType.INT32, DataType.UINT32)
    return WormholeComputeKernelConfig(
        math_fidelity=MathFidelity.HiFi4, math_approx_mode=False, fp32_dest_acc_en=fp32, packer_l1_acc=True
    )


def _channel_row(op: str, name: str, tensor, channels: int) -> torch.Tensor:
    require_device(op, name, tensor)
    if tuple(tensor.shape) != (1, channels, 1, 1):
        raise ShapeError(
            f"{op}: {name} is {list(tensor.shape)} but must be [1, {channels}, 1, 1] "
            f"(ttnn.from_torch(p.reshape(1, -1, 1, 1), layout=ttnn.TILE_LAYOUT))"
        )
    return tensor._logical().to(torch.float32)


@ttnn_op("ttnn.batch_norm")
def batch_norm(
    input,  # noqa: A002 - ttnn's name
    *,
    running_mean=None,
    running_var=None,
    training=False,
    eps=1e-05,
    momentum=0.1,
    weight=None,
    bias=None,
    output=None,
    memory_config=None,
    compute_kernel_config=None,
):
    """Inference batch norm of [N, C, H, W] with [1, C, 1, 1] statistics and affine parameters."""
    op = "ttnn.batch_norm"
    require_device(op, "input", input)
    if training:
        raise UnsupportedError(f"{op}: training=True (batch statistics) is not modelled; use training=False")
    if output is not None:
        raise UnsupportedError(f"{op}: output= (a preallocated output) is not modelled; leave it None")
    if len(input.shape) != 4:
        raise ShapeError(f"{op}: input is {list(input.shape)}; it must be rank 4 [N, C, H, W]")
    if running_mean is None or running_var is None:
        raise ShapeError(f"{op}: inference mode needs running_mean and running_var")
    channels = input.shape[1]
    config = resolve_config(op, compute_kernel_config, _default_config(input))
    x = input._logical().to(torch.float32)
    mean = _channel_row(op, "running_mean", running_mean, channels)
    var = _channel_row(op, "running_var", running_var, channels)
    den = intermediate(torch.rsqrt(intermediate(var + eps, config)), config)
    y = intermediate(intermediate(x - mean, config) * den, config)
    if weight is not None:
        y = intermediate(y * _channel_row(op, "weight", weight, channels), config)
    if bias is not None:
        y = y + _channel_row(op, "bias", bias, channels)
    config_out = output_config(op, memory_config, input)
    return Tensor._from_logical(y, input.dtype, input.layout, input.device(), config_out)
