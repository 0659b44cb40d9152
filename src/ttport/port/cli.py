"""`ttport port MODEL --out DIR` (the whole port, proven on the emulator) and `ttport test DIR` (re-run its tests).

Exit codes: 0 proven: every output of every module checked meets its threshold (with host fallbacks named, unless
--strict); 1 a check missed (module PCC, NaN/inf, a generated test, generated-code lint, a host fallback under
--strict); 2 no port (bad model spec, bad inputs, unusable --out, a stage that failed, edited files in the way).
"""

from __future__ import annotations

import argparse
import pathlib
import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..progress import StageBars, add_model_argument, model_name

PORT_EPILOG = """\
verdict: proven = every output of every module instance compared (NaN/inf counted), each meeting its PCC
threshold (0.999 per module, 0.99 for the model), on weights the checkpoint has. Ops with no TTNN rule run in torch
on host; the port is then "proven with N host fallbacks" (named, exit 0), or not proven under --strict (exit 1).
exit codes: 0 proven, 1 a check missed (the message names the check, the value and the limit), 2 no port.
"""


def add_subparser(subparsers, parents: list) -> None:
    port = subparsers.add_parser(
        "port",
        parents=parents,
        help="port a model to TTNN: write models/demos/<name> (tt/, reference/, tests/, README) and test it",
        epilog=PORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_argument(port)
    port.add_argument("--out", type=pathlib.Path, help="project directory (default: models/demos/<name>)")
    port.add_argument("--name", help="model name in file and function names (default: from MODEL)")
    port.add_argument("--weights", choices=["bf16", "bfp8"], default="bf16", help="weight format (default: bf16)")
    port.add_argument(
        "--force",
        action="store_true",
        help="replace generated files even if they were edited (each is first copied to <out>/.ttport-backup/)",
    )
    port.add_argument("--strict", action="store_true", help="a host fallback fails the port (exit 1)")
    port.add_argument("--no-test", action="store_true", help="do not run the generated tests after writing them")
    port.set_defaults(handler=main_port)
    test = subparsers.add_parser(
        "test", parents=parents, help="run a generated project's tests on the emulator and print the PCC table"
    )
    test.add_argument("project", type=pathlib.Path, help="a directory written by ttport port")
    test.set_defaults(handler=main_test)


def main_port(args) -> int:
    from ..zoo import resolve
    from .pipeline import run
    from .preflight import check_name, check_out

    console = Console(stderr=True)
    name = args.name or model_name(args.model)
    out = args.out or pathlib.Path("models") / "demos" / name
    check_name(name)  # before the model is even loaded
    check_out(out, force=args.force)
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
            strict=args.strict,
            run_tests=not args.no_test,
            on_stage=on_stage,
        )
    _stdout().print(port_table(result))
    shares = ", ".join(f"{stage} {seconds:.1f}s" for stage, seconds in result.seconds.items())
    report = result.emitted.report
    console.print(f"wrote {len(report.written)} files to {escape(str(out))} ({shares})", soft_wrap=True)
    notes = {"replaced (--force)": report.forced, "removed (no longer generated)": report.removed}
    notes["kept (edited, no longer generated)"] = report.kept
    for what, paths in notes.items():
        if paths:
            console.print(f"{what}: {escape(', '.join(paths))}", soft_wrap=True)
    if report.backup is not None:
        console.print(f"the replaced files are backed up in {escape(str(report.backup))}", soft_wrap=True)
    return _verdict(console, result.failures, len(result.checks), result.fallbacks)


def _portable_spec(spec: str) -> str:
    """The spec the generated tests resolve, from their own directory: a local model directory made absolute."""
    return str(pathlib.Path(spec).resolve()) if pathlib.Path(spec).is_dir() else spec


def main_test(args) -> int:
    from .pipeline import failed_case
    from .runner import run_tests

    console = Console(stderr=True)
    _check_project(args.project)
    with StageBars(console) as on_stage:
        on_stage("test")
        run = run_tests(args.project, on_event=lambda event, value: _test_event(on_stage, event, value))
    if not run.cases:
        console.print(run.output[-3000:], highlight=False, markup=False)
        console.print(f"[bold red]ttport test:[/] pytest ran no test case (exit code {run.returncode})")
        return 2
    _stdout().print(test_table(run))
    failures = [f"{case.test}: {case.message or case.outcome}" for case in run.cases if failed_case(case)]
    if run.returncode != 0 and not failures:
        failures.append(f"pytest exited with {run.returncode}")
    skipped = sum(1 for case in run.cases if case.outcome == "skipped")
    console.print(f"{len(run.cases)} cases in {run.seconds:.1f}s" + (f" ({skipped} skipped)" if skipped else ""))
    return _verdict(console, failures, len(run.cases) - skipped)


def _check_project(project: pathlib.Path) -> None:
    """Refuse a directory ttport did not write before pytest runs a whole repository's suite as if it were one."""
    from .headers import FOREIGN, file_status
    from .runner import NotAProjectError

    conftest = pathlib.Path(project) / "tests" / "conftest.py"
    if not conftest.is_file() or file_status(conftest) == FOREIGN:
        why = "no tests/conftest.py" if not conftest.is_file() else "its tests/conftest.py has no ttport header"
        raise NotAProjectError(
            f"{project} is not a project generated by ttport port ({why}); give the --out directory of a port, or "
            "run pytest yourself on other test suites"
        )


def _stdout() -> Console:
    """The table's console: the terminal's width, or 160 columns when piped (rich would fold to 80)."""
    return Console() if sys.stdout.isatty() else Console(width=160)


def _test_event(on_stage, event: str, value) -> None:
    if event == "collected":
        on_stage("test", total=value)
    else:
        on_stage("test-step")


def _verdict(console: Console, failures: list[str], count: int, fallbacks: list[str] = ()) -> int:
    if failures:
        for failure in failures:
            console.print(f"[red]x[/] {escape(failure)}", highlight=False, soft_wrap=True)
        console.print(f"[bold red]{len(failures)} problem(s): the port is not proven[/]")
        return 1
    if fallbacks:
        named = escape(", ".join(fallbacks))
        console.print(
            f"[yellow]proven with {len(fallbacks)} host fallback(s): {named}[/] (all {count} modules meet their PCC "
            "threshold; these ops run in torch on host, --strict fails them)",
            soft_wrap=True,
        )
        return 0
    console.print(f"[green]proven: all {count} modules meet their PCC threshold, every op on the device[/]")
    return 0


def _mark(passed: bool | None) -> str:
    return "" if passed is None else "[green]ok[/]" if passed else "[red]FAIL[/]"


def port_table(result) -> Table:
    """One row per module instance: verification on the emulator, and the generated test's result."""
    from .pipeline import failed_case

    table = Table(title=f"{result.model_name}: TTNN vs PyTorch per module ({result.lowered.weights} weights)")
    columns = ("module", "function", "PCC", "test PCC", "threshold", "max abs err", "NaN/inf", "device ops", "host ops")
    for column in (*columns, ""):
        table.add_column(column, justify="left" if column in ("module", "function") else "right")
    tests = {(case.kind, case.path): case for case in result.tests.cases} if result.tests is not None else {}
    host = {kind.name: len(kind.fallbacks) for kind in result.lowered.kinds}  # ops of its own code run in torch
    for check in result.checks:
        case = tests.get((check.kind, check.path))
        test_pcc = "-" if case is None or case.pcc is None else f"{case.pcc:.6f}"
        passed = check.passed and (case is None or not failed_case(case))  # instances the tests do not cover: "-"
        table.add_row(
            check.path or "<model>",
            check.kind,
            f"{check.pcc:.6f}",
            test_pcc,
            str(check.threshold),
            f"{check.max_abs_error:.3g}",
            str(check.nonfinite),  # elements whose NaN/inf the original does not have there
            str(check.device_ops),
            str(host.get(check.kind, 0)),
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
            "skipped"
            if case.outcome == "skipped"
            else _mark(case.passed) + ("" if case.passed else f" {escape(case.message)}"),
        )
    return table
