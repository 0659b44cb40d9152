"""Parameter preprocessing for the BERT ports (seed §4.3, done right).

The seed's custom_preprocessor transposes every weight (wrong for Embedding tables, which ttnn.embedding takes
as (vocab, hidden) ROW_MAJOR) and uploads 1-D biases (ttnn.linear wants (1, N)). These follow real ttnn's rules.
"""

import torch
import ttnn
from ttnn.model_preprocessing import (
    preprocess_embedding_weight,
    preprocess_layernorm_parameter,
    preprocess_linear_bias,
    preprocess_linear_weight,
    preprocess_model_parameters,
)


def custom_preprocessor(model, name):
    """Linear: weight (in, out) and bias (1, N), TILE; LayerNorm: (1, N) TILE; Embedding: ROW_MAJOR as is."""
    parameters = {}
    if isinstance(model, torch.nn.Linear):
        parameters["weight"] = preprocess_linear_weight(model.weight, dtype=ttnn.bfloat16)
        if model.bias is not None:
            parameters["bias"] = preprocess_linear_bias(model.bias, dtype=ttnn.bfloat16)
    elif isinstance(model, torch.nn.LayerNorm):
        parameters["weight"] = preprocess_layernorm_parameter(model.weight, dtype=ttnn.bfloat16)
        parameters["bias"] = preprocess_layernorm_parameter(model.bias, dtype=ttnn.bfloat16)
    elif isinstance(model, torch.nn.Embedding):
        parameters["weight"] = preprocess_embedding_weight(model.weight, dtype=ttnn.bfloat16)
    return parameters


def create_ttnn_parameters(torch_model, device):
    """Parameters for tt/ttnn_bert.py (plain port), on `device`."""
    return preprocess_model_parameters(
        initialize_model=lambda: torch_model,
        device=device,
        custom_preprocessor=custom_preprocessor,
    )


def optimized_custom_preprocessor(model, name, weights_dtype=ttnn.bfloat8_b):
    """Fused QKV for self-attention, block-float weights for every Linear; the rest as custom_preprocessor."""
    parameters = {}
    if type(model).__name__ == "BertSelfAttention":
        weight = torch.cat([model.query.weight, model.key.weight, model.value.weight], dim=0)
        bias = torch.cat([model.query.bias, model.key.bias, model.value.bias], dim=0)
        parameters["query_key_value"] = {
            "weight": preprocess_linear_weight(weight, dtype=weights_dtype),
            "bias": preprocess_linear_bias(bias, dtype=ttnn.bfloat16),
        }
    elif isinstance(model, torch.nn.Linear):
        parameters["weight"] = preprocess_linear_weight(model.weight, dtype=weights_dtype)
        parameters["bias"] = preprocess_linear_bias(model.bias, dtype=ttnn.bfloat16)
    else:
        parameters = custom_preprocessor(model, name)
    return parameters


def create_optimized_ttnn_parameters(torch_model, device, weights_dtype=ttnn.bfloat8_b):
    """Parameters for tt/ttnn_optimized_bert.py, on `device`."""
    return preprocess_model_parameters(
        initialize_model=lambda: torch_model,
        device=device,
        custom_preprocessor=lambda model, name: optimized_custom_preprocessor(model, name, weights_dtype),
    )


def create_reference_parameters(torch_model):
    """torch parameters for reference/torch_bert.py (Linear weights pre-transposed)."""
    return preprocess_model_parameters(initialize_model=lambda: torch_model, convert_to_ttnn=lambda *_: False)
