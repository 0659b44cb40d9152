"""Port every zoo architecture (ttport.archs) and write the coverage table and the triage.

Each port runs in its own subprocess with a timeout (one at a time: the machine is shared), through the same
pipeline `ttport port NAME --no-test` runs, and reports: modules checked, lowest module PCC, whole-model PCC, NaN,
host fallbacks, port time, peak memory, and the verdict or the refusal (stage and first line of the message).

Not a test. Run: .venv/bin/python benchmarks/zoo_report.py [NAME ...] [--timeout S] [--readme README.md]
Writes docs/zoo-triage.md (one line per architecture, then the failures grouped by class) and docs/zoo-results.json;
with --readme, replaces the coverage table between the markers in that file.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import resource
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = pathlib.Path(__file__).resolve().parent.parent
TRIAGE = ROOT / "docs" / "zoo-triage.md"
RESULTS = ROOT / "docs" / "zoo-results.json"
BEGIN, END = "<!-- zoo-table:begin -->", "<!-- zoo-table:end -->"
COMMAND = ".venv/bin/python benchmarks/zoo_report.py --readme README.md"

# Failure classes, first match wins: (class, regex on "stage: message"). Issue 10's numbering where it has one.
CLASSES = [
    ("1 instances of one class lowered or prepared differently", r"lowers? differently|prepared as \w+ at one"),
    ("2/3 NaN in the output (padded rows)", r"\bNaN\b"),
    ("4 dynamic size read inside a submodule", r"read before (it is )?computed|cannot express size|DynamicSizeError"),
    ("5 no device tensor at the root", r"no device tensor"),
    (
        "6 reference generator / parameter preparation bug",
        r"^reference|: reference |ttnn\.embedding: input_tensor holds bfloat16 ids",
    ),
    ("7 op with no TTNN rule", r"cannot lower|no (TTNN )?rule"),
    ("generated TTNN code raises on the emulator", r"TTNN \S+ \(\w+\): \w+Error:"),
    ("capture (torch.export) failed", r"^capture"),
    ("module below its PCC threshold", r"PCC [0-9.]+ <"),
    ("timed out", r"^timeout"),
    ("crash (raw exception: a ttport bug)", r"^crash"),
]


def worker(name: str, out: pathlib.Path) -> dict:
    """One port, in this process: what `ttport port NAME --out OUT --no-test` does, as data."""
    from ttport.port.pipeline import StageError, run
    from ttport.zoo import resolve

    row = {"name": name, "outcome": "crash", "stage": "", "message": "", "seconds": {}}
    start = time.perf_counter()
    try:
        model, inputs = resolve(name)
        result = run(model, inputs, name.replace("-", "_"), model_spec=name, out=out, run_tests=False)
        row |= _summary(result)
    except StageError as exc:
        row |= {"outcome": "refused", "stage": exc.stage, "message": _first_line(str(exc))}
    except Exception as exc:  # noqa: BLE001 - the CLI would show a traceback: that is what this row records
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{pathlib.Path(frame.filename).name}:{frame.lineno}"
        row |= {"outcome": "crash", "message": _first_line(f"{type(exc).__name__}: {exc} ({where})")}
    row["total"] = time.perf_counter() - start
    row["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


def _summary(result) -> dict:
    modules = [check for check in result.checks if check.path]
    whole = [check for check in result.checks if not check.path]
    fallbacks = sorted({f.op for kind in result.lowered.kinds for f in kind.fallbacks})
    failures = result.failures
    return {
        "outcome": "proven" if result.passed else "failed",
        "stage": "" if result.passed else "verify",
        "message": _first_line(failures[0]) if failures else "",
        "failures": len(failures),
        "modules": len(result.checks),
        "kinds": len(result.lowered.kinds),
        "lowest_pcc": min((c.pcc for c in modules), default=None),
        "lowest_module": min(modules, key=lambda c: c.pcc).path if modules else "",
        "model_pcc": whole[0].pcc if whole else None,
        "below": sum(not check.passed for check in result.checks),
        "nan": sum(check.nonfinite > 0 for check in result.checks),  # checks whose NaN/inf differ from the model's
        "fallbacks": fallbacks,
        "seconds": dict(result.seconds),
    }


def _first_line(text: str) -> str:
    line = next((line for line in text.strip().splitlines() if line.strip()), "")
    return line if len(line) <= 240 else line[:237] + "..."


def run_one(name: str, timeout: float) -> dict:
    """`name` ported in a subprocess; a timeout or a dead worker becomes a row too."""
    env = os.environ | {"HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    with tempfile.TemporaryDirectory(prefix="ttport-zoo-") as directory:
        command = [sys.executable, __file__, "--worker", name, "--out", str(pathlib.Path(directory) / "port")]
        start = time.perf_counter()
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            return {"name": name, "outcome": "timeout", "stage": "", "message": f"no result in {timeout:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if lines:
        return json.loads(lines[-1])
    tail = _first_line("\n".join(done.stderr.strip().splitlines()[-1:]))
    return {
        "name": name,
        "outcome": "crash",
        "message": f"worker exited {done.returncode}: {tail}",
        "total": time.perf_counter() - start,
    }


def failure_class(row: dict) -> str:
    if row.get("nan"):
        return CLASSES[1][0]
    text = f"{row['outcome'] if row['outcome'] in ('timeout', 'crash') else row.get('stage', '')}: {row['message']}"
    text = text.removeprefix(": ")
    return next((name for name, pattern in CLASSES if re.search(pattern, text)), "other")


def _pcc(value) -> str:
    return "-" if value is None else f"{value:.4f}"


def coverage_table(rows: list[dict]) -> str:
    head = "| architecture | outcome | modules | lowest module PCC | model PCC | NaN | host fallbacks | port time |"
    lines = [head, "|---|---|---:|---:|---:|---:|---|---:|"]
    for row in rows:
        fallbacks = ", ".join(op.removeprefix("aten.").removesuffix(".default") for op in row.get("fallbacks", []))
        outcome = row["outcome"] if row["outcome"] == "proven" else f"{row['outcome']}: {_cell(row)}"
        lines.append(
            f"| {row['name']} | {outcome} | {row.get('modules', '-')} | {_pcc(row.get('lowest_pcc'))} | "
            f"{_pcc(row.get('model_pcc'))} | {row.get('nan', '-')} | {fallbacks or '-'} | {row.get('total', 0):.0f} s |"
        )
    proven = sum(row["outcome"] == "proven" for row in rows)
    lines.append("")
    lines.append(f"{proven} of {len(rows)} proven ({100 * proven / max(len(rows), 1):.0f} %).")
    return "\n".join(lines)


def _cell(row: dict) -> str:
    stage = f"{row['stage']}: " if row.get("stage") else ""
    return (stage + row["message"]).replace("|", "\\|")


def _checks(row: dict) -> str:
    worst = f"lowest module PCC {_pcc(row['lowest_pcc'])} at {row['lowest_module']}" if row["lowest_module"] else ""
    below = f"{row['below']} of {row['modules']} checks below threshold, {row['nan']} with NaN; "
    below = below if row.get("below") else ""
    fallbacks = f"; host fallbacks: {', '.join(row['fallbacks'])}" if row["fallbacks"] else ""
    return below + worst + fallbacks


def triage(rows: list[dict]) -> str:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        "# Zoo triage",
        "",
        f"Written by `benchmarks/zoo_report.py` at {when}; every architecture of `ttport.archs` ported with",
        "`ttport port NAME --no-test` semantics, one at a time. Outcome, failing stage, first line of the message.",
        "",
    ]
    for row in rows:
        detail = f" — {_cell(row)}" if row["outcome"] != "proven" else ""
        if "modules" in row:
            detail += f" ({_checks(row)})"
        lines.append(f"- **{row['name']}**: {row['outcome']}{detail}")
    lines += ["", "## By failure class", ""]
    groups: dict[str, list[str]] = {}
    for row in rows:
        if row["outcome"] != "proven":
            groups.setdefault(failure_class(row), []).append(row["name"])
    for name, members in sorted(groups.items(), key=lambda item: -len(item[1])):
        lines.append(f"- {name} ({len(members)}): {', '.join(members)}")
    lines += ["", "## Coverage table", "", coverage_table(rows), ""]
    return "\n".join(lines)


def update_readme(path: pathlib.Path, rows: list[dict]) -> None:
    text = path.read_text()
    block = f"{BEGIN}\n`{COMMAND}`\n\n{coverage_table(rows)}\n{END}"
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text += f"\n## Architecture coverage\n\n{block}\n"
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="architectures (default: all of ttport.archs.ARCHS)")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--readme", type=pathlib.Path, help="replace the coverage table in this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=pathlib.Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.out)))
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from ttport.archs import ARCHS

    names = args.names or list(ARCHS)
    rows = json.loads(RESULTS.read_text()) if RESULTS.exists() and args.names else []
    rows = [row for row in rows if row["name"] not in names]
    columns = (TextColumn("{task.description:<14}"), BarColumn(), TextColumn("{task.completed}/{task.total}"))
    with Progress(*columns, TimeElapsedColumn()) as progress:
        task = progress.add_task("zoo", total=len(names))
        for name in names:
            progress.update(task, description=name)
            row = run_one(name, args.timeout)
            rows.append(row)
            progress.console.print(f"{name}: {row['outcome']} {_cell(row) if row['outcome'] != 'proven' else ''}")
            progress.advance(task)
            _write(rows, args.readme)


def _write(rows: list[dict], readme: pathlib.Path | None) -> None:
    from ttport.archs import ARCHS

    order = {name: index for index, name in enumerate(ARCHS)}
    rows.sort(key=lambda row: order.get(row["name"], len(order)))
    RESULTS.write_text(json.dumps(rows, indent=1) + "\n")
    TRIAGE.write_text(triage(rows))
    if readme:
        update_readme(readme, rows)


if __name__ == "__main__":
    main()
