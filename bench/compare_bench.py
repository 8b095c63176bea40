#!/usr/bin/env python3
"""Compares one bench_model result (the engine) with bench/hf_train_bench.py results (Hugging Face
transformers, one per experts implementation) on the same checkpoint, tokens and settings.

  compare_bench.py TEFT.json HF.json [HF.json ...] [--json OUT] [--markdown OUT]
                   [--peak-flops F] [--peak-name TEXT] [--goal-speed 1.5] [--partial]

Prints the results and ratios; --json / --markdown also write them. Ratios are engine /
transformers: tokens/s (identification, forward, training step) and peak memory (CUDA: peak bytes
allocated by LibTorch's caching allocator, the same allocator on both sides; CPU: the process's
peak RSS). FLOPs per token are the model's (bench_model's count), the same for both sides; they
are divided by the measured matmul rate (bench_model's, same device and dtype) and, with
--peak-flops, by a datasheet peak (e.g. 989e12 for an H200's dense bf16).

Checks: both sides start at the same loss (within 2 % of it) and move the same way, and the
frozen experts of the baseline did not move; exit status 1 when a check fails. --partial: a
missing or unreadable file is reported and skipped instead of failing (what scripts/gpu-check.sh
uses so a stage that hung still leaves the others' figures).
"""

import argparse
import json
import os
import sys


def load(path, partial, problems):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        if not partial:
            raise
        problems.append(f"{path}: {e}")
        return None


def memory_key(result):
    return "cuda_peak_allocated_bytes" if "cuda_peak_allocated_bytes" in result else "peak_rss_bytes"


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def compare(te, bases, peak_flops=None, goal_speed=1.5):
    """The report: the engine's figures, each baseline's ratios, the checks and the goal."""
    report = {"device": te.get("device"), "gpu_name": te.get("gpu_name"), "model": te.get("model"),
              "batch": te.get("batch"), "seq": te.get("seq"), "dtype": te.get("dtype"),
              "mode": te.get("mode"), "memory_measure": memory_key(te)}
    mm = te.get("matmul_flop_per_s")
    report["matmul_flop_per_s"] = mm
    if peak_flops:
        report["datasheet_peak_flop_per_s"] = peak_flops

    def shares(prefix, flops_per_token, tokens_per_s):
        out = {}
        if flops_per_token is None or tokens_per_s is None:
            return out
        rate = flops_per_token * tokens_per_s
        out[f"{prefix}_flop_per_s"] = rate
        if mm:
            out[f"{prefix}_fraction_of_matmul"] = rate / mm
        if peak_flops:
            out[f"{prefix}_fraction_of_peak"] = rate / peak_flops
        return out

    fwd_fpt = te.get("forward_flops_per_token")
    train_fpt = te.get("train_flops_per_token_estimate")
    id_fpt = te.get("identify_flops_per_token")
    mem = memory_key(te)
    report["teft"] = {
        "identify_tokens_per_s": te.get("identify_tokens_per_s"),
        "forward_tokens_per_s": te.get("forward_tokens_per_s"),
        "train_tokens_per_s": te.get("train_tokens_per_s"),
        "peak_memory_bytes": te.get(mem),
        **shares("identify", id_fpt, te.get("identify_tokens_per_s")),
        **shares("forward", fwd_fpt, te.get("forward_tokens_per_s")),
        **shares("train", train_fpt, te.get("train_tokens_per_s")),
    }
    ok = True
    for b in bases:
        name = b.get("experts_implementation", "?")
        r = {
            "attn_implementation": b.get("attn_implementation"),
            "identify_tokens_per_s": b.get("identify_tokens_per_s"),
            "forward_tokens_per_s": b.get("forward_tokens_per_s"),
            "train_tokens_per_s": b.get("train_tokens_per_s"),
            "peak_memory_bytes": b.get(mem),
            "identify_tokens_per_s_ratio": ratio(te.get("identify_tokens_per_s"), b.get("identify_tokens_per_s")),
            "forward_tokens_per_s_ratio": ratio(te.get("forward_tokens_per_s"), b.get("forward_tokens_per_s")),
            "train_tokens_per_s_ratio": ratio(te.get("train_tokens_per_s"), b.get("train_tokens_per_s")),
            "peak_memory_ratio": ratio(te.get(mem), b.get(mem)),
            **shares("identify", id_fpt, b.get("identify_tokens_per_s")),
            **shares("forward", fwd_fpt, b.get("forward_tokens_per_s")),
            **shares("train", train_fpt, b.get("train_tokens_per_s")),
        }
        # Same checkpoint and tokens: the first losses agree up to bf16 rounding, and both move
        # the same way.
        tl, bl = te.get("losses") or [], b.get("losses") or []
        if tl and bl:
            d0 = abs(tl[0] - bl[0])
            r["first_loss_difference"] = d0
            r["losses_agree"] = d0 <= 0.02 * max(1.0, abs(bl[0])) and \
                (len(tl) < 2 or (tl[-1] < tl[0]) == (bl[-1] < bl[0]))
        else:
            r["losses_agree"] = False
        r["frozen_experts_unchanged"] = b.get("frozen_experts_unchanged", True)
        ok &= r["losses_agree"] and r["frozen_experts_unchanged"]
        report[f"vs_transformers_{name}"] = r
    report["checks_passed"] = ok
    if bases:
        best = max(bases, key=lambda b: b.get("train_tokens_per_s") or 0)
        speed = ratio(te.get("train_tokens_per_s"), best.get("train_tokens_per_s"))
        memr = ratio(te.get(mem), best.get(mem))
        report["goal"] = {
            "baseline": best.get("experts_implementation"),
            "train_speed_ratio": speed,
            "memory_ratio": memr,
            "wanted": f"train >= {goal_speed}x the fastest transformers baseline at <= its peak memory",
            "met": bool(speed is not None and memr is not None and speed >= goal_speed and memr <= 1.0),
        }
    return report


def fmt_rate(x):
    return "–" if x is None else f"{x:,.0f}"


def fmt_ratio(x):
    return "–" if x is None else f"{x:.2f}×"


def fmt_bytes(x):
    return "–" if x is None else f"{x / 2**30:.2f} GiB"


def fmt_share(x):
    return "–" if x is None else f"{100 * x:.1f} %"


def markdown(report, te, bases):
    mem = "peak GPU memory (allocated)" if report["memory_measure"].startswith("cuda") else "peak RSS"
    lines = [f"Device: {report.get('gpu_name') or report.get('device')}; model {report.get('model')}; "
             f"batch {report.get('batch')} × seq {report.get('seq')}; {report.get('dtype')}; "
             f"mode {report.get('mode')}", ""]
    lines.append(f"| | identify tok/s | forward tok/s | train tok/s | {mem} | train share of matmul"
                 + (" | train share of peak" if report.get("datasheet_peak_flop_per_s") else "") + " |")
    lines.append("|---|---|---|---|---|---" + ("|---" if report.get("datasheet_peak_flop_per_s") else "") + "|")

    def row(name, r):
        cells = [name, fmt_rate(r.get("identify_tokens_per_s")), fmt_rate(r.get("forward_tokens_per_s")),
                 fmt_rate(r.get("train_tokens_per_s")), fmt_bytes(r.get("peak_memory_bytes")),
                 fmt_share(r.get("train_fraction_of_matmul"))]
        if report.get("datasheet_peak_flop_per_s"):
            cells.append(fmt_share(r.get("train_fraction_of_peak")))
        lines.append("| " + " | ".join(cells) + " |")

    row("teft", report["teft"])
    for b in bases:
        name = b.get("experts_implementation", "?")
        row(f"transformers ({name}, {b.get('attn_implementation')})", report[f"vs_transformers_{name}"])
    lines.append("")
    for b in bases:
        name = b.get("experts_implementation", "?")
        r = report[f"vs_transformers_{name}"]
        lines.append(f"- vs transformers `{name}`: identify {fmt_ratio(r['identify_tokens_per_s_ratio'])}, "
                     f"forward {fmt_ratio(r['forward_tokens_per_s_ratio'])}, train "
                     f"{fmt_ratio(r['train_tokens_per_s_ratio'])}, memory {fmt_ratio(r['peak_memory_ratio'])}; "
                     f"first losses differ by {r.get('first_loss_difference', float('nan')):.4f} "
                     f"({'agree' if r['losses_agree'] else 'DISAGREE'}), frozen experts "
                     f"{'unchanged' if r['frozen_experts_unchanged'] else 'MOVED'}")
    if report.get("matmul_flop_per_s"):
        lines.append(f"- measured {te.get('dtype')} matmul ({te.get('matmul_size')}²): "
                     f"{report['matmul_flop_per_s'] / 1e12:.1f} TFLOP/s"
                     + (f"; datasheet peak {report['datasheet_peak_flop_per_s'] / 1e12:.0f} TFLOP/s"
                        if report.get("datasheet_peak_flop_per_s") else ""))
    if "goal" in report:
        g = report["goal"]
        lines.append(f"- goal ({g['wanted']}, vs `{g['baseline']}`): {'met' if g['met'] else 'NOT met'} "
                     f"(train {fmt_ratio(g['train_speed_ratio'])}, memory {fmt_ratio(g['memory_ratio'])})")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("teft")
    ap.add_argument("baselines", nargs="*")
    ap.add_argument("--json", dest="json_out")
    ap.add_argument("--markdown")
    ap.add_argument("--peak-flops", type=float)
    ap.add_argument("--goal-speed", type=float, default=1.5)
    ap.add_argument("--partial", action="store_true")
    args = ap.parse_args()
    problems = []
    te = load(args.teft, args.partial, problems)
    bases = [b for b in (load(p, args.partial, problems) for p in args.baselines) if b is not None]
    if te is None:
        print("compare_bench: no engine result: " + "; ".join(problems), file=sys.stderr)
        return 1
    report = compare(te, bases, args.peak_flops, args.goal_speed)
    if problems:
        report["missing"] = problems
    drop = {"losses", "model", "cuda_phase_peak_bytes"}
    short = lambda d: json.dumps({k: v for k, v in d.items() if k not in drop})
    print("model:", te.get("model"))
    for b in bases:
        print(f"transformers[{b.get('experts_implementation')}]:", short(b))
    print("teft:", short(te))
    print("losses (first warmup step .. last timed step):")
    for b in bases:
        print(f"  transformers[{b.get('experts_implementation')}]:", [round(x, 4) for x in b.get("losses", [])])
    print("  teft:", [round(x, 4) for x in te.get("losses", [])])
    print(json.dumps(report, indent=2))
    md = markdown(report, te, bases)
    print(md)
    if args.json_out:
        with open(args.json_out + ".tmp", "w") as f:
            json.dump(report, f, indent=2)
        os.replace(args.json_out + ".tmp", args.json_out)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(md)
    if not report["checks_passed"]:
        print("CHECK FAILED: losses disagree or frozen experts moved", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
