"""ttnn.model_preprocessing: torch module trees to parameter trees of ttnn (or torch) tensors.

The contract is real ttnn's (DESIGN.md §4; read from tt-metal's ttnn/ttnn/model_preprocessing.py):
- Linear weights are transposed to (in, out), biases and LayerNorm parameters reshaped to (1, N), all TILE bfloat16;
  Embedding tables stay (vocab, hidden) and ROW_MAJOR; other direct parameters become ROW_MAJOR bfloat16 tensors.
- A ModuleList becomes a ParameterList; child names that are digits become int keys.
- A custom_preprocessor(model, name[, ttnn_module_args][, convert_to_ttnn]) that returns something non-empty owns
  that whole subtree.
- With convert_to_ttnn returning False, Linear weights come back as transposed torch tensors and everything else
  as the torch parameters themselves: the parameters functional-torch references take.
"""

from __future__ import annotations

import inspect
import pathlib
import shutil
from collections.abc import Callable

import torch

from .config import CONFIG
from .errors import TTNNError
from .ops._common import refuse_unmodelled
from .ops.conversion import from_torch, to_device
from .serialization import dump_tensor, load_tensor
from .tensor import Tensor
from .types import DataType, Layout


class ParameterList(list):
    """The parameters of a ModuleList, indexable by position."""

    def __contains__(self, index) -> bool:
        return isinstance(index, int) and 0 <= index < len(self)


class ParameterDict(dict):
    """A dict whose keys read as attributes: parameters.encoder.layer[0].attention.self.query.weight."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no parameter {name!r} here; available: {sorted(map(str, self))}") from None

    __delattr__ = dict.__delitem__


def make_parameter_dict(values) -> ParameterDict:
    if isinstance(values, ParameterDict):
        return values
    return ParameterDict(
        {key: make_parameter_dict(v) if type(v) is dict else v for key, v in values.items()}  # noqa: E721
    )


def preprocess_linear_weight(weight, *, dtype, layout=Layout.TILE, weights_mesh_mapper=None):
    """(out, in) torch weight -> (in, out) ttnn tensor, as ttnn.linear takes it."""
    refuse_unmodelled("preprocess_linear_weight", weights_mesh_mapper=weights_mesh_mapper)
    return from_torch(weight.T.contiguous(), dtype=dtype, layout=layout)


def preprocess_linear_bias(bias, *, dtype, layout=Layout.TILE, weights_mesh_mapper=None):
    """(N,) bias -> (1, N) ttnn tensor."""
    refuse_unmodelled("preprocess_linear_bias", weights_mesh_mapper=weights_mesh_mapper)
    return from_torch(bias.reshape((1, -1)), dtype=dtype, layout=layout)


def preprocess_layernorm_parameter(parameter, *, dtype, layout=Layout.TILE):
    """(N,) LayerNorm weight or bias -> (1, N) ttnn tensor."""
    return from_torch(parameter.reshape((1, -1)), dtype=dtype, layout=layout)


def preprocess_embedding_weight(weight, *, dtype):
    """(vocab, hidden) table -> ROW_MAJOR ttnn tensor, not transposed."""
    return from_torch(weight, dtype=dtype)


def fold_batch_norm2d_into_conv2d(conv, bn):
    """Conv2d weight and bias with an eval-mode BatchNorm2d folded in: returns (weight, bias) torch tensors."""
    if not bn.track_running_stats:
        raise RuntimeError("BatchNorm2d must have track_running_stats=True to be folded into Conv2d")
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    weight = conv.weight * scale[:, None, None, None]
    bias = conv.bias if conv.bias is not None else torch.zeros_like(bn.running_mean)
    return weight, (bias - bn.running_mean) * scale + bn.bias


def _default_preprocessor(model) -> dict:
    parameters = {}
    if isinstance(model, torch.nn.Linear):
        parameters["weight"] = preprocess_linear_weight(model.weight, dtype=DataType.BFLOAT16)
        if model.bias is not None:
            parameters["bias"] = preprocess_linear_bias(model.bias, dtype=DataType.BFLOAT16)
    elif isinstance(model, torch.nn.LayerNorm):
        for name in ("weight", "bias"):
            if getattr(model, name, None) is not None:
                parameters[name] = preprocess_layernorm_parameter(getattr(model, name), dtype=DataType.BFLOAT16)
    elif isinstance(model, torch.nn.Embedding):
        parameters["weight"] = preprocess_embedding_weight(model.weight, dtype=DataType.BFLOAT16)
    return parameters


# Direct parameters without a default rule keep their kind: floats become bfloat16, ids unsigned.
_TTNN_DTYPE_OF = {
    torch.float32: DataType.BFLOAT16,
    torch.float64: DataType.BFLOAT16,
    torch.bfloat16: DataType.BFLOAT16,
    torch.int64: DataType.UINT32,
    torch.int32: DataType.INT32,
    torch.int16: DataType.UINT16,
    torch.uint8: DataType.UINT8,
}


def _call_custom(custom_preprocessor, model, name, convert_to_ttnn):
    parameters = list(inspect.signature(custom_preprocessor).parameters)
    if len(parameters) < 2:
        raise RuntimeError("custom_preprocessor must take at least two parameters: model and name")
    extra = {}
    for parameter in parameters[2:]:
        if parameter == "ttnn_module_args":
            extra[parameter] = None
        elif parameter == "convert_to_ttnn":
            extra[parameter] = convert_to_ttnn
        else:
            raise RuntimeError(
                f"custom_preprocessor parameter {parameter!r} is not supported; "
                "only model, name, ttnn_module_args and convert_to_ttnn are passed"
            )
    return custom_preprocessor(model, name, **extra)


def _own_parameters(model) -> list[tuple[str, torch.Tensor]]:
    return [(name, p) for name, p in model.named_parameters(recurse=False)]


def _convert_module(model, name: str, convert_to_ttnn, custom_preprocessor):
    if isinstance(model, torch.nn.ModuleList):
        return ParameterList(
            _convert_module(child, f"{name}.{index}" if name else str(index), convert_to_ttnn, custom_preprocessor)
            for index, child in enumerate(model.children())
        )
    if custom_preprocessor is not None:
        custom = _call_custom(custom_preprocessor, model, name, convert_to_ttnn)
        if custom:
            return make_parameter_dict(custom)
    children = list(model.named_children())
    own = _own_parameters(model)
    if convert_to_ttnn(model, name):
        default = _default_preprocessor(model)
        if default:
            _check_complete(model, name, default, own, children)
            return make_parameter_dict(default)
        parameters = ParameterDict({key: from_torch(p, dtype=_TTNN_DTYPE_OF[p.dtype]) for key, p in own})
    elif isinstance(model, torch.nn.Linear):
        parameters = ParameterDict(weight=model.weight.T.contiguous())
        if model.bias is not None:
            parameters["bias"] = model.bias
    else:
        parameters = ParameterDict(own)
    for child_name, child in children:
        key = int(child_name) if child_name.isdigit() else child_name
        child_parameters = _convert_module(
            child, f"{name}.{child_name}" if name else child_name, convert_to_ttnn, custom_preprocessor
        )
        if child_parameters:
            parameters[key] = child_parameters
    return parameters


def _check_complete(model, name, converted: dict, own, children) -> None:
    expected = {key for key, _ in own} | {key for key, _ in children}
    left = sorted(expected - set(converted))
    if left:
        raise RuntimeError(
            f"preprocess_model_parameters: the default preprocessor converted {sorted(converted)} of "
            f"{name or '<root>'} ({type(model).__name__}) but left {left} unconverted; "
            "write a custom_preprocessor that returns every parameter of this module"
        )


def _move_to_device(value, device):
    if isinstance(value, ParameterList):
        return ParameterList(_move_to_device(v, device) for v in value)
    if isinstance(value, dict):
        return make_parameter_dict({k: _move_to_device(v, device) for k, v in value.items()})
    if isinstance(value, Tensor):
        return to_device(value, device)
    return value


def preprocess_model_parameters(
    *,
    model_name=None,
    version=None,
    initialize_model: Callable | None = None,
    convert_to_ttnn: Callable | None = None,
    custom_preprocessor: Callable | None = None,
    device=None,
    prefix: str = "",
):
    """The parameter tree of `initialize_model()`, converted per the rules above, on `device` if given.

    With model_name and ttnn.CONFIG.enable_model_cache the tree is cached under
    ttnn.CONFIG.model_cache_path / model_name and reused while `version` matches.
    """
    convert_to_ttnn = convert_to_ttnn or (lambda model, name: True)
    cache = pathlib.Path(CONFIG.model_cache_path) / model_name if model_name and CONFIG.enable_model_cache else None
    if cache is not None and _cache_valid(cache, version):
        parameters = _load(cache)
    else:
        if initialize_model is None:
            raise TTNNError(
                "preprocess_model_parameters: initialize_model is required "
                f"({'the model cache has no valid entry for ' + repr(model_name) if cache else 'no cache in use'})"
            )
        model = initialize_model()
        if not isinstance(model, torch.nn.Module):
            raise TTNNError(
                f"preprocess_model_parameters: initialize_model returned {type(model).__name__}, "
                "expected a torch.nn.Module"
            )
        with torch.no_grad():
            parameters = _convert_module(model, prefix, convert_to_ttnn, custom_preprocessor)
        if cache is not None:
            _dump(cache, parameters, version)
    return _move_to_device(parameters, device) if device is not None else parameters


def _cache_valid(cache: pathlib.Path, version) -> bool:
    version_file = cache / "version.txt"
    return version_file.exists() and version_file.read_text() == str(version)


def _dump(cache: pathlib.Path, parameters, version) -> None:
    if cache.exists():
        shutil.rmtree(cache)
    _dump_tree(cache, parameters)
    (cache / "version.txt").write_text(str(version))


def _dump_tree(path: pathlib.Path, value) -> None:
    path.mkdir(parents=True, exist_ok=True)
    items = enumerate(value) if isinstance(value, ParameterList) else value.items()
    if isinstance(value, ParameterList):
        (path / ".list").touch()
    for key, item in items:
        if isinstance(item, (dict, ParameterList)):
            _dump_tree(path / str(key), item)
        elif isinstance(item, Tensor):
            dump_tensor(path / f"{key}.bin", item)
        elif isinstance(item, torch.Tensor):
            torch.save(item.detach(), path / f"{key}.pt")
        else:
            raise TTNNError(f"model cache: cannot store {type(item).__name__} at {path / str(key)}")


def _load(path: pathlib.Path):
    entries = {}
    for entry in sorted(path.iterdir()):
        if entry.name in ("version.txt", ".list"):
            continue
        key = int(entry.stem) if entry.stem.isdigit() else entry.stem
        if entry.is_dir():
            entries[key] = _load(entry)
        elif entry.suffix == ".bin":
            entries[key] = load_tensor(entry)
        elif entry.suffix == ".pt":
            entries[key] = torch.load(entry, weights_only=True)
    if (path / ".list").exists():
        return ParameterList(entries[index] for index in sorted(entries))
    return ParameterDict(entries)
