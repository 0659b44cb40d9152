"""Op trace: what every ttnn call did, for reports and cost estimates.

with ttport.emu.trace() as records:
    run_model()
print(sum(r.flops for r in records))
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TensorInfo:
    shape: tuple[int, ...]
    dtype: str
    layout: str
    memory: str  # "DRAM", "L1", "L1 HEIGHT_SHARDED", ... or "host"
    nbytes: int


@dataclass
class OpRecord:
    op: str
    inputs: list[TensorInfo] = field(default_factory=list)
    outputs: list[TensorInfo] = field(default_factory=list)
    flops: int = 0

    @property
    def bytes_read(self) -> int:
        return sum(t.nbytes for t in self.inputs if t.memory != "host")

    @property
    def bytes_written(self) -> int:
        return sum(t.nbytes for t in self.outputs if t.memory != "host")

    @property
    def on_device(self) -> bool:
        return any(t.memory != "host" for t in self.inputs + self.outputs)


_active: list[list[OpRecord]] = []


@contextlib.contextmanager
def trace():
    """Collect an OpRecord for every ttnn op called inside the block (nested traces each get every record)."""
    records: list[OpRecord] = []
    _active.append(records)
    try:
        yield records
    finally:
        _active.remove(records)


def is_tracing() -> bool:
    return bool(_active)


def emit(record: OpRecord) -> None:
    for records in _active:
        records.append(record)
