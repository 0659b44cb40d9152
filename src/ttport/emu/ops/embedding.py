"""ttnn.embedding: row lookups of a ROW_MAJOR table by uint32 ids."""

from __future__ import annotations

import torch

from ..errors import DTypeError, LayoutError, ShapeError
from ..registry import require_device, ttnn_op
from ..types import DTYPE_INFO, Layout, TTNNEnum
from ._common import finish, refuse_unmodelled


class EmbeddingsType(TTNNEnum):
    GENERIC = 0
    PADDED = 1
    BINARY = 2


@ttnn_op("ttnn.embedding")
def embedding(
    input_tensor,
    weight,
    *,
    padding_idx=None,
    layout=None,
    embeddings_type=EmbeddingsType.GENERIC,
    dtype=None,
    memory_config=None,
    output_tensor=None,
):
    """weight[input_tensor]: ids (batch, seq) in an integer dtype, table (vocab, hidden) ROW_MAJOR on device.

    The output is in `layout`, or in the table's layout when it is None (ttnn.embedding's docstring).
    """
    op = "ttnn.embedding"
    if embeddings_type is not EmbeddingsType.GENERIC:
        refuse_unmodelled(op, embeddings_type=embeddings_type)
    require_device(op, "input_tensor", input_tensor, tile=False)
    require_device(op, "weight", weight, tile=False)
    if DTYPE_INFO[input_tensor.dtype].is_float:
        raise DTypeError(
            f"{op}: input_tensor holds {input_tensor.dtype.name.lower()} ids; pass ids as ttnn.uint32 "
            "(ttnn.from_torch(ids, dtype=ttnn.uint32))"
        )
    if weight.layout is not Layout.ROW_MAJOR:
        raise LayoutError(
            f"{op}: weight is TILE; embedding tables must be ROW_MAJOR "
            "(ttnn.model_preprocessing.preprocess_embedding_weight keeps them so)"
        )
    ids = input_tensor._logical().to(torch.int64)
    table = weight._logical()
    vocab = table.shape[-2]
    if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= vocab):
        raise ShapeError(f"{op}: ids range over [{int(ids.min())}, {int(ids.max())}] but weight has {vocab} rows")
    values = table.reshape(vocab, -1)[ids]
    if padding_idx is not None:
        values = values.masked_fill((ids == padding_idx).unsqueeze(-1), 0)
    return finish(
        op,
        values.to(torch.float32),
        dtype=dtype or weight.dtype,
        like=input_tensor,
        layout=layout or weight.layout,
        memory_config=memory_config,
        output_tensor=output_tensor,
    )
