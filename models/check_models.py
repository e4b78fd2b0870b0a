"""Check the committed models against the TFLM reference runtime.

Uses the `tflite_micro` Python package (the TFLM interpreter, not TensorFlow)
as an oracle: every hello_world model (`check` in models.txt) must load, run,
and approximate sin(x); every other project model with `run` (models/ops)
must load and run on random inputs with finite float outputs.
Also prints op codes/versions and the FULLY_CONNECTED filter quantization
(per-tensor vs per-channel) read directly from the flatbuffer.

Usage: python3 models/check_models.py   (or `make -C models check`)
"""

import math
import os
import sys

import numpy as np
from tflite_micro.python.tflite_micro import runtime

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tflite_info  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))
from tables import model_paths  # noqa: E402

MODELS = model_paths("check", where="project")  # models/models.txt
RUN_MODELS = model_paths("run", where="project")
RUNS = 4
MEAN_ERROR = 0.1
MAX_ERROR = 0.35


def run(it, x):
    inp = it.get_input_details(0)
    dtype = np.dtype(inp["dtype"])
    v = np.array([[x]], dtype=np.float32)
    if dtype != np.float32:
        q = inp["quantization_parameters"]
        s, z = float(q["scales"][0]), int(q["zero_points"][0])
        info = np.iinfo(dtype)
        v = np.clip(np.round(v / s + z), info.min, info.max).astype(dtype)
    it.set_input(v, 0)
    it.invoke()
    r = np.asarray(it.get_output(0))
    out = it.get_output_details(0)
    if np.dtype(out["dtype"]) != np.float32:
        q = out["quantization_parameters"]
        r = (r.astype(np.float32) - int(q["zero_points"][0])) * float(q["scales"][0])
    return float(r.reshape(-1)[0])


def check(path):
    with open(os.path.join(HERE, path), "rb") as f:
        data = f.read()
    print(tflite_info.describe(data, path))
    it = runtime.Interpreter.from_bytes(data)
    print("  oracle input details:", it.get_input_details(0))
    print("  oracle output details:", it.get_output_details(0))
    grid = np.linspace(0.0, 2.0 * math.pi, 64)
    err = np.abs(np.array([run(it, x) for x in grid]) - np.sin(grid))
    for x in (0.0, math.pi / 2, math.pi, 3 * math.pi / 2):
        print("    x=%.4f sin=%+.4f tflm=%+.4f" % (x, math.sin(x), run(it, x)))
    ok = err.mean() <= MEAN_ERROR and err.max() <= MAX_ERROR
    print("  tflm |y - sin(x)| on 64-point grid: mean %.4f max %.4f -> %s" % (
        err.mean(), err.max(), "OK" if ok else "FAIL"))
    return ok


def check_runs(path):
    """Loads the model and runs it on RUNS sets of random inputs (uniform
    over each input type's range, floats in [-1, 1])."""
    with open(os.path.join(HERE, path), "rb") as f:
        data = f.read()
    print(tflite_info.describe(data, path))
    rng = np.random.default_rng(0)
    try:
        it = runtime.Interpreter.from_bytes(data)
        info = tflite_info.parse(data)
        n_in, n_out = len(info["inputs"]), len(info["outputs"])
        for _ in range(RUNS):
            for i in range(n_in):
                d = it.get_input_details(i)
                dtype = np.dtype(d["dtype"])
                if np.issubdtype(dtype, np.integer):
                    info = np.iinfo(dtype)
                    x = rng.integers(info.min, info.max, d["shape"], endpoint=True).astype(dtype)
                else:
                    x = rng.uniform(-1.0, 1.0, d["shape"]).astype(dtype)
                it.set_input(x, i)
            it.invoke()
            outs = [np.asarray(it.get_output(o)) for o in range(n_out)]
            if not all(np.isfinite(o).all() for o in outs if np.issubdtype(o.dtype, np.floating)):
                print("  tflm: non-finite output -> FAIL")
                return False
    except RuntimeError as e:
        print("  tflm: %s -> FAIL" % e)
        return False
    print("  tflm: loads and runs %d random input sets -> OK" % RUNS)
    return True


def main():
    results = [check(p) for p in MODELS]
    results += [check_runs(p) for p in RUN_MODELS if p not in MODELS]
    print()
    print("all models OK" if all(results) else "SOME MODELS FAILED")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
