"""ATen convolution, pooling, batch norm and resize ops -> TTNN, with NCHW activations held channels-last.

ttnn's convs, pools and upsample take and give channels-last activations. A 4-D NCHW value that such an op
produces or reads lives on device in the "nhwc" form: [N, H, W, C], bfloat16 TILE. Element-wise ops whose tensor
operands are all channels-last stay channels-last (AGNOSTIC), as does a constant pad of H and W, so a conv stack
pays one ttnn.permute where it meets torch's NCHW layout (the model's input and output, an op with no channels-last
rule), not one per op; functions below the model take and return the channels-last form (channels_last.py).

    conv2d / convolution     ttnn.conv2d over the NHWC input, output reshaped from [1, 1, N*OH*OW, OC] to NHWC
    conv1d                   ttnn.conv1d over [N, 1, L, C] (permuted from NCL in the call)
    max_pool2d / avg_pool2d  ttnn.max_pool2d / ttnn.avg_pool2d, TILE output, reshaped to NHWC
    adaptive_avg_pool2d      ttnn.global_avg_pool2d for (1, 1), else ttnn.adaptive_avg_pool2d
    batch_norm (eval)        channels-last: x * scale + shift (scale, shift prepared per channel from the
                             running statistics)
    upsample_nearest2d / upsample_bilinear2d   ttnn.upsample
    flatten / view of a [N, C, 1, 1] channels-last value   a reshape of [N, 1, 1, C] (same element order)
"""

from __future__ import annotations

import math

from torch import fx

from .accumulation import MIN_INNER
from .conv_parameters import FUSED_PREPARATIONS, PREPARATIONS, prepare_convs_source, record_conv

# parameters.py reads the conv preparations here (the conv rules' table of what they need prepared)
__all__ = ["CONV", "FUSED_PREPARATIONS", "PREPARATIONS", "prepare_convs_source"]
from .graph import arguments, shape, static_shape
from .rule import Rule

NHWC = "nhwc"
TO_NHWC = (0, 2, 3, 1)
TO_NCHW = (0, 3, 1, 2)
# weights_dtype unset: the prepared weights' own (conv2d.cpp: `if (!conv_config.weights_dtype) weights_dtype =
# weight_tensor.dtype()`), so one function serves bf16 and bfp8 ports
CONV_CONFIG = "ttnn.Conv2dConfig()"
# Element-wise ops that compute the same on channels-last data when every tensor operand has the output's shape.
AGNOSTIC = {"relu", "silu", "sigmoid", "tanh", "gelu", "exp", "neg", "add", "sub", "mul", "div", "clamp", "hardtanh"}
AGNOSTIC |= {"add_", "sub_", "mul_", "div_"}  # in place on a value nothing reads after (rules_compute._in_place)


def _is_parameter(value) -> bool:
    return isinstance(value, fx.Node) and value.op == "get_attr"


def out_size(size: str, kernel: int, stride: int, before: int, after: int, dilation: int, ceil: bool = False) -> str:
    """A sliding window's output size as source, from the input size's source: (size + pads - reach) // stride + 1,
    so instances of one module kind at different image sizes share one function."""
    offset = before + after - dilation * (kernel - 1) - 1
    if ceil:
        offset += stride - 1
    if stride == 1:
        return _plus(size, offset + 1)
    return f"({_plus(size, offset)}) // {stride} + 1"


def _plus(text: str, offset: int) -> str:
    return text if offset == 0 else f"{text} + {offset}" if offset > 0 else f"{text} - {-offset}"


def _window_dims(x: str, channels: str, g: dict, ceil: bool = False) -> str:
    """[N, OH, OW, C] of a window op over the NHWC value `x`."""
    top, bottom, left, right = _four(g["padding"])
    (kh, kw), (sh, sw), (dh, dw) = g["kernel"], g["stride"], g["dilation"]
    height = out_size(f"{x}.shape[1]", kh, sh, top, bottom, dh, ceil)
    width = out_size(f"{x}.shape[2]", kw, sw, left, right, dw, ceil)
    return f"[{x}.shape[0], {height}, {width}, {channels}]"


def _four(padding: tuple) -> tuple:
    return (padding[0], padding[0], padding[1], padding[1]) if len(padding) == 2 else tuple(padding)


def _ints(value, count: int) -> tuple:
    if isinstance(value, int):
        return (value,) * count
    values = tuple(value)
    return values * count if len(values) == 1 else values


def conv_geometry(node: fx.Node) -> dict:
    """kernel, stride, padding, dilation, groups of a conv2d / convolution node, padding as ints."""
    values = arguments(node)
    weight = shape(values["weight"])
    kernel = tuple(weight[2:])
    spatial = len(kernel)
    stride, dilation = _ints(values.get("stride", 1), spatial), _ints(values.get("dilation", 1), spatial)
    padding = values.get("padding", 0)
    if padding == "valid":
        padding = (0,) * spatial
    elif padding == "same":
        padding = tuple(d * (k - 1) // 2 for k, d in zip(kernel, dilation))
    return {
        "kernel": kernel,
        "stride": stride,
        "padding": _ints(padding, spatial),
        "dilation": dilation,
        "groups": values.get("groups", 1),
        "in_channels": shape(values["input"])[1],
        "out_channels": weight[0],
    }


def _conv_when(node, _context):
    values = arguments(node)
    if not _is_parameter(values["weight"]) or (values.get("bias") is not None and not _is_parameter(values["bias"])):
        return "the weight or bias is not a parameter"
    if values.get("transposed"):
        return "a transposed convolution"
    if len(shape(values["input"])) != 4 or static_shape(values["weight"]) is None:
        return "not a batched 2-D convolution"
    if values.get("padding") == "same" and any(k % 2 == 0 for k in shape(values["weight"])[2:]):
        return "'same' padding of an even kernel is asymmetric"
    return None


def _conv2d(r) -> str:
    bias = None
    if r.given("bias"):
        r.t("bias")  # records the bias's preparation
        bias = _relative(r, "bias")
    return conv2d_text(r, bias)


def _relative(r, argument: str) -> str:
    return r.lowering.context.relative_attribute(arguments(r.node)[argument].target, r.lowering.call.path)


def conv2d_text(r, bias: str | None) -> str:
    """The ttnn.conv2d call (output reshaped to NHWC) on the weight and bias parameters.py prepared for this conv
    (conv_parameters.py); `bias`: the bias parameter's path under this function's module, or None."""
    g = conv_geometry(r.node)
    x, w = r.t("input"), r.t("weight")
    record_conv(r.lowering, r.node, g, _relative(r, "weight"), bias)
    parts = [f"input_tensor={x}", f"weight_tensor={w}"]
    if bias is not None:
        parts.append(f"bias_tensor={r.lowering.parameter_expression(bias)}")
    out_channels = str(g["out_channels"])  # a prepared weight's shape is the device's matrix, not OIHW
    parts += [
        "device=device",
        f"in_channels={x}.shape[3]",
        f"out_channels={out_channels}",
        f"batch_size={x}.shape[0]",
        f"input_height={x}.shape[1]",
        f"input_width={x}.shape[2]",
        f"kernel_size={g['kernel']}",
        f"stride={g['stride']}",
        f"padding={g['padding']}",
        f"dilation={g['dilation']}",
        f"groups={g['groups']}",
        f"conv_config={_conv_config(r)}",
        *_accumulation(g),
    ]
    dims = _window_dims(x, out_channels, g)
    return f"ttnn.reshape({_with_memory(r, 'ttnn.conv2d', parts)}, {dims})"


# A conv is a matmul over K = kernel_h * kernel_w * in_channels / groups. ttnn's conv default keeps a 16-bit
# destination for bfloat16 (conv2d_utils.cpp get_conv_default_compute_kernel_config: fp32_dest_acc_en only for float32
# activations and weights), rounding each partial sum to bfloat16: from K 2048 (accumulation.MIN_INNER, measured on
# matmuls) the conv accumulates in fp32 and packs partials in L1, at the default HiFi4, as tt-metal's OFT port
# configures its convs (models/experimental/oft/tt/model_optimizations.py: fp32_dest_acc_en=True).
CONV_ACCUMULATION = (
    "ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi4, math_approx_mode=True, "
    "fp32_dest_acc_en=True, packer_l1_acc=True)"
)


def _accumulation(g: dict) -> list[str]:
    inner = math.prod(g["kernel"]) * g["in_channels"] // g["groups"]
    return [f"compute_config={CONV_ACCUMULATION}"] if inner >= MIN_INNER else []


def _conv_config(r) -> str:
    r.lowering.builder.prelude.setdefault("conv_config", CONV_CONFIG)
    return "conv_config"


def _with_memory(r, name: str, parts: list[str]) -> str:
    """Convs and pools put their output sharded in L1 unless told: ask for the placement the model is planned in."""
    placement = "ttnn.L1_MEMORY_CONFIG" if r.lowering.l1 else "ttnn.DRAM_MEMORY_CONFIG"
    return f"{name}({', '.join(parts + [f'memory_config={placement}'])})"


def _conv1d_when(node, _context):
    values = arguments(node)
    if not _is_parameter(values["weight"]) or (values.get("bias") is not None and not _is_parameter(values["bias"])):
        return "the weight or bias is not a parameter"
    if len(shape(values["input"])) != 3 or isinstance(values.get("padding"), str):
        return "not a batched 1-D convolution with int padding"
    return None


def _conv1d(r) -> str:
    """NCL -> [N, 1, L, C] -> ttnn.conv1d -> [1, 1, N*OL, OC] -> NCL, on weights prepared as a conv2d's of height 1."""
    values = arguments(r.node)
    out_channels, _, kernel = shape(values["weight"])
    x, w = r.t("input"), r.t("weight")
    bias = None
    if r.given("bias"):
        r.t("bias")  # records the bias's preparation
        bias = _relative(r, "bias")
    stride, padding = _ints(values.get("stride", 1), 1)[0], _ints(values.get("padding", 0), 1)[0]
    dilation, groups = _ints(values.get("dilation", 1), 1)[0], values.get("groups", 1)
    g = {
        "in_channels": shape(values["input"])[1], "out_channels": out_channels, "kernel": (1, kernel),
        "stride": (1, stride), "padding": (0, padding), "dilation": (1, dilation), "groups": groups,
    }  # fmt: skip
    record_conv(r.lowering, r.node, g, _relative(r, "weight"), bias)
    nlc = f"ttnn.reshape(ttnn.permute({x}, (0, 2, 1)), [{x}.shape[0], 1, {x}.shape[2], {x}.shape[1]])"
    parts = [f"input_tensor={nlc}", f"weight_tensor={w}"]
    if bias is not None:
        parts.append(f"bias_tensor={r.lowering.parameter_expression(bias)}")
    parts += [
        "device=device", f"in_channels={x}.shape[1]", f"out_channels={out_channels}", f"batch_size={x}.shape[0]",
        f"input_length={x}.shape[2]", f"kernel_size={kernel}", f"stride={stride}", f"padding={padding}",
        f"dilation={dilation}", f"groups={groups}", f"conv_config={_conv_config(r)}", *_accumulation(g),
    ]  # fmt: skip
    out_length = out_size(f"{x}.shape[2]", kernel, stride, padding, padding, dilation)
    conv = _with_memory(r, "ttnn.conv1d", parts)
    return f"ttnn.permute(ttnn.reshape({conv}, [{x}.shape[0], {out_length}, {out_channels}]), (0, 2, 1))"


def _pool_when(node, _context):
    values = arguments(node)
    if len(shape(values["self"])) != 4:
        return "not a batched 2-D pool"
    if values.get("ceil_mode") and node.target.overloadpacket.__name__ == "avg_pool2d" and not _covers_all(node):
        return "ceil_mode"
    return None


def _covers_all(node: fx.Node) -> bool:
    """One window over the whole (unpadded) input: the global average, whatever ceil_mode says (EfficientNet's
    pooler is AvgPool2d(kernel 1280, ceil_mode=True) over a few pixels)."""
    values = arguments(node)
    kernel = _ints(values["kernel_size"], 2)
    spatial = shape(values["self"])[2:]
    unpadded = not any(_ints(values.get("padding", 0), 2))
    return (
        unpadded
        and tuple(shape(node)[2:]) == (1, 1)
        and all(isinstance(s, int) and k >= s for k, s in zip(kernel, spatial))
    )


def _pool_call(r, name: str, extra: list[str]) -> str:
    values = arguments(r.node)
    x = r.t("self")
    kernel = _ints(values["kernel_size"], 2)
    stride = _ints(values.get("stride") or kernel, 2)
    padding = _ints(values.get("padding", 0), 2)
    dilation = _ints(values.get("dilation", 1), 2)
    parts = [f"{x}", f"{x}.shape[0]", f"{x}.shape[1]", f"{x}.shape[2]", f"{x}.shape[3]", f"{list(kernel)}"]
    parts += [f"{list(stride)}", f"{list(padding)}"] + extra + ["output_layout=ttnn.TILE_LAYOUT"]
    g = {"kernel": kernel, "stride": stride, "padding": padding, "dilation": dilation}
    dims = _window_dims(x, f"{x}.shape[3]", g, ceil=bool(values.get("ceil_mode")))
    return f"ttnn.reshape({_with_memory(r, name, parts)}, {dims})"


def _max_pool2d(r) -> str:
    values = arguments(r.node)
    dilation = list(_ints(values.get("dilation", 1), 2))
    extra = [f"{dilation}"] + (["ceil_mode=True"] if values.get("ceil_mode") else [])
    return _pool_call(r, "ttnn.max_pool2d", extra)


def _avg_pool2d(r) -> str:
    if _covers_all(r.node):
        return r.call("ttnn.global_avg_pool2d", [r.t("self")])
    values = arguments(r.node)
    extra = [] if values.get("count_include_pad", True) else ["count_include_pad=False"]
    if values.get("divisor_override"):
        extra.append(f"divisor_override={values['divisor_override']}")
    return _pool_call(r, "ttnn.avg_pool2d", extra)


def _adaptive_avg_pool2d(r) -> str:
    values = arguments(r.node)
    x = r.t("self")
    size = list(_ints(values["output_size"], 2))
    if size == [1, 1]:
        return r.call("ttnn.global_avg_pool2d", [x], memory=True)
    parts = [x, f"{x}.shape[0]", f"{x}.shape[1]", f"{x}.shape[2]", f"{x}.shape[3]", f"{size}"]
    dims = f"[{x}.shape[0], {size[0]}, {size[1]}, {x}.shape[3]]"
    return f"ttnn.reshape({_with_memory(r, 'ttnn.adaptive_avg_pool2d', parts)}, {dims})"


def _batch_norm_when(node, _context):
    values = arguments(node)
    if values.get("training"):
        return "training-mode batch norm"
    if len(shape(values["input"])) != 4:
        return "not a 2-D batch norm"
    names = ("weight", "bias", "running_mean", "running_var")
    if not all(_is_parameter(values.get(a)) for a in names):
        return "its statistics and affine parameters are not all parameters"
    return None


def is_eval_batch_norm(node: fx.Node) -> bool:
    """An eval-mode 2-D batch norm whose statistics and affine parameters are all parameters."""
    return _batch_norm_when(node, None) is None


def _batch_norm(r) -> str:
    """Eval-mode batch norm on channels-last values: the per-channel affine y = x * scale + shift.

    Always channels-last, even after an NCHW producer (one permute): every instance of a norm class then takes
    the same prepared tensors, whichever function it sits in (ttnn.batch_norm would need [1, C, 1, 1] statistics
    where the channels-last form needs [1, 1, 1, C] rows)."""
    return r.call("ttnn.add", [r.call("ttnn.multiply", [r.t("input"), r.t("weight")], memory=False), r.t("bias")])


def _upsample_when(node, _context):
    values = arguments(node)
    if len(shape(values["input"])) != 4:
        return "not a 2-D upsample"
    if values.get("align_corners"):
        return "align_corners=True"
    in_h, in_w = shape(values["input"])[2:]
    out_h, out_w = shape(node)[2:]
    if not all(isinstance(d, int) for d in (in_h, in_w, out_h, out_w)) or out_h % in_h or out_w % in_w:
        return "a non-integer scale"
    return None


def _upsample(mode: str):
    def render(r) -> str:
        values = arguments(r.node)
        in_h, in_w = shape(values["input"])[2:]
        out_h, out_w = shape(r.node)[2:]
        scale = [out_h // in_h, out_w // in_w]
        parts = [r.t("input"), str(scale if scale[0] != scale[1] else scale[0])]
        if mode != "nearest":
            parts.append(f'mode="{mode}"')
        return r.call("ttnn.upsample", parts)

    return render


def _prelu_when(node, _context):
    values = arguments(node)
    if not _is_parameter(values["weight"]):
        return "the slope is not a parameter"
    channels_last = len(shape(values["self"])) in (2, 4) or math.prod(shape(values["weight"])) == 1
    return None if channels_last else "the channel dim is neither last nor channels-last"


def _prelu(r) -> str:
    """prelu(x) = relu(x) - slope * relu(-x), the per-channel slope a (1, C) row over channels-last values."""
    x = r.t("self")
    negative = r.call(
        "ttnn.multiply",
        [r.call("ttnn.relu", [r.call("ttnn.neg", [x], memory=False)], memory=False), r.t("weight")],
        memory=False,
    )
    return r.call("ttnn.subtract", [r.call("ttnn.relu", [x], memory=False), negative])


def flattens_pooled(node: fx.Node, source: fx.Node) -> bool:
    """A reshape of [N, C, 1, 1] to [N, C]: the same element order as the channels-last [N, 1, 1, C]."""
    dims = shape(source)
    return len(dims) == 4 and dims[2] == dims[3] == 1 and tuple(shape(node)) == (dims[0], dims[1])


def _flatten_pooled(r) -> str:
    return r.call("ttnn.reshape", [r.t("self"), r.dims()])


def _conv_table() -> dict:
    rule = Rule
    conv = dict(
        forms={"input": NHWC}, weights={"weight": "conv_weight", "bias": "conv_bias"}, when=_conv_when,
        output_form=NHWC,
    )  # fmt: skip
    pool = dict(forms={"self": NHWC}, when=_pool_when, output_form=NHWC)
    upsample = dict(forms={"input": NHWC}, when=_upsample_when, output_form=NHWC)
    return {
        "conv2d": rule("ttnn.conv2d", _conv2d, **conv),
        "convolution": rule("ttnn.conv2d", _conv2d, **conv),
        "conv1d": rule(
            "ttnn.conv1d", _conv1d, weights={"weight": "conv_weight", "bias": "conv_bias"}, when=_conv1d_when
        ),
        "max_pool2d": rule("ttnn.max_pool2d", _max_pool2d, **pool),
        "avg_pool2d": rule("ttnn.avg_pool2d", _avg_pool2d, **pool),
        "adaptive_avg_pool2d": rule("ttnn.global_avg_pool2d", _adaptive_avg_pool2d, **pool),
        "batch_norm": rule(
            "ttnn.multiply",
            _batch_norm,
            forms={"input": NHWC},
            weights={"weight": "bn_scale", "bias": "bn_shift"},
            when=_batch_norm_when,
            output_form=NHWC,
        ),
        "prelu": rule("ttnn.relu", _prelu, weights={"weight": "tile_row"}, when=_prelu_when),
        "upsample_nearest2d": rule("ttnn.upsample", _upsample("nearest"), **upsample),
        "upsample_bilinear2d": rule("ttnn.upsample", _upsample("bilinear"), **upsample),
    }


CHANNELS_LAST_OPS = AGNOSTIC | {"batch_norm"}


def _same_shaped_operands(node: fx.Node) -> bool:
    """Every tensor operand broadcasts the same way channels-last: a 4-D value (each is permuted alike, so [N, C, 1, 1]
    scales [N, C, H, W] as [N, 1, 1, C] scales [N, H, W, C]: a squeeze-excite's gate), a single number, or a
    parameter of the output's shape (parameters are prepared NCHW, so only a same-shaped one reads alike)."""
    out = shape(node)
    if len(out) != 4:
        return False
    operands = [n for n in node.all_input_nodes if n.meta.get("val") is not None and hasattr(n.meta["val"], "shape")]
    if op_kind(node) == "batch_norm":
        operands = operands[:1]  # the statistics are per channel by definition
    return all(_broadcasts_alike(n, out) for n in operands)


def _broadcasts_alike(operand: fx.Node, out: tuple) -> bool:
    dims = tuple(shape(operand))
    if dims == tuple(out) or all(isinstance(d, int) and d == 1 for d in dims):
        return True
    return len(dims) == 4 and not _is_parameter(operand)


def op_kind(node: fx.Node) -> str:
    return node.target.overloadpacket.__name__ if hasattr(node.target, "overloadpacket") else str(node.target)


def stays_channels_last(node: fx.Node, op: str, source_forms: list) -> bool:
    """An element-wise op (or batch norm) on a channels-last operand stays channels-last; a 4-D PReLU always runs
    channels-last (its per-channel slope broadcasts over the last dim)."""
    if op == "prelu":
        return len(shape(node)) == 4
    if op in PADS:
        return source_forms[:1] == [NHWC] and pads_spatially(node)
    return op in CHANNELS_LAST_OPS and NHWC in source_forms and _same_shaped_operands(node)


# A constant pad of a channels-last value's height and width pads dims 1 and 2 of [N, H, W, C] (rules_movement._pad).
PADS = {"constant_pad_nd", "pad"}


def pads_spatially(node: fx.Node) -> bool:
    """A pad of a 4-D value's last two (NCHW) dims only: the channels-last value pads its H and W instead."""
    return len(shape(node)) == 4 and len(arguments(node)["pad"]) <= 4


def read_channels_last(node: fx.Node, form, source, source_form) -> bool:
    """Whether `node` reads `source` channels-last: it is channels-last itself, or flattens a pooled value."""
    if form == NHWC and op_kind(node) in CHANNELS_LAST_OPS | PADS | {"prelu"}:
        return True
    return source is not None and source_form == NHWC and op_kind(node) in FLATTENS and flattens_pooled(node, source)


FLATTENS = {"view", "reshape", "_unsafe_view", "flatten"}


CONV = _conv_table()
