#!/usr/bin/env python3
"""Crash soak: kill `teft train`, `teft validate` and `teft merge` with SIGKILL at random points,
resume each by running the same command again, and check that nothing was lost or corrupted.

For each phase the command first runs uninterrupted into a reference folder (its duration is
measured). Then, in trials, the same command runs from scratch in the same folder and is killed
with SIGKILL after a random delay within that duration (seeded RNG; the seed is printed), up to a
few times per trial, then re-run until it completes. After every trial:
  * every output file is bit-identical to the reference (SHA-256 of each file, and the same set of
    files). Four files carry a wall-clock time by design and are compared field by field with only
    that field left out: a submission's manifest.json ("created_at"), its signature.json (it signs
    the manifest, so it changes with created_at: checked instead by `teft submission show`, which
    verifies hash and signature over the files), the validator's round report.json (the measured
    "eval_seconds" of each submission) and its receipts.json ("received_at", and "scans", the number
    of scans the validator began, which a killed round legitimately raises; the scan each
    submission was first received in is compared);
  * the job store (<data-dir>/teft.db) passes `PRAGMA integrity_check`;
  * nothing half-written is left: no "*.tmp-*" or ".*.tmp-*" anywhere in the work folder.
Exit code 0 when every check passed, 1 on any mismatch (each one printed), 2 on a usage error.

    scripts/crash-soak.py --kills 60 --seed 1      # the full soak (README, "Crash soak")
    scripts/crash-soak.py --kills 6                # the CTest (label soak)
"""

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MAX_KILLS_PER_TRIAL = 4


def fail(msg):
    print("crash-soak: " + msg, file=sys.stderr)
    sys.exit(1)


class Soak:
    def __init__(self, args):
        self.args = args
        self.teft = str(Path(args.teft).resolve())
        self.work = Path(args.work).resolve()
        self.rng = random.Random(args.seed)
        self.mismatches = []
        self.summary = []

    # ---- running teft -------------------------------------------------------------------------
    def cmd(self, data_dir, *args):
        # The command's words first: teft takes its global options after them.
        return [self.teft, *map(str, args), "--data-dir", str(data_dir), "--threads", "1", "--quiet"]

    def run(self, argv, what):
        r = subprocess.run(argv, cwd=self.work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            fail(f"{what} failed (exit {r.returncode}): {' '.join(argv)}\n{r.stderr}")
        return r.stdout

    def attempt(self, argv, delay):
        """Runs argv; kills it with SIGKILL after `delay` seconds unless it finished.
        Returns (killed, returncode, stderr)."""
        with tempfile.TemporaryFile() as err:
            p = subprocess.Popen(argv, cwd=self.work, stdout=subprocess.DEVNULL, stderr=err)
            try:
                p.wait(timeout=delay)
                killed = False
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGKILL)
                p.wait()
                killed = True
            err.seek(0)
            return killed, p.returncode, err.read().decode(errors="replace")

    # ---- checks -------------------------------------------------------------------------------
    def mismatch(self, phase, trial, text):
        self.mismatches.append(f"[{phase} trial {trial}] {text}")
        print(f"  MISMATCH [{phase} trial {trial}] {text}", flush=True)

    @staticmethod
    def files(root):
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() or p.is_symlink())

    def compare_tree(self, phase, trial, ref, out):
        a, b = self.files(ref), self.files(out)
        if a != b:
            self.mismatch(phase, trial, f"files differ: only in the reference {sorted(set(a) - set(b))}, "
                                        f"only after the kills {sorted(set(b) - set(a))}")
        compared = 0
        for rel in sorted(set(a) & set(b)):
            name = Path(rel).name
            if name == "manifest.json" and Path(rel).parent.name == "submission":
                self.compare_json(phase, trial, rel, ref, out, drop={"created_at"})
            elif name == "signature.json" and Path(rel).parent.name == "submission":
                self.check_signature(phase, trial, rel, ref, out)
            elif name == "report.json":
                self.compare_report(phase, trial, rel, ref, out)
            elif name == "receipts.json":
                self.compare_receipts(phase, trial, rel, ref, out)
            else:
                ha, hb = sha256(ref / rel), sha256(out / rel)
                if ha != hb:
                    self.mismatch(phase, trial, f"{rel}: SHA-256 {hb} after the kills, {ha} uninterrupted")
            compared += 1
        return compared

    def compare_json(self, phase, trial, rel, ref, out, drop):
        a = json.loads((ref / rel).read_text())
        b = json.loads((out / rel).read_text())
        for k in drop:
            a.pop(k, None)
            b.pop(k, None)
        if a != b:
            keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            self.mismatch(phase, trial, f"{rel}: fields {keys} differ")

    def check_signature(self, phase, trial, rel, ref, out):
        a = json.loads((ref / rel).read_text())
        b = json.loads((out / rel).read_text())
        for k in ("format", "version", "algorithm", "public_key"):
            if a.get(k) != b.get(k):
                self.mismatch(phase, trial, f"{rel}: {k} differs")
        sub = out / Path(rel).parent
        r = subprocess.run(self.cmd(self.soak_data, "submission", "show", sub, "--json"), cwd=self.work,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            self.mismatch(phase, trial, f"{rel}: `teft submission show` refuses the submission: {r.stderr.strip()}")

    def compare_report(self, phase, trial, rel, ref, out):
        def strip(j):  # wall-clock measurements ("eval_seconds" per submission)
            if isinstance(j, dict):
                return {k: strip(v) for k, v in j.items() if not (k == "seconds" or k.endswith("_seconds"))}
            if isinstance(j, list):
                return [strip(v) for v in j]
            return j

        a = strip(json.loads((ref / rel).read_text()))
        b = strip(json.loads((out / rel).read_text()))
        if a != b:
            keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            self.mismatch(phase, trial, f"{rel}: fields {keys} differ")

    def compare_receipts(self, phase, trial, rel, ref, out):
        def scans(p):
            j = json.loads(p.read_text())
            return sorted((r["folder"], r["package_sha256"], r["scan"]) for r in j["receipts"])

        if scans(ref / rel) != scans(out / rel):
            self.mismatch(phase, trial, f"{rel}: the submissions' receipt scans differ")

    def check_store(self, phase, trial, data_dir):
        db = data_dir / "teft.db"
        if not db.exists():
            self.mismatch(phase, trial, f"{db} does not exist")
            return
        con = sqlite3.connect(str(db))
        try:
            rows = con.execute("PRAGMA integrity_check").fetchall()
        finally:
            con.close()
        if rows != [("ok",)]:
            self.mismatch(phase, trial, f"{db}: PRAGMA integrity_check says {rows}")

    def check_no_temporaries(self, phase, trial):
        left = [str(p.relative_to(self.work)) for p in self.work.rglob("*") if ".tmp-" in p.name]
        if left:
            self.mismatch(phase, trial, f"half-written temporaries left behind: {left}")

    # ---- set-up -------------------------------------------------------------------------------
    def setup(self):
        w = self.work
        # A copy of the program, so that a rebuild of the build tree during the soak changes nothing.
        (w / "bin").mkdir()
        shutil.copy2(self.teft, w / "bin" / "teft")
        self.teft = str(w / "bin" / "teft")
        self.setup_data = w / "setup-data"
        self.ref_data = w / "ref-data"
        self.soak_data = w / "soak-data"
        self.run(self.cmd(self.setup_data, "model", "create", "--arch", "qwen3_moe", "--preset", "tiny", "--seed", 7,
                          "--dtype", "f32", "--out", "model"), "model create")
        self.run(self.cmd(self.setup_data, "data", "demo-corpus", "--out", "corpus", "--domain", "code",
                          "--mb-per-domain", "0.05"), "data demo-corpus")
        (w / "selection.json").write_text(json.dumps(
            {"format": "teft-expert-selection", "version": 1, "layers": {"0": [1, 4], "2": [0, 3, 6]}}))
        # One miner key and known-miners list for every run, so that signatures can be compared.
        self.run(self.cmd(self.setup_data, "keys", "show", "--export", "miner.pub"), "keys show")
        self.run(self.cmd(self.setup_data, "keys", "trust", "miner.pub"), "keys trust")
        # The submissions the validator phase scores: three miners on disjoint shards.
        for i in range(3):
            self.run(self.cmd(self.setup_data, "train", "model", "--data", "corpus/code.jsonl", "--selection",
                              "selection.json", "--steps", 12, "--batch-size", 4, "--seq-len", 32, "--lr", "1e-3",
                              "--shard", f"{i}/3", "--seed", i, "--compute-dtype", "f32", "--out", f"setup-miner{i}"),
                     f"setup miner {i}")
            shutil.copytree(w / f"setup-miner{i}" / "submission", w / "subs" / f"miner{i}")
        # The Φ the merge phase writes back.
        self.run(self.cmd(self.setup_data, "validate", "model", "--data", "corpus/code.jsonl", "--seq-len", 32,
                          "--selection", "selection.json", "--submissions", "subs", "--state", "setup-val",
                          "--eval-batches", 4), "setup validate")
        for d in (self.ref_data, self.soak_data):
            d.mkdir()
            shutil.copytree(self.setup_data / "keys", d / "keys")
            shutil.copy(self.setup_data / "known_miners.json", d / "known_miners.json")

    def phases(self):
        common = ["--data", "corpus/code.jsonl", "--seq-len", 32, "--selection", "selection.json"]
        return [
            ("train", "run/train",
             ["train", "model", *common, "--steps", self.args.train_steps, "--batch-size", 4, "--lr", "2e-4",
              "--checkpoint-every", 3, "--seed", 5, "--compute-dtype", "f32", "--out", "run/train"]),
            # --round 0: a kill after the round was committed (state.json written) but before the
            # process ended leaves nothing to redo, and the same command says so (exit 2, "its
            # next round is 1") instead of validating round 1; that answer counts as completion.
            ("validate", "run/val",
             ["validate", "model", *common, "--submissions", "subs", "--state", "run/val", "--round", 0,
              "--eval-batches", self.args.eval_batches, "--eval-batch-size", 8]),
            ("merge", "run/merged",
             ["merge", "model", "--phi", "setup-val/round-0/phi.safetensors", "--out", "run/merged",
              "--shard-bytes", 24576]),
        ]

    # ---- the soak -----------------------------------------------------------------------------
    def soak(self):
        phases = self.phases()
        per_phase = [self.args.kills // len(phases) + (1 if k < self.args.kills % len(phases) else 0)
                     for k in range(len(phases))]
        for (name, out_rel, argv), target in zip(phases, per_phase):
            out = self.work / out_rel
            ref = self.work / "ref" / name
            start = time.monotonic()
            self.run(self.cmd(self.ref_data, *argv), f"uninterrupted {name}")
            duration = time.monotonic() - start
            ref.parent.mkdir(exist_ok=True)
            shutil.move(str(out), str(ref))
            kills = resumes = trials = compared = committed = 0
            phase_start = time.monotonic()
            while kills < target:
                trials += 1
                if out.exists():
                    shutil.rmtree(out)
                killed_in_trial = 0
                while True:
                    if killed_in_trial < MAX_KILLS_PER_TRIAL and kills < target:
                        delay = self.rng.uniform(0.0, duration)
                    else:
                        delay = None  # run to completion
                    killed, rc, err = self.attempt(self.cmd(self.soak_data, *argv), delay)
                    if killed:
                        kills += 1
                        killed_in_trial += 1
                        continue
                    if killed_in_trial:
                        resumes += 1
                    if rc == 2 and name == "validate" and killed_in_trial and "its next round is 1" in err:
                        committed += 1
                    elif rc != 0:
                        self.mismatch(name, trials, f"the run after {killed_in_trial} kill(s) failed "
                                                    f"(exit {rc}): {err.strip()[-2000:]}")
                    break
                compared = self.compare_tree(name, trials, ref, out)
                self.check_store(name, trials, self.soak_data)
                self.check_no_temporaries(name, trials)
            self.check_store(name, 0, self.ref_data)
            secs = time.monotonic() - phase_start
            self.summary.append((name, kills, trials, resumes, compared, duration, secs))
            print(f"{name}: {kills} kills in {trials} trials, {resumes} resumed to completion"
                  f"{f' ({committed} found already committed)' if committed else ''}, "
                  f"{compared} files compared, uninterrupted {duration:.2f} s, soak {secs:.1f} s", flush=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--teft", default=str(REPO / "build" / "app" / "cli" / "teft"), help="the teft program")
    ap.add_argument("--kills", type=int, default=60, help="SIGKILLs in all, spread over the three phases")
    ap.add_argument("--seed", type=int, default=None, help="seed of the kill times (default: random, printed)")
    ap.add_argument("--work", default=None, help="work folder (default: a new temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--train-steps", type=int, default=150, help="steps of the training phase")
    ap.add_argument("--eval-batches", type=int, default=24, help="held-out batches of the validation phase")
    args = ap.parse_args()
    if args.kills < 3:
        ap.error("--kills must be at least 3 (one per phase)")
    if not os.access(args.teft, os.X_OK):
        ap.error(f"{args.teft} is not an executable (build it: ninja -C build teft)")
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 31)
    made = args.work is None
    if made:
        args.work = tempfile.mkdtemp(prefix="teft-crash-soak-")
    else:
        Path(args.work).mkdir(parents=True, exist_ok=True)
        if any(Path(args.work).iterdir()):
            ap.error(f"--work {args.work} is not empty")
    print(f"crash-soak: seed {args.seed}, {args.kills} kills, work folder {args.work}", flush=True)
    s = Soak(args)
    t0 = time.monotonic()
    try:
        s.setup()
        s.soak()
    finally:
        if not args.keep and made and not s.mismatches:
            shutil.rmtree(args.work, ignore_errors=True)
    total = sum(x[1] for x in s.summary)
    print(f"crash-soak: {total} kills, {sum(x[3] for x in s.summary)} runs resumed to completion, "
          f"{len(s.mismatches)} mismatches, {time.monotonic() - t0:.1f} s (seed {args.seed})")
    if s.mismatches:
        print(f"crash-soak: FAILED; the work folder is kept: {args.work}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
