"""The emulated ttnn ops, one module per family; importing this package registers them all."""

from . import (  # noqa: F401
    batch_norm,
    binary_ops,
    conv,
    conv_prepare,
    conv_transpose,
    conversion,
    creation,
    data_movement,
    eltwise,
    embedding,
    fold,
    group_norm,
    matmul,
    normalization,
    pool,
    reduction,
    sharded,
    ternary_ops,
    unary_ops,
    upsample,
)
