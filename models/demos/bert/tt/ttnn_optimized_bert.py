"""BERT in TTNN, optimized: fused QKV, the transformer helpers, fused activation and residual, L1 activations.

Against the plain port (ttnn_bert.py) one encoder layer issues 11 device ops instead of 24: one QKV linear and a
head split instead of three linears, three reshapes and three permutes; attention_softmax_ folds the scale and the
mask into the softmax; concatenate_heads replaces a permute and a reshape; gelu rides on the linear and each
residual add on its layer_norm. Weights are bfloat8_b (parameters.py), activations bfloat16 in L1 (MiniLM at
batch 8, seq 128 peaks at 7.5 MiB of the 87 MiB of L1), each freed right after its last use.
"""

import ttnn

from .ttnn_bert import bert_pooler
from .ttnn_embeddings import bert_embeddings

L1 = ttnn.L1_MEMORY_CONFIG


def bert_attention(config, hidden_states, attention_mask, *, parameters):
    num_heads = config.num_attention_heads
    head_size = hidden_states.shape[-1] // num_heads

    query_key_value = ttnn.linear(
        hidden_states,
        parameters.self.query_key_value.weight,
        bias=parameters.self.query_key_value.bias,
        memory_config=L1,
    )
    query, key, value = ttnn.transformer.split_query_key_value_and_split_heads(
        query_key_value, num_heads=num_heads, memory_config=L1
    )
    ttnn.deallocate(query_key_value)

    attention_scores = ttnn.matmul(query, key, memory_config=L1)
    ttnn.deallocate(query)
    ttnn.deallocate(key)
    attention_probs = ttnn.transformer.attention_softmax_(
        attention_scores, attention_mask=attention_mask, head_size=head_size
    )

    context_layer = ttnn.matmul(attention_probs, value, memory_config=L1)
    ttnn.deallocate(attention_probs)
    ttnn.deallocate(value)
    context_layer = ttnn.transformer.concatenate_heads(context_layer, memory_config=L1)

    self_output = ttnn.linear(
        context_layer, parameters.output.dense.weight, bias=parameters.output.dense.bias, memory_config=L1
    )
    ttnn.deallocate(context_layer)
    attention_output = ttnn.layer_norm(
        self_output,
        residual_input_tensor=hidden_states,
        weight=parameters.output.LayerNorm.weight,
        bias=parameters.output.LayerNorm.bias,
        epsilon=config.layer_norm_eps,
        memory_config=L1,
    )
    ttnn.deallocate(self_output)
    return attention_output


def bert_feedforward(config, hidden_states, *, parameters):
    intermediate = ttnn.linear(
        hidden_states,
        parameters.intermediate.dense.weight,
        bias=parameters.intermediate.dense.bias,
        activation="gelu",
        memory_config=L1,
    )
    output = ttnn.linear(
        intermediate, parameters.output.dense.weight, bias=parameters.output.dense.bias, memory_config=L1
    )
    ttnn.deallocate(intermediate)
    layer_output = ttnn.layer_norm(
        output,
        residual_input_tensor=hidden_states,
        weight=parameters.output.LayerNorm.weight,
        bias=parameters.output.LayerNorm.bias,
        epsilon=config.layer_norm_eps,
        memory_config=L1,
    )
    ttnn.deallocate(output)
    return layer_output


def bert_layer(config, hidden_states, attention_mask, *, parameters):
    attention_output = bert_attention(config, hidden_states, attention_mask, parameters=parameters.attention)
    layer_output = bert_feedforward(config, attention_output, parameters=parameters)
    ttnn.deallocate(attention_output)
    return layer_output


def bert_encoder(config, hidden_states, attention_mask, *, parameters):
    layer_input = hidden_states
    for layer_parameters in parameters.layer:
        layer_output = bert_layer(config, layer_input, attention_mask, parameters=layer_parameters)
        if layer_input is not hidden_states:  # the caller's tensor stays theirs
            ttnn.deallocate(layer_input)
        layer_input = layer_output
    return layer_input


def bert(config, input_ids, token_type_ids, position_ids, attention_mask, *, parameters):
    """(last_hidden_state, pooler_output) of BertModel, from ttnn_bert.preprocess_inputs' tensors."""
    embeddings = bert_embeddings(config, input_ids, token_type_ids, position_ids, parameters=parameters.embeddings)
    hidden_states = bert_encoder(config, embeddings, attention_mask, parameters=parameters.encoder)
    ttnn.deallocate(embeddings)
    pooled = bert_pooler(hidden_states, parameters=parameters.pooler) if "pooler" in parameters else None
    return hidden_states, pooled
