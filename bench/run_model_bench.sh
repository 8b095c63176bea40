#!/bin/bash
# Engine vs Hugging Face transformers on the same checkpoint, same experts trainable (ESFT style:
# all experts present, the rest frozen), same data, dtype, threads and AdamW settings; prints
# every result and the ratios. Each configuration runs in its own process (peak RSS is the
# process's maximum).
#
#   bench/run_model_bench.sh [BUILD_DIR]
# Environment (defaults): ARCH=qwen3_moe PRESET=small DTYPE=bf16 THREADS=0 (all cores) BATCH=4
#   SEQ=256 STEPS=3 WARMUP=1 MODE=full EXPERTS_PER_LAYER=2 DEVICE=cpu WORK=<build>/bench-work
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
[ "$DEVICE" = cpu ] || { echo "the transformers baseline runs on the CPU only (DEVICE=cpu)" >&2; exit 2; }
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
  "$py" "$here/hf_train_bench.py" bench "$model" "${common[@]}" --experts-impl "$impl" > "$out"
  results+=("$out")
done
echo "# teft engine" >&2
"$bench" --model "$model" "${common[@]}" --mode "$MODE" --device "$DEVICE" > "$WORK/teft-$ARCH-$PRESET.json"

"$py" - "$WORK/teft-$ARCH-$PRESET.json" "${results[@]}" <<'PY'
import json, sys
te = json.load(open(sys.argv[1]))
bases = [json.load(open(p)) for p in sys.argv[2:]]
drop = {"losses", "model"}
short = lambda d: json.dumps({k: v for k, v in d.items() if k not in drop})
print("model:", te["model"])
for b in bases:
    print(f"transformers[{b['experts_implementation']}]:", short(b))
print("teft:", short(te))
print("losses (first warmup step .. last timed step):")
for b in bases:
    print(f"  transformers[{b['experts_implementation']}]:", [round(x, 4) for x in b["losses"]])
print("  teft:", [round(x, 4) for x in te["losses"]])

# FLOPs per token are the model's (bench_model's count), the same for both sides.
peak = te.get("matmul_flop_per_s")
ok = True
report = {"matmul_flop_per_s": peak}
if peak:
    report["teft_forward_fraction_of_matmul"] = te["forward_flop_per_s"] / peak
    report["teft_train_fraction_of_matmul"] = te["train_flop_per_s_estimate"] / peak
for b in bases:
    name = b["experts_implementation"]
    r = {
        "train_tokens_per_s_ratio": te["train_tokens_per_s"] / b["train_tokens_per_s"],
        "forward_tokens_per_s_ratio": te["forward_tokens_per_s"] / b["forward_tokens_per_s"],
        "peak_rss_ratio": te["peak_rss_bytes"] / b["peak_rss_bytes"],
    }
    if peak:
        r["hf_forward_fraction_of_matmul"] = te["forward_flops_per_token"] * b["forward_tokens_per_s"] / peak
        r["hf_train_fraction_of_matmul"] = te["train_flops_per_token_estimate"] * b["train_tokens_per_s"] / peak
    # Same checkpoint and tokens: the first losses agree up to bf16 rounding, and both decrease.
    d0 = abs(te["losses"][0] - b["losses"][0])
    r["first_loss_difference"] = d0
    r["losses_agree"] = d0 <= 0.02 * max(1.0, abs(b["losses"][0])) and \
        (len(te["losses"]) < 2 or (te["losses"][-1] < te["losses"][0]) == (b["losses"][-1] < b["losses"][0]))
    ok &= r["losses_agree"] and b.get("frozen_experts_unchanged", True)
    report[f"vs_transformers_{name}"] = r
print(json.dumps(report, indent=2))
best = max(bases, key=lambda b: b["train_tokens_per_s"])
goal = te["train_tokens_per_s"] >= 1.5 * best["train_tokens_per_s"] and te["peak_rss_bytes"] <= best["peak_rss_bytes"]
print(f"goal (train >= 1.5x the fastest transformers baseline [{best['experts_implementation']}] "
      "at <= its peak memory):", "met" if goal else "NOT met")
if not ok:
    print("CHECK FAILED: losses disagree or frozen experts moved", file=sys.stderr)
    sys.exit(1)
PY
