"""One op rule: the ttnn call an ATen op becomes, the forms of its tensor arguments, how a parameter read there is
prepared, and when it applies (rules.py, rules_movement.py, rules_compute.py hold the table)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rule:
    call: str  # the ttnn function it emits (for reports)
    render: Callable  # (Render) -> right-hand side text
    forms: dict = field(default_factory=dict)  # tensor argument -> form it must be in (default "tile")
    weights: dict = field(default_factory=dict)  # argument -> preparation of a parameter read there
    when: Callable | None = None  # (node, context) -> None if the rule applies, else the reason it does not
    alias: bool = False  # the output may share the input's buffer (reshape): never deallocate the input for it
    keeps_form: bool = False  # output form = first input's form (reshape of ids stays ids)
    # a bool result held on device as ttnn's comparisons give it, 1.0 / 0.0 in bfloat16 (rules_eltwise.py)
    bool_result: bool = False
    output_form: str = "tile"  # the form the op produces (convs and pools: channels-last "nhwc", rules_conv.py)
    # (Render) -> text making, from its host arguments, the uint32 ids it reads on the device (index's flat row ids):
    # a step of its own before the op, so prepare.py moves it out of the forward when it reads only inputs
    ids: Callable | None = None
    # forms of the items of a tuple output, read by getitem (topk's (values, indices): ("tile", "index")); empty:
    # every item takes the op's output_form
    item_forms: tuple = ()


def call(name: str, *positional: str, keywords: tuple = (), memory: bool = True):
    """ttnn.name(tensor args..., keyword=literal for keywords given explicitly)."""

    def render(r):
        parts = [r.t(a) for a in positional]
        parts += [f"{k}={r.p(k)}" for k in keywords if r.given(k)]
        return r.call(name, parts, memory=memory)

    return render
