"""Run the libFuzzer harness on the runtime core.

    python fuzz/fuzz.py --runs 300000 --seed 1   # what `make test` runs: a
                                                 # deterministic smoke
    python fuzz/fuzz.py --seconds 3600 -j 2      # a longer campaign (`make fuzz`)
    python fuzz/fuzz.py --binary build/host/fuzz_model_dsp ...
                                                 # the DSP-structured kernels
                                                 # (fuzz_model_rv: RISC-V's)

The harness is fuzz/fuzz_model.c, built by modtflm/host/Makefile (`make
host-test`) as build/host/fuzz_model, build/host/fuzz_model_dsp and
build/host/fuzz_model_rv.

Seeds: the project's models, the small reference models in ../shared/models
(when present), the malformed-model corpus and fuzz/regressions/. Findings
(crash-*, leak-*, timeout-*) are written to fuzz/regressions/ so the test suite
replays them from then on. Prints the executions, coverage and findings.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python_tests"))


def write_seeds(seed_dir):
    shutil.rmtree(seed_dir, ignore_errors=True)
    os.makedirs(seed_dir, exist_ok=True)
    n = 0
    paths = glob.glob(os.path.join(ROOT, "models", "**", "*.tflite"), recursive=True)
    paths += [p for p in glob.glob(os.path.join(ROOT, "..", "shared", "models", "**", "*.tflite"), recursive=True)
              if os.path.getsize(p) <= 64 * 1024]
    # Models the test suite generated (make test saves them here).
    paths += glob.glob(os.path.join(ROOT, "build", "fuzz", "test-models", "*.tflite"))
    for p in paths:
        shutil.copy(p, os.path.join(seed_dir, f"model_{n}.tflite"))
        n += 1
    import malformed
    for name, data, _ in malformed.all_cases():
        with open(os.path.join(seed_dir, name.replace("/", "_") + ".bin"), "wb") as f:
            f.write(data)
        n += 1
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--runs", type=int, default=0,
                    help="stop after this many inputs (with --seed and a fresh corpus: reproducible)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("-j", "--jobs", type=int, default=1)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "host", "fuzz_model"))
    args = ap.parse_args()
    # One corpus per binary: the builds find different paths.
    name = os.path.basename(args.binary)
    seeds = os.path.join(ROOT, "build", "fuzz", "seeds-" + name)
    corpus = os.path.join(ROOT, "build", "fuzz", "corpus-" + name)
    if args.runs:
        # A reproducible smoke starts from the seeds alone.
        corpus = os.path.join(ROOT, "build", "fuzz", "smoke-corpus-" + name)
        shutil.rmtree(corpus, ignore_errors=True)
    regressions = os.path.join(ROOT, "fuzz", "regressions")
    os.makedirs(corpus, exist_ok=True)
    n = write_seeds(seeds)
    limit = f"-runs={args.runs}" if args.runs else f"-max_total_time={args.seconds}"
    print(f"fuzz: {name}, {n} seeds, {limit}, seed {args.seed}, {args.jobs} job(s)", flush=True)
    cmd = [args.binary, corpus, seeds, regressions, limit, f"-seed={args.seed}",
           "-max_len=65536", "-timeout=20", "-rss_limit_mb=4096", "-print_final_stats=1",
           f"-artifact_prefix={regressions}/", "-close_fd_mask=1"]
    if args.jobs > 1:
        cmd += [f"-fork={args.jobs}", "-ignore_crashes=0"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    log = r.stdout + r.stderr
    with open(os.path.join(ROOT, "build", "fuzz", f"last-{name}.log"), "w") as f:
        f.write(log)
    execs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", log)
    cov = re.findall(r"cov: (\d+) ft: (\d+)", log)
    total = sum(int(e) for e in execs) if execs else 0
    if not total:
        # Fork mode prints progress lines "#<total>: cov: ..." instead.
        m = re.findall(r"#(\d+):?\s", log)
        total = int(m[-1]) if m else 0
    print(f"fuzz: executions {total}, coverage (edges, features) {cov[-1] if cov else '?'}, exit {r.returncode}")
    findings = [l for l in log.splitlines() if "ERROR: AddressSanitizer" in l or "runtime error:" in l
                or "ERROR: libFuzzer" in l or "LeakSanitizer" in l]
    if r.returncode != 0 or findings:
        print("\n".join(findings[:20]) or log[-3000:])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
