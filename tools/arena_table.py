"""Arena use per model: ours (unix firmware, 64-bit) next to what TFLM's
allocator reports for the same model (the tflite_micro wheel, 64-bit host).

    python tools/arena_table.py [--firmware build/unix/micropython] [model.tflite ...]

Prints: model, our arena_used, TFLM's arena total, ratio. Models we refuse
are listed with the reason.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tables import model_entries, model_file  # noqa: E402

DEFAULT_MODELS = [model_file(p, w) for w, p in model_entries("run")]  # models/models.txt


def tflm_arena(path):
    """TFLM's 'Arena allocation total' for the model (its allocator prints to
    stdout from C++, so run it in a child process)."""
    code = ("from tflite_micro.python.tflite_micro import runtime\n"
            f"it = runtime.Interpreter.from_bytes(open({path!r}, 'rb').read(), arena_size=64 << 20)\n"
            "it.print_allocations()\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    out = r.stdout + r.stderr
    m = re.search(r"Arena allocation total (\d+) bytes", out)
    return int(m.group(1)) if m else None


def our_arena(firmware, path):
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(f"import tflm\ntry:\n    print('ARENA', tflm.Interpreter({path!r}).arena_used)\n"
                "except Exception as e:\n    print('ERR', type(e).__name__, e)\n")
    out = subprocess.run([firmware, f.name], capture_output=True, text=True).stdout.strip()
    os.unlink(f.name)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--firmware", default=os.path.join(ROOT, "build", "unix", "micropython"))
    ap.add_argument("models", nargs="*")
    args = ap.parse_args()
    paths = args.models or DEFAULT_MODELS
    rows = []
    print(f"{'model':32} {'ours':>9} {'TFLM':>9} {'ratio':>6}")
    worst = 0.0
    for p in paths:
        if not os.path.exists(p):
            continue
        name = os.path.basename(p)
        ours = our_arena(args.firmware, p)
        theirs = tflm_arena(p)
        if ours.startswith("ARENA"):
            n = int(ours.split()[1])
            ratio = n / theirs if theirs else float("nan")
            worst = max(worst, ratio)
            print(f"{name:32} {n:9d} {theirs or 0:9d} {ratio:6.3f}")
            rows.append((name, n, theirs))
        else:
            print(f"{name:32} {'-':>9} {theirs or 0:9d}   ({ours})")
    print(f"worst ratio {worst:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
