#!/usr/bin/env python3
"""Check a .tflite model before deploying it: every op with its types and
whether tflm runs it, the exact arena it needs, the flash of the op families
it needs, and (--measure) the instructions per invoke on the emulated board.

    python tools/tflm_check.py model.tflite [more.tflite ...]
        [--board unix|m3|m4|m7|m55|rv32|m0|esp32s3|<ports/boards.txt board> ...]
        [--measure] [--ops-from a.tflite ...]

Every answer comes from the runtime core itself: modtflm/host/tflm_check.c,
built for the host with the board's word size and kernel variant (make -C
modtflm/host, on demand), loads the model as the firmware does and reports
each op. The family of each op (what OPS_FROM keeps) is read from
modtflm/core/support/registry.c, the flash from the board's linker map
(bench/codesize.py), the instructions from bench/ (bench/runs.py).

Exit status: 0 when every model can run, 1 when one cannot (unsupported op
or type, malformed file: the verifier's message), 2 on a usage error.

    python tools/tflm_check.py --ops-cflags a.tflite b.tflite

prints the -D flags of a build with only the op families (and activation
types) those models need: what `make firmware ... OPS_FROM="..."` and `make
natmod ... OPS_FROM="..."` compile with.
"""
import argparse
import collections
import functools
import hashlib
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tables  # noqa: E402

ROOT = tables.ROOT
CORE = os.path.join(ROOT, "modtflm", "core")
HOST_OUT = os.path.join(ROOT, "build", "host")

# Boards beyond ports/targets.txt's: name -> (board in ports/boards.txt).
EXTRA_BOARDS = {"esp32s3": "ESP32_GENERIC_S3"}

Board = collections.namedtuple("Board", "name bits kernels firmware_dirs qemu_board ram")


def boards():
    """{name: Board}: the test targets by short name ("unix" for the host
    port), esp32s3, and the real boards of ports/boards.txt by board name."""
    out = collections.OrderedDict()
    for t in tables.targets().values():
        if t.board is None:
            out["unix"] = Board("unix", 64, t.kernels, [os.path.join(ROOT, "build", "unix")], None, None)
        else:
            dirs = [os.path.join(ROOT, "build", p + "-" + t.board) for p in ("qemu", "bench")]
            out[t.short] = Board(t.short, 32, t.kernels, dirs, t.board, t.ram)
    real = {b.board: b for b in tables.boards()}
    for name, board in EXTRA_BOARDS.items():
        b = real[board]
        out[name] = Board(name, 32, b.kernels, [os.path.join(ROOT, "build", b.port + "-" + b.board)], None, None)
    for b in real.values():
        out.setdefault(b.board, Board(b.board, 32, b.kernels,
                                      [os.path.join(ROOT, "build", b.port + "-" + b.board)], None, None))
    return out


# ------------------------------------------------------------ op families

def _read(path):
    with open(path) as f:
        return f.read()


@functools.lru_cache(maxsize=None)
def op_families():
    """({builtin op name: family}, {custom op name: family}) from
    support/registry.c's FAMILY_<F>(K) lists (the first, fullest list of
    each family) and the custom kernels' names in kernels/."""
    text = _read(os.path.join(CORE, "support", "registry.c")).replace("\\\n", " ")
    builtin, by_kernel = {}, {}
    for fam, body in re.findall(r"#define FAMILY_(\w+)\(K\)([^\n]*)", text):
        for kernel, op in re.findall(r"K\((\w+),\s*(\w+)\)", body):
            by_kernel.setdefault(kernel, fam)
            if op != "CUSTOM":
                builtin.setdefault(op, fam)
    custom = {}
    kdir = os.path.join(CORE, "kernels")
    for name in sorted(os.listdir(kdir)):
        if name.endswith(".c"):
            for kernel, cname in re.findall(r"TFLM_CUSTOM_KERNEL\(\s*(\w+),\s*\"([^\"]+)\"", _read(os.path.join(kdir, name))):
                if kernel in by_kernel:
                    custom[cname] = by_kernel[kernel]
    return builtin, custom


@functools.lru_cache(maxsize=None)
def op_flags():
    """Every MICROPY_TFLM_OP_* flag (families and the sub-family flags whose
    default is their family's, e.g. TRANSPOSE_CONV), from tflm_config.h."""
    return re.findall(r"#define MICROPY_TFLM_OP_(\w+) \((?:1|MICROPY_TFLM_OP_\w+)\)",
                      _read(os.path.join(CORE, "tflm_config.h")))


# ------------------------------------------------------------ the core's answer

@functools.lru_cache(maxsize=None)
def checker(bits, kernels, cflags=""):
    """Path of the host check program for a word size and kernel variant
    (and build flags: an OPS_FROM build's), built when missing or stale
    (None, reason when it cannot be)."""
    out = HOST_OUT if not cflags else os.path.join(HOST_OUT, "ops-" + hashlib.md5(cflags.encode()).hexdigest()[:8])
    exe = os.path.join(out, "tflm_check_%d_%s" % (bits, kernels))
    r = subprocess.run(["make", "-s", "-C", os.path.join(ROOT, "modtflm", "host"), exe, "OUT=" + out,
                        "CFLAGS_EXTRA=" + cflags], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        why = r.stdout.strip().splitlines()[-1:] or ["make failed"]
        if bits == 32:
            why = ["the 32-bit host build failed (gcc -m32 needs Debian's gcc-multilib): " + why[0]]
        return None, why[0]
    return exe, None


def ops_from_board(board, models):
    """The board as built with OPS_FROM=models: the firmware folder the
    Makefile gives such a build (make print-build-dir), none for the real
    boards (OPS_FROM builds unix, qemu and the natmod)."""
    if board.name == "unix" or board.qemu_board:
        target = ["TARGET=unix"] if board.name == "unix" else ["TARGET=qemu", "BOARD=" + board.qemu_board]
        r = subprocess.run(["make", "-s", "--no-print-directory", "print-build-dir", *target,
                            "OPS_FROM=" + " ".join(models)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        return board._replace(firmware_dirs=[r.stdout.strip()] if r.returncode == 0 else [])
    return board._replace(firmware_dirs=[])


Op = collections.namedtuple("Op", "subgraph index name version inputs outputs status reason message")

STATUS_NAMES = {1: "malformed", 2: "unsupported", 3: "arena", 4: "index", 5: "value", 6: "state"}
# The Python exception the module raises for each (README "Errors").
EXCEPTIONS = {"malformed": "ValueError", "unsupported": "NotImplementedError", "arena": "MemoryError",
              "index": "IndexError", "value": "ValueError", "state": "RuntimeError"}


def classify(name, msg, builtin_fam, custom_fam):
    """Why an op without a kernel has none, in the user's words."""
    if "version" in msg:
        return "op version not supported"
    if name in custom_fam:
        return "op not compiled in (MICROPY_TFLM_OP_%s=0)" % custom_fam[name]
    if name in builtin_fam:
        return "op not compiled in (MICROPY_TFLM_OP_%s=0)" % builtin_fam[name]
    if "custom op" in msg:
        return "custom op unknown"
    return "op not implemented in tflm"


def run_check(exe, model):
    """The check program's report: {'ops': [Op], 'arena': n or None,
    'error': (status name, message) or None}."""
    r = subprocess.run([exe, model], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       errors="replace")
    if r.returncode not in (0, 2):
        raise SystemExit("%s: %s" % (model, (r.stderr or r.stdout).strip() or "check failed (%d)" % r.returncode))
    builtin_fam, custom_fam = op_families()
    res = {"ops": [], "arena": None, "persistent": None, "error": None, "subgraphs": 1}
    for line in r.stdout.splitlines():
        f = line.split(" ")
        if f[0] == "model":
            res["subgraphs"] = int(f[1])
        elif f[0] == "op":
            sg, idx, name, ver, ins, outs, st = f[1:8]
            rest = " ".join(f[8:])
            if st == "ok":
                status, reason, msg = "ok", "", ""
            elif st == "missing":
                status, msg = "unsupported", rest
                reason = classify(name, msg, builtin_fam, custom_fam)
            else:
                code, msg = rest.split(" ", 1)
                status = STATUS_NAMES.get(int(code), code)
                reason = "type not supported" if status == "unsupported" else "invalid (%s)" % EXCEPTIONS[status]
            res["ops"].append(Op(int(sg), int(idx), name, int(ver), ins.split(",") if ins != "-" else [],
                                 outs.split(",") if outs != "-" else [], status, reason, msg))
        elif f[0] == "arena":
            res["arena"], res["persistent"] = int(f[1]), int(f[3])
        elif f[0] == "error":
            res["error"] = (EXCEPTIONS.get(STATUS_NAMES.get(int(f[1])), f[1]), " ".join(f[2:]))
    return res


def families_of(ops):
    """The op families (registry.c) and sub-family flags the ops need."""
    builtin_fam, custom_fam = op_families()
    flags = set(op_flags())
    need = set()
    for op in ops:
        fam = custom_fam.get(op.name) or builtin_fam.get(op.name)
        if fam:
            need.add(fam)
        if op.name in flags:
            need.add(op.name)  # a sub-family flag (TRANSPOSE_CONV, LOG_SOFTMAX)
    return need


# ------------------------------------------------------------ flash

@functools.lru_cache(maxsize=None)
def kernel_objects():
    """{kernel object (relative to modtflm/): [families]}: each kernel
    file's families, from its first #if on MICROPY_TFLM_OP_* flags."""
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    import codesize
    out = {}
    for group, obj in codesize.sources():
        if not obj.startswith(codesize.KERNELS_DIR):
            continue
        src = os.path.join(ROOT, "modtflm", obj[:-2] + ".c")
        m = re.search(r"^#if\b(.*MICROPY_TFLM_OP_.*)$", _read(src), re.M)
        out[obj] = re.findall(r"MICROPY_TFLM_OP_(\w+)", m.group(1)) if m else []
    return out


def flash(board, families):
    """(map path, {family: bytes}, bytes of the families, bytes of the
    module) from the board's linker map, or (None, reason)."""
    maps = [os.path.join(d, n) for d in board.firmware_dirs for n in ("firmware.map", "micropython.map")]
    path = next((p for p in maps if os.path.exists(p)), None)
    if not board.firmware_dirs:
        return None, "no OPS_FROM build of %s (OPS_FROM builds unix, the emulated boards and the natmod)" % board.name
    if path is None:
        return None, "no firmware built for %s (no linker map in %s)" % (
            board.name, " or ".join(os.path.relpath(d, ROOT) for d in board.firmware_dirs))
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    import codesize
    sizes = codesize.map_sizes(path)
    objs = {k: v["text"] + v["rodata"] for k, v in sizes.items() if not k.startswith("lib:")}
    per_family = collections.OrderedDict((f, 0) for f in sorted(families))
    needed = 0
    for obj, fams in kernel_objects().items():
        n = objs.get(obj, 0)
        hit = [f for f in fams if f in families]
        for f in hit:
            per_family[f] += n
        needed += n if hit else 0
    kernels = sum(n for o, n in objs.items() if o.startswith("core/kernels/"))
    return path, {"families": per_family, "needed_kernels": needed, "all_kernels": kernels,
                  "module": sum(objs.values())}


# ------------------------------------------------------------ measure

def measure(board, models, log):
    """{model path: bench result} on the emulated board (bench/runs.py), or
    a reason it cannot be measured."""
    if board.qemu_board is None:
        return "no emulated %s here: instructions cannot be measured" % board.name
    elf = next((os.path.join(d, "firmware.elf") for d in board.firmware_dirs
                if os.path.exists(os.path.join(d, "firmware.elf"))), None)
    if elf is None:
        return "no firmware for %s: make firmware TARGET=qemu BOARD=%s" % (board.name, board.qemu_board)
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    import runs
    # bench/ looks for the board's firmware in its own build folder.
    runs.board_dir = lambda _: os.path.dirname(elf)
    names = collections.OrderedDict((os.path.basename(m), m) for m in models)
    results, skipped = runs.run_boards([board.qemu_board], names, log, timeout=600)
    out = {}
    for name, path in names.items():
        r = results.get(board.qemu_board, {}).get(name)
        why = skipped.get(board.qemu_board, {}).get(name)
        out[path] = r if r else (why or "not measured")
    return out


# ------------------------------------------------------------ report

def fmt_op(op):
    types = "%s -> %s" % (",".join(op.inputs) or "-", ",".join(op.outputs) or "-")
    where = "%d" % op.index if op.subgraph == 0 else "%d.%d" % (op.subgraph, op.index)
    line = "  %4s %-28s v%d  %-40s " % (where, op.name, op.version, types)
    if op.status == "ok":
        return line + "ok"
    return line + "NO: %s: %s" % (op.reason, op.message)


def check_model(model, board_list, do_measure, log, cflags=""):
    """Prints the report of one model; True when it can run on every board."""
    print("%s (%d bytes)" % (model, os.path.getsize(model)))
    ok = True
    by_board = {}
    for b in board_list:
        exe, why = checker(b.bits, b.kernels if b.kernels != "mve" else "c", cflags)
        if exe is None:
            print("  %s: cannot check: %s" % (b.name, why))
            ok = False
            continue
        by_board[b.name] = (b, run_check(exe, model))
    if not by_board:
        return False
    first = next(iter(by_board.values()))[1]
    if first["ops"]:
        print("  %d op(s)%s:" % (len(first["ops"]), ", %d subgraphs" % first["subgraphs"]
                                  if first["subgraphs"] > 1 else ""))
    for op in first["ops"]:
        print(fmt_op(op))
    if first["error"]:
        bad = [op for op in first["ops"] if op.status != "ok"]
        print("  cannot run%s; tflm.Interpreter raises %s: %s" % (
            ": %d op(s) not supported" % len(bad) if bad else "", *first["error"]))
        return False
    families = families_of(first["ops"])
    print("  op families: %s" % " ".join(sorted(families)))
    measured = {}
    for name, (b, res) in by_board.items():
        print("  %s (%d-bit, %s kernels):" % (b.name, b.bits, b.kernels))
        if b.kernels == "mve":
            print("    arena: not computed on the host (the Helium kernels' scratch sizes):"
                  " --measure reports the board's")
        elif res["arena"] is not None:
            print("    arena: %d bytes (tables and op data %d)" % (res["arena"], res["persistent"]))
        else:
            print("    arena: unknown (the model cannot run)")
        path, fl = flash(b, families)
        if path is None:
            print("    flash: %s" % fl)
        else:
            print("    flash: %d bytes of kernels for its op families (%s), of %d for all; module %d"
                  " (%s)" % (fl["needed_kernels"], ", ".join("%s %d" % kv for kv in fl["families"].items()),
                             fl["all_kernels"], fl["module"], os.path.relpath(path, ROOT)))
        if do_measure and ok:
            r = measure(b, [model], log)
            r = r.get(model, "not measured") if isinstance(r, dict) else r
            if isinstance(r, dict) and "instructions" in r:
                print("    instructions per invoke: %s (arena_used on the board: %d)" % (
                    "{:,}".format(r["instructions"]), r["arena_used"]))
                measured[name] = r
            elif isinstance(r, dict):
                # The board's script failed: its exception, e.g. an invoke
                # refusing the bench's pattern inputs (runtime data checks).
                last = [line for line in r.get("error", "").splitlines() if line.strip()][-1:] or ["failed"]
                print("    instructions: not measured (bench/ inputs on the board: %s)" % last[0])
            else:
                print("    instructions: %s" % r)
    return ok


def ops_cflags(models):
    """The -D flags of a build with only what `models` need; SystemExit when
    one of them cannot run on the full build."""
    exe, why = checker(64, "c")
    if exe is None:
        raise SystemExit("OPS_FROM: " + why)
    ops = []
    for m in models:
        if not os.path.isfile(m):
            raise SystemExit("OPS_FROM: no such model file: %s" % m)
        res = run_check(exe, m)
        bad = [op for op in res["ops"] if op.status != "ok"]
        if res["error"] or bad:
            msg = res["error"][1] if res["error"] else "%s: %s" % (bad[0].reason, bad[0].message)
            raise SystemExit("OPS_FROM: %s cannot run: %s" % (m, msg))
        ops += res["ops"]
    need = families_of(ops)
    flags = ["-DMICROPY_TFLM_OP_%s=0" % f for f in op_flags() if f not in need]
    types = set(t for op in ops for t in op.inputs + op.outputs)
    flags += ["-DMICROPY_TFLM_TYPE_%s=0" % t.upper() for t in ("float32", "int16") if t not in types]
    return flags


def main(argv=None):
    all_boards = boards()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="+", help=".tflite files")
    ap.add_argument("--board", action="append", default=[], metavar="NAME",
                    help="board to report for (repeatable; default unix, the host port): %s"
                    % " ".join(all_boards))
    ap.add_argument("--measure", action="store_true",
                    help="also run the model on the emulated board: instructions per invoke")
    ap.add_argument("--ops-from", nargs="+", metavar="MODEL",
                    help="check against the build made with OPS_FROM=\"MODEL ...\" (its op families and types)")
    ap.add_argument("--ops-cflags", action="store_true",
                    help="print the -D flags of a build with only the models' op families (OPS_FROM)")
    args = ap.parse_args(argv)
    if args.ops_cflags:
        print(" ".join(ops_cflags(args.models)))
        return 0
    unknown = [b for b in args.board if b not in all_boards]
    if unknown:
        ap.error("unknown board %s (known: %s)" % (", ".join(unknown), " ".join(all_boards)))
    board_list = [all_boards[b] for b in (args.board or ["unix"])]
    cflags = ""
    if args.ops_from:
        cflags = " ".join(ops_cflags(args.ops_from))
        board_list = [ops_from_board(b, args.ops_from) for b in board_list]
        print("the build with OPS_FROM=\"%s\": %s" % (" ".join(args.ops_from), cflags))
    ok = True
    for m in args.models:
        if not os.path.isfile(m):
            print("%s: no such file" % m)
            ok = False
            continue
        ok = check_model(m, board_list, args.measure, lambda msg: sys.stderr.write(msg + "\n"), cflags) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
