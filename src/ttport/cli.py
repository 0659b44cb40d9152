"""The `ttport` command line: demo (the main job), run (a script under `import ttnn`) and the porting stages."""

from __future__ import annotations

import argparse
import os
import runpy
import sys


def _demo(args) -> int:
    from ttport.demo.seed_demo import main

    return main(numerics=args.numerics)


def _run(args) -> int:
    """Run a script (or -m module) with `import ttnn` resolved, as `python` would run it."""
    from ttport import emu

    if args.script == "pytest":  # `ttport run pytest <tests>`: tt-metal's tests on the emulator (ttport.emu.harness)
        from ttport.emu.harness import run_pytest

        return run_pytest(args.args)
    emu.install()
    print(emu.backend_description(), file=sys.stderr)
    sys.argv = [args.script, *args.args]
    try:
        if args.module:
            sys.path.insert(0, os.getcwd())
            runpy.run_module(args.script, run_name="__main__", alter_sys=True)
        else:
            sys.path.insert(0, os.path.dirname(os.path.abspath(args.script)))
            runpy.run_path(args.script, run_name="__main__")
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ttport", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="run the seed's TTNN blocks on MiniLM's real weights on the emulator")
    demo.add_argument(
        "--numerics",
        choices=["faithful", "ideal"],
        default="faithful",
        help="emulator numerics: faithful (formats, fidelity; default) or ideal (fp32, for diagnosis)",
    )
    demo.set_defaults(handler=_demo)

    run = commands.add_parser("run", help="run SCRIPT with `import ttnn` provided (emulator where no card)")
    run.add_argument("-m", dest="module", action="store_true", help="SCRIPT is a module name, as in python -m")
    run.add_argument(
        "script", help="path of the Python script (or module name with -m); `pytest` runs pytest on the emulator"
    )
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    run.set_defaults(handler=_run)

    from ttport.port.cli import add_subparser as add_port
    from ttport.reference.cli import add_subparser as add_reference

    add_reference(commands)
    add_port(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
