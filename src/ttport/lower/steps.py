"""Planned statements of a lowered function, before names are chosen; conversions between forms."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch

# Where a value lives: bfloat16 TILE on device, uint32 ROW_MAJOR on device (embedding ids), a torch tensor on host.
DEVICE_FORMS = (
    "tile",
    "ids",
    "nhwc",
    "index",
)  # nhwc: a 4-D NCHW value held channels-last [N, H, W, C] (rules_conv.py)
# index: the integer TILE tensor a selection op returns for positions (ttnn.topk / ttnn.sort: uint16, uint32 past
# 65535); it reads back as int64 on host, as torch's indices are
# Conversions between device forms that need no trip to host: NCHW <-> NHWC is one ttnn.permute.
DIRECT = {("tile", "nhwc"): "ttnn.permute({x}, (0, 2, 3, 1))", ("nhwc", "tile"): "ttnn.permute({x}, (0, 3, 1, 2))"}
# A host fallback after (or before) a channels-last op: the permute rides along with the trip to host.
TO_HOST_FROM_NHWC = "ttnn.to_torch(ttnn.permute({x}, (0, 3, 1, 2)), dtype=torch.float32)"
FROM_HOST_TO_NHWC = (
    "ttnn.permute(ttnn.from_torch({x}, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device), (0, 2, 3, 1))"
)
# From an index tensor: to host as torch's int64 indices, to embedding ids (uint32 ROW_MAJOR), to bfloat16 TILE.
INDEX_TO = {
    "host": ("ttnn.to_torch({x}).to(torch.int64)", "torch"),
    "ids": ("ttnn.to_layout(ttnn.typecast({x}, ttnn.uint32), ttnn.ROW_MAJOR_LAYOUT)", "ids"),
    "tile": ("ttnn.typecast({x}, ttnn.bfloat16)", "values"),
}
FORMS = DEVICE_FORMS + ("host",)
Key = tuple  # (fx.Node, form)

BFLOAT16_MAX = float(torch.finfo(torch.bfloat16).max)
# A float32 host value whose magnitude bfloat16 cannot hold becomes +-inf on device: float32's minimum in Hugging
# Face's additive masks turns a fully masked query row (left padding + causal) into -inf - -inf = NaN in softmax.
# Such a value is clamped to bfloat16's finite range on its way to the device, as tt-metal's own ports build
# their masks with bfloat16's minimum (models/demos/distilbert/demo/demo.py: masked_fill(..., finfo(bfloat16).min)).
TO_BFLOAT16_RANGE = ".clamp(torch.finfo(torch.bfloat16).min, torch.finfo(torch.bfloat16).max)"


def overflows_bfloat16(value) -> bool:
    """A finite float that rounds to +-inf in bfloat16 (float32's min and max do)."""
    return isinstance(value, float) and abs(value) > BFLOAT16_MAX and abs(value) != float("inf")


@dataclass(eq=False)
class Step:
    """One statement: defines `outputs`, reads `reads`; `render()` gives its right-hand side once names exist."""

    outputs: list[Key]
    reads: list[Key]
    render: Callable[[], str]
    comment: str = ""
    shares: dict = field(default_factory=dict)  # output key -> read key whose buffer it may share (views, in place)
    call: object = None  # a statements.Call when this step calls a child kind (for loop re-rolling)
    device_ops: tuple = ()  # ttnn calls it issues (for reports)
    names: dict = field(default_factory=dict)  # output key -> wanted name
    unpack: bool = False  # outputs are unpacked from a tuple even when there is one
    fresh: dict = field(default_factory=dict)  # output key -> False when it is not a new buffer (child passes through)
    call_key: str = ""  # the child call's key, for its planned peak
    suffix: str = ""  # wanted-name suffix of a conversion ("device", "torch", "ids")


def _is_bool(node) -> bool:
    value = getattr(node, "meta", {}).get("val")
    return getattr(value, "dtype", None) == torch.bool


def conversion(source: Key, form: str, *, clamp: bool = False) -> tuple[str, str]:
    """(text template, wanted-name suffix) moving `source` into `form`; {x} is the source's name. `clamp`: the host
    value may hold magnitudes bfloat16 cannot (TO_BFLOAT16_RANGE)."""
    node, start = source
    if (start, form) in DIRECT:
        return DIRECT[(start, form)], "nhwc" if form == "nhwc" else "nchw"
    if (start, form) == ("nhwc", "host"):
        return TO_HOST_FROM_NHWC, "torch"
    if (start, form) == ("host", "nhwc"):
        return FROM_HOST_TO_NHWC, "nhwc"
    if start == "host" and form == "tile":
        value = "{x}" + (TO_BFLOAT16_RANGE if clamp else "")
        return f"ttnn.from_torch({value}, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)", "device"
    if start == "host" and form == "ids":
        return "ttnn.from_torch({x}, dtype=ttnn.uint32, device=device)", "ids"
    if start == "tile" and form == "host":
        if _is_bool(node):  # a comparison's 1.0 / 0.0 on device: a torch bool again on host
            return "ttnn.to_torch({x}, dtype=torch.float32).bool()", "torch"
        return "ttnn.to_torch({x}, dtype=torch.float32)", "torch"
    if start == "index" and form in INDEX_TO:
        return INDEX_TO[form]
    if start == "ids" and form == "host":
        return "ttnn.to_torch({x}).to(torch.int64)", "torch"
    raise ValueError(f"no conversion from {start} to {form} for {node}")
