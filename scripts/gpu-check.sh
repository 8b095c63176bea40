#!/bin/bash
# The GPU check: the headless engine, its CUDA tests and the engine-vs-transformers benchmarks on
# the GPU machine we test on (one H200, 16 cores, no network; its python3 holds torch 2.11.0 with
# CUDA 13 and transformers 5), in two stages, because a build from nothing does not fit in that
# machine's time:
#
#   scripts/gpu-check.sh pack [--no-build] [BUILD_DIR]      HERE (BUILD_DIR default: build)
#     Builds the headless targets (teft, the CUDA module libteft_cuda.so, bench_model and every
#     test labelled `cuda`: `ctest -L cuda`) and packs them with the shared libraries they need
#     that are neither glibc nor the torch wheel's (spdlog, fmt, SQLite, libsodium, PCRE2, ICU,
#     Qt Core/Test for the tests...: found with ldd; libstdc++/libgcc_s go to a fallback folder
#     used only where the machine's are too old) into gpu-bundle/teft-gpu-bundle.tar.xz with a
#     manifest (gpu-bundle/manifest.json: files, sizes, SHA-256, the commit, the CUDA tests as
#     ctest knows them). gpu-bundle/ is ignored by git: name it in the device tool's `carry`.
#     --no-build packs what BUILD_DIR holds.
#
#   scripts/gpu-check.sh run [--allow-cpu] [--quick]        THERE, from the repository root
#     Unpacks the bundle into a temporary folder, finds the machine's torch (python3 -c 'import
#     torch'; $TEFT_PYTHON overrides python3), runs the programs on its torch/lib plus the bundle
#     (LD_LIBRARY_PATH; nothing from the build machine's paths), then, each stage under its own
#     time-out inside a total budget (GPU_CHECK_BUDGET_S, default 450 s):
#       smoke     teft --version, teft system (CUDA backend loaded, the GPU seen), every bundled
#                 program's libraries resolved from torch/lib, the bundle or the base system
#       tests     the CUDA tests (PASS / FAIL / SKIP as ctest would report them)
#       model     a Qwen3-30B-A3B-dimension checkpoint (hidden 2048, 128 experts of 768, top-8,
#                 vocabulary 151,936) with GPU_LAYERS layers (default 8, ~11 GB bf16), generated
#                 there with transformers on the GPU (bench/hf_train_bench.py), plus the engine's
#                 byte-level tokenizer
#       teft      bench/bench_model on cuda:0: identification, forward, training step (bf16,
#                 the first EXPERTS_PER_LAYER experts of every layer trainable, AdamW), peak GPU
#                 memory, the bf16 matmul rate
#       hf        bench/hf_train_bench.py on cuda:0, same checkpoint, tokens, dtype, experts
#                 and optimizer (transformers' grouped_mm experts, sdpa attention)
#       cli       the real commands on cuda:0: `teft identify` and `teft train` on the demo corpus
#       compare   bench/compare_bench.py: ratios, share of the measured matmul rate and of the
#                 H200's dense bf16 peak (989 TFLOP/s, GPU_PEAK_FLOPS)
#       teft-offload  bench_model again, full routing with --offload 1 (frozen experts streamed
#                 from host memory): its peak GPU memory against the teft stage's
#     and writes $OUT/gpu-check.json, $OUT/gpu-check.md and $OUT/gpu-check.log (after every
#     stage, so a stage that hangs still leaves the others' results). Exit status 0 when every
#     stage that ran passed, 1 otherwise. Without $OUT: gpu-check-out/ in the repository.
#     --allow-cpu: where there is no GPU (a dry run of the whole flow on any machine): the CUDA
#     tests report SKIP, the benchmarks run on the CPU at small sizes (teft's `small` qwen3_moe
#     preset, fused layout). --quick: the small sizes on the GPU too.
#
# On the device tool: carry ["gpu-bundle"], command `bash scripts/gpu-check.sh run`,
# timeout_s 600. Sizes (environment): GPU_LAYERS=8 BATCH=8 SEQ=2048 STEPS=5 WARMUP=2
# EXPERTS_PER_LAYER=8 MODE=full EXPERTS_IMPLS=grouped_mm (space-separated: also eager,
# batched_mm); CPU dry run: BATCH=2 SEQ=64 STEPS=2 WARMUP=1 EXPERTS_PER_LAYER=2.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
bundle_dir="$repo/gpu-bundle"
tarball="$bundle_dir/teft-gpu-bundle.tar.xz"
die() { echo "gpu-check: $*" >&2; exit 1; }

# ------------------------------------------------------------------------------------------------
# pack

# Libraries every Linux system has (glibc); anything else that is not torch's is carried.
is_glibc() {
  case "$1" in
    libc.so.*|libm.so.*|libdl.so.*|libpthread.so.*|librt.so.*|libutil.so.*|libresolv.so.*|\
    libanl.so.*|ld-linux*.so.*|linux-vdso.so.*) return 0 ;;
  esac
  return 1
}

pack() {
  local build="$repo/build" do_build=1
  while [ $# -gt 0 ]; do
    case "$1" in
      --no-build) do_build=0 ;;
      -*) die "pack: unknown option $1" ;;
      *) build="$1" ;;
    esac
    shift
  done
  build="$(cd "$build" 2>/dev/null && pwd)" || die "pack: no build folder $build (scripts/build.sh first)"
  [ -f "$build/CMakeCache.txt" ] || die "pack: $build is not a CMake build folder"
  command -v xz >/dev/null || die "pack: xz is not installed"
  local torch_lib
  torch_lib="$(sed -n 's|^Torch_DIR:PATH=\(.*\)/share/cmake/Torch$|\1/lib|p' "$build/CMakeCache.txt")"
  [ -f "$torch_lib/libtorch_cpu.so" ] || die "pack: cannot find LibTorch's lib folder from $build/CMakeCache.txt"
  local torch_version
  torch_version="$(sed -n "s/^__version__ = '\(.*\)'$/\1/p" "$torch_lib/../version.py" | head -1)"

  if [ "$do_build" = 1 ]; then
    # Regenerate first (new CUDA tests are found by CMake's glob), then list the CUDA tests.
    ninja -C "$build" build.ninja >/dev/null || die "pack: CMake regeneration failed"
  fi
  local ctest_json
  ctest_json="$(ctest --test-dir "$build" -N -L cuda --show-only=json-v1)" || die "pack: ctest -N -L cuda failed"
  local tests
  tests="$(printf '%s' "$ctest_json" | python3 -c '
import json, sys
for t in json.load(sys.stdin).get("tests", []):
    print(t["name"])')"
  [ -n "$tests" ] || die "pack: no test is labelled cuda in $build (ctest -N -L cuda)"
  if [ "$do_build" = 1 ]; then
    # shellcheck disable=SC2086
    ninja -C "$build" teft teft_cuda bench_model $tests || die "pack: the build failed"
  fi

  local stage
  stage="$(mktemp -d "${TMPDIR:-/tmp}/teft-gpu-pack.XXXXXX")"
  pack_stage="$stage"
  trap 'rm -rf "${pack_stage:-}"' EXIT
  mkdir -p "$stage/bin" "$stage/lib" "$stage/tests" "$stage/deps" "$stage/deps-fallback"
  cp "$build/app/cli/teft" "$build/bench/bench_model" "$stage/bin/" || die "pack: missing programs in $build"
  cp "$build/lib/libteft_cuda.so" "$stage/lib/" || die "pack: missing $build/lib/libteft_cuda.so"
  local t exe
  for t in $tests; do
    exe="$(printf '%s' "$ctest_json" | python3 -c '
import json, sys
for t in json.load(sys.stdin)["tests"]:
    if t["name"] == sys.argv[1]:
        print(t["command"][0])' "$t")"
    [ -x "$exe" ] || die "pack: test $t has no executable ($exe)"
    cp "$exe" "$stage/tests/$t"
  done
  printf '%s\n' "$ctest_json" > "$stage/ctest-cuda.json"

  # The libraries the programs need, other than glibc's and the torch wheel's (torch/lib and the
  # NVIDIA wheels beside it; libcudart of the CUDA module is the one libtorch_cuda loads first).
  local f name path real
  local -A seen=()
  for f in "$stage"/bin/* "$stage"/lib/* "$stage"/tests/*; do
    while read -r name path; do
      [ -n "$name" ] || continue
      if [ "$path" = "not" ]; then die "pack: $f: $name not found"; fi
      is_glibc "$name" && continue
      real="$(readlink -f "$path")"
      case "$real" in
        "$(readlink -f "$torch_lib")"/*|*/site-packages/nvidia/*|/usr/local/cuda*) continue ;;
      esac
      [ -n "${seen[$name]:-}" ] && continue
      seen[$name]=1
      case "$name" in
        libstdc++.so.*|libgcc_s.so.*) cp -L "$path" "$stage/deps-fallback/$name" ;;
        *) cp -L "$path" "$stage/deps/$name" ;;
      esac
    done < <(ldd "$f" | awk '$2 == "=>" { print $1, $3 } $2 != "=>" && $1 ~ /^\// { next }')
  done

  # The manifest: what is inside, from which commit and build.
  local commit dirty
  commit="$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)"
  dirty="$(git -C "$repo" status --porcelain 2>/dev/null | wc -l)"
  python3 - "$stage" "$build" "$torch_version" "$commit" "$dirty" <<'PY' || die "pack: manifest failed"
import hashlib, json, os, sys, time
stage, build, torch_version, commit, dirty = sys.argv[1:]
files = []
for root, _, names in os.walk(stage):
    for n in sorted(names):
        p = os.path.join(root, n)
        with open(p, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        files.append({"path": os.path.relpath(p, stage), "bytes": os.path.getsize(p), "sha256": digest})
manifest = {
    "format": "teft-gpu-bundle/1",
    "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "commit": commit,
    "uncommitted_changes": int(dirty),
    "build_dir": build,
    "torch_version": torch_version,
    "files": sorted(files, key=lambda f: f["path"]),
    "bytes": sum(f["bytes"] for f in files),
}
with open(os.path.join(stage, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=2)
PY
  mkdir -p "$bundle_dir"
  rm -f "$tarball.tmp"
  tar -C "$stage" -cf - . | xz -T0 -6 > "$tarball.tmp" || die "pack: compression failed"
  mv "$tarball.tmp" "$tarball"
  cp "$stage/manifest.json" "$bundle_dir/manifest.json"
  local size
  size="$(stat -c %s "$tarball")"
  echo "gpu-check: packed $(du -sh "$stage" | cut -f1) into $tarball ($((size / 1048576)) MiB):"
  (cd "$stage" && find . -type f | sort | sed 's|^\./|  |')
  # The device tool carries at most 64 MiB with the working tree.
  [ "$size" -lt $((56 * 1048576)) ] || die "pack: the bundle is $((size / 1048576)) MiB, over the 56 MiB allowed"
}

# ------------------------------------------------------------------------------------------------
# run

run() {
  local allow_cpu=0 quick=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --allow-cpu) allow_cpu=1 ;;
      --quick) quick=1 ;;
      *) die "run: unknown option $1" ;;
    esac
    shift
  done
  local start=$SECONDS budget="${GPU_CHECK_BUDGET_S:-450}"
  local out="${OUT:-$repo/gpu-check-out}"
  mkdir -p "$out" || die "run: cannot create $out"
  local log="$out/gpu-check.log"
  : > "$log"
  [ -f "$tarball" ] || die "run: no $tarball (scripts/gpu-check.sh pack, then carry gpu-bundle)"
  local work
  work="$(mktemp -d "${TMPDIR:-/tmp}/teft-gpu-check.XXXXXX")"
  local b="$work/bundle"
  mkdir -p "$b" "$work/stages"
  local py="${TEFT_PYTHON:-python3}"
  if command -v xz >/dev/null; then
    xz -dc "$tarball" | tar -C "$b" -xf - || die "run: cannot unpack $tarball"
  else
    "$py" -c 'import sys, tarfile; tarfile.open(sys.argv[1], "r:xz").extractall(sys.argv[2])' "$tarball" "$b" ||
      die "run: cannot unpack $tarball"
  fi
  local torch_dir
  torch_dir="$("$py" -c 'import torch, os; print(os.path.dirname(torch.__file__))' 2>>"$log")" ||
    die "run: $py cannot import torch (set TEFT_PYTHON to a python with torch 2.11 and transformers 5)"
  local torch_lib="$torch_dir/lib"

  # The programs' environment: the machine's torch, then the bundle; the fallback C++ runtime only
  # where the machine's is too old for the programs.
  local ldpath="$torch_lib:$b/deps"
  if LD_LIBRARY_PATH="$ldpath" ldd "$b/bin/teft" 2>&1 | grep -q "not found"; then
    ldpath="$ldpath:$b/deps-fallback"
  fi
  local -a env_run=(env "LD_LIBRARY_PATH=$ldpath" "TEFT_LIBTORCH_DIR=$torch_lib"
                    "TEFT_CUDA_BACKEND=$b/lib/libteft_cuda.so" "TEFT_DATA_DIR=$work/data"
                    "TEFT_CLI=$b/bin/teft" "TEFT_TEST_WORK_ROOT=$work/test-work")
  local teft=("${env_run[@]}" "$b/bin/teft")

  # One stage: its name, its time-out (seconds, shortened to what the budget has left), a
  # command. Its output goes to the log; a record to stages/.
  local failed=0
  stage() {
    local name="$1" limit="$2"
    shift 2
    local left=$((budget - (SECONDS - start) - 15))
    if [ "$left" -lt 20 ]; then
      echo "{\"name\": \"$name\", \"status\": \"not run\", \"why\": \"the time budget ($budget s) is spent\"}" \
        > "$work/stages/$(printf '%02d' "$(ls "$work/stages" | wc -l)")-$name.json"
      failed=1
      summarise
      return 1
    fi
    [ "$limit" -gt "$left" ] && limit=$left
    echo "=== $name (time-out ${limit}s) $(date -u +%H:%M:%S)" >> "$log"
    local t0=$SECONDS rc status=ok
    # The stage runs in its own process group (job control), so that a time-out ends all of it.
    set -m
    ( "$@" ) >> "$log" 2>&1 &
    local pid=$!
    set +m
    while kill -0 "$pid" 2>/dev/null && [ $((SECONDS - t0)) -lt "$limit" ]; do sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null
      sleep 5
      kill -KILL -- "-$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
      rc=124
      status="timed out"
    else
      wait "$pid"
      rc=$?
      [ "$rc" = 0 ] || status=failed
    fi
    [ "$status" = ok ] || failed=1
    echo "=== $name: $status (exit $rc, $((SECONDS - t0)) s)" >> "$log"
    printf '{"name": "%s", "status": "%s", "exit": %d, "seconds": %d, "limit": %d}\n' \
      "$name" "$status" "$rc" "$((SECONDS - t0))" "$limit" \
      > "$work/stages/$(printf '%02d' "$(ls "$work/stages" | wc -l)")-$name.json"
    summarise
    [ "$status" = ok ]
  }
  summarise() {
    "$py" "$repo/bench/gpu_check_report.py" "$work" "$out" "$((SECONDS - start))" >> "$log" 2>&1 ||
      echo "gpu-check: the summary failed (see $log)" >&2
  }

  # Sizes.
  local gpu=1
  if ! "$py" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>>"$log"; then
    gpu=0
    [ "$allow_cpu" = 1 ] || die "run: $py's torch sees no CUDA GPU (--allow-cpu runs the flow on the CPU)"
  fi
  local device=cuda:0 small=$quick
  [ "$gpu" = 1 ] || { device=cpu; small=1; }
  local layers="${GPU_LAYERS:-8}" batch seq steps warmup epl
  if [ "$small" = 1 ]; then
    batch="${BATCH:-2}" seq="${SEQ:-64}" steps="${STEPS:-2}" warmup="${WARMUP:-1}" epl="${EXPERTS_PER_LAYER:-2}"
  else
    batch="${BATCH:-8}" seq="${SEQ:-2048}" steps="${STEPS:-5}" warmup="${WARMUP:-2}" epl="${EXPERTS_PER_LAYER:-8}"
  fi
  local mode="${MODE:-full}" impls="${EXPERTS_IMPLS:-grouped_mm}" threads
  threads="$(nproc)"
  local model="$work/model" sel="$work/experts.json" corpus="$work/corpus"
  "$py" - "$work/context.json" <<PY 2>>"$log"
import json, sys
json.dump({"device": "$device", "gpu": $gpu, "small": $small, "layers": $layers, "batch": $batch,
           "seq": $seq, "steps": $steps, "warmup": $warmup, "experts_per_layer": $epl,
           "mode": "$mode", "experts_impls": "$impls".split(), "threads": $threads,
           "torch_dir": "$torch_dir", "ld_library_path": "$ldpath", "budget_s": $budget,
           "peak_flops": float("${GPU_PEAK_FLOPS:-989e12}") if $gpu else None,
           "bundle": "$b"}, open(sys.argv[1], "w"), indent=2)
PY
  command -v nvidia-smi >/dev/null && nvidia-smi >> "$log" 2>&1

  # smoke: the programs start on this machine's torch, and see the GPU.
  smoke() {
    "${teft[@]}" --version || return 1
    "${teft[@]}" system --json > "$work/system.json" || return 1
    cat "$work/system.json"
    "$py" - "$work/system.json" "$gpu" <<'PY' || return 1
import json, sys
s = json.load(open(sys.argv[1]))
gpu = sys.argv[2] == "1"
print("cuda backend:", s["cuda_backend"])
if not s["cuda_backend"]["loaded"]:
    sys.exit("the CUDA backend did not load")
if gpu and not s["cuda_available"]:
    sys.exit("torch sees a GPU, teft does not")
PY
    # Every library of every bundled program resolves, from torch/lib, the bundle or the system.
    local f bad=0
    for f in "$b"/bin/* "$b"/lib/* "$b"/tests/*; do
      if LD_LIBRARY_PATH="$ldpath" ldd "$f" | grep -E "not found"; then
        echo "unresolved libraries in $f"
        bad=1
      fi
    done
    LD_LIBRARY_PATH="$ldpath" ldd "$b/bin/teft" "$b/tests/"* | awk '$2 == "=>" { print $3 }' | sort -u \
      > "$work/resolved-libs.txt"
    return $bad
  }
  stage smoke 90 smoke || { summarise; echo "gpu-check: the programs do not start here (see $log)" >&2; return 1; }

  # tests: the CUDA tests, as ctest would run them (the test's environment and skip rule).
  run_tests() {
    "$py" - "$b" "$work" "${env_run[@]}" <<'PY'
import json, os, re, subprocess, sys, time
b, work, env_args = sys.argv[1], sys.argv[2], sys.argv[4:]
tests = json.load(open(os.path.join(b, "ctest-cuda.json")))["tests"]
env = dict(os.environ)
env.update(a.split("=", 1) for a in env_args)
results, ok = [], True
for t in tests:
    props = {p["name"]: p["value"] for p in t.get("properties", [])}
    tenv = dict(env)
    tenv.update(v.split("=", 1) for v in props.get("ENVIRONMENT", []))
    skip_re = props.get("SKIP_REGULAR_EXPRESSION", [])
    exe = os.path.join(b, "tests", t["name"])
    limit = min(float(props.get("TIMEOUT", 300)), 240)
    t0 = time.time()
    try:
        p = subprocess.run([exe] + t["command"][1:], env=tenv, capture_output=True, text=True, timeout=limit)
        text, rc = p.stdout + p.stderr, p.returncode
    except subprocess.TimeoutExpired as e:
        text, rc = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or ""), None
    secs = time.time() - t0
    if rc is None:
        status = "TIMEOUT"
    elif rc != 0:
        status = "FAIL"
    elif any(re.search(r, text) for r in skip_re):
        status = "SKIP"
    else:
        status = "PASS"
    ok &= status in ("PASS", "SKIP")
    totals = re.findall(r"^Totals: .*$", text, re.M)
    skipped = re.findall(r"^SKIP   : (\S+)", text, re.M)
    failed = re.findall(r"^FAIL!  : (.*)$", text, re.M)
    results.append({"name": t["name"], "status": status, "seconds": round(secs, 1),
                    "totals": totals[-1] if totals else None, "skipped": skipped, "failures": failed})
    print(f"--- {t['name']}: {status} ({secs:.1f} s)")
    print(text[-20000:])
json.dump(results, open(os.path.join(work, "tests.json"), "w"), indent=2)
sys.exit(0 if ok else 1)
PY
  }
  stage tests 240 run_tests

  # model: Qwen3-30B-A3B dimensions on the GPU; the small preset on the CPU.
  make_model() {
    rm -rf "$model"
    if [ "$small" = 1 ]; then
      "${teft[@]}" model create --arch qwen3_moe --preset small --layout fused --out "$model" --quiet || return 1
    else
      # Drawn on the GPU (seconds); on the CPU (minutes) only if that fails.
      "$py" "$repo/bench/hf_train_bench.py" create-qwen3-30b-a3b-layer "$model" --layers "$layers" \
        --device "$device" ||
        { rm -rf "$model" "$model".tmp-*; echo "gpu-check: creating on the CPU instead";
          "$py" "$repo/bench/hf_train_bench.py" create-qwen3-30b-a3b-layer "$model" --layers "$layers"; } ||
        return 1
      # The engine's byte-level tokenizer (ids < 259), for the `teft identify` / `train` stage.
      "${teft[@]}" model create --arch qwen3_moe --preset tiny --out "$work/tokenizer-donor" --quiet || return 1
      cp "$work/tokenizer-donor/tokenizer.json" "$work/tokenizer-donor/tokenizer_config.json" "$model/"
    fi
    "${teft[@]}" model info "$model" --json > "$work/model-info.json" || return 1
    "$py" - "$work/model-info.json" "$epl" "$sel" "$work/selection-esft.json" <<'PY'
import json, sys
info = json.load(open(sys.argv[1]))
n = min(int(sys.argv[2]), info["experts"])
sel = {str(l): list(range(n)) for l in info["moe_layers"]}
json.dump(sel, open(sys.argv[3], "w"))
json.dump({"experts": sel, "shared_experts": False, "non_expert_modules": False}, open(sys.argv[4], "w"))
print(json.dumps(info))
PY
  }
  stage model 240 make_model

  local common=(--experts "$sel" --batch "$batch" --seq "$seq" --steps "$steps" --warmup "$warmup"
                --threads "$threads" --dtype bf16 --aux-loss 1)
  if [ -f "$sel" ]; then
    # teft: the engine's benchmark (the model is hot in the page cache now).
    teft_bench() {
      "${env_run[@]}" "$b/bin/bench_model" --model "$model" "${common[@]}" --mode "$mode" --device "$device" \
        > "$work/teft.json.tmp" && mv "$work/teft.json.tmp" "$work/teft.json" && cat "$work/teft.json"
    }
    stage teft 180 teft_bench
    # hf: transformers, each experts implementation in its own process.
    local impl
    for impl in $impls; do
      hf_bench() {
        "$py" "$repo/bench/hf_train_bench.py" bench "$model" "${common[@]}" --experts-impl "$1" \
          --device "$device" > "$work/hf-$1.json.tmp" && mv "$work/hf-$1.json.tmp" "$work/hf-$1.json" &&
          cat "$work/hf-$1.json"
      }
      stage "hf-$impl" 180 hf_bench "$impl"
    done
    # cli: the real commands on the device, on the demo corpus.
    cli_run() {
      "${teft[@]}" data demo-corpus --out "$corpus" --quiet || return 1
      local rows=$((batch * 4))
      local t0=$SECONDS
      "${teft[@]}" identify "$model" --data "$corpus" --device "$device" --compute-dtype bf16 --seq-len "$seq" \
        --batch-size "$batch" --batches 4 --out "$work/stats.json" --json > "$work/identify-cli.json" || return 1
      echo "{\"identify_wall_s\": $((SECONDS - t0)), \"rows\": $rows, \"seq\": $seq}" > "$work/identify-cli-time.json"
      t0=$SECONDS
      "${teft[@]}" train "$model" --data "$corpus" --selection "$work/selection-esft.json" --device "$device" \
        --compute-dtype bf16 --seq-len "$seq" --batch-size "$batch" --steps 3 --warmup 1 --unsigned \
        --out "$work/train-run" --json > "$work/train-cli.json" || return 1
      echo "{\"train_wall_s\": $((SECONDS - t0)), \"steps\": 3, \"rows_per_step\": $batch, \"seq\": $seq}" \
        > "$work/train-cli-time.json"
    }
    stage cli 150 cli_run
    compare() {
      local hf=()
      for impl in $impls; do hf+=("$work/hf-$impl.json"); done
      local peak=()
      [ "$gpu" = 1 ] && peak=(--peak-flops "${GPU_PEAK_FLOPS:-989e12}")
      "$py" "$repo/bench/compare_bench.py" "$work/teft.json" "${hf[@]}" --partial "${peak[@]}" \
        --json "$work/compare.json" --markdown "$work/compare.md"
    }
    stage compare 60 compare
    # teft-offload: the same training with the frozen experts streamed from host memory (--offload,
    # full routing): its peak GPU memory (cuda_peak_allocated_bytes) against the teft stage's.
    teft_offload() {
      "${env_run[@]}" "$b/bin/bench_model" --model "$model" "${common[@]}" --mode full --device "$device" \
        --offload 1 --identify 0 --matmul 0 > "$work/teft-offload.json.tmp" &&
        mv "$work/teft-offload.json.tmp" "$work/teft-offload.json" && cat "$work/teft-offload.json"
    }
    stage teft-offload 150 teft_offload
  fi
  summarise
  echo "gpu-check: $( [ "$failed" = 0 ] && echo "all stages passed" || echo "SOME STAGES FAILED" );" \
    "results in $out/gpu-check.md, $out/gpu-check.json, $out/gpu-check.log ($((SECONDS - start)) s)"
  cat "$out/gpu-check.md" 2>/dev/null
  [ "${GPU_CHECK_KEEP:-0}" = 1 ] || rm -rf "$work"
  [ "$failed" = 0 ]
}

case "${1:-}" in
  pack) shift; pack "$@" ;;
  run) shift; run "$@" ;;
  *) sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
