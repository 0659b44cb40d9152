"""ttnn.Tensor and ttnn.Shape over a torch tensor that holds the values exactly as the device would.

A Tensor keeps its *stored* values: padded to whole 32x32 tiles in TILE layout (the padding holds real values that
a careless op can expose), already rounded to its data type. Host tensors have no buffer; device tensors own one
in the emulated allocator, released by ttnn.deallocate or when the Python object dies (as in ttnn).
"""

from __future__ import annotations

import math

import torch

from . import formats
from .device import Buffer, Device
from .errors import DeallocatedError, DTypeError, StorageError, TTNNError
from .memory import DRAM_MEMORY_CONFIG, BufferType, MemoryConfig
from .tile import DEFAULT_TILE, Tile
from .types import DTYPE_INFO, TILE_HEIGHT, TILE_WIDTH, DataType, Layout, StorageType, round_up


class ShapeIndexError(TTNNError, IndexError):
    """ttnn.Shape index out of range: ttnn raises RuntimeError; an IndexError too, so Python iteration still ends."""


class Shape(tuple):
    """ttnn.Shape: a tuple of ints that prints like ttnn's and compares equal to any list or tuple of the same ints."""

    def __new__(cls, shape):
        return super().__new__(cls, (int(d) for d in shape))

    @property
    def rank(self) -> int:
        return len(self)

    def __eq__(self, other) -> bool:
        try:
            return tuple(self) == tuple(int(d) for d in other)
        except TypeError:
            return NotImplemented

    def __ne__(self, other) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = tuple.__hash__

    def __getitem__(self, index):
        if isinstance(index, slice):  # as real ttnn.Shape: ports that slice a shape must say tuple(shape)[a:b]
            raise TypeError(
                "__getitem__(): incompatible function arguments; ttnn.Shape takes an int index, not a slice: "
                "use tuple(shape)[start:stop]"
            )
        if not -len(self) - 1 <= index < len(self):
            raise ShapeIndexError(f"ShapeBase[] index out of range. {index} not in [{-len(self) - 1}, {len(self)})")
        return super().__getitem__(index)

    def __repr__(self) -> str:
        return f"Shape([{', '.join(str(d) for d in self)}])"

    __str__ = __repr__


def padded_shape_for(shape: tuple[int, ...], layout: Layout) -> tuple[int, ...]:
    """The shape ttnn 0.81.1 reports as padded_shape (tests/data/ttnn_formats_0.81.1.npz, shape_rules).

    TILE rounds the last two dims up to 32; a rank-0 or rank-1 TILE tensor is one tile row high, [32, round_up(n)]
    (rank 2). A zero-sized dim stays 0. ROW_MAJOR keeps the shape, except rank 0, which reports [1].
    """
    shape = tuple(shape)
    if layout is not Layout.TILE:
        return shape or (1,)
    if len(shape) < 2:
        return (TILE_HEIGHT, round_up(shape[0] if shape else 1, TILE_WIDTH))
    return (*shape[:-2], round_up(shape[-2], TILE_HEIGHT), round_up(shape[-1], TILE_WIDTH))


def pad_to(values: torch.Tensor, padded_shape: tuple[int, ...], fill: float = 0.0) -> torch.Tensor:
    """Pad (with zeros or `fill`) the trailing edge of every dim up to `padded_shape`.

    A rank-0/1 tensor becomes row 0 of a rank-2 padded tensor, as in ttnn.
    """
    if values.dim() < len(padded_shape):
        values = values.reshape((1,) * (len(padded_shape) - 1) + (-1,))
    if tuple(values.shape) == tuple(padded_shape):
        return values
    pads = []
    for size, target in zip(reversed(values.shape), reversed(padded_shape)):
        pads += [0, target - size]
    return torch.nn.functional.pad(values, pads, value=fill)


def logical_view(stored: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    """The values inside the logical `shape` of `stored` (padding cut away)."""
    if tuple(stored.shape) == tuple(shape):
        return stored
    if stored.dim() != len(shape):  # rank 0/1 in TILE: row 0 of a rank-2 padded tensor
        rows = stored.reshape(math.prod(stored.shape[:-1]), stored.shape[-1])  # explicit: a 0-wide row has no -1
        return rows[0, : (shape[0] if shape else 1)].reshape(shape)
    return stored[tuple(slice(0, size) for size in shape)]


def storage_bytes(shape: tuple[int, ...], dtype: DataType, layout: Layout) -> tuple[int, int]:
    """(total bytes, page bytes) of a tensor on device: a page is one tile (TILE) or one row (ROW_MAJOR)."""
    element = DTYPE_INFO[dtype].element_bytes
    padded = padded_shape_for(shape, layout)
    if layout is Layout.TILE:
        height = padded[-2] if len(padded) > 1 else TILE_HEIGHT
        tiles = math.prod(padded[:-2]) * (height // TILE_HEIGHT) * (padded[-1] // TILE_WIDTH) if padded else 1
        page = int(TILE_HEIGHT * TILE_WIDTH * element)
        return tiles * page, page
    rows = math.prod(padded[:-1]) if len(padded) > 1 else 1
    page = int((padded[-1] if padded else 1) * element)
    return rows * page, page


class Tensor:
    """ttnn.Tensor (emulated). Build one with ttnn.from_torch; read it with ttnn.to_torch."""

    def __init__(
        self,
        stored: torch.Tensor,
        shape,
        dtype: DataType,
        layout: Layout,
        device: Device | None = None,
        memory_config: MemoryConfig | None = None,
    ):
        self._stored = stored
        self._shape = Shape(shape)
        self._dtype = dtype
        self._layout = layout
        self._device = device
        self._memory_config = memory_config or DRAM_MEMORY_CONFIG
        self._buffer: Buffer | None = None
        self._deallocated = False
        self._float32_cache: tuple | None = None  # (stored tensor, its float32 copy), see _float32_values
        if device is not None and self._memory_config.is_sharded():
            from .sharding import allocate_sharded

            config = self._memory_config
            self._buffer = allocate_sharded("ttnn", device._allocator, tuple(self._shape), dtype, layout, config)
            self._allocator = device._allocator
        elif device is not None:
            nbytes, page = storage_bytes(tuple(self._shape), dtype, layout)
            buffer_type = self._memory_config.buffer_type
            self._buffer = device._allocator.allocate(nbytes, page, buffer_type)
            self._allocator = device._allocator

    # -- construction used by the ops ---------------------------------------------------------------------------
    @classmethod
    def _from_logical(
        cls, values: torch.Tensor, dtype: DataType, layout: Layout, device=None, memory_config=None, fill: float = 0.0
    ):
        """A tensor holding `values` (logical shape), padded with `fill` for `layout`, then rounded to `dtype`.

        Padding comes first, as in ttnn: the pad value is part of its bfloat8_b / bfloat4_b block.
        """
        check_dtype_layout(dtype, layout)
        shape = tuple(values.shape)
        padded = pad_to(values, padded_shape_for(shape, layout), fill)
        return cls(_store(padded, dtype), shape, dtype, layout, device, memory_config)

    @classmethod
    def _from_stored(
        cls, stored: torch.Tensor, shape, dtype: DataType, layout: Layout, device=None, memory_config=None
    ):
        """A tensor whose padded values were computed directly (element-wise ops keep the padding's real values)."""
        check_dtype_layout(dtype, layout)
        return cls(_store(stored, dtype), tuple(shape), dtype, layout, device, memory_config)

    # -- what ttnn exposes --------------------------------------------------------------------------------------
    @property
    def shape(self) -> Shape:
        return self._shape

    @property
    def padded_shape(self) -> Shape:
        return Shape(padded_shape_for(tuple(self._shape), self._layout))

    @property
    def dtype(self) -> DataType:
        return self._dtype

    @property
    def layout(self) -> Layout:
        return self._layout

    @property
    def tile(self) -> Tile:
        """The tile shape: 32x32 (the only one the emulator makes)."""
        return DEFAULT_TILE

    def get_dtype(self) -> DataType:
        return self._dtype

    def get_layout(self) -> Layout:
        return self._layout

    def storage_type(self) -> StorageType:
        return StorageType.DEVICE if self._device is not None else StorageType.HOST

    def device(self) -> Device | None:
        return self._device

    def memory_config(self) -> MemoryConfig:
        return self._memory_config

    def is_sharded(self) -> bool:
        return self._memory_config.is_sharded()

    def is_allocated(self) -> bool:
        return not self._deallocated

    def volume(self) -> int:
        return math.prod(self.padded_shape)

    def logical_volume(self) -> int:
        return math.prod(self._shape)

    def buffer_address(self) -> int:
        if self._buffer is None:
            raise TTNNError("Tensor.buffer_address: the tensor is on host and has no device buffer")
        return self._buffer.address

    def deallocate(self, force: bool = False) -> None:
        """Free the device buffer; later use raises. On a host tensor this does nothing (ttnn 0.81.1 probes: a
        host tensor stays allocated and readable after ttnn.deallocate)."""
        if self._device is None:
            return
        if self._buffer is not None and not self._deallocated:
            self._allocator.release(self._buffer)
            self._buffer = None
        self._deallocated = True
        self._stored = None
        self._float32_cache = None

    def element_size(self) -> int:
        """Bytes per element; block floats have none (ttnn raises the same message)."""
        if DTYPE_INFO[self._dtype].mantissa_bits:
            raise DTypeError("datum for bfp2, bfp4, bfp8 is invalid")
        return int(DTYPE_INFO[self._dtype].element_bytes)

    def __del__(self):
        buffer = getattr(self, "_buffer", None)
        if buffer is not None:
            self._allocator.release(buffer)
            self._buffer = None

    # -- conversions as methods (ttnn.Tensor has these too) -----------------------------------------------------
    def cpu(self, blocking: bool = True, cq_id=None):
        from .ops.conversion import from_device

        return from_device(self, blocking, queue_id=cq_id)

    def to(self, device, mem_config=None, cq_id=None):
        """Tensor.to(device, mem_config=None, cq_id=None) or Tensor.to(target_layout), as ttnn's two overloads."""
        from .ops.conversion import to_device, to_layout

        if isinstance(device, Layout):
            if mem_config is not None or cq_id is not None:
                raise TypeError("Tensor.to(target_layout) takes no other arguments")
            return to_layout(self, device)
        return to_device(self, device, mem_config, queue_id=cq_id)

    def reshape(self, *shape):
        """Tensor.reshape(shape) or Tensor.reshape(a, b, c, d), as ttnn's overloads; same as ttnn.reshape."""
        from .ops.data_movement import reshape

        return reshape(self, list(shape[0]) if len(shape) == 1 else list(shape))

    def to_torch(self, *args, **kwargs):
        from .ops.conversion import to_torch

        return to_torch(self, *args, **kwargs)

    # -- values, for the ops ------------------------------------------------------------------------------------
    @property
    def _values(self) -> torch.Tensor:
        """The padded, dtype-rounded values (raises if deallocated)."""
        self._check_allocated()
        return self._stored

    def _float32_values(self) -> torch.Tensor:
        """The stored values as float32, kept while the stored tensor is the same object: a weight is read by every
        call, and stored tensors are replaced, never changed in place."""
        values = self._values
        if self._float32_cache is None or self._float32_cache[0] is not values:
            self._float32_cache = (values, values.to(torch.float32))
        return self._float32_cache[1]

    def _logical(self) -> torch.Tensor:
        """The values inside the logical shape, padding cut away."""
        return logical_view(self._values, tuple(self._shape))

    def _check_allocated(self, op: str = "ttnn", name: str = "tensor") -> None:
        if self._device is not None and not self._device._is_open:
            raise StorageError(
                f"{op}: {name} lives on a device that was closed (ttnn.close_device); its buffers are gone, as on a "
                "card: read tensors back (ttnn.to_torch / ttnn.from_device) before closing the device"
            )
        if self._deallocated:
            raise DeallocatedError(
                f"{op}: {name} was deallocated (ttnn.deallocate) and cannot be used; deallocate it only after its "
                "last use, or keep a copy with ttnn.clone"
            )

    @property
    def _nbytes(self) -> int:
        return storage_bytes(tuple(self._shape), self._dtype, self._layout)[0]

    def _placement(self) -> str:
        """Where the tensor lives, for traces and messages: 'host', 'DRAM', 'L1', 'L1 HEIGHT_SHARDED', ..."""
        if self._device is None:
            return "host"
        config = self._memory_config
        name = "DRAM" if config.buffer_type is BufferType.DRAM else "L1"
        return f"{name} {config.memory_layout.name}" if config.is_sharded() else name

    def _describe(self) -> str:
        layout = "TILE" if self._layout is Layout.TILE else "ROW_MAJOR"
        where = "on host" if self._device is None else f"on device in {self._placement()}"
        return f"{layout} {self._dtype.name.lower()} {list(self._shape)} {where}"

    def __repr__(self) -> str:
        if self._deallocated:
            return f"ttnn.Tensor(<deallocated>, shape={self._shape!r})"
        values = self._logical().to(torch.float32) if DTYPE_INFO[self._dtype].is_float else self._logical()
        return f"ttnn.Tensor({values}, shape={self._shape!r}, dtype={self._dtype!r}, layout={self._layout!r})"

    # -- operators (ttnn.Tensor defines these via the ops) --------------------------------------------------------
    def __add__(self, other):
        from .ops.eltwise import add

        return add(self, other)

    def __radd__(self, other):
        from .ops.eltwise import add

        return add(self, other)

    def __sub__(self, other):
        from .ops.eltwise import subtract

        return subtract(self, other)

    def __rsub__(self, other):
        from .ops.eltwise import add, neg

        return add(neg(self), other)

    def __mul__(self, other):
        from .ops.eltwise import multiply

        return multiply(self, other)

    def __rmul__(self, other):
        from .ops.eltwise import multiply

        return multiply(self, other)

    def __truediv__(self, other):
        from .ops.eltwise import divide

        return divide(self, other)

    def __matmul__(self, other):
        from .ops.matmul import matmul

        return matmul(self, other)

    def __neg__(self):
        from .ops.eltwise import neg

        return neg(self)

    def __getitem__(self, key):
        from .ops.data_movement import getitem

        return getitem(self, key)

    def __len__(self) -> int:
        return self._shape[0]


def check_dtype_layout(dtype: DataType, layout: Layout) -> None:
    if not isinstance(dtype, DataType) or dtype is DataType.INVALID:
        raise DTypeError(f"{dtype!r} is not a ttnn data type; use e.g. ttnn.bfloat16, ttnn.float32 or ttnn.uint32")
    if not isinstance(layout, Layout) or layout is Layout.INVALID:
        raise DTypeError(f"{layout!r} is not a ttnn layout; use ttnn.TILE_LAYOUT or ttnn.ROW_MAJOR_LAYOUT")
    if DTYPE_INFO[dtype].needs_tile and layout is not Layout.TILE:
        raise DTypeError(
            f"Layout must be Layout::TILE for bfloat8_b or bfloat4_b! ({dtype.name.lower()} is a block-float format "
            "and only exists in TILE layout; pass layout=ttnn.TILE_LAYOUT, or use ttnn.bfloat16 for ROW_MAJOR)"
        )


def _store(values: torch.Tensor, dtype: DataType) -> torch.Tensor:
    from .numerics import is_ideal

    if is_ideal() and DTYPE_INFO[dtype].is_float:
        return values.to(torch.float32)
    return formats.quantize(values, dtype)
