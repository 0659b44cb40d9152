"""Channels-last across module boundaries: which inputs a function takes NHWC, which outputs it returns so.

Inside a function a conv stack stays channels-last ("nhwc", rules_conv.py). A function below the model's takes an
input channels-last when one of its readers reads it so (a conv, a pool, a channels-last element-wise op, a child
function taking it channels-last), and returns every channels-last value as it is. The caller passes and receives
that form as it holds it, so NCHW <-> NHWC costs one ttnn.permute where the model's own function meets torch's layout
or where a reader really needs NCHW (a flatten, a matmul over channels), not a pair per module. tt-metal's hand
ports do the same: models/experimental/functional_resnet/tt/ttnn_functional_resnet.py's resnet_basic_block takes and
returns channels-last activations, and its tests permute the torch input to NHWC before ttnn.from_torch and the
output back to NCHW before assert_with_pcc.

The model's own function keeps torch's NCHW at both ends: that is the boundary its callers see.
"""

from __future__ import annotations

import textwrap

from torch import fx

from ..capture.bind import is_symbolic
from .graph import is_float, op_name, shape
from .rules import RULES
from .rules_conv import NHWC

LAYOUT = "channels-last (NHWC, [N, H, W, C])"


def take_channels_last(lowering) -> bool:
    """Give NHWC form to each argument of a function below the model (every leaf of it, so it has one kind) when
    that needs fewer permutes in the function than taking it NCHW; True when one changed (items placed again).

    Strictly fewer: a function with no channels-last op (a transformer's) never changes."""
    if not lowering.call.path or lowering.nchw_only:
        return False
    leaves: dict[str, list[fx.Node]] = {}
    for node, expr in lowering.inputs.items():
        leaves.setdefault(expr.split("[", 1)[0], []).append(node)
    changed = False
    for nodes in leaves.values():
        if not all(_eligible(lowering, node) for node in nodes):
            continue
        before, saved = permutes(lowering), _sizes(lowering)
        for node in nodes:
            lowering.form[node] = NHWC
        lowering.place_items()
        if permutes(lowering) < before:
            changed = True
            _forget_sizes_of(lowering, nodes)
            continue
        for node in nodes:
            lowering.form[node] = "tile"
        lowering.place_items()
        _restore(lowering, saved)  # as if never tried: the sizes a rule spelled meanwhile, in their order
    return changed


def _sizes(lowering) -> tuple[dict, dict]:
    """The size names (and config keywords) placing has defined so far: placing may define more (a rule's `when`)."""
    return dict(lowering.builder.prelude), dict(lowering.builder.kwargs)


def _forget_sizes_of(lowering, nodes: list[fx.Node]) -> None:
    """Size names read off these arguments while they were NCHW: spelled again, at their NHWC dims, when read."""
    prelude = lowering.builder.prelude
    reads = tuple(f"{lowering.inputs[node]}.shape[" for node in nodes)
    for name in [name for name, text in prelude.items() if text.startswith(reads)]:
        del prelude[name]


def _restore(lowering, saved: tuple[dict, dict]) -> None:
    for current, before in zip((lowering.builder.prelude, lowering.builder.kwargs), saved):
        current.clear()
        current.update(before)


def _eligible(lowering, node: fx.Node) -> bool:
    """A float 4-D input now on device NCHW (a size read off it reads the NHWC dim: function._Builder.held_dim)."""
    return lowering.form.get(node) == "tile" and is_float(node) and len(shape(node)) == 4


def permutes(lowering) -> int:
    """The NCHW <-> NHWC conversions the placed items need: each value read across that line, once per form."""
    crossing = set()
    for source, form in _reads(lowering):
        native = lowering.form.get(source, "host")
        if form in CONVERTIBLE and native in CONVERTIBLE and (native == NHWC) != (form == NHWC):
            crossing.add((source, form))
    return len(crossing)


CONVERTIBLE = ("tile", NHWC, "host")


def _reads(lowering):
    """(value, form) of every read of the placed items, as their steps will read them (function.op_step)."""
    for item in lowering.items:
        if item.call is not None:
            port = lowering.ports[item.call.key]
            yield from ((lowering.resolve(n), lowering.leaf_form(port, expr)) for expr, n in item.call.inputs)
            continue
        node = item.node
        if node in lowering.alias or is_symbolic(node):
            continue
        form, sources = lowering.form.get(node, "host"), lowering.sources(node)
        rule = RULES.get(op_name(node))
        if form == "host" or rule is None or op_name(node) == "getitem":
            yield from ((s, "host" if form == "host" else form) for s in sources)
            continue
        yield from ((s, lowering.read_form(node, lowering.argument_of(node, s), rule)) for s in sources)


def returned_form(form: str, root: bool) -> str:
    """The form a function returns a value in: channels-last stays so below the model; the model returns NCHW."""
    return "tile" if form == NHWC and root else form


def layout_comment(inputs: list[str], outputs: list[str], all_outputs: bool) -> list[str]:
    """Comment lines at a function taking or returning channels-last values, as a hand port says it."""
    texts = []
    if inputs:
        texts.append(f"takes {', '.join(inputs)} {LAYOUT}, not NCHW as torch holds it")
    if outputs:
        returned = "its result" if all_outputs and len(outputs) == 1 else ", ".join(outputs)
        texts.append(f"returns {returned} {LAYOUT}: the caller permutes it where it needs NCHW")
    # wrapped to the generated code's 120 columns (DPT's neck returns four values: 127)
    return [line for text in texts for line in textwrap.wrap(text, 118, initial_indent="# ", subsequent_indent="# ")]
