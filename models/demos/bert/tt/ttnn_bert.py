"""BERT in TTNN, plain: layer, encoder, pooler and the whole model (twin of reference/torch_bert.py)."""

import ttnn

from ..reference.torch_bert import extended_attention_mask
from .ttnn_attention import bert_attention
from .ttnn_embeddings import bert_embeddings
from .ttnn_feedforward import bert_intermediate, bert_output


def preprocess_inputs(input_ids, token_type_ids, position_ids, attention_mask, device):
    """torch inputs -> device tensors: ids as ROW_MAJOR uint32, the (batch, seq) mask as an additive TILE mask."""
    input_ids = ttnn.from_torch(input_ids, dtype=ttnn.uint32, device=device)
    token_type_ids = ttnn.from_torch(token_type_ids, dtype=ttnn.uint32, device=device)
    position_ids = ttnn.from_torch(position_ids, dtype=ttnn.uint32, device=device)
    if attention_mask is not None:
        attention_mask = ttnn.from_torch(
            extended_attention_mask(attention_mask), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device
        )
    return input_ids, token_type_ids, position_ids, attention_mask


def bert_layer(config, hidden_states, attention_mask, *, parameters):
    attention_output = bert_attention(config, hidden_states, attention_mask, parameters=parameters.attention)
    intermediate_output = bert_intermediate(attention_output, parameters=parameters.intermediate)
    return bert_output(config, intermediate_output, attention_output, parameters=parameters.output)


def bert_encoder(config, hidden_states, attention_mask, *, parameters):
    for layer_parameters in parameters.layer:
        hidden_states = bert_layer(config, hidden_states, attention_mask, parameters=layer_parameters)
    return hidden_states


def bert_pooler(hidden_states, *, parameters):
    batch_size, _, hidden_size = hidden_states.shape
    first_token = hidden_states[:, :1, :]
    first_token = ttnn.reshape(first_token, (batch_size, hidden_size))
    pooled = ttnn.linear(first_token, parameters.dense.weight, bias=parameters.dense.bias)
    return ttnn.tanh(pooled)


def bert(config, input_ids, token_type_ids, position_ids, attention_mask, *, parameters):
    """(last_hidden_state, pooler_output) of BertModel, from preprocess_inputs' tensors."""
    embeddings = bert_embeddings(config, input_ids, token_type_ids, position_ids, parameters=parameters.embeddings)
    hidden_states = bert_encoder(config, embeddings, attention_mask, parameters=parameters.encoder)
    pooled = bert_pooler(hidden_states, parameters=parameters.pooler) if "pooler" in parameters else None
    return hidden_states, pooled
