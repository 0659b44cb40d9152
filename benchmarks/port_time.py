"""Wall time and peak resident memory of each `ttport port` stage (capture, reference, lower, verify, emit, test),
for MiniLM (real weights), BERT-base, BERT-large and a Llama-3.2-1B-shaped model (random weights), and how each stage
scales with the number of layers.

Targets on 2 cores (issue 10): the 1B model <= 5 min and <= 12 GB, its captured test data <= 50 MB.

Not a test. Run:
  .venv/bin/python benchmarks/port_time.py [minilm|bert-base|bert-large|llama-1b ...] [--no-test]
  .venv/bin/python benchmarks/port_time.py llama-1b --layers 2,4,8 --no-test   # scaling in layers

Peak memory per stage: the process's high-water mark (VmHWM) is reset at each stage start (/proc/self/clear_refs)
and read when the next begins; the test stage runs pytest in a child, whose peak is getrusage's RUSAGE_CHILDREN.
"""

from __future__ import annotations

import argparse
import pathlib
import resource
import tempfile
import time

import torch

from ttport.port.pipeline import run
from ttport.zoo import resolve

HERE = pathlib.Path(__file__).resolve().parent


def _padded_tokens(vocab: int, batch: int, seq: int, *, left: bool) -> dict:
    """Token ids and a mask; the last sequence of the batch has a quarter padding (left for decoders)."""
    generator = torch.Generator().manual_seed(0)
    attention_mask = torch.ones(batch, seq, dtype=torch.long)
    if batch > 1:
        attention_mask[-1, slice(0, seq // 4) if left else slice(seq - seq // 4, seq)] = 0
    return {"input_ids": torch.randint(3, vocab, (batch, seq), generator=generator), "attention_mask": attention_mask}


def _bert(layers: int, hidden: int, heads: int, ffn: int, seq: int):
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads, intermediate_size=ffn)
    config._attn_implementation = "eager"
    model = BertModel(config).eval()
    return model, _padded_tokens(config.vocab_size, 2, seq, left=False)


def bert_base(layers: int = 12):
    """BERT-base-sized: hidden 768, 12 heads, FFN 3072; batch 2 x sequence 32, the second padded."""
    return _bert(layers, 768, 12, 3072, 32)


def bert_large(layers: int = 24):
    """BERT-large-sized: hidden 1024, 16 heads, FFN 4096; batch 2 x sequence 128, the second padded."""
    return _bert(layers, 1024, 16, 4096, 128)


def llama_1b(layers: int = 16):
    """Llama-3.2-1B-shaped: hidden 2048, 32 query / 8 key-value heads, FFN 8192, vocabulary 128256, Llama 3 RoPE;
    random weights; batch 1 x sequence 128 (1.24 B parameters at 16 layers)."""
    from transformers import LlamaConfig, LlamaModel

    torch.manual_seed(0)
    rope = {"rope_type": "llama3", "rope_theta": 500000.0, "factor": 32.0, "low_freq_factor": 1.0}
    rope |= {"high_freq_factor": 4.0, "original_max_position_embeddings": 8192}
    config = LlamaConfig(
        vocab_size=128256,
        hidden_size=2048,
        intermediate_size=8192,
        num_hidden_layers=layers,
        num_attention_heads=32,
        num_key_value_heads=8,
        head_dim=64,
        max_position_embeddings=131072,
        rope_parameters=rope,
        tie_word_embeddings=True,
        use_cache=False,
        attn_implementation="eager",
    )
    model = LlamaModel(config).eval()
    return model, _padded_tokens(config.vocab_size, 1, 128, left=True)


MODELS = {"bert-base": bert_base, "bert-large": bert_large, "llama-1b": llama_1b}


def _hwm_mb() -> float:
    status = pathlib.Path("/proc/self/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")) / 1024


def _reset_hwm() -> None:
    pathlib.Path("/proc/self/clear_refs").write_text("5")  # Linux: reset the peak RSS to the current RSS


class StagePeaks:
    """on_stage callback for ttport.port.pipeline.run: the peak resident memory of this process in each stage."""

    def __init__(self):
        self.peaks: dict[str, float] = {}
        self.cpu: dict[str, float] = {}  # CPU seconds of this process: on a shared machine wall time overstates
        self.stage, self.started = "", 0.0

    def __call__(self, stage: str, total: int | None = None) -> None:
        if stage.endswith("-step") or stage == self.stage:
            return
        self.close()
        self.stage, self.started = stage, time.process_time()
        _reset_hwm()

    def close(self) -> None:
        if self.stage:
            self.peaks[self.stage] = _hwm_mb()
            self.cpu[self.stage] = time.process_time() - self.started


def measure(label: str, layers: int | None, run_tests: bool) -> None:
    build = MODELS.get(label)
    _reset_hwm()
    start = time.perf_counter()
    model, inputs = (build() if layers is None else build(layers)) if build else resolve(label)
    built, build_peak = time.perf_counter() - start, _hwm_mb()
    parameters = sum(p.numel() for p in model.parameters())
    name = label.replace("-", "_")
    peaks = StagePeaks()
    with tempfile.TemporaryDirectory(prefix="ttport-bench-") as directory:
        out = pathlib.Path(directory) / name
        start = time.perf_counter()
        spec = f"port_time:{build.__name__}" if build else label  # what the generated tests rebuild the model from
        result = run(
            model, inputs, name, model_spec=spec, out=out, run_tests=run_tests, on_stage=peaks, pythonpath=[str(HERE)]
        )
        total = time.perf_counter() - start
        peaks.close()
        data = sum(path.stat().st_size for path in (out / "tests" / "data").rglob("*") if path.is_file())
    if run_tests:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        peaks.peaks["test"] = children.ru_maxrss / 1024
        peaks.cpu["test"] = children.ru_utime + children.ru_stime
    shape = "x".join(str(s) for s in inputs["input_ids"].shape)
    print(f"{label}: {parameters / 1e6:.0f} M parameters, layers {layers or 'default'}, inputs {shape}")
    print(f"  {'build':<9} {built:7.1f} s  peak {build_peak / 1024:5.2f} GB (model construction, not ttport)")
    for stage, seconds in result.seconds.items():
        peak = peaks.peaks.get(stage, float("nan")) / 1024
        cpu = peaks.cpu.get(stage, float("nan"))
        print(f"  {stage:<9} {seconds:7.1f} s  cpu {cpu:7.1f} s  peak {peak:5.2f} GB  {100 * seconds / total:5.1f} %")
    print(f"  {'total':<9} {total:7.1f} s  test data {data / 1e6:.1f} MB")
    worst = min(result.checks, key=lambda check: check.pcc) if result.checks else None
    if worst:
        print(f"  {len(result.checks)} modules, min PCC {worst.pcc:.6f} ({worst.path or '<model>'})")
    print(f"  proven: {result.passed}")
    for failure in result.failures[:5]:
        print(f"  problem: {failure}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=["minilm", "bert-base"])
    parser.add_argument("--layers", help="comma-separated layer counts, e.g. 2,4,8 (sized models only)")
    parser.add_argument("--no-test", action="store_true", help="skip the generated tests")
    args = parser.parse_args()
    layer_counts = [int(n) for n in args.layers.split(",")] if args.layers else [None]
    for label in args.models:
        for layers in layer_counts:
            measure(label, layers, not args.no_test)


if __name__ == "__main__":
    main()
