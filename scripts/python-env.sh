#!/usr/bin/env bash
# Creates (or brings up to date) the project's Python environment: LibTorch from the official
# torch wheel, and the references the tests and benchmarks use (transformers, tokenizers,
# safetensors, moto, boto3), all pinned in scripts/python/requirements.lock.
#
# It lives outside the repository, in $TEFT_VENV (default ~/.cache/teft-studio/venv), so that a
# rerun, another clone or CI on the same machine finds it and downloads nothing: a stamp holds
# the lock file's hash and the install is skipped while it matches. Prints the environment's
# python on the last line of stdout.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${TEFT_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/teft-studio/venv}"
LOCK="$ROOT/scripts/python/requirements.lock"
PY="$VENV/bin/python"
want="$(sha256sum "$LOCK" | cut -d' ' -f1)"
if [[ -x "$PY" && -f "$VENV/.teft-lock" && "$(cat "$VENV/.teft-lock")" == "$want" ]]; then
  echo "python-env: $VENV is up to date" >&2
  echo "$PY"
  exit 0
fi
BASE_PY="${TEFT_BASE_PYTHON:-python3}"
if [[ ! -x "$PY" ]]; then
  echo "python-env: creating $VENV with $($BASE_PY --version 2>&1)" >&2
  mkdir -p "$(dirname "$VENV")"
  "$BASE_PY" -m venv "$VENV"
fi
start=$(date +%s)
echo "python-env: installing the pinned packages (torch 2.11.0 with its CUDA 13 libraries: ~3 GB)" >&2
"$PY" -m pip install --quiet --disable-pip-version-check -r "$LOCK" >&2
"$PY" - <<'PYCHECK' >&2
import torch, transformers, tokenizers, safetensors
print(f"python-env: torch {torch.__version__} (CUDA {torch.version.cuda}), transformers "
      f"{transformers.__version__}, tokenizers {tokenizers.__version__}, safetensors {safetensors.__version__}")
PYCHECK
echo "$want" > "$VENV/.teft-lock"
echo "python-env: done in $(( $(date +%s) - start )) s" >&2
echo "$PY"
