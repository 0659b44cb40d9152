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

# Architectures first ported as unseen ones (docs/unseen-triage.md): each proved at these configs.
_ROPE = _GQA | _TOKENS
UNSEEN: dict[str, Arch] = {
    # encoders
    "megatron-bert": Arch("MegatronBertConfig", "MegatronBertModel", "encoder", _BERT),
    "squeezebert": Arch(
        "SqueezeBertConfig",
        "SqueezeBertModel",
        "encoder",
        _BERT
        | dict(embedding_size=64, q_groups=2, k_groups=2, v_groups=2, post_attention_groups=2)
        | dict(intermediate_groups=2, output_groups=2),
    ),
    "convbert": Arch("ConvBertConfig", "ConvBertModel", "encoder", _BERT | dict(embedding_size=64, conv_kernel_size=3)),
    "roformer": Arch("RoFormerConfig", "RoFormerModel", "encoder", _BERT | dict(embedding_size=64)),
    "rembert": Arch(
        "RemBertConfig", "RemBertModel", "encoder", _BERT | dict(input_embedding_size=32, output_embedding_size=32)
    ),
    "data2vec-text": Arch("Data2VecTextConfig", "Data2VecTextModel", "encoder", _BERT, pad=1),
    "esm": Arch(
        "EsmConfig",
        "EsmModel",
        "encoder",
        _BERT | dict(pad_token_id=1, position_embedding_type="rotary", token_dropout=False),
        pad=1,
    ),
    "canine": Arch(
        "CanineConfig",
        "CanineModel",
        "encoder",
        dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=96)
        | dict(downsampling_rate=4, num_hash_functions=4, num_hash_buckets=64, local_transformer_stride=4)
        | dict(max_position_embeddings=64),
    ),
    "ibert": Arch("IBertConfig", "IBertModel", "encoder", _BERT | dict(quant_mode=False), pad=1),
    "xlnet": Arch(
        "XLNetConfig",
        "XLNetModel",
        "encoder",
        dict(vocab_size=VOCAB, d_model=64, n_layer=2, n_head=4, d_inner=96, use_mems_eval=False),
        pad=5,
    ),
    "layoutlm": Arch("LayoutLMConfig", "LayoutLMModel", "encoder", _BERT),
    # decoders
    "gpt-bigcode": Arch(
        "GPTBigCodeConfig",
        "GPTBigCodeModel",
        "decoder",
        dict(vocab_size=VOCAB, n_embd=64, n_layer=2, n_head=4, n_positions=64, multi_query=True, use_cache=False)
        | _TOKENS,
    ),
    "codegen": Arch(
        "CodeGenConfig",
        "CodeGenModel",
        "decoder",
        dict(vocab_size=VOCAB, n_embd=64, n_layer=2, n_head=4, n_positions=64, n_ctx=64, rotary_dim=8)
        | dict(use_cache=False)
        | _TOKENS,
    ),
    "biogpt": Arch("BioGptConfig", "BioGptModel", "decoder", _DECODER | dict(pad_token_id=1), pad=1),
    "xglm": Arch(
        "XGLMConfig",
        "XGLMModel",
        "decoder",
        dict(vocab_size=VOCAB, d_model=64, num_layers=2, attention_heads=4, ffn_dim=96, max_position_embeddings=64)
        | dict(use_cache=False, pad_token_id=1),
        pad=1,
    ),
    "mpt": Arch(
        "MptConfig",
        "MptModel",
        "decoder",
        dict(vocab_size=VOCAB, d_model=64, n_heads=4, n_layers=2, expansion_ratio=2, max_seq_len=64, use_cache=False),
    ),
    "ctrl": Arch(
        "CTRLConfig",
        "CTRLModel",
        "decoder",
        dict(vocab_size=VOCAB, n_positions=64, n_embd=64, dff=96, n_layer=2, n_head=4, use_cache=False),
    ),
    "olmo": Arch("OlmoConfig", "OlmoModel", "decoder", _ROPE),
    "olmo2": Arch("Olmo2Config", "Olmo2Model", "decoder", _ROPE),
    "cohere": Arch("CohereConfig", "CohereModel", "decoder", _ROPE),
    "granite": Arch(
        "GraniteConfig",
        "GraniteModel",
        "decoder",
        _ROPE | dict(embedding_multiplier=2.0, residual_multiplier=0.5, attention_multiplier=0.25, logits_scaling=2.0),
    ),
    "starcoder2": Arch("Starcoder2Config", "Starcoder2Model", "decoder", _ROPE),
    "persimmon": Arch(
        "PersimmonConfig", "PersimmonModel", "decoder", _DECODER | _TOKENS | dict(partial_rotary_factor=0.5)
    ),
    "glm4": Arch("Glm4Config", "Glm4Model", "decoder", _ROPE | dict(head_dim=16)),
    "nemotron": Arch("NemotronConfig", "NemotronModel", "decoder", _ROPE | dict(head_dim=16)),
    "olmoe": Arch("OlmoeConfig", "OlmoeModel", "decoder", _ROPE | dict(num_experts=4, num_experts_per_tok=2)),
    # encoder-decoders
    "m2m100": Arch("M2M100Config", "M2M100Model", "seq2seq", _SEQ2SEQ | dict(pad_token_id=1), pad=1),
    "blenderbot": Arch("BlenderbotConfig", "BlenderbotModel", "seq2seq", _SEQ2SEQ),
    "blenderbot-small": Arch("BlenderbotSmallConfig", "BlenderbotSmallModel", "seq2seq", _SEQ2SEQ),
    "plbart": Arch("PLBartConfig", "PLBartModel", "seq2seq", _SEQ2SEQ, pad=1),
    "umt5": Arch(
        "UMT5Config",
        "UMT5Model",
        "seq2seq",
        dict(vocab_size=VOCAB, d_model=64, d_kv=16, d_ff=96, num_layers=2, num_heads=4, use_cache=False)
        | dict(relative_attention_num_buckets=8),
        qk_scale=1.0,  # T5's init (see "t5")
    ),
    "speech-to-text": Arch(
        "Speech2TextConfig",
        "Speech2TextModel",
        "fbank",
        dict(vocab_size=VOCAB, d_model=64, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4)
        | dict(decoder_attention_heads=4, encoder_ffn_dim=96, decoder_ffn_dim=96, input_feat_per_channel=16)
        | dict(num_conv_layers=2, conv_channels=32, conv_kernel_sizes=(5, 5), max_source_positions=64)
        | dict(max_target_positions=64, use_cache=False),
    ),
    # vision
    "convnextv2": Arch(
        "ConvNextV2Config",
        "ConvNextV2Model",
        "image",
        dict(hidden_sizes=[16, 32], depths=[1, 1], num_stages=2, patch_size=4, image_size=IMAGE),
    ),
    "mobilevit": Arch(
        "MobileViTConfig",
        "MobileViTModel",
        "image",
        dict(image_size=IMAGE, hidden_sizes=[32, 48, 64], neck_hidden_sizes=[8, 8, 16, 16, 24, 32, 64]),
    ),
    "levit": Arch(
        "LevitConfig",
        "LevitModel",
        "image",
        dict(image_size=IMAGE, hidden_sizes=[32, 48, 64], num_attention_heads=[2, 3, 4], depths=[1, 1, 1])
        | dict(key_dim=[8, 8, 8]),
    ),
    "dpt": Arch(
        "DPTConfig",
        "DPTForDepthEstimation",
        "image",
        _VIT
        | dict(num_hidden_layers=4, backbone_out_indices=[0, 1, 2, 3], neck_hidden_sizes=[16, 32, 64, 64])
        | dict(fusion_hidden_size=32, head_hidden_size=16),
    ),
    "data2vec-vision": Arch(
        "Data2VecVisionConfig", "Data2VecVisionModel", "image", _VIT | dict(use_relative_position_bias=True)
    ),
    "bit": Arch(
        "BitConfig", "BitModel", "image", dict(embedding_size=16, hidden_sizes=[16, 32], depths=[1, 1], num_groups=4)
    ),
    "mobilenet-v1": Arch(
        "MobileNetV1Config", "MobileNetV1Model", "image", dict(image_size=IMAGE, depth_multiplier=0.25, min_depth=8)
    ),
    "pvt": Arch(
        "PvtConfig",
        "PvtModel",
        "image",
        dict(
            image_size=IMAGE, hidden_sizes=[16, 32, 48, 64], depths=[1, 1, 1, 1], sequence_reduction_ratios=[4, 2, 1, 1]
        )
        | dict(num_attention_heads=[1, 2, 2, 4], mlp_ratios=[2, 2, 2, 2]),
    ),
    "focalnet": Arch(
        "FocalNetConfig",
        "FocalNetModel",
        "image",
        dict(image_size=IMAGE, patch_size=4, embed_dim=16, depths=[1, 1], focal_levels=[2, 2], focal_windows=[3, 3]),
    ),
    # audio
    "wavlm": Arch("WavLMConfig", "WavLMModel", "audio", _AUDIO | dict(num_buckets=32, max_bucket_distance=64)),
    "unispeech": Arch("UniSpeechConfig", "UniSpeechModel", "audio", _AUDIO),
}
ARCHS |= UNSEEN


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
    "fbank": lambda arch, config: {  # Speech2Text: (batch, frames, filterbank features)
        "input_features": torch.randn(BATCH, 24, config.input_feat_per_channel, generator=_generator()),
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
