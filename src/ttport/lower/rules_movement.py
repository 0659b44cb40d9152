"""Data movement written with the ttnn calls the emulator and the recorded 0.81.1 API both have (reshape, concat,
slice, split, pad): expand, chunk, unbind, stack, upsample_nearest2d; index's leading-dim form (rules_selection.py
registers index). Each entry's comment gives its algebra."""

from __future__ import annotations

import math

import torch
from torch import fx

from .graph import arguments, shape
from .rule import Rule
from .rules_conv import NHWC, TO_NHWC


def _static(*sizes) -> bool:
    return all(isinstance(s, int) for s in sizes)


def size(r, d) -> str:
    """A derived dim as source: ints as plain numbers (a configuration name sharing the value would mislead),
    run-time sizes by their size names."""
    return str(d) if isinstance(d, int) else r.lowering.size_text(d)


def _dims(r, sizes) -> str:
    return "[" + ", ".join(size(r, d) for d in sizes) + "]"


def _expand(r):
    """x.expand(sizes): each dim of size 1 that grows to n -> ttnn.concat([x] * n, dim) (ttnn.repeat's effect)."""
    source, target = shape(r.values["self"]), shape(r.node)
    lead = len(target) - len(source)
    text = r.t("self")
    if lead:  # new leading dims of size 1 first, as torch broadcasting adds them
        text = r.call("ttnn.reshape", [text, _dims(r, (1,) * lead + tuple(source))], memory=False)
    grown = [d for d, (have, want) in enumerate(zip((1,) * lead + tuple(source), target)) if have == 1 and want != 1]
    for position, dim in enumerate(grown):
        last = position == len(grown) - 1
        text = r.call("ttnn.concat", [f"[{text}] * {size(r, target[dim])}", f"dim={dim}"], memory=last)
    return text


def _expand_when(node, _context):
    source, target = shape(arguments(node)["self"]), shape(node)
    padded = (1,) * (len(target) - len(source)) + tuple(source)
    grows = [want for have, want in zip(padded, target) if have == 1 and want != 1]
    if not grows:
        return "nothing grows (a view of the same shape)"
    return None if all(str(have) == str(want) or have == 1 for have, want in zip(padded, target)) else "odd sizes"


def _chunk(r):
    """x.chunk(n, dim) -> ttnn.split(x, ceil(size / n), dim): torch's chunk uses that piece size."""
    values = r.values
    dim = values.get("dim", 0) % len(shape(values["self"]))
    length = shape(values["self"])[dim]
    return r.call("ttnn.split", [r.t("self"), str(-(-length // values["chunks"])), f"dim={dim}"])


def _chunk_when(node, _context):
    values = arguments(node)
    dims = shape(values["self"])
    return None if _static(dims[values.get("dim", 0) % len(dims)]) else "a run-time size along the chunked dim"


def _unbind(r):
    """x.unbind(dim) -> each size-1 piece of ttnn.split(x, 1, dim) reshaped without that dim."""
    dims = list(shape(r.values["self"]))
    dim = r.values.get("dim", 0) % len(dims)
    piece = _dims(r, dims[:dim] + dims[dim + 1 :])
    pieces = r.call("ttnn.split", [r.t("self"), "1", f"dim={dim}"], memory=False)
    return f"[{r.call('ttnn.reshape', ['piece', piece])} for piece in {pieces}]"


def _unbind_when(node, _context):
    values = arguments(node)
    dims = shape(values["self"])
    return None if _static(dims[values.get("dim", 0) % len(dims)]) else "a run-time count of pieces"


def _stack(r):
    """torch.stack(xs, dim) -> ttnn.concat([reshape(x, shape with 1 at dim) for x in xs], dim)."""
    tensors = r.values["tensors"]
    dims = list(shape(tensors[0]))
    dim = r.values.get("dim", 0) % (len(dims) + 1)
    unsqueezed = _dims(r, dims[:dim] + [1] + dims[dim:])
    parts = [
        r.call("ttnn.reshape", [r.lowering.tensor_text(t, "tile", "tile"), unsqueezed], memory=False) for t in tensors
    ]
    return r.call("ttnn.concat", ["[" + ", ".join(parts) + "]", f"dim={dim}"])


def _upsample_nearest(r):
    """Nearest upsampling of (N, C, H, W) by whole factors (sh, sw): (N, C*H, W, 1) -> sw copies on the last dim
    -> (N, C*H, 1, W*sw) -> sh copies on dim 2 -> (N, C, H*sh, W*sw); each output pixel reads pixel (h//sh, w//sw)."""
    n, c, h, w = shape(r.values["input"])
    sh, sw = _factors(r.node)
    text = r.call("ttnn.reshape", [r.t("input"), _dims(r, (n, c * h, w, 1))], memory=False)
    text = r.call("ttnn.concat", [f"[{text}] * {sw}", "dim=3"], memory=False)
    text = r.call("ttnn.reshape", [text, _dims(r, (n, c * h, 1, w * sw))], memory=False)
    text = r.call("ttnn.concat", [f"[{text}] * {sh}", "dim=2"], memory=False)
    return r.call("ttnn.reshape", [text, _dims(r, shape(r.node))])


def _factors(node) -> tuple[int, int]:
    (_, _, h, w), (_, _, out_h, out_w) = shape(arguments(node)["input"]), shape(node)
    return out_h // h, out_w // w


def _upsample_when(node, _context):
    source, target = shape(arguments(node)["input"]), shape(node)
    if len(source) != 4 or not _static(*source[1:], *target[1:]):
        return "not a (N, C, H, W) tensor with fixed channels and sizes"
    whole = target[2] % source[2] == 0 and target[3] % source[3] == 0
    return None if whole else "a scale that is not a whole number"


def _pad(r):
    """F.pad(x, [last_before, last_after, ...], v) -> ttnn.pad(x, [(before, after) per dim from the first], v)."""
    rank = len(shape(r.values["self"]))
    flat = list(r.values["pad"])
    pairs = [(0, 0)] * rank
    for i in range(len(flat) // 2):
        pairs[rank - 1 - i] = (flat[2 * i], flat[2 * i + 1])
    if r.lowering.form.get(r.node) == NHWC:  # a channels-last value: its H and W are dims 1 and 2 (rules_conv.py)
        pairs = [pairs[d] for d in TO_NHWC]
    value = r.values.get("value")
    return r.call("ttnn.pad", [r.t("self"), str(pairs), r.lowering.literal(float(value or 0.0))])


def _pad_when(node, _context):
    values = arguments(node)
    if values.get("mode", "constant") != "constant":
        return f"{values.get('mode')} padding"
    pad = list(values["pad"])
    if not _static(*pad):
        return "a run-time padding"
    return None if all(p >= 0 for p in pad) else "negative padding (a crop)"


def _index_ids(r):
    """x[i0, ..., ik-1] (index tensors on the first k dims, broadcast together to shape S) reads row
    i0 * d1...dk-1 + ... + ik-1 of x viewed as (d0...dk-1, rest): these flat row ids, computed on host from the
    indices and uploaded as uint32 (a value of its own, so an index read off the inputs is prepared once)."""
    dims = list(shape(r.values["self"]))
    indices = [r.lowering.tensor_text(i, "host", "host") for i in r.values["indices"]]
    k = len(indices)
    strides = [math.prod(dims[j + 1 : k]) for j in range(k)]
    flat = " + ".join(i if isinstance(s, int) and s == 1 else f"{i} * {size(r, s)}" for i, s in zip(indices, strides))
    return f"ttnn.from_torch(({flat}).reshape(1, -1), dtype=ttnn.uint32, device=device)"


def _index(r):
    """ttnn.embedding of the flat row ids (_index_ids) into x viewed as (d0...dk-1, rest), ROW_MAJOR as embedding
    wants it, reshaped to S + the remaining dims."""
    dims, k = list(shape(r.values["self"])), len(r.values["indices"])
    ids = r.lowering.name_of((r.node, "ids"))
    table = r.call("ttnn.reshape", [r.t("self"), _dims(r, (math.prod(dims[:k]), math.prod(dims[k:])))], False)
    table = f"ttnn.to_layout({table}, ttnn.ROW_MAJOR_LAYOUT)"
    rows = r.call("ttnn.embedding", [ids, table, "layout=ttnn.TILE_LAYOUT"], memory=False)
    return r.call("ttnn.reshape", [rows, _dims(r, shape(r.node))])


def _index_when(node, _context):
    values = arguments(node)
    indices, dims = values["indices"], shape(values["self"])
    if any(i is None for i in indices):
        return "an index after a full slice (x[:, i])"
    if len(indices) > len(dims):
        return "more indices than dims"
    integer = all(
        isinstance(i, fx.Node)
        and i.meta.get("val") is not None
        and not i.meta["val"].is_floating_point()
        and i.meta["val"].dtype != torch.bool
        for i in indices
    )
    return None if integer else "a boolean or non-tensor index"


MOVEMENT = {
    "pad": Rule("ttnn.pad", _pad, when=_pad_when),
    "constant_pad_nd": Rule("ttnn.pad", _pad, when=_pad_when),
    "expand": Rule("ttnn.concat", _expand, when=_expand_when),
    "chunk": Rule("ttnn.split", _chunk, when=_chunk_when),
    "unbind": Rule("ttnn.split", _unbind, when=_unbind_when),
    "stack": Rule("ttnn.concat", _stack),
    "upsample_nearest2d": Rule("ttnn.concat", _upsample_nearest, when=_upsample_when),
}
