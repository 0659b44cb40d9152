"""ResNet-50 on the emulator: torch fp32 vs the generated TTNN port (faithful and ideal numerics), and its L1 plan.

    .venv/bin/python benchmarks/conv_emulator.py [--repeats 3] [--model resnet50]

Batch 1, 224x224, random weights (ttport.zoo_cnn). The port is made by ttport.lower from one capture, loaded
in-process and run on the emulated n150; all runs interleave in one process and the best time of each is compared.
Times are this process's CPU seconds (time.process_time; one thread with OMP_NUM_THREADS=1): on a machine shared
with other jobs the wall clock also counts the time spent waiting for a core, which moved torch's own run by up to
60 % between runs.
Also printed: the PCC of each run against torch, the device ops, and the per-core L1 peak the convolutions ran with
(L1 buffers resident at the conv + its circular buffers, ttport.emu.conv_l1) next to the lowering's planned peak
of activations.
"""

from __future__ import annotations

import argparse
import time

import torch

from ttport import emu

emu.install()
import ttnn  # noqa: E402

from ttport.capture import capture  # noqa: E402
from ttport.emu import conv_l1  # noqa: E402
from ttport.emu.device import L1_BYTES_PER_CORE  # noqa: E402
from ttport.lower import lower  # noqa: E402
from ttport.lower.verify import load  # noqa: E402
from ttport.reference.generate import generate  # noqa: E402
from ttport.validate import compare  # noqa: E402
from ttport.zoo_cnn import CNN_MODELS  # noqa: E402


def port(model, inputs, device):
    """(root function, parameters) of the generated port."""
    captured = capture(model, inputs)
    lowered = lower(captured, generate(captured, "resnet"), weights="bf16")
    namespace = load(lowered)
    root = next(kind for kind in lowered.kinds if kind.group == "model" and "" in kind.instances)
    parameters = namespace.create_ttnn_parameters(captured.model, device)
    return getattr(namespace, root.name), parameters, lowered, root


def timed(function) -> tuple[float, object]:
    start = time.process_time()
    result = function()
    return time.process_time() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", default="resnet50", choices=sorted(CNN_MODELS))
    args = parser.parse_args()
    torch.manual_seed(0)
    model, inputs = CNN_MODELS[args.model]()
    pixels = inputs["pixel_values"]
    device = ttnn.open_device(device_id=0)
    function, parameters, lowered, root = port(model, inputs, device)

    def run_port(numerics: str):
        with emu.numerics(numerics):
            x = ttnn.from_torch(pixels, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
            out = function(x, parameters=parameters, **root.instances[""])
            out = out[0] if isinstance(out, (tuple, list)) else out
            return ttnn.to_torch(out).to(torch.float32)

    with torch.no_grad():
        expected = model(**inputs).last_hidden_state
    best = {"torch fp32": float("inf"), "emulator, faithful": float("inf"), "emulator, ideal": float("inf")}
    results = {}
    with emu.trace() as records:
        run_port("faithful")
    conv_l1.reset_l1_peak(device)
    for _ in range(args.repeats):
        with torch.no_grad():
            seconds, _ = timed(lambda: model(**inputs))
        best["torch fp32"] = min(best["torch fp32"], seconds)
        for name, numerics in (("emulator, faithful", "faithful"), ("emulator, ideal", "ideal")):
            seconds, results[name] = timed(lambda n=numerics: run_port(n))
            best[name] = min(best[name], seconds)
    size = f"{pixels.shape[2]}x{pixels.shape[3]}"
    print(f"{args.model}, batch {pixels.shape[0]}, {size}, best of {args.repeats} (CPU seconds):")
    print("| run | time | vs torch fp32 | PCC vs torch |")
    print("|---|---|---|---|")
    for name, seconds in best.items():
        pcc = f"{compare(expected, results[name].reshape(expected.shape)).pcc:.6f}" if name in results else ""
        print(f"| {name} | {seconds:.3f} s | {seconds / best['torch fp32']:.2f}x | {pcc} |")
    convs = sum(1 for r in records if r.op == "ttnn.conv2d")
    device_ops = sum(1 for r in records if r.on_device)
    peak = conv_l1.l1_peak(device)
    planned = lowered.kind(root.name).source.split("planned peak ", 1)[-1].split(" at", 1)[0]
    print(f"device ops {device_ops} ({convs} ttnn.conv2d); lowering's planned activation peak {planned}")
    l1 = L1_BYTES_PER_CORE // 1024
    print(f"per-core L1 peak at a conv (L1 buffers + circular buffers): {peak / 1024:.0f} KiB of {l1} KiB")
    ttnn.close_device(device)


if __name__ == "__main__":
    main()
