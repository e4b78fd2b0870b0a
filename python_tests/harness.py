"""The test suite's shared helpers: run models on a target and compare with
the oracle (the tflite_micro wheel).

Every MicroPython script the op tests run on a target is here, behind a
function: run_on_target (one model, input sets), run_many (many models,
oracle-shaped outputs), run_raw (many models, raw output bytes or the
exception, no oracle needed), load_each (load, optionally invoke, report
acceptance or the exception), compare_on_target (large golden data compared
on the target). Also the golden-CSV reader, the single-layer extractor for
real models and Python copies of TFLite's fixed-point multiplier helpers.

Inputs cross to the device as their raw bytes (in a file the script reads
one input at a time), outputs come back as hex of their raw bytes, so float
values arrive bit-exact even on boards whose MicroPython floats are single
precision.
"""
import copy
import hashlib
import math
import re

import numpy as np
import pytest

from tflite_micro.python.tflite_micro import runtime
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

from tflite_builder import BUILTIN_OP_NAMES, DTYPES, TYPE_NAMES, pack_model, unpack_model

ORACLE_ARENA = 64 * 1024 * 1024


def _counts(model):
    m = schema.Model.GetRootAs(bytes(model), 0)
    sg = m.Subgraphs(0)
    return sg.InputsLength(), sg.OutputsLength()


def oracle(model, batches):
    """Outputs of the wheel for each entry of `batches` (a list of input
    lists, run in order on one interpreter; an entry None resets it, its
    result [])."""
    it = runtime.Interpreter.from_bytes(bytes(model), arena_size=ORACLE_ARENA)
    _, n_out = _counts(model)
    results = []
    for inputs in batches:
        if inputs is None:
            it.reset()
            results.append([])
            continue
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


# Prints a line: `tag`, then the hex of each output's bytes ('-' when
# empty), written a piece at a time from the arena (a board with little RAM
# could not hold a large output's copy, its bytes and its hex at once).
PRINT_OUTPUTS = """
import sys
def print_outputs(tag, it, n_out):
    sys.stdout.write(tag)
    for i in range(n_out):
        mv = memoryview(it.output(i))
        sys.stdout.write(' ' if len(mv) else ' -')
        for j in range(0, len(mv), 64):
            sys.stdout.write(bytes(mv[j:j + 64]).hex())
    sys.stdout.write('\\n')
"""

# Input sets travel to the target as a file, each input its length (4
# bytes, little-endian) then its bytes, read in the same order straight
# into the input tensor (through set_input when the size is wrong, which
# raises the error a test may expect): a board holds no copy of the data
# (as hex in the script's text, the data took three times its size). The
# scripts that run many models do each in a function and close its
# interpreter: a board with little RAM has no room for the arena of the one
# before, which a stale reference in the module's value stack would keep.
INPUTS_FILE = "inputs.bin"
READ_INPUTS = """
inputs = open('inputs.bin', 'rb')
def skip_inputs(n):
    for i in range(n):
        inputs.seek(int.from_bytes(inputs.read(4), 'little'), 1)
def set_inputs(it, n):
    err = None
    for i in range(n):
        size = int.from_bytes(inputs.read(4), 'little')
        end = inputs.tell() + size
        if err is None:
            try:
                t = it.input(i)
                if size == t.nbytes:
                    inputs.readinto(t)
                else:
                    it.set_input(inputs.read(size), i)
            except Exception as e:
                err = e
        inputs.seek(end)
    if err is not None:
        raise err
"""


def _inputs_file(sets):
    """The content of INPUTS_FILE for `sets`, input lists (arrays or bytes)
    in the order the script reads them."""
    out = bytearray()
    for inputs in sets:
        for x in inputs:
            b = np.ascontiguousarray(x).tobytes()
            out += len(b).to_bytes(4, "little") + b
    return bytes(out)


SCRIPT = """
import tflm, gc
""" + PRINT_OUTPUTS + READ_INPUTS + """
it = tflm.Interpreter({path!r}{arena})
for k in range({n_sets}):
    set_inputs(it, {n_in})
    it.invoke()
    print_outputs('OUT %d' % k, it, {n_out})
print('ARENA', it.arena_used)
"""


def _unhex(h):
    # Empty outputs are printed as '-' (MicroPython's b''.hex() is b'').
    return b"" if h in ("-", "") else bytes.fromhex(h)


def ram_need(model, tables=None):
    """Bytes a test of a model takes on a board, about: the file, and twice
    every tensor without constant data (the arena, without the planner's
    reuse, and the copies the script makes of inputs and outputs); just the
    file for a model too malformed to read. With `tables` (default: for a
    model of several subgraphs, whose many small tensors make the tables
    outweigh the activations) also twice the tensor and op tables, about 20
    and 36 bytes an entry on a 32-bit board."""
    try:
        m = schema.Model.GetRootAs(bytes(model), 0)
        need = len(model) + 2 * _activation_bytes(m)
        if tables or (tables is None and m.SubgraphsLength() > 1):
            need += 2 * sum(20 * m.Subgraphs(g).TensorsLength() + 36 * m.Subgraphs(g).OperatorsLength()
                            for g in range(m.SubgraphsLength()))
        return need
    except Exception:
        return len(model)


def _activation_bytes(m):
    need = 0
    for g in range(m.SubgraphsLength()):
        sg = m.Subgraphs(g)
        for i in range(sg.TensorsLength()):
            t = sg.Tensors(i)
            b = t.Buffer()
            if 0 < b < m.BuffersLength() and m.Buffers(b).DataLength():
                continue
            name = TYPE_NAMES.get(t.Type())
            size = np.dtype(name).itemsize if name in DTYPES and DTYPES[name][1] is not None else 1
            need += size * int(np.prod(t.ShapeAsNumpy())) if t.ShapeLength() else size
    return need


def skip_unless_fits(target, models, what="the largest model", need=ram_need, counted=None):
    """Skips the test on a board with little RAM (target.model_budget) when
    one of `models` (bytes) needs more (ram_need; `len` where only loading
    counts, for models the firmware should refuse, whose shapes may be
    anything; another `need` says what it counts in `counted`)."""
    if target.model_budget is None:
        return
    n = max(need(m) for m in models)
    if n > target.model_budget:
        counted = counted or ("its file" if need is len else "its file and twice its activations")
        pytest.skip(f"{what} needs about {n} bytes ({counted}): {target.name} has room for "
                    f"{target.model_budget} ({target.ram // 1024} KiB of RAM, ports/targets.txt)")


# How the binding says the heap had no block for the arena it sized.
ARENA_REFUSED = re.compile(r"MemoryError: cannot allocate an arena of (\d+) bytes")


def run_fitting(target, cases, runner=None):
    """Runs `runner` (run_many, or run_raw_each) on the (model, ...) cases
    whose models fit a board with little RAM (ram_need within
    target.model_budget; all of them elsewhere). Returns (indices of the
    cases that ran, their results, done): the caller checks those, then
    calls done(), which skips the test when some did not run, naming how
    many and what they need.

    Also left out: a case whose arena the board could not allocate, when
    the arena it asked for (the binding names it) alone exceeds the budget
    (ram_need counts tensors; an op's scratch buffers can be larger). A
    smaller arena it could not allocate stays a failure. When no model
    fits, the runner skips the test whole, saying why."""
    runner = runner or run_many
    budget = target.model_budget
    models = [c[0] for c in cases]
    keep = [i for i, m in enumerate(models) if budget is None or ram_need(m) <= budget] or list(range(len(cases)))
    got = runner(target, [cases[i] for i in keep])
    arenas = {}
    for i, g in zip(keep, got):
        refused = ARENA_REFUSED.fullmatch(g) if budget is not None and isinstance(g, str) else None
        if refused and int(refused.group(1)) > budget:
            arenas[i] = int(refused.group(1))
    ran = [i for i in keep if i not in arenas]
    kept = set(keep)
    needs = [ram_need(m) for i, m in enumerate(models) if i not in kept]

    def done():
        if not needs and not arenas:
            return
        why = []
        if needs:
            why.append(f"{len(needs)} for their models (up to {max(needs)} bytes: a file and twice its activations)")
        if arenas:
            why.append(f"{len(arenas)} for their arenas (up to {max(arenas.values())} bytes, as the board asked)")
        ran_too = f" (the other {len(ran)} passed)" if ran else ""
        pytest.skip(f"{len(needs) + len(arenas)} of {len(cases)} cases did not run{ran_too}, {' and '.join(why)}: "
                    f"{target.name} has room for {budget} ({target.ram // 1024} KiB of RAM, ports/targets.txt)")

    return ran, [g for i, g in zip(keep, got) if i not in arenas], done


def _pieces(items, size, budget):
    """`items` in runs whose sizes (size(item)) add up to at most `budget`
    (None: one run), each run at least one item: one script each."""
    run, total = [], 0
    for item in items:
        n = size(item)
        if run and budget is not None and total + n > budget:
            yield run
            run, total = [], 0
        run.append(item)
        total += n
    if run:
        yield run


# What one case costs a script on the board beyond its model and arena
# (its ints in the script's list, what its run leaves in the heap), for
# target.data_budget: 16 cases a script on the micro:bit. The list is one
# flat tuple of ints (a constant: one heap block); tuples of tuples would
# be one block each, scattered over the heap between the blocks loading the
# script took, where they cut the room left for a model and its arena into
# pieces.
ENTRY_BYTES = 64


def run_on_target(target, model, batches, name="model.tflite", arena_size=None):
    """Runs every input set in `batches` on the target, in order on one
    interpreter; returns (outputs, arena_used)."""
    skip_unless_fits(target, [model], "the model")
    _, outs = io_details(model)
    script = SCRIPT.format(path=name, arena=f", arena_size={arena_size}" if arena_size else "",
                           n_sets=len(batches), n_in=len(batches[0]), n_out=len(outs))
    text = target.run(script, files={name: bytes(model), INPUTS_FILE: _inputs_file(batches)})
    results = [None] * len(batches)
    arena = None
    for line in text.splitlines():
        parts = line.split()
        if parts[:1] == ["OUT"]:
            hexes = parts[2:] + [""] * (len(outs) - len(parts[2:]))
            results[int(parts[1])] = [np.frombuffer(_unhex(h), dtype=d["dtype"]).reshape(d["shape"])
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


def random_inputs(model, n, seed=0, shape_input=None):
    """`n` input sets of uniform random values over each input's dtype range
    (floats in [-1, 1]); with `shape_input`, every int32 input is that array
    (TRANSPOSE_CONV's output shape)."""
    rng = np.random.default_rng(seed)
    ins, _ = io_details(model)
    batches = []
    for _ in range(n):
        batch = []
        for d in ins:
            dt = np.dtype(d["dtype"])
            if shape_input is not None and dt == np.int32:
                x = np.array(shape_input, np.int32)
            elif np.issubdtype(dt, np.integer):
                info = np.iinfo(dt)
                x = rng.integers(info.min, info.max, size=d["shape"], endpoint=True).astype(dt)
            else:
                x = rng.uniform(-1, 1, size=d["shape"]).astype(dt)
            batch.append(x)
        batches.append(batch)
    return batches


def state_sequence(model, n, seed):
    """n input sets for a model with state (random_inputs); float ones in
    [-1, 1] but one set of zeros and one scaled up by 4."""
    seq = random_inputs(model, n, seed=seed)
    if seq[0][0].dtype == np.float32 and n > 2:
        seq[1][0][...] = 0
        seq[2][0] *= 4
    return seq


MANY_SCRIPT = """
import tflm, gc
""" + PRINT_OUTPUTS + READ_INPUTS + """
def case(c, n_in, n_out, n_sets):
    try:
        it = tflm.Interpreter('c%d.tflite' % c)
    except Exception as e:
        print('ERR', c, type(e).__name__, str(e).replace(' ', '_'))
        skip_inputs(n_sets * n_in)
        return
    for k in range(n_sets):
        set_inputs(it, n_in)
        it.invoke()
        print_outputs('OUT %d %d' % (c, k), it, n_out)
    it.close()
cases = {cases!r}
for j in range(0, len(cases), 4):
    case(*cases[j:j + 4])
    gc.collect()
"""


def run_many(target, cases, chunk_bytes=200_000, specs=None):
    """Runs several models in as few target scripts as possible, each
    case's input sets in order on one interpreter.

    `cases` is a list of (model_bytes, batches); returns, per case, either a
    list of output lists (one per input set) or the string "Error: message"
    when the interpreter refused the model. `specs` gives, per case, the
    outputs' (dtype, shape) pairs; by default the oracle supplies them.
    """
    if specs is None:
        specs = [[(d["dtype"], d["shape"]) for d in io_details(model)[1]] for model, _ in cases]
    skip_unless_fits(target, [model for model, _ in cases])
    results = [None] * len(cases)
    text = ""
    # Models and input data up to chunk_bytes per script; on a board with
    # little RAM, also as many cases as its data budget has room for.
    by_bytes = _pieces(range(len(cases)), lambda i: len(cases[i][0]) + sum(
        np.asarray(x).nbytes for inputs in cases[i][1] for x in inputs), chunk_bytes)
    for part in (p for run in by_bytes for p in _pieces(run, lambda i: ENTRY_BYTES, target.data_budget)):
        files = {f"c{i}.tflite": bytes(cases[i][0]) for i in part}
        files[INPUTS_FILE] = _inputs_file(inputs for i in part for inputs in cases[i][1])
        entries = tuple(n for i in part for n in (i, len(cases[i][1][0]) if cases[i][1] else 0, len(specs[i]),
                                                  len(cases[i][1])))
        text = target.run(MANY_SCRIPT.format(cases=entries), files=files)
        for line in text.splitlines():
            parts = line.split()
            if not parts or parts[0] not in ("OUT", "ERR"):
                continue
            idx = int(parts[1])
            if parts[0] == "ERR":
                results[idx] = f"{parts[2]}: {' '.join(parts[3:]).replace('_', ' ')}"
                continue
            if results[idx] is None:
                results[idx] = [None] * len(cases[idx][1])
            k = int(parts[2])
            results[idx][k] = [np.frombuffer(_unhex(h), dtype=dt).reshape(shape)
                               for h, (dt, shape) in zip(parts[3:], specs[idx])]
        for i in part:
            assert results[i] is not None, f"case {i}: no result; device said:\n{text[-2000:]}"
    return results


def check_cases(target, cases, float_tol=1e-5, ids=None):
    """run_many + compare every case with the oracle; one assertion listing
    every mismatching case (on a board with little RAM: of the cases that
    fit, see run_fitting)."""
    names = ids or [f"case {i}" for i in range(len(cases))]
    ran, got, done = run_fitting(target, cases)
    assert_all_match([names[i] for i in ran], got, (oracle(*cases[i]) for i in ran), float_tol)
    done()


def assert_all_match(names, got, wants, float_tol=0.0):
    """Every target result in `got` (outputs, or a refusal message) equals
    its expected outputs in `wants` (an iterable, read one case at a time);
    one assertion listing every mismatching case."""
    problems = []
    for name, g, want in zip(names, got, wants):
        if g is None or isinstance(g, str):
            problems.append(f"{name}: refused: {g}")
            continue
        try:
            assert_match(g, want, float_rtol=float_tol, float_atol=float_tol, context=name)
        except AssertionError as e:
            problems.append(str(e).splitlines()[0])
    assert not problems, f"{len(problems)} of {len(names)} cases failed:\n" + "\n".join(problems[:30])



# Sequences of invokes on one interpreter, reset(), the same sequence again:
# for ops whose state is kept in variable tensors (SVDF, LSTM).
RESET_SCRIPT = """
import tflm, gc
cases = {cases!r}
for name, n_out, data in cases:
    it = tflm.Interpreter(name)
    for rep in range(2):
        for k in range(len(data)):
            for i in range(len(data[k])):
                it.set_input(bytes.fromhex(data[k][i]), i)
            it.invoke()
            print('OUT', name, rep, k, ' '.join(bytes(it.get_output(i)).hex() for i in range(n_out)))
        it.reset()
    del it
    gc.collect()
"""


def oracle_with_reset(model, batches):
    """The wheel's outputs for `batches` run in one interpreter, then again
    after its reset() (2 * len(batches) output lists)."""
    it = runtime.Interpreter.from_bytes(bytes(model), arena_size=ORACLE_ARENA)
    _, n_out = _counts(model)
    res = []
    for _ in range(2):
        for inputs in batches:
            for i, x in enumerate(inputs):
                it.set_input(x, i)
            it.invoke()
            res.append([np.array(it.get_output(i), copy=True) for i in range(n_out)])
        it.reset()
    return res


# What an input set of check_with_reset costs its script beyond its hex
# text (its list and string objects), for target.data_budget.
HEX_OVERHEAD = 64


def check_with_reset(target, named, batches_for, float_tol=1e-5, defined=None):
    """Each (name, model) of `named` runs its invoke sequence
    (batches_for(k, model) for the k-th), reset(), the same sequence again
    (and a reset after), in one target script; compared with the oracle
    doing the same. The second run must equal the first (the state is
    cleared).

    `defined(k, want)`, for an op that leaves parts of an output as they
    were (TFLM's arena holds anything there): per invoke of the oracle's
    outputs `want` (both runs), per output, a bool mask of the values it
    defines (None: all); only those are compared."""
    skip_unless_fits(target, [model for _, model in named])
    entries, files, want, specs, lengths = [], {}, [], [], []
    for k, (name, model) in enumerate(named):
        batches = batches_for(k, model)
        lengths.append(len(batches))
        fname = f"r{k}.tflite"
        files[fname] = bytes(model)
        _, outs = io_details(model)
        specs.append([(d["dtype"], d["shape"]) for d in outs])
        entries.append((fname, len(outs), [[np.ascontiguousarray(x).tobytes().hex() for x in b] for b in batches]))
        want.append(oracle_with_reset(model, batches))
    # One interpreter runs a whole sequence: it cannot be split over scripts.
    data = sum(len(h) + HEX_OVERHEAD for _, _, seq in entries for b in seq for h in b)
    if target.data_budget is not None and data > target.data_budget:
        pytest.skip(f"the input sequences take {data} bytes of script: {target.name} has room for "
                    f"{target.data_budget} (ports/targets.txt)")
    text = target.run(RESET_SCRIPT.format(cases=entries), files=files)
    got = [[None] * (2 * n) for n in lengths]
    for line in text.splitlines():
        parts = line.split()
        if parts[:1] != ["OUT"]:
            continue
        k = int(parts[1][1:].split(".")[0])
        idx = int(parts[2]) * lengths[k] + int(parts[3])
        got[k][idx] = [np.frombuffer(bytes.fromhex(h), dtype=dt).reshape(shape)
                       for h, (dt, shape) in zip(parts[4:], specs[k])]
    for k, (name, _) in enumerate(named):
        n = lengths[k]
        assert all(g is not None for g in got[k]), f"{name}: missing outputs; device said:\n{text[-2000:]}"
        if defined is not None:
            masks = defined(k, want[k])
            want[k], got[k] = ([[np.where(m, x, 0) if m is not None else x for x, m in zip(outs, ms)]
                                for outs, ms in zip(seq, masks)] for seq in (want[k], got[k]))
        # The oracle itself restarts from the cleared state.
        assert_match(want[k][n:], want[k][:n], float_rtol=0, float_atol=0, context=f"{name} oracle after reset")
        assert_match(got[k], want[k], float_rtol=float_tol, float_atol=float_tol, context=name)

def _blob(models):
    """The files READ_PART reads `models` from: all of them in one (one
    transfer to a board) and the offsets where each starts, and the end."""
    blob, index = bytearray(), bytearray()
    for m in models:
        index += len(blob).to_bytes(4, "little")
        blob += bytes(m)
    index += len(blob).to_bytes(4, "little")
    return {"cases.bin": bytes(blob), "cases.idx": bytes(index)}


def _error(line_rest):
    """'ExceptionType: message' from the rest of an ERR line."""
    exc, _, msg = line_rest.partition(" ")
    return f"{exc}: {msg}"


# The cases are read from their file one at a time (all at once would not
# fit a board with little RAM), where their index file says (in the
# script's text, a board with little RAM could not hold a long list of them).
READ_PART = """
blob = open('cases.bin', 'rb')
index = open('cases.idx', 'rb')
def part(k):
    index.seek(4 * k)
    start = int.from_bytes(index.read(4), 'little')
    blob.seek(start)
    return blob.read(int.from_bytes(index.read(4), 'little') - start)
"""

LOAD_EACH_SCRIPT = """
import tflm, gc
""" + READ_PART + """
good = {good!r}
if good:
    good_model = open('good.tflite', 'rb').read()
def case(k):
    try:
        it = tflm.Interpreter(part(k))
        if {invoke!r}:
            for i in range(len(it.inputs)):
                it.set_input(bytes(it.input(i).nbytes), i)
            it.invoke()
        print('RESULT', k, 'accepted')
        it.close()
    except Exception as e:
        print('ERR', k, type(e).__name__, str(e).replace('\\n', ' '))
def run_good(k):
    it = tflm.Interpreter(good_model)
    for i in range(len(good)):
        it.set_input(bytes.fromhex(good[i]), i)
    it.invoke()
    print('GOOD', k, bytes(it.get_output(0)).hex())
    it.close()
for k in range({n}):
    case(k)
    gc.collect()
    if good:
        run_good(k)
"""


def load_each(target, models, invoke=False, good=None):
    """Loads each model (bytes) on the target, all in one script; with
    invoke=True each loaded model is also invoked once with zeroed inputs.
    Returns per model "accepted" or "ExceptionType: message".

    With good=(model, inputs), that valid model is run on `inputs` after each
    case (the firmware must still work); each entry is then a pair (result,
    hex of the good model's first output)."""
    skip_unless_fits(target, models, need=len)
    files = _blob(models)
    good_inputs = []
    if good is not None:
        files["good.tflite"] = bytes(good[0])
        good_inputs = [np.ascontiguousarray(x).tobytes().hex() for x in good[1]]
    out = target.run(LOAD_EACH_SCRIPT.format(n=len(models), invoke=invoke, good=good_inputs), files=files)
    results, goods = [None] * len(models), [None] * len(models)
    for line in out.splitlines():
        tag, _, rest = line.partition(" ")
        k, _, rest = rest.partition(" ")
        if tag == "RESULT":
            results[int(k)] = rest
        elif tag == "ERR":
            results[int(k)] = _error(rest)
        elif tag == "GOOD":
            goods[int(k)] = rest.strip()
    return list(zip(results, goods)) if good is not None else results


def check_numpy(target, cases, want):
    """Runs (model, inputs) cases without the oracle; each first output must
    equal the numpy array in `want` (on a board with little RAM: the cases
    that fit, see run_fitting)."""
    ran, got, done = run_fitting(target, cases, run_raw_each)
    for g, w in zip(got, [want[i] for i in ran]):
        assert not isinstance(g, str), g
        np.testing.assert_array_equal(np.frombuffer(g[0], w.dtype), w.reshape(-1))
    done()


def check_sweep(target, cases_and_ids, float_tol=1e-5):
    """check_cases on the (cases, ids) pair a sweep generator returns."""
    cases, ids = cases_and_ids
    check_cases(target, cases, float_tol=float_tol, ids=ids)


def check_loads(target, cases):
    """load_each with invoke=True on (name, model, want) cases, where want is
    "accepted", an exception class name, or None for either ValueError or
    NotImplementedError; a refusal must come with a message. One assertion
    listing every case that went otherwise."""
    got = load_each(target, [m for _, m, _ in cases], invoke=True)
    problems = []
    for (name, _, want), g in zip(cases, got):
        if g is None:
            problems.append(f"{name}: no result")
        elif want == "accepted":
            if g != want:
                problems.append(f"{name}: expected acceptance, got {g}")
        elif want is not None and not g.startswith(want + ": "):
            problems.append(f"{name}: expected {want}, got {g}")
        elif want is None and not g.startswith(("ValueError: ", "NotImplementedError: ")):
            problems.append(f"{name}: {g}")
        elif len(g.split(": ", 1)[1]) < 5:
            problems.append(f"{name}: no message")
    assert not problems, "\n".join(problems)


RAW_SCRIPT = """
import tflm, gc
""" + READ_PART + PRINT_OUTPUTS + READ_INPUTS + """
def case(k, batches):
    try:
        it = tflm.Interpreter(part(k))
    except Exception as e:
        print('ERR', k, '-', type(e).__name__, str(e).replace('\\n', ' '))
        skip_inputs(sum(n for n in batches if n > 0))
        return
    for b, n in enumerate(batches):
        if n < 0:
            it.reset()
            print('OUT %d %d' % (k, b))
            continue
        try:
            set_inputs(it, n)
            it.invoke()
        except Exception as e:
            print('ERR', k, b, type(e).__name__, str(e).replace('\\n', ' '))
            continue
        print_outputs('OUT %d %d' % (k, b), it, len(it.outputs))
    it.close()
sizes = {sizes!r}
at = 0
for k in range({n}):
    case(k, sizes[at + 1:at + 1 + sizes[at]])
    at += 1 + sizes[at]
    gc.collect()
"""


def run_raw(target, cases):
    """Runs models without asking the oracle anything (it may not accept
    them), all in one script (boards with little RAM: a few at a time).

    `cases` is a list of (model bytes, batches), `batches` a list of input
    lists (arrays or bytes; each batch is set and invoked on the same
    interpreter, one after the other; a batch None resets the interpreter,
    its result []). Returns per case either the string
    "ExceptionType: message" when constructing the interpreter raised, or
    per batch either the list of the raw bytes of every output or the
    string "ExceptionType: message" when setting the inputs or invoke raised.
    """
    skip_unless_fits(target, [m for m, _ in cases])
    results = [[None] * len(batches) for _, batches in cases]
    first, text = 0, ""
    # All in one script, or on a board with little RAM as many as its data
    # budget allows.
    for part in _pieces(cases, lambda c: ENTRY_BYTES + 4 * len(c[1]), target.data_budget):
        files = _blob([m for m, _ in part])
        files[INPUTS_FILE] = _inputs_file(inputs for _, batches in part for inputs in batches if inputs is not None)
        # Per case: its batch count, then each batch's input count (-1: reset).
        sizes = tuple(n for _, batches in part
                      for n in [len(batches)] + [-1 if ins is None else len(ins) for ins in batches])
        text = target.run(RAW_SCRIPT.format(n=len(part), sizes=sizes), files=files)
        for line in text.splitlines():
            parts = line.split(" ", 3)
            if parts[0] not in ("OUT", "ERR") or len(parts) < 3:
                continue
            k = first + int(parts[1])
            if parts[0] == "ERR" and parts[2] == "-":
                results[k] = _error(parts[3])
            elif parts[0] == "ERR":
                results[k][int(parts[2])] = _error(parts[3])
            else:
                results[k][int(parts[2])] = [_unhex(h) for h in (parts[3] if len(parts) > 3 else "").split()]
        first += len(part)
    missing = [k for k, r in enumerate(results) if r is None or (not isinstance(r, str) and None in r)]
    assert not missing, f"no result for cases {missing[:10]}; device said:\n{text[-2000:]}"
    return results


def run_raw_each(target, cases):
    """run_raw for one input set per case: `cases` is a list of (model,
    inputs); returns per case the list of output bytes or the error string
    (of loading or of invoking)."""
    got = run_raw(target, [(m, [ins]) for m, ins in cases])
    return [g if isinstance(g, str) else g[0] for g in got]


COMPARE_SCRIPT = """
import tflm, gc
for name in {names!r}:
    it = tflm.Interpreter(name + '.tflite')
    it.set_input(open(name + '.in', 'rb').read(), 0)
    it.invoke()
    out = bytes(it.get_output(0))
    want = open(name + '.want', 'rb').read()
    bad = -1
    if len(out) == len(want):
        n = {size}
        bad = 0 if out == want else sum(1 for i in range(0, len(out), n) if out[i:i + n] != want[i:i + n])
    print('RESULT', name, bad)
    del it
    gc.collect()
"""


def compare_on_target(target, cases, itemsize):
    """For large data: `cases` is a list of (name, model, input array, expected
    output array) for one-input models; inputs and expected outputs travel as
    files and the comparison runs on the target. Returns {name: number of
    differing elements of `itemsize` bytes, -1 for a size mismatch}."""
    skip_unless_fits(target, [c[1] for c in cases])
    files = {}
    for name, model, x, want in cases:
        files[name + ".tflite"] = bytes(model)
        files[name + ".in"] = np.ascontiguousarray(x).tobytes()
        files[name + ".want"] = np.ascontiguousarray(want).tobytes()
    out = target.run(COMPARE_SCRIPT.format(names=[c[0] for c in cases], size=itemsize), files=files)
    results = {}
    for line in out.splitlines():
        parts = line.split()
        if parts[:1] == ["RESULT"]:
            results[parts[1]] = int(parts[2])
    return results


# ---------------------------------------------------------------------------
# Reference data and arithmetic shared by the op tests


def read_csv_ints(path, dtype=np.int64):
    """The integers of a golden/input CSV file of the tflite-micro integration
    models (comma- and newline-separated), as a flat array of `dtype`."""
    with open(path) as f:
        return np.array([int(v) for v in f.read().replace("\n", ",").split(",") if v.strip()], dtype)


def extract_layers(data, op_names):
    """[(op name, single-op model bytes)] for each op of `data`'s first
    subgraph whose builtin name is in `op_names`: the op with its tensors,
    original weights, quantization and options; its non-constant inputs
    become the model's inputs."""
    src = unpack_model(data)
    sg = src.subgraphs[0]
    out = []
    for op in sg.operators:
        oc = src.operatorCodes[op.opcodeIndex]
        name = BUILTIN_OP_NAMES.get(max(oc.builtinCode, oc.deprecatedBuiltinCode))
        if name not in op_names:
            continue
        m = copy.deepcopy(src)
        used = [i for i in list(op.inputs) + list(op.outputs) if i >= 0]
        remap = {t: k for k, t in enumerate(dict.fromkeys(used))}
        tensors, buffers = [], [m.buffers[0]]
        for t in remap:
            tt = copy.deepcopy(sg.tensors[t])
            if tt.buffer and m.buffers[tt.buffer].data is not None and len(m.buffers[tt.buffer].data):
                buffers.append(m.buffers[tt.buffer])
                tt.buffer = len(buffers) - 1
            else:
                tt.buffer = 0
            tensors.append(tt)
        new_op = copy.deepcopy(op)
        new_op.inputs = [remap[i] if i >= 0 else -1 for i in op.inputs]
        new_op.outputs = [remap[i] for i in op.outputs]
        new_op.opcodeIndex = 0
        m.operatorCodes = [src.operatorCodes[op.opcodeIndex]]
        g = m.subgraphs[0]
        g.tensors, g.operators = tensors, [new_op]
        g.inputs = [remap[i] for i in op.inputs if i >= 0 and tensors[remap[i]].buffer == 0]
        g.outputs = [remap[i] for i in op.outputs]
        m.subgraphs = [g]
        m.buffers = buffers
        m.signatureDefs = None
        m.metadata = None
        m.metadataBuffer = None
        out.append((name, pack_model(m)))
    return out


# Python copies of TFLite's QuantizeMultiplier and 32-bit
# MultiplyByQuantizedMultiplier (double rounding), for expected values and
# for picking test data.
def qparams(rng, dtype, scale_range=None, zp_range=(-40, 40)):
    """(scale, zero_point) for a quantized activation, None for float/int32."""
    if dtype == "int8":
        lo, hi = scale_range or (0.004, 0.08)
        return float(rng.uniform(lo, hi)), int(rng.integers(*zp_range))
    if dtype == "int16":
        lo, hi = scale_range or (1e-4, 2e-3)
        return float(rng.uniform(lo, hi)), 0
    return None


def quantize_multiplier(real):
    """(31-bit fixed-point multiplier, shift) of a real multiplier; (0, 0)
    for 0 or a multiplier too small to represent."""
    q, e = math.frexp(real)
    qf = int(math.floor(q * 2**31 + 0.5))
    if qf == 2**31:
        qf //= 2
        e += 1
    return (0, 0) if e < -31 else (qf, e)


def multiply_by_quantized_multiplier(x, m, shift):
    x *= 1 << max(shift, 0)
    if x == m == -(2**31):
        h = 2**31 - 1
    else:
        t = x * m + ((1 << 30) if x * m >= 0 else 1 - (1 << 30))
        h = t // 2**31 if t >= 0 else -((-t) // 2**31)
    e = max(-shift, 0)
    mask = (1 << e) - 1
    return (h >> e) + (1 if (h & mask) > (mask >> 1) + (1 if h < 0 else 0) else 0)


# Models in place or copied (test_romfs.py, test_frozen_models.py): one
# interpreter per case, made in a function and closed, so that no stale
# reference keeps the one before alive while the heap is measured. HEAP:
# bytes the heap grew by while the interpreter was made, and its arena.
HEAP_SCRIPT = """
import tflm, gc
""" + PRINT_OUTPUTS + READ_INPUTS + """
{setup}
def run(tag, make):
    gc.collect()
    before = gc.mem_alloc()
    it = tflm.Interpreter(make())
    gc.collect()
    print('HEAP', tag, gc.mem_alloc() - before, it.arena_used)
    inputs.seek(0)
    set_inputs(it, {n_in})
    it.invoke()
    print_outputs('OUT ' + tag, it, {n_out})
    it.close()
{runs}
"""


def run_heap_cases(target, model, cases, files=None, setup=""):
    """Runs `cases` ({tag: expression making the model argument on the
    board) on one input set, after `setup` (code); checks each output
    against the oracle and returns ({tag: (heap growth, arena_used)}, the
    board's output)."""
    batches = random_inputs(model, 1, seed=3)
    want = oracle(model, batches)
    ins, outs = io_details(model)
    runs = "\n".join(f"run({tag!r}, lambda: {expr})" for tag, expr in cases.items())
    script = HEAP_SCRIPT.format(setup=setup, n_in=len(ins), n_out=len(outs), runs=runs)
    text = target.run(script, files={**(files or {}), INPUTS_FILE: _inputs_file(batches)})
    heap, got = {}, {}
    for line in text.splitlines():
        parts = line.split()
        if parts[:1] == ["HEAP"]:
            heap[parts[1]] = (int(parts[2]), int(parts[3]))
        elif parts[:1] == ["OUT"]:
            hexes = parts[2:] + [""] * (len(outs) - len(parts[2:]))
            got[parts[1]] = [[np.frombuffer(_unhex(h), dtype=d["dtype"]).reshape(d["shape"])
                               for h, d in zip(hexes, outs)]]
    assert set(got) == set(cases), f"cases without output; device said:\n{text[-2000:]}"
    for tag in cases:
        assert_match(got[tag], want, context=tag)
    return heap, text


def check_in_place(heap, tag, model):
    grew, arena = heap[tag]
    # The interpreter object, the file object and the arena's block; far
    # below the model (10 % of it would be a partial copy).
    assert grew - arena < len(model) // 10, f"{tag}: heap grew by {grew} for a {len(model)}-byte model " \
        f"and a {arena}-byte arena: a copy?"


def check_copied(heap, tag, model):
    grew, arena = heap[tag]
    assert grew - arena >= len(model), f"{tag}: heap grew by {grew}, less than the {len(model)}-byte model " \
        f"plus the {arena}-byte arena: not read into RAM?"
