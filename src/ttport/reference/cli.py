"""`ttport reference MODEL --out DIR`: generate the functional torch reference and prove it module by module."""

from __future__ import annotations

import pathlib
import re

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

_STAGES = ("capture", "generate", "verify")


def add_subparser(subparsers) -> None:
    parser = subparsers.add_parser(
        "reference", help="generate reference/torch_<model>.py for a model and verify every module against it"
    )
    parser.add_argument(
        "model",
        help="built-in name (minilm, bert-tiny, ...), a local Hugging Face directory, or package.module:factory",
    )
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("."), help="output directory (default: .)")
    parser.add_argument("--name", help="model name in the file name (default: from MODEL)")
    parser.set_defaults(handler=main)


def main(args) -> int:
    from ..capture import CaptureError
    from ..zoo import ModelNotFoundError, resolve
    from .emit import GenerationError
    from .pipeline import run

    console = Console(stderr=True)
    name = args.name or _module_name(args.model)
    try:
        model, inputs = resolve(args.model)
        with _progress(console) as on_stage:
            result = run(model, inputs, name, out=args.out, on_stage=on_stage)
    except (CaptureError, GenerationError, ModelNotFoundError) as exc:
        console.print(f"[bold red]ttport reference:[/] {exc}", highlight=False)
        return 2
    Console().print(_table(result))
    shares = ", ".join(f"{stage} {seconds:.1f}s" for stage, seconds in result.seconds.items())
    console.print(f"wrote {result.path} ({len(result.generated.kinds)} functions; {shares})")
    failed = [row for row in result.rows if not row.passed]
    if failed:
        console.print(f"[bold red]{len(failed)} of {len(result.rows)} modules do not match[/]")
        return 1
    console.print(f"[green]all {len(result.rows)} modules match[/]")
    return 0


def _module_name(spec: str) -> str:
    base = pathlib.Path(spec.split(":")[-1]).name
    return re.sub(r"\W+", "_", base).strip("_").lower() or "model"


class _progress:
    """Rich progress bars, one per stage; the verify bar counts modules."""

    def __init__(self, console):
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<9}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
        )
        self.tasks = {}

    def __enter__(self):
        self.progress.start()
        return self.on_stage

    def __exit__(self, *exc):
        for task in self.tasks.values():
            self.progress.update(task, completed=self.progress.tasks[task].total)
        self.progress.stop()

    def on_stage(self, stage: str, total: int | None = None) -> None:
        if stage == "verify-step":
            self.progress.advance(self.tasks["verify"])
            return
        for previous in self.tasks.values():
            self.progress.update(previous, completed=self.progress.tasks[previous].total)
        self.tasks[stage] = self.progress.add_task(stage, total=total or 1)


def _table(result) -> Table:
    table = Table(title=f"functional torch vs {type(result.captured.model).__name__}, per module (fp32)")
    for column, justify in (("module", "left"), ("class", "left"), ("function", "left")):
        table.add_column(column, justify=justify)
    table.add_column("max abs diff", justify="right")
    table.add_column("PCC", justify="right")
    table.add_column("", justify="center")
    for row in result.rows:
        mark = "[green]ok[/]" if row.passed else f"[red]FAIL[/] {row.error}"
        table.add_row(row.path, row.module, row.function, f"{row.max_abs_diff:.2e}", f"{row.pcc:.6f}", mark)
    return table
