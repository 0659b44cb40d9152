#!/usr/bin/env bash
# The main job: set up, then port-and-check on the CPU emulator, printing the PCC table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-env.sh
exec .venv/bin/ttport demo "$@"
