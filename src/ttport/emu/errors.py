"""Typed errors raised by the emulator, worded like ttnn's and always naming the op, the tensor and the fix.

Real ttnn raises RuntimeError (TT_FATAL / TT_THROW) for all of these, so every emulator error is a RuntimeError too:
code that catches ttnn's errors catches ours.
"""

from __future__ import annotations


class TTNNError(RuntimeError):
    """Base of every error the emulator raises on behalf of a ttnn call."""


class LayoutError(TTNNError):
    """An op got a tensor in a layout it does not accept (e.g. ROW_MAJOR into matmul)."""


class StorageError(TTNNError):
    """An op got a host tensor where it needs a device tensor, or the reverse."""


class ShapeError(TTNNError):
    """Shapes that ttnn would refuse: mismatched inner dims, non-broadcastable operands, bad reshape volume."""


class DTypeError(TTNNError):
    """A data type that ttnn would refuse here (e.g. bfloat8_b in ROW_MAJOR layout)."""


class DeallocatedError(TTNNError):
    """A tensor was used after ttnn.deallocate."""


class OutOfMemoryError(TTNNError):
    """The emulated device ran out of DRAM or L1."""


class UnsupportedError(TTNNError):
    """An argument value real ttnn accepts but the emulator cannot model faithfully; refused rather than guessed."""
