"""BERT feed-forward in TTNN, plain (twin of reference/torch_bert.py::bert_intermediate / bert_output)."""

import ttnn


def bert_intermediate(hidden_states, *, parameters):
    output = ttnn.linear(hidden_states, parameters.dense.weight, bias=parameters.dense.bias)
    return ttnn.gelu(output)


def bert_output(config, hidden_states, input_tensor, *, parameters):
    output = ttnn.linear(hidden_states, parameters.dense.weight, bias=parameters.dense.bias)
    output = ttnn.add(output, input_tensor)
    return ttnn.layer_norm(
        output,
        weight=parameters.LayerNorm.weight,
        bias=parameters.LayerNorm.bias,
        epsilon=config.layer_norm_eps,
    )
