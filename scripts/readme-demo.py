#!/usr/bin/env python3
"""README.md's demo section, generated from a `teft demo --json` report, and its drift check.

  python3 scripts/readme-demo.py --write [--teft build/app/cli/teft] [--report R.json]
  python3 scripts/readme-demo.py --check --report R.json

--write without --report runs `teft demo --json --threads 1` in a fresh data directory (so the
foundation model is pretrained, as on a new machine) and replaces the text between the README's
`<!-- demo:begin` and `<!-- demo:end -->` lines with the section rendered from it.

--check renders the section from the report and compares it with the README's: the words must
be the same, and every figure must match (integers exactly, decimals within 0.002 + 1 %, so that
another CPU's last digits do not fail it while a typed or stale figure does); the run times on
the "Time:" line are not compared. Exits 1 naming the first line that drifted.
tests/cli/test_demo_claims.cpp runs it in CI on the report of a demo it runs from nothing.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

BEGIN = "<!-- demo:begin"
END = "<!-- demo:end -->"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def worst_drift(rows, key):
    drifts = [r[key] - r["base"] for r in rows if not r["in_domain"] and key in r]
    return max(drifts) if drifts else None


def render(report):
    """The section's lines (without the begin/end markers) from a demo report."""
    rows = report["losses"]
    target = next(r for r in rows if r["in_domain"])
    cost = report["selection_cost"]
    sub = report["submission_bytes"]
    model = cost["model_bytes"]
    table = []
    for line in report["table"].rstrip("\n").split("\n"):
        # The work folder is the machine's own: name the checkpoint, not where it lies.
        line = re.sub(r"^Merged checkpoint: \S+ \(", "Merged checkpoint: <work>/merged (", line)
        table.append(line)
    out = ["```text"] + table + ["```", ""]
    refused = sorted({s["name"] for r in report["rounds"] for s in r["submissions"] if s.get("weight", 0) == 0
                      and s.get("verdict") != "accepted"})
    out.append(
        f"In numbers: the target's held-out loss moves by {target['teft'] - target['base']:+.4f} after the merge; "
        f"the largest change of any other domain is {worst_drift(rows, 'teft'):+.4f}. "
        f"A submission carries {sub} bytes, {100.0 * sub / model:.1f} % of the model's {model} bytes "
        f"(fp32 updates of {cost['experts']} of {cost['total_experts']} experts). "
        f"Never merged: {', '.join(refused) if refused else 'none'}.")
    ft = report.get("full_fine_tune")
    if ft and ft.get("same_steps"):
        line = (f"Full fine-tuning at the same steps (lr {ft['same_steps']['lr']:g}) gains "
                f"{target['full_ft'] - target['base']:+.4f} in domain and moves another domain by up to "
                f"{worst_drift(rows, 'full_ft'):+.4f}")
        if ft.get("matched_gain"):
            line += (f"; at TEFT's in-domain gain (lr {ft['matched_gain']['lr']:g}, step "
                     f"{ft['matched_gain']['step']}) it gains {target['full_ft_matched'] - target['base']:+.4f} and "
                     f"moves another domain by up to {worst_drift(rows, 'full_ft_matched'):+.4f}.")
        else:
            line += "; no learning rate of the sweep reached TEFT's in-domain gain."
        out.append("")
        out.append(line)
    return out


NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def same_line(have, want):
    if have.startswith("Time:") and want.startswith("Time:"):
        return True
    if NUMBER.sub("#", have) != NUMBER.sub("#", want):
        return False
    for a, b in zip(NUMBER.findall(have), NUMBER.findall(want)):
        if re.fullmatch(r"[-+]?\d+", a) and re.fullmatch(r"[-+]?\d+", b):
            if int(a) != int(b):
                return False
        elif abs(float(a) - float(b)) > 0.002 + 0.01 * abs(float(b)):
            return False
    return True


def readme_section(text):
    lines = text.split("\n")
    try:
        begin = next(i for i, l in enumerate(lines) if l.startswith(BEGIN))
        end = next(i for i, l in enumerate(lines) if l.startswith(END) and i > begin)
    except StopIteration:
        sys.exit(f"README.md has no '{BEGIN} ... {END}' section")
    return lines, begin, end


def run_demo(teft):
    data = tempfile.mkdtemp(prefix="teft-readme-demo-")
    out = subprocess.run([teft, "demo", "--json", "--quiet", "--threads", "1", "--data-dir", data],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    p.add_argument("--report", help="a `teft demo --json` output (default: run the demo)")
    p.add_argument("--teft", default=os.path.join(ROOT, "build", "app", "cli", "teft"))
    p.add_argument("--readme", default=os.path.join(ROOT, "README.md"))
    a = p.parse_args()
    if a.report:
        with open(a.report) as f:
            report = json.load(f)
    elif a.check:
        sys.exit("--check needs --report")
    else:
        report = run_demo(a.teft)
    if "table" not in report:
        sys.exit("the report has no 'table': it must be `teft demo --json` output")
    with open(a.readme) as f:
        text = f.read()
    lines, begin, end = readme_section(text)
    section = render(report)
    if a.write:
        lines[begin + 1:end] = section
        tmp = a.readme + ".tmp"
        with open(tmp, "w") as f:
            f.write("\n".join(lines))
        os.replace(tmp, a.readme)
        print(f"{a.readme}: demo section regenerated ({len(section)} lines)")
        return
    have = lines[begin + 1:end]
    for i in range(max(len(have), len(section))):
        h = have[i] if i < len(have) else "<missing>"
        w = section[i] if i < len(section) else "<missing>"
        if not same_line(h, w):
            print(f"README.md's demo section drifted from `teft demo` at its line {i + 1}:\n"
                  f"  README: {h}\n  demo:   {w}\n"
                  f"Regenerate it: python3 scripts/readme-demo.py --write", file=sys.stderr)
            sys.exit(1)
    print(f"README.md's demo section matches the report ({len(section)} lines)")


if __name__ == "__main__":
    main()
