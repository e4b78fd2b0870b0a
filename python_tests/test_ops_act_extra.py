"""ELU (float32, int8), int16 LOGISTIC and TANH, and int16 LEAKY_RELU over
the whole int16 range, against the oracle: integers bit-exact, floats within
1e-5.

int16 LOGISTIC/TANH interpolate in TFLM's sigmoid table (measured by
tools/gen_int16_act_tables.py): every one of the 65,536 inputs is checked,
one model per input scale, at the power-of-two scales TFLM takes with a plain
multiply (2^-12, and 2^-11 for TANH), at scales within and just outside its
1e-3 tolerance of those, and at scales it rescales with a 16-bit multiplier.
These large cases travel as files and are compared on the target.
"""
import numpy as np

from harness import check_loads, check_sweep, compare_on_target, oracle
from tflite_builder import ModelBuilder

ALL_INT16 = np.arange(-32768, 32768, dtype=np.int16)
OUT16 = (2.0 ** -15, 0)


def unary(op, dtype, shape, in_q=None, out_q=None, options=None, version=1):
    b = ModelBuilder()
    x = b.tensor(shape, dtype, **({} if in_q is None else dict(scale=in_q[0], zero_point=in_q[1])))
    y = b.tensor(shape, dtype, **({} if out_q is None else dict(scale=out_q[0], zero_point=out_q[1])))
    b.op(op, [x], [y], options=options, version=version)
    b.inputs([x])
    b.outputs([y])
    return b.build()


def every_int8(rng, shape):
    """Every int8 value (repeated to fill `shape`) in random order."""
    return np.resize(rng.permutation(np.arange(-128, 128, dtype=np.int8)), shape).astype(np.int8)


def check_all_int16(target, cases):
    """cases: (label, model) of one-input int16 models over [65536]; each runs
    on every int16 value and must equal the oracle element for element."""
    bad = []
    # Three cases (768 KB of files) at a time: what an emulated board's RAM
    # disk holds.
    for k in range(0, len(cases), 3):
        # Plain file names on the board; the labels for the messages.
        group = [(f"all16_{k + i}", label, model) for i, (label, model) in enumerate(cases[k:k + 3])]
        results = compare_on_target(target, [(f, model, ALL_INT16, oracle(model, [[ALL_INT16]])[0][0])
                                             for f, _, model in group], itemsize=2)
        bad += [f"{label}: {results.get(f, 'no result')} of 65536 differ" for f, label, _ in group
                if results.get(f) != 0]
    assert not bad, "\n".join(bad)


# ---------------------------------------------------------------------------
# ELU

SHAPES = [(7,), (3, 5), (2, 3, 4), (1, 2, 3, 4), (2, 1, 2, 3, 2)]
# (input scale, zero point, output scale, zero point)
ELU_Q = [(0.05, 0, 0.05, 0), (0.1, 20, 0.02, -100), (0.013, -128, 0.011, 127), (0.3, 100, 0.25, -3),
         (0.004, 5, 0.03, 60), (0.02, -50, 0.007, 90), (1.7, 0, 0.9, -128)]


def elu_cases(sweep):
    rng = np.random.default_rng(1100)
    cases, ids = [], []
    for shape in SHAPES:
        x = (rng.standard_normal(shape) * 4).astype(np.float32)
        cases.append((unary("ELU", "float32", shape), [[x]]))
        ids.append(f"ELU-float32-{shape}")
    # Edge values: zeros, tiny and huge magnitudes, NaN and infinities.
    x = np.array([0.0, -0.0, 1e-8, -1e-8, -1e-30, 88.0, -88.0, -1e30, 1e30, np.nan, np.inf, -np.inf, -0.5, 0.5],
                 np.float32)
    cases.append((unary("ELU", "float32", x.shape), [[x]]))
    ids.append("ELU-float32-edges")
    qs = ELU_Q if sweep == "full" else ELU_Q[:4]
    for i, (si, zi, so, zo) in enumerate(qs):
        shape = (256,) if i % 2 else (4, 8, 8)
        cases.append((unary("ELU", "int8", shape, (si, zi), (so, zo)), [[every_int8(rng, shape)]]))
        ids.append(f"ELU-int8-{si},{zi}->{so},{zo}")
    # An output scale so fine that most results leave the int32 range: TFLM
    # converts float to int32 there the way its x86 host does.
    cases.append((unary("ELU", "int8", (256,), (0.5, 3), (1e-9, -7)), [[every_int8(rng, (256,))]]))
    ids.append("ELU-int8-int32-overflow")
    if sweep == "full":
        for k in range(40):
            q = (float(10 ** rng.uniform(-3, 0.5)), int(rng.integers(-128, 128)),
                 float(10 ** rng.uniform(-3, 0.5)), int(rng.integers(-128, 128)))
            cases.append((unary("ELU", "int8", (256,), q[:2], q[2:]), [[every_int8(rng, (256,))]]))
            ids.append(f"ELU-int8-rand{k}-{q}")
    return cases, ids


def test_elu(target, sweep):
    check_sweep(target, elu_cases(sweep))


# ---------------------------------------------------------------------------
# int16 LOGISTIC and TANH

# Input scales checked on all inputs. fast: the special cases and one
# rescaled scale per op; full: the rest.
SIG16_FAST = [("LOGISTIC", 2.0 ** -12), ("LOGISTIC", 0.00037), ("TANH", 2.0 ** -12), ("TANH", 2.0 ** -11),
              ("TANH", 0.0042)]
SIG16_MORE = [2.0 ** -12 * 1.0004, 2.0 ** -11 * 0.9996, 2.0 ** -12 * 1.0008, 2.0 ** -11, 1 / 6144, 3 / 32768,
              2.0 ** -10, 2.0 ** -13, 2.0 ** -15, 0.000123, 0.001, 0.0042, 0.00037, 0.5, 1.0, 2.6, 5.3, 1e-9]


def test_sigmoid16_every_input(target, sweep):
    cases = list(SIG16_FAST)
    if sweep == "full":
        cases += [(op, s) for op in ("LOGISTIC", "TANH") for s in SIG16_MORE if (op, s) not in SIG16_FAST]
    check_all_int16(target, [(f"{op}-{s:.6g}", unary(op, "int16", (65536,), (s, 0), OUT16, version=3))
                             for op, s in cases])


def sigmoid16_shape_cases(sweep):
    """Small tensors of every rank, random data (extremes included)."""
    rng = np.random.default_rng(1200)
    cases, ids = [], []
    for op in ("LOGISTIC", "TANH"):
        for i, shape in enumerate(SHAPES):
            s = (2.0 ** -12, 0.0007, 2.0 ** -11, 0.00002, 0.01)[i]
            x = rng.integers(-32768, 32768, size=shape).astype(np.int16)
            x.reshape(-1)[:3] = [-32768, 0, 32767]
            cases.append((unary(op, "int16", shape, (s, 0), OUT16, version=3), [[x]]))
            ids.append(f"{op}-int16-{shape}-{s}")
    return cases, ids


def test_sigmoid16_shapes(target, sweep):
    check_sweep(target, sigmoid16_shape_cases(sweep))


# ---------------------------------------------------------------------------
# int16 LEAKY_RELU over the whole input range

# (alpha, input scale, output scale[, input and output zero points]). The
# first three are the parameters of
# tflite-micro's integration models leaky_relu11, leaky_relu18 and
# leaky_relu3, where TFLM (multipliers from the scale ratios in double)
# and TFLite (in float) differ by one on some inputs.
LEAKY16_FAST = [(0.3, 0.00050812, 0.00045648), (0.3, 0.02002249, 0.01720116), (0.3, 0.0142143, 0.00595885)]


def leaky16_configs(sweep):
    configs = list(LEAKY16_FAST)
    rng = np.random.default_rng(1300)
    for _ in range(2 if sweep == "fast" else 24):
        s_in = float(10 ** rng.uniform(-4, -1))
        configs.append((float(rng.uniform(-3, 3)), s_in, float(s_in * 10 ** rng.uniform(-0.7, 0.7))))
    configs.append((-1.2, 0.0005, 0.002, (-3000, 2000)))
    if sweep == "full":
        configs += [(0.0, 0.001, 0.001), (1.0, 0.001, 0.0003), (-1.0, 0.002, 0.002), (7.5, 0.0001, 0.002),
                    (0.3, 0.001, 0.0007, (100, -50))]
    return configs


def test_leaky_relu16_every_input(target, sweep):
    cases = []
    for a, si, so, *zps in leaky16_configs(sweep):
        zi, zo = zps[0] if zps else (0, 0)
        cases.append((f"LEAKY_RELU-{a:.4g}-{si:.4g},{zi}->{so:.4g},{zo}",
                      unary("LEAKY_RELU", "int16", (65536,), (si, zi), (so, zo), dict(alpha=a), version=2)))
    check_all_int16(target, cases)


# ---------------------------------------------------------------------------
# Empty tensors (the oracle refuses them): loaded and invoked, they do nothing


def test_empty_tensors(target):
    check_loads(target, [
        ("elu-float32", unary("ELU", "float32", (0, 3)), "accepted"),
        ("elu-int8", unary("ELU", "int8", (0, 3), (0.1, 0), (0.1, 0)), "accepted"),
        ("logistic-int16", unary("LOGISTIC", "int16", (2, 0), (2.0 ** -12, 0), OUT16, version=3), "accepted"),
        ("tanh-int16", unary("TANH", "int16", (0,), (0.001, 0), OUT16, version=3), "accepted"),
    ])
