"""The `ttport` command line: demo (the main job), run (a script under `import ttnn`) and the porting stages."""

from __future__ import annotations

import argparse
import runpy
import sys


def _demo(args) -> int:
    from ttport.demo.seed_demo import main

    return main(numerics=args.numerics)


def _run(args) -> int:
    """Run a Python script with `import ttnn` resolved (emulator unless real ttnn and a card are present)."""
    from ttport import emu

    emu.install()
    print(emu.backend_description(), file=sys.stderr)
    sys.argv = [args.script, *args.args]
    try:
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
    run.add_argument("script", help="path of the Python script")
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    run.set_defaults(handler=_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
