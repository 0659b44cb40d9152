#!/usr/bin/env bash
# Set up, lint, then run the whole test suite (slow tests included) on the CPU emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-env.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/python -m pytest -q "$@"
