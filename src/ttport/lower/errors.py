"""LoweringError, and how a failure inside the lowering is reported: the module, the op it was at (with the model's
source line that made the op), what went wrong, and what to do about it."""

from __future__ import annotations

from torch import fx

from ..capture.identity import op_name
from ..codegen.naming import frames

WHAT_TO_DO = (
    "ttport.lower has no way to express this construct; rewrite that line of the model with ops "
    "ttport.lower.rules.RULES maps (or move it into a module of its own), or report it with this message"
)


class LoweringError(Exception):
    """A module call the lowering cannot express; the message names the module, the op and what to do."""


def describe(at) -> str:
    """The op, child call or statement the lowering was at, with the line of the model's source that made it."""
    if isinstance(at, fx.Node):
        what = f"aten.{op_name(at)} ({at.name})" if at.op == "call_function" else f"{at.op} {at.name}"
        found = frames(at)
        if found:
            file, line, code = found[-1]
            what += f", from `{code}` ({file}:{line})"
        return what
    path = getattr(at, "path", None)
    if path is not None:  # a child ModuleCall
        return f"the call of {path or '<root>'} ({type(at.module).__name__})"
    outputs = getattr(at, "outputs", None)  # a planned Step
    if outputs:
        call = getattr(at, "call", None)
        if call is not None:
            return f"the call of {call.path}"
        node = outputs[0][0]
        return describe(node) if isinstance(node, fx.Node) else f"the statement defining {node!r}"
    return "no single op (planning the whole function)"


def internal(where: str, at, exc: BaseException) -> LoweringError:
    """A failure the lowering did not foresee, as a LoweringError naming the module and the op."""
    return LoweringError(f"{where}: cannot lower {describe(at)} (internal {type(exc).__name__}: {exc}). {WHAT_TO_DO}")
