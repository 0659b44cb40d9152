"""How the emulator computes: faithful (formats, math fidelity, 16-bit destination) or ideal (fp32 everywhere).

Matrix engine model (DESIGN.md §3). Per fidelity phase the multiplier takes 5 bits of SrcA (hidden bit + 4) and
7 bits of SrcB (hidden bit + 6). Writing A = Ah + Al and B = Bh + Bl for those high parts and the remaining low
parts of each bfloat16 operand, each phase adds one partial product:
    LoFi: Ah*Bh    HiFi2: + Al*Bh    HiFi3: + Ah*Bl    HiFi4: + Al*Bl  (= the exact bfloat16 product)
(A is SrcA, B is SrcB).
Without fp32_dest_acc_en the destination register holds bfloat16: each 16-deep partial sum over the inner dim (one
face width, the depth of one matrix-engine step) is added into a bfloat16 accumulator and rounded.
"""

from __future__ import annotations

import contextlib
import enum
from dataclasses import dataclass

import torch

from .types import FACE_WIDTH


class MathFidelity(enum.Enum):
    LoFi = 0
    HiFi2 = 2
    HiFi3 = 3
    HiFi4 = 4
    Invalid = 255

    def __repr__(self) -> str:
        return f"MathFidelity.{self.name}"

    __str__ = __repr__


@dataclass
class WormholeComputeKernelConfig:
    math_fidelity: MathFidelity = MathFidelity.LoFi
    math_approx_mode: bool = True
    fp32_dest_acc_en: bool = False
    packer_l1_acc: bool = False
    dst_full_sync_en: bool = False
    throttle_level: object = None


class Numerics(enum.Enum):
    FAITHFUL = "faithful"
    IDEAL = "ideal"


_state = {"mode": Numerics.FAITHFUL}


def mode() -> Numerics:
    return _state["mode"]


def is_ideal() -> bool:
    return _state["mode"] is Numerics.IDEAL


def set_numerics(value: str | Numerics) -> None:
    """Select "faithful" (the default: formats, fidelity, 16-bit destination) or "ideal" (fp32 everywhere)."""
    _state["mode"] = Numerics(value)


@contextlib.contextmanager
def numerics(value: str | Numerics):
    """Run a block under the given numerics, e.g. `with ttport.emu.numerics("ideal"): ...`."""
    previous = _state["mode"]
    set_numerics(value)
    try:
        yield
    finally:
        _state["mode"] = previous


def _keep_mantissa_bits(values: torch.Tensor, bits: int) -> torch.Tensor:
    """Truncate float32 values to `bits` explicit mantissa bits (the hidden bit is kept)."""
    mask = ~((1 << (23 - bits)) - 1)
    return (values.contiguous().view(torch.int32) & mask).view(torch.float32)


SRC_A_BITS = 4  # explicit mantissa bits of SrcA used per phase
SRC_B_BITS = 6  # explicit mantissa bits of SrcB used per phase


def _phases(a: torch.Tensor, b: torch.Tensor, fidelity: MathFidelity) -> torch.Tensor:
    """Sum of the partial products the matrix engine forms at `fidelity` for a @ b.

    tt-metal's matmul kernels unpack in0 (a, activations) to SrcB and in1 (b, weights) to SrcA; see
    docs/ttnn-numerics.md. So SrcA's high part is b's top 4 explicit bits and SrcB's is a's top 6.
    """
    if fidelity is MathFidelity.HiFi4:
        return a @ b
    a_high = _keep_mantissa_bits(a, SRC_B_BITS)
    if fidelity is MathFidelity.LoFi:
        return a_high @ _keep_mantissa_bits(b, SRC_A_BITS)
    if fidelity is MathFidelity.HiFi2:  # + SrcA's next bits
        return a_high @ b
    if fidelity is MathFidelity.HiFi3:  # + SrcB's next bits against SrcA's high part
        return a_high @ b + (a - a_high) @ _keep_mantissa_bits(b, SRC_A_BITS)
    raise ValueError(f"math fidelity {fidelity} is not a valid fidelity")


PARTIALS_BUDGET_BYTES = 64 * 2**20  # bounds the float32 partial products held at once


def matrix_engine_matmul(a: torch.Tensor, b: torch.Tensor, config: WormholeComputeKernelConfig) -> torch.Tensor:
    """a @ b (float32, inner dims padded to tiles) as the matrix engine computes it, in float32 before packing."""
    a = a.to(torch.float32)
    b = b.to(torch.float32)
    if is_ideal():
        return a @ b
    if config.fp32_dest_acc_en:
        return _phases(a, b, config.math_fidelity)
    rank = max(a.dim(), b.dim())
    a = a.reshape((1,) * (rank - a.dim()) + tuple(a.shape))
    b = b.reshape((1,) * (rank - b.dim()) + tuple(b.shape))
    steps = a.shape[-1] // FACE_WIDTH
    a_steps = a.reshape(*a.shape[:-1], steps, FACE_WIDTH).movedim(-2, 0)
    b_steps = b.reshape(*b.shape[:-2], steps, FACE_WIDTH, b.shape[-1]).movedim(-3, 0)
    out_shape = (*torch.broadcast_shapes(a.shape[:-2], b.shape[:-2]), a.shape[-2], b.shape[-1])
    group = max(1, PARTIALS_BUDGET_BYTES // (4 * max(1, torch.Size(out_shape).numel())))
    destination = torch.zeros(out_shape, dtype=torch.bfloat16)
    # 16-deep partial products, a group at a time, accumulated in order into a bfloat16 destination.
    for start in range(0, steps, group):
        partials = _phases(a_steps[start : start + group], b_steps[start : start + group], config.math_fidelity)
        for partial in partials:
            destination.add_(partial)  # computed in float32, stored rounded to nearest even
    return destination.to(torch.float32)


def elementwise_product(a: torch.Tensor, b: torch.Tensor, fidelity: MathFidelity) -> torch.Tensor:
    """a * b on the matrix engine's element-wise path: the same fidelity phases as matmul (a to SrcA, b to SrcB)."""
    if fidelity is MathFidelity.HiFi4:
        return a * b
    a_high = _keep_mantissa_bits(a, SRC_A_BITS)
    b_high = _keep_mantissa_bits(b, SRC_B_BITS)
    if fidelity is MathFidelity.LoFi:
        return a_high * b_high
    if fidelity is MathFidelity.HiFi2:
        return a * b_high
    return a * b_high + a_high * (b - b_high)


REDUCE_CHUNK = 32  # a reduction adds one tile's worth of values into the destination at a time


def intermediate(values: torch.Tensor, config: WormholeComputeKernelConfig) -> torch.Tensor:
    """A value a kernel parks in a circular buffer between phases: bfloat16 unless fp32_dest_acc_en (or ideal)."""
    if config.fp32_dest_acc_en or is_ideal():
        return values
    return values.to(torch.bfloat16).to(torch.float32)


def destination_sum(values: torch.Tensor, dim: int, config: WormholeComputeKernelConfig) -> torch.Tensor:
    """Sum over `dim` (keepdim) as a reduce does: tile-wide partial sums added into the destination in order."""
    if config.fp32_dest_acc_en or is_ideal():
        return values.sum(dim=dim, keepdim=True)
    chunks = values.split(REDUCE_CHUNK, dim=dim)
    destination = chunks[0].sum(dim=dim, keepdim=True).to(torch.bfloat16)
    for chunk in chunks[1:]:
        destination.add_(chunk.sum(dim=dim, keepdim=True))
    return destination.to(torch.float32)
