"""The seed's TTNN functions (shared/seed/step-04-module-implementation.md §4.2, §4.5, §4.6), as the seed writes them.

They say `import ttnn` and run unchanged on the emulator or on a card. Parameters come pre-processed: Linear
weights transposed to (in, out) in TILE layout, biases and LayerNorm parameters as (1, N).
"""

import math

import ttnn


def bert_self_attention_ttnn(
    hidden_states,
    attention_mask,
    *,
    parameters,
    num_heads,
):
    batch_size, seq_len, hidden_size = hidden_states.shape
    head_dim = hidden_size // num_heads

    # Linear projections using ttnn.linear
    q = ttnn.linear(hidden_states, parameters.query.weight, bias=parameters.query.bias)
    k = ttnn.linear(hidden_states, parameters.key.weight, bias=parameters.key.bias)
    v = ttnn.linear(hidden_states, parameters.value.weight, bias=parameters.value.bias)

    # Reshape for multi-head attention
    q = ttnn.reshape(q, (batch_size, seq_len, num_heads, head_dim))
    q = ttnn.permute(q, (0, 2, 1, 3))  # [batch, heads, seq, head_dim]

    k = ttnn.reshape(k, (batch_size, seq_len, num_heads, head_dim))
    k = ttnn.permute(k, (0, 2, 1, 3))

    v = ttnn.reshape(v, (batch_size, seq_len, num_heads, head_dim))
    v = ttnn.permute(v, (0, 2, 1, 3))

    # Attention scores
    k_t = ttnn.permute(k, (0, 1, 3, 2))  # Transpose last two dims
    scores = ttnn.matmul(q, k_t)
    scores = ttnn.multiply(scores, 1.0 / math.sqrt(head_dim))

    if attention_mask is not None:
        scores = ttnn.add(scores, attention_mask)

    probs = ttnn.softmax(scores, dim=-1)

    # Context
    context = ttnn.matmul(probs, v)
    context = ttnn.permute(context, (0, 2, 1, 3))  # [batch, seq, heads, head_dim]
    context = ttnn.reshape(context, (batch_size, seq_len, hidden_size))

    return context


def feedforward(
    hidden_states,
    *,
    parameters,
):
    """BERT Feed-Forward Network"""
    # Intermediate: hidden_size -> intermediate_size
    intermediate = ttnn.linear(
        hidden_states, parameters.intermediate.dense.weight, bias=parameters.intermediate.dense.bias
    )
    intermediate = ttnn.gelu(intermediate)

    # Output: intermediate_size -> hidden_size
    output = ttnn.linear(intermediate, parameters.output.dense.weight, bias=parameters.output.dense.bias)

    return output


def feedforward_with_residual(
    hidden_states,
    *,
    parameters,
):
    """FFN with residual connection and layer norm"""
    residual = hidden_states

    # FFN
    output = feedforward(hidden_states, parameters=parameters)

    # Residual + LayerNorm
    output = ttnn.add(output, residual)
    output = ttnn.layer_norm(output, weight=parameters.output.LayerNorm.weight, bias=parameters.output.LayerNorm.bias)

    return output


def memory_efficient_module(hidden_states, *, parameters, device):
    """Example with explicit memory management"""

    # Move input to L1 for faster access
    hidden_states = ttnn.to_memory_config(hidden_states, ttnn.L1_MEMORY_CONFIG)

    # Process
    output = ttnn.linear(hidden_states, parameters.weight)

    # Deallocate intermediate tensors
    ttnn.deallocate(hidden_states)

    # Move output back to DRAM for storage
    output = ttnn.to_memory_config(output, ttnn.DRAM_MEMORY_CONFIG)

    return output
