"""The emulated device: Wormhole n150 capacities and a per-buffer-type allocator.

Capacities (DESIGN.md §3): 12 GB GDDR6 in 12 DRAM banks; an 8x8 compute-with-storage grid (64 of the chip's 72
usable Tensix cores are handed to ops), each core with 1464 KiB of L1 of which the firmware and kernel config keep
the low part (L1_RESERVED_BYTES below).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from .errors import OutOfMemoryError, TTNNError
from .memory import BufferType, CoreCoord
from .types import TTNNEnum

DRAM_BANKS = 12
DRAM_BANK_BYTES = 1024**3
L1_BYTES_PER_CORE = 1464 * 1024
L1_RESERVED_BYTES = 100 * 1024  # firmware, mailboxes and kernel config buffers below the allocator's base
GRID = CoreCoord(8, 8)
ALIGNMENT = {BufferType.DRAM: 32, BufferType.L1: 16}


@dataclass
class _Bank:
    """First-fit free list over one bank's address range [base, base + size); every buffer takes the same range in
    each bank (lockstep). L1 allocates from the top down, DRAM from the bottom up, as tt-metal's Buffer does
    (tt_metal/impl/buffers/buffer.cpp: bottom_up defaults to is_dram()); circular buffers grow from L1's base."""

    size: int
    base: int = 0
    top_down: bool = False
    free: list[tuple[int, int]] = field(default_factory=list)  # (start, end) sorted, disjoint

    def __post_init__(self):
        self.free = [(self.base, self.base + self.size)]

    def allocate(self, nbytes: int) -> int | None:
        order = range(len(self.free) - 1, -1, -1) if self.top_down else range(len(self.free))
        for index in order:
            start, end = self.free[index]
            if end - start >= nbytes:
                address = end - nbytes if self.top_down else start
                remaining = (start, address) if self.top_down else (start + nbytes, end)
                if remaining[0] == remaining[1]:
                    del self.free[index]
                else:
                    self.free[index] = remaining
                return address
        return None

    def lowest_allocated(self) -> int | None:
        """The lowest address any buffer holds, or None when the bank is empty."""
        if self.free == [(self.base, self.base + self.size)]:
            return None
        return self.free[0][1] if self.free and self.free[0][0] == self.base else self.base

    def release(self, address: int, nbytes: int) -> None:
        self.free.append((address, address + nbytes))
        self.free.sort()
        merged = [self.free[0]]
        for start, end in self.free[1:]:
            if start == merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        self.free = merged

    def largest_free(self) -> int:
        return max((end - start for start, end in self.free), default=0)


@dataclass
class Buffer:
    buffer_type: BufferType
    address: int
    bytes_per_bank: int
    num_banks: int

    @property
    def size(self) -> int:
        return self.bytes_per_bank * self.num_banks


class Allocator:
    """Tracks device buffers per buffer type, and the peak bytes in use, like ttnn's bank-interleaved allocator."""

    def __init__(self):
        l1_cores = GRID.x * GRID.y
        self.banks = {
            BufferType.DRAM: (_Bank(DRAM_BANK_BYTES), DRAM_BANKS),
            BufferType.L1: (_Bank(L1_BYTES_PER_CORE - L1_RESERVED_BYTES, L1_RESERVED_BYTES, top_down=True), l1_cores),
        }
        self.in_use = {buffer_type: 0 for buffer_type in self.banks}
        self.peak = dict(self.in_use)

    def _per_bank(self, nbytes: int, page_bytes: int, buffer_type: BufferType) -> int:
        num_banks = self.banks[_bank_type(buffer_type)][1]
        pages = -(-nbytes // page_bytes) if page_bytes else 0
        align = ALIGNMENT[_bank_type(buffer_type)]
        return -(-pages // num_banks) * (-(-page_bytes // align) * align)

    def check(self, nbytes: int, page_bytes: int, buffer_type: BufferType) -> None:
        """Raise the out-of-memory error `allocate` would, without allocating (so no host memory is spent on a
        tensor the device cannot hold)."""
        bank = self.banks[_bank_type(buffer_type)][0]
        per_bank = self._per_bank(nbytes, page_bytes, buffer_type)
        if bank.largest_free() < per_bank:
            self._out_of_memory(per_bank, buffer_type)

    def allocate(self, nbytes: int, page_bytes: int, buffer_type: BufferType) -> Buffer:
        bank, num_banks = self.banks[_bank_type(buffer_type)]
        per_bank = self._per_bank(nbytes, page_bytes, buffer_type)
        address = bank.allocate(per_bank)
        if address is None:
            self._out_of_memory(per_bank, buffer_type)
        kind = _bank_type(buffer_type)
        self.in_use[kind] += per_bank * num_banks
        self.peak[kind] = max(self.peak[kind], self.in_use[kind])
        return Buffer(kind, address, per_bank, num_banks)

    def allocate_sharded(self, bytes_per_core: int, num_cores: int) -> Buffer:
        """An L1 sharded buffer: one shard slot per core at the same address on every core (lockstep)."""
        bank, _ = self.banks[BufferType.L1]
        per_bank = -(-bytes_per_core // ALIGNMENT[BufferType.L1]) * ALIGNMENT[BufferType.L1]
        address = bank.allocate(per_bank)
        if address is None:
            raise OutOfMemoryError(
                f"Out of Memory: Not enough space to allocate {per_bank * num_cores} B L1 sharded buffer across "
                f"{num_cores} cores, where each core needs to store {per_bank} B, but bank size is {bank.size} B "
                f"(largest free block {bank.largest_free()} B). Deallocate L1 tensors you no longer need "
                "(ttnn.deallocate), shard over more cores, or keep the tensor interleaved in DRAM."
            )
        self.in_use[BufferType.L1] += per_bank * num_cores
        self.peak[BufferType.L1] = max(self.peak[BufferType.L1], self.in_use[BufferType.L1])
        return Buffer(BufferType.L1, address, per_bank, num_cores)

    def lowest_l1_address(self) -> int | None:
        """Where the lowest L1 buffer starts: a program's circular buffers must end below it."""
        return self.banks[BufferType.L1][0].lowest_allocated()

    def _out_of_memory(self, per_bank: int, buffer_type: BufferType):
        bank, num_banks = self.banks[_bank_type(buffer_type)]
        raise OutOfMemoryError(
            f"Out of Memory: Not enough space to allocate {per_bank * num_banks} B "
            f"{_bank_type(buffer_type).name} buffer across {num_banks} banks, where each bank needs to store "
            f"{per_bank} B, but bank size is {bank.size} B (largest free block {bank.largest_free()} B). "
            "Deallocate tensors you no longer need (ttnn.deallocate), keep large activations in "
            "ttnn.DRAM_MEMORY_CONFIG, or use a smaller batch."
        )

    def release(self, buffer: Buffer) -> None:
        self.banks[buffer.buffer_type][0].release(buffer.address, buffer.bytes_per_bank)
        self.in_use[buffer.buffer_type] -= buffer.size

    def reset_peak(self) -> None:
        self.peak = dict(self.in_use)


def _bank_type(buffer_type: BufferType) -> BufferType:
    if buffer_type in (BufferType.DRAM, BufferType.L1):
        return buffer_type
    if buffer_type is BufferType.L1_SMALL:
        return BufferType.L1
    raise TTNNError(
        f"buffer type {buffer_type} cannot hold a tensor; use ttnn.DRAM_MEMORY_CONFIG or ttnn.L1_MEMORY_CONFIG"
    )


class Arch(TTNNEnum):
    """ttnn.device.Arch (values as real ttnn 0.81.1's)."""

    WORMHOLE_B0 = 2
    BLACKHOLE = 3
    QUASAR = 4


class DispatchCoreType(TTNNEnum):
    WORKER = 0
    ETH = 1


class DispatchCoreAxis(TTNNEnum):
    ROW = 0
    COL = 1


class DispatchCoreConfig:
    """Which cores run the command dispatcher; the emulated grid is the compute grid either way, so it is recorded
    and otherwise changes nothing (dispatch cores are outside the 8x8 worker grid on n150)."""

    def __init__(self, type=None, axis=None, fabric_tensix_config=None):  # noqa: A002 - ttnn's name
        if type is not None and not isinstance(type, DispatchCoreType):
            raise TTNNError(f"ttnn.DispatchCoreConfig: type must be a ttnn.DispatchCoreType, got {type!r}")
        if axis is not None and not isinstance(axis, DispatchCoreAxis):
            raise TTNNError(f"ttnn.DispatchCoreConfig: axis must be a ttnn.DispatchCoreAxis, got {axis!r}")
        self.type = type or DispatchCoreType.WORKER
        self.axis = axis or DispatchCoreAxis.ROW


class SubDeviceId:
    def __init__(self, id: int):  # noqa: A002 - ttnn's name
        self._id = int(id)

    def __eq__(self, other) -> bool:
        return isinstance(other, SubDeviceId) and other._id == self._id

    def __ne__(self, other) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self._id)

    def __repr__(self) -> str:
        return f"SubDeviceId({self._id})"


class SubDevice:
    """A set of cores ops can be confined to (sub_device_id=); placement only, values do not depend on it."""

    def __init__(self, cores):
        self._cores = list(cores)


class Device:
    """An emulated Wormhole n150 chip: ttnn.Device, which in ttnn 0.81.1 is a 1x1 ttnn.MeshDevice."""

    def __init__(self, device_id: int = 0, l1_small_size: int = 0, trace_region_size: int = 0):
        self._id = device_id
        self._allocator = Allocator()
        self._is_open = True
        self._l1_small_size = l1_small_size
        self._trace_region_size = trace_region_size
        self._program_cache = True  # enabled by default since tt-metal 0.57 (enable_program_cache is a no-op)

    def id(self) -> int:
        return self._id

    def get_device_ids(self) -> list[int]:
        return [self._id]

    def get_num_devices(self) -> int:
        return 1

    @property
    def shape(self):
        from .mesh import MeshShape

        return MeshShape(1, 1)

    def arch(self) -> Arch:
        return Arch.WORMHOLE_B0

    def compute_with_storage_grid_size(self) -> CoreCoord:
        return GRID

    def dram_grid_size(self) -> CoreCoord:
        return CoreCoord(DRAM_BANKS, 1)

    @property
    def core_grid(self):
        """The compute grid as a ttnn.CoreGrid (a property in real ttnn: device.core_grid.y)."""
        from .memory import CoreGrid

        return CoreGrid(x=GRID.x, y=GRID.y)

    def enable_program_cache(self) -> None:
        self._program_cache = True

    def disable_and_clear_program_cache(self) -> None:
        self._program_cache = False

    def clear_program_cache(self) -> None:
        """Compiled programs are not modelled (nothing is compiled), so there is nothing to clear."""

    def num_program_cache_entries(self) -> int:
        """Always 0: the emulator compiles no programs, so a test counting cache entries cannot pass here."""
        return 0

    def __repr__(self) -> str:
        return f"<ttnn.Device: id={self._id}, arch=wormhole_b0 (emulated)>"


_open_devices: dict[int, Device] = {}


def open_device(
    *,
    device_id: int,
    l1_small_size: int = 0,
    trace_region_size: int = 0,
    dispatch_core_config=None,
    worker_l1_size: int = 0,
):
    """Open the emulated device `device_id` (only device 0 exists: one n150 card)."""
    if device_id != 0:
        raise TTNNError(f"ttnn.open_device: device_id {device_id} does not exist; the emulator has one n150 (id 0)")
    if device_id in _open_devices:
        return _open_devices[device_id]  # as ttnn's docstring says: "return the existing device"
    device = Device(device_id, l1_small_size, trace_region_size)
    _open_devices[device_id] = device
    return device


def close_device(device: Device) -> None:
    """Close the device: its tensors can no longer be read or used (they raise, as on a card)."""
    device._is_open = False
    _open_devices.pop(device.id(), None)


def synchronize_device(device: Device, cq_id=None, sub_device_ids=[]) -> None:  # noqa: B006 - ttnn's default
    """Ops run eagerly on the emulator, so there is never anything to wait for; the device must be open."""
    if not isinstance(device, Device) or not device._is_open:
        raise TTNNError("ttnn.synchronize_device: pass an open device from ttnn.open_device")


def is_wormhole_b0(device=None) -> bool:
    return True


def is_blackhole(device=None) -> bool:
    return False


def get_arch_name() -> str:
    return "wormhole_b0"


@contextlib.contextmanager
def manage_device(device_id: int):
    device = open_device(device_id=device_id)
    try:
        yield device
    finally:
        close_device(device)
