"""Time of `ttport reference` on a BERT-base-sized random model (12 layers, hidden 768): capture, generate, verify.

Not a test. Run: .venv/bin/python benchmarks/reference_time.py
"""

from __future__ import annotations

import time

import torch
from transformers import BertConfig, BertModel

from ttport.reference.pipeline import run


def main() -> None:
    torch.manual_seed(0)
    config = BertConfig(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072)
    config._attn_implementation = "eager"
    model = BertModel(config).eval()
    inputs = {
        "input_ids": torch.randint(0, config.vocab_size, (2, 32)),
        "attention_mask": torch.ones(2, 32, dtype=torch.long),
    }
    start = time.perf_counter()
    result = run(model, inputs, "bert_base")
    total = time.perf_counter() - start
    print(f"BERT-base random (12 layers, hidden 768), batch 2 x sequence 32, torch threads {torch.get_num_threads()}")
    for stage, seconds in result.seconds.items():
        print(f"  {stage:<9} {seconds:7.2f} s  {100 * seconds / total:5.1f} %")
    print(f"  {'total':<9} {total:7.2f} s")
    worst = max(row.max_abs_diff for row in result.rows)
    print(
        f"  {len(result.rows)} modules verified, {len(result.generated.kinds)} functions, all passed: {result.passed}, "
        f"max abs diff {worst:.2e}, min PCC {min(row.pcc for row in result.rows):.8f}"
    )


if __name__ == "__main__":
    main()
