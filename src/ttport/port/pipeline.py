"""capture -> reference -> lower -> verify -> emit -> test, with a callback per stage for progress and timings.

The lowering (ttport.lower) is imported only when its stage starts, so everything else works without it.
"""

from __future__ import annotations

import pathlib
import time
from dataclasses import dataclass, field

import torch

from ..ported import LoweredModel, ModuleCheck
from .writer import EditedFilesError

STAGES = ("capture", "reference", "lower", "verify", "emit", "test")


class StageError(Exception):
    """A stage failed; the message says which, and what went wrong, in one paragraph (the cause is chained)."""

    def __init__(self, stage: str, exc: BaseException):
        self.stage = stage
        detail = str(exc).strip() or type(exc).__name__
        super().__init__(f"{stage} failed: {type(exc).__name__}: {detail}")


@dataclass
class PortResult:
    model_name: str
    out: pathlib.Path
    captured: object = None
    generated: object = None  # ttport.reference's Generated
    reference_rows: list = field(default_factory=list)  # ttport.reference.verify Rows
    lowered: LoweredModel | None = None
    checks: list[ModuleCheck] = field(default_factory=list)
    emitted: object = None  # emit.Emitted
    tests: object = None  # runner.TestRun, when the generated tests were run
    seconds: dict[str, float] = field(default_factory=dict)
    strict: bool = False  # a host fallback fails the port (else it is proven "with host fallbacks", named)

    @property
    def fallbacks(self) -> list[str]:
        """Every op the generated code runs in torch on host, as "<op> in <function>" (DESIGN.md §9)."""
        if self.lowered is None:
            return []
        found = [
            f"{f.op.removesuffix('.default')} in {kind.name}" for kind in self.lowered.kinds for f in kind.fallbacks
        ]
        return list(dict.fromkeys(found))

    @property
    def failures(self) -> list[str]:
        """Why the port is not proven, one line each (empty when every check passed)."""
        found = [f"reference {row.path or '<root>'}: {row.failure}" for row in self.reference_rows if not row.passed]
        found += [f"TTNN {c.path or '<model>'} ({c.kind}): {c.failure}" for c in self.checks if not c.passed]
        if self.strict:
            found += [f"host fallback (--strict): {fallback}" for fallback in self.fallbacks]
        if self.emitted is not None:
            found += [f"generated code: {problem}" for problem in self.emitted.problems]
        if self.tests is not None:
            failed = [case for case in self.tests.cases if failed_case(case)]
            found += [f"test {case.test}: {case.message or case.outcome}" for case in failed]
            if self.tests.returncode != 0 and not failed:
                last = [line for line in self.tests.output.splitlines() if line.strip()][-1:] or [""]
                found.append(f"generated tests: pytest exited with {self.tests.returncode}: {last[0].strip()}")
        return found

    @property
    def passed(self) -> bool:
        return bool(self.checks) and not self.failures


class _Stages:
    def __init__(self, on_stage, seconds: dict[str, float]):
        self.notify = on_stage or (lambda *_, **__: None)
        self.seconds = seconds

    def run(self, stage: str, work, total: int | None = None):
        self.notify(stage, total=total)
        start = time.perf_counter()
        try:
            return work()
        except EditedFilesError:
            raise
        except Exception as exc:  # every stage's failure reaches the user as one paragraph naming the stage
            raise StageError(stage, exc) from exc
        finally:
            self.seconds[stage] = time.perf_counter() - start


def run(
    model: torch.nn.Module,
    inputs: dict,
    name: str,
    *,
    model_spec: str,
    out: pathlib.Path,
    weights: str = "bf16",
    force: bool = False,
    strict: bool = False,
    run_tests: bool = True,
    on_stage=None,
    pythonpath: list[str] | None = None,
    lowering=None,
) -> PortResult:
    """The whole port of one model into `out`; `on_stage(stage, total=None)` as each stage starts, and
    `on_stage("<stage>-step")` per module verified / test run. `lowering`: a (lower, verify) pair standing in
    for ttport.lower's.

    >>> result = run(*ttport.zoo.resolve("bert-tiny"), "bert_tiny", model_spec="bert-tiny", out=Path("out"))
    >>> result.passed, sorted(result.seconds)
    """
    from ..capture import capture
    from ..reference.pipeline import generate_or_static
    from ..reference.verify import verify as verify_reference
    from ..validate.inputs import run_eager
    from .emit import emit
    from .preflight import check_name, check_out, check_recordable
    from .runner import run_tests as run_generated_tests

    check_name(name)  # the cheap checks first: the project directory, the name, the model on its inputs
    check_out(pathlib.Path(out), force=force)
    check_recordable(model, model_spec, pathlib.Path(out))
    run_eager(model, inputs)
    result = PortResult(name, pathlib.Path(out), strict=strict)
    stages = _Stages(on_stage, result.seconds)
    result.captured = stages.run("capture", lambda: capture(model, inputs))
    calls = len(result.captured.calls())

    def reference():
        result.captured, result.generated = generate_or_static(result.captured, name)
        return verify_reference(result.captured, result.generated, progress=_step(stages, "reference"))

    result.reference_rows = stages.run("reference", reference, total=calls)
    lower, verify = lowering or _lowering()
    result.lowered = stages.run("lower", lambda: lower(result.captured, result.generated, weights=weights))
    result.checks = stages.run(
        "verify", lambda: _verify(verify, result.lowered, result.captured, _step(stages, "verify")), total=calls
    )
    result.emitted = stages.run(
        "emit",
        lambda: emit(
            result.lowered, result.captured, result.generated, result.checks, out, model_spec=model_spec, force=force
        ),
    )
    if run_tests:
        progress = _TestProgress(stages)
        result.tests = stages.run(
            "test", lambda: run_generated_tests(out, on_event=progress, pythonpath=pythonpath), total=calls
        )
    return result


def failed_case(case) -> bool:
    """A generated test that failed or errored; skips and xfails are not failures."""
    return case.outcome in ("failed", "error")


def _step(stages: _Stages, stage: str):
    return lambda: stages.notify(f"{stage}-step")


class _TestProgress:
    def __init__(self, stages: _Stages):
        self.stages = stages

    def __call__(self, event: str, value) -> None:
        if event == "collected":
            self.stages.notify("test", total=value)
        else:
            self.stages.notify("test-step")


def _lowering():
    try:
        from ..lower import lower, verify
    except ImportError as exc:
        raise StageError("lower", RuntimeError(f"the lowering (ttport.lower) cannot be imported: {exc}")) from exc
    return lower, verify


def _verify(verify, lowered: LoweredModel, captured, progress) -> list[ModuleCheck]:
    from .. import emu

    emu.install()
    import ttnn

    device = ttnn.open_device(device_id=0)
    try:
        return verify(lowered, captured, device, progress=progress)
    finally:
        ttnn.close_device(device)
