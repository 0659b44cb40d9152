"""Ops built from a table row: a real ttnn signature given as data, bound the way Python binds a def.

    op = table_op("ttnn.elu", [POS("input_tensor"), KW("alpha", 1.0), *UNARY_TAIL], implementation, flops=...)

The function's `__signature__` is the recorded one (tests/emu/test_conformance_api.py checks it against real
ttnn 0.81.1), and a call that does not fit it raises the TypeError Python raises for a def.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import torch

from ..registry import elementwise_flops, ttnn_op

_EMPTY = inspect.Parameter.empty


def POS(name: str, default=_EMPTY) -> inspect.Parameter:  # noqa: N802 - reads as a declaration in the tables
    return inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default)


def KW(name: str, default=None) -> inspect.Parameter:  # noqa: N802
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)


# The keyword tail most unary ops share (ttnn 0.81.1: memory_config, output_tensor, sub_core_grids).
UNARY_TAIL = (KW("memory_config"), KW("output_tensor"), KW("sub_core_grids"))
# binary_ng's fused activations: lists of ttnn.UnaryWithParam (or names) on the output and on each input.
ACTIVATION_PARAMS = (
    KW("activations", []),
    KW("input_tensor_a_activations", []),
    KW("input_tensor_b_activations", []),
)
PLACEMENT = (KW("sub_core_grids"), KW("sub_device_id"))  # where the op runs: cannot change its result


def table_op(name: str, parameters, implementation: Callable, *, doc: str, flops: int = 1) -> Callable:
    """Register ttnn op `name` with `parameters`; `implementation` gets every argument by name, defaults filled."""
    signature = inspect.Signature(list(parameters))
    short = name.rsplit(".", 1)[-1]

    def op(*args, **kwargs):
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as error:
            raise TypeError(f"{name}(): {error}; signature: {short}{signature}") from None
        bound.apply_defaults()
        return implementation(**bound.arguments)

    op.__signature__ = signature
    op.__name__ = op.__qualname__ = short
    op.__doc__ = doc
    return ttnn_op(name, flops=elementwise_flops(flops))(op)


def golden_of(parameters, golden: Callable) -> Callable:
    """A torch golden taking the op's own arguments (tensors as torch); device-only ones are ignored, as ttnn's.

    bfloat16 / float16 operands are computed in float32 and the result rounded once to their dtype, as torch's
    own fused ops (torch.addcmul, F.selu, ...) and ttnn's goldens built on them give it; a bool result stays bool.
    """
    names = [p.name for p in parameters if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    defaults = {p.name: p.default for p in parameters if p.default is not _EMPTY}

    def torch_golden(*args, **kwargs):
        given = {**defaults, **dict(zip(names, args)), **kwargs}
        arguments = {p.name: given[p.name] for p in parameters if p.name in given}
        narrow = next((v.dtype for v in arguments.values() if _is_narrow(v)), None)
        if narrow is None:
            return golden(**arguments)
        result = golden(**{k: v.float() if _is_narrow(v) else v for k, v in arguments.items()})
        return result.to(narrow) if isinstance(result, torch.Tensor) and result.is_floating_point() else result

    return torch_golden


def _is_narrow(value) -> bool:
    return isinstance(value, torch.Tensor) and value.dtype in (torch.bfloat16, torch.float16)
