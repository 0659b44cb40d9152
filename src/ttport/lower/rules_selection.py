"""Selection and replication on the device: topk, sort, argmax, gather, index along a later dim, repeat, roll over
several dims, cumsum. Each entry's comment gives its algebra; index tensors computed on host are uploaded as uint32
TILE ids in a step of their own (Rule.ids), so prepare.py moves them out of the forward when they read only inputs."""

from __future__ import annotations

from torch import fx

from .graph import arguments, is_float, shape
from .rule import Rule
from .rules_movement import _dims, _index, _index_ids, _index_when, _static, size

# ttnn.gather reads its index as uint32 TILE (0.81.1's docstring: UINT16 / UINT32, TILE).
UPLOAD_INDEX = "ttnn.from_torch({x}, dtype=ttnn.uint32, layout=ttnn.TILE_LAYOUT, device=device)"


def _integer(value) -> bool:
    meta = value.meta.get("val") if isinstance(value, fx.Node) else None
    return meta is not None and not meta.is_floating_point() and str(meta.dtype) != "torch.bool"


def _host_index(r, value) -> str:
    """An index as host source: a constant the model wrote inline (x[:, :, [-2]] lifts torch.tensor([-2])) as that
    literal, anything else by its host value."""
    lowering = r.lowering
    value = lowering.resolve(value) if isinstance(value, fx.Node) else value
    if isinstance(value, fx.Node) and value.op == "get_attr":
        if lowering.context.relative_attribute(value.target, lowering.call.path) is None:
            return lowering.builder.context.constant(value)
    return lowering.tensor_text(value, "host", "host")


def _gather_ids(r):
    """torch.gather's index, computed on host (DeBERTa's relative positions), as ttnn.gather reads it."""
    return UPLOAD_INDEX.format(x=_host_index(r, r.values["index"]))


def _gather(r):
    """torch.gather(x, d, i) -> ttnn.gather(x, d, index=i): out[..., j, ...] = x[..., i[..., j, ...], ...]."""
    dim = r.values["dim"] % len(shape(r.values["self"]))
    ids = r.lowering.name_of((r.node, "ids"))
    return r.call("ttnn.gather", [r.t("self"), str(dim), f"index={ids}"])


def _gather_when(node, _context):
    values = arguments(node)
    if values.get("sparse_grad"):
        return "sparse_grad"
    return None if _integer(values["index"]) else "a non-integer index"


def _one_index(node):
    """(dim, index node) of x[:, ..., :, i]: one integer index tensor after full slices, else None."""
    indices = list(arguments(node)["indices"])
    tensors = [(d, i) for d, i in enumerate(indices) if i is not None]
    if len(tensors) != 1 or tensors[0][0] == 0 or not _integer(tensors[0][1]):
        return None
    dim, index = tensors[0]
    return (dim, index) if len(shape(index)) == 1 else None


def _index_later_ids(r):
    """x[:, ..., i] with i 1-D: i (negatives wrapped) broadcast over the output's shape, as ttnn.gather's index."""
    dim, index = _one_index(r.node)
    length = size(r, shape(r.values["self"])[dim])
    out = shape(r.node)
    view = ["1"] * len(out)
    view[dim] = "-1"
    host = _host_index(r, index)
    wrapped = f"({host} % {length}).reshape({', '.join(view)}).expand({', '.join(size(r, d) for d in out)})"
    return UPLOAD_INDEX.format(x=wrapped)


def _index_later(r):
    """x[:, ..., i] (one 1-D index on dim d > 0, full slices before it) -> ttnn.gather(x, d, index=i broadcast)."""
    dim, _ = _one_index(r.node)
    ids = r.lowering.name_of((r.node, "ids"))
    return r.call("ttnn.gather", [r.t("self"), str(dim), f"index={ids}"])


def _repeat(r):
    """x.repeat(r0, ..., rn) -> ttnn.repeat(x, [r0, ..., rn]) (extra leading counts add leading dims first)."""
    counts = list(r.values["repeats"])
    source = shape(r.values["self"])
    text = r.t("self")
    if len(counts) > len(source):
        lead = (1,) * (len(counts) - len(source)) + tuple(source)
        text = r.call("ttnn.reshape", [text, _dims(r, lead)], memory=False)
    spelled = [r.lowering.builder.value(c).text if isinstance(c, fx.Node) else size(r, c) for c in counts]
    return r.call("ttnn.repeat", [text, "[" + ", ".join(spelled) + "]"])


def _roll(r):
    """torch.roll(x, shifts, dims) -> ttnn.roll(x, shifts, dims): out[j] = x[(j - s) mod n] along each dim."""
    values = r.values
    rank = len(shape(values["self"]))
    shifts = [str(s) for s in values["shifts"]]
    dims = [str(d % rank) for d in values["dims"]]
    return r.call("ttnn.roll", [r.t("self"), "[" + ", ".join(shifts) + "]", "[" + ", ".join(dims) + "]"])


def _roll_when(node, _context):
    values = arguments(node)
    shifts, dims = list(values["shifts"]), list(values.get("dims") or [])
    if not dims:
        return "a roll of the flattened tensor"
    return None if len(shifts) == len(dims) and _static(*shifts) else "run-time shifts"


def _cumsum(r):
    """torch.cumsum(x, d) -> ttnn.cumsum(x, d): the device keeps the running sum in the tensor's format."""
    dim = r.values["dim"] % max(len(shape(r.values["self"])), 1)
    return r.call("ttnn.cumsum", [r.t("self"), str(dim)])


def _cumsum_when(node, _context):
    return None if is_float(node) else "an integer running sum (position ids are prepared on host)"


def _topk(r):
    """torch.topk(x, k, d, largest, sorted) -> ttnn.topk(x, k, dim=d, largest=, sorted=): (values, indices),
    the indices an integer TILE tensor (uint16 while the dim fits)."""
    values = r.values
    dim = values.get("dim", -1) % len(shape(values["self"]))
    parts = [r.t("self"), str(values["k"]), f"dim={dim}"]
    parts += [f"{name}={values[name]}" for name in ("largest", "sorted") if name in values and not values[name]]
    return r.call("ttnn.topk", parts)


def _sort(r):
    """torch.sort(x, d, descending) -> ttnn.sort(x, dim=d, descending=): (values, indices) as topk's."""
    values = r.values
    dim = values.get("dim", -1) % len(shape(values["self"]))
    parts = [r.t("self"), f"dim={dim}"] + (["descending=True"] if values.get("descending") else [])
    return r.call("ttnn.sort", parts)


def _select_when(node, _context):
    """A float input whose selected dim has a fixed size (the device op's index dtype depends on it)."""
    source = arguments(node)["self"]
    dims = shape(source)
    dim = arguments(node).get("dim", -1)
    if not is_float(source) or not dims:
        return "not a float tensor of rank >= 1"
    return None if _static(dims[dim % len(dims)]) else "a run-time size along the selected dim"


def _argmax(r):
    """torch.argmax(x, d, keepdim) -> ttnn.argmax(x, dim=d, keepdim=): uint32 ROW_MAJOR positions (the ids form)."""
    dim = r.values["dim"] % len(shape(r.values["self"]))
    keep = ["keepdim=True"] if r.values.get("keepdim") else []
    return r.call("ttnn.argmax", [r.t("self"), f"dim={dim}", *keep])


def _argmax_when(node, _context):
    values = arguments(node)
    if values.get("dim") is None:
        return "an argmax over all elements"
    return None if is_float(values["self"]) else "an integer input"


def _index_any(r):
    return _index_later(r) if _one_index(r.node) else _index(r)


def _index_any_ids(r):
    return _index_later_ids(r) if _one_index(r.node) else _index_ids(r)


def _index_any_when(node, context):
    return None if _one_index(node) else _index_when(node, context)


SELECTION = {
    "index": Rule("ttnn.embedding", _index_any, forms={"indices": "host"}, when=_index_any_when, ids=_index_any_ids),
    "gather": Rule("ttnn.gather", _gather, forms={"index": "host"}, when=_gather_when, ids=_gather_ids),
    "repeat": Rule("ttnn.repeat", _repeat),  # a run-time count is spelled by its size name (DeBERTa-v2's batch)
    "roll": Rule("ttnn.roll", _roll, when=_roll_when),
    "cumsum": Rule("ttnn.cumsum", _cumsum, when=_cumsum_when),
    "argmax": Rule("ttnn.argmax", _argmax, when=_argmax_when, output_form="ids"),
    "topk": Rule("ttnn.topk", _topk, when=_select_when, item_forms=("tile", "index")),
    "sort": Rule("ttnn.sort", _sort, when=_select_when, item_forms=("tile", "index")),
}
