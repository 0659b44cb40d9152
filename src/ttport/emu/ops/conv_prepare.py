"""ttnn.prepare_conv_weights / ttnn.prepare_conv_bias: a conv's weights and bias prepared once, for reuse.

Real ttnn 0.81.1 exposes both as Python wrappers `(*args, **kwargs)` over keyword-only C++ functions (recorded
signature of ttnn._ttnn.operations.conv.prepare_conv_weights); the inner functions here carry those keywords.
The prepared tensors are what ttnn.conv2d(..., return_weights_and_bias=True) hands back: the weight matrix in
weights_dtype (conv_weights.py) and the bias row, on the device, valid for the conv geometry they were made for.
"""

from __future__ import annotations

from ..errors import TTNNError
from .conv import ConvCall
from .conv_weights import prepared_bias, prepared_weight


def prepare_conv_weights(*args, **kwargs):
    """The conv weight (torch OIHW on host) as conv2d multiplies by it; pass it to conv2d as weight_tensor."""
    if args:
        raise TypeError("prepare_conv_weights takes keyword arguments only (weight_tensor=..., ...)")
    return _prepare_conv_weights(**kwargs)


def prepare_conv_bias(*args, **kwargs):
    """The conv bias ([1, 1, 1, OC] on host) prepared for conv2d; pass it to conv2d as bias_tensor."""
    if args:
        raise TypeError("prepare_conv_bias takes keyword arguments only (bias_tensor=..., ...)")
    return _prepare_conv_bias(**kwargs)


def _call(op, geometry: dict, weight, has_bias: bool) -> ConvCall:
    args = {
        **geometry,
        "input_tensor": None,
        "weight_tensor": weight,
        "bias_tensor": None,
        "dtype": geometry.pop("output_dtype"),
        "memory_config": None,
    }
    return ConvCall(
        op, args, input_dtype=geometry["input_dtype"], input_layout=geometry["input_layout"], has_bias=has_bias
    )


def _prepare_conv_weights(
    *,
    weight_tensor,
    input_memory_config,
    input_layout,
    weights_format,
    in_channels,
    out_channels,
    batch_size,
    input_height,
    input_width,
    kernel_size,
    stride,
    padding,
    dilation,
    has_bias,
    groups,
    device,
    input_dtype,
    output_dtype=None,
    conv_config=None,
    compute_config=None,
    slice_config=None,
):
    op = "ttnn.prepare_conv_weights"
    if weights_format != "OIHW":
        raise TTNNError(f"{op}: weights_format {weights_format!r} is not supported; only 'OIHW' (torch's layout)")
    geometry = dict(locals())
    call = _call(op, geometry, weight_tensor, has_bias)
    return prepared_weight(op, weight_tensor, call.key, device)


def _prepare_conv_bias(
    *,
    bias_tensor,
    input_memory_config,
    input_layout,
    in_channels,
    out_channels,
    batch_size,
    input_height,
    input_width,
    kernel_size,
    stride,
    padding,
    dilation,
    groups,
    device,
    input_dtype,
    output_dtype=None,
    conv_config=None,
    compute_config=None,
    slice_config=None,
):
    op = "ttnn.prepare_conv_bias"
    if conv_config is None or conv_config.weights_dtype is None:
        # prepare_conv_bias needs weights_dtype: the bias is stored in the weights' dtype (conv2d.hpp)
        raise TTNNError(f"{op}: conv_config.weights_dtype must be set to the prepared weights' dtype")
    geometry = dict(locals())
    call = _call(op, geometry, bias_tensor, True)
    return prepared_bias(op, bias_tensor, call.key, device)
