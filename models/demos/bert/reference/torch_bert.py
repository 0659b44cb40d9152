"""BERT as functional PyTorch: one function per Hugging Face module, parameters passed in.

Parameters come from preprocess_model_parameters(..., convert_to_ttnn=lambda *_: False): Linear weights are
pre-transposed to (in, out), so a projection reads `hidden_states @ parameters.query.weight + parameters.query.bias`.
Each function lines up with its TTNN twin in ../tt/ line for line.
"""

import torch

# Additive mask value for padded tokens: finite in bfloat16 (unlike float32's min) and still exp() -> 0.
MASKED = -10000.0


def extended_attention_mask(attention_mask):
    """(batch, seq) 1/0 mask -> additive (batch, 1, 1, seq) mask."""
    return (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * MASKED


def bert_embeddings(config, input_ids, token_type_ids, position_ids, *, parameters):
    word_embeddings = torch.nn.functional.embedding(input_ids, parameters.word_embeddings.weight)
    token_type_embeddings = torch.nn.functional.embedding(token_type_ids, parameters.token_type_embeddings.weight)
    position_embeddings = torch.nn.functional.embedding(position_ids, parameters.position_embeddings.weight)
    embeddings = word_embeddings + token_type_embeddings + position_embeddings
    return torch.nn.functional.layer_norm(
        embeddings,
        (config.hidden_size,),
        parameters.LayerNorm.weight,
        parameters.LayerNorm.bias,
        eps=config.layer_norm_eps,
    )


def bert_self_attention(config, hidden_states, attention_mask, *, parameters):
    batch_size, sequence_size, hidden_size = hidden_states.shape
    num_heads = config.num_attention_heads
    head_size = hidden_size // num_heads

    query = hidden_states @ parameters.query.weight + parameters.query.bias
    query = query.reshape(batch_size, sequence_size, num_heads, head_size)
    query = query.permute(0, 2, 1, 3)

    key = hidden_states @ parameters.key.weight + parameters.key.bias
    key = key.reshape(batch_size, sequence_size, num_heads, head_size)
    key = key.permute(0, 2, 3, 1)

    value = hidden_states @ parameters.value.weight + parameters.value.bias
    value = value.reshape(batch_size, sequence_size, num_heads, head_size)
    value = value.permute(0, 2, 1, 3)

    attention_scores = query @ key
    attention_scores = attention_scores * (1 / head_size**0.5)
    if attention_mask is not None:
        attention_scores = attention_scores + attention_mask
    attention_probs = torch.softmax(attention_scores, dim=-1)

    context_layer = attention_probs @ value
    context_layer = context_layer.permute(0, 2, 1, 3)
    return context_layer.reshape(batch_size, sequence_size, hidden_size)


def bert_self_output(config, hidden_states, input_tensor, *, parameters):
    output = hidden_states @ parameters.dense.weight + parameters.dense.bias
    return torch.nn.functional.layer_norm(
        output + input_tensor,
        (config.hidden_size,),
        parameters.LayerNorm.weight,
        parameters.LayerNorm.bias,
        eps=config.layer_norm_eps,
    )


def bert_attention(config, hidden_states, attention_mask, *, parameters):
    self_output = bert_self_attention(config, hidden_states, attention_mask, parameters=parameters.self)
    return bert_self_output(config, self_output, hidden_states, parameters=parameters.output)


def bert_intermediate(hidden_states, *, parameters):
    output = hidden_states @ parameters.dense.weight + parameters.dense.bias
    return torch.nn.functional.gelu(output)


def bert_output(config, hidden_states, input_tensor, *, parameters):
    output = hidden_states @ parameters.dense.weight + parameters.dense.bias
    return torch.nn.functional.layer_norm(
        output + input_tensor,
        (config.hidden_size,),
        parameters.LayerNorm.weight,
        parameters.LayerNorm.bias,
        eps=config.layer_norm_eps,
    )


def bert_layer(config, hidden_states, attention_mask, *, parameters):
    attention_output = bert_attention(config, hidden_states, attention_mask, parameters=parameters.attention)
    intermediate_output = bert_intermediate(attention_output, parameters=parameters.intermediate)
    return bert_output(config, intermediate_output, attention_output, parameters=parameters.output)


def bert_encoder(config, hidden_states, attention_mask, *, parameters):
    for layer_parameters in parameters.layer:
        hidden_states = bert_layer(config, hidden_states, attention_mask, parameters=layer_parameters)
    return hidden_states


def bert_pooler(hidden_states, *, parameters):
    first_token = hidden_states[:, 0]
    pooled = first_token @ parameters.dense.weight + parameters.dense.bias
    return torch.tanh(pooled)


def bert(config, input_ids, token_type_ids, position_ids, attention_mask, *, parameters):
    """(last_hidden_state, pooler_output) of BertModel; attention_mask is the additive (batch, 1, 1, seq) mask."""
    embeddings = bert_embeddings(config, input_ids, token_type_ids, position_ids, parameters=parameters.embeddings)
    hidden_states = bert_encoder(config, embeddings, attention_mask, parameters=parameters.encoder)
    pooled = bert_pooler(hidden_states, parameters=parameters.pooler) if "pooler" in parameters else None
    return hidden_states, pooled
