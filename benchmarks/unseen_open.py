"""Hugging Face architectures tried as unseen ones (docs/unseen-triage.md) that do not prove yet, in ttport.archs's
data format, kept so each failure can be reproduced:

    PYTHONPATH=benchmarks .venv/bin/ttport port unseen_open:gpt_neox_japanese --no-test --out /tmp/unseen/gnj

(`_` for `-` in the factory name). The 44 that prove are in ttport.archs.UNSEEN, so in the zoo.
"""

from __future__ import annotations

from ttport import archs
from ttport.archs import _AUDIO, _BERT, _SEQ2SEQ, _VIT, IMAGE, VOCAB, Arch

# name -> the architecture, with why it does not prove (the triage's finding)
OPEN = {
    # a nested argument whose leaves are read in different forms (host in prepare, device in the forward):
    # needs a per-leaf form in lower/calls.py
    "funnel": Arch(
        "FunnelConfig",
        "FunnelModel",
        "encoder",
        dict(vocab_size=VOCAB, d_model=64, n_head=4, d_head=16, d_inner=96, block_sizes=[1, 1], num_decoder_layers=1),
    ),
    # refused at capture: an HF mask bug
    "nystromformer": Arch(
        "NystromformerConfig",
        "NystromformerModel",
        "ids",
        _BERT | dict(num_landmarks=4, segment_means_seq_len=8, conv_kernel_size=3),
        pad=1,
    ),
    # its attention returns a parameter (dense_bias) as an output, which the port does not return
    "gpt-neox-japanese": Arch(
        "GPTNeoXJapaneseConfig",
        "GPTNeoXJapaneseModel",
        "decoder",
        dict(
            vocab_size=VOCAB,
            hidden_size=64,
            num_hidden_layers=2,
            num_attention_heads=4,
            intermediate_multiple_size=2,
            max_position_embeddings=64,
            use_cache=False,
        ),
    ),
    # refused at capture: data-dependent control flow
    "fsmt": Arch(
        "FSMTConfig",
        "FSMTModel",
        "seq2seq",
        dict(
            langs=["en", "de"],
            src_vocab_size=VOCAB,
            tgt_vocab_size=VOCAB,
            d_model=64,
            encoder_layers=2,
            decoder_layers=2,
            encoder_attention_heads=4,
            decoder_attention_heads=4,
            encoder_ffn_dim=96,
            decoder_ffn_dim=96,
            max_position_embeddings=64,
            use_cache=False,
        ),
        pad=1,
    ),
    # refused at capture: data-dependent control flow
    "led": Arch(
        "LEDConfig",
        "LEDModel",
        "seq2seq",
        _SEQ2SEQ | dict(max_encoder_position_embeddings=64, max_decoder_position_embeddings=64, attention_window=4),
        pad=1,
    ),
    # whole model PCC 0.973: each block computes pool(x) - x, and bfloat16 cancellation compounds
    "poolformer": Arch(
        "PoolFormerConfig",
        "PoolFormerModel",
        "image",
        dict(
            hidden_sizes=[16, 32],
            depths=[1, 1],
            num_encoder_blocks=2,
            patch_sizes=[7, 3],
            strides=[4, 2],
            padding=[2, 1],
            pool_size=3,
            mlp_ratio=2.0,
        ),
    ),
    # NaN in the port, not traced yet
    "swinv2": Arch(
        "Swinv2Config",
        "Swinv2Model",
        "image",
        dict(image_size=IMAGE, patch_size=4, embed_dim=32, depths=[2, 2], num_heads=[2, 4], window_size=4),
    ),
    # conv weight paths in tt/parameters.py are 127 columns, which ruff format cannot split
    # (rules_conv.prepare_convs_source)
    "cvt": Arch("CvtConfig", "CvtModel", "image", dict(embed_dim=[16, 32, 64], num_heads=[1, 2, 4], depth=[1, 2, 3])),
    # the generated reference fails as a whole model (.view of a non-contiguous tensor); every module passes
    "siglip-vision": Arch("SiglipVisionConfig", "SiglipVisionModel", "image", _VIT),
    # flatten after a channels-last conv has no rule
    "pvt-v2": Arch(
        "PvtV2Config",
        "PvtV2Model",
        "image",
        dict(
            image_size=IMAGE,
            hidden_sizes=[16, 32, 48, 64],
            depths=[1, 1, 1, 1],
            sr_ratios=[4, 2, 1, 1],
            num_attention_heads=[1, 2, 2, 4],
            mlp_ratios=[2, 2, 2, 2],
        ),
    ),
    # the generated reference fails as a whole model (a size fixed for one length); every module passes
    "sew": Arch("SEWConfig", "SEWModel", "audio", _AUDIO | dict(squeeze_factor=2)),
    # pos_conv_embed PCC 0.99874 < 0.999
    "data2vec-audio": Arch("Data2VecAudioConfig", "Data2VecAudioModel", "audio", _AUDIO),
}


def __getattr__(attribute: str):
    """`unseen_open:<name>`: a factory returning (model, example inputs) for `ttport port`."""
    name = attribute.replace("_", "-")
    if name not in OPEN:
        raise AttributeError(attribute)
    archs.ARCHS.setdefault(name, OPEN[name])
    return lambda: archs.build(name)
