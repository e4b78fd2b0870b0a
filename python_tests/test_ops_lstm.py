"""UNIDIRECTIONAL_SEQUENCE_LSTM, bit-exact with the oracle over sequences of
invokes.

The hidden and cell states are variable tensors: every case runs several
consecutive invokes in one interpreter, on the target and in the oracle's
interpreter alike (both keep the state), and the outputs of every invoke are
compared; the reset tests then call reset() on both and run the sequence
again, which must give the first outputs again (an int8 hidden state starts
from its zero point).

Types: float32; int8 activations with int16 cell state (what the converter
makes, see models/ops: lstm_*.tflite, run by test_models.py too); int16
activations with int8 weights and int64 biases ("16x8": the converter cannot
make those, so only these one-op models). Batch-major and time-major, with
and without cell clip, zero points on the input, hidden state and weights,
cell scales 2^-11 .. 2^-16 and one not a power of two (TFLM rounds its log2),
saturating gates and cells. Peephole, projection, layer norm and CIFG LSTMs
are refused by TFLM and by us (malformed_lstm.py).

Floats: integers are compared exactly; floats within 1e-5 (relative and
absolute): the kernel does TFLM's float operations in TFLM's order, so the
host build gives TFLM's bits, but a board's libm expf/tanhf may differ from
the oracle's glibc by an ulp or two, and the recurrence carries that along
(the largest difference seen on the boards is printed by the test).
"""
import numpy as np
import pytest

from conftest import project_model, shared_model
from harness import check_cases, check_with_reset, oracle_with_reset, random_inputs, state_sequence
from tflite_builder import ModelBuilder

FLOAT_TOL = 1e-5


def lstm_model(kind, batch, steps, n_in, n_state, time_major=False, cell_clip=0.0, seed=0, zp=(0, 0), w_zp=0,
               cell_scale=2.0 ** -12, w_range=0.6, h_scale=None):
    """One UNIDIRECTIONAL_SEQUENCE_LSTM (no peephole, projection or layer
    norm). kind: "float32", "int8" (int16 cell, int32 biases) or "int16"
    (16x8: int8 weights, int64 biases); zp: input and hidden state zero
    points; w_zp: the weights' zero point; w_range: the weights' real range."""
    rng = np.random.default_rng(seed)
    b = ModelBuilder()
    x_shape = (steps, batch, n_in) if time_major else (batch, steps, n_in)
    y_shape = (steps, batch, n_state) if time_major else (batch, steps, n_state)
    if kind == "float32":
        x = b.tensor(x_shape, "float32")
        w = [b.const(rng.uniform(-w_range, w_range, (n_state, n)).astype(np.float32))
             for n in [n_in] * 4 + [n_state] * 4]
        bias = [b.const(rng.uniform(-0.5, 0.5, n_state).astype(np.float32)) for _ in range(4)]
        h = b.tensor((batch, n_state), "float32", variable=True)
        c = b.tensor((batch, n_state), "float32", variable=True)
        y = b.tensor(y_shape, "float32")
    else:
        act, qmax = (kind, 127) if kind == "int8" else (kind, 32767)
        s_x = 1.0 / qmax
        s_h = h_scale or 1.0 / qmax
        s_w = w_range / 127
        x = b.tensor(x_shape, act, scale=s_x, zero_point=zp[0])
        w = []
        for k, n in enumerate([n_in] * 4 + [n_state] * 4):
            q = rng.integers(-127, 128, (n_state, n)) + w_zp
            w.append(b.const(np.clip(q, -128, 127), "int8", scale=s_w, zero_point=w_zp))
        bdt = "int32" if kind == "int8" else "int64"
        bias = [b.const(np.round(rng.uniform(-0.5, 0.5, n_state) / (s_x * s_w)).astype(np.int64), bdt,
                        scale=s_x * s_w, zero_point=0) for _ in range(4)]
        h = b.tensor((batch, n_state), act, scale=s_h, zero_point=zp[1], variable=True)
        c = b.tensor((batch, n_state), "int16", scale=cell_scale, zero_point=0, variable=True)
        y = b.tensor(y_shape, act, scale=s_h, zero_point=zp[1])
    ins = [x] + w + [None] * 3 + bias + [None, None, h, c] + [None] * 4
    b.op("UNIDIRECTIONAL_SEQUENCE_LSTM", ins, [y],
         options=dict(fused_activation_function="TANH", cell_clip=cell_clip, time_major=time_major), version=1)
    b.inputs([x])
    b.outputs([y])
    return b.build()


def fast_cases():
    """(name, model): types, both layouts, shapes around 4 (the DSP dot
    product's step), batches, clips, zero points, cell scales, saturation."""
    c = []
    shapes = [(1, 3, 4, 4), (2, 4, 5, 7), (3, 2, 13, 9), (1, 5, 1, 1), (2, 3, 8, 16), (1, 2, 3, 2)]
    for i, (batch, steps, n_in, n_state) in enumerate(shapes):
        shape = f"b{batch}-t{steps}-in{n_in}-s{n_state}"
        tm = i % 2 == 1
        layout = "tm" if tm else "bm"
        c.append((f"float-{layout}-{shape}", lstm_model("float32", batch, steps, n_in, n_state, tm, seed=i)))
        c.append((f"int8-{layout}-{shape}", lstm_model("int8", batch, steps, n_in, n_state, tm, seed=i,
                                                         zp=(3 * i - 7, 5 - 2 * i))))
        c.append((f"int16-{layout}-{shape}", lstm_model("int16", batch, steps, n_in, n_state, tm, seed=i)))
    # The other layout for two shapes.
    c.append(("float-tm-b2-t3-in6-s5", lstm_model("float32", 2, 3, 6, 5, True, seed=20)))
    c.append(("int8-bm-b3-t2-in6-s5", lstm_model("int8", 3, 2, 6, 5, False, seed=21, zp=(-128, 127))))
    # Cell clip (float: in real units; integer: cell_clip / cell scale).
    c.append(("float-clip", lstm_model("float32", 2, 4, 5, 6, cell_clip=0.3, w_range=2.0, seed=22)))
    c.append(("int8-clip", lstm_model("int8", 2, 4, 5, 6, cell_clip=0.3, w_range=2.0, seed=23, zp=(1, -2))))
    c.append(("int16-clip", lstm_model("int16", 2, 4, 5, 6, cell_clip=0.25, w_range=2.0, seed=24)))
    # A clip beyond the cell's range: -32767 is its lower end (TFLM clips
    # to -q_clip), the converter's cell_clip 10 on a 2^-12 cell does that.
    c.append(("int8-clip-int16-range", lstm_model("int8", 1, 4, 6, 5, cell_clip=10.0, w_range=8.0, seed=25,
                                                  cell_scale=2.0 ** -13)))
    # Cell scales: tanh's input rescaling by a left shift, none, a rounding
    # right shift; a scale not a power of two (TFLM rounds its log2).
    for j, scale in enumerate([2.0 ** -11, 2.0 ** -15, 2.0 ** -16, 3.0e-4]):
        c.append((f"int8-cell-scale-{scale:.3g}", lstm_model("int8", 2, 3, 4, 6, seed=30 + j, cell_scale=scale,
                                                              w_range=1.5)))
    c.append(("int16-cell-scale-2^-15", lstm_model("int16", 2, 3, 4, 6, seed=35, cell_scale=2.0 ** -15)))
    # Weights with a zero point (TFLM applies it, though the converter
    # never makes one); saturating FCs and cells.
    c.append(("int8-weights-zp", lstm_model("int8", 2, 3, 7, 5, seed=40, w_zp=3, zp=(-5, 9))))
    c.append(("int16-weights-zp", lstm_model("int16", 2, 3, 7, 5, seed=41, w_zp=-2, zp=(7, -3))))
    c.append(("int8-saturating", lstm_model("int8", 2, 4, 9, 6, seed=42, w_range=40.0, cell_scale=2.0 ** -14,
                                            h_scale=0.002)))
    c.append(("int16-saturating", lstm_model("int16", 2, 4, 9, 6, seed=43, w_range=40.0, cell_scale=2.0 ** -14)))
    c.append(("float-large", lstm_model("float32", 2, 4, 9, 6, seed=44, w_range=40.0)))
    # int16 zero points (the converter makes none): the oracle's 16x8 FCs
    # apply the input's and hidden state's, as the int8 ones.
    c.append(("int16-zero-points", lstm_model("int16", 2, 3, 5, 4, seed=45, zp=(100, -50))))
    return c


def full_cases():
    rng = np.random.default_rng(99)
    c = []
    for k in range(40):
        batch, steps, n_in, n_state = (int(rng.integers(1, 4)), int(rng.integers(1, 6)), int(rng.integers(1, 20)),
                                       int(rng.integers(1, 20)))
        kind = ["float32", "int8", "int16"][k % 3]
        tm = bool(rng.integers(0, 2))
        clip = float(rng.choice([0.0, 0.2, 1.0]))
        zp = (int(rng.integers(-60, 60)), int(rng.integers(-60, 60))) if kind == "int8" else (0, 0)
        scale = 2.0 ** -int(rng.integers(10, 16))
        c.append((f"rand{k}-{kind}", lstm_model(kind, batch, steps, n_in, n_state, tm, cell_clip=clip, seed=100 + k,
                                                zp=zp, cell_scale=scale, w_range=float(rng.uniform(0.2, 3.0)))))
    return c



# On the 16 KiB micro:bit the sweep's LSTMs (state, 8 x state scratch) run
# out of heap beside the script, though each model alone is within the
# budget the sweep checks; the reset test below still runs the small ones.
@pytest.mark.needs_ram(32 * 1024, "the LSTM sweep's models with their state and scratch")
@pytest.mark.parametrize("which", ["fast", "full"])
def test_lstm_sequences(target, sweep, which):
    if which == "full" and sweep != "full":
        pytest.skip("full sweep only")
    named = fast_cases() if which == "fast" else full_cases()
    cases = [(m, state_sequence(m, 4, seed=i)) for i, (_, m) in enumerate(named)]
    check_cases(target, cases, float_tol=FLOAT_TOL, ids=[n for n, _ in named])


def test_lstm_reset(target):
    names = ("float-bm-b1-t3-in4-s4", "float-tm-b2-t4-in5-s7", "int8-tm-b2-t4-in5-s7", "int8-bm-b3-t2-in6-s5",
             "int16-bm-b3-t2-in13-s9", "int16-zero-points")
    named = [c for c in fast_cases() if c[0] in names]
    assert len(named) == len(names)
    check_with_reset(target, named, lambda k, model: state_sequence(model, 4, seed=k), FLOAT_TOL)


def test_state_changes_output(target):
    """The same input twice in a row gives different outputs (the state is
    carried), checked on the oracle so the sequence tests cannot pass with
    the state ignored; for each type."""
    cases = []
    for kind in ("float32", "int8", "int16"):
        model = lstm_model(kind, 1, 2, 3, 4, seed=5, zp=(0, 0))
        x = random_inputs(model, 1, seed=3)[0]
        want = oracle_with_reset(model, [x, x])
        assert not np.array_equal(want[0][0], want[1][0]), kind
        cases.append((model, [x, x, x]))
    check_cases(target, cases, float_tol=FLOAT_TOL)


# ---------------------------------------------------------------------------
# The shared TFLM example models (LSTM -> RESHAPE -> FULLY_CONNECTED ->
# SOFTMAX on 28x28 images) and the converter's models (models/ops).

SHARED = ["trained_lstm.tflite", "trained_lstm_int8.tflite"]
CONVERTED = ["lstm_float.tflite", "lstm_int8.tflite", "lstm_time_major_float.tflite", "lstm_time_major_int8.tflite"]


@pytest.mark.parametrize("name", SHARED)
def test_shared_models_sequence(target, name):
    model = shared_model("tflm", name)
    check_with_reset(target, [(name, model)], lambda k, m: state_sequence(m, 4, seed=7), FLOAT_TOL)


def test_converted_models_sequence(target):
    named = [(name, project_model("ops", name)) for name in CONVERTED]
    check_with_reset(target, named, lambda k, m: state_sequence(m, 5, seed=k), FLOAT_TOL)
