"""The native module against the built-in one: instructions per invoke on an
emulated board, and the size of every built tflm.mpy.

    deps/venv/bin/python bench/natmod_bench.py [--board MPS2_AN386] [--model tflm/person_detect.tflite]

Boots the board's firmware with the built-in module (build/qemu-<board>,
`make firmware TARGET=qemu BOARD=<board>`) and the stock one
(build/stock-qemu-<board>, `make stock-qemu BOARD=<board>`) with
build/natmod/<arch>/tflm.mpy on its disk, and counts the instructions of
one invoke as bench.py does (time.ticks_cpu counts instructions under
QEMU -icount: the same code around 1 and 0 invokes, the difference). The
model is a shared one (../shared/models) or one of models/.
"""
import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from qemu import Qemu, hostfs_put_code, run_mpremote  # noqa: E402
from tables import SHARED_MODELS, natmod_arch, qemu_targets  # noqa: E402

SCRIPT = r"""
import tflm, time
tc = time.ticks_cpu
diff = time.ticks_diff
it = tflm.Interpreter('model.tflite')
for k in range(len(it.inputs)):
    n = it.get_input_details(k)['nbytes']
    it.set_input(bytes((i * 37 + 11) % 256 for i in range(n)), k)
it.invoke()

def region(n):
    inv = it.invoke
    r = range(n)
    t0 = tc()
    for _ in r:
        inv()
    t1 = tc()
    return diff(t1, t0)

c = [region(1) - region(0) for _ in range(3)]
print('COUNTS', *c)
print('OUT', bytes(it.get_output(0)).hex())
print('FROM', getattr(tflm, '__file__', 'built-in'))
"""


def measure(board, firmware, files):
    with Qemu(board, firmware) as vm:
        rc, out = run_mpremote(vm.pty, "exec", hostfs_put_code(files), timeout=300)
        if rc != 0 or "Traceback" in out:
            raise RuntimeError(out)
        rc, out = run_mpremote(vm.pty, "exec", SCRIPT, timeout=900)
    if rc != 0 or "COUNTS" not in out:
        raise RuntimeError(out)
    counts = [int(x) for x in out.split("COUNTS")[1].split("\n")[0].split()]
    return counts, out.split("OUT ")[1].split()[0], out.split("FROM ")[1].split()[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--board", default="MPS2_AN386")
    ap.add_argument("--model", default="tflm/person_detect.tflite")
    args = ap.parse_args()
    target = next(t for t in qemu_targets().values() if t.board == args.board)
    arch = natmod_arch(target)

    for a in sorted(os.listdir(os.path.join(ROOT, "build", "natmod"))):
        p = os.path.join(ROOT, "build", "natmod", a, "tflm.mpy")
        if os.path.exists(p):
            print(f"size {a:10} {os.path.getsize(p):7d} bytes")

    model = os.path.join(SHARED_MODELS, args.model)
    if not os.path.exists(model):
        model = os.path.join(ROOT, "models", args.model)
    mpy = os.path.join(ROOT, "build", "natmod", arch, "tflm.mpy")
    runs = {
        "built-in": (os.path.join(ROOT, "build", f"qemu-{args.board}", "firmware.elf"), {}),
        f"tflm.mpy ({arch})": (os.path.join(ROOT, "build", f"stock-qemu-{args.board}", "firmware.elf"),
                               {"tflm.mpy": (mpy, os.path.getsize(mpy))}),
    }
    results = {}
    for name, (fw, extra) in runs.items():
        files = {"model.tflite": (model, os.path.getsize(model)), **extra}
        counts, out, where = measure(args.board, fw, files)
        results[name] = counts[0]
        print(f"{name:22} {counts[0]:12d} instructions per invoke (runs {counts}), from {where}, output {out}")
    base, nat = list(results.values())
    print(f"{args.model} on {args.board}: tflm.mpy / built-in = {nat / base:.4f} ({(nat / base - 1) * 100:+.2f} %)")


if __name__ == "__main__":
    main()
