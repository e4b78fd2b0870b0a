"""SVDF, bit-exact with the oracle over sequences of invokes.

The activation state is a variable tensor: each invoke shifts it and adds a
time step, so every case runs several consecutive invokes in one
interpreter, on the target and in the oracle's interpreter alike (both keep
the state), and the outputs of every invoke are compared. The reset tests
then call reset() on both and run a sequence again: the state must start
from zero (int16) or the zero point (int8 state) as TFLM's.

The oracle crashes on an SVDF without bias (its prepare releases the
missing tensor), float or int8. We refuse int8 without bias (TFLM needs the
bias scale) and run float without bias, checked against a numpy model of
TFLM's float algorithm instead (test_float_no_bias_numpy).

Types: float32; int8 input and weights_feature with int16 weights_time and
state (the converter's full-integer SVDF) or int8 ones, int32 bias, int8
output. Also the shared keyword_scrambled models (SVDF stacks), over 10
invokes and a reset.
"""
import numpy as np
import pytest

from conftest import shared_model
from harness import assert_match, check_cases, oracle_with_reset, random_inputs, run_many, state_sequence
from harness import check_with_reset as harness_check_with_reset
from tflite_builder import ModelBuilder

ACTS = ["NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT"]


def svdf_model(dtype, batch, input_size, units, rank, memory, bias=True, act="NONE", state_dtype="int16",
               seed=0, zp=(5, -3, 0), out_scale=None, per_channel=False):
    """One SVDF op. dtype float32, or int8 with state_dtype int16 or int8;
    zp = zero points of input, output and (int8 state only) state."""
    rng = np.random.default_rng(seed)
    filters = units * rank
    b = ModelBuilder()
    opts = dict(rank=rank, fused_activation_function=act)
    if dtype == "float32":
        x = b.tensor((batch, input_size), "float32")
        wf = b.const(rng.uniform(-1, 1, (filters, input_size)).astype(np.float32))
        wt = b.const(rng.uniform(-1, 1, (filters, memory)).astype(np.float32))
        bs = b.const(rng.uniform(-1, 1, (units,)).astype(np.float32)) if bias else None
        st = b.tensor((batch, memory * filters), "float32", variable=True)
        y = b.tensor((batch, units), "float32")
        version = 1
    else:
        s_in, s_wf = 2 / 255, 0.5 / 127
        if state_dtype == "int16":
            s_st, z_st, s_wt, wt_max = 8 / 32767, 0, 1 / 32767, 32767
        else:
            s_st, z_st, s_wt, wt_max = 8 / 127, zp[2], 1 / 127, 127
        if out_scale is None:
            out_scale = 0.5 * float(np.sqrt(memory * rank)) * 8 / 127
        x = b.tensor((batch, input_size), "int8", scale=s_in, zero_point=zp[0])
        if per_channel:
            # TFLM uses the first channel's scale alone.
            scales = [s_wf * (1 + 0.25 * k) for k in range(filters)]
            wf = b.const(rng.integers(-127, 128, (filters, input_size)), "int8", scale=scales,
                         zero_point=[0] * filters, quantized_dim=0)
        else:
            wf = b.const(rng.integers(-127, 128, (filters, input_size)), "int8", scale=s_wf, zero_point=0)
        wt = b.const(rng.integers(-wt_max, wt_max + 1, (filters, memory)), state_dtype, scale=s_wt, zero_point=0)
        bs = (b.const(rng.integers(-20000, 20000, (units,)), "int32", scale=s_st * s_wt, zero_point=0)
              if bias else None)
        st = b.tensor((batch, memory * filters), state_dtype, scale=s_st, zero_point=z_st, variable=True)
        y = b.tensor((batch, units), "int8", scale=out_scale, zero_point=zp[1])
        version = 3
    b.op("SVDF", [x, wf, wt, bs, st], [y], options=opts, version=version)
    b.inputs([x])
    b.outputs([y])
    return b.build()


def fast_cases():
    """(name, model) covering types, ranks, units, memory sizes, batches,
    bias or none, every fused activation."""
    c = []
    for i, (batch, n_in, units, rank, memory) in enumerate(
            [(1, 4, 3, 1, 2), (2, 5, 4, 2, 3), (3, 7, 2, 3, 10), (1, 16, 8, 1, 1), (2, 3, 1, 4, 5)]):
        shape = f"b{batch}-in{n_in}-u{units}-r{rank}-m{memory}"
        c.append((f"float-{shape}", svdf_model("float32", batch, n_in, units, rank, memory, seed=i)))
        c.append((f"int8-int16-{shape}", svdf_model("int8", batch, n_in, units, rank, memory, seed=i)))
        c.append((f"int8-int8-{shape}", svdf_model("int8", batch, n_in, units, rank, memory, state_dtype="int8",
                                                     seed=i, zp=(-7, 4, 9 - 5 * i))))
    for j, act in enumerate(ACTS):
        c.append((f"float-{act}", svdf_model("float32", 2, 6, 3, 2, 4, act=act, seed=10 + j)))
    # TFLM's integer SVDF applies no fused activation.
    c.append(("int8-RELU-ignored", svdf_model("int8", 2, 6, 3, 2, 4, act="RELU", seed=20)))
    c.append(("int8-per-channel-weights", svdf_model("int8", 2, 5, 3, 2, 4, seed=24, per_channel=True)))
    # Saturation: tiny output scale (outputs at -128/127) and large inputs.
    c.append(("int8-saturating", svdf_model("int8", 2, 12, 4, 1, 3, seed=22, out_scale=0.001)))
    c.append(("int8-int8-saturating", svdf_model("int8", 1, 12, 4, 2, 3, state_dtype="int8", seed=23,
                                                  out_scale=0.002, zp=(0, -128, 127))))
    return c


def full_cases():
    rng = np.random.default_rng(99)
    c = []
    for k in range(40):
        batch, n_in, units, rank, memory = (int(rng.integers(1, 4)), int(rng.integers(1, 20)),
                                            int(rng.integers(1, 9)), int(rng.integers(1, 5)),
                                            int(rng.integers(1, 12)))
        dtype, state = [("float32", "int16"), ("int8", "int16"), ("int8", "int8")][k % 3]
        act = ACTS[k % len(ACTS)]
        zp = (int(rng.integers(-60, 60)), int(rng.integers(-60, 60)), int(rng.integers(-60, 60)))
        c.append((f"rand{k}-{dtype}-{state}", svdf_model(dtype, batch, n_in, units, rank, memory,
                                                         act=act,
                                                         state_dtype=state, seed=100 + k, zp=zp)))
    return c



@pytest.mark.parametrize("which", ["fast", "full"])
def test_svdf_sequences(target, sweep, which):
    if which == "full" and sweep != "full":
        pytest.skip("full sweep only")
    named = fast_cases() if which == "fast" else full_cases()
    cases = [(m, state_sequence(m, 6, seed=i)) for i, (_, m) in enumerate(named)]
    check_cases(target, cases, ids=[n for n, _ in named])


def numpy_svdf_float(x_seq, wf, wt, bias, rank, act):
    """TFLM's float SVDF in numpy (float32 throughout): shift the flat state
    left, write each filter's feature product into its newest slot, time
    products, per-unit sums of `rank` filters, activation."""
    batch = x_seq[0].shape[0]
    filters, memory = wt.shape
    state = np.zeros(batch * filters * memory, np.float32)
    outs = []
    for x in x_seq:
        state[:-1] = state[1:].copy()
        s = state.reshape(batch, filters, memory)
        s[:, :, memory - 1] = (x.astype(np.float32) @ wf.T).astype(np.float32)
        t = (s * wt[None]).sum(axis=2, dtype=np.float32)
        y = t.reshape(batch, filters // rank, rank).sum(axis=2, dtype=np.float32)
        if bias is not None:
            y = y + bias
        if act == "RELU6":
            y = np.clip(y, 0, 6)
        outs.append([y.astype(np.float32)])
    return outs


def test_float_no_bias_numpy(target):
    """Float SVDF with the bias omitted (input 3 is -1): the oracle crashes
    on it, so the expected values are numpy's (tolerance 1e-5: numpy sums in
    another order)."""
    rng = np.random.default_rng(7)
    batch, n_in, units, rank, memory = 2, 6, 3, 2, 4
    filters = units * rank
    wf = rng.uniform(-1, 1, (filters, n_in)).astype(np.float32)
    wt = rng.uniform(-1, 1, (filters, memory)).astype(np.float32)
    b = ModelBuilder()
    x = b.tensor((batch, n_in), "float32")
    st = b.tensor((batch, memory * filters), "float32", variable=True)
    y = b.tensor((batch, units), "float32")
    b.op("SVDF", [x, b.const(wf), b.const(wt), None, st], [y],
         options=dict(rank=rank, fused_activation_function="RELU6"), version=1)
    b.inputs([x])
    b.outputs([y])
    model = b.build()
    seq = [[rng.uniform(-2, 2, (batch, n_in)).astype(np.float32)] for _ in range(6)]
    want = numpy_svdf_float([s[0] for s in seq], wf, wt, None, rank, "RELU6")
    got = run_many(target, [(model, seq)], specs=[[(np.float32, (batch, units))]])[0]
    assert not isinstance(got, str), got
    assert_match(got, want, float_rtol=1e-5, float_atol=1e-5, context="float no bias")
    # The same numpy model agrees with the oracle when there is a bias.
    bias = rng.uniform(-1, 1, units).astype(np.float32)
    mb = ModelBuilder()
    x = mb.tensor((batch, n_in), "float32")
    st = mb.tensor((batch, memory * filters), "float32", variable=True)
    y = mb.tensor((batch, units), "float32")
    mb.op("SVDF", [x, mb.const(wf), mb.const(wt), mb.const(bias), st], [y],
          options=dict(rank=rank, fused_activation_function="RELU6"), version=1)
    mb.inputs([x])
    mb.outputs([y])
    from harness import oracle
    assert_match(numpy_svdf_float([s[0] for s in seq], wf, wt, bias, rank, "RELU6"),
                 oracle(mb.build(), seq), float_rtol=1e-5, float_atol=1e-5, context="numpy model vs oracle")


# ---------------------------------------------------------------------------
# reset(): sequences before and after, on one interpreter.

def check_with_reset(target, named, n, float_tol=1e-5):
    harness_check_with_reset(target, named, lambda k, model: state_sequence(model, n, seed=k), float_tol)


def test_svdf_reset(target):
    names = ("float-b2-in5-u4-r2-m3", "float-TANH", "int8-int16-b3-in7-u2-r3-m10", "int8-int8-b2-in5-u4-r2-m3",
             "int8-int8-saturating")
    named = [c for c in fast_cases() if c[0] in names]
    assert len(named) == len(names)
    check_with_reset(target, named, 5)


def test_state_changes_output(target):
    """The same input twice in a row gives different outputs (the state is
    carried), checked on the oracle so the sequence tests cannot pass with
    the state ignored."""
    model = svdf_model("int8", 1, 4, 3, 1, 3, seed=5)
    x = random_inputs(model, 1, seed=3)[0]
    want = oracle_with_reset(model, [x, x])
    assert not np.array_equal(want[0][0], want[1][0])
    check_cases(target, [(model, [x, x, x])])


# ---------------------------------------------------------------------------
# The shared keyword-spotting models (stacks of SVDF and FULLY_CONNECTED).

KEYWORD = ["keyword_scrambled.tflite", "keyword_scrambled_8bit.tflite"]


@pytest.mark.parametrize("name", KEYWORD)
def test_keyword_models_sequence(target, name):
    model = shared_model("tflm", name)
    check_with_reset(target, [(name, model)], 10)
