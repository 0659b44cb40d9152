"""The memory plan: activations in L1 when the planned peak at the captured input shapes fits the device model's
L1 with headroom, else DRAM; the plan states those shapes in the top function and in the generated README."""

from __future__ import annotations

import torch
from test_lower_helpers import Forward, lower_and_verify

from ttport.capture import capture
from ttport.lower import lower
from ttport.lower.memory_plan import L1_CAPACITY, L1_HEADROOM, MemoryPlan
from ttport.port.readme import readme
from ttport.reference.generate import generate


def _lowered(x: torch.Tensor):
    captured = capture(Forward(lambda m, x: torch.relu(x) * 2).eval(), {"x": x})
    return lower(captured, generate(captured, "scale"))


def test_the_plan_states_the_captured_shapes_and_fits_l1(device):
    lowered, checks, source = lower_and_verify(
        Forward(lambda m, x: torch.relu(x) * 2), {"x": torch.randn(3, 40, 64)}, device
    )
    assert all(c.passed for c in checks)
    assert "memory_config=ttnn.L1_MEMORY_CONFIG" in source
    assert "planned peak" in lowered.top.source and "the captured inputs x (3, 40, 64)" in lowered.top.source
    assert "x (3, 40, 64)" in lowered.memory_plan and "L1 (`ttnn.L1_MEMORY_CONFIG`)" in lowered.memory_plan
    assert "## Memory plan" in readme(lowered, checks, "scale", "the CPU emulator")


def test_a_peak_beyond_the_l1_headroom_keeps_activations_in_dram():
    rows = int(L1_HEADROOM * L1_CAPACITY / (1024 * 2)) // 32 * 32 + 32  # one (rows, 1024) bf16 tensor over the line
    lowered = _lowered(torch.randn(rows, 1024))
    assert "L1_MEMORY_CONFIG" not in lowered.top.source
    assert "DRAM" in lowered.memory_plan and f"x ({rows}, 1024)" in lowered.memory_plan


def test_run_time_sizes_are_planned_at_their_captured_values():
    assert MemoryPlan({"x": (2, 8)}, int(L1_HEADROOM * L1_CAPACITY)).l1
    assert not MemoryPlan({"x": (2, 8)}, int(L1_HEADROOM * L1_CAPACITY) + 1).l1
    small = _lowered(torch.randn(2, 8, 64))  # batch and sequence are run-time sizes in the capture
    assert "planned peak 16 KiB" in small.top.source, small.top.source  # 2 x (32 x 64) bf16 tiles, live together
