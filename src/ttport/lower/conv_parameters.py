"""Conv parameters in tt/parameters.py: batch norm's channels-last scale and shift, a batch norm folded into its
conv (fusions/conv_batch_norm.py), and every conv2d and conv1d weight and bias prepared on the device once at the
captured input geometry (the CONVS table and prepare_convs), joined into parameters.py by lower/parameters.py."""

from __future__ import annotations

from torch import fx

from .errors import LoweringError
from .graph import arguments, shape


def record_conv(lowering, node: fx.Node, g: dict, weight: str, bias: str | None) -> None:
    """This instance's conv geometry at the captured input, for parameters.py's CONVS (prepare_convs_source);
    `weight`, `bias`: the parameters' paths under the lowered function's module."""
    prefix = f"{lowering.call.path}." if lowering.call.path else ""
    dims = [_hint(d) for d in shape(arguments(node)["input"])]
    batch, height, width = (dims[0], 1, dims[2]) if len(dims) == 3 else (dims[0], dims[2], dims[3])  # conv1d: H 1
    entry = {
        "bias": f"{prefix}{bias}" if bias is not None else None,
        "input_memory_config": "ttnn.L1_MEMORY_CONFIG" if lowering.l1 else "ttnn.DRAM_MEMORY_CONFIG",
        "in_channels": g["in_channels"],
        "out_channels": g["out_channels"],
        "batch_size": batch,
        "input_height": height,
        "input_width": width,
        **{name: g[key] for name, key in CONV_KEYWORDS.items()},
    }
    weight = prefix + weight
    previous = lowering.convs.setdefault(weight, entry)
    if previous != entry:
        raise LoweringError(
            f"{lowering.where()}: conv weight {weight} is read by two convs of different geometry ({previous} and "
            f"{entry}); ttnn.prepare_conv_weights prepares a weight for one conv (copy the weight in the model)"
        )


CONV_KEYWORDS = {"kernel_size": "kernel", "stride": "stride", "padding": "padding", "dilation": "dilation"}
CONV_KEYWORDS["groups"] = "groups"


def _hint(size) -> int:
    """A captured size as an int: a symbolic one (a dynamic batch) by its example value."""
    return size if isinstance(size, int) else int(size.node.hint)


def bn_scale(x: str) -> str:
    return f"({x} / torch.sqrt(model.running_var + model.eps))"


# preparation -> (source template, why); joined into parameters.PREPARATIONS / WHY.
PREPARATIONS = {
    "conv_weight": ("{x}", "torch layout on host: prepare_convs prepares conv2d's on the device"),
    "conv_bias": ("{x}.reshape(1, 1, 1, -1)", "(1, 1, 1, OC) on host: prepare_convs prepares conv2d's on the device"),
    "bn_scale": (
        "ttnn.from_torch(" + bn_scale("{x}") + ".reshape(1, 1, 1, -1), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)",
        "weight / sqrt(running_var + eps), (1, 1, 1, C): batch norm on channels-last values",
    ),
    "bn_shift": (
        "ttnn.from_torch((model.bias - model.running_mean * "
        + bn_scale("model.weight")
        + ").reshape(1, 1, 1, -1), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)",
        "bias - running_mean * scale, (1, 1, 1, C)",
    ),
}


def folded_conv_lines(details: dict) -> list[str]:
    """parameters.py lines folding each batch norm into its conv (fusions/conv_batch_norm.py), both children of
    `model`: ttnn.model_preprocessing.fold_batch_norm2d_into_conv2d, the bias then (1, 1, 1, OC) as for any conv."""
    lines = [f"    # {details['why']}", "    fused = {}"]
    for conv, norm in details["pairs"]:
        key = conv if conv.isdigit() else f'"{conv}"'  # a Sequential's children are int keys, as in _children
        lines += [
            f"    weight, bias = fold_batch_norm2d_into_conv2d({_child('model', conv)}, {_child('model', norm)})",
            f'    fused[{key}] = {{"weight": weight, "bias": bias.reshape(1, 1, 1, -1)}}  # torch layout on host',
        ]
    return lines


def _child(model: str, name: str) -> str:
    return f"{model}[{name}]" if name.isdigit() else f"{model}.{name}"


PREPARE_CONVS = '''

def prepare_convs(parameters, device):
    """Each conv's weight and bias, left on host in torch layout by the preprocessors (folded with its batch norm
    where one follows), prepared once on `device` as ttnn.conv2d multiplies by them, in WEIGHTS_DTYPE."""
    conv_config = ttnn.Conv2dConfig(weights_dtype=WEIGHTS_DTYPE)
    for weight_path, conv in CONVS.items():
        geometry = {key: value for key, value in conv.items() if key != "bias"}
        common = dict(input_layout=ttnn.TILE_LAYOUT, input_dtype=ttnn.bfloat16, device=device, **geometry)
        owner, name = _owner(parameters, weight_path)
        torch_weight = owner[name] if owner[name].dim() == 4 else owner[name].unsqueeze(2)  # Conv1d's as (OC, C, 1, K)
        weight = ttnn.from_torch(torch_weight, dtype=ttnn.float32)
        owner[name] = ttnn.prepare_conv_weights(
            weight_tensor=weight,
            weights_format="OIHW",
            has_bias=conv["bias"] is not None,
            conv_config=conv_config,
            **common,
        )
        if conv["bias"] is not None:
            owner, name = _owner(parameters, conv["bias"])
            bias = ttnn.from_torch(owner[name], dtype=ttnn.float32)
            owner[name] = ttnn.prepare_conv_bias(bias_tensor=bias, conv_config=conv_config, **common)
    return parameters


def _owner(parameters, path):
    """The dict (or list) holding the tensor at dotted `path`, and its key there."""
    *parents, name = path.split(".")
    for part in parents:
        parameters = parameters[int(part) if part.isdigit() else part]
    return parameters, int(name) if name.isdigit() else name
'''


def prepare_convs_source(convs: dict) -> str:
    """parameters.py's CONVS table and prepare_convs: every conv2d and conv1d weight prepared on the device once, at the
    captured input geometry, with ttnn.prepare_conv_weights / prepare_conv_bias (their real signature; conv_prepare.py
    in the emulator). tt-metal's ports prepare once too: ResNet-50 keeps the device weights conv2d returns on its
    first call (models/demos/ttnn_resnet/tt/ttnn_functional_resnet50.py, return_weights_and_bias=True), others call
    prepare_conv_weights up front; per-call host weights would be re-prepared and uploaded on every call."""
    entries = []
    for weight, conv in convs.items():
        fields = [f"{key}={value if key == 'input_memory_config' else repr(value)}" for key, value in conv.items()]
        entries.append(f'    "{weight}": dict({", ".join(fields)}),')
    head = "# each conv's geometry at the captured input: ttnn.prepare_conv_weights lays its weights out for it"
    return "\n".join([head, "CONVS = {", *entries, "}"]) + "\n" + PREPARE_CONVS


# fusion -> lines of parameters.py that make the `fused` parameters of the module holding the fused children.
FUSED_PREPARATIONS = {"conv_batch_norm": folded_conv_lines}
