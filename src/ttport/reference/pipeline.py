"""capture -> generate -> verify -> write, with a callback per stage for progress display and timing."""

from __future__ import annotations

import logging
import pathlib
import time
from dataclasses import dataclass, field

import torch

from ..capture import Captured, capture
from ..codegen.builder import DynamicSizeError
from .generate import Generated, generate
from .verify import Row, verify


@dataclass
class Result:
    captured: Captured
    generated: Generated
    rows: list[Row]
    seconds: dict[str, float] = field(default_factory=dict)  # stage -> wall time
    path: pathlib.Path | None = None

    @property
    def passed(self) -> bool:
        return bool(self.rows) and all(row.passed for row in self.rows)


def run(model: torch.nn.Module, inputs: dict, name: str, out: pathlib.Path | None = None, on_stage=None) -> Result:
    """The whole reference job for one model; `on_stage(stage, total=None)` is called as each stage starts.

    >>> result = run(*ttport.zoo.resolve("bert-tiny"), "bert_tiny", out=pathlib.Path("out"))
    >>> result.passed, result.path
    (True, PosixPath('out/reference/torch_bert_tiny.py'))
    """
    seconds = {}
    notify = on_stage or (lambda *_, **__: None)
    start = time.perf_counter()
    notify("capture")
    captured = capture(model, inputs)
    seconds["capture"] = time.perf_counter() - start
    start = time.perf_counter()
    notify("generate")
    captured, generated = generate_or_static(captured, name)
    seconds["generate"] = time.perf_counter() - start
    start = time.perf_counter()
    notify("verify", total=len(captured.calls()))
    rows = verify(captured, generated, progress=lambda: notify("verify-step"))
    seconds["verify"] = time.perf_counter() - start
    result = Result(captured, generated, rows, seconds)
    if out is not None:
        result.path = write(generated, out)
    return result


def generate_or_static(captured: Captured, name: str) -> tuple[Captured, Generated]:
    """generate(captured); where a module uses a dynamic size its arguments cannot spell, capture again with the
    example inputs' static shapes, and say so on the console (logger "ttport")."""
    try:
        return captured, generate(captured, name)
    except DynamicSizeError as exc:
        static = capture(captured.model, captured.inputs, dynamic=False)
        note = f"dynamic shapes dropped: {exc}; captured again with the example inputs' static shapes"
        static.notes.append(note)
        logging.getLogger("ttport").warning("ttport: %s", note)
        return static, generate(static, name)


def write(generated: Generated, out: pathlib.Path) -> pathlib.Path:
    path = pathlib.Path(out) / "reference" / f"torch_{generated.model_name}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(generated.source)
    return path
