#!/usr/bin/env python3
"""Benchmarks: instructions per invoke on the emulated Cortex-M boards, RAM
per model, code size on the Cortex-M4, and host speed against the
`tflite_micro` wheel, next to TFLM (+CMSIS-NN) reference figures.

    python tools/bench.py [--boards m4,m55] [--models person_detect,kws_ref_model]
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
  firmware.map.
* host: median of 20 invoke() times of our unix build (time.ticks_us) and of
  the wheel (time.perf_counter), same inputs; one noisy run.

Firmware is built into build/bench-<BOARD> and build/bench-unix unless
--no-build is given.
"""
import argparse
import ast
import collections
import datetime
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "models")
VENV_PYTHON = os.path.join(ROOT, "deps", "venv", "bin", "python")

# The wheel and numpy live in the project's virtualenv: re-run there when
# started with another interpreter (e.g. a bare `python tools/bench.py`).
if (importlib.util.find_spec("tflite_micro") is None and os.path.exists(VENV_PYTHON)
        and os.path.realpath(sys.executable) != os.path.realpath(VENV_PYTHON)
        and not os.environ.get("TFLM_BENCH_REEXEC")):
    os.environ["TFLM_BENCH_REEXEC"] = "1"
    os.execv(VENV_PYTHON, [VENV_PYTHON] + sys.argv)

sys.path.insert(0, os.path.join(ROOT, "tools"))

# name -> path relative to the shared models directory
MODELS = collections.OrderedDict([
    ("hello_world_int8", "tflm/hello_world_int8.tflite"),
    ("micro_speech_quantized", "tflm/micro_speech_quantized.tflite"),
    ("person_detect", "tflm/person_detect.tflite"),
    ("kws_ref_model", "mlperf_tiny/kws_ref_model.tflite"),
    ("vww_96_int8", "mlperf_tiny/vww_96_int8.tflite"),
    ("pretrainedResnet_quant", "mlperf_tiny/pretrainedResnet_quant.tflite"),
    ("ad01_int8", "mlperf_tiny/ad01_int8.tflite"),
])

# short name -> board
BOARDS = collections.OrderedDict([
    ("m3", "MPS2_AN385"),
    ("m4", "MPS2_AN386"),
    ("m7", "MPS2_AN500"),
    ("m55", "MPS3_AN547"),
])
SIZE_BOARD = "MPS2_AN386"

# Reference figures (project issue tracker).  TFLM's instruction counts were
# made with a QEMU TCG plugin as (N - 0) / N on the same QEMU 7.2 machines.
REF_CMSIS_M4 = {
    "person_detect": 22933376, "vww_96_int8": 24116673, "kws_ref_model": 7698198,
    "pretrainedResnet_quant": 29863335, "ad01_int8": 583327, "micro_speech_quantized": 1496407,
}
REF_CMSIS_M55 = {
    "person_detect": 6513302, "vww_96_int8": 6573913, "kws_ref_model": 1814004,
    "pretrainedResnet_quant": 4911872, "ad01_int8": 150380, "micro_speech_quantized": 1009308,
}
REF_TFLM_REF_M4 = {"person_detect": 95.7e6, "kws_ref_model": 43.0e6}
REF_TFLM_ARENA32 = {
    "person_detect": 82292, "vww_96_int8": 100660, "kws_ref_model": 22772,
    "pretrainedResnet_quant": 54340, "ad01_int8": 2260, "micro_speech_quantized": 6788,
}
TARGET_M4 = 0.8
TARGET_M55 = 1.0
TARGET_M3 = 0.5
TARGET_CORE_TEXT = 8 * 1024
TARGET_KWS_FLASH = 38 * 1024
REF_KWS_FLASH_CMSIS = 76.7 * 1024
TARGET_OVERHEAD = 0.02

# Kernel families (object files under modtflm/core/kernels/) kws_ref_model's
# ops need, with their optimized variants, plus what every kernel uses: the
# op table, the quantization helpers (quant.o) and the prepare checks
# (checks.o). fixedpoint.h is a header, compiled into the kernels that use it.
KWS_KERNELS = ["conv", "conv_opt", "dw_opt", "pooling", "fully_connected", "fc_opt", "reshape", "softmax",
               "registry", "quant", "checks"]

# A Cortex-M4 firmware with only those families compiled in (the other
# MICROPY_TFLM_OP_* flags set to 0), for the real size of a kws-only build.
KWS_FAMILIES = {"FULLY_CONNECTED", "CONV", "POOLING", "SOFTMAX", "RESHAPE"}
ALL_FAMILIES = ["FULLY_CONNECTED", "QUANTIZE", "CONV", "POOLING", "ACTIVATIONS", "SOFTMAX",
                "ELEMENTWISE", "REDUCE", "RESHAPE", "CONCAT", "SLICE", "CAST", "RESIZE",
                "L2NORM", "BATCH_MATMUL"]
# kws_ref_model is int8 throughout: the kws-only build also leaves out the
# float32 and int16 kernel variants and TRANSPOSE_CONV (MICROPY_TFLM_TYPE_*,
# MICROPY_TFLM_OP_TRANSPOSE_CONV), as a board built for it would.
KWS_ONLY_CFLAGS = " ".join(["-DMICROPY_TFLM_OP_%s=0" % f for f in ALL_FAMILIES if f not in KWS_FAMILIES]
                           + ["-DMICROPY_TFLM_OP_TRANSPOSE_CONV=0", "-DMICROPY_TFLM_TYPE_FLOAT32=0",
                              "-DMICROPY_TFLM_TYPE_INT16=0"])

HOST_RUNS = 20


# ---------------------------------------------------------------- scripts

BOARD_SCRIPT = r"""
import tflm, time, gc, hostfs
tc = time.ticks_cpu
tus = time.ticks_us
diff = time.ticks_diff
BLK = bytes((i * 37 + 11) % 256 for i in range(256))

def make_inputs(it):
    bufs = []
    for k in range(len(it.inputs)):
        n = it.get_input_details(k)['nbytes']
        bufs.append((BLK * (n // 256 + 1))[:n])
    return bufs

def fill(it, bufs):
    for k in range(len(bufs)):
        it.set_input(bufs[k], k)

def region(it, bufs, n):
    # The same code around n = 1 and n = 0 invokes.
    fill(it, bufs)
    inv = it.invoke
    r = range(n)
    u0 = tus()
    t0 = tc()
    for _ in r:
        inv()
    t1 = tc()
    u1 = tus()
    return diff(t1, t0), diff(u1, u0)

def outputs(it):
    return [bytes(it.get_output(k)).hex() for k in range(len(it.outputs))]

def construct(data, size):
    return tflm.Interpreter(data, size)

def construct_count(data):
    # Instructions Interpreter(data) takes (arena_size=0: the exact arena is
    # found by the constructor), from a freshly collected heap.
    gc.collect()
    t0 = tc()
    it = construct(data, 0)
    t1 = tc()
    it.close()
    return diff(t1, t0)

def heap_taken(data, size):
    gc.collect()
    f0 = gc.mem_free()
    it = construct(data, size)
    gc.collect()
    f1 = gc.mem_free()
    it.close()
    return f0 - f1

res = {}
data = hostfs.read(@PATH@)
res['model_bytes'] = len(data)
it = tflm.Interpreter(data)
bufs = make_inputs(it)
fill(it, bufs)
it.invoke()
res['outputs'] = outputs(it)
region(it, bufs, 1)
region(it, bufs, 0)
pairs = []
for rep in range(2):
    c1, u1 = region(it, bufs, 1)
    c0, u0 = region(it, bufs, 0)
    pairs.append((c1, c0, u1, u0))
res['pairs'] = pairs
used = it.arena_used
res['arena_used'] = used
it.close()
it = None
heap_taken(data, used)
res['heap'] = heap_taken(data, used)
res['construct'] = [construct_count(data) for _ in range(2)]
gc.collect()
it = tflm.Interpreter(data, profile=True)
fill(it, bufs)
it.invoke()
region(it, bufs, 1)
region(it, bufs, 0)
c0, u0 = region(it, bufs, 0)
c1, u1 = region(it, bufs, 1)
res['profiled'] = (c1, c0)
res['profile'] = [tuple(p) for p in it.profile()]
it.close()
print('BENCH', repr(res))
"""

HOST_SCRIPT = r"""
import tflm, time
BLK = bytes((i * 37 + 11) % 256 for i in range(256))
it = tflm.Interpreter(@PATH@)
bufs = []
for k in range(len(it.inputs)):
    n = it.get_input_details(k)['nbytes']
    bufs.append((BLK * (n // 256 + 1))[:n])
def fill():
    for k in range(len(bufs)):
        it.set_input(bufs[k], k)
fill()
it.invoke()
outs = [bytes(it.get_output(k)).hex() for k in range(len(it.outputs))]
inv = it.invoke
ts = []
for _ in range(@RUNS@):
    fill()
    t0 = time.ticks_us()
    inv()
    t1 = time.ticks_us()
    ts.append(time.ticks_diff(t1, t0))
print('HOST', repr({'outputs': outs, 'us': ts}))
"""


def pattern(n):
    return bytes((i * 37 + 11) % 256 for i in range(n))


def parse_tagged(tag, out):
    for line in out.splitlines():
        if line.startswith(tag + " "):
            return ast.literal_eval(line[len(tag) + 1:])
    return None


def _hex(h):
    return h.decode() if isinstance(h, bytes) else h


# ---------------------------------------------------------------- build

# TFLM_BENCH_BUILD names another build directory prefix (default
# build/bench), so several working copies of the sources can be measured
# side by side without sharing objects.
BUILD_PREFIX = os.environ.get("TFLM_BENCH_BUILD") or os.path.join(ROOT, "build", "bench")


def board_dir(board):
    return BUILD_PREFIX + "-" + board


def unix_dir():
    return BUILD_PREFIX + "-unix"


def kws_only_dir():
    return board_dir(SIZE_BOARD) + "-kws"


def build(boards, log):
    jobs = os.environ.get("JOBS") or str(os.cpu_count() or 2)
    cmds = [(b, ["make", "firmware", "TARGET=qemu", "BOARD=" + b, "QEMU_BUILD=" + board_dir(b),
                 "JOBS=" + jobs]) for b in boards]
    cmds.append(("%s with kws_ref_model's op families only" % SIZE_BOARD,
                 ["make", "firmware", "TARGET=qemu", "BOARD=" + SIZE_BOARD, "QEMU_BUILD=" + kws_only_dir(),
                  "CFLAGS_EXTRA=" + KWS_ONLY_CFLAGS, "JOBS=" + jobs]))
    cmds.append(("unix", ["make", "firmware", "TARGET=unix", "UNIX_BUILD=" + unix_dir(), "JOBS=" + jobs]))
    for name, cmd in cmds:
        t = time.monotonic()
        log("building %s ..." % name)
        r = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            sys.stderr.write(r.stdout[-4000:])
            raise SystemExit("build of %s failed (%s)" % (name, " ".join(cmd)))
        log("  done in %.0f s" % (time.monotonic() - t))


# ---------------------------------------------------------------- code size

_SECTION_LINE = re.compile(r"^ (\.\S+)?\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)\s+(\S.*)$")


def map_sizes(path):
    """{object path relative to modtflm/: {'text': n, 'rodata': n}} for the
    input sections kept in the image (the map's memory-map part, after
    --gc-sections; discarded sections are listed before it)."""
    with open(path) as f:
        text = f.read()
    start = text.find("Linker script and memory map")
    if start < 0:
        raise ValueError("%s: no memory map" % path)
    sizes = collections.defaultdict(lambda: {"text": 0, "rodata": 0})
    pending = None
    for line in text[start:].splitlines():
        if not line.startswith(" "):
            pending = None
            continue
        m = re.match(r"^ (\.\S+)\s*$", line)
        if m:  # long section name; address, size and file on the next line
            pending = m.group(1)
            continue
        m = _SECTION_LINE.match(line)
        name = None
        if m:
            name = m.group(1) or pending
        pending = None
        if not name:
            continue
        key = m.group(4).strip().replace("\\", "/")
        i = key.rfind("/modtflm/")
        if i >= 0 and key.endswith(".o"):
            rel = key[i + len("/modtflm/"):]
        elif key.endswith(".o)") and "(" in key:  # archive member: lib.a(member.o)
            rel = "lib:" + os.path.basename(key)
        else:
            continue
        size = int(m.group(3), 16)
        if name == ".text" or name.startswith(".text."):
            sizes[rel]["text"] += size
        elif name == ".rodata" or name.startswith(".rodata."):
            sizes[rel]["rodata"] += size
    return dict(sizes)


def library_members_for_modtflm(path):
    """Archive members (libgcc, libc, ...) the link pulled in for modtflm
    objects, directly or through other such members: "lib:<lib.a(member.o)>"."""
    with open(path) as f:
        text = f.read()
    end = text.find("Discarded input sections")
    lines = text[:end if end > 0 else 0].splitlines()
    wanted_by = {}
    member = None
    for line in lines:
        if line and not line.startswith(" ") and line.endswith(".o)"):
            member = "lib:" + os.path.basename(line.strip().replace("\\", "/"))
        elif member and line.startswith(" ") and line.strip():
            req = line.strip().rsplit(" (", 1)[0].replace("\\", "/")
            if "/modtflm/" in req:
                wanted_by[member] = "modtflm"
            elif req.endswith(".o)"):
                wanted_by[member] = "lib:" + os.path.basename(req)
            else:
                wanted_by[member] = req
            member = None
    ours = set()
    changed = True
    while changed:
        changed = False
        for m, r in wanted_by.items():
            if m not in ours and (r == "modtflm" or r in ours):
                ours.add(m)
                changed = True
    return sorted(ours)


def code_size(map_path):
    sizes = map_sizes(map_path)
    objs = {k: v for k, v in sizes.items() if not k.startswith("lib:")}
    libs = {k: sizes.get(k, {"text": 0, "rodata": 0}) for k in library_members_for_modtflm(map_path)}

    def total(names):
        t = sum(objs[n]["text"] for n in names if n in objs)
        r = sum(objs[n]["rodata"] for n in names if n in objs)
        return {"text": t, "rodata": r, "total": t + r}

    core = sorted(n for n in objs if n.startswith("core/") and not n.startswith("core/kernels/"))
    kernels = sorted(n for n in objs if n.startswith("core/kernels/"))
    families = collections.OrderedDict(
        (os.path.basename(n)[:-2], total([n])) for n in kernels)
    kws = core + ["core/kernels/%s.o" % k for k in KWS_KERNELS]
    return {
        "map": os.path.relpath(map_path, ROOT),
        "objects": objs,
        "core": total(core),
        "core_objects": {os.path.basename(n)[:-2]: total([n]) for n in core},
        "kernels": families,
        "kernels_total": total(kernels),
        "binding": total(["modtflm.o"]),
        "all": total(list(objs)),
        "kws_subset": total(kws),
        "kws_subset_objects": [os.path.basename(n) for n in kws],
        "library_helpers": {
            "text": sum(v["text"] for v in libs.values()),
            "rodata": sum(v["rodata"] for v in libs.values()),
            "total": sum(v["text"] + v["rodata"] for v in libs.values()),
            "members": sorted(k[4:] for k in libs),
        },
    }


# ---------------------------------------------------------------- boards

def run_boards(boards, models, log, timeout):
    from qemu import Qemu

    results = {}
    with tempfile.TemporaryDirectory(prefix="tflm-bench-") as tmp:
        for board in boards:
            elf = os.path.join(board_dir(board), "firmware.elf")
            if not os.path.exists(elf):
                log("%s: no firmware (%s), skipped" % (board, os.path.relpath(elf, ROOT)))
                continue
            results[board] = {}
            t = time.monotonic()
            log("%s: booting" % board)
            with Qemu(board, elf) as vm:
                for name, path in models.items():
                    script = os.path.join(tmp, "bench_%s.py" % name)
                    with open(script, "w") as f:
                        f.write(BOARD_SCRIPT.replace("@PATH@", repr(path)))
                    t1 = time.monotonic()
                    rc, out = vm.run_script(script, timeout=timeout)
                    res = parse_tagged("BENCH", out)
                    if rc != 0 or res is None:
                        log("  %s: FAILED (rc=%s)\n%s" % (name, rc, out[-2000:]))
                        results[board][name] = {"error": out[-2000:]}
                        continue
                    results[board][name] = summarize_board(res)
                    r = results[board][name]
                    log("  %-24s %12s instr/invoke  %s  (%.1f s)" % (
                        name, "{:,}".format(r["instructions"]),
                        "deterministic" if r["deterministic"] else "NOT DETERMINISTIC",
                        time.monotonic() - t1))
            log("%s: %.0f s" % (board, time.monotonic() - t))
    return results


def summarize_board(res):
    pairs = res["pairs"]
    counts = [c1 - c0 for c1, c0, _, _ in pairs]
    # ticks_cpu wraps at 2**30 and ticks_diff is valid up to 2**29; the
    # virtual clock (1 instruction = 1 ns) tells a wrapped count apart.
    wrapped = any(abs((u1 - u0) * 1000 - (c1 - c0)) > 0.01 * (c1 - c0) + 5000
                  for c1, c0, u1, u0 in pairs)
    prof = [(int(i), str(n), int(c)) for i, n, c in res["profile"]]
    prof_sum = sum(c for _, _, c in prof)
    p1, p0 = res["profiled"]
    per_type = collections.OrderedDict()
    for _, n, c in prof:
        k, s = per_type.get(n, (0, 0))
        per_type[n] = (k + 1, s + c)
    return {
        "instructions": counts[0],
        "runs": counts,
        "deterministic": len(set(counts)) == 1 and len(set(p[1] for p in pairs)) == 1,
        "wrapped": wrapped,
        "count_0": pairs[0][1],
        "arena_used": res["arena_used"],
        "heap": res["heap"],
        "other_ram": res["heap"] - res["arena_used"],
        "model_bytes": res["model_bytes"],
        "construct": min(res.get("construct") or [0]),
        "outputs": [_hex(h) for h in res["outputs"]],
        "profile": prof,
        "profile_sum": prof_sum,
        "profiled_invoke": p1 - p0,
        "invoke_overhead": (p1 - p0) - prof_sum,
        "per_type": per_type,
    }


# ---------------------------------------------------------------- host

def run_host(models, log, runs=HOST_RUNS):
    import numpy as np
    from tflite_micro.python.tflite_micro import runtime
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    fw = os.path.join(unix_dir(), "micropython")
    results = {}
    with tempfile.TemporaryDirectory(prefix="tflm-bench-") as tmp:
        for name, path in models.items():
            with open(path, "rb") as f:
                data = f.read()
            r = {}
            # Wheel.
            it = runtime.Interpreter.from_bytes(data, arena_size=64 << 20)
            sg = schema.Model.GetRootAs(data, 0).Subgraphs(0)
            arrs = []
            for k in range(sg.InputsLength()):
                d = it.get_input_details(k)
                dt = np.dtype(d["dtype"])
                n = int(np.prod(d["shape"])) * dt.itemsize
                arrs.append(np.frombuffer(pattern(n), dtype=dt).reshape(tuple(d["shape"])))

            def fill():
                for i, a in enumerate(arrs):
                    it.set_input(a, i)

            fill()
            it.invoke()
            outs = [np.ascontiguousarray(it.get_output(k)).tobytes().hex()
                    for k in range(sg.OutputsLength())]
            ts = []
            for _ in range(runs):
                fill()
                t0 = time.perf_counter()
                it.invoke()
                ts.append(time.perf_counter() - t0)
            r["wheel_outputs"] = outs
            r["wheel_us"] = statistics.median(ts) * 1e6
            del it
            # Ours, unix build.
            if os.path.exists(fw):
                script = os.path.join(tmp, "host_%s.py" % name)
                with open(script, "w") as f:
                    f.write(HOST_SCRIPT.replace("@PATH@", repr(path)).replace("@RUNS@", str(runs)))
                p = subprocess.run([fw, script], capture_output=True, text=True, timeout=600)
                res = parse_tagged("HOST", p.stdout)
                if res is None:
                    log("  host %s: unix run failed: %s" % (name, (p.stdout + p.stderr)[-1000:]))
                else:
                    r["ours_us"] = statistics.median(res["us"])
                    r["ours_outputs"] = [_hex(h) for h in res["outputs"]]
                    # ticks_us has 1 us resolution: no ratio for tiny models.
                    r["ratio"] = r["ours_us"] / r["wheel_us"] if r["ours_us"] >= 20 else None
            results[name] = r
            log("  host %-24s ours %9s us  wheel %9.0f us" % (
                name, "%.0f" % r["ours_us"] if "ours_us" in r else "-", r["wheel_us"]))
    return results


# ---------------------------------------------------------------- report

def fmt(n):
    return "-" if n is None else "{:,}".format(int(round(n)))


def verdict(ok):
    return "met" if ok else "NOT met"


def ratio_cell(value, ref, target):
    if value is None or ref is None:
        return "-"
    r = value / ref
    return "%.2f %s" % (r, "met" if r <= target else "NOT met")


def get(boards_res, board, model, key="instructions"):
    r = boards_res.get(board, {}).get(model)
    if not r or "error" in r:
        return None
    return r.get(key)


def render_table(models, boards_res, host_res, size):
    """Main table (Markdown), then the one-line targets.  Returns (text, checks)."""
    checks = []
    ram_board = next((b for b in [SIZE_BOARD] + list(BOARDS.values())
                      if any(get(boards_res, b, m, "arena_used") is not None for m in models)), None)
    head = ["model", "M3", "M4", "M7", "M55", "M4 / CMSIS-NN M4 (<= 0.8)",
            "M55 / CMSIS-NN M55 (<= 1.0)", "M3 / TFLM ref M4 (<= 0.5)",
            "arena", "other", "RAM / TFLM arena (<= 1.0)", "= TFLM"]
    rows = []
    for m in models:
        c = {s: get(boards_res, b, m) for s, b in BOARDS.items()}
        arena = get(boards_res, ram_board, m, "arena_used") if ram_board else None
        other = get(boards_res, ram_board, m, "other_ram") if ram_board else None
        ram = None if arena is None else arena + other
        same = []
        for b, rb in boards_res.items():
            r = rb.get(m)
            hr = host_res.get(m, {}) if host_res else {}
            if r and "error" not in r and hr.get("wheel_outputs") is not None:
                same.append(r["outputs"] == hr["wheel_outputs"])
        if host_res and m in host_res and "ours_outputs" in host_res[m]:
            same.append(host_res[m]["ours_outputs"] == host_res[m]["wheel_outputs"])
        row = [m, fmt(c["m3"]), fmt(c["m4"]), fmt(c["m7"]), fmt(c["m55"]),
               ratio_cell(c["m4"], REF_CMSIS_M4.get(m), TARGET_M4),
               ratio_cell(c["m55"], REF_CMSIS_M55.get(m), TARGET_M55),
               ratio_cell(c["m3"], REF_TFLM_REF_M4.get(m), TARGET_M3),
               fmt(arena), fmt(other),
               ratio_cell(ram, REF_TFLM_ARENA32.get(m), 1.0),
               "-" if not same else ("yes" if all(same) else "NO")]
        rows.append(row)
        for label, v, ref, tgt in (("M4 instructions vs TFLM+CMSIS-NN M4", c["m4"], REF_CMSIS_M4.get(m), TARGET_M4),
                                   ("M55 instructions vs TFLM+CMSIS-NN M55", c["m55"], REF_CMSIS_M55.get(m), TARGET_M55),
                                   ("M3 instructions vs TFLM reference kernels M4", c["m3"], REF_TFLM_REF_M4.get(m), TARGET_M3),
                                   ("arena + other RAM vs TFLM arena (32-bit)", ram, REF_TFLM_ARENA32.get(m), 1.0)):
            if v is not None and ref is not None:
                checks.append({"model": m, "what": label, "value": v, "reference": ref,
                               "ratio": v / ref, "target": tgt, "met": v / ref <= tgt})
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join([":---"] + ["---:"] * (len(head) - 1)) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines.append("")
    if ram_board:
        lines.append("RAM (arena, other) measured on %s." % ram_board)
    # Single-figure targets.
    lines.append("")
    lines.append("| target | ours | limit | reference | |")
    lines.append("|:---|---:|---:|---:|:---|")
    if size:
        ct = size["core"]["text"]
        checks.append({"what": "runtime core .text on M4", "value": ct, "target": TARGET_CORE_TEXT,
                       "met": ct <= TARGET_CORE_TEXT})
        lines.append("| flash: runtime core (verify, plan, interpret) .text (M4) | %s B | %s B (8 KiB) | "
                     "TFLM core ~12 KiB | %s |" % (fmt(ct), fmt(TARGET_CORE_TEXT), verdict(ct <= TARGET_CORE_TEXT)))
        k = size.get("kws_only_build")
        if k:
            kt = k["without_binding"]["text"]
            checks.append({"what": "core + kws kernels .text on M4 (kws-only int8 build)", "value": kt,
                           "target": TARGET_KWS_FLASH, "reference": REF_KWS_FLASH_CMSIS,
                           "met": kt <= TARGET_KWS_FLASH})
            lines.append("| flash: core + all kernels kws needs, optimized included, .text (M4, kws-only int8 "
                         "build) | %s B (+ %s B .rodata) | %s B (38 KiB) | TFLM+CMSIS-NN %s B (76.7 KiB) | %s |" % (
                             fmt(kt), fmt(k["without_binding"]["rodata"]), fmt(TARGET_KWS_FLASH),
                             fmt(REF_KWS_FLASH_CMSIS), verdict(kt <= TARGET_KWS_FLASH)))
        ks = size["kws_subset"]
        lines.append("| (info) same objects in the full build (all types): .text; .text+.rodata | %s B; %s B "
                     "| | | |" % (fmt(ks["text"]), fmt(ks["total"])))
    r = boards_res.get(SIZE_BOARD, {}).get("person_detect")
    if r and "error" not in r:
        frac = r["invoke_overhead"] / r["instructions"]
        checks.append({"what": "invoke() overhead, person_detect M4", "value": r["invoke_overhead"],
                       "ratio": frac, "target": TARGET_OVERHEAD, "met": frac <= TARGET_OVERHEAD})
        lines.append("| invoke() overhead outside the ops, person_detect M4 | %s instr (%.4f %%) | 2 %% | | %s |" % (
            fmt(r["invoke_overhead"]), 100 * frac, verdict(frac <= TARGET_OVERHEAD)))
    cons = [(m, get(boards_res, SIZE_BOARD, m, "construct")) for m in models]
    cons = [(m, c) for m, c in cons if c]
    if cons:
        lines.append("")
        lines.append("Instructions `tflm.Interpreter(model)` takes on %s (arena_size=0, exact arena found by "
                     "the constructor; the lower of two runs after gc.collect()):" % SIZE_BOARD)
        lines.append("")
        lines.append("| model | Interpreter() |")
        lines.append("|:---|---:|")
        lines += ["| %s | %s |" % (m, fmt(c)) for m, c in cons]
    return "\n".join(lines), checks


def render_per_op(boards_res, top=8):
    out = []
    for board, rb in boards_res.items():
        for m, r in rb.items():
            if "error" in r:
                continue
            total = r["profile_sum"]
            out.append("")
            out.append("%s on %s: %s instructions in ops (sum of profile), %s for the "
                       "profiled invoke, %s outside the ops" % (
                           m, board, fmt(total), fmt(r["profiled_invoke"]), fmt(r["invoke_overhead"])))
            out.append("  %-22s %5s %14s %7s" % ("op type", "ops", "instructions", "share"))
            for n, (k, s) in sorted(r["per_type"].items(), key=lambda kv: -kv[1][1]):
                out.append("  %-22s %5d %14s %6.1f%%" % (n, k, fmt(s), 100.0 * s / total if total else 0))
            out.append("  top ops:")
            for i, n, c in sorted(r["profile"], key=lambda p: -p[2])[:top]:
                out.append("    #%-4d %-22s %14s %6.1f%%" % (i, n, fmt(c), 100.0 * c / total if total else 0))
    return "\n".join(out)


def render_size(size):
    if not size:
        return ""
    out = ["", "Code size on %s (%s), bytes kept in the image:" % (SIZE_BOARD, size["map"]),
           "  %-26s %8s %8s %8s" % ("", ".text", ".rodata", "total")]

    def row(label, d):
        out.append("  %-26s %8s %8s %8s" % (label, fmt(d["text"]), fmt(d["rodata"]), fmt(d["total"])))

    row("runtime core", size["core"])
    for n, d in size["core_objects"].items():
        row("  core/" + n + ".o", d)
    for n, d in size["kernels"].items():
        row("kernels/" + n + ".o", d)
    row("all kernels", size["kernels_total"])
    row("binding modtflm.o", size["binding"])
    row("everything under modtflm/", size["all"])
    row("core + kws kernels", size["kws_subset"])
    out.append("  (kws subset: core + %s)" % ", ".join(k + ".o" for k in KWS_KERNELS))
    lh = size["library_helpers"]
    row("libgcc members for modtflm", lh)
    out.append("  (pulled in by modtflm objects, maybe shared with the rest: %s)" % ", ".join(lh["members"]))
    k = size.get("kws_only_build")
    if k:
        out.append("")
        out.append("  Build with only kws_ref_model's op families (%s):" % k["map"])
        row("runtime core", k["core"])
        for n, d in k["kernels"].items():
            row("kernels/" + n + ".o", d)
        row("core + kernels", k["without_binding"])
        row("binding modtflm.o", k["binding"])
        row("libgcc members for modtflm", k["library_helpers"])
    return "\n".join(out)


def render_host(host_res):
    if not host_res:
        return ""
    out = ["", "Host (x86-64), median of %d invokes, single run (noisy):" % HOST_RUNS,
           "  %-24s %12s %12s %7s %8s" % ("model", "ours (us)", "wheel (us)", "ratio", "= wheel")]
    for m, r in host_res.items():
        ours = r.get("ours_us")
        out.append("  %-24s %12s %12s %7s %8s" % (
            m, fmt(ours), fmt(r["wheel_us"]), "%.2f" % r["ratio"] if r.get("ratio") else "-",
            "-" if "ours_outputs" not in r else ("yes" if r["ours_outputs"] == r["wheel_outputs"] else "NO")))
    return "\n".join(out)


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
    ap.add_argument("--boards", help="comma-separated: m3,m4,m7,m55 or board names (default: all)")
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
        p = os.path.join(SHARED, MODELS[n])
        if os.path.exists(p):
            models[n] = p
        else:
            print("bench: %s not found, skipped" % MODELS[n], file=sys.stderr)

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
            "map": k["map"], "cflags": KWS_ONLY_CFLAGS, "core": k["core"], "binding": k["binding"],
            "kernels": {n: d for n, d in k["kernels"].items() if d["total"]},
            "modtflm": k["all"],
            "without_binding": {x: k["all"][x] - k["binding"][x] for x in ("text", "rodata", "total")},
            "library_helpers": k["library_helpers"],
        }

    boards_res = run_boards(boards, models, log, args.timeout)
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
    print(render_size(size))
    print(render_host(host_res))
    if args.per_op:
        print(render_per_op(boards_res))
    print()
    print("bench took %.0f s" % (time.monotonic() - t_start))

    if args.json:
        doc = {
            "date": datetime.date.today().isoformat(), "commit": commit, "dirty": dirty,
            "boards": boards_res, "code_size": size, "host": host_res, "checks": checks,
        }
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
