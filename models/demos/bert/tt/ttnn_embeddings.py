"""BERT embeddings in TTNN (twin of reference/torch_bert.py::bert_embeddings)."""

import ttnn


def bert_embeddings(config, input_ids, token_type_ids, position_ids, *, parameters):
    word_embeddings = ttnn.embedding(input_ids, parameters.word_embeddings.weight, layout=ttnn.TILE_LAYOUT)
    token_type_embeddings = ttnn.embedding(
        token_type_ids, parameters.token_type_embeddings.weight, layout=ttnn.TILE_LAYOUT
    )
    position_embeddings = ttnn.embedding(position_ids, parameters.position_embeddings.weight, layout=ttnn.TILE_LAYOUT)
    embeddings = ttnn.add(word_embeddings, token_type_embeddings)
    embeddings = ttnn.add(embeddings, position_embeddings)
    return ttnn.layer_norm(
        embeddings,
        weight=parameters.LayerNorm.weight,
        bias=parameters.LayerNorm.bias,
        epsilon=config.layer_norm_eps,
    )
