"""Functional PyTorch twins of the seed's TTNN functions (seed §4.1 style): torch parameters, no nn.Module."""

import math

import torch


def bert_self_attention_torch(hidden_states, attention_mask, *, parameters, num_heads):
    batch_size, seq_len, hidden_size = hidden_states.shape
    head_dim = hidden_size // num_heads

    q = hidden_states @ parameters.query.weight.T + parameters.query.bias
    k = hidden_states @ parameters.key.weight.T + parameters.key.bias
    v = hidden_states @ parameters.value.weight.T + parameters.value.bias

    q = q.view(batch_size, seq_len, num_heads, head_dim).transpose(1, 2)
    k = k.view(batch_size, seq_len, num_heads, head_dim).transpose(1, 2)
    v = v.view(batch_size, seq_len, num_heads, head_dim).transpose(1, 2)

    scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(head_dim)
    if attention_mask is not None:
        scores = scores + attention_mask
    probs = torch.softmax(scores, dim=-1)

    context = torch.matmul(probs, v)
    return context.transpose(1, 2).contiguous().view(batch_size, seq_len, -1)


def feedforward_torch(hidden_states, *, parameters):
    intermediate = hidden_states @ parameters.intermediate.dense.weight.T + parameters.intermediate.dense.bias
    intermediate = torch.nn.functional.gelu(intermediate)
    return intermediate @ parameters.output.dense.weight.T + parameters.output.dense.bias


def feedforward_with_residual_torch(hidden_states, *, parameters, eps=1e-12):
    output = feedforward_torch(hidden_states, parameters=parameters) + hidden_states
    norm = parameters.output.LayerNorm
    return torch.nn.functional.layer_norm(output, (output.shape[-1],), norm.weight, norm.bias, eps)


def memory_efficient_module_torch(hidden_states, *, parameters):
    return hidden_states @ parameters.weight.T
