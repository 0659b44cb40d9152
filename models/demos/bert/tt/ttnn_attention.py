"""BERT attention in TTNN, plain: one ttnn op per torch op (twin of reference/torch_bert.py)."""

import ttnn


def bert_self_attention(config, hidden_states, attention_mask, *, parameters):
    batch_size, sequence_size, hidden_size = hidden_states.shape
    num_heads = config.num_attention_heads
    head_size = hidden_size // num_heads

    query = ttnn.linear(hidden_states, parameters.query.weight, bias=parameters.query.bias)
    query = ttnn.reshape(query, (batch_size, sequence_size, num_heads, head_size))
    query = ttnn.permute(query, (0, 2, 1, 3))

    key = ttnn.linear(hidden_states, parameters.key.weight, bias=parameters.key.bias)
    key = ttnn.reshape(key, (batch_size, sequence_size, num_heads, head_size))
    key = ttnn.permute(key, (0, 2, 3, 1))

    value = ttnn.linear(hidden_states, parameters.value.weight, bias=parameters.value.bias)
    value = ttnn.reshape(value, (batch_size, sequence_size, num_heads, head_size))
    value = ttnn.permute(value, (0, 2, 1, 3))

    attention_scores = ttnn.matmul(query, key)
    attention_scores = ttnn.multiply(attention_scores, 1 / head_size**0.5)
    if attention_mask is not None:
        attention_scores = ttnn.add(attention_scores, attention_mask)
    attention_probs = ttnn.softmax(attention_scores, dim=-1)

    context_layer = ttnn.matmul(attention_probs, value)
    context_layer = ttnn.permute(context_layer, (0, 2, 1, 3))
    return ttnn.reshape(context_layer, (batch_size, sequence_size, hidden_size))


def bert_self_output(config, hidden_states, input_tensor, *, parameters):
    output = ttnn.linear(hidden_states, parameters.dense.weight, bias=parameters.dense.bias)
    output = ttnn.add(output, input_tensor)
    return ttnn.layer_norm(
        output,
        weight=parameters.LayerNorm.weight,
        bias=parameters.LayerNorm.bias,
        epsilon=config.layer_norm_eps,
    )


def bert_attention(config, hidden_states, attention_mask, *, parameters):
    self_output = bert_self_attention(config, hidden_states, attention_mask, parameters=parameters.self)
    return bert_self_output(config, self_output, hidden_states, parameters=parameters.output)
