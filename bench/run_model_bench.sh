#!/bin/bash
# Engine vs Hugging Face transformers on the same checkpoint, same experts trainable (ESFT style:
# all experts present, the rest frozen), same data, dtype, threads and AdamW settings; prints
# every result and the ratios (bench/compare_bench.py, also as compare-*.json / .md in WORK). Each
# configuration runs in its own process (peak RSS is the process's maximum; on CUDA the peak
# bytes allocated by LibTorch's caching allocator are compared).
#
#   bench/run_model_bench.sh [BUILD_DIR]
# Environment (defaults): ARCH=qwen3_moe PRESET=small DTYPE=bf16 THREADS=0 (all cores) BATCH=4
#   SEQ=256 STEPS=3 WARMUP=1 MODE=full EXPERTS_PER_LAYER=2 DEVICE=cpu (or cuda:N: both sides on that GPU) WORK=<build>/bench-work
#   EXPERTS_IMPLS="eager grouped_mm" (transformers experts implementations to run, one process each)
#   AUX_LOSS=1 (0 for deepseek_v2/v3: transformers has no load-balancing loss for them)
#   TEFT_PYTHON=~/.cache/teft-studio/venv/bin/python (torch + transformers 5)
# ARCH: mixtral qwen2_moe qwen3_moe olmoe deepseek_v2 deepseek_v3. PRESET: tiny, small (teft
# model create) or qwen3-30b-a3b-layer (two Qwen3-30B-A3B layers, qwen3_moe only: hidden 2048,
# 128 experts of 768, top-8, vocabulary 151,936; created once with transformers, ~3.7 GB).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../build}"
teft="$build/app/cli/teft"
bench="$build/bench/bench_model"
py="${TEFT_PYTHON:-$HOME/.cache/teft-studio/venv/bin/python}"
ARCH="${ARCH:-qwen3_moe}" PRESET="${PRESET:-small}" DTYPE="${DTYPE:-bf16}" THREADS="${THREADS:-0}"
BATCH="${BATCH:-4}" SEQ="${SEQ:-256}" STEPS="${STEPS:-3}" WARMUP="${WARMUP:-1}" MODE="${MODE:-full}"
EXPERTS_PER_LAYER="${EXPERTS_PER_LAYER:-2}" DEVICE="${DEVICE:-cpu}"
EXPERTS_IMPLS="${EXPERTS_IMPLS:-eager grouped_mm}"
WORK="${WORK:-$build/bench-work}"
[ "$THREADS" = 0 ] && THREADS="$(nproc)"
if [ "$PRESET" = qwen3-30b-a3b-layer ]; then
  [ "$ARCH" = qwen3_moe ] || { echo "PRESET=qwen3-30b-a3b-layer is a qwen3_moe model (ARCH=qwen3_moe)" >&2; exit 2; }
fi
case "$ARCH" in deepseek_v2|deepseek_v3) AUX_LOSS="${AUX_LOSS:-0}" ;; *) AUX_LOSS="${AUX_LOSS:-1}" ;; esac
for f in "$teft" "$bench"; do
  [ -x "$f" ] || { echo "missing $f: build the teft and bench_model targets first" >&2; exit 1; }
done
[ -x "$py" ] || { echo "missing $py: set TEFT_PYTHON to a python with torch and transformers 5" >&2; exit 1; }
mkdir -p "$WORK"
model="$WORK/$ARCH-$PRESET"
if [ ! -f "$model/config.json" ]; then
  if [ "$PRESET" = qwen3-30b-a3b-layer ]; then
    echo "# creating $model with transformers (once)" >&2
    "$py" "$here/hf_train_bench.py" create-qwen3-30b-a3b-layer "$model" >&2
  else
    "$teft" model create --arch "$ARCH" --preset "$PRESET" --out "$model" --quiet >&2
  fi
fi
# The first EXPERTS_PER_LAYER experts of every MoE layer are trainable (the MoE layers as the
# engine reads the config: `teft model info`).
sel="$WORK/experts-$ARCH-$PRESET.json"
"$teft" model info "$model" --json --quiet | "$py" -c '
import json, sys
info = json.load(sys.stdin)
n = min(int(sys.argv[1]), info["experts"])
print(json.dumps({str(l): list(range(n)) for l in info["moe_layers"]}))' "$EXPERTS_PER_LAYER" > "$sel"

common=(--experts "$sel" --batch "$BATCH" --seq "$SEQ" --steps "$STEPS" --warmup "$WARMUP"
        --threads "$THREADS" --dtype "$DTYPE" --aux-loss "$AUX_LOSS")
results=()
for impl in $EXPERTS_IMPLS; do
  out="$WORK/hf-$ARCH-$PRESET-$impl.json"
  echo "# transformers baseline, experts_implementation=$impl" >&2
  "$py" "$here/hf_train_bench.py" bench "$model" "${common[@]}" --experts-impl "$impl" --device "$DEVICE" > "$out"
  results+=("$out")
done
echo "# teft engine" >&2
"$bench" --model "$model" "${common[@]}" --mode "$MODE" --device "$DEVICE" > "$WORK/teft-$ARCH-$PRESET.json"

"$py" "$here/compare_bench.py" "$WORK/teft-$ARCH-$PRESET.json" "${results[@]}" \
  --json "$WORK/compare-$ARCH-$PRESET.json" --markdown "$WORK/compare-$ARCH-$PRESET.md"
