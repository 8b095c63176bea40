#!/usr/bin/env python3
"""The report of scripts/gpu-check.sh run: reads what the stages left in WORK and writes
OUT/gpu-check.json (everything, raw results included) and OUT/gpu-check.md (the summary).
Called after every stage, so a stage that hangs or fails still leaves the others' results.

  gpu_check_report.py WORK OUT ELAPSED_S
"""

import glob
import json
import os
import sys


def read(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def gib(x):
    return "–" if x is None else f"{x / 2**30:.2f} GiB"


def main():
    work, out, elapsed = sys.argv[1], sys.argv[2], float(sys.argv[3])
    ctx = read(os.path.join(work, "context.json")) or {}
    stages = [s for s in (read(p) for p in sorted(glob.glob(os.path.join(work, "stages", "*.json")))) if s]
    system = read(os.path.join(work, "system.json"))
    tests = read(os.path.join(work, "tests.json"))
    info = read(os.path.join(work, "model-info.json"))
    teft = read(os.path.join(work, "teft.json"))
    hf = {os.path.basename(p)[3:-5]: read(p) for p in sorted(glob.glob(os.path.join(work, "hf-*.json")))}
    compare = read(os.path.join(work, "compare.json"))
    cli = {}
    for name in ("identify-cli", "identify-cli-time", "train-cli", "train-cli-time"):
        doc = read(os.path.join(work, name + ".json"))
        if doc is not None:
            cli[name] = doc
    report = {
        "format": "teft-gpu-check/1",
        "elapsed_s": elapsed,
        "context": ctx,
        "stages": stages,
        "system": system,
        "tests": tests,
        "model_info": info,
        "teft": teft,
        "transformers": hf,
        "compare": compare,
        "cli": cli,
        "all_passed": bool(stages) and all(s.get("status") == "ok" for s in stages),
    }
    os.makedirs(out, exist_ok=True)
    tmp = os.path.join(out, "gpu-check.json.tmp")
    with open(tmp, "w") as f:
        json.dump(report, f, indent=2)
    os.replace(tmp, os.path.join(out, "gpu-check.json"))

    md = ["# GPU check", ""]
    dev = ctx.get("device", "?")
    gpu = (teft or {}).get("gpu_name") or next((d.get("description") for d in (system or {}).get("devices", [])
                                                if d.get("name") == dev), None)
    md.append(f"Device `{dev}`" + (f" ({gpu})" if gpu else "") +
              f"; torch from `{ctx.get('torch_dir', '?')}`; {elapsed:.0f} s of a {ctx.get('budget_s', '?')} s budget.")
    if system:
        md.append(f"teft {system.get('version', '')}, LibTorch {system.get('torch_version', '')}; CUDA backend: "
                  f"{system.get('cuda_backend', {}).get('message', '')}")
    if not ctx.get("gpu", 1):
        md.append("")
        md.append("**No GPU here: a dry run on the CPU at small sizes (--allow-cpu); the CUDA tests SKIP.**")
    md += ["", "| stage | status | seconds |", "|---|---|---|"]
    for s in stages:
        md.append(f"| {s.get('name')} | {s.get('status')}{' (exit %s)' % s['exit'] if s.get('exit') else ''}"
                  f"{' — ' + s['why'] if s.get('why') else ''} | {s.get('seconds', '–')} |")
    if tests:
        md += ["", "| CUDA test | result | Qt Test totals |", "|---|---|---|"]
        for t in tests:
            md.append(f"| {t['name']} | {t['status']} | {t.get('totals') or ''} |")
            for f in t.get("failures", [])[:5]:
                md.append(f"| | FAIL: {f} | |")
    if info:
        md += ["", f"Model: {info.get('model_type', '')}, {info.get('layers', '?')} layers, "
               f"{info.get('experts', '?')} experts, top-{info.get('top_k', '?')}, "
               f"{info.get('params_total', 0) / 1e9:.2f} B parameters ({info.get('params_active', 0) / 1e9:.2f} B "
               f"active per token), {gib(info.get('size_on_disk'))} on disk; batch {ctx.get('batch')} × seq {ctx.get('seq')}, "
               f"{ctx.get('steps')} timed steps after {ctx.get('warmup')} warm-up, "
               f"{ctx.get('experts_per_layer')} trainable experts per layer, mode {ctx.get('mode')}, bf16, AdamW."]
    cmp_md = os.path.join(work, "compare.md")
    if os.path.exists(cmp_md):
        md += ["", open(cmp_md).read().rstrip()]
    elif teft or hf:
        md += ["", "Partial results (no comparison):"]
        for name, r in [("teft", teft)] + [(f"transformers {k}", v) for k, v in hf.items()]:
            if r:
                md.append(f"- {name}: identify {r.get('identify_tokens_per_s', 0):,.0f} tok/s, forward "
                          f"{r.get('forward_tokens_per_s', 0):,.0f} tok/s, train {r.get('train_tokens_per_s', 0):,.0f} "
                          f"tok/s, peak GPU memory {gib(r.get('cuda_peak_allocated_bytes'))}, "
                          f"peak RSS {gib(r.get('peak_rss_bytes'))}")
    if teft and teft.get("cuda_phase_peak_bytes"):
        phases = ", ".join(f"{k} {gib(v.get('allocated'))}" for k, v in teft["cuda_phase_peak_bytes"].items())
        md.append(f"- teft peak GPU memory by phase: {phases}")
    for k, v in hf.items():
        if v and v.get("cuda_phase_peak_bytes"):
            phases = ", ".join(f"{p} {gib(x.get('allocated'))}" for p, x in v["cuda_phase_peak_bytes"].items())
            md.append(f"- transformers ({k}) peak GPU memory by phase: {phases}")
    it, tt = cli.get("identify-cli-time"), cli.get("train-cli-time")
    if it or tt:
        md += ["", "The real commands on the device (wall time, model load and tokenization included):"]
        if it:
            md.append(f"- `teft identify`: {it['identify_wall_s']} s for 4 batches of {ctx.get('batch')} rows × "
                      f"{it['seq']} tokens")
        if tt:
            md.append(f"- `teft train`: {tt['train_wall_s']} s for {tt['steps']} steps of {tt['rows_per_step']} rows × "
                      f"{tt['seq']} tokens")
    md.append("")
    md.append("PASS: all stages passed." if report["all_passed"] else "NOT ALL STAGES PASSED (see gpu-check.log).")
    with open(os.path.join(out, "gpu-check.md"), "w") as f:
        f.write("\n".join(md) + "\n")


if __name__ == "__main__":
    main()
