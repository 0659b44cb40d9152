"""Typed capture errors: name the module, the construct, a short summary of the export error, and what to try."""

from __future__ import annotations

import textwrap


class CaptureError(Exception):
    """A model could not be captured; the message says where, why, and what to try."""

    construct = "an unsupported construct"
    advice = "simplify the module's forward or pass different example inputs."

    def __init__(self, module: str, summary: str, *, advice: str | None = None):
        self.module = module
        self.summary = summary
        self.advice_text = advice or self.advice
        super().__init__(self._message())

    def _message(self) -> str:
        summary = textwrap.shorten(" ".join(self.summary.split()), 600, placeholder=" ...")
        return f"cannot capture {self.module}: {self.construct}.\n  export said: {summary}\n  try: {self.advice_text}"


class DataDependentControlFlowError(CaptureError):
    construct = "data-dependent control flow (a Python branch or size that depends on tensor values)"
    advice = (
        "replace the branch with torch.where / torch.cond, or make the size static; "
        "if the value is really a constant, compute it from the config instead of a tensor."
    )


class UnsupportedInputError(CaptureError):
    construct = "an unsupported input type"
    advice = "pass tensors, numbers, booleans, None, or tuples/lists/dicts of them as example inputs."


class DynamicShapeError(CaptureError):
    construct = "a dynamic dimension that the model constrains"
    advice = "export with static shapes (dynamic=False) or adjust the torch.export.Dim ranges."


class UnsupportedOperatorError(CaptureError):
    construct = "an operator or Python construct torch.export cannot trace"
    advice = "rewrite that part of the forward with plain torch operations, or move it out of the model."


class BindingError(CaptureError):
    construct = "values that could not be matched to the module's forward arguments"
    advice = "make the module take every tensor it reads as a forward argument."
