"""The architecture zoo: Hugging Face transformers architectures at tiny configs, as data, built offline.

Each entry names its config class, model class, a tiny config and the kind of inputs it takes. Inputs are what each
model usually gets: token batches padded like real traffic (encoders and seq2seq sources right-padded, decoders
LEFT-padded as batched generation pads, padded positions holding the pad token), images, audio. Weights are random
(seeded) with two changes that make verification meaningful:
- every parameter is perturbed, so a dropped bias or a wrong norm scale shows (HF initialises them to 0 / 1);
- query and key projections are scaled up (QK_SCALE), because at HF's init (std 0.02) attention scores are ~0.02 and
  softmax is near-uniform, which no trained model has and which hides attention bugs;
- mixture-of-experts routers are scaled up likewise (ROUTER_WEIGHT, by QK_SCALE): at std 0.02 their logits have std
  ~0.25, so the 4 experts' probabilities are ~0.25 each and the top-2 choice hangs on gaps down to 0.001, below
  bfloat16's resolution there; a trained router discriminates between experts (that is its job);
- learned object queries (DETR's query_position_embeddings, the decoder's only query/key input in its first layer)
  are drawn at std 1, nn.Embedding's default that the original DETR keeps, not HF's 0.02: at 0.02 the first decoder
  self-attention is uniform to 1e-4, below bfloat16's resolution (docs/ttnn-numerics.md, "DETR").

>>> model, inputs = build("mistral")
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import torch

SEED = 0
BATCH, SEQUENCE, PADDED = 2, 8, 2  # the second sequence of every token batch has PADDED pad tokens
VOCAB = 120
IMAGE = 32  # pixels per side
AUDIO = 400  # raw samples (Wav2Vec2 / HuBERT)
PERTURB = 0.02
QK_SCALE = 4.0  # scores grow by QK_SCALE**2: std ~1 instead of ~0.06 at hidden 64 (HF's std-0.02 init)
# Separate query / key projections across the families (BERT query/key, Llama q_proj/k_proj, T5 and MPNet q/k,
# DistilBERT q_lin/k_lin, DeBERTa query_proj/key_proj). Fused QKV weights are left as initialised.
QK_WEIGHT = re.compile(r"(?:^|\.)(?:q|k|query|key|q_proj|k_proj|q_lin|k_lin|query_proj|key_proj)\.weight$")
ROUTER_WEIGHT = re.compile(r"(?:^|\.)(?:gate|router)\.weight$")  # MixtralTopKRouter, Qwen2MoeTopKRouter (mlp.gate)
QUERY_EMBEDDING = re.compile(r"(?:^|\.)query_position_embeddings\.weight$")  # DETR family's learned object queries
QUERY_STD = 1.0


@dataclass(frozen=True)
class Arch:
    config: str  # transformers config class
    model: str  # transformers model class
    inputs: str  # a key of INPUTS
    settings: dict = field(default_factory=dict)  # the tiny config
    pad: int = 0  # pad token id (token inputs)
    qk_scale: float = QK_SCALE  # 1.0 where the model's own init already gives attention scores of std ~1


# Shared shapes: hidden 64, 2 layers, 4 heads (16 per head), FFN 96.
_BERT = dict(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=96)
_BERT |= dict(max_position_embeddings=64)
_DECODER = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4)
_DECODER |= dict(max_position_embeddings=64, use_cache=False)
_GQA = _DECODER | dict(num_key_value_heads=2)  # grouped-query attention: 2 query heads per key/value head
_SEQ2SEQ = dict(vocab_size=VOCAB, d_model=64, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4)
_SEQ2SEQ |= dict(decoder_attention_heads=4, encoder_ffn_dim=96, decoder_ffn_dim=96, max_position_embeddings=64)
_SEQ2SEQ |= dict(use_cache=False)
_VIT = dict(image_size=IMAGE, patch_size=8, num_channels=3, hidden_size=64, num_hidden_layers=2)
_VIT |= dict(num_attention_heads=4, intermediate_size=96)
_AUDIO = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=96)
_AUDIO |= dict(conv_dim=(32, 32), conv_stride=(5, 2), conv_kernel=(10, 3), num_conv_pos_embeddings=16)
_AUDIO |= dict(num_conv_pos_embedding_groups=4)
_EXPERTS = dict(num_local_experts=4, num_experts_per_tok=2)
_TOKENS = dict(pad_token_id=0, bos_token_id=2, eos_token_id=1)

ARCHS: dict[str, Arch] = {
    # encoders
    "bert": Arch("BertConfig", "BertModel", "encoder", _BERT),
    "roberta": Arch("RobertaConfig", "RobertaModel", "encoder", _BERT, pad=1),
    "xlm-roberta": Arch("XLMRobertaConfig", "XLMRobertaModel", "encoder", _BERT, pad=1),
    "deberta": Arch(
        "DebertaConfig",
        "DebertaModel",
        "encoder",
        _BERT | dict(relative_attention=True, pos_att_type=["c2p", "p2c"], position_biased_input=False),
    ),
    "deberta-v2": Arch(
        "DebertaV2Config",
        "DebertaV2Model",
        "encoder",
        _BERT
        | dict(relative_attention=True, pos_att_type=["p2c", "c2p"], position_biased_input=False)
        | dict(position_buckets=16, max_relative_positions=-1, norm_rel_ebd="layer_norm", share_att_key=True),
    ),
    "modernbert": Arch(
        "ModernBertConfig",
        "ModernBertModel",
        "encoder",
        _BERT | _TOKENS | dict(cls_token_id=2, sep_token_id=1, global_attn_every_n_layers=2, local_attention=4),
    ),
    "distilbert": Arch(
        "DistilBertConfig",
        "DistilBertModel",
        "encoder",
        dict(vocab_size=VOCAB, dim=64, n_layers=2, n_heads=4, hidden_dim=96, max_position_embeddings=64),
    ),
    "albert": Arch("AlbertConfig", "AlbertModel", "encoder", _BERT | dict(embedding_size=32)),
    "electra": Arch("ElectraConfig", "ElectraModel", "encoder", _BERT | dict(embedding_size=32)),
    "mpnet": Arch("MPNetConfig", "MPNetModel", "encoder", _BERT, pad=1),
    "clip-text": Arch("CLIPTextConfig", "CLIPTextModel", "encoder", _BERT | _TOKENS),
    # decoders (left-padded)
    "gpt2": Arch(
        "GPT2Config",
        "GPT2Model",
        "decoder",
        dict(vocab_size=VOCAB, n_embd=64, n_layer=2, n_head=4, n_positions=64, use_cache=False) | _TOKENS,
    ),
    "opt": Arch(
        "OPTConfig",
        "OPTModel",
        "decoder",
        _DECODER | dict(ffn_dim=96, word_embed_proj_dim=64, pad_token_id=1),
        pad=1,
    ),
    "bloom": Arch("BloomConfig", "BloomModel", "decoder", dict(vocab_size=VOCAB, hidden_size=64, n_layer=2, n_head=4)),
    "falcon": Arch("FalconConfig", "FalconModel", "decoder", _DECODER),
    "llama": Arch("LlamaConfig", "LlamaModel", "decoder", _GQA),
    "mistral": Arch("MistralConfig", "MistralModel", "decoder", _GQA),
    "qwen2": Arch("Qwen2Config", "Qwen2Model", "decoder", _GQA),
    "qwen3": Arch("Qwen3Config", "Qwen3Model", "decoder", _GQA | dict(head_dim=16)),
    "phi": Arch("PhiConfig", "PhiModel", "decoder", _DECODER),
    "phi3": Arch("Phi3Config", "Phi3Model", "decoder", _GQA | _TOKENS),
    "gemma": Arch("GemmaConfig", "GemmaModel", "decoder", _GQA | _TOKENS | dict(head_dim=16)),
    "gemma2": Arch("Gemma2Config", "Gemma2Model", "decoder", _GQA | _TOKENS | dict(head_dim=16, sliding_window=4)),
    "gemma3-text": Arch(
        "Gemma3TextConfig", "Gemma3TextModel", "decoder", _GQA | _TOKENS | dict(head_dim=16, sliding_window=4)
    ),
    "stablelm": Arch("StableLmConfig", "StableLmModel", "decoder", _GQA),
    "gpt-neox": Arch("GPTNeoXConfig", "GPTNeoXModel", "decoder", _DECODER | dict(rotary_pct=0.25)),
    "gpt-neo": Arch(
        "GPTNeoConfig",
        "GPTNeoModel",
        "decoder",
        dict(vocab_size=VOCAB, hidden_size=64, num_layers=2, num_heads=4, intermediate_size=96)
        | dict(attention_types=[[["global", "local"], 1]], window_size=4, max_position_embeddings=64, use_cache=False),
    ),
    "gptj": Arch(
        "GPTJConfig",
        "GPTJModel",
        "decoder",
        dict(vocab_size=VOCAB, n_positions=64, n_embd=64, n_layer=2, n_head=4, rotary_dim=8, use_cache=False),
    ),
    "mixtral": Arch("MixtralConfig", "MixtralModel", "decoder", _GQA | _EXPERTS),
    "qwen2-moe": Arch(
        "Qwen2MoeConfig",
        "Qwen2MoeModel",
        "decoder",
        _GQA | dict(num_experts=4, num_experts_per_tok=2, moe_intermediate_size=32, shared_expert_intermediate_size=64),
    ),
    "mamba": Arch(
        "MambaConfig",
        "MambaModel",
        "ids",
        dict(vocab_size=VOCAB, hidden_size=64, state_size=8, num_hidden_layers=2, expand=2, conv_kernel=4),
    ),
    # encoder-decoders (source right-padded, decoder ids unpadded)
    "bart": Arch("BartConfig", "BartModel", "seq2seq", _SEQ2SEQ, pad=1),
    "mbart": Arch("MBartConfig", "MBartModel", "seq2seq", _SEQ2SEQ, pad=1),
    "pegasus": Arch("PegasusConfig", "PegasusModel", "seq2seq", _SEQ2SEQ),
    "marian": Arch("MarianConfig", "MarianModel", "seq2seq", _SEQ2SEQ | _TOKENS | dict(decoder_start_token_id=0)),
    "t5": Arch(
        "T5Config",
        "T5Model",
        "seq2seq",
        dict(vocab_size=VOCAB, d_model=64, d_kv=16, d_ff=96, num_layers=2, num_heads=4, use_cache=False)
        | dict(relative_attention_num_buckets=8),
        # T5 does not scale scores by 1/sqrt(d_kv); its init does instead (q std (d_model*d_kv)**-0.5, k std
        # d_model**-0.5: scores of std ~1). QK_SCALE on top made every head one-hot (docs/ttnn-numerics.md, "T5").
        qk_scale=1.0,
    ),
    "whisper": Arch(
        "WhisperConfig",
        "WhisperModel",
        "speech2text",
        dict(vocab_size=VOCAB, d_model=64, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4)
        | dict(decoder_attention_heads=4, encoder_ffn_dim=96, decoder_ffn_dim=96, num_mel_bins=16)
        | dict(max_source_positions=12, max_target_positions=32, use_cache=False)
        | dict(pad_token_id=0, bos_token_id=2, eos_token_id=1, decoder_start_token_id=2),
    ),
    # vision
    "vit": Arch("ViTConfig", "ViTModel", "image", _VIT),
    "deit": Arch("DeiTConfig", "DeiTModel", "image", _VIT),
    "beit": Arch("BeitConfig", "BeitModel", "image", _VIT | dict(use_relative_position_bias=True)),
    "dinov2": Arch("Dinov2Config", "Dinov2Model", "image", _VIT | dict(mlp_ratio=2)),
    "clip-vision": Arch("CLIPVisionConfig", "CLIPVisionModel", "image", _VIT),
    "yolos": Arch("YolosConfig", "YolosModel", "image", _VIT | dict(image_size=[IMAGE, IMAGE], num_detection_tokens=4)),
    "swin": Arch(
        "SwinConfig",
        "SwinModel",
        "image",
        dict(image_size=IMAGE, patch_size=4, embed_dim=32, depths=[2, 2], num_heads=[2, 4], window_size=4),
    ),
    "segformer": Arch(
        "SegformerConfig",
        "SegformerModel",
        "image",
        dict(num_encoder_blocks=2, depths=[1, 1], sr_ratios=[2, 1], hidden_sizes=[16, 32], patch_sizes=[7, 3])
        | dict(strides=[4, 2], num_attention_heads=[1, 2], mlp_ratios=[2, 2]),
    ),
    "detr": Arch(
        "DetrConfig",
        "DetrModel",
        "image",
        dict(d_model=64, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4, decoder_attention_heads=4)
        | dict(encoder_ffn_dim=96, decoder_ffn_dim=96, num_queries=8),
    ),
    # audio
    "wav2vec2": Arch("Wav2Vec2Config", "Wav2Vec2Model", "audio", _AUDIO),
    "hubert": Arch("HubertConfig", "HubertModel", "audio", _AUDIO),
}


def _detr_backbone() -> dict:
    """DETR's backbone: a two-stage ResNet (transformers' own, not timm), the last stage's features."""
    from transformers import ResNetConfig

    config = ResNetConfig(embedding_size=16, hidden_sizes=[16, 32], depths=[1, 1], layer_type="basic")
    config.out_features = ["stage2"]
    return {"backbone_config": config}


EXTRA_SETTINGS = {"detr": _detr_backbone}  # settings that must be built (config objects)


def _generator(offset: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(SEED + offset)


def _ids(shape: tuple, offset: int = 0) -> torch.Tensor:
    return torch.randint(3, VOCAB, shape, generator=_generator(offset))  # 0..2 are pad / eos / bos


def _tokens(arch: Arch, *, left: bool) -> dict:
    input_ids = _ids((BATCH, SEQUENCE))
    attention_mask = torch.ones(BATCH, SEQUENCE, dtype=torch.long)
    padded = slice(0, PADDED) if left else slice(SEQUENCE - PADDED, SEQUENCE)
    attention_mask[1, padded] = 0
    input_ids[1, padded] = arch.pad
    return {"input_ids": input_ids, "attention_mask": attention_mask}


def _frames(config) -> int:
    return 2 * config.max_source_positions  # Whisper's encoder wants exactly this many mel frames (conv stride 2)


INPUTS = {
    "encoder": lambda arch, config: _tokens(arch, left=False),
    "decoder": lambda arch, config: _tokens(arch, left=True),
    "ids": lambda arch, config: {"input_ids": _ids((BATCH, SEQUENCE))},  # a model without a mask: no padding
    "seq2seq": lambda arch, config: _tokens(arch, left=False) | {"decoder_input_ids": _ids((BATCH, SEQUENCE - 2), 1)},
    "speech2text": lambda arch, config: {
        "input_features": torch.randn(BATCH, config.num_mel_bins, _frames(config), generator=_generator()),
        "decoder_input_ids": _ids((BATCH, SEQUENCE - 2), 1),
    },
    "image": lambda arch, config: {"pixel_values": torch.randn(BATCH, 3, IMAGE, IMAGE, generator=_generator())},
    "audio": lambda arch, config: {"input_values": torch.randn(BATCH, AUDIO, generator=_generator())},
}


def _realistic(model: torch.nn.Module, qk_scale: float) -> None:
    """Perturb every parameter (biases off 0, norm scales off 1), scale query / key projections and MoE routers up,
    redraw learned object queries at QUERY_STD."""
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            parameter.add_(torch.randn_like(parameter) * PERTURB)
            if QK_WEIGHT.search(name):
                parameter.mul_(qk_scale)
            if ROUTER_WEIGHT.search(name):
                parameter.mul_(QK_SCALE)
            if QUERY_EMBEDDING.search(name):
                parameter.normal_(0.0, QUERY_STD)


def build(name: str) -> tuple[torch.nn.Module, dict]:
    """One zoo architecture: (model in eval mode, example inputs as keyword arguments)."""
    import transformers

    arch = ARCHS[name]
    settings = arch.settings | EXTRA_SETTINGS.get(name, dict)()
    torch.manual_seed(SEED)
    config = getattr(transformers, arch.config)(attn_implementation="eager", **settings)
    model = getattr(transformers, arch.model)(config).eval()
    _realistic(model, arch.qk_scale)
    return model, INPUTS[arch.inputs](arch, config)
