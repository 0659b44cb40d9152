#!/usr/bin/env bash
# Create tools/ttnn_oracle/.venv: Python 3.12 + the real ttnn wheel (the oracle) + numpy.
# Usage: tools/ttnn_oracle/setup_venv.sh [TTNN_VERSION]      (or TTNN_VERSION=... in the environment)
# Real ttnn wheels are cp310/cp312 only, so this venv is separate from the project's 3.11 .venv.
# Never install ttnn into the project's own .venv: the emulator is installed there under the name ttnn.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="${1:-${TTNN_VERSION:-0.81.1}}"
venv="${TTNN_ORACLE_VENV:-$here/.venv}"

find_python() {
    if [[ -n "${TTNN_ORACLE_PYTHON:-}" ]]; then
        echo "$TTNN_ORACLE_PYTHON"
        return
    fi
    if command -v pyenv >/dev/null 2>&1; then
        local root
        root="$(pyenv root)"
        for cand in "$root"/versions/3.12.*/bin/python3.12; do
            if [[ -x "$cand" ]]; then
                echo "$cand"
                return
            fi
        done
    fi
    if command -v python3.12 >/dev/null 2>&1; then
        command -v python3.12
        return
    fi
    echo "no Python 3.12 found (set TTNN_ORACLE_PYTHON)" >&2
    exit 1
}

py="$(find_python)"
echo "python: $py ($("$py" --version))"
if [[ ! -x "$venv/bin/python" ]]; then
    "$py" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet "ttnn==$version" numpy
echo "installed: $("$venv/bin/python" -m pip show ttnn | grep '^Version')"
echo "venv: $venv"
