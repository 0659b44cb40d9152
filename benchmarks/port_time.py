"""Wall time of `ttport port` (capture, reference, lower, verify, emit, the generated tests) with each stage's share,
for MiniLM (real weights) and a BERT-base-sized random model (12 layers, hidden 768). Target: <= 60 s for the
BERT-base-sized one on 2 cores.

Not a test. Run: .venv/bin/python benchmarks/port_time.py [minilm|bert-base ...]
"""

from __future__ import annotations

import pathlib
import sys
import tempfile
import time

import torch

from ttport.port.pipeline import run
from ttport.zoo import resolve

HERE = pathlib.Path(__file__).resolve().parent


def bert_base():
    """BERT-base-sized, random weights; batch 2 x sequence 32, the second sequence padded (spec port_time:bert_base)."""
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072)
    config._attn_implementation = "eager"
    model = BertModel(config).eval()
    generator = torch.Generator().manual_seed(0)
    attention_mask = torch.ones(2, 32, dtype=torch.long)
    attention_mask[1, 24:] = 0
    inputs = {"input_ids": torch.randint(0, config.vocab_size, (2, 32), generator=generator)}
    return model, inputs | {"attention_mask": attention_mask}


MODELS = {"minilm": ("minilm", "minilm"), "bert-base": ("port_time:bert_base", "bert_base")}


def measure(label: str) -> None:
    spec, name = MODELS[label]
    model, inputs = bert_base() if label == "bert-base" else resolve(spec)
    with tempfile.TemporaryDirectory(prefix="ttport-bench-") as directory:
        out = pathlib.Path(directory) / name
        start = time.perf_counter()
        result = run(model, inputs, name, model_spec=spec, out=out, pythonpath=[str(HERE)])
        total = time.perf_counter() - start
        data = sum(path.stat().st_size for path in (out / "tests" / "data").iterdir())
    shape = "x".join(str(s) for s in next(iter(inputs.values())).shape)
    print(f"{label}: ttport port, inputs {shape}, torch threads {torch.get_num_threads()}")
    for stage, seconds in result.seconds.items():
        print(f"  {stage:<9} {seconds:7.2f} s  {100 * seconds / total:5.1f} %")
    print(f"  {'total':<9} {total:7.2f} s")
    worst = min(result.checks, key=lambda check: check.pcc)
    print(
        f"  {len(result.checks)} modules, {len(result.lowered.kinds)} functions, test data {data / 1e6:.1f} MB, "
        f"min PCC {worst.pcc:.6f} ({worst.path or '<model>'}), proven: {result.passed}"
    )
    for failure in result.failures:
        print(f"  problem: {failure}")


def main(labels: list[str]) -> None:
    for label in labels or list(MODELS):
        measure(label)


if __name__ == "__main__":
    main(sys.argv[1:])
