#!/usr/bin/env python3
"""Benchmarks: instructions per invoke on the emulated boards (Cortex-M,
RISC-V), RAM per model, code size (on the Cortex-M4, and per CPU), and host
speed against the `tflite_micro` wheel, next to TFLM (+CMSIS-NN) reference
figures.

    python bench/bench.py [--boards m4,m55] [--models person_detect,kws_ref_model]
                          [--per-op] [--no-build] [--json out.json]

What is measured and how (details in bench/README.md):

* instructions: QEMU runs with -icount shift=0 (one instruction = 1 ns of
  guest time) and the boards' time.ticks_cpu() counts executed instructions
  exactly.  Every input is filled with the bytes (i*37 + 11) % 256, one
  warm-up invoke runs, then the same measuring code is run around 1 and
  around 0 invokes; instructions per invoke = count_1 - count_0.  Inputs are
  re-filled before each measured region because the arena planner may reuse
  the input tensor's memory for later activations (a second invoke without
  re-filling runs on different data).  The pair is measured twice per boot
  and must agree exactly.
* per op: the same model with profile=True, interp.profile() after one
  invoke; the invoke() overhead is (count of that invoke) - (sum of the
  profile), which also charges the profiler's own clock reads to overhead.
* RAM: interp.arena_used, and the GC heap taken by constructing the
  interpreter with arena_size=arena_used (gc.mem_free() before and after)
  minus arena_used: the interpreter object and GC block rounding.
* code size: .text and .rodata input sections kept in the Cortex-M4 image
  (linked with --gc-sections), per object file under modtflm/, from
  firmware.map, attributed to runtime core, kernel support, kernels and
  binding by modtflm/sources.txt (codesize.py); the same totals for every
  board built (per CPU).
* boards with little RAM (the ram column of ports/targets.txt, the
  micro:bit): the script is compiled on the host (mpy-cross), and models
  larger than the board can load are not run (listed as such).
* host: median of 20 invoke() times of our unix build (time.ticks_us) and of
  the wheel (time.perf_counter), same inputs; one noisy run.

Firmware is built into build/bench-<BOARD> and build/bench-unix unless
--no-build is given.

Modules: common.py (boards and models from ports/targets.txt and
models/models.txt, build directories), build.py (firmware builds),
codesize.py (linker map, attribution by sources.txt), runs.py (QEMU and host
runs), reference.py (TFLM's figures and the targets), render.py (report).
"""
import argparse
import collections
import datetime
import importlib.util
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VENV_PYTHON = os.path.join(ROOT, "deps", "venv", "bin", "python")

# The wheel and numpy live in the project's virtualenv: re-run there when
# started with another interpreter (e.g. a bare `python bench/bench.py`).
if (importlib.util.find_spec("tflite_micro") is None and os.path.exists(VENV_PYTHON)
        and os.path.realpath(sys.executable) != os.path.realpath(VENV_PYTHON)
        and not os.environ.get("TFLM_BENCH_REEXEC")):
    os.environ["TFLM_BENCH_REEXEC"] = "1"
    os.execv(VENV_PYTHON, [VENV_PYTHON] + sys.argv)

sys.path.insert(0, HERE)

from build import build  # noqa: E402
from codesize import KWS_ONLY_CFLAGS, code_size  # noqa: E402
from common import BOARDS, MODELS, SIZE_BOARD, board_dir, kws_only_dir  # noqa: E402
from render import (render_cpu_sizes, render_host, render_per_op, render_pipeline, render_size,  # noqa: E402
                    render_table)
from runs import run_boards, run_host  # noqa: E402


def git_info():
    def run(*cmd):
        try:
            return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""
    commit = run("git", "rev-parse", "--short", "HEAD")
    dirty = run("git", "status", "--porcelain", "--", "modtflm", "ports")
    return commit, bool(dirty)


def parse_list(value, known, aliases=None):
    if not value:
        return list(known)
    out = []
    for v in value.split(","):
        v = v.strip()
        if not v:
            continue
        key = (aliases or {}).get(v.lower(), v)
        if key not in known:
            # A unique prefix will do: "kws", "person", "resnet".
            hits = [k for k in known if k.lower().startswith(v.lower())]
            hits = hits or [k for k in known if v.lower() in k.lower()]
            if len(hits) == 1:
                key = hits[0]
        if key not in known:
            raise SystemExit("unknown %r (known: %s)" % (v, ", ".join(list(aliases or {}) + list(known))))
        out.append(key)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--boards", help="comma-separated: m3,m4,m7,m55,rv32,m0 or board names (default: all)")
    ap.add_argument("--models", help="comma-separated model names (default: all present)")
    ap.add_argument("--per-op", action="store_true", help="print the per-op breakdown")
    ap.add_argument("--no-build", action="store_true", help="use the firmware already in build/bench-*")
    ap.add_argument("--no-host", action="store_true", help="skip the host comparison")
    ap.add_argument("--json", metavar="FILE", help="write all results as JSON")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per model on a board")
    args = ap.parse_args()

    boards = parse_list(args.boards, list(BOARDS.values()), dict(BOARDS))
    boards = sorted(set(boards), key=list(BOARDS.values()).index)
    names = parse_list(args.models, list(MODELS))
    models = collections.OrderedDict()
    for n in names:
        p = MODELS[n]
        if os.path.exists(p):
            models[n] = p
        else:
            print("bench: %s not found, skipped" % os.path.relpath(p, os.path.dirname(ROOT)), file=sys.stderr)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    t_start = time.monotonic()
    commit, dirty = git_info()
    if not args.no_build:
        build(sorted(set(boards) | {SIZE_BOARD}, key=list(BOARDS.values()).index), log)

    size = None
    map_path = os.path.join(board_dir(SIZE_BOARD), "firmware.map")
    if os.path.exists(map_path):
        size = code_size(map_path)
    else:
        log("no %s: code size skipped" % os.path.relpath(map_path, ROOT))
    kws_map = os.path.join(kws_only_dir(), "firmware.map")
    if size and os.path.exists(kws_map):
        k = code_size(kws_map)
        size["kws_only_build"] = {
            "map": k["map"], "cflags": KWS_ONLY_CFLAGS, "core": k["core"], "support": k["support"],
            "binding": k["binding"],
            "kernels": {n: d for n, d in k["kernels"].items() if d["total"]},
            "modtflm": k["all"],
            "without_binding": {x: k["all"][x] - k["binding"][x] for x in ("text", "rodata", "total")},
            "library_helpers": k["library_helpers"],
        }

    # The module's size on each board built (every CPU asked for, and the M4).
    cpu_sizes = collections.OrderedDict(
        (b, code_size(os.path.join(board_dir(b), "firmware.map")))
        for b in sorted(set(boards) | {SIZE_BOARD}, key=list(BOARDS.values()).index)
        if os.path.exists(os.path.join(board_dir(b), "firmware.map")))

    boards_res, skipped = run_boards(boards, models, log, args.timeout)
    host_res = None
    if not args.no_host:
        log("host comparison")
        host_res = run_host(models, log)

    table, checks = render_table(list(models), boards_res, host_res, size)
    det = [r["deterministic"] for rb in boards_res.values() for r in rb.values() if "error" not in r]
    wrapped = [(b, m) for b, rb in boards_res.items() for m, r in rb.items()
               if "error" not in r and r["wrapped"]]
    print("tflm benchmark, %s, commit %s%s" % (
        datetime.date.today().isoformat(), commit or "?",
        " (modtflm/ports have uncommitted changes)" if dirty else ""))
    print("Instructions per invoke = count(1 invoke) - count(0 invokes), exact (QEMU -icount shift=0).")
    print()
    print(table)
    print()
    print("Repeat measurements within each boot identical: %s" % (
        "yes (all %d)" % len(det) if det and all(det) else "NO" if det else "-"))
    if wrapped:
        print("WARNING: counter wrap suspected for %s" % wrapped)
    for b, why in skipped.items():
        print("Not run on %s: %s." % (b, "; ".join("%s (%s)" % kv for kv in why.items())))
    print(render_size(size))
    print(render_cpu_sizes(cpu_sizes))
    print(render_host(host_res))
    host_arena = {m: r["ours_arena"] for m, r in (host_res or {}).items() if r.get("ours_arena")}
    pipeline, pipeline_checks = render_pipeline(boards_res, host_arena)
    checks += pipeline_checks
    if pipeline:
        print()
        print(pipeline)
    if args.per_op:
        print(render_per_op(boards_res))
    print()
    print("bench took %.0f s" % (time.monotonic() - t_start))

    if args.json:
        doc = {
            "date": datetime.date.today().isoformat(), "commit": commit, "dirty": dirty,
            "boards": boards_res, "not_run": skipped, "code_size": size, "code_size_per_board": cpu_sizes,
            "host": host_res, "checks": checks,
        }
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
