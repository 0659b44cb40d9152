"""`ttport port MODEL --out DIR` (the whole port, proven on the emulator) and `ttport test DIR` (re-run its tests).

Exit codes: 0 every module meets its PCC threshold; 1 some module, test or generated-code check does not;
2 the port could not be made (model not found, capture or lowering failed, edited files in the way).
"""

from __future__ import annotations

import pathlib
import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..progress import StageBars, add_model_argument, model_name


def add_subparser(subparsers) -> None:
    port = subparsers.add_parser(
        "port", help="port a model to TTNN: write models/demos/<name> (tt/, reference/, tests/, README) and test it"
    )
    add_model_argument(port)
    port.add_argument("--out", type=pathlib.Path, help="project directory (default: models/demos/<name>)")
    port.add_argument("--name", help="model name in file and function names (default: from MODEL)")
    port.add_argument("--weights", choices=["bf16", "bfp8"], default="bf16", help="weight format (default: bf16)")
    port.add_argument("--force", action="store_true", help="replace generated files even if they were edited")
    port.add_argument("--no-test", action="store_true", help="do not run the generated tests after writing them")
    port.add_argument("--traceback", action="store_true", help="show the Python traceback of a failure")
    port.set_defaults(handler=main_port)
    test = subparsers.add_parser("test", help="run a generated project's tests on the emulator and print the PCC table")
    test.add_argument("project", type=pathlib.Path, help="a directory written by ttport port")
    test.set_defaults(handler=main_test)


def main_port(args) -> int:
    from ..zoo import ModelNotFoundError, resolve
    from .pipeline import StageError, run
    from .writer import EditedFilesError

    console = Console(stderr=True)
    name = args.name or model_name(args.model)
    out = args.out or pathlib.Path("models") / "demos" / name
    try:
        model, inputs = resolve(args.model)
        with StageBars(console) as on_stage:
            result = run(
                model,
                inputs,
                name,
                model_spec=_portable_spec(args.model),
                out=out,
                weights=args.weights,
                force=args.force,
                run_tests=not args.no_test,
                on_stage=on_stage,
            )
    except (ModelNotFoundError, StageError, EditedFilesError) as exc:
        if args.traceback:
            console.print_exception()
        console.print(f"[bold red]ttport port:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return 2
    _stdout().print(port_table(result))
    shares = ", ".join(f"{stage} {seconds:.1f}s" for stage, seconds in result.seconds.items())
    report = result.emitted.report
    console.print(f"wrote {len(report.written)} files to {escape(str(out))} ({shares})", soft_wrap=True)
    notes = {"replaced (--force)": report.forced, "removed (no longer generated)": report.removed}
    notes["kept (edited, no longer generated)"] = report.kept
    for what, paths in notes.items():
        if paths:
            console.print(f"{what}: {escape(', '.join(paths))}", soft_wrap=True)
    return _verdict(console, result.failures, len(result.checks))


def _portable_spec(spec: str) -> str:
    """The spec the generated tests resolve, from their own directory: a local model directory made absolute."""
    return str(pathlib.Path(spec).resolve()) if pathlib.Path(spec).is_dir() else spec


def main_test(args) -> int:
    from .runner import NotAProjectError, run_tests

    console = Console(stderr=True)
    try:
        with StageBars(console) as on_stage:
            on_stage("test")
            run = run_tests(args.project, on_event=lambda event, value: _test_event(on_stage, event, value))
    except NotAProjectError as exc:
        console.print(f"[bold red]ttport test:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return 2
    if not run.cases:
        console.print(run.output[-3000:], highlight=False, markup=False)
        console.print(f"[bold red]ttport test:[/] pytest ran no test case (exit code {run.returncode})")
        return 2
    _stdout().print(test_table(run))
    failures = [f"{case.test}: {case.message or case.outcome}" for case in run.cases if not case.passed]
    if run.returncode != 0 and not failures:
        failures.append(f"pytest exited with {run.returncode}")
    console.print(f"{len(run.cases)} cases in {run.seconds:.1f}s")
    return _verdict(console, failures, len(run.cases))


def _stdout() -> Console:
    """The table's console: the terminal's width, or 160 columns when piped (rich would fold to 80)."""
    return Console() if sys.stdout.isatty() else Console(width=160)


def _test_event(on_stage, event: str, value) -> None:
    if event == "collected":
        on_stage("test", total=value)
    else:
        on_stage("test-step")


def _verdict(console: Console, failures: list[str], count: int) -> int:
    if failures:
        for failure in failures:
            console.print(f"[red]x[/] {escape(failure)}", highlight=False, soft_wrap=True)
        console.print(f"[bold red]{len(failures)} problem(s): the port is not proven[/]")
        return 1
    console.print(f"[green]all {count} modules meet their PCC threshold[/]")
    return 0


def _mark(passed: bool | None) -> str:
    return "" if passed is None else "[green]ok[/]" if passed else "[red]FAIL[/]"


def port_table(result) -> Table:
    """One row per module instance: verification on the emulator, and the generated test's result."""
    table = Table(title=f"{result.model_name}: TTNN vs PyTorch per module ({result.lowered.weights} weights)")
    for column in ("module", "function", "PCC", "test PCC", "threshold", "max abs err", "NaN/inf", "device ops", ""):
        table.add_column(column, justify="left" if column in ("module", "function") else "right")
    tests = {(case.kind, case.path): case for case in result.tests.cases} if result.tests is not None else {}
    for check in result.checks:
        case = tests.get((check.kind, check.path))
        test_pcc = "-" if case is None or case.pcc is None else f"{case.pcc:.6f}"
        passed = check.passed and (case is None or case.passed)  # instances the tests do not cover: "-"
        table.add_row(
            check.path or "<model>",
            check.kind,
            f"{check.pcc:.6f}",
            test_pcc,
            str(check.threshold),
            f"{check.max_abs_error:.3g}",
            str(check.nonfinite),  # elements whose NaN/inf the original does not have there
            str(check.device_ops),
            _mark(passed),
        )
    return table


def test_table(run) -> Table:
    table = Table(title=f"{run.project.name}: generated tests, TTNN vs captured PyTorch outputs")
    for column in ("module", "function", "PCC", "threshold", "max abs err", ""):
        table.add_column(column, justify="left" if column in ("module", "function") else "right")
    for case in run.cases:
        table.add_row(
            case.path or "<model>",
            case.kind,
            "-" if case.pcc is None else f"{case.pcc:.6f}",
            "-" if case.threshold is None else str(case.threshold),
            "-" if case.max_abs_error is None else f"{case.max_abs_error:.3g}",
            _mark(case.passed) + ("" if case.passed else f" {escape(case.message)}"),
        )
    return table
