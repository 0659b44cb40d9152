"""Op registration: every emulated ttnn op checks its tensors are alive and, when tracing, records what it did.

    @ttnn_op("ttnn.gelu", flops=elementwise_flops(8))
    def gelu(input_tensor, *, fast_and_approximate_mode=True, memory_config=None): ...

The wrapper keeps the function's own signature (inspect.signature follows __wrapped__), so signatures can be
checked against real ttnn's (ttport/validate/data/ttnn_api_0.81.1.json).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

from . import trace as trace_module
from .errors import LayoutError, StorageError
from .tensor import Tensor
from .types import Layout

OPS: dict[str, Callable] = {}


def _tensors_in(values) -> list[tuple[str, Tensor]]:
    found = []
    for name, value in values:
        if isinstance(value, Tensor):
            found.append((name, value))
        elif isinstance(value, (list, tuple)):
            found += [(f"{name}[{i}]", item) for i, item in enumerate(value) if isinstance(item, Tensor)]
    return found


def _info(tensor: Tensor) -> trace_module.TensorInfo:
    return trace_module.TensorInfo(
        tuple(tensor.shape), tensor.dtype.name.lower(), tensor.layout.name, tensor._placement(), tensor._nbytes
    )


def elementwise_flops(per_element: int = 1) -> Callable:
    return lambda inputs, outputs: per_element * sum(math.prod(t.padded_shape) for t in outputs)


def ttnn_op(name: str, flops: Callable | None = None) -> Callable:
    """Register `function` as the emulation of ttnn op `name`."""

    def register(function: Callable) -> Callable:
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            named = [(f"argument {i}", a) for i, a in enumerate(args)] + list(kwargs.items())
            inputs = _tensors_in(named)
            for arg_name, tensor in inputs:
                tensor._check_allocated(name, arg_name)
            result = function(*args, **kwargs)
            if trace_module.is_tracing():
                _record(name, flops, inputs, result)
            return result

        wrapper.ttnn_name = name
        OPS[name] = wrapper
        return wrapper

    return register


def _record(name, flops, inputs, result) -> None:
    outputs = _tensors_in([("output", result)])
    input_tensors = [t for _, t in inputs]
    output_tensors = [t for _, t in outputs]
    count = flops(input_tensors, output_tensors) if flops else 0
    trace_module.emit(
        trace_module.OpRecord(
            name, [_info(t) for t in input_tensors], [_info(t) for t in output_tensors if t.is_allocated()], count
        )
    )


def fix_hint(tensor: Tensor, layout: bool, device: bool, arg: str = "x") -> str:
    steps = []
    if layout:
        steps.append(f"ttnn.to_layout({arg}, ttnn.TILE_LAYOUT)")
    if device:
        steps.append(f"ttnn.to_device({arg}, device)")
    return "call " + " and ".join(steps)


def require_device(op: str, name: str, tensor: Tensor, *, tile: bool = True) -> None:
    """Refuse a host tensor (and, if `tile`, a ROW_MAJOR one) as ttnn's device ops do."""
    needs_layout = tile and tensor.layout is not Layout.TILE
    needs_device = tensor.device() is None
    if not (needs_layout or needs_device):
        return
    what = []
    if needs_layout:
        what.append("ROW_MAJOR")
    what.append("on host" if needs_device else "on device")
    error = LayoutError if needs_layout else StorageError
    raise error(f"{op}: {name} is {' '.join(what)}; {fix_hint(tensor, needs_layout, needs_device)}")
