"""MiniLM on the emulator: HF fp32 vs the TTNN ports (faithful and ideal), device ops per layer, peak memory.

    .venv/bin/python benchmarks/bert_emulator.py [--repeats 3]

Batch 8, sequence 128, real weights. All runs interleave in one process; the best time of each is compared.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root, for models.demos

from ttport import emu  # noqa: E402

emu.install()
import ttnn  # noqa: E402

from models.demos.bert import check, demo  # noqa: E402
from models.demos.bert.tt import ttnn_bert, ttnn_optimized_bert  # noqa: E402
from models.demos.bert.tt.parameters import create_optimized_ttnn_parameters, create_ttnn_parameters  # noqa: E402

BATCH, SEQUENCE = 8, 128


def layer_ops(model, inputs, device, port, parameters) -> list[str]:
    """The device ops one encoder layer issues (deallocations are not ops)."""
    hidden = check.tile(torch.randn(BATCH, SEQUENCE, model.config.hidden_size), device)
    mask = ttnn_bert.preprocess_inputs(*_ids(inputs), inputs.attention_mask, device)[3]
    with emu.trace() as records:
        port.bert_layer(model.config, hidden, mask, parameters=parameters.encoder.layer[0])
    return [r.op for r in records if r.on_device]


def _ids(inputs):
    return inputs.input_ids, inputs.token_type_ids, inputs.position_ids


def peak_bytes(model, inputs, device, optimized, parameters) -> dict:
    device._allocator.reset_peak()
    check.ttnn_model(model, inputs, device, optimized=optimized, parameters=parameters)
    return {kind.name: peak for kind, peak in device._allocator.peak.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    model, tokenizer = demo.load_minilm()
    sentences = (demo.SENTENCES * BATCH)[:BATCH]
    inputs = check.tokenized_inputs(tokenizer, sentences, pad_to=SEQUENCE)
    device = ttnn.open_device(device_id=0)
    parameters = {False: create_ttnn_parameters(model, device), True: create_optimized_ttnn_parameters(model, device)}
    runs = {"HF fp32": lambda: check.hf_model(model, inputs)}
    for optimized, port in ((False, "plain"), (True, "optimized")):
        for mode in ("faithful", "ideal"):
            runs[f"TTNN {port}, {mode}"] = _ttnn_run(model, inputs, device, optimized, parameters[optimized], mode)
    times = {name: [] for name in runs}
    for _ in range(args.repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    base = min(times["HF fp32"])
    print(f"all-MiniLM-L6-v2, batch {BATCH}, seq {SEQUENCE}, {torch.get_num_threads()} threads, best of {args.repeats}")
    for name, values in times.items():
        print(f"  {name:<24} {min(values):7.3f} s  {min(values) / base:5.2f}x HF")
    for optimized, port in ((False, ttnn_bert), (True, ttnn_optimized_bert)):
        ops = layer_ops(model, inputs, device, port, parameters[optimized])
        peaks = peak_bytes(model, inputs, device, optimized, parameters[optimized])
        label = "optimized" if optimized else "plain"
        print(
            f"  {label:<9}: {len(ops)} device ops per encoder layer; peak DRAM {peaks['DRAM'] / 2**20:.1f} MiB, "
            f"peak L1 {peaks['L1'] / 2**20:.1f} MiB"
        )
        print(f"             {', '.join(op.removeprefix('ttnn.') for op in ops)}")
    ttnn.close_device(device)


def _ttnn_run(model, inputs, device, optimized, parameters, mode):
    def run():
        with emu.numerics(mode):
            return check.ttnn_model(model, inputs, device, optimized=optimized, parameters=parameters)

    return run


if __name__ == "__main__":
    main()
