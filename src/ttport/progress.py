"""What the model-taking commands (`ttport reference`, `ttport port`) share: the MODEL argument and stage bars."""

from __future__ import annotations

import pathlib
import re

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


def add_model_argument(parser) -> None:
    parser.add_argument(
        "model",
        help="built-in name (minilm, bert-tiny, ...), a local Hugging Face directory, or package.module:factory",
    )


def model_name(spec: str) -> str:
    """A snake_case name for files and functions from a MODEL spec: 'bert-tiny' -> 'bert_tiny'."""
    base = pathlib.Path(spec.split(":")[-1]).name
    return re.sub(r"\W+", "_", base).strip("_").lower() or "model"


class StageBars:
    """Rich progress bars, one per stage; `<stage>-step` advances that stage's bar; a repeated stage resizes it.

    with StageBars(console) as on_stage:
        run(..., on_stage=on_stage)   # on_stage("verify", total=46), then on_stage("verify-step") per module
    """

    def __init__(self, console: Console):
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<9}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
        )
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        self.progress.start()
        return self.on_stage

    def __exit__(self, *exc):
        self.progress.stop()

    def on_stage(self, stage: str, total: int | None = None) -> None:
        if stage.endswith("-step"):
            self.progress.advance(self.tasks[stage.removesuffix("-step")])
            return
        if stage in self.tasks:
            self.progress.update(self.tasks[stage], total=total or 1)
            return
        for task in self.tasks.values():
            self.progress.update(task, completed=self.progress.tasks[task].total)
        self.tasks[stage] = self.progress.add_task(stage, total=total or 1)
