"""`ttport reference MODEL --out DIR`: generate the functional torch reference and prove it module by module."""

from __future__ import annotations

import pathlib

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..progress import StageBars, add_model_argument, model_name


def add_subparser(subparsers, parents: list) -> None:
    parser = subparsers.add_parser(
        "reference",
        parents=parents,
        help="generate reference/torch_<model>.py for a model and verify every module against it",
    )
    add_model_argument(parser)
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("."), help="output directory (default: .)")
    parser.add_argument("--name", help="model name in the file name (default: from MODEL)")
    parser.set_defaults(handler=main)


def main(args) -> int:
    from ..port.preflight import check_name, check_writable
    from ..validate.inputs import run_eager
    from ..zoo import resolve
    from .pipeline import run

    console = Console(stderr=True)
    name = args.name or model_name(args.model)
    check_name(name)
    check_writable(args.out)
    model, inputs = resolve(args.model)
    run_eager(model, inputs)  # bad inputs and state mutation are refused before capture
    with StageBars(console) as on_stage:
        result = run(model, inputs, name, out=args.out, on_stage=on_stage)
    Console().print(_table(result))
    shares = ", ".join(f"{stage} {seconds:.1f}s" for stage, seconds in result.seconds.items())
    console.print(f"wrote {result.path} ({len(result.generated.kinds)} functions; {shares})")
    failed = [row for row in result.rows if not row.passed]
    if failed:
        for row in failed:
            console.print(f"[red]x[/] reference {escape(row.path or '<root>')}: {escape(row.failure)}", soft_wrap=True)
        console.print(f"[bold red]{len(failed)} of {len(result.rows)} modules do not match[/]")
        return 1
    console.print(f"[green]all {len(result.rows)} modules match[/]")
    return 0


def _table(result) -> Table:
    table = Table(title=f"functional torch vs {type(result.captured.model).__name__}, per module (fp32)")
    for column, justify in (("module", "left"), ("class", "left"), ("function", "left")):
        table.add_column(column, justify=justify)
    table.add_column("max abs diff", justify="right")
    table.add_column("PCC", justify="right")
    table.add_column("NaN/inf", justify="right")
    table.add_column("", justify="center")
    for row in result.rows:
        mark = "[green]ok[/]" if row.passed else f"[red]FAIL[/] {escape(row.failure)}"
        figures = (f"{row.max_abs_diff:.2e}", f"{row.pcc:.6f}", str(row.nonfinite))
        table.add_row(row.path, row.module, row.function, *figures, mark)
    return table
