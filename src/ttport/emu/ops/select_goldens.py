"""Torch goldens of the reduction, selection and data-movement ops (merged into ttport.emu.golden.GOLDENS).

Each takes torch tensors and the op's own arguments, device-only keywords accepted and ignored, as real ttnn's
goldens do (ttnn/operations/*.py `_golden_function`). Index inputs are cast to int64 as torch needs.
"""

from __future__ import annotations

import torch


def _over(function, **fixed):
    def golden(input_tensor, dim=None, keepdim=False, **_):
        if dim is None:
            return function(input_tensor, **fixed)
        return function(input_tensor, dim=dim, keepdim=keepdim, **fixed)

    return golden


def _spread(function):
    def golden(input_tensor, dim=None, keepdim=False, *, correction=True, **_):
        dims = dim if dim is not None else list(range(input_tensor.dim()))
        return function(input_tensor.float(), dim=dims, keepdim=keepdim, correction=int(bool(correction)))

    return golden


def _topk(input_tensor, k=32, dim=-1, largest=True, sorted=True, **_):  # noqa: A002 - ttnn's name
    return torch.topk(input_tensor, k, dim=dim, largest=largest, sorted=sorted)


def _sort(input_tensor, dim=-1, descending=False, stable=False, **_):
    return torch.sort(input_tensor, dim=dim, descending=descending, stable=stable)


def _identity(input_tensor, *_, **__):
    return input_tensor


def _roll(input_tensor, shifts, dim=None, **_):
    return torch.roll(input_tensor, shifts, dim)


SELECT_GOLDENS = {
    "ttnn.min": _over(torch.amin),
    "ttnn.prod": _over(torch.prod),
    "ttnn.var": _spread(torch.var),
    "ttnn.std": _spread(torch.std),
    "ttnn.argmax": _over(torch.argmax),
    "ttnn.cumsum": lambda input, dim, **_: torch.cumsum(input, dim),  # noqa: A002 - ttnn's name
    "ttnn.cumprod": lambda input_tensor, dim, **_: torch.cumprod(input_tensor, dim),
    "ttnn.topk": _topk,
    "ttnn.sort": _sort,
    "ttnn.gather": lambda input, dim, index, **_: torch.gather(input, dim, index.long()),  # noqa: A002
    "ttnn.scatter": lambda input, dim, index, src, **_: torch.scatter(input, dim, index.long(), src),  # noqa: A002
    "ttnn.index_fill": lambda input, dim, index, value, **_: input.index_fill(dim, index.long(), value),  # noqa: A002
    "ttnn.repeat": lambda input_tensor, repeat_dims, **_: input_tensor.repeat(tuple(repeat_dims)),
    "ttnn.repeat_interleave": lambda input_tensor, repeats, dim, **_: input_tensor.repeat_interleave(repeats, dim),
    "ttnn.expand": lambda input_tensor, output_shape, **_: input_tensor.expand(tuple(output_shape)),
    "ttnn.stack": lambda input_tensors, dim, **_: torch.stack(list(input_tensors), dim),
    "ttnn.chunk": lambda input_tensor, chunks, dim, **_: torch.chunk(input_tensor, chunks, dim),
    "ttnn.view": lambda input_tensor, shape, **_: input_tensor.reshape(tuple(shape)),
    "ttnn.narrow": lambda input_tensor, dim, start, length, **_: input_tensor.narrow(dim, start, length),
    "ttnn.roll": _roll,
    "ttnn.tril": lambda input_tensor, *, diagonal=0, **_: torch.tril(input_tensor, diagonal),
    "ttnn.triu": lambda input_tensor, *, diagonal=0, **_: torch.triu(input_tensor, diagonal),
    "ttnn.outer": lambda input_tensor_a, input_tensor_b, **_: (
        input_tensor_a.unsqueeze(-1) * input_tensor_b.unsqueeze(-2)
    ),
    "ttnn.fill": lambda input_tensor, fill_value, **_: torch.full_like(input_tensor, fill_value),
    "ttnn.tilize": _identity,
    "ttnn.untilize": _identity,
    "ttnn.tilize_with_zero_padding": _identity,
}
