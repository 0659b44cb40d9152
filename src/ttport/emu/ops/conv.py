"""ttnn.conv2d, ttnn.conv1d and ttnn.conv_transpose2d: the conv as a matmul over im2col'd activations.

Calling convention (ttnn 0.81.1, recorded signatures): activations [N, H, W, C] or [1, 1, N*H*W, C] on host or
device, torch-layout OIHW weights on host (or prepared ones), the geometry as keyword arguments; the output is
[1, 1, N*OH*OW, OC]. Numerics (docs/ttnn-numerics.md, "Convolutions"): the halo hands the conv bfloat16 (or
float32) row-major sticks, the weights are stored in weights_dtype, the matrix engine multiplies at the compute
config's fidelity into its destination (16-bit unless fp32_dest_acc_en), the bias is added there, the fused
activation applied, and the result packed to the output dtype. Default compute config: HiFi4, approximate mode,
fp32 destination only for float32 activations and weights, no L1 accumulation (conv2d_utils.cpp
get_conv_default_compute_kernel_config). Memory: conv_l1.py.
"""

from __future__ import annotations

import math

import torch

from .. import conv_l1
from ..conv_config import PaddingMode, check_conv_config
from ..device import Device
from ..errors import DTypeError, ShapeError, TTNNError, UnsupportedError
from ..memory import BufferType, MemoryConfig
from ..numerics import (
    MathFidelity,
    WormholeComputeKernelConfig,
    intermediate,
    is_ideal,
    matrix_engine_matmul,
    resolve_config,
)
from ..registry import ttnn_op
from ..tensor import Tensor
from ..types import DataType, Layout
from .activations import apply_activation
from .conv_weights import WeightKey, im2col, prepared_bias, prepared_weight

CONV_DTYPES = (DataType.BFLOAT16, DataType.FLOAT32, DataType.BFLOAT8_B)


def pair(op: str, name: str, value) -> tuple[int, int]:
    if isinstance(value, int):
        return (value, value)
    values = tuple(int(v) for v in value)
    if len(values) != 2:
        raise TTNNError(f"{op}: {name} must be an int or (h, w), got {value!r}")
    return values


def padding4(op: str, padding) -> tuple[int, int, int, int]:
    """[pad_h, pad_w] or [top, bottom, left, right] -> (top, bottom, left, right)."""
    if isinstance(padding, int):
        return (padding,) * 4
    values = tuple(int(p) for p in padding)
    if len(values) == 2:
        return (values[0], values[0], values[1], values[1])
    if len(values) != 4:
        raise TTNNError(f"{op}: padding must be (pad_h, pad_w) or (top, bottom, left, right), got {padding!r}")
    return values


def default_conv_config(input_dtype: DataType, weights_dtype: DataType) -> WormholeComputeKernelConfig:
    fp32 = input_dtype is DataType.FLOAT32 and weights_dtype is DataType.FLOAT32
    return WormholeComputeKernelConfig(
        math_fidelity=MathFidelity.HiFi4, math_approx_mode=True, fp32_dest_acc_en=fp32, packer_l1_acc=False
    )


def nhwc_values(op: str, tensor: Tensor, batch: int, height: int, width: int, channels: int) -> torch.Tensor:
    """The activations as (N, H, W, C): from [N, H, W, C'] or [1, 1, N*H*W, C'] (C' >= C, extra channels dropped)."""
    if not isinstance(tensor, Tensor):
        raise TTNNError(f"{op}: input_tensor must be a ttnn.Tensor, got {type(tensor).__name__}")
    shape = tuple(tensor.shape)
    if tensor.dtype not in CONV_DTYPES:
        raise DTypeError(f"{op}: input_tensor is {tensor.dtype.name.lower()}; convs take bfloat16, float32, bfloat8_b")
    if len(shape) != 4 or shape[-1] < channels or math.prod(shape[:-1]) != batch * height * width:
        raise ShapeError(
            f"{op}: input_tensor is {list(shape)} but batch_size={batch}, input_height={height}, input_width={width}, "
            f"in_channels={channels} need [{batch}, {height}, {width}, {channels}] or "
            f"[1, 1, {batch * height * width}, {channels}] (NHWC: ttnn.permute(x, (0, 2, 3, 1)) from NCHW)"
        )
    values = tensor._logical().reshape(batch, height, width, shape[-1])[..., :channels]
    # The halo hands the conv row-major sticks: float32 stays, everything else is bfloat16 (bfloat8_b is exact in it).
    return values.to(torch.float32 if tensor.dtype is DataType.FLOAT32 or is_ideal() else torch.bfloat16)


def _conv_flops(inputs, outputs) -> int:
    weight = inputs[1]
    inner = (
        math.prod(tuple(weight.shape)[1:]) if len(weight.shape) == 4 and weight.device() is None else weight.shape[-2]
    )
    return 2 * outputs[0].shape[-2] * outputs[0].shape[-1] * inner if outputs else 0


class ConvCall:
    """One conv's geometry, config and plan, shared by conv2d, conv1d and conv_transpose2d."""

    def __init__(self, op: str, args: dict, *, input_dtype=None, input_layout=None, has_bias=None):
        """`args`: the op's arguments; prepare_conv_weights describes an input it does not have by
        input_dtype / input_layout and the bias by has_bias."""
        self.op = op
        self.device = args["device"]
        if not isinstance(self.device, Device):
            raise TTNNError(f"{op}: device must be an open ttnn device (ttnn.open_device), got {self.device!r}")
        self.config = check_conv_config(op, args["conv_config"])
        self.input = args["input_tensor"]
        self.hw = (args["input_height"], args["input_width"])
        self.kernel = pair(op, "kernel_size", args["kernel_size"])
        self.stride = pair(op, "stride", args["stride"])
        self.padding = padding4(op, args["padding"])
        self.dilation = pair(op, "dilation", args["dilation"])
        self.groups = args["groups"]
        self.batch, self.in_channels, self.out_channels = args["batch_size"], args["in_channels"], args["out_channels"]
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ShapeError(f"{op}: in_channels and out_channels must be divisible by groups={self.groups}")
        self.out_hw = tuple(
            (size + before + after - dil * (k - 1) - 1) // s + 1
            for size, before, after, dil, k, s in zip(
                self.hw, self.padding[::2], self.padding[1::2], self.dilation, self.kernel, self.stride
            )
        )
        if min(self.out_hw) <= 0:
            raise ShapeError(
                f"{op}: the output would be {list(self.out_hw)} (input {list(self.hw)}, kernel "
                f"{list(self.kernel)}, padding {list(self.padding)}); the kernel is larger than the input"
            )
        weight = args["weight_tensor"]
        prepared = getattr(weight, "_conv_weight_key", None)
        # weights_dtype None: the weights keep their own dtype (a prepared weight, the one it was prepared in)
        self.weights_dtype = self.config.weights_dtype or (prepared.dtype if prepared else weight.dtype)
        input_dtype = input_dtype or self.input.dtype
        self.output_dtype = args["dtype"] or input_dtype
        default = default_conv_config(input_dtype, self.weights_dtype)
        self.compute = resolve_config(op, args["compute_config"], default)
        self.memory_config = args["memory_config"]
        bias = has_bias if has_bias is not None else args["bias_tensor"] is not None
        self.shape = conv_l1.ConvShape(
            self.batch, self.in_channels, self.out_channels, self.hw, self.out_hw, self.kernel, self.stride,
            self.padding, self.dilation, self.groups, bias,
        )  # fmt: skip
        dtypes = (input_dtype, self.weights_dtype, self.output_dtype)
        row_major = (input_layout or self.input.layout) is Layout.ROW_MAJOR
        self.plan = conv_l1.plan(self.shape, self.config, dtypes, self.compute.fp32_dest_acc_en, row_major)
        self.key = WeightKey(
            self.in_channels, self.out_channels, self.kernel, self.groups, self.plan.in_channels_padded,
            self.weights_dtype,
        )  # fmt: skip


def run_conv(call: ConvCall, weight: Tensor, bias: Tensor | None, values: torch.Tensor):
    """The conv's output tensor [1, 1, N*OH*OW, OC] on the device, with the L1 plan checked on the way."""
    device = call.device
    l1_input = call.input.device() is not None and call.input.memory_config().buffer_type is BufferType.L1
    halo = _halo_phase(call, l1_input)
    try:
        output_shard = conv_l1.allocate_per_core(device, call.plan.output_bytes)
        indices = conv_l1.allocate_per_core(device, call.plan.indices_bytes)
        try:
            conv_l1.check_circular_buffers(call.op, device, call.plan)
            result = _compute(call, weight, bias, values)
        finally:
            conv_l1.release(device, indices)
            conv_l1.release(device, output_shard)
    finally:
        conv_l1.release(device, halo)
    return _output(call, result)


def _halo_phase(call: ConvCall, l1_input: bool):
    """Shard (if needed) and halo the input; deallocate_activation frees the input once the halo has read it."""
    device, plan = call.device, call.plan
    halo = None
    if not call.shape.matmul:
        resharded = None
        if not (l1_input and call.input.is_sharded()):
            rows = math.ceil(call.batch * call.hw[0] * call.hw[1] / plan.cores_nhw / 32) * 32
            resharded = conv_l1.allocate_per_core(device, rows * plan.in_channels_padded // plan.cores_c_in * 2)
        halo = conv_l1.allocate_per_core(device, plan.halo_bytes)
        conv_l1.release(device, resharded)
    if call.config.deallocate_activation and call.input.device() is not None:
        call.input.deallocate(True)
    return halo


def _compute(call: ConvCall, weight: Tensor, bias: Tensor | None, values: torch.Tensor) -> torch.Tensor:
    replicate = call.config.padding_mode is PaddingMode.Replicate
    columns = im2col(values, call.key, call.stride, call.padding, call.dilation, replicate)
    matrix = weight._values.reshape(weight._values.shape[-2], weight._values.shape[-1])
    if is_ideal():
        matrix = weight._float32_values().reshape(matrix.shape)
    out = _matmul_blocks(columns, matrix, call)
    if bias is not None:
        row = bias._values.reshape(-1, bias._values.shape[-1])[:1].to(torch.float32)
        out = intermediate(out.add_(row), call.compute) if not call.compute.fp32_dest_acc_en else out.add_(row)
    if call.config.activation is not None:
        out = apply_activation(call.op, out, call.config.activation)
    return out[:, : call.out_channels]


def _matmul_blocks(columns: torch.Tensor, matrix: torch.Tensor, call: ConvCall) -> torch.Tensor:
    """columns @ matrix, one activation block (kernel row) at a time when partials spill between blocks.

    Without packer L1 accumulation the destination is packed to the partials buffer, in the output's format,
    after every inner block (get_cb_info: partial dtype = output dtype): with an fp32 destination and a bfloat16
    output that rounds the running sum once per kernel row.
    """
    spills = call.compute.fp32_dest_acc_en and not call.compute.packer_l1_acc and not is_ideal()
    spills = spills and call.output_dtype is not DataType.FLOAT32 and call.kernel[0] > 1
    if not spills:
        return matrix_engine_matmul(columns, matrix, call.compute)
    width = columns.shape[1] // call.kernel[0]
    total = None
    for block in range(call.kernel[0]):
        inner = slice(block * width, (block + 1) * width)
        partial = matrix_engine_matmul(columns[:, inner], matrix[inner], call.compute)
        total = partial if total is None else (total + partial)
        if block < call.kernel[0] - 1:
            total = total.to(torch.bfloat16).to(torch.float32)
    return total


def _output(call: ConvCall, values: torch.Tensor) -> Tensor:
    rows = values.shape[0]
    layout = call.config.output_layout
    if call.output_dtype in (DataType.BFLOAT8_B, DataType.BFLOAT4_B) and layout is not Layout.TILE:
        raise DTypeError(f"{call.op}: a {call.output_dtype.name.lower()} output needs output_layout=ttnn.TILE_LAYOUT")
    config = call.memory_config if call.memory_config is not None else _sharded_output_config(call)
    if not isinstance(config, MemoryConfig):
        raise TTNNError(f"{call.op}: memory_config must be a ttnn.MemoryConfig, got {config!r}")
    values = values.reshape(1, 1, rows, call.out_channels)
    return Tensor._from_logical(values, call.output_dtype, layout, call.device, config)


def _sharded_output_config(call: ConvCall) -> MemoryConfig:
    return conv_l1.output_memory_config(call.plan, call.batch * call.out_hw[0] * call.out_hw[1], call.out_channels)


def _results(output: Tensor, out_dim, weight: Tensor, bias, return_output_dim: bool, return_weights_and_bias: bool):
    """ttnn's return forms: out | (out, dims) | (out, (weight, bias)) | (out, dims, (weight, bias))."""
    result = [output]
    if return_output_dim:
        result.append(out_dim)
    if return_weights_and_bias:
        result.append((weight, bias))
    return result[0] if len(result) == 1 else tuple(result)


def _conv(op: str, args: dict, out_dim=None):
    call = ConvCall(op, args)
    if args.get("slice_config") is not None:
        raise UnsupportedError(f"{op}: slice_config is not modelled by the ttport emulator; leave it None")
    values = nhwc_values(op, call.input, call.batch, call.hw[0], call.hw[1], call.in_channels)
    weight = prepared_weight(op, args["weight_tensor"], call.key, call.device)
    bias = prepared_bias(op, args["bias_tensor"], call.key, call.device)
    output = run_conv(call, weight, bias, values)
    dims = out_dim if out_dim is not None else call.out_hw
    return _results(output, dims, weight, bias, args["return_output_dim"], args["return_weights_and_bias"])


@ttnn_op("ttnn.conv2d", flops=_conv_flops)
def conv2d(
    *,
    input_tensor,
    weight_tensor,
    device,
    in_channels,
    out_channels,
    batch_size,
    input_height,
    input_width,
    kernel_size,
    stride=[1, 1],  # noqa: B006 - ttnn's defaults, never mutated
    padding=[0, 0],  # noqa: B006
    dilation=[1, 1],  # noqa: B006
    groups=1,
    dtype=None,
    bias_tensor=None,
    conv_config=None,
    compute_config=None,
    memory_config=None,
    slice_config=None,
    return_output_dim=False,
    return_weights_and_bias=False,
):
    """2D convolution of NHWC activations with torch-layout weights; output [1, 1, N*OH*OW, out_channels]."""
    return _conv("ttnn.conv2d", dict(locals()))


@ttnn_op("ttnn.conv1d", flops=_conv_flops)
def conv1d(
    *,
    input_tensor,
    weight_tensor,
    device,
    in_channels,
    out_channels,
    batch_size,
    input_length,
    kernel_size,
    stride=1,
    padding=0,
    dilation=1,
    groups=1,
    dtype=None,
    bias_tensor=None,
    conv_config=None,
    compute_config=None,
    memory_config=None,
    slice_config=None,
    return_output_dim=False,
    return_weights_and_bias=False,
):
    """1D convolution as a 2D one of height 1: input [N, 1, L, C] / [1, 1, N*L, C], weight [OC, C/groups, 1, K]."""
    pad = (padding, padding) if isinstance(padding, int) else tuple(padding)
    args = dict(locals())
    args.update(
        input_height=1, input_width=input_length, kernel_size=(1, kernel_size), stride=(1, stride),
        padding=(0, 0, *pad), dilation=(1, dilation),
    )  # fmt: skip
    call_length = (input_length + sum(pad) - dilation * (kernel_size - 1) - 1) // stride + 1
    return _conv("ttnn.conv1d", args, out_dim=call_length)
