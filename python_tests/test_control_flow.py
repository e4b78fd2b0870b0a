"""Models of several subgraphs: IF, WHILE and CALL_ONCE, and resource
variables (VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE) whose state carries
over from one invoke to the next.

The converter's models (models/ops: cond, while_loop, accumulate,
ring_buffer; float32 and int8) run a sequence of invokes with a reset() in
the middle, on one interpreter, against the oracle doing the same; the
state's arithmetic is also checked on its own (a running sum, the trip
count of a data-dependent loop, a ring buffer's window). Edited models:
calls nested as deep as the runtime allows (and one deeper, refused), two
ops calling the same subgraphs, a subgraph nothing calls. The exact arena
(arena_size=0) holds for them too. The malformed ones are in
malformed_control_flow.py.
"""
import numpy as np
import pytest

from conftest import project_model
from harness import assert_match, io_details, load_each, oracle, random_inputs, ram_need, run_raw, skip_unless_fits
from malformed_control_flow import MAX_CALL_DEPTH, call_chain, shared_branches, unreachable_subgraph
from tflite_builder import ModelBuilder, pack_model, schema, unpack_model

MODELS = [f"{name}_{variant}" for name in ("cond", "while_loop", "accumulate", "ring_buffer")
          for variant in ("float", "int8")]
FLOAT_TOL = 1e-5


def model_bytes(name):
    return project_model("ops", name + ".tflite")


def as_arrays(model, got):
    """run_raw's raw output bytes per batch -> arrays shaped as `model`'s
    outputs (a reset's entry stays [])."""
    _, outs = io_details(model)
    assert not isinstance(got, str), got
    arrays = []
    for g in got:
        assert not isinstance(g, str), g
        arrays.append([np.frombuffer(b, d["dtype"]).reshape(d["shape"]) for b, d in zip(g, outs)])
    return arrays


def ram_with_tables(model):
    """harness.ram_need with the tables counted, single-subgraph models too."""
    return ram_need(model, tables=True)


def run_sequences(target, cases):
    """cases: [(model, batches)] -> per case the outputs of each batch."""
    skip_unless_fits(target, [m for m, _ in cases], need=ram_with_tables)
    return [as_arrays(m, g) for (m, _), g in zip(cases, run_raw(target, cases))]


def output_index(model, result):
    """The model output that is the tf.function's result `result` (the
    SavedModel path names outputs "...:<k>" in its own order)."""
    g = unpack_model(model).subgraphs[0]
    names = [g.tensors[t].name.decode() for t in g.outputs]
    return next(i for i, n in enumerate(names) if n.endswith(":%d" % result))


@pytest.mark.parametrize("name", MODELS)
def test_sequence_with_reset_matches_oracle(target, name):
    model = model_bytes(name)
    batches = random_inputs(model, 7, seed=77)
    batches.insert(4, None)
    got = run_sequences(target, [(model, batches)])[0]
    want = oracle(model, batches)
    assert got[4] == [] and want[4] == []
    assert_match(got, want, float_rtol=FLOAT_TOL, float_atol=FLOAT_TOL, context=name)


def test_accumulate_state_arithmetic(target):
    """total <- total / 2 + x and steps <- steps + 1 per invoke, from the
    init subgraph's 0.25 and 1; outputs total and total * steps. reset()
    zeroes both and, as in TFLM, the CALL_ONCE init subgraph does not run
    again."""
    model = model_bytes("accumulate_float")
    rng = np.random.default_rng(5)
    xs = [rng.uniform(-1, 1, (1, 6)).astype(np.float32) for _ in range(5)]
    batches = [[xs[0]], [xs[1]], [xs[2]], None, [xs[3]], [xs[4]]]
    got = run_sequences(target, [(model, batches)])[0]
    total_at, scaled_at = output_index(model, 0), output_index(model, 1)
    total, steps = np.full((1, 6), 0.25, np.float32), np.float32(1.0)
    for k, batch in enumerate(batches):
        if batch is None:
            total, steps = np.zeros((1, 6), np.float32), np.float32(0.0)
            continue
        total = total * np.float32(0.5) + batch[0]
        steps = steps + np.float32(1.0)
        np.testing.assert_allclose(got[k][total_at], total, rtol=1e-6, atol=1e-6, err_msg=f"invoke {k}")
        np.testing.assert_allclose(got[k][scaled_at], total * steps, rtol=1e-6, atol=1e-6, err_msg=f"invoke {k}")


def loop_count(x):
    """The while_loop model's trip count, in float32 as the model computes."""
    v, i = x.astype(np.float32), 0
    while np.sum(np.abs(v), dtype=np.float32) < np.float32(50.0):
        v = v * np.float32(1.25) + np.float32(0.25) if v.max() > np.float32(0.5) else v + np.float32(0.75)
        i += 1
    return i


def test_while_trip_count_follows_the_data(target):
    model = model_bytes("while_loop_float")
    batches = random_inputs(model, 12, seed=3)
    got = run_sequences(target, [(model, batches)])[0]
    _, outs = io_details(model)
    count_at = next(i for i, d in enumerate(outs) if d["dtype"] == np.int32)
    counts = [int(g[count_at]) for g in got]
    assert counts == [loop_count(b[0]) for b in batches]
    assert len(set(counts)) > 1, counts


def test_ring_buffer_window(target):
    """The output depends on the last 5 frames only: two streams that differ
    only in their first frame agree from the sixth frame on, and not before;
    after reset() the window is empty again (the init value, zeros)."""
    model = model_bytes("ring_buffer_float")
    rng = np.random.default_rng(9)
    frames = [rng.uniform(-1, 1, (1, 4)).astype(np.float32) for _ in range(7)]
    a = [[frames[0]]] + [[f] for f in frames[2:7]] + [None, [frames[0]]]
    b = [[frames[1]]] + [[f] for f in frames[2:7]]
    got_a, got_b = run_sequences(target, [(model, a), (model, b)])
    assert not np.array_equal(got_a[4][0], got_b[4][0])
    assert np.array_equal(got_a[5][0], got_b[5][0])
    assert np.array_equal(got_a[7][0], got_a[0][0])


def int8_state_model():
    """One subgraph, no CALL_ONCE: an int8 variable read, added to the
    input, assigned back; outputs what was read and the sum. Its storage is
    sized by the ASSIGN_VARIABLE and starts at (and reset() restores) that
    value's zero point, 5: a read of 0.0 before anything is assigned."""
    b = ModelBuilder()
    x = b.tensor([1, 4], "int8", scale=0.1, zero_point=-3, name="x")
    handle = b.tensor([], "int32", name="handle")
    read = b.tensor([1, 4], "int8", scale=0.1, zero_point=5, name="read")
    total = b.tensor([1, 4], "int8", scale=0.1, zero_point=5, name="total")
    b.op("VAR_HANDLE", [], [handle], omit_options=True)
    b.op("READ_VARIABLE", [handle], [read], omit_options=True)
    b.op("ADD", [read, x], [total])
    b.op("ASSIGN_VARIABLE", [handle, total], [], omit_options=True)
    b.inputs([x])
    b.outputs([read, total])
    m = unpack_model(b.build())
    g = m.subgraphs[0]
    g.tensors[handle].type = schema.TensorType.RESOURCE
    op = g.operators[0]
    op.builtinOptionsType = schema.BuiltinOptions.VarHandleOptions
    op.builtinOptions = schema.VarHandleOptionsT()
    op.builtinOptions.container, op.builtinOptions.sharedName = "", "state"
    return pack_model(m)


def test_int8_variable_starts_at_zero_point(target):
    model = int8_state_model()
    batches = random_inputs(model, 5, seed=21)
    batches.insert(3, None)
    got = run_sequences(target, [(model, batches)])[0]
    assert_match(got, oracle(model, batches), context="int8 state")
    assert (got[0][0] == 5).all() and (got[4][0] == 5).all()
    assert (got[1][0] == got[0][1]).all()


@pytest.mark.parametrize("case", ["depth-limit", "shared-branches", "unreachable"])
def test_edited_models_match_oracle(target, case):
    model = {"depth-limit": lambda: call_chain(MAX_CALL_DEPTH), "shared-branches": shared_branches,
             "unreachable": unreachable_subgraph}[case]()
    # The wheel crashes on a subgraph nothing calls (its planner leaves that
    # subgraph's tensors without a lifetime): the model without it is the
    # reference there.
    reference = model_bytes("cond_float") if case == "unreachable" else model
    batches = random_inputs(reference, 6, seed=11)
    skip_unless_fits(target, [model], need=ram_with_tables)
    got = as_arrays(reference, run_raw(target, [(model, batches)])[0])
    assert_match(got, oracle(reference, batches), float_rtol=FLOAT_TOL, float_atol=FLOAT_TOL, context=case)


def test_nesting_over_the_limit_refused(target):
    skip_unless_fits(target, [call_chain(MAX_CALL_DEPTH + 1)], need=ram_with_tables)
    got = load_each(target, [call_chain(MAX_CALL_DEPTH + 1)])[0]
    assert got.startswith("ValueError: ") and "deeper than %d" % MAX_CALL_DEPTH in got, got


EXACT_ARENA = """
import tflm
for name in {names!r}:
    it = tflm.Interpreter(name)
    n = it.arena_used
    del it
    ok = tflm.Interpreter(name, arena_size=n).arena_used
    try:
        tflm.Interpreter(name, arena_size=n - 1)
        short = 'accepted'
    except MemoryError as e:
        short = str(e)
    print('ARENA', name, n, ok, short.replace(' ', '_'))
"""


@pytest.mark.needs_ram(32 * 1024, "the eight models in one script")
def test_exact_arena(target):
    """arena_size=0 finds the exact size: the model loads in that many
    bytes, and one byte less is refused naming it."""
    files = {name + ".tflite": model_bytes(name) for name in MODELS}
    out = target.run(EXACT_ARENA.format(names=sorted(files)), files=files)
    seen = 0
    for line in out.splitlines():
        if line.startswith("ARENA "):
            _, name, n, ok, short = line.split()
            assert int(ok) == int(n), line
            assert short.endswith("needs_%s" % n), line
            seen += 1
    assert seen == len(files), out


def test_ops_listed(target):
    out = target.run("import tflm\nprint(sorted(n for n in tflm.ops() if n in ("
                     "'IF', 'WHILE', 'CALL_ONCE', 'VAR_HANDLE', 'READ_VARIABLE', 'ASSIGN_VARIABLE')))\n")
    assert "['ASSIGN_VARIABLE', 'CALL_ONCE', 'IF', 'READ_VARIABLE', 'VAR_HANDLE', 'WHILE']" in out, out
