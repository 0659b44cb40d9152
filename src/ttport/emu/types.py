"""Data types, layouts and storage types, with the facts about each that the emulator needs."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import torch

TILE_HEIGHT = 32
TILE_WIDTH = 32
FACE_HEIGHT = 16
FACE_WIDTH = 16


class TTNNEnum(enum.Enum):
    """An enum that prints as ttnn's do: DataType.BFLOAT16."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"

    __str__ = __repr__


class DataType(TTNNEnum):
    # Values are ttnn 0.81.1's enum values (ttport/validate/data/ttnn_api_0.81.1.json checks them).
    BFLOAT16 = 0
    FLOAT32 = 1
    UINT32 = 2
    BFLOAT8_B = 3
    BFLOAT4_B = 4
    UINT8 = 5
    UINT16 = 6
    INT32 = 7
    INVALID = 10  # 8 and 9 are FP8_E4M3 and INT8, which the emulator does not model


class Layout(TTNNEnum):
    ROW_MAJOR = 0
    TILE = 1
    INVALID = 2


class StorageType(TTNNEnum):
    HOST = 0
    DEVICE = 1


@dataclass(frozen=True)
class DTypeInfo:
    torch_storage: torch.dtype  # how the emulator holds values of this type
    element_bytes: float  # bytes per element on device, block exponents included for bfp formats
    is_float: bool
    needs_tile: bool  # block-float formats only exist as tiles
    mantissa_bits: int = 0  # explicit magnitude bits of a block-float element


# bfloat8_b: a 32x32 tile is 1024 one-byte elements + 64 shared exponents = 1088 bytes; bfloat4_b packs two per byte.
DTYPE_INFO: dict[DataType, DTypeInfo] = {
    DataType.BFLOAT16: DTypeInfo(torch.bfloat16, 2, True, False),
    DataType.FLOAT32: DTypeInfo(torch.float32, 4, True, False),
    DataType.BFLOAT8_B: DTypeInfo(torch.bfloat16, 1088 / 1024, True, True, mantissa_bits=7),
    DataType.BFLOAT4_B: DTypeInfo(torch.bfloat16, 576 / 1024, True, True, mantissa_bits=3),
    DataType.UINT32: DTypeInfo(torch.int64, 4, False, False),
    DataType.INT32: DTypeInfo(torch.int32, 4, False, False),
    DataType.UINT16: DTypeInfo(torch.int32, 2, False, False),
    DataType.UINT8: DTypeInfo(torch.uint8, 1, False, False),
}

# What from_torch picks when no dtype is given (ttnn keeps the torch dtype where it has one).
DTYPE_FROM_TORCH: dict[torch.dtype, DataType] = {
    torch.bfloat16: DataType.BFLOAT16,
    torch.float32: DataType.FLOAT32,
    torch.float16: DataType.BFLOAT16,
    torch.float64: DataType.FLOAT32,
    torch.int64: DataType.UINT32,
    torch.int32: DataType.INT32,
    torch.int16: DataType.UINT16,
    torch.uint8: DataType.UINT8,
    torch.bool: DataType.UINT8,
}

# What to_torch returns for each stored type: ttnn hands its buffer over by dlpack in the tensor's own element
# type (recorded readbacks: uint32 -> uint32, uint16 -> uint16; block floats are unpacked to float32).
TORCH_DTYPE_OUT: dict[DataType, torch.dtype] = {
    DataType.BFLOAT16: torch.bfloat16,
    DataType.FLOAT32: torch.float32,
    DataType.BFLOAT8_B: torch.float32,
    DataType.BFLOAT4_B: torch.float32,
    DataType.UINT32: torch.uint32,
    DataType.INT32: torch.int32,
    DataType.UINT16: torch.uint16,
    DataType.UINT8: torch.uint8,
}


def round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple
