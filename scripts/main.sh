#!/usr/bin/env bash
# The main job: set up, then run the BERT port (MiniLM, real weights) on the CPU emulator and print its PCC table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-env.sh
exec .venv/bin/ttport run -m models.demos.bert.demo "$@"
