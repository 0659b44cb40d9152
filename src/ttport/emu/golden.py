"""Torch goldens of the emulated ops: ttnn.get_golden_function(op), op.golden_function, ttnn.get_fallback_function.

tt-metal's op tests compute their expected output with ttnn's own goldens (`ttnn.get_golden_function(ttnn.gelu)(x)`)
and some ports run an op on host through its golden (`ttnn.get_fallback_function(ttnn.reshape)`). A golden takes
torch tensors and the op's own arguments; device-only arguments (memory_config, compute_kernel_config, ...) are
accepted and ignored, as real ttnn's goldens (ttnn/operations/*.py, `_golden_function_*(..., **_)`) do.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: N812 - torch's usual name

from . import registry
from .ops.select_goldens import SELECT_GOLDENS


def _norm_args(input_tensor, weight, bias, residual):
    x = input_tensor if residual is None else input_tensor + residual
    return x, weight.reshape(-1) if weight is not None else None, bias.reshape(-1) if bias is not None else None


def _layer_norm(input_tensor, *, epsilon=1e-12, weight=None, bias=None, residual_input_tensor=None, **_):
    x, weight, bias = _norm_args(input_tensor, weight, bias, residual_input_tensor)
    out = F.layer_norm(x.float(), (x.shape[-1],), eps=epsilon)
    out = out * weight.float() if weight is not None else out
    return out + bias.float() if bias is not None else out


def _rms_norm(input_tensor, weight=None, *, epsilon=1e-12, bias=None, residual_input_tensor=None, **_):
    x, weight, bias = _norm_args(input_tensor, weight, bias, residual_input_tensor)
    x = x.float()
    out = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + epsilon)
    out = out * weight.float() if weight is not None else out
    return out + bias.float() if bias is not None else out


def _matmul(input_tensor_a, input_tensor_b, *, transpose_a=False, transpose_b=False, bias=None, **_):
    a = input_tensor_a.transpose(-1, -2) if transpose_a else input_tensor_a
    b = input_tensor_b.transpose(-1, -2) if transpose_b else input_tensor_b
    out = a.float() @ b.float()
    return out + bias.float().reshape(-1) if bias is not None else out


def _reduce(function):
    def golden(input_tensor, dim=None, keepdim=False, **_):
        if dim is None:
            return function(input_tensor)
        return function(input_tensor, dim=dim, keepdim=keepdim)

    return golden


def _max(input_tensor, dim=None, keepdim=False, **_):
    return input_tensor.amax() if dim is None else input_tensor.amax(dim=dim, keepdim=keepdim)


def _where(predicate, true_value, false_value, **_):
    return torch.where(predicate.bool(), true_value, false_value)


def _pad(input_tensor, padding, value, **_):
    flat = [amount for pair in reversed([tuple(p) for p in padding]) for amount in pair]
    return F.pad(input_tensor, flat, value=value)


def _slice(input_tensor, slice_start, slice_end, slice_step=None, **_):
    steps = slice_step or [1] * len(slice_start)
    return input_tensor[tuple(slice(s, e, k) for s, e, k in zip(slice_start, slice_end, steps))]


def _squeeze(input_tensor, dim=None, **_):
    return input_tensor.squeeze() if dim is None else input_tensor.squeeze(dim)


def _embedding(input_tensor, weight, **_):
    return F.embedding(input_tensor.long(), weight)


def _softmax(input_tensor, dim=None, **_):
    return torch.softmax(input_tensor.float(), -1 if dim is None else dim)


def _gelu(input_tensor, *, fast_and_approximate_mode=False, **_):
    return F.gelu(input_tensor, approximate="tanh" if fast_and_approximate_mode else "none")


def _binary(function):
    return lambda input_tensor_a, input_tensor_b, *_args, **_: function(input_tensor_a, input_tensor_b)


def _divide(input_tensor_a, input_tensor_b, *_args, rounding_mode=None, **_):
    # real ttnn's takes rounding_mode by keyword only: a third positional argument is ignored (*args)
    return torch.div(input_tensor_a, input_tensor_b, rounding_mode=rounding_mode)


def _unary(function):
    return lambda input_tensor, **_: function(input_tensor)


# op name -> golden on torch tensors (the op's own arguments, tensors as torch).
GOLDENS = {
    "ttnn.add": _binary(torch.add),
    "ttnn.subtract": _binary(torch.sub),
    "ttnn.multiply": _binary(torch.mul),
    "ttnn.divide": _divide,
    "ttnn.pow": lambda input_tensor, exponent, **_: torch.pow(input_tensor, exponent),
    "ttnn.relu": _unary(torch.relu),
    "ttnn.silu": _unary(F.silu),
    "ttnn.sigmoid": _unary(torch.sigmoid),
    "ttnn.tanh": _unary(torch.tanh),
    "ttnn.exp": _unary(torch.exp),
    "ttnn.sqrt": _unary(torch.sqrt),
    "ttnn.rsqrt": _unary(torch.rsqrt),
    "ttnn.reciprocal": _unary(torch.reciprocal),
    "ttnn.neg": _unary(torch.neg),
    "ttnn.gelu": _gelu,
    "ttnn.clamp": lambda input_tensor, min=None, max=None, **_: torch.clamp(input_tensor, min, max),  # noqa: A002
    "ttnn.where": _where,
    "ttnn.matmul": _matmul,
    "ttnn.linear": _matmul,
    "ttnn.softmax": _softmax,
    "ttnn.layer_norm": _layer_norm,
    "ttnn.rms_norm": _rms_norm,
    "ttnn.sum": _reduce(torch.sum),
    "ttnn.mean": _reduce(torch.mean),
    "ttnn.max": _max,
    "ttnn.reshape": lambda input_tensor, shape, **_: input_tensor.reshape(tuple(shape)),
    "ttnn.permute": lambda input_tensor, dims, **_: input_tensor.permute(tuple(dims)),
    "ttnn.transpose": lambda input_tensor, dim1, dim2, **_: input_tensor.transpose(dim1, dim2),
    "ttnn.concat": lambda tensors, dim=0, **_: torch.cat(list(tensors), dim),
    "ttnn.split": lambda input_tensor, split_size, dim=0, **_: torch.split(input_tensor, split_size, dim),
    "ttnn.pad": _pad,
    "ttnn.slice": _slice,
    "ttnn.squeeze": _squeeze,
    "ttnn.unsqueeze": lambda input_tensor, dim, **_: input_tensor.unsqueeze(dim),
    "ttnn.embedding": _embedding,
    "ttnn.clone": lambda input, **_: input.clone(),  # noqa: A002 - ttnn's name
    "ttnn.experimental.nlp_concat_heads": lambda input_tensor, **_: input_tensor.transpose(1, 2).flatten(-2)[:, None],
    **SELECT_GOLDENS,
}


def attach() -> None:
    """Give every registered op its golden (None where it has none), as real ttnn's operations carry theirs."""
    for name, op in registry.OPS.items():
        op.golden_function = GOLDENS.get(name)
        op.preprocess_golden_function_inputs = None
        op.postprocess_golden_function_outputs = None


def get_golden_function(operation):
    golden = getattr(operation, "golden_function", None)
    if golden is None:
        raise RuntimeError(f"{getattr(operation, 'ttnn_name', operation)} does not have a golden function")
    return golden


def _to_torch(value):
    from .ops.conversion import to_torch
    from .tensor import Tensor

    if isinstance(value, Tensor):
        return to_torch(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_to_torch(v) for v in value)
    return value


def _first_tensor(values):
    from .tensor import Tensor

    for value in values:
        if isinstance(value, Tensor):
            return value
        if isinstance(value, (list, tuple)):
            found = _first_tensor(value)
            if found is not None:
                return found
    return None


def get_fallback_function(operation):
    """`operation` run on host through its golden: ttnn tensors in -> torch -> golden -> ttnn tensors out, with the
    first input tensor's dtype, layout and device (real ttnn's default pre/post-processing, ttnn/decorators.py)."""
    golden = get_golden_function(operation)

    def fallback_function(*args, **kwargs):
        from .ops.conversion import from_torch

        output = golden(*_to_torch(args), **{k: _to_torch(v) for k, v in kwargs.items()})
        like = _first_tensor(list(args) + list(kwargs.values()))

        def back(value):
            if isinstance(value, torch.Tensor):
                if like is None:
                    return from_torch(value)
                return from_torch(value, dtype=like.dtype, layout=like.layout, device=like.device())
            if isinstance(value, (list, tuple)):
                return type(value)(back(v) for v in value)
            raise RuntimeError(f"Unsupported output type: {type(value)}")

        return back(output)

    return fallback_function


def pearson_correlation_coefficient(expected, actual) -> float:
    """PCC of a torch tensor and a torch or ttnn tensor, with tt-metal's comp_pcc special cases."""
    from ..validate.pcc import pcc
    from .ops.conversion import to_torch
    from .tensor import Tensor

    if isinstance(actual, Tensor):
        actual = to_torch(actual)
    if not isinstance(expected, torch.Tensor):
        raise ValueError("Expected tensor is not a torch.Tensor")
    return pcc(expected, actual)
