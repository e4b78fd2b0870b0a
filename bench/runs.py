"""Runs: instructions, RAM and per-op profile on the emulated boards (QEMU),
and the host comparison with the tflite_micro wheel."""
import collections
import os
import statistics
import subprocess
import tempfile
import time

from common import BOARD_RAM, HOST_RUNS, ROOT, _hex, board_dir, parse_tagged, pattern, unix_dir
from tables import model_budget

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
print('HOST', repr({'outputs': outs, 'us': ts, 'arena': it.arena_used}))
"""



def run_boards(boards, models, log, timeout):
    """({board: {model: result}}, {board: {model: why it was not run}})."""
    from qemu import Qemu

    results = {}
    skipped = {}
    with tempfile.TemporaryDirectory(prefix="tflm-bench-") as tmp:
        for board in boards:
            elf = os.path.join(board_dir(board), "firmware.elf")
            if not os.path.exists(elf):
                log("%s: no firmware (%s), skipped" % (board, os.path.relpath(elf, ROOT)))
                continue
            results[board] = {}
            ram = BOARD_RAM.get(board)
            budget = model_budget(ram)
            t = time.monotonic()
            log("%s: booting" % board)
            with Qemu(board, elf) as vm:
                for name, path in models.items():
                    size = os.path.getsize(path)
                    if budget is not None and size > budget:
                        why = "model of %d bytes, the board loads up to %d (%d KiB of RAM)" % (size, budget,
                                                                                               ram // 1024)
                        skipped.setdefault(board, {})[name] = why
                        log("  %-24s not run: %s" % (name, why))
                        continue
                    script = os.path.join(tmp, "bench_%s.py" % name)
                    with open(script, "w") as f:
                        f.write(BOARD_SCRIPT.replace("@PATH@", repr(path)))
                    t1 = time.monotonic()
                    # Compiled on the host where the board has too little RAM.
                    rc, out = vm.run_script(script, timeout=timeout, compiled=ram is not None)
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
    return results, skipped


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
                    r["ours_arena"] = res.get("arena")
                    # ticks_us has 1 us resolution: no ratio for tiny models.
                    r["ratio"] = r["ours_us"] / r["wheel_us"] if r["ours_us"] >= 20 else None
            results[name] = r
            log("  host %-24s ours %9s us  wheel %9.0f us" % (
                name, "%.0f" % r["ours_us"] if "ours_us" in r else "-", r["wheel_us"]))
    return results
