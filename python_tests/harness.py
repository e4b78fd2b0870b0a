"""Run models on a target and compare with the oracle (the tflite_micro wheel).

Inputs and outputs cross to the device as hex of their raw bytes, so float
values arrive bit-exact even on boards whose MicroPython floats are single
precision.
"""
import hashlib

import numpy as np

from tflite_micro.python.tflite_micro import runtime
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

ORACLE_ARENA = 64 * 1024 * 1024


def _counts(model):
    m = schema.Model.GetRootAs(bytes(model), 0)
    sg = m.Subgraphs(0)
    return sg.InputsLength(), sg.OutputsLength()


def oracle(model, batches):
    """Outputs of the wheel for each entry of `batches` (a list of input lists)."""
    it = runtime.Interpreter.from_bytes(bytes(model), arena_size=ORACLE_ARENA)
    _, n_out = _counts(model)
    results = []
    for inputs in batches:
        for i, x in enumerate(inputs):
            it.set_input(x, i)
        it.invoke()
        results.append([np.array(it.get_output(i)) for i in range(n_out)])
    return results


_details_cache = {}


def io_details(model):
    key = hashlib.sha1(bytes(model)).hexdigest()
    if key not in _details_cache:
        it = runtime.Interpreter.from_bytes(bytes(model), arena_size=ORACLE_ARENA)
        n_in, n_out = _counts(model)
        _details_cache[key] = ([it.get_input_details(i) for i in range(n_in)],
                               [it.get_output_details(i) for i in range(n_out)])
    return _details_cache[key]


SCRIPT = """
import tflm, gc
it = tflm.Interpreter({path!r}{arena})
n_in = {n_in}
n_out = {n_out}
data = {data!r}
for k in range(len(data)):
    for i in range(n_in):
        it.set_input(bytes.fromhex(data[k][i]), i)
    it.invoke()
    print('OUT', k, ' '.join(bytes(it.get_output(i)).hex() or '-' for i in range(n_out)))
print('ARENA', it.arena_used)
"""


def _unhex(h):
    # Empty outputs are printed as '-' (MicroPython's b''.hex() is b'').
    return b"" if h in ("-", "") else bytes.fromhex(h)


def run_on_target(target, model, batches, name="model.tflite", arena_size=None):
    """Runs every input set in `batches` on the target; returns (outputs, arena_used)."""
    _, outs = io_details(model)
    data = [[np.ascontiguousarray(x).tobytes().hex() for x in inputs] for inputs in batches]
    script = SCRIPT.format(path=name, arena=f", arena_size={arena_size}" if arena_size else "",
                           n_in=len(batches[0]), n_out=len(outs), data=data)
    text = target.run(script, files={name: bytes(model)})
    results = [None] * len(batches)
    arena = None
    for line in text.splitlines():
        parts = line.split()
        if parts[:1] == ["OUT"]:
            k = int(parts[1])
            hexes = parts[2:] + [""] * (len(outs) - len(parts[2:]))
            results[k] = [np.frombuffer(_unhex(h), dtype=d["dtype"]).reshape(d["shape"])
                          for h, d in zip(hexes, outs)]
        elif parts[:1] == ["ARENA"]:
            arena = int(parts[1])
    missing = [k for k, r in enumerate(results) if r is None]
    assert not missing, f"no output for inputs {missing[:5]}; device said:\n{text[-2000:]}"
    return results, arena


def assert_match(got, want, float_rtol=1e-6, float_atol=1e-6, context=""):
    """Integers bit-exact; floats within the stated tolerance."""
    for k, (g_list, w_list) in enumerate(zip(got, want)):
        for i, (g, w) in enumerate(zip(g_list, w_list)):
            assert g.shape == w.shape, f"{context} input set {k} output {i}: shape {g.shape} != {w.shape}"
            if np.issubdtype(w.dtype, np.floating):
                np.testing.assert_allclose(g, w, rtol=float_rtol, atol=float_atol,
                                           err_msg=f"{context} input set {k} output {i}")
            else:
                diff = np.flatnonzero(g.astype(np.int64) != w.astype(np.int64))
                assert diff.size == 0, (f"{context} input set {k} output {i}: {diff.size} of {g.size} differ; "
                                        f"first at {diff[0]}: got {g.flat[diff[0]]}, want {w.flat[diff[0]]}")


def random_inputs(model, n, seed=0):
    """`n` input sets of uniform random values over each input's dtype range."""
    rng = np.random.default_rng(seed)
    ins, _ = io_details(model)
    batches = []
    for _ in range(n):
        batch = []
        for d in ins:
            dt = np.dtype(d["dtype"])
            if np.issubdtype(dt, np.integer):
                info = np.iinfo(dt)
                x = rng.integers(info.min, info.max, size=d["shape"], endpoint=True).astype(dt)
            else:
                x = rng.uniform(-1, 1, size=d["shape"]).astype(dt)
            batch.append(x)
        batches.append(batch)
    return batches


MANY_SCRIPT = """
import tflm, gc
cases = {cases!r}
for name, n_out, data in cases:
    try:
        it = tflm.Interpreter(name)
    except Exception as e:
        print('ERR', name, type(e).__name__, str(e).replace(' ', '_'))
        continue
    for k in range(len(data)):
        for i in range(len(data[k])):
            it.set_input(bytes.fromhex(data[k][i]), i)
        it.invoke()
        print('OUT', name, k, ' '.join(bytes(it.get_output(i)).hex() or '-' for i in range(n_out)))
    del it
    gc.collect()
"""


def run_many(target, cases, chunk_bytes=200_000, specs=None):
    """Runs several models in as few target scripts as possible.

    `cases` is a list of (model_bytes, batches); returns, per case, either a
    list of output lists (one per input set) or the string "Error: message"
    when the interpreter refused the model. `specs` gives, per case, the
    outputs' (dtype, shape) pairs; by default the oracle supplies them.
    """
    if specs is None:
        specs = [[(d["dtype"], d["shape"]) for d in io_details(model)[1]] for model, _ in cases]
    results = [None] * len(cases)
    start = 0
    while start < len(cases):
        files, entries, size, end = {}, [], 0, start
        while end < len(cases) and (end == start or size + len(cases[end][0]) < chunk_bytes):
            model, batches = cases[end]
            name = f"c{end}.tflite"
            files[name] = bytes(model)
            data = [[np.ascontiguousarray(x).tobytes().hex() for x in inputs] for inputs in batches]
            entries.append((name, len(specs[end]), data))
            size += len(model) + sum(len(h) for d in data for h in d)
            end += 1
        text = target.run(MANY_SCRIPT.format(cases=entries), files=files)
        for line in text.splitlines():
            parts = line.split()
            if not parts or parts[0] not in ("OUT", "ERR"):
                continue
            idx = int(parts[1][1:].split(".")[0])
            if parts[0] == "ERR":
                results[idx] = f"{parts[2]}: {' '.join(parts[3:]).replace('_', ' ')}"
                continue
            if results[idx] is None:
                results[idx] = [None] * len(cases[idx][1])
            k = int(parts[2])
            results[idx][k] = [np.frombuffer(_unhex(h), dtype=dt).reshape(shape)
                               for h, (dt, shape) in zip(parts[3:], specs[idx])]
        for i in range(start, end):
            assert results[i] is not None, f"case {i}: no result; device said:\n{text[-2000:]}"
        start = end
    return results


def check_cases(target, cases, float_tol=1e-5, ids=None):
    """run_many + compare every case with the oracle; one assertion listing
    every mismatching case."""
    got = run_many(target, cases)
    problems = []
    for i, ((model, batches), g) in enumerate(zip(cases, got)):
        name = ids[i] if ids else f"case {i}"
        if isinstance(g, str):
            problems.append(f"{name}: refused: {g}")
            continue
        try:
            assert_match(g, oracle(model, batches), float_rtol=float_tol, float_atol=float_tol, context=name)
        except AssertionError as e:
            problems.append(str(e).splitlines()[0])
    assert not problems, f"{len(problems)} of {len(cases)} cases failed:\n" + "\n".join(problems[:30])


LOAD_EACH_SCRIPT = """
import tflm
blob = open('cases.bin', 'rb').read()
for name, start, end in {spans!r}:
    try:
        it = tflm.Interpreter(blob[start:end])
    except Exception as e:
        print('RESULT', name, type(e).__name__ + ':', str(e))
        continue
    for i in range(len(it.inputs)):
        it.set_input(bytes(it.input(i).nbytes), i)
    it.invoke()
    print('RESULT', name, 'accepted')
    del it
"""


def load_each(target, cases):
    """Loads each (name, model_bytes, ...) case on the target in one script and
    invokes it with zeroed inputs: {name: 'accepted' or 'ErrorClass: message'}."""
    blob, spans = b"", []
    for case in cases:
        name, m = case[0], case[1]
        spans.append((name, len(blob), len(blob) + len(m)))
        blob += m
    out = target.run(LOAD_EACH_SCRIPT.format(spans=spans), files={"cases.bin": blob})
    results = {}
    for line in out.splitlines():
        parts = line.split(" ", 2)
        if parts[0] == "RESULT":
            results[parts[1]] = parts[2]
    return results
