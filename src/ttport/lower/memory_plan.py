"""Where activations live: L1 when the model's planned peak at the captured input shapes fits the device model's
L1 with headroom, else DRAM; and the statement, for the generated code and README, of the shapes it holds for."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import torch

from ..emu.device import GRID, L1_BYTES_PER_CORE, L1_RESERVED_BYTES

# Activations go to L1 when the planned peak takes at most this share of the device's L1: the rest is left to
# the ops' circular buffers.
L1_HEADROOM = 0.5
L1_CAPACITY = GRID.x * GRID.y * (L1_BYTES_PER_CORE - L1_RESERVED_BYTES)
DEVICE = f"Wormhole n150 model: {GRID.x}x{GRID.y} cores, {L1_CAPACITY / 2**20:.0f} MiB of L1 for buffers"


@dataclass(frozen=True)
class MemoryPlan:
    shapes: dict  # model input name -> the captured shape the plan was made for
    peak_bytes: int  # the top-level function's planned peak of live device activations at those shapes

    @property
    def l1(self) -> bool:
        return self.peak_bytes <= L1_HEADROOM * L1_CAPACITY

    def inputs(self) -> str:
        return ", ".join(f"{name} {tuple(shape)}" for name, shape in self.shapes.items())

    def statement(self) -> str:
        """Markdown for the generated README: the shapes, the peak, the device model it was checked against."""
        where = "L1 (`ttnn.L1_MEMORY_CONFIG`)" if self.l1 else "DRAM (ttnn's default)"
        verdict = (
            f"fits within {L1_HEADROOM:.0%} of it"
            if self.l1
            else f"is more than {L1_HEADROOM:.0%} of it, so activations stay in DRAM"
        )
        return (
            f"Activations are placed in {where}. The plan was made for the captured inputs {self.inputs()}: the "
            f"planned peak of live activations is {self.peak_bytes / 2**20:.2f} MiB, checked against the device "
            f"model ({DEVICE}), and {verdict}; every module was then run at those shapes on the emulated device, "
            "whose allocator refuses what does not fit. Larger batches or sequences may not fit L1: port again "
            "with inputs of the shapes you will run."
        )

    def note(self, peak_bytes: int, top: bool) -> str:
        """One comment line above a generated function."""
        where = "L1" if self.l1 else "DRAM (the model's planned peak does not fit L1 with headroom)"
        shapes = f"the captured inputs {self.inputs()}" if top else "the captured shapes"
        text = f"activations in {where}: planned peak {peak_bytes / 1024:.0f} KiB at {shapes}"
        return "".join(f"# {line}\n" for line in textwrap.wrap(text, 110))  # generated lines stay within 120


def model_inputs(inputs: dict) -> dict:
    return {name: tuple(value.shape) for name, value in inputs.items() if isinstance(value, torch.Tensor)}
