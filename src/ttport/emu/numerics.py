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

from .errors import TTNNError, UnsupportedError
from .types import FACE_WIDTH, TTNNEnum


class MathFidelity(TTNNEnum):
    LoFi = 0
    HiFi2 = 2
    HiFi3 = 3
    HiFi4 = 4
    Invalid = 255


class ThrottleLevel(TTNNEnum):
    NO_THROTTLE = 0


@dataclass(kw_only=True)
class WormholeComputeKernelConfig:
    """A compute config. Its defaults are ttnn 0.81.1's: a fidelity of Invalid, so callers must choose one."""

    math_fidelity: MathFidelity = MathFidelity.Invalid
    math_approx_mode: bool = True
    fp32_dest_acc_en: bool = False
    packer_l1_acc: bool = False
    dst_full_sync_en: bool = False
    throttle_level: ThrottleLevel = ThrottleLevel.NO_THROTTLE


def resolve_config(op: str, given, default: WormholeComputeKernelConfig) -> WormholeComputeKernelConfig:
    """The config an op computes with: the caller's unchanged if given, else the op's default.

    That is tt-metal's init_device_compute_kernel_config (docs/ttnn-numerics.md §1).
    """
    if given is None:
        return default
    if not isinstance(given, WormholeComputeKernelConfig):
        raise TTNNError(f"{op}: compute_kernel_config must be a ttnn.WormholeComputeKernelConfig, got {given!r}")
    if given.math_fidelity is MathFidelity.Invalid:
        # What a kernel does with Invalid is not documented; refuse rather than guess.
        raise UnsupportedError(
            f"{op}: compute_kernel_config has math_fidelity=MathFidelity.Invalid (WormholeComputeKernelConfig's "
            "default); pass math_fidelity=ttnn.MathFidelity.HiFi2 (or LoFi / HiFi3 / HiFi4)"
        )
    return given


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


def _fidelity_terms(a: torch.Tensor, b: torch.Tensor, fidelity: MathFidelity) -> list[tuple[torch.Tensor, ...]]:
    """(left, right) pairs whose products sum to what the matrix engine forms for a @ b at `fidelity`.

    tt-metal's matmul kernels unpack in0 (a, activations) to SrcB and in1 (b, weights) to SrcA; see
    docs/ttnn-numerics.md. So SrcA's high part is b's top 4 explicit bits and SrcB's is a's top 6.
    """
    if fidelity is MathFidelity.HiFi4:
        return [(a, b)]
    a_high = _keep_mantissa_bits(a, SRC_B_BITS)
    if fidelity is MathFidelity.LoFi:
        return [(a_high, _keep_mantissa_bits(b, SRC_A_BITS))]
    if fidelity is MathFidelity.HiFi2:  # + SrcA's next bits
        return [(a_high, b)]
    if fidelity is MathFidelity.HiFi3:  # + SrcB's next bits against SrcA's high part
        return [(a_high, b), (a - a_high, _keep_mantissa_bits(b, SRC_A_BITS))]
    raise ValueError(f"math fidelity {fidelity} is not a valid fidelity")


def matrix_engine_matmul(
    a: torch.Tensor, b: torch.Tensor, config: WormholeComputeKernelConfig, initial: torch.Tensor | None = None
) -> torch.Tensor:
    """a @ b (inner dims padded to tiles) as the matrix engine computes it, in float32 before packing.

    `initial` is what the destination holds before the first step (a partial reloaded between K blocks)."""
    if is_ideal():
        product = a.to(torch.float32) @ b.to(torch.float32)
        return product if initial is None else product + initial
    fidelity = config.math_fidelity
    if a.dtype == b.dtype == torch.bfloat16 and fidelity in (MathFidelity.HiFi2, MathFidelity.HiFi4):
        if not config.fp32_dest_acc_en:
            # b reaches SrcA whole at these fidelities: it stays bfloat16 (no round trip through float32), and
            # a is truncated to SrcB's bits at HiFi2 (still a bfloat16 number).
            left = a if fidelity is MathFidelity.HiFi4 else _keep_mantissa_bits(a.to(torch.float32), SRC_B_BITS)
            return _bfloat16_destination(left.to(torch.bfloat16), b, initial)
    exact_in_bfloat16 = a.dtype == b.dtype == torch.bfloat16 and fidelity is not MathFidelity.HiFi3
    a = a.to(torch.float32)
    b = b.to(torch.float32)
    terms = _fidelity_terms(a, b, fidelity)
    if config.fp32_dest_acc_en:
        product = sum(left @ right for left, right in terms)
        return product if initial is None else product + initial
    if exact_in_bfloat16:  # LoFi: one term, both sides truncated, still bfloat16 numbers
        (left, right), *_ = terms
        return _bfloat16_destination(left.to(torch.bfloat16), right.to(torch.bfloat16), initial)
    # A 16-bit destination: each 16-deep partial sum is added into it and rounded, one step after another.
    steps = a.shape[-1] // FACE_WIDTH
    out_shape = (*torch.broadcast_shapes(a.shape[:-2], b.shape[:-2]), a.shape[-2], b.shape[-1])
    destination = torch.zeros(out_shape, dtype=torch.float32) if initial is None else initial.to(torch.float32).clone()
    rounded = torch.empty(out_shape, dtype=torch.bfloat16)
    for step in range(steps):
        inner = slice(step * FACE_WIDTH, (step + 1) * FACE_WIDTH)
        for left, right in terms:
            _accumulate(destination, left[..., inner], right[..., inner, :])
        rounded.copy_(destination)  # round to bfloat16 (nearest even) in place
        destination.copy_(rounded)
    return destination


def _bfloat16_destination(left: torch.Tensor, right: torch.Tensor, initial: torch.Tensor | None = None) -> torch.Tensor:
    """left @ right (bfloat16 numbers whose products are exact) into a 16-bit destination, 16 deep at a time.

    A bfloat16 addmm_ computes destination + partial in float32 and rounds once to nearest even: exactly one
    destination step, at BLAS speed. This sequential rounding is the faithful mode's main cost: K/16 passes over
    the output (see README). A step whose 16 rows of `right` are all zero adds an exact zero and is skipped
    (_contributing_steps): a conv's channel padding (a 3-channel stem padded to 32 is half such steps).
    """
    out_shape = (*torch.broadcast_shapes(left.shape[:-2], right.shape[:-2]), left.shape[-2], right.shape[-1])
    destination = (
        torch.zeros(out_shape, dtype=torch.bfloat16) if initial is None else initial.to(torch.bfloat16, copy=True)
    )
    for step in _contributing_steps(left, right, initial is None):
        inner = slice(step * FACE_WIDTH, (step + 1) * FACE_WIDTH)
        _accumulate(destination, left[..., inner], right[..., inner, :])
    return destination.to(torch.float32)


def _contributing_steps(left: torch.Tensor, right: torch.Tensor, from_zero: bool) -> list[int]:
    """The 16-deep steps that can change the destination.

    A step whose rows of `right` are all zero adds a partial of exact (signed) zeros, and d + (+-0) = d for every d
    a destination started at +0 holds (an exact sum of zero is +0), but for a -0 reached by a negative sum rounding
    below bfloat16's smallest subnormal: skipping then keeps -0 where the add would give +0. Every step is kept when
    `left` holds inf or NaN (inf x 0 is NaN; one sum finds it) or the destination starts from a reloaded partial.
    Candidates are found on one column first, so weights with no zero block cost O(K), not O(K * N).
    """
    steps = left.shape[-1] // FACE_WIDTH
    every = list(range(steps))
    if not from_zero or right.shape[-1] == 0:
        return every
    first_column = right[..., : steps * FACE_WIDTH, 0].reshape(-1, steps, FACE_WIDTH)
    candidates = first_column.eq(0).all(-1).all(0).nonzero().flatten().tolist()
    rows = lambda step: right[..., step * FACE_WIDTH : (step + 1) * FACE_WIDTH, :]  # noqa: E731
    zero = [step for step in candidates if not bool(rows(step).ne(0).any())]
    if not zero or not torch.isfinite(left.sum()):  # bfloat16's sum overflows only where float32's would
        return every
    skipped = set(zero)
    return [step for step in every if step not in skipped]


def _accumulate(destination: torch.Tensor, left: torch.Tensor, right: torch.Tensor) -> None:
    """destination += left @ right in one BLAS call where the shapes allow (the partial never hits memory)."""
    if right.dim() == 2 and destination.is_contiguous():
        destination.view(-1, right.shape[-1]).addmm_(left.reshape(-1, left.shape[-1]), right)
    elif left.shape[:-2] == right.shape[:-2] == destination.shape[:-2]:
        flat = destination.view(-1, *destination.shape[-2:])
        flat.baddbmm_(left.reshape(-1, *left.shape[-2:]), right.reshape(-1, *right.shape[-2:]))
    else:
        destination.add_(left @ right)


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


def init_device_compute_kernel_config(
    arch,
    device_kernel_config=None,
    *,
    math_fidelity=MathFidelity.LoFi,
    math_approx_mode=True,
    fp32_dest_acc_en=False,
    packer_l1_acc=False,
    dst_full_sync_en=False,
    throttle_level=ThrottleLevel.NO_THROTTLE,
) -> WormholeComputeKernelConfig:
    """The given config unchanged, else one built from the keywords (tt-metal compute_kernel_config.cpp,
    init_device_compute_kernel_config: the defaults apply only when no config is passed)."""
    from .device import Arch

    if not isinstance(arch, Arch):
        raise TTNNError(f"ttnn.init_device_compute_kernel_config: arch must be a ttnn.device.Arch, got {arch!r}")
    if arch is not Arch.WORMHOLE_B0:
        raise UnsupportedError(f"ttnn.init_device_compute_kernel_config: the emulator models Wormhole only, not {arch}")
    if device_kernel_config is not None:
        return device_kernel_config
    return WormholeComputeKernelConfig(
        math_fidelity=math_fidelity,
        math_approx_mode=math_approx_mode,
        fp32_dest_acc_en=fp32_dest_acc_en,
        packer_l1_acc=packer_l1_acc,
        dst_full_sync_en=dst_full_sync_en,
        throttle_level=throttle_level,
    )
