"""Record the real ttnn package as an oracle for ttport's CPU emulator.

Writes two data files (the version is the installed ttnn's):

* ``src/ttport/validate/data/ttnn_api_<version>.json`` (package data: ``ttport port`` checks ports against it):
  signatures (every overload, parameter kinds, default reprs) of the
  names in ``API_NAMES``, enum members, attribute defaults and repr strings of ttnn objects.
* ``tests/data/ttnn_formats_<version>.npz``: host-side number-format conversions (float32 input -> ttnn.Tensor
  of some dtype and layout -> float32 readback), packed bytes of TILE tensors, shape / padded_shape rules and
  host-side layout / typecast conversions. Its ``index`` entry is a JSON string describing every case.

Run it with the oracle venv's Python (see README.md beside this file)::

    tools/ttnn_oracle/setup_venv.sh && tools/ttnn_oracle/.venv/bin/python tools/ttnn_oracle/record.py

Host-side conversions need ``TT_METAL_MOCK_CLUSTER_DESC_PATH``; this script points it at the N150 cluster
descriptor beside it unless the variable is already set.
"""

from __future__ import annotations

import argparse
import ast
import enum
import importlib
import importlib.metadata
import inspect
import json
import os
import pickle
import platform
import re
import signal
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CLUSTER_DESC = HERE / "n150_cluster_desc.yaml"

ttnn = None  # the real package, imported by load_ttnn() once the environment is set up

# fmt: off
API_NAMES = [
    "Tensor", "Shape",
    "bfloat16", "float32", "bfloat8_b", "bfloat4_b", "uint32", "int32", "uint16", "uint8",
    "ROW_MAJOR_LAYOUT", "TILE_LAYOUT",
    "MemoryConfig", "BufferType", "TensorMemoryLayout", "ShardSpec", "ShardStrategy", "ShardOrientation",
    "CoreGrid", "CoreCoord", "CoreRange", "CoreRangeSet",
    "DRAM_MEMORY_CONFIG", "L1_MEMORY_CONFIG", "L1_HEIGHT_SHARDED_MEMORY_CONFIG", "L1_WIDTH_SHARDED_MEMORY_CONFIG",
    "L1_BLOCK_SHARDED_MEMORY_CONFIG", "create_sharded_memory_config",
    "interleaved_to_sharded", "sharded_to_interleaved",
    "MatmulMultiCoreReuseProgramConfig", "MatmulMultiCoreReuseMultiCastProgramConfig",
    "MatmulMultiCoreReuseMultiCast1DProgramConfig", "LayerNormDefaultProgramConfig",
    "LayerNormShardedMultiCoreProgramConfig", "SoftmaxDefaultProgramConfig", "SoftmaxShardedMultiCoreProgramConfig",
    "SDPAProgramConfig",
    "WormholeComputeKernelConfig", "MathFidelity", "UnaryOpType", "UnaryWithParam",
    "open_device", "close_device", "manage_device", "deallocate", "reallocate",
    "from_torch", "to_torch", "to_device", "from_device", "to_layout", "to_memory_config", "typecast", "clone",
    "add", "subtract", "multiply", "divide", "matmul", "linear", "softmax", "layer_norm", "rms_norm",
    "gelu", "relu", "silu", "sigmoid", "tanh", "exp", "sqrt", "rsqrt", "reciprocal", "neg", "pow",
    "mean", "sum", "max", "reshape", "permute", "transpose", "concat", "split", "pad", "slice", "embedding",
    "where", "clamp", "ones", "zeros", "full", "arange", "ones_like", "zeros_like", "full_like",
    "transformer.split_query_key_value_and_split_heads", "transformer.concatenate_heads",
    "transformer.attention_softmax", "transformer.attention_softmax_", "transformer.scaled_dot_product_attention",
    "model_preprocessing.preprocess_model_parameters", "model_preprocessing.ParameterDict",
    "model_preprocessing.ParameterList", "model_preprocessing.preprocess_linear_weight",
    "model_preprocessing.preprocess_linear_bias", "model_preprocessing.preprocess_layernorm_parameter",
    "model_preprocessing.preprocess_embedding_weight", "model_preprocessing.fold_batch_norm2d_into_conv2d",
    "CONFIG",
    # names tt-metal's op tests and model ports use (issue 12)
    "mul", "div", "squeeze", "unsqueeze", "unsqueeze_to_4D", "fill_implicit_tile_padding", "Tile",
    "get_golden_function", "get_fallback_function", "is_tensor_storage_on_device", "pearson_correlation_coefficient",
    "as_tensor", "dump_tensor", "load_tensor", "synchronize_device", "init_device_compute_kernel_config",
    "Device", "MeshDevice", "MeshShape", "open_mesh_device", "close_mesh_device",
    "ReplicateTensorToMesh", "ShardTensorToMesh", "ConcatMeshToTensor", "TensorToMesh", "MeshToTensor",
    "DispatchCoreConfig", "SubDevice", "SubDeviceId",
    "device.is_wormhole_b0", "device.is_blackhole", "device.Arch", "get_arch_name",
    "experimental.nlp_create_qkv_heads", "experimental.nlp_concat_heads", "experimental.rotary_embedding",
    "conv2d", "conv1d", "conv_transpose2d", "Conv2dConfig", "Conv1dConfig", "prepare_conv_weights", "prepare_conv_bias",
    "max_pool2d", "avg_pool2d", "global_avg_pool2d", "adaptive_avg_pool2d", "upsample", "group_norm", "batch_norm",
    "fold",
    # forward ops of tt-metal's op tests and model ports, recorded ahead of their emulation (issue 13 / generality)
    "abs", "log", "log2", "log10", "log1p", "exp2", "expm1", "erf", "erfc", "erfinv", "sin", "cos", "tan", "asin",
    "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "square", "sign", "floor", "ceil", "trunc", "round",
    "frac", "isnan", "isinf", "isfinite", "logical_not", "bitwise_not", "relu6", "leaky_relu", "elu", "selu", "celu",
    "hardswish", "hardsigmoid", "hardtanh", "hardshrink", "softshrink", "mish", "softplus", "softsign", "swish",
    "log_sigmoid", "tanhshrink", "threshold", "prelu", "glu", "reglu", "geglu", "swiglu", "sigmoid_accurate",
    "clip", "rsub", "rdiv", "rpow", "maximum", "minimum", "eq", "ne", "gt", "ge", "lt", "le", "logical_and",
    "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor", "squared_difference", "remainder",
    "fmod", "atan2", "hypot", "logaddexp", "logaddexp2", "xlogy", "addcmul", "addcdiv", "lerp", "mac", "add_",
    "subtract_", "multiply_", "divide_", "sub", "div_no_nan", "floor_div", "bias_gelu", "polyval", "isclose",
    "eqz", "nez", "gtz", "gez", "ltz", "lez", "heaviside", "logit", "cbrt", "rad2deg", "deg2rad", "identity",
    "min", "argmax", "prod", "var", "std", "cumsum", "cumprod", "topk", "sort", "gather", "scatter", "repeat",
    "repeat_interleave", "expand", "stack", "chunk", "view", "roll", "tril", "triu", "tilize", "untilize",
    "tilize_with_val_padding", "tilize_with_zero_padding", "untilize_with_unpadding", "copy", "assign", "fill",
    "empty", "empty_like", "rand", "nonzero", "narrow", "index_fill", "outer", "moe", "sampling", "to_dtype",
    "adaptive_max_pool2d", "create_group_norm_input_mask", "create_group_norm_weight_bias_rm",
    "determine_expected_group_norm_sharded_config_and_grid_size", "get_group_norm_cores_across_channel",
    "scale_mask_softmax", "scale_mask_softmax_in_place", "softmax_in_place", "get_conv_output_dim",
    # element-wise ops tt-metal's eltwise tests call beyond the first list (test_math, test_activation)
    "i0", "i1", "lgamma", "digamma", "multigammaln", "polygamma", "xielu", "isneginf", "isposinf", "signbit",
    "hardmish", "relu_max", "relu_min", "softcap", "ldexp", "nextafter", "addalpha", "subalpha",
    "logical_and_", "logical_or_", "logical_xor_", "logical_not_", "eq_", "ne_", "gt_", "ge_", "lt_", "le_",
]

ENUM_NAMES = [
    "DataType", "Layout", "BufferType", "TensorMemoryLayout", "ShardStrategy", "ShardOrientation",
    "MathFidelity", "UnaryOpType", "StorageType", "Arch", "DispatchCoreAxis", "DispatchCoreType", "DumpTensorMode",
]

# Dunder members worth recording on classes (when the class defines them rather than inheriting object's).
DUNDERS = [
    "__getitem__", "__setitem__", "__len__", "__iter__", "__contains__", "__eq__", "__ne__", "__lt__", "__hash__",
    "__repr__", "__str__", "__bool__", "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
    "__matmul__", "__truediv__", "__rtruediv__", "__pow__", "__neg__", "__getattr__", "__delattr__",
    "__enter__", "__exit__",
]

# fmt: on

NO_DEFAULT = None  # "default": null in the JSON means the parameter has no default


# ----------------------------------------------------------------------------------------------------------------
# Environment


def load_ttnn():
    """Point ttnn at the mock N150 cluster, quieten its logging, import it and return it."""
    global ttnn
    os.environ.setdefault("TT_METAL_MOCK_CLUSTER_DESC_PATH", str(CLUSTER_DESC))
    os.environ.setdefault("TT_LOGGER_LEVEL", "error")
    try:
        from loguru import logger

        logger.remove()
        logger.add(sys.stderr, level="WARNING")
    except ImportError:
        pass
    ttnn = importlib.import_module("ttnn")
    return ttnn


def ttnn_version():
    return importlib.metadata.version("ttnn")


def environment_facts():
    mock = os.environ.get("TT_METAL_MOCK_CLUSTER_DESC_PATH", "")
    try:
        mock = str(Path(mock).resolve().relative_to(REPO))
    except ValueError:
        pass
    return {
        "ttnn_version": ttnn_version(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mock_cluster_desc": mock,
        "recorded_by": "tools/ttnn_oracle/record.py",
    }


# ----------------------------------------------------------------------------------------------------------------
# Small helpers


def clean_repr(obj):
    """repr() without memory addresses, so the file does not change from run to run."""
    return re.sub(r" at 0x[0-9a-fA-F]+", "", repr(obj))


def clean_error(exc):
    """The useful part of an exception message: TT_FATAL texts carry a long C++ backtrace after 'backtrace:'."""
    text = str(exc)
    if ttnn is not None:
        text = text.replace(str(Path(ttnn.__file__).parent), "<ttnn>")
    for marker in ("\nbacktrace:", "\n 1. ", "\n --- "):
        text = text.split(marker)[0]
    return text.strip()


def error_record(exc):
    text = clean_error(exc)
    info = text.split("info:\n", 1)[1].strip() if "info:\n" in text else text.splitlines()[0] if text else ""
    return {"error_type": type(exc).__name__, "error": text, "error_info": info}


def resolve(name, root):
    obj = root
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def guarded(func, timeout=120):
    """Run func() in a forked child and return its value.

    Some ttnn calls crash the whole process instead of raising (e.g. ttnn.clone of a host tensor segfaults), so
    every call that touches tensors runs here: a crash or a hang becomes an error record, not a dead recorder.
    A Python exception raised by func becomes an error record too.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    read_fd, write_fd = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # "multi-threaded, fork() may deadlock": hence alarm
        pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        if not os.environ.get("TTNN_ORACLE_VERBOSE"):  # ttnn logs every refusal as "critical"
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
        signal.alarm(timeout)
        try:
            payload = pickle.dumps(("value", func()))
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
            payload = pickle.dumps(("error", {"ok": False, **error_record(exc)}))
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if data:
        return pickle.loads(data)[1]
    how = signal.Signals(os.WTERMSIG(status)).name if os.WIFSIGNALED(status) else f"exit {os.WEXITSTATUS(status)}"
    return {
        "ok": False,
        "crashed": how,
        "error_type": "crash",
        "error": f"the process died: {how}",
        "error_info": f"the process died: {how}",
    }


def scan_top_level(text, separator):
    """Positions of `separator` in `text` outside brackets and quotes."""
    positions, depth, quote, i = [], 0, None, 0
    while i < len(text):
        ch = text[i]
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and text.startswith(separator, i):
            positions.append(i)
            i += len(separator)
            continue
        i += 1
    return positions


def split_top_level(text, separator=","):
    parts, start = [], 0
    for pos in scan_top_level(text, separator):
        parts.append(text[start:pos])
        start = pos + len(separator)
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def matching_paren(text, open_index):
    """Index of the ')' closing the '(' at open_index (quotes and brackets respected)."""
    depth, quote = 0, None
    for i in range(open_index, len(text)):
        ch = text[i]
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError(f"unbalanced signature: {text}")


# ----------------------------------------------------------------------------------------------------------------
# Signatures


def parse_nb_param(token, default_reprs):
    """One parameter of a nanobind signature text: 'name: annotation = \\N'."""
    if token.startswith("**"):
        return {"name": token[2:].split(":")[0].strip(), "kind": "VAR_KEYWORD", "annotation": None, "default": None}
    if token.startswith("*"):
        return {"name": token[1:].split(":")[0].strip(), "kind": "VAR_POSITIONAL", "annotation": None, "default": None}
    default = NO_DEFAULT
    eq = scan_top_level(token, " = ")
    if eq:
        token, default_text = token[: eq[-1]], token[eq[-1] + 3 :].strip()
        match = re.fullmatch(r"\\(\d+)", default_text)
        default = default_reprs[int(match.group(1))] if match else default_text
    name, _, annotation = token.partition(":")
    return {"name": name.strip(), "kind": None, "annotation": annotation.strip() or None, "default": default}


def assign_kinds(tokens, default_reprs):
    """Turn the parameter tokens of one signature into parameter records with inspect-style kind names."""
    params, kind = [], "POSITIONAL_OR_KEYWORD"
    for token in tokens:
        if token in ("*", "\\*"):  # hand-written nanobind signatures escape the star for reST
            kind = "KEYWORD_ONLY"
            continue
        if token == "/":
            for param in params:
                param["kind"] = "POSITIONAL_ONLY"
            continue
        param = parse_nb_param(token, default_reprs)
        if param["kind"] == "VAR_POSITIONAL":
            kind = "KEYWORD_ONLY"
        elif param["kind"] is None:
            param["kind"] = kind
        params.append(param)
    return params


def parse_nb_signature(entry, drop_self):
    """A nanobind __nb_signature__ entry (text, doc, defaults) -> structured signature."""
    text, _doc, defaults = entry
    default_reprs = [clean_repr(d) for d in defaults] if defaults else []
    open_index = text.index("(")
    close_index = matching_paren(text, open_index)
    name = text[len("def ") : open_index].strip()
    params = assign_kinds(split_top_level(text[open_index + 1 : close_index]), default_reprs)
    if drop_self and params and params[0]["name"] == "self":
        params = params[1:]
    returns = text[close_index + 1 :].strip()
    returns = returns[2:].strip() if returns.startswith("->") else None
    readable = re.sub(r"\\(\d+)", lambda m: default_reprs[int(m.group(1))], text)
    return {"source": "nanobind", "name": name, "text": readable, "parameters": params, "returns": returns}


def python_signature(func, drop_self=False):
    sig = inspect.signature(func)
    params = []
    for param in sig.parameters.values():
        params.append(
            {
                "name": param.name,
                "kind": param.kind.name,
                "annotation": None if param.annotation is param.empty else inspect.formatannotation(param.annotation),
                "default": NO_DEFAULT if param.default is param.empty else clean_repr(param.default),
            }
        )
    if drop_self and params and params[0]["name"] == "self":
        params = params[1:]
    returns = None if sig.return_annotation is sig.empty else inspect.formatannotation(sig.return_annotation)
    name = getattr(func, "__name__", "")
    return {"source": "inspect", "name": name, "text": f"{name}{sig}", "parameters": params, "returns": returns}


def nb_signature_entries(obj):
    """The raw nanobind signature entries of a callable, or None when it is not a nanobind callable."""
    entries = getattr(obj, "__nb_signature__", None)
    if entries is not None:
        return entries, False
    call = inspect.getattr_static(type(obj), "__call__", None)
    entries = getattr(call, "__nb_signature__", None)
    if entries is not None:
        return entries, True  # an operation object: its __call__'s self is the operation, not an argument
    return None, False


def signatures_of(func, drop_self=False):
    """Every overload of a callable (nanobind or Python) as structured signatures."""
    entries, is_call = nb_signature_entries(func)
    if entries is not None:
        return [parse_nb_signature(entry, drop_self or is_call) for entry in entries]
    try:
        return [python_signature(func, drop_self)]
    except (TypeError, ValueError) as exc:
        return [{"source": "unavailable", "error": clean_error(exc)}]


# ----------------------------------------------------------------------------------------------------------------
# Describing objects


def describe_member(cls, name):
    raw = inspect.getattr_static(cls, name)
    if isinstance(raw, property):
        record = {"kind": "property", "settable": raw.fset is not None}
        if raw.fget is not None:
            record["signatures"] = signatures_of(raw.fget)
        return record
    if isinstance(raw, (staticmethod, classmethod)):
        kind = type(raw).__name__
        return {"kind": kind, "signatures": signatures_of(getattr(cls, name))}
    value = getattr(cls, name)
    if type(raw).__name__ == "nb_func":  # nanobind static methods live in the class dict as plain nb_func
        return {"kind": "staticmethod", "signatures": signatures_of(value)}
    if isinstance(value, type) or not callable(value):
        return {"kind": "attribute", "type": type(value).__name__, "repr": clean_repr(value)}
    return {"kind": "method", "signatures": signatures_of(value)}


def class_member_names(cls):
    names = [n for n in dir(cls) if not n.startswith("_")]
    for name in DUNDERS:
        own = getattr(cls, name, None)
        if own is not None and own is not getattr(object, name, None) and name not in names:
            names.append(name)
    return names


def describe_class(cls):
    record = {
        "kind": "class",
        "python_type": f"{cls.__module__}.{cls.__qualname__}",
        "bases": [f"{b.__module__}.{b.__qualname__}" for b in cls.__bases__],
        "nanobind": type(cls).__name__ == "nb_type",
        "init": signatures_of(cls.__init__, drop_self=False),
        "members": {},
    }
    for name in class_member_names(cls):
        try:
            record["members"][name] = describe_member(cls, name)
        except Exception as exc:  # noqa: BLE001 - record whatever the member does
            record["members"][name] = {"kind": "unreadable", **error_record(exc)}
    return record


def describe_enum(cls):
    return {
        "kind": "enum",
        "python_type": f"{cls.__module__}.{cls.__qualname__}",
        "members": [{"name": m.name, "value": int(m.value)} for m in cls],
    }


def describe_operation(op):
    return {
        "kind": "operation",
        "python_type": f"{type(op).__module__}.{type(op).__qualname__}",
        "python_fully_qualified_name": op.python_fully_qualified_name,
        "is_cpp_operation": bool(getattr(op, "is_cpp_operation", False)),
        "function_type": type(op.function).__name__,
        "signatures": signatures_of(op.function),
    }


def describe_value(obj):
    record = {
        "kind": "value",
        "python_type": f"{type(obj).__module__}.{type(obj).__qualname__}",
        "repr": clean_repr(obj),
        "str": re.sub(r" at 0x[0-9a-fA-F]+", "", str(obj)),
    }
    if isinstance(obj, enum.Enum):
        record.update(kind="enum_member", enum=type(obj).__name__, name=obj.name, value=int(obj.value))
    return record


def describe(obj):
    if type(obj).__name__ == "FastOperation" or hasattr(obj, "python_fully_qualified_name"):
        return describe_operation(obj)
    if isinstance(obj, type) and issubclass(obj, enum.Enum):
        return describe_enum(obj)
    if isinstance(obj, type):
        return describe_class(obj)
    if callable(obj):
        return {"kind": "function", "python_type": type(obj).__name__, "signatures": signatures_of(obj)}
    return describe_value(obj)


# ----------------------------------------------------------------------------------------------------------------
# ttnn.model_preprocessing needs torch at import time; the oracle venv has none, so read its source instead.


def ast_default(node):
    """repr of a default expression evaluated against the real ttnn, or its source text if that fails."""
    source = ast.unparse(node)
    try:
        return clean_repr(eval(compile(ast.Expression(node), "<default>", "eval"), {"ttnn": ttnn}))  # noqa: S307
    except Exception:  # noqa: BLE001 - e.g. names that need torch
        return source


def ast_signature(func):
    args = func.args
    positional = args.posonlyargs + args.args
    defaults = [NO_DEFAULT] * (len(positional) - len(args.defaults)) + [ast_default(d) for d in args.defaults]
    params = []
    for i, arg in enumerate(positional):
        kind = "POSITIONAL_ONLY" if i < len(args.posonlyargs) else "POSITIONAL_OR_KEYWORD"
        params.append(
            {
                "name": arg.arg,
                "kind": kind,
                "default": defaults[i],
                "annotation": ast.unparse(arg.annotation) if arg.annotation else None,
            }
        )
    if args.vararg:
        params.append({"name": args.vararg.arg, "kind": "VAR_POSITIONAL", "default": NO_DEFAULT, "annotation": None})
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        params.append(
            {
                "name": arg.arg,
                "kind": "KEYWORD_ONLY",
                "default": NO_DEFAULT if default is None else ast_default(default),
                "annotation": ast.unparse(arg.annotation) if arg.annotation else None,
            }
        )
    if args.kwarg:
        params.append({"name": args.kwarg.arg, "kind": "VAR_KEYWORD", "default": NO_DEFAULT, "annotation": None})
    returns = ast.unparse(func.returns) if func.returns else None
    text = f"def {func.name}({ast.unparse(func.args)})" + (f" -> {returns}" if returns else "")
    return {"source": "ast", "name": func.name, "text": text, "parameters": params, "returns": returns}


def ast_describe(node):
    if isinstance(node, ast.FunctionDef):
        return {"kind": "function", "python_type": "function", "signatures": [ast_signature(node)]}
    record = {
        "kind": "class",
        "python_type": f"ttnn.model_preprocessing.{node.name}",
        "bases": [ast.unparse(b) for b in node.bases],
        "members": {},
        "class_attributes": {},
    }
    for item in node.body:
        if isinstance(item, ast.FunctionDef):
            record["members"][item.name] = {"kind": "method", "signatures": [ast_signature(item)]}
        elif isinstance(item, ast.Assign):
            for target in item.targets:
                record["class_attributes"][ast.unparse(target)] = ast.unparse(item.value)
    return record


def model_preprocessing_source_records():
    """Names defined at the top level of ttnn/model_preprocessing.py, described from the source."""
    path = Path(ttnn.__file__).with_name("model_preprocessing.py")
    tree = ast.parse(path.read_text())
    return {node.name: ast_describe(node) for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


def describe_model_preprocessing(short_name, cache):
    """Describe ttnn.model_preprocessing.<short_name>: imported when torch is there, else from source."""
    if "module" not in cache:
        try:
            cache["module"] = importlib.import_module("ttnn.model_preprocessing")
        except ImportError as exc:
            cache["module"] = None
            cache["import_error"] = clean_error(exc)
            cache["source"] = model_preprocessing_source_records()
    if cache["module"] is not None:
        return describe(getattr(cache["module"], short_name))
    if short_name not in cache["source"]:
        raise AttributeError(short_name)
    return {**cache["source"][short_name], "recorded_from": "source (import failed: " + cache["import_error"] + ")"}


# ----------------------------------------------------------------------------------------------------------------
# API file


DOC_LIMIT = 2000  # characters of each name's docstring kept (defaults of hand-written signatures live there)


def docstring(obj):
    doc = obj.__doc__ if hasattr(obj, "python_fully_qualified_name") else inspect.getdoc(obj)
    if not doc or isinstance(obj, enum.Enum) or not callable(obj):
        return None
    doc = inspect.cleandoc(doc)
    return doc if len(doc) <= DOC_LIMIT else doc[:DOC_LIMIT] + " [...]"


def record_names():
    names, missing, mp_cache = {}, [], {}
    for name in API_NAMES:
        try:
            if name.startswith("model_preprocessing."):
                names[name] = describe_model_preprocessing(name.split(".", 1)[1], mp_cache)
            else:
                obj = resolve(name, ttnn)
                names[name] = {**describe(obj), "doc": docstring(obj)}
        except AttributeError:
            missing.append(name)
    return names, missing


def attributes_of(obj, names):
    out = {}
    for name in names:
        try:
            value = getattr(obj, name)
            value = value() if callable(value) and not isinstance(value, type) else value
            out[name] = clean_repr(value)
        except Exception as exc:  # noqa: BLE001 - record what happened
            out[name] = error_record(exc)
    return out


def record_attributes():
    config = ttnn.WormholeComputeKernelConfig()
    kernel_fields = [n for n in dir(config) if not n.startswith("_")]
    memory_fields = ["memory_layout", "buffer_type", "shard_spec", "nd_shard_spec", "is_sharded"]
    memory_configs = [
        "DRAM_MEMORY_CONFIG",
        "L1_MEMORY_CONFIG",
        "L1_HEIGHT_SHARDED_MEMORY_CONFIG",
        "L1_WIDTH_SHARDED_MEMORY_CONFIG",
        "L1_BLOCK_SHARDED_MEMORY_CONFIG",
    ]
    config_fields = [n for n in dir(ttnn.CONFIG) if not n.startswith("_") and not callable(getattr(ttnn.CONFIG, n))]
    return {
        "WormholeComputeKernelConfig()": attributes_of(config, kernel_fields),
        **{name: attributes_of(getattr(ttnn, name), memory_fields) for name in memory_configs},
        "CONFIG": attributes_of(ttnn.CONFIG, config_fields),
    }


# (setup statements, expression): each expression's value (repr, str, type) or the error it raises.
HOST_T = "t = ttnn.Tensor(np.arange(6, dtype=np.float32).reshape(2, 3), ttnn.bfloat16)"
PROBES = [
    ("", "ttnn.Shape([1, 2, 3])"),
    ("", "ttnn.Shape([])"),
    ("", "ttnn.Shape([1, 2, 3]) == [1, 2, 3]"),
    ("", "ttnn.Shape([1, 2, 3]) == (1, 2, 3)"),
    ("", "ttnn.Shape([1, 2, 3]) == ttnn.Shape([1, 2, 3])"),
    ("", "ttnn.Shape([1, 2, 3])[-1]"),
    ("", "ttnn.Shape([1, 2, 3])[0:2]"),
    ("", "ttnn.Shape([1, 2, 3]).rank"),
    ("", "len(ttnn.Shape([1, 2, 3]))"),
    ("", "list(ttnn.Shape([1, 2, 3]))"),
    ("", "tuple(ttnn.Shape([1, 2, 3]))"),
    ("", "ttnn.Shape([1, 2, 3])[3]"),
    ("", "ttnn.bfloat16"),
    ("", "ttnn.bfloat8_b"),
    ("", "ttnn.TILE_LAYOUT"),
    ("", "ttnn.ROW_MAJOR_LAYOUT"),
    ("", "ttnn.DataType.BFLOAT16 is ttnn.bfloat16"),
    ("", "ttnn.DRAM_MEMORY_CONFIG"),
    ("", "ttnn.L1_MEMORY_CONFIG"),
    ("", "ttnn.L1_WIDTH_SHARDED_MEMORY_CONFIG"),
    ("", "ttnn.DRAM_MEMORY_CONFIG == ttnn.MemoryConfig()"),
    ("", "ttnn.MemoryConfig(ttnn.TensorMemoryLayout.INTERLEAVED, ttnn.BufferType.L1) == ttnn.L1_MEMORY_CONFIG"),
    ("", "ttnn.BufferType.DRAM"),
    ("", "ttnn.TensorMemoryLayout.HEIGHT_SHARDED"),
    ("", "ttnn.MathFidelity.HiFi4"),
    ("", "ttnn.CoreGrid(x=8, y=8)"),
    ("", "ttnn.CoreGrid(x=8, y=8).num_cores"),
    ("", "ttnn.CoreCoord(1, 2)"),
    ("", "ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(7, 7))"),
    ("", "ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(7, 7))})"),
    ("", "ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(7, 7))}).num_cores()"),
    (
        "g = ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(1, 0))})",
        "ttnn.ShardSpec(g, [32, 64], ttnn.ShardOrientation.ROW_MAJOR)",
    ),
    ("", "ttnn.create_sharded_memory_config((1, 1, 64, 64), ttnn.CoreGrid(x=2, y=1), ttnn.ShardStrategy.WIDTH)"),
    ("", "ttnn.create_sharded_memory_config((1, 1, 64, 64), ttnn.CoreGrid(x=1, y=2), ttnn.ShardStrategy.HEIGHT)"),
    ("", "ttnn.WormholeComputeKernelConfig()"),
    ("", "ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi2, fp32_dest_acc_en=True)"),
    ("", "ttnn.UnaryWithParam(ttnn.UnaryOpType.RELU)"),
    ("", "ttnn.CONFIG"),
    ("", "ttnn.open_device(device_id=0)"),
    (HOST_T, "t"),
    (
        "t = ttnn.Tensor(tensor=np.arange(6, dtype=np.float32).reshape(2, 3), data_type=ttnn.bfloat16, "
        "layout=ttnn.TILE_LAYOUT)",
        "t",
    ),
    ("t = ttnn.Tensor(np.arange(6, dtype=np.float32).reshape(1, 2, 3) / 3, ttnn.float32)", "t"),
    (
        "t = ttnn.Tensor(tensor=np.arange(6, dtype=np.float32).reshape(2, 3), data_type=ttnn.bfloat8_b, "
        "layout=ttnn.TILE_LAYOUT)",
        "t",
    ),
    ("t = ttnn.Tensor(np.arange(2 * 3 * 40 * 40, dtype=np.float32).reshape(2, 3, 40, 40), ttnn.bfloat16)", "t"),
    ("t = ttnn.Tensor(np.arange(6, dtype=np.int32).reshape(2, 3), ttnn.uint32)", "t"),
    (HOST_T, "t.shape"),
    (HOST_T, "t.dtype"),
    (HOST_T, "t.layout"),
    (HOST_T, "t.storage_type()"),
    (HOST_T, "t.device()"),
    (HOST_T, "t.memory_config()"),
    (HOST_T, "t.is_allocated()"),
    (HOST_T, "t.is_sharded()"),
    (HOST_T, "t.tile"),
    (HOST_T, "t.spec"),
    (HOST_T, "ttnn.is_tensor_storage_on_device(t)"),
    (
        "t = ttnn.Tensor(np.arange(6, dtype=np.float32).reshape(2, 3), ttnn.bfloat16)\nttnn.deallocate(t)",
        "t.is_allocated()",
    ),
    ("t = ttnn.Tensor(np.arange(6, dtype=np.float32).reshape(2, 3), ttnn.bfloat16)\nttnn.deallocate(t)", "t"),
    (HOST_T, "t.to_list()"),
    (HOST_T, "t.to_numpy()"),
    ("t = ttnn.Tensor(np.arange(6, dtype=np.float32).reshape(2, 3), ttnn.float32)", "t.to_numpy()"),
    ("t = ttnn.Tensor(np.array([[2.5]], dtype=np.float32), ttnn.bfloat16)", "t.item()"),
    (HOST_T, "t.reshape([3, 2])"),
    (HOST_T, "ttnn.reshape(t, (3, 2))"),
    (HOST_T, "t.pad_to_tile(0.0)"),
    (HOST_T, "t.cpu()"),
    (HOST_T, "ttnn.from_device(t)"),
    (HOST_T, "ttnn.clone(t)"),
    (HOST_T, "ttnn.add(t, t)"),
    (HOST_T, "t + t"),
    (HOST_T, "ttnn.from_torch(t)"),
    (
        "",
        "ttnn.Tensor(tensor=np.ones((1, 1, 7, 50), dtype=np.float32), layout=ttnn.TILE_LAYOUT, "
        "data_type=ttnn.bfloat16)",
    ),
    (
        "",
        "ttnn.Tensor(tensor=np.ones((1, 1, 7, 50), dtype=np.float32), layout=ttnn.TILE_LAYOUT, "
        "data_type=ttnn.bfloat16).padded_shape",
    ),
    ("", "ttnn.Tensor(np.zeros((2, 3), dtype=np.int32))"),
    ("", "ttnn.Tensor(np.zeros((2, 3), dtype=np.float64), ttnn.bfloat16)"),
    ("", "ttnn.Tensor(np.zeros((2, 3), dtype=np.float32))"),
    ("", "ttnn.Tensor(np.zeros((2, 3), dtype=np.int64))"),
    ("", "ttnn.Tile((32, 32))"),
    ("", "ttnn.Tile((16, 32)).tile_shape"),
    (HOST_T, "ttnn.Tensor(np.zeros((2, 3), dtype=np.float32), ttnn.bfloat16, ttnn.TILE_LAYOUT).tile"),
    ("", "ttnn.MeshShape(1, 1)"),
    ("", "ttnn.DispatchCoreConfig()"),
    ("", "ttnn.device.Arch.WORMHOLE_B0"),
    ("", "ttnn.init_device_compute_kernel_config(ttnn.device.Arch.WORMHOLE_B0)"),
    ("", "ttnn.init_device_compute_kernel_config(ttnn.device.Arch.WORMHOLE_B0, math_fidelity=ttnn.MathFidelity.HiFi4)"),
    ("", "ttnn.get_golden_function(ttnn.add)"),
    ("", "ttnn.from_torch"),
    ("", "ttnn.from_torch(np.zeros((2, 3), dtype=np.float32), dtype='bfloat16')"),
]


def run_probe(setup, expression):
    namespace = {"ttnn": ttnn, "np": np}
    record = {"setup": setup, "expression": expression}
    try:
        exec(setup, namespace)  # noqa: S102 - fixed probe text above
        value = eval(expression, namespace)  # noqa: S307 - fixed probe text above
    except Exception as exc:  # noqa: BLE001 - the error is the observation
        record.update(error_record(exc))
        return record
    record["type"] = f"{type(value).__module__}.{type(value).__qualname__}"
    for label, func in (("repr", repr), ("str", str)):
        try:
            record[label] = re.sub(r" at 0x[0-9a-fA-F]+", "", func(value))
        except Exception as exc:  # noqa: BLE001 - some objects cannot print
            record[label + "_error"] = clean_error(exc)
    return record


def public_names(module):
    return sorted(name for name in dir(module) if not name.startswith("_"))


def is_ttnn_module(module):
    """Part of ttnn (its own Python or nanobind modules), not a module ttnn merely imports (os, json, ...)."""
    package_dir = str(Path(ttnn.__file__).parent)
    return module.__name__.startswith("ttnn") or str(getattr(module, "__file__", "") or "").startswith(package_dir)


def all_module_names():
    """Every public name of ttnn and of its public submodules (one level, plus ttnn.operations.*), by module path.

    The emulator reads this to tell a real-but-unemulated name ("ttnn.conv2d") from one that is not ttnn at all.
    ttnn.model_preprocessing needs torch to import, so its names come from its source.
    """
    modules = {"ttnn": ttnn}
    for parent in ("ttnn", "ttnn.operations"):  # keyed by attribute path: some are nanobind modules (ttnn._ttnn.*)
        for name in public_names(resolve(parent.partition(".")[2], ttnn) if "." in parent else ttnn):
            value = getattr(modules.get(parent, ttnn.operations), name)
            if isinstance(value, type(ttnn)) and value is not ttnn and is_ttnn_module(value):
                modules[f"{parent}.{name}"] = value
    names = {path: public_names(module) for path, module in sorted(modules.items())}
    source = ast.parse(Path(ttnn.__file__).with_name("model_preprocessing.py").read_text())
    top_level = set()
    for node in source.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            top_level.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            top_level.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Assign):
            top_level.update(t.id for t in node.targets if isinstance(t, ast.Name))
    names["ttnn.model_preprocessing"] = sorted(n for n in top_level if not n.startswith("_"))
    names["ttnn"] = sorted(set(names["ttnn"]) | {"model_preprocessing"})
    return names


def record_api(path):
    names, missing = record_names()
    data = {
        **environment_facts(),
        "parameter_kinds": "inspect.Parameter kind names; 'default': null = no default, else repr of the default",
        "names": names,
        "missing": missing,
        "enums": {name: describe_enum(getattr(ttnn, name)) for name in ENUM_NAMES if hasattr(ttnn, name)},
        "missing_enums": [name for name in ENUM_NAMES if not hasattr(ttnn, name)],
        "attributes": record_attributes(),
        "module_names": all_module_names(),
        "probes": [
            {"setup": setup, "expression": expression, **guarded(lambda s=setup, e=expression: run_probe(s, e))}
            for setup, expression in PROBES
        ],
    }
    path.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n")
    return data


# ----------------------------------------------------------------------------------------------------------------
# Format inputs: a fixed, seeded set of float32 arrays. Crafted ones are (1, 1, 32, 32) built from 64 blocks of 16
# values; block 2*r + h is row r, columns 16*h .. 16*h + 15, i.e. one row of one 16x16 face = one bfp block.

F32 = np.float32
SEED = 20250611
F32_MAX = float(np.finfo(F32).max)


def blocks_to_tile(blocks):
    arr = np.zeros((64, 16), np.float64)
    for i, block in enumerate(blocks):
        arr[i, : len(block)] = block
    return arr.astype(F32).reshape(1, 1, 32, 32)


def bf16_tie_blocks():
    """Exact float32 halfway cases for float32 -> bfloat16 (round to nearest even), at several exponents."""
    blocks = []
    for base in (1.0, 1.5, 1.0 + 2.0**-7, 2.0**-10, 3.0 * 2.0**20, 1.25 * 2.0**-60, 2.0**100):
        exponent = np.floor(np.log2(base))
        ulp, tiny = 2.0 ** (exponent - 7), 2.0 ** (exponent - 23)
        row = [
            base,
            base + ulp / 2,
            base + 3 * ulp / 2,
            base + ulp / 2 + tiny,
            base + ulp / 2 - tiny,
            base + ulp,
            base + 5 * ulp / 2,
            base + 7 * ulp / 2,
        ]
        blocks.append(row + [-v for v in row])
    return blocks


def bfp_tie_blocks():
    """Blocks whose shared exponent is fixed by one element, the others on / near bfp8 and bfp4 rounding ties."""
    half8, half4 = [(k + 0.5) * 2.0**-6 for k in range(15)], [(k + 0.5) * 2.0**-2 for k in range(4)]
    return [
        [1.0] + half8,  # bfp8 ties, max exponent 0
        [-1.0] + [-v for v in half8],
        [1.0] + [v + 2.0**-20 for v in half8],  # just above the ties (bits below bf16)
        [1.0] + [v - 2.0**-20 for v in half8],  # just below
        [1.0] + [v + 2.0**-15 for v in half8[:8]] + [2.0**-7 + 2.0**-15, 3 * 2.0**-7 + 2.0**-15],
        [1.0] + half4 + [-v for v in half4] + [v + 2.0**-12 for v in half4],  # bfp4 ties, above the ties
        [1.0] + [k * 2.0**-6 for k in range(15)],  # exact in bfp8
        [1.0] + [k * 2.0**-2 for k in range(4)] + [-k * 2.0**-2 for k in range(4)],  # exact in bfp4
        [1.9921875] + [0.5] * 15,  # max element 1.1111111b: 8 significant bits
        [1.99] + [0.25] * 15,
        [1.9375, 1.875, 1.8125, 1.75, 1.625, 1.5, 1.25, 1.125],  # bfp4 rounding of the max element
        [1.0 + 2.0**-7, 1.0 + 2.0**-6, 1.0 + 3 * 2.0**-7, 1.0 + 2.0**-8],
        [0.1] * 7 + [4.0] + [0.3] * 8,  # max in the middle
        [1.0] + [2.0**-k for k in range(1, 16)],  # falling exponents: where flushing starts
        [-3.0] + [0.7, -0.7, 1.1, -1.1, 2.9, -2.9, 0.01, -0.01, 1.5, -1.5, 2.25, -2.25, 0.375, -0.375, 3.0],
        [0.7] * 16,
        [v * 2.0**-100 for v in [1.0] + half8],  # same ties, tiny shared exponent
        [v * 2.0**100 for v in [1.0] + half8],  # same ties, huge shared exponent
        [(k + 0.5) * 2.0**-6 for k in range(16)],  # no element at the max exponent's leading 1
    ]


def special_blocks():
    ones = [1.0] * 15
    return [
        [np.inf] + ones,
        [-np.inf] + ones,
        [np.nan] + ones,
        [np.inf, -np.inf, np.nan, 0.0, -0.0, 1.0, -1.0, 0.5],
        [np.nan] * 16,
        [np.inf] * 16,
        [1.0, 2.0, 3.0, np.nan, 4.0, 5.0, np.inf, 6.0],
        [1.0] * 16,
    ]


def zero_blocks():
    return [
        [0.0] * 16,
        [-0.0] * 16,
        [-0.0] * 8 + [1.0] * 8,
        [1.0] + [-0.0] * 15,
        [-1.0, -0.0, 0.0, 2.0, -2.0],
        [1.0] + [-(2.0**-20)] * 15,
        [-(2.0**-20)] * 16,
        [-1e-45, 1e-45, -1e-40, 1e-40],
    ]


def overflow_blocks():
    bf16_max = 3.3895313892515355e38
    tie = bf16_max + 2.0**119  # halfway between bf16 max and 2**128
    near = [3.38e38, bf16_max, 3.39e38, tie, 3.397e38, F32_MAX]
    return [
        near + [-v for v in near],
        [F32_MAX] + [1.0] * 15,
        [bf16_max] + [1.0e38] * 15,
        [tie] * 16,
        [6.5e4, 1e30, -1e30, 1.7e38, -1.7e38],
    ]


def subnormal_blocks():
    tiny = [1e-45, 3e-45, 1e-40, 9.18e-41, 1.1754942e-38, 1.17549435e-38, 2e-38, 2.0**-133, 2.0**-133 * 1.5]
    return [tiny + [-v for v in tiny[:7]], [1.0] + tiny, [2.0**-126] + tiny, [2.0**-120] + tiny]


def make_float_inputs():
    rng = np.random.default_rng(SEED)
    inputs = {
        "normal_1x1x7x50": rng.standard_normal((1, 1, 7, 50)),
        "normal_3x33x65": rng.standard_normal((3, 33, 65)) * 3.0,
        "normal_1x32x32": rng.standard_normal((1, 32, 32)),
        "normal_2x1x64x96": rng.standard_normal((2, 1, 64, 96)) * 0.05,
        "normal_50": rng.standard_normal(50),
        "normal_7x50": rng.uniform(-100.0, 100.0, (7, 50)),
        "bf16_ties": blocks_to_tile(bf16_tie_blocks()),
        "bfp_ties": blocks_to_tile(bfp_tie_blocks()),
        "zeros": blocks_to_tile(zero_blocks()),
        "overflow": blocks_to_tile(overflow_blocks()),
        "subnormal": blocks_to_tile(subnormal_blocks()),
        "special": blocks_to_tile(special_blocks()),
    }
    spread = np.linspace(0.0, 40.0, 64)[:, None]  # block i: exponents spread over +-spread[i] binades
    signs = rng.choice([-1.0, 1.0], (64, 16))
    inputs["wide_exponent"] = (
        signs * rng.uniform(1.0, 2.0, (64, 16)) * 2.0 ** np.round(rng.uniform(-1.0, 1.0, (64, 16)) * spread)
    ).reshape(1, 1, 32, 32)
    return {name: np.asarray(arr, F32) for name, arr in inputs.items()}


def make_int_inputs():
    rng = np.random.default_rng(SEED + 1)
    values = np.array(
        [0, 1, -1, 127, 128, 255, 256, -128, -129, 32767, 32768, 65535, 65536, -65536, 2**31 - 1, -(2**31)], np.int64
    )
    return {
        "int32_values": np.concatenate([values, rng.integers(-70000, 70000, 350 - values.size)])
        .astype(np.int32)
        .reshape(1, 1, 7, 50),
        "int_like_float": np.array(
            [[-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.7, -2.7, 255.7, 256.0, 65535.9, 70000.2, 1e10, -1e10, np.nan, np.inf]],
            F32,
        ),
    }


# ----------------------------------------------------------------------------------------------------------------
# Format cases

FLOAT_DTYPES = ["float32", "bfloat16", "bfloat8_b", "bfloat4_b"]
INT_DTYPES = ["uint32", "int32", "uint16", "uint8"]
LAYOUTS = {"TILE": "TILE_LAYOUT", "ROW_MAJOR": "ROW_MAJOR_LAYOUT"}
RAW_LIMIT = 1 << 17  # packed bytes are stored for tensors up to this size


class Store:
    """Arrays for the npz plus the JSON index that describes them."""

    def __init__(self):
        self.arrays = {}
        self.index = {}

    def put(self, key, array):
        self.arrays[key] = np.ascontiguousarray(array)
        return key


def readback(tensor):
    """Host tensor -> numpy. to_numpy() of a bfloat16 tensor gives an object array, so those go through to_list()."""
    if tensor.dtype == ttnn.bfloat16:
        return np.array(tensor.to_list(), F32).reshape(tuple(tensor.shape)), "to_list"
    return np.asarray(tensor.to_numpy()), "to_numpy"


def packed_bytes(tensor):
    """The host buffer exactly as ttnn packed it (TILE order, padding, bfp exponent section)."""
    shard = tensor.host_buffer().get_shard(ttnn.MeshCoordinate(0, 0))
    return np.from_dlpack(shard).copy()


TENSOR_FACTS = {
    "shape": lambda t: list(t.shape),
    "padded_shape": lambda t: list(t.padded_shape),
    "tensor_dtype": lambda t: t.dtype.name,
    "tensor_layout": lambda t: t.layout.name,
    "storage_type": lambda t: t.storage_type().name,
    "volume": lambda t: int(t.volume()),
    "logical_volume": lambda t: int(t.logical_volume()),
    "element_size": lambda t: int(t.element_size()),  # raises for bfloat8_b / bfloat4_b
}


def tensor_facts(tensor):
    """What the tensor reports about itself; a query that raises is recorded as '<name>_error'."""
    facts = {}
    for name, query in TENSOR_FACTS.items():
        try:
            facts[name] = query(tensor)
        except Exception as exc:  # noqa: BLE001 - the refusal is the fact
            facts[name + "_error"] = clean_error(exc)
    return facts


def store_tensor(store, key, tensor, record):
    """Read a host tensor back into the store; fill `record` with its facts and array keys."""
    record.update(tensor_facts(tensor))
    try:
        values, method = readback(tensor)
        record.update(
            output=store.put("out." + key, values),
            readback=method,
            readback_shape=list(values.shape),
            readback_dtype=str(values.dtype),
        )
    except Exception as exc:  # noqa: BLE001 - record what readback does
        record["readback_error"] = error_record(exc)
    try:
        raw = packed_bytes(tensor)
        record["packed_nbytes"] = int(raw.size)
        if raw.size <= RAW_LIMIT:
            record["packed"] = store.put("raw." + key, raw)
    except Exception as exc:  # noqa: BLE001
        record["packed_error"] = error_record(exc)


def in_child(store, func):
    """Run func(local_store) -> record in a forked child (see guarded); keep the arrays it stored."""

    def child():
        local = Store()
        return func(local), local.arrays

    outcome = guarded(child)
    if isinstance(outcome, dict):  # a crash, or an exception func did not catch
        return outcome
    record, arrays = outcome
    store.arrays.update(arrays)
    return record


def convert(store, key, input_key, array, dtype, layout, **kwargs):
    """ttnn.Tensor(tensor=array, data_type=..., layout=...) - the call ttnn.from_torch makes - then read back."""
    record = {
        "input": input_key,
        "input_dtype": str(array.dtype),
        "input_shape": list(array.shape),
        "dtype": dtype,
        "layout": layout,
        "kwargs": {k: clean_repr(v) for k, v in kwargs.items()},
    }

    def run(local):
        try:
            tensor = ttnn.Tensor(
                tensor=array, data_type=getattr(ttnn, dtype), layout=getattr(ttnn, LAYOUTS[layout]), **kwargs
            )
        except Exception as exc:  # noqa: BLE001 - a refusal is a result
            return {"ok": False, **error_record(exc)}
        out = {"ok": True}
        store_tensor(local, key, tensor, out)
        return out

    store.index["conversions"][key] = {**record, **in_child(store, run)}


def record_conversions(store):
    store.index["conversions"] = {}
    for name, array in make_float_inputs().items():
        input_key = store.put("in." + name, array)
        for dtype in FLOAT_DTYPES:
            for layout in LAYOUTS:
                convert(store, f"{name}.{dtype}.{layout}", input_key, array, dtype, layout)
    special = store.arrays["in.special"]
    for dtype in FLOAT_DTYPES:
        convert(
            store, f"special.{dtype}.TILE.preserve_nan", "in.special", special, dtype, "TILE", preserve_nan_values=True
        )
    ragged = store.arrays["in.normal_1x1x7x50"]
    for dtype in FLOAT_DTYPES:
        convert(
            store,
            f"normal_1x1x7x50.{dtype}.TILE.pad_value_7",
            "in.normal_1x1x7x50",
            ragged,
            dtype,
            "TILE",
            pad_value=7.0,
        )
    for name, array in make_int_inputs().items():
        input_key = store.put("in." + name, array)
        for dtype in INT_DTYPES + ["bfloat16", "float32"]:
            for layout in LAYOUTS:
                convert(store, f"{name}.{dtype}.{layout}", input_key, array, dtype, layout)


# fmt: off
SHAPES = [(), (1,), (5,), (32,), (33,), (7, 50), (1, 1), (32, 32), (33, 1), (1, 33), (64, 65), (3, 33, 65),
          (1, 1, 7, 50), (2, 3, 1, 1), (2, 1, 64, 96), (1, 1, 1, 7, 50), (0, 32), (2, 0, 5)]
SHAPE_SPECS = [("bfloat16", "TILE"), ("bfloat16", "ROW_MAJOR"), ("float32", "TILE"), ("float32", "ROW_MAJOR"),
               ("bfloat8_b", "TILE"), ("bfloat4_b", "TILE"), ("uint32", "TILE"), ("uint16", "ROW_MAJOR")]
# fmt: on


def shape_rule(shape, dtype, layout):
    """shape / padded_shape / volume / packed size of a tensor of `shape` (values 0, 1, 2, ...)."""
    kind = np.int32 if dtype.startswith(("uint", "int")) else F32
    array = (np.arange(int(np.prod(shape))) % 251).astype(kind).reshape(shape)
    try:
        tensor = ttnn.Tensor(tensor=array, data_type=getattr(ttnn, dtype), layout=getattr(ttnn, LAYOUTS[layout]))
    except Exception as exc:  # noqa: BLE001 - a refusal is a result
        return {"ok": False, **error_record(exc)}
    record = {"ok": True, **tensor_facts(tensor)}
    try:
        values, method = readback(tensor)
        record.update(
            readback=method,
            readback_shape=list(values.shape),
            readback_equals_input=bool(np.array_equal(values, array)),
        )
        record["packed_nbytes"] = int(packed_bytes(tensor).size)
    except Exception as exc:  # noqa: BLE001
        record["readback_error"] = error_record(exc)
    return record


def record_shape_rules(store):
    """What real ttnn reports for ragged shapes of rank 0 to 5, per dtype and layout."""
    store.index["shape_rules"] = [
        {
            "input_shape": list(shape),
            "dtype": dtype,
            "layout": layout,
            **guarded(lambda shape=shape, dtype=dtype, layout=layout: shape_rule(shape, dtype, layout)),
        }
        for shape in SHAPES
        for dtype, layout in SHAPE_SPECS
    ]


# Host-side conversions of an existing tensor: (label, source dtype, source layout, function of the tensor).
HOST_OPS = [
    *[("Tensor.to(ROW_MAJOR_LAYOUT)", dt, "TILE", lambda t: t.to(ttnn.ROW_MAJOR_LAYOUT)) for dt in FLOAT_DTYPES],
    *[("Tensor.to(TILE_LAYOUT)", dt, "ROW_MAJOR", lambda t: t.to(ttnn.TILE_LAYOUT)) for dt in FLOAT_DTYPES[:2]],
    *[
        ("to_layout(ROW_MAJOR_LAYOUT)", dt, "TILE", lambda t: ttnn.to_layout(t, ttnn.ROW_MAJOR_LAYOUT))
        for dt in FLOAT_DTYPES
    ],
    *[
        ("to_layout(TILE_LAYOUT)", dt, "ROW_MAJOR", lambda t: ttnn.to_layout(t, ttnn.TILE_LAYOUT))
        for dt in FLOAT_DTYPES[:2]
    ],
    (
        "to_layout(TILE_LAYOUT, dtype=bfloat8_b)",
        "bfloat16",
        "ROW_MAJOR",
        lambda t: ttnn.to_layout(t, ttnn.TILE_LAYOUT, dtype=ttnn.bfloat8_b),
    ),
    (
        "to_layout(TILE_LAYOUT, dtype=bfloat8_b)",
        "float32",
        "ROW_MAJOR",
        lambda t: ttnn.to_layout(t, ttnn.TILE_LAYOUT, dtype=ttnn.bfloat8_b),
    ),
    (
        "to_layout(ROW_MAJOR_LAYOUT, dtype=bfloat16)",
        "bfloat8_b",
        "TILE",
        lambda t: ttnn.to_layout(t, ttnn.ROW_MAJOR_LAYOUT, dtype=ttnn.bfloat16),
    ),
    *[
        (f"typecast({out})", src, lay, lambda t, out=out: ttnn.typecast(t, getattr(ttnn, out)))
        for src, lay in (("bfloat16", "TILE"), ("float32", "TILE"), ("bfloat8_b", "TILE"), ("bfloat16", "ROW_MAJOR"))
        for out in FLOAT_DTYPES + ["uint32", "int32"]
    ],
    ("Tensor.pad_to_tile(0.0)", "bfloat16", "ROW_MAJOR", lambda t: t.pad_to_tile(0.0)),
    ("Tensor.pad_to_tile(-1.0)", "float32", "ROW_MAJOR", lambda t: t.pad_to_tile(-1.0)),
    ("Tensor.reshape([7, 50])", "bfloat16", "TILE", lambda t: t.reshape([7, 50])),
    ("Tensor.reshape([7, 50])", "bfloat16", "ROW_MAJOR", lambda t: t.reshape([7, 50])),
    ("ttnn.reshape(t, (1, 7, 50))", "bfloat16", "ROW_MAJOR", lambda t: ttnn.reshape(t, (1, 7, 50))),
    ("ttnn.clone(t)", "bfloat16", "TILE", lambda t: ttnn.clone(t)),
    (
        "ttnn.to_memory_config(t, L1_MEMORY_CONFIG)",
        "bfloat16",
        "TILE",
        lambda t: ttnn.to_memory_config(t, ttnn.L1_MEMORY_CONFIG),
    ),
]


def host_op(local, key, array, dtype, layout, func):
    try:
        source = ttnn.Tensor(tensor=array, data_type=getattr(ttnn, dtype), layout=getattr(ttnn, LAYOUTS[layout]))
        record = {"source_output": local.put(f"src.{key}", readback(source)[0])}
        result = func(source)
    except Exception as exc:  # noqa: BLE001 - a refusal is a result
        return {"ok": False, **error_record(exc)}
    record["ok"] = True
    store_tensor(local, key, result, record)
    return record


def record_host_ops(store):
    """Apply HOST_OPS to host tensors made from one ragged input; record results, refusals or crashes."""
    array = store.arrays["in.normal_1x1x7x50"]
    records = {}
    for i, (label, dtype, layout, func) in enumerate(HOST_OPS):
        key = f"host_op.{i:02d}"
        record = {"op": label, "input": "in.normal_1x1x7x50", "source_dtype": dtype, "source_layout": layout}
        outcome = in_child(
            store,
            lambda local, key=key, dtype=dtype, layout=layout, func=func: host_op(
                local, key, array, dtype, layout, func
            ),
        )
        records[key] = {**record, **outcome}
    store.index["host_ops"] = records


# ----------------------------------------------------------------------------------------------------------------
# Sanity checks on what was recorded, and the entry point


def output_of(store, case):
    """The readback array of a conversion case, or an empty array if the case has none."""
    key = store.index["conversions"].get(case, {}).get("output")
    return store.arrays[key].ravel() if key else np.zeros(0, F32)


def sanity_checks(store):
    """Facts any correct recording must show; returned as (description, passed) pairs."""
    conv = store.index["conversions"]
    ties = store.arrays["in.bf16_ties"].ravel()
    bf16 = output_of(store, "bf16_ties.bfloat16.ROW_MAJOR")
    f32_cases = [r for r in conv.values() if r["dtype"] == "float32" and r["input_dtype"] == "float32"]
    f32_ok = all(
        "output" in r and np.array_equal(store.arrays[r["output"]], store.arrays[r["input"]], equal_nan=True)
        for r in f32_cases
    )
    tile = conv["normal_1x1x7x50.bfloat16.TILE"]
    return [
        ("host conversions ran (the mock cluster works): bfloat8_b TILE case", conv["normal_50.bfloat8_b.TILE"]["ok"]),
        ("input 1 + 2**-8 is present", bool(ties[1] == F32(1.0 + 2.0**-8))),
        ("bfloat16 readback of 1 + 2**-8 ties to even: 1.0", bf16.size > 1 and bool(bf16[1] == 1.0)),
        ("bfloat16 readback of 1 + 3 * 2**-8 ties to even: 1 + 2**-6", bf16.size > 2 and bool(bf16[2] == 1 + 2**-6)),
        ("float32 conversions read back bit-exact", f32_ok),
        ("TILE readback has the logical shape", tile.get("readback_shape") == [1, 1, 7, 50]),
        ("TILE padded_shape pads the last two dims to 32", tile.get("padded_shape") == [1, 1, 32, 64]),
    ]


def record_formats(path):
    store = Store()
    store.index.update(environment_facts())
    store.index["layout_of_crafted_inputs"] = (
        "crafted inputs are (1, 1, 32, 32): block i (16 values) = row i // 2, columns 16 * (i % 2) .. + 15 = one row "
        "of one 16x16 face, i.e. one bfloat8_b / bfloat4_b shared-exponent block; unused blocks are zero"
    )
    store.index["conversion_call"] = (
        "ttnn.Tensor(tensor=input, data_type=dtype, layout=layout, **kwargs), as in "
        "ttnn.from_torch; readback via to_list() for bfloat16, to_numpy() otherwise"
    )
    store.index["packed"] = "np.from_dlpack(t.host_buffer().get_shard(ttnn.MeshCoordinate(0, 0))): the host bytes"
    store.index["array_keys"] = {
        "in.<input>": "float32 (or int32) inputs",
        "out.<case>": "readback of a case (float32, or the int dtype)",
        "raw.<case>": "packed host bytes (uint8) of a case",
        "src.<host_op>": "readback of a host op's source tensor",
    }
    record_conversions(store)
    record_shape_rules(store)
    record_host_ops(store)
    checks = sanity_checks(store)
    store.index["sanity_checks"] = [{"check": text, "passed": ok} for text, ok in checks]
    index_text = json.dumps(store.index, indent=1)
    np.savez_compressed(path, index=np.array(index_text), **store.arrays)
    return store, checks


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=REPO / "tests" / "data",
        help="where to write ttnn_formats_<version>.npz (test data)",
    )
    parser.add_argument(
        "--api-dir",
        type=Path,
        default=REPO / "src" / "ttport" / "validate" / "data",
        help="where to write ttnn_api_<version>.json (package data of ttport)",
    )
    parser.add_argument("--api-only", action="store_true", help="record signatures only (no host conversions)")
    return parser.parse_args()


def main():
    args = parse_args()
    args.out_dir = args.out_dir.resolve()
    args.api_dir = args.api_dir.resolve()
    with tempfile.TemporaryDirectory(prefix="ttnn_oracle_") as scratch:
        os.chdir(scratch)  # ttnn writes files (generated/fabric/*.yaml) into the working directory
        return record(args)


def record(args):
    load_ttnn()
    version = ttnn_version()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    args.api_dir.mkdir(parents=True, exist_ok=True)
    api_path = args.api_dir / f"ttnn_api_{version}.json"
    api = record_api(api_path)
    print(f"{api_path}: {len(api['names'])} names recorded, {len(api['missing'])} missing {api['missing']}")
    if args.api_only:
        return 0
    formats_path = args.out_dir / f"ttnn_formats_{version}.npz"
    store, checks = record_formats(formats_path)
    conv = store.index["conversions"]
    refused = sum(1 for r in conv.values() if not r["ok"])
    print(
        f"{formats_path}: {len(conv)} conversion cases ({refused} refused), "
        f"{len(store.index['shape_rules'])} shape rules, {len(store.index['host_ops'])} host ops, "
        f"{formats_path.stat().st_size / 1e6:.2f} MB"
    )
    for text, ok in checks:
        print(f"  [{'ok' if ok else 'FAILED'}] {text}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
