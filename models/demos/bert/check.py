"""What the BERT checks compare: for each module, Hugging Face's output, the reference's and the TTNN port's.

Inputs for a module are the ones Hugging Face's own forward pass hands it (layer 0 for per-layer modules).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import ttnn

from .reference import torch_bert
from .tt import ttnn_attention, ttnn_bert, ttnn_embeddings, ttnn_feedforward, ttnn_optimized_bert
from .tt.parameters import create_optimized_ttnn_parameters, create_reference_parameters, create_ttnn_parameters

MODULES = [
    "embeddings",
    "self_attention",
    "self_output",
    "attention",
    "intermediate",
    "output",
    "layer",
    "encoder",
    "pooler",
]


@dataclass
class Inputs:
    input_ids: torch.Tensor
    token_type_ids: torch.Tensor
    position_ids: torch.Tensor
    attention_mask: torch.Tensor  # (batch, seq) ones and zeros

    @property
    def additive_mask(self) -> torch.Tensor:
        return torch_bert.extended_attention_mask(self.attention_mask)


def random_inputs(config, batch: int, sequence: int, seed: int = 0) -> Inputs:
    """Random ids; every other sequence padded at the end (at least one real token each)."""
    generator = torch.Generator().manual_seed(seed)
    input_ids = torch.randint(0, config.vocab_size, (batch, sequence), generator=generator)
    token_type_ids = torch.randint(0, config.type_vocab_size, (batch, sequence), generator=generator)
    attention_mask = torch.ones(batch, sequence, dtype=torch.long)
    for row in range(1, batch, 2):
        attention_mask[row, max(1, sequence - 1 - row * sequence // (2 * batch)) :] = 0
    position_ids = torch.arange(sequence).expand(batch, sequence)
    return Inputs(input_ids, token_type_ids, position_ids, attention_mask)


def tokenized_inputs(tokenizer, sentences, pad_to=None) -> Inputs:
    padding = "max_length" if pad_to else True
    batch = tokenizer(sentences, return_tensors="pt", padding=padding, max_length=pad_to, truncation=True)
    batch_size, sequence = batch["input_ids"].shape
    position_ids = torch.arange(sequence).expand(batch_size, sequence)
    return Inputs(batch["input_ids"], batch["token_type_ids"], position_ids, batch["attention_mask"])


def tile(tensor, device):
    return ttnn.from_torch(tensor, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)


def hf_activations(model, inputs: Inputs) -> dict:
    """The tensors flowing through the HF model: module inputs and outputs, keyed by name."""
    mask = inputs.additive_mask
    layer = model.encoder.layer[0]
    with torch.no_grad():
        embeddings = model.embeddings(inputs.input_ids, inputs.token_type_ids, inputs.position_ids)
        context = layer.attention.self(embeddings, attention_mask=mask)[0]
        attention = layer.attention.output(context, embeddings)
        intermediate = layer.intermediate(attention)
        hidden = embeddings
        for encoder_layer in model.encoder.layer:
            hidden = encoder_layer(hidden, attention_mask=mask)
        return {
            "embeddings": embeddings,
            "self_attention": context,
            "self_output": attention,
            "attention": layer.attention(embeddings, attention_mask=mask)[0],
            "intermediate": intermediate,
            "output": layer.output(intermediate, attention),
            "layer": layer(embeddings, attention_mask=mask),
            "encoder": hidden,
            "pooler": model.pooler(hidden) if model.pooler is not None else None,
        }


def run_reference(name: str, model, inputs: Inputs, hf: dict):
    config, parameters = model.config, create_reference_parameters(model)
    layer, mask = parameters.encoder.layer[0], inputs.additive_mask
    calls = {
        "embeddings": lambda: torch_bert.bert_embeddings(
            config, inputs.input_ids, inputs.token_type_ids, inputs.position_ids, parameters=parameters.embeddings
        ),
        "self_attention": lambda: torch_bert.bert_self_attention(
            config, hf["embeddings"], mask, parameters=layer.attention.self
        ),
        "self_output": lambda: torch_bert.bert_self_output(
            config, hf["self_attention"], hf["embeddings"], parameters=layer.attention.output
        ),
        "attention": lambda: torch_bert.bert_attention(config, hf["embeddings"], mask, parameters=layer.attention),
        "intermediate": lambda: torch_bert.bert_intermediate(hf["self_output"], parameters=layer.intermediate),
        "output": lambda: torch_bert.bert_output(
            config, hf["intermediate"], hf["self_output"], parameters=layer.output
        ),
        "layer": lambda: torch_bert.bert_layer(config, hf["embeddings"], mask, parameters=layer),
        "encoder": lambda: torch_bert.bert_encoder(config, hf["embeddings"], mask, parameters=parameters.encoder),
        "pooler": lambda: torch_bert.bert_pooler(hf["encoder"], parameters=parameters.pooler),
    }
    with torch.no_grad():
        return calls[name]()


def run_ttnn(name: str, model, inputs: Inputs, hf: dict, device):
    config, parameters = model.config, create_ttnn_parameters(model, device)
    layer = parameters.encoder.layer[0]
    ids = ttnn_bert.preprocess_inputs(
        inputs.input_ids, inputs.token_type_ids, inputs.position_ids, inputs.attention_mask, device
    )
    mask = ids[3]
    hidden = {key: tile(value, device) for key, value in hf.items() if value is not None}
    calls = {
        "embeddings": lambda: ttnn_embeddings.bert_embeddings(config, *ids[:3], parameters=parameters.embeddings),
        "self_attention": lambda: ttnn_attention.bert_self_attention(
            config, hidden["embeddings"], mask, parameters=layer.attention.self
        ),
        "self_output": lambda: ttnn_attention.bert_self_output(
            config, hidden["self_attention"], hidden["embeddings"], parameters=layer.attention.output
        ),
        "attention": lambda: ttnn_attention.bert_attention(
            config, hidden["embeddings"], mask, parameters=layer.attention
        ),
        "intermediate": lambda: ttnn_feedforward.bert_intermediate(
            hidden["self_output"], parameters=layer.intermediate
        ),
        "output": lambda: ttnn_feedforward.bert_output(
            config, hidden["intermediate"], hidden["self_output"], parameters=layer.output
        ),
        "layer": lambda: ttnn_bert.bert_layer(config, hidden["embeddings"], mask, parameters=layer),
        "encoder": lambda: ttnn_bert.bert_encoder(config, hidden["embeddings"], mask, parameters=parameters.encoder),
        "pooler": lambda: ttnn_bert.bert_pooler(hidden["encoder"], parameters=parameters.pooler),
    }
    return ttnn.to_torch(calls[name]()).to(torch.float32)


def hf_model(model, inputs: Inputs):
    """(last_hidden_state, pooler_output) of the Hugging Face model."""
    with torch.no_grad():
        output = model(
            input_ids=inputs.input_ids,
            token_type_ids=inputs.token_type_ids,
            position_ids=inputs.position_ids,
            attention_mask=inputs.attention_mask,
        )
    return output.last_hidden_state, output.pooler_output


def reference_model(model, inputs: Inputs):
    with torch.no_grad():
        return torch_bert.bert(
            model.config,
            inputs.input_ids,
            inputs.token_type_ids,
            inputs.position_ids,
            inputs.additive_mask,
            parameters=create_reference_parameters(model),
        )


def ttnn_model(model, inputs: Inputs, device, *, optimized: bool = False, parameters=None):
    """(last_hidden_state, pooler_output) of the plain or optimized TTNN port, as float32 torch tensors."""
    if parameters is None:
        create = create_optimized_ttnn_parameters if optimized else create_ttnn_parameters
        parameters = create(model, device)
    port = ttnn_optimized_bert if optimized else ttnn_bert
    tensors = ttnn_bert.preprocess_inputs(
        inputs.input_ids, inputs.token_type_ids, inputs.position_ids, inputs.attention_mask, device
    )
    hidden, pooled = port.bert(model.config, *tensors, parameters=parameters)
    hidden_torch = ttnn.to_torch(hidden).to(torch.float32)
    pooled_torch = ttnn.to_torch(pooled).to(torch.float32) if pooled is not None else None
    ttnn.deallocate(hidden)
    return hidden_torch, pooled_torch


def sentence_embeddings(last_hidden_state, attention_mask):
    """Mean over real tokens, L2-normalised (how all-MiniLM-L6-v2 makes sentence embeddings)."""
    mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
    pooled = (last_hidden_state * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=-1)
