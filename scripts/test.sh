#!/usr/bin/env bash
# Set up, lint, then run the whole test suite (slow tests included, heavy ports not) on the CPU emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-env.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# Heavy ports (over ~5 min each) stay out of the default run and CI; `bash scripts/test.sh -m heavy` runs them.
exec .venv/bin/python -m pytest -q -m "not heavy" "$@"
