"""Measures what TFLM (the tflite_micro wheel, our oracle) accepts for the
SHAPE and INDEX op families: SHAPE, FILL, ZEROS_LIKE, BROADCAST_ARGS,
BROADCAST_TO, GATHER_ND, EMBEDDING_LOOKUP, DYNAMIC_UPDATE_SLICE.

Each probe builds a one-op model and runs it in the wheel in a child process
(a model the wheel mishandles may crash it); the table printed says, per op
and type combination, "ok" or why not. The kernels in
modtflm/core/kernels/shape.c and index.c accept what this table says TFLM
accepts (and, where noted there, a little more).

    deps/venv/bin/python tools/probe_shape_index.py
"""
import multiprocessing as mp
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python_tests"))

from tflite_builder import ModelBuilder, np_dtype  # noqa: E402

TYPES = ["float32", "int8", "uint8", "int16", "int32", "int64", "bool"]


def _quant(dtype):
    return dict(scale=0.5, zero_point=0) if dtype in ("int8", "uint8", "int16") else {}


def _run(model, inputs, q):
    # TFLM logs why it refuses on stderr: keep it for the table.
    log = tempfile.TemporaryFile()
    os.dup2(log.fileno(), 2)
    try:
        from tflite_micro.python.tflite_micro import runtime
        it = runtime.Interpreter.from_bytes(bytes(model), arena_size=1 << 20)
        for i, x in enumerate(inputs):
            it.set_input(x, i)
        it.invoke()
        q.put(("ok", np.array(it.get_output(0)).tolist()))
    except Exception:  # the wheel raises RuntimeError; the reason is in the log
        log.seek(0)
        lines = log.read().decode(errors="replace").strip().splitlines()
        q.put(("refused", lines[0][:100] if lines else "?"))


def run(model, inputs=()):
    """('ok', output list) or ('refused', message) or ('crash', exit code)."""
    q = mp.Queue()
    p = mp.Process(target=_run, args=(model, list(inputs), q))
    p.start()
    p.join(60)
    if p.exitcode != 0 or q.empty():
        return ("crash", p.exitcode)
    return q.get()


def probe_shape():
    rows = []
    for out_type in ("int32", "int64"):
        b = ModelBuilder()
        x, y = b.tensor([2, 3], "float32"), b.tensor([2], out_type)
        b.op("SHAPE", [x], [y], options=dict(out_type=out_type))
        b.inputs([x]), b.outputs([y])
        rows.append((f"SHAPE out {out_type}", run(b.build(), [np.zeros((2, 3), np.float32)])))
    return rows


def probe_fill():
    rows = []
    for vt in TYPES:
        for dt in ("int32", "int64"):
            b = ModelBuilder()
            d = b.const(np.array([2, 3], dt))
            v = b.const(np.array(1, np_dtype(vt)), vt, **_quant(vt))
            y = b.tensor([2, 3], vt, **_quant(vt))
            b.op("FILL", [d, v], [y])
            b.inputs([]), b.outputs([y])
            rows.append((f"FILL value {vt} dims {dt} const", run(b.build())))
    # Dims as a graph input (known only at run time).
    b = ModelBuilder()
    d = b.tensor([2], "int32")
    v = b.const(np.array(1.5, np.float32))
    y = b.tensor([2, 3])
    b.op("FILL", [d, v], [y])
    b.inputs([d]), b.outputs([y])
    rows.append(("FILL dims input [2,3]", run(b.build(), [np.array([2, 3], np.int32)])))
    rows.append(("FILL dims input [3,2] (!= output)", run(b.build(), [np.array([3, 2], np.int32)])))
    for dt in ("int8", "int16"):
        b = ModelBuilder()
        d = b.const(np.array([2, 3], dt))
        v = b.const(np.array(1.5, np.float32))
        y = b.tensor([2, 3])
        b.op("FILL", [d, v], [y])
        b.inputs([]), b.outputs([y])
        rows.append((f"FILL dims {dt} const", run(b.build())))
    return rows


def probe_zeros_like():
    rows = []
    for t in TYPES:
        b = ModelBuilder()
        x, y = b.tensor([3], t, **_quant(t)), b.tensor([3], t, **_quant(t))
        b.op("ZEROS_LIKE", [x], [y])
        b.inputs([x]), b.outputs([y])
        rows.append((f"ZEROS_LIKE {t}", run(b.build(), [np.ones(3, np_dtype(t))])))
    return rows


def probe_broadcast_args():
    rows = []
    for t in ("int32", "int64", "int16"):
        b = ModelBuilder()
        s1, s2, y = b.tensor([2], t), b.tensor([3], t), b.tensor([3], t)
        b.op("BROADCAST_ARGS", [s1, s2], [y])
        b.inputs([s1, s2]), b.outputs([y])
        rows.append((f"BROADCAST_ARGS {t}", run(b.build(), [np.array([3, 1], t), np.array([2, 1, 4], t)])))
    # Incompatible shapes at run time.
    b = ModelBuilder()
    s1, s2, y = b.tensor([2], "int32"), b.tensor([2], "int32"), b.tensor([2], "int32")
    b.op("BROADCAST_ARGS", [s1, s2], [y])
    b.inputs([s1, s2]), b.outputs([y])
    rows.append(("BROADCAST_ARGS [2,3] vs [4,3]", run(b.build(), [np.array([2, 3], np.int32),
                                                                   np.array([4, 3], np.int32)])))
    return rows


def probe_broadcast_to():
    rows = []
    for t in TYPES:
        b = ModelBuilder()
        x = b.tensor([1, 3], t, **_quant(t))
        y = b.tensor([2, 3], t, **_quant(t))
        b.op("BROADCAST_TO", [x, b.const(np.array([2, 3], np.int32))], [y], version=2)
        b.inputs([x]), b.outputs([y])
        rows.append((f"BROADCAST_TO {t}", run(b.build(), [np.ones((1, 3), np_dtype(t))])))
    for rank in (5, 6):
        shape = [2] + [1] * (rank - 1)
        b = ModelBuilder()
        x, y = b.tensor([1] * rank), b.tensor(shape)
        b.op("BROADCAST_TO", [x, b.const(np.array(shape, np.int64))], [y], version=2)
        b.inputs([x]), b.outputs([y])
        rows.append((f"BROADCAST_TO rank {rank} (int64 shape)", run(b.build(), [np.ones([1] * rank, np.float32)])))
    b = ModelBuilder()
    x, s, y = b.tensor([1, 3]), b.tensor([2], "int32"), b.tensor([2, 3])
    b.op("BROADCAST_TO", [x, s], [y], version=2)
    b.inputs([x, s]), b.outputs([y])
    rows.append(("BROADCAST_TO shape as input", run(b.build(), [np.ones((1, 3), np.float32),
                                                                np.array([2, 3], np.int32)])))
    return rows


def probe_gather_nd():
    rows = []
    for t in TYPES:
        for it in ("int32", "int64", "int16"):
            b = ModelBuilder()
            p = b.tensor([3, 2], t, **_quant(t))
            i = b.tensor([2, 1], it)
            y = b.tensor([2, 2], t, **_quant(t))
            b.op("GATHER_ND", [p, i], [y])
            b.inputs([p, i]), b.outputs([y])
            rows.append((f"GATHER_ND params {t} indices {it}",
                         run(b.build(), [np.ones((3, 2), np_dtype(t)), np.array([[2], [0]], it)])))
    b = ModelBuilder()
    p, i, y = b.tensor([3, 2]), b.tensor([1, 1], "int32"), b.tensor([1, 2])
    b.op("GATHER_ND", [p, i], [y])
    b.inputs([p, i]), b.outputs([y])
    for v in (3, -1):
        rows.append((f"GATHER_ND index {v} of 3", run(b.build(), [np.ones((3, 2), np.float32),
                                                                  np.array([[v]], np.int32)])))
    return rows


def probe_embedding_lookup():
    rows = []
    for vt, ot, it in (("float32", "float32", "int32"), ("int8", "float32", "int32"),
                       ("int8", "int8", "int32"), ("uint8", "float32", "int32"), ("int16", "int16", "int32"),
                       ("float32", "float32", "int64"), ("int32", "int32", "int32")):
        b = ModelBuilder()
        i = b.tensor([2], it)
        v = b.const(np.arange(12).reshape(3, 4).astype(np_dtype(vt)), vt, **_quant(vt))
        y = b.tensor([2, 4], ot, **_quant(ot))
        b.op("EMBEDDING_LOOKUP", [i, v], [y])
        b.inputs([i]), b.outputs([y])
        rows.append((f"EMBEDDING_LOOKUP values {vt} out {ot} ids {it}", run(b.build(), [np.array([2, 0], it)])))
    b = ModelBuilder()
    i = b.tensor([1], "int32")
    v = b.const(np.arange(12).reshape(3, 4).astype(np.int8), "int8", scale=0.5, zero_point=1)
    y = b.tensor([1, 4])
    b.op("EMBEDDING_LOOKUP", [i, v], [y])
    b.inputs([i]), b.outputs([y])
    rows.append(("EMBEDDING_LOOKUP hybrid zero point 1", run(b.build(), [np.array([1], np.int32)])))
    return rows


def probe_dynamic_update_slice():
    rows = []
    for t in TYPES:
        for it in ("int32", "int64"):
            b = ModelBuilder()
            x, u = b.tensor([3, 3], t, **_quant(t)), b.tensor([2, 2], t, **_quant(t))
            s = b.tensor([2], it)
            y = b.tensor([3, 3], t, **_quant(t))
            b.op("DYNAMIC_UPDATE_SLICE", [x, u, s], [y])
            b.inputs([x, u, s]), b.outputs([y])
            rows.append((f"DYNAMIC_UPDATE_SLICE {t} start {it}",
                         run(b.build(), [np.zeros((3, 3), np_dtype(t)), np.ones((2, 2), np_dtype(t)),
                                         np.array([5, -1], it)])))
    return rows


def main():
    for fn in (probe_shape, probe_fill, probe_zeros_like, probe_broadcast_args, probe_broadcast_to,
               probe_gather_nd, probe_embedding_lookup, probe_dynamic_update_slice):
        for name, (status, detail) in fn():
            print(f"{name:55s} {status:8s} {detail}")


if __name__ == "__main__":
    main()
