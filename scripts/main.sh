#!/usr/bin/env bash
# The main job: set up, then port all-MiniLM-L6-v2 (real weights) to TTNN with `ttport port` and prove every module
# on the CPU emulator (PCC table; the generated project lands in out/minilm), then run the hand-written BERT port
# it is measured against (per-module table and sentence similarity, HF vs TTNN). Non-zero exit if any check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-env.sh
.venv/bin/ttport port minilm --out out/minilm "$@"
.venv/bin/ttport run -m models.demos.bert.demo
