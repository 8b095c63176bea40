#!/bin/bash
# Engine vs plain PyTorch on the same checkpoint, same experts trainable (ESFT style: all
# experts present, the rest frozen), same dtype and threads; prints both results and the ratios.
#
#   bench/run_model_bench.sh [BUILD_DIR]
# Environment (defaults): ARCH=qwen3_moe PRESET=small DTYPE=bf16 THREADS=0 (all cores) BATCH=4
#   SEQ=256 STEPS=3 WARMUP=1 MODE=full EXPERTS_PER_LAYER=2 DEVICE=cpu WORK=<build>/bench-work
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../build}"
teft="$build/app/cli/teft"
bench="$build/bench/bench_model"
ARCH="${ARCH:-qwen3_moe}" PRESET="${PRESET:-small}" DTYPE="${DTYPE:-bf16}" THREADS="${THREADS:-0}"
BATCH="${BATCH:-4}" SEQ="${SEQ:-256}" STEPS="${STEPS:-3}" WARMUP="${WARMUP:-1}" MODE="${MODE:-full}"
EXPERTS_PER_LAYER="${EXPERTS_PER_LAYER:-2}" DEVICE="${DEVICE:-cpu}"
WORK="${WORK:-$build/bench-work}"
[ "$THREADS" = 0 ] && THREADS="$(nproc)"
for f in "$teft" "$bench"; do
  [ -x "$f" ] || { echo "missing $f: build the teft and bench_model targets first" >&2; exit 1; }
done
mkdir -p "$WORK"
model="$WORK/$ARCH-$PRESET"
[ -f "$model/config.json" ] || "$teft" model create --arch "$ARCH" --preset "$PRESET" --out "$model" --quiet >&2
# The first EXPERTS_PER_LAYER experts of every MoE layer are trainable.
/usr/bin/python3 -c '
import json, sys
sys.path.insert(0, sys.argv[3])
import pytorch_moe as pm
c = pm.MoeConfig(json.load(open(sys.argv[1] + "/config.json")))
n = int(sys.argv[2])
print(json.dumps({str(l): list(range(n)) for l in range(c.num_layers) if c.is_moe_layer(l)}))
' "$model" "$EXPERTS_PER_LAYER" "$here" > "$WORK/experts.json"

common=(--experts "$WORK/experts.json" --batch "$BATCH" --seq "$SEQ" --steps "$STEPS" --warmup "$WARMUP"
        --threads "$THREADS" --dtype "$DTYPE")
echo "# PyTorch baseline ($("/usr/bin/python3" -c 'import torch; print(torch.__version__)'))" >&2
/usr/bin/python3 "$here/pytorch_moe.py" bench "$model" "${common[@]}" > "$WORK/pytorch.json"
echo "# teft engine" >&2
"$bench" --model "$model" "${common[@]}" --mode "$MODE" --device "$DEVICE" > "$WORK/teft.json"
/usr/bin/python3 - "$WORK/pytorch.json" "$WORK/teft.json" <<'PY'
import json, sys
py, te = (json.load(open(p)) for p in sys.argv[1:3])
drop = {"losses"}
print("pytorch:", json.dumps({k: v for k, v in py.items() if k not in drop}))
print("teft:   ", json.dumps({k: v for k, v in te.items() if k not in drop}))
r = {
    "forward_tokens_per_s_ratio": te["forward_tokens_per_s"] / py["forward_tokens_per_s"],
    "train_tokens_per_s_ratio": te["train_tokens_per_s"] / py["train_tokens_per_s"],
    "peak_rss_ratio": te["peak_rss_bytes"] / py["peak_rss_bytes"],
    "teft_forward_flop_per_s": te.get("forward_flop_per_s"),
    "teft_train_flop_per_s_estimate": te.get("train_flop_per_s_estimate"),
    "matmul_flop_per_s": te.get("matmul_flop_per_s"),
}
if te.get("matmul_flop_per_s"):
    r["forward_fraction_of_matmul"] = te["forward_flop_per_s"] / te["matmul_flop_per_s"]
    r["train_fraction_of_matmul"] = te["train_flop_per_s_estimate"] / te["matmul_flop_per_s"]
print(json.dumps(r, indent=2))
goal = r["train_tokens_per_s_ratio"] >= 1.5 and r["peak_rss_ratio"] <= 1.0
print("goal (train >= 1.5x PyTorch at <= its peak memory):", "met" if goal else "NOT met")
PY
