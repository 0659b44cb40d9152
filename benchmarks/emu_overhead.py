"""Emulator overhead: a BERT-base-sized encoder stack in ttnn ops on the emulator vs the same math in torch fp32.

    .venv/bin/python benchmarks/emu_overhead.py [--layers 4] [--repeats 3]

Both run in this process, alternating, on the same inputs; the best time of each is compared. Targets (issue 2):
faithful <= 1.5x torch, ideal <= 1.1x torch. Also prints where faithful time goes, per ttnn op.
"""

from __future__ import annotations

import argparse
import cProfile
import math
import pstats
import time

import torch

from ttport import emu

emu.install()
import ttnn  # noqa: E402

BATCH, SEQUENCE, HIDDEN, HEADS, FFN = 8, 128, 768, 12, 3072


def make_layer(generator):
    def linear(n_in, n_out):
        return torch.randn(n_in, n_out, generator=generator) / math.sqrt(n_in), torch.randn(
            n_out, generator=generator
        ) * 0.02

    return {
        "query": linear(HIDDEN, HIDDEN),
        "key": linear(HIDDEN, HIDDEN),
        "value": linear(HIDDEN, HIDDEN),
        "output": linear(HIDDEN, HIDDEN),
        "ln1": (torch.ones(HIDDEN), torch.zeros(HIDDEN)),
        "up": linear(HIDDEN, FFN),
        "down": linear(FFN, HIDDEN),
        "ln2": (torch.ones(HIDDEN), torch.zeros(HIDDEN)),
    }


def torch_layer(x, mask, p):
    def heads(t):
        return t.view(BATCH, SEQUENCE, HEADS, -1).permute(0, 2, 1, 3)

    q, k, v = (heads(x @ p[n][0] + p[n][1]) for n in ("query", "key", "value"))
    scores = q @ k.transpose(-1, -2) / math.sqrt(HIDDEN // HEADS) + mask
    context = (torch.softmax(scores, -1) @ v).permute(0, 2, 1, 3).reshape(BATCH, SEQUENCE, HIDDEN)
    x = torch.nn.functional.layer_norm(context @ p["output"][0] + p["output"][1] + x, (HIDDEN,), *p["ln1"], 1e-12)
    hidden = torch.nn.functional.gelu(x @ p["up"][0] + p["up"][1])
    return torch.nn.functional.layer_norm(hidden @ p["down"][0] + p["down"][1] + x, (HIDDEN,), *p["ln2"], 1e-12)


def to_ttnn(p, device):
    def tile(t):
        return ttnn.from_torch(
            t if t.dim() > 1 else t.reshape(1, -1), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device
        )

    return {name: tuple(tile(t) for t in pair) for name, pair in p.items()}


def ttnn_layer(x, mask, p):
    def heads(t):
        return ttnn.permute(ttnn.reshape(t, (BATCH, SEQUENCE, HEADS, HIDDEN // HEADS)), (0, 2, 1, 3))

    q, k, v = (heads(ttnn.linear(x, p[n][0], bias=p[n][1])) for n in ("query", "key", "value"))
    scores = ttnn.matmul(q, ttnn.permute(k, (0, 1, 3, 2)))
    scores = ttnn.add(ttnn.multiply(scores, 1 / math.sqrt(HIDDEN // HEADS)), mask)
    context = ttnn.matmul(ttnn.softmax(scores, dim=-1), v)
    context = ttnn.reshape(ttnn.permute(context, (0, 2, 1, 3)), (BATCH, SEQUENCE, HIDDEN))
    attention = ttnn.linear(context, p["output"][0], bias=p["output"][1])
    x = ttnn.layer_norm(attention, residual_input_tensor=x, weight=p["ln1"][0], bias=p["ln1"][1])
    hidden = ttnn.linear(x, p["up"][0], bias=p["up"][1], activation="gelu")
    down = ttnn.linear(hidden, p["down"][0], bias=p["down"][1])
    return ttnn.layer_norm(down, residual_input_tensor=x, weight=p["ln2"][0], bias=p["ln2"][1])


def best_time(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print the top functions of one faithful run")
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    generator = torch.Generator().manual_seed(0)
    layers = [make_layer(generator) for _ in range(args.layers)]
    x = torch.randn(BATCH, SEQUENCE, HIDDEN, generator=generator)
    mask = torch.zeros(BATCH, 1, 1, SEQUENCE)
    device = ttnn.open_device(device_id=0)
    tt_layers = [to_ttnn(p, device) for p in layers]

    def run_torch():
        h = x
        for p in layers:
            h = torch_layer(h, mask, p)
        return h

    def run_ttnn(mode):
        with emu.numerics(mode):
            h = ttnn.from_torch(x, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
            m = ttnn.from_torch(mask, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
            for p in tt_layers:
                h = ttnn_layer(h, m, p)
            return ttnn.to_torch(h)

    expected = run_torch()
    for mode in ("faithful", "ideal"):
        pcc = emu_pcc(expected, run_ttnn(mode))
        print(f"{mode:>8}: PCC vs torch fp32 after {args.layers} layers = {pcc:.5f}")
    results = {"torch": [], "faithful": [], "ideal": []}
    for _ in range(args.repeats):  # interleaved, so drift in machine load hits all three alike
        results["torch"].append(best_time(run_torch, 1))
        results["faithful"].append(best_time(lambda: run_ttnn("faithful"), 1))
        results["ideal"].append(best_time(lambda: run_ttnn("ideal"), 1))
    base = min(results["torch"])
    print(
        f"BERT-base-sized stack: {args.layers} layers, batch {BATCH}, seq {SEQUENCE}, hidden {HIDDEN}, "
        f"{HEADS} heads, FFN {FFN}; {torch.get_num_threads()} threads; best of {args.repeats}"
    )
    for name, times in results.items():
        print(f"  {name:>8}: {min(times):7.3f} s   {min(times) / base:5.2f}x torch fp32")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(run_ttnn, "faithful")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(12)
    ttnn.close_device(device)


def emu_pcc(expected, actual) -> float:
    from ttport.validate import pcc

    return pcc(expected, actual)


if __name__ == "__main__":
    main()
