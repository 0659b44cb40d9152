"""The emulated ttnn ops, one module per family; importing this package registers them all."""

from . import conversion, creation, data_movement, eltwise, embedding, matmul, normalization, reduction, sharded  # noqa: F401
