"""COMPARE family (EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS,
LESS_EQUAL, LOGICAL_AND, LOGICAL_OR, LOGICAL_NOT, SELECT_V2, with
broadcasting up to 6-D) and the ELEMENTWISE additions FLOOR_DIV, FLOOR_MOD
and ADD_N, bit-exact with the oracle (floats included: tolerance 0).

The types each op takes are the oracle's: test_oracle_types measures them
and checks the TYPES table the sweeps use. One exception: the oracle runs
int16 GREATER but never prepares its rescaling (its prepare sets the
parameters for int8 only), so every result is False; we rescale int16 as
TFLM's source does for int8 and as its current prepare does for int16, and
test_greater_int16 checks that against TFLM's arithmetic written out in
Python (harness.quantize_multiplier, multiply_by_quantized_multiplier).

Bool tensors cross to the device through the same path as every other type
(raw bytes); test_bool_int64_api also goes through the Python API (lists,
array('B'), array('q')).
"""
import numpy as np
import pytest

from harness import (check_cases, check_sweep, multiply_by_quantized_multiplier, oracle, quantize_multiplier, run_raw,
                     run_raw_each)
from malformed_compare import COMPARISONS, add_n_model, binary_model, logical_not_model, select_model
from test_ops_elementwise import SHAPES  # input shape pairs, ranks 0 to 6, with broadcasting

# Input types the oracle runs, per op (measured by test_oracle_types).
TYPES = {
    "EQUAL": ["float32", "int8", "int32", "int64", "bool"],
    "NOT_EQUAL": ["float32", "int8", "int32", "int64", "bool"],
    "GREATER": ["float32", "int8", "int16", "int32", "int64"],
    "GREATER_EQUAL": ["float32", "int8", "int32", "int64"],
    "LESS": ["float32", "int8", "int32", "int64"],
    "LESS_EQUAL": ["float32", "int8", "int32", "int64"],
    "LOGICAL_AND": ["bool"],
    "LOGICAL_OR": ["bool"],
    "LOGICAL_NOT": ["bool"],
    "SELECT_V2": ["float32", "int8", "int16"],
    "FLOOR_DIV": ["float32"],
    "FLOOR_MOD": ["float32"],
    "ADD_N": ["float32", "int8"],
}
ALL_TYPES = ["float32", "int8", "uint8", "int16", "int32", "int64", "bool"]
QTYPES = ("int8", "uint8", "int16")


def probe_model(op, dtype):
    """A small model of `op` on `dtype` values (quantized types quantized)."""
    q = (0.05, 0) if dtype in QTYPES else None
    if op == "LOGICAL_NOT":
        return logical_not_model((4,), dtype, out_dtype="bool")
    if op == "SELECT_V2":
        return select_model((4,), (4,), (4,), dtype, q)
    if op == "ADD_N":
        return add_n_model([(4,), (4,)], dtype, qs=[q, q], qo=q)
    out = "bool" if op in COMPARISONS or op.startswith("LOGICAL") else dtype
    return binary_model(op, (4,), (4,), dtype, q, q, out_dtype=out, qo=q if out == dtype else None)


def probe_inputs(op, dtype, rng):
    n = 1 if op == "LOGICAL_NOT" else 3 if op == "SELECT_V2" else 2
    types = ["bool", dtype, dtype] if op == "SELECT_V2" else [dtype] * n
    return [random_data(rng, (4,), t, nonzero=True) for t in types]


def test_oracle_types():
    """Which input types the oracle runs (host only). LOGICAL_AND and
    LOGICAL_OR have no type check in TFLM (they read any input's bytes as
    bool): we take bool only, as the op is defined."""
    rng = np.random.default_rng(0)
    for op, types in TYPES.items():
        accepted = []
        for dtype in ALL_TYPES:
            try:
                oracle(probe_model(op, dtype), [probe_inputs(op, dtype, rng)])
                accepted.append(dtype)
            except RuntimeError:
                pass
        if op in ("LOGICAL_AND", "LOGICAL_OR"):
            assert accepted == ALL_TYPES, (op, accepted)
        else:
            assert accepted == types, (op, accepted)
    # int16 GREATER runs, but with no rescaling prepared: always False.
    a = np.arange(-500, 500, dtype=np.int16) * 60
    m = binary_model("GREATER", a.shape, a.shape, "int16", (0.01, 0), (0.01, 0))
    assert not oracle(m, [[a, a[::-1].copy()]])[0][0].any()


# ---------------------------------------------------------------------------
# Data


def random_data(rng, shape, dtype, nonzero=False):
    """Values with plenty of ties: floats and small ints from a few values,
    int64 differing in their high words only, quantized values from a pool
    that includes the type's ends."""
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    if dtype == "float32":
        x = rng.integers(-4, 5, size=shape).astype(np.float32) * np.float32(0.75)
        return np.where(x == 0, np.float32(1.5), x).astype(np.float32) if nonzero else x
    if dtype == "int32":
        pool = np.array([-2**31, -7, -1, 0, 1, 2, 3, 2**31 - 1], np.int64)
        return rng.choice(pool, size=shape).astype(np.int32)
    if dtype == "int64":
        hi = rng.integers(-2, 3, size=shape).astype(np.int64) << 33
        return (hi + rng.integers(-1, 2, size=shape)).astype(np.int64)
    info = np.iinfo(dtype)
    pool = np.concatenate([[info.min, info.max, 0], rng.integers(info.min, info.max, size=6, endpoint=True)])
    return rng.choice(pool, size=shape).astype(dtype)


def cmp_qparams(rng, dtype, k):
    """(q1, q2) for a quantized comparison: the same quantization, a scale
    twice the other, or two unrelated ones."""
    if dtype not in ("int8", "int16"):
        return None, None
    if dtype == "int8":
        q1 = (float(rng.uniform(0.004, 0.5)), int(rng.integers(-40, 40)))
    else:
        q1 = (float(rng.uniform(1e-4, 5e-3)), int(rng.integers(-50, 50)))
    if k % 3 == 0:
        return q1, q1
    if k % 3 == 1:
        return q1, (q1[0] * 2, q1[1] // 2)
    return q1, (float(q1[0] * rng.uniform(0.3, 1.7)), int(rng.integers(-20, 20)))


def random_shape_pair(rng):
    """Two shapes up to 6-D that broadcast together."""
    rank = int(rng.integers(0, 7))
    full = [int(d) for d in rng.integers(1, 5, size=rank)]
    s1 = [d if rng.random() < 0.7 else 1 for d in full][int(rng.integers(0, rank + 1)):]
    s2 = [d if rng.random() < 0.7 else 1 for d in full][int(rng.integers(0, rank + 1)):]
    return tuple(s1), tuple(s2)


# ---------------------------------------------------------------------------
# Comparisons, LOGICAL_AND, LOGICAL_OR


def binary_cases(sweep):
    rng = np.random.default_rng(808)
    cases, ids = [], []
    ops = list(COMPARISONS) + ["LOGICAL_AND", "LOGICAL_OR"]
    for oi, op in enumerate(ops):
        for ti, dtype in enumerate(TYPES[op]):
            if sweep == "full":
                picks = list(range(len(SHAPES))) + [None] * 6
            else:
                n = 4 if op.startswith("LOGICAL") else 2
                picks = [(5 * oi + 3 * ti + 7 * k) % len(SHAPES) for k in range(n)]
            for k, si in enumerate(picks):
                s1, s2 = SHAPES[si] if si is not None else random_shape_pair(rng)
                q1, q2 = cmp_qparams(rng, dtype, k + ti)
                m = binary_model(op, s1, s2, dtype, q1, q2)
                batches = [[random_data(rng, s1, dtype), random_data(rng, s2, dtype)] for _ in range(2)]
                cases.append((m, batches))
                ids.append(f"{op}-{dtype}-{s1}x{s2}-{q1}-{q2}")
    return cases, ids


def oracle_cases(cases_and_ids):
    """The cases the oracle computes right (all but int16 GREATER)."""
    keep = [(c, i) for c, i in zip(*cases_and_ids) if not i.startswith("GREATER-int16")]
    return [c for c, _ in keep], [i for _, i in keep]


def test_compare_sweep(target, sweep):
    check_sweep(target, oracle_cases(binary_cases(sweep)))


def test_compare_edges(target):
    """NaN, infinities and signed zeros; int32 and int64 extremes (int64
    values alike in their low words); quantized extremes: zero points at the
    type's ends, scales just below 1, scales so small that TFLM's multiplier
    is 0 (every value rescales to 0)."""
    f1 = np.array([np.nan, np.nan, 1.0, np.inf, -np.inf, -0.0, 0.0, -np.inf, 3e38, -1e-45], np.float32)
    f2 = np.array([np.nan, 1.0, np.nan, np.inf, np.inf, 0.0, -0.0, -np.inf, np.inf, 0.0], np.float32)
    i1 = np.array([-2**31, 2**31 - 1, -2**31, 0, -1, 5], np.int32)
    i2 = np.array([2**31 - 1, -2**31, -2**31, -1, 0, 5], np.int32)
    l1 = np.array([2**62, -2**63, 1 << 32, (1 << 32) + 5, -1, 2**63 - 1], np.int64)
    l2 = np.array([-2**62, 2**63 - 1, 0, 5, (1 << 32) - 1, 2**63 - 1], np.int64)
    rng = np.random.default_rng(5)
    cases, ids = [], []
    for op in COMPARISONS:
        for dtype, a, c in (("float32", f1, f2), ("int32", i1, i2), ("int64", l1, l2)):
            cases.append((binary_model(op, a.shape, c.shape, dtype), [[a, c], [c, a]]))
            ids.append(f"{op}-{dtype}-edges")
        for q1, q2 in quant_extremes("int8"):
            a = random_data(rng, (3, 50), "int8")
            c = random_data(rng, (50,), "int8")
            cases.append((binary_model(op, a.shape, c.shape, "int8", q1, q2), [[a, c]]))
            ids.append(f"{op}-int8-{q1}-{q2}")
    check_cases(target, cases, ids=ids)


def quant_extremes(dtype):
    """(q1, q2) pairs: zero points at the type's ends, scales just below 1,
    scales so small that the multiplier is 0 (every value rescales to 0)."""
    lo, hi = np.iinfo(dtype).min, np.iinfo(dtype).max
    return (((0.99, lo), (0.9, hi)), ((0.5, hi), (0.999999, lo)), ((1e-11, 3), (2e-12, -7)),
            ((0.02, 0), (0.02, 1)), ((0.3, lo), (0.3, lo)))


def tflm_rescaled(v, q):
    """TFLM's rescaling of quantized comparison inputs, element by element:
    (v - zero point) << 8, times the scale as a multiplier below 1."""
    mult, shift = quantize_multiplier(q[0])
    return np.vectorize(lambda x: multiply_by_quantized_multiplier((int(x) - q[1]) * 256, mult, shift))(v)


def test_greater_int16(target, sweep):
    """int16 GREATER (the oracle's is broken, see above): TFLM's arithmetic
    in Python, with broadcasting, random and extreme quantization."""
    rng = np.random.default_rng(16)
    cases, want = [], []
    specs = [cmp_qparams(rng, "int16", k) for k in range(6 if sweep == "full" else 3)]
    for k, (q1, q2) in enumerate(specs + list(quant_extremes("int16"))):
        s1, s2 = SHAPES[(5 * k) % len(SHAPES)] if k % 2 else ((3, 40), (40,))
        a, c = random_data(rng, s1, "int16"), random_data(rng, s2, "int16")
        cases.append((binary_model("GREATER", s1, s2, "int16", q1, q2), [a, c]))
        want.append(np.atleast_1d(tflm_rescaled(a, q1) > tflm_rescaled(c, q2)))
    for (_, (a, c)), g, w in zip(cases, run_raw_each(target, cases), want):
        assert not isinstance(g, str), g
        np.testing.assert_array_equal(np.frombuffer(g[0], np.uint8), w.reshape(-1).astype(np.uint8))


def test_logical_not(target):
    rng = np.random.default_rng(9)
    cases, ids = [], []
    for shape in [(), (1,), (7,), (2, 3), (2, 1, 3), (1, 2, 3, 4), (2, 1, 2, 1, 3), (2, 2, 1, 2, 2, 3), (1, 300)]:
        cases.append((logical_not_model(shape), [[random_data(rng, shape, "bool")] for _ in range(2)]))
        ids.append(f"not-{shape}")
    check_cases(target, cases, ids=ids)


# ---------------------------------------------------------------------------
# SELECT_V2

# (condition, x, y) shapes: same shapes, scalar and vector conditions,
# three-way broadcasts up to 6-D, single elements of mixed ranks (TFLM keeps
# the output's own shape then).
SELECT_SHAPES = [
    ((2, 3, 4), (2, 3, 4), (2, 3, 4)),
    ((), (2, 3), (2, 3)),
    ((3,), (2, 3), (2, 3)),
    ((2, 1), (1, 3), (3,)),
    ((1,), (), (5,)),
    ((4, 1), (4, 6), ()),
    ((2, 1, 3, 1, 2), (1, 2, 1, 4, 1), (2, 2, 3, 4, 2)),
    ((1, 2, 1, 2, 1, 3), (2, 1, 2, 1, 2, 1), (1,)),
    ((1, 1, 300), (1, 300), (2, 1, 1)),
    ((), (), ()),
    ((2, 5), (2, 5), (1, 1)),
]


def select_qparams(rng, dtype, k):
    """One quantization for x, y and the output, or (k odd) three different
    ones: TFLM copies the raw values whatever the quantization."""
    if dtype == "float32":
        return None
    scale = (0.05, 3) if dtype == "int8" else (0.001, 0)
    if k % 2 == 0:
        return (scale, scale, scale)
    return (scale, (scale[0] * 2, 0), (scale[0] * 3, -1))


def select_cases(sweep):
    rng = np.random.default_rng(33)
    cases, ids = [], []
    for ti, dtype in enumerate(TYPES["SELECT_V2"]):
        picks = range(len(SELECT_SHAPES)) if sweep == "full" else \
            [(4 * ti + 3 * k) % len(SELECT_SHAPES) for k in range(5)]
        for k, si in enumerate(picks):
            sc, sx, sy = SELECT_SHAPES[si]
            m = select_model(sc, sx, sy, dtype, qs=select_qparams(rng, dtype, k))
            batches = [[random_data(rng, sc, "bool"), random_data(rng, sx, dtype), random_data(rng, sy, dtype)]
                       for _ in range(2)]
            cases.append((m, batches))
            ids.append(f"select-{dtype}-{sc}-{sx}-{sy}")
    # Single elements of mixed ranks; the output's shape is the model's.
    for sc, sx, sy, so in (((1,), (1, 1), (), (1,)), ((), (1,), (1, 1, 1), (1, 1))):
        m = select_model(sc, sx, sy, "float32", out_shape=so)
        cases.append((m, [[np.ones(sc, np.bool_), np.full(sx, 2.5, np.float32), np.full(sy, -1, np.float32)],
                          [np.zeros(sc, np.bool_), np.full(sx, 2.5, np.float32), np.full(sy, -1, np.float32)]]))
        ids.append(f"select-single-{sc}-{sx}-{sy}-{so}")
    if sweep == "full":
        for i in range(40):
            dtype = TYPES["SELECT_V2"][i % 3]
            s1, s2 = random_shape_pair(rng)
            s3 = s1[int(rng.integers(0, len(s1) + 1)):]
            m = select_model(s3, s1, s2, dtype, qs=select_qparams(rng, dtype, i))
            cases.append((m, [[random_data(rng, s3, "bool"), random_data(rng, s1, dtype),
                               random_data(rng, s2, dtype)]]))
            ids.append(f"select-rand{i}-{dtype}-{s3}-{s1}-{s2}")
    return cases, ids


def test_select_v2(target, sweep):
    check_sweep(target, select_cases(sweep))


# ---------------------------------------------------------------------------
# FLOOR_DIV, FLOOR_MOD, ADD_N


def float_pairs(rng, shape1, shape2):
    """Floats with integral quotients, fractional ones and every sign."""
    a = (rng.integers(-12, 13, size=shape1) * np.float32(0.5)).astype(np.float32)
    b = rng.choice(np.array([-3, -2, -1.5, -0.25, 0.5, 1, 2, 2.5, 4], np.float32), size=shape2)
    return a, b.astype(np.float32)


def floor_cases(sweep):
    rng = np.random.default_rng(21)
    cases, ids = [], []
    for oi, op in enumerate(("FLOOR_DIV", "FLOOR_MOD")):
        picks = list(range(len(SHAPES))) + [None] * 8 if sweep == "full" else \
            [(6 * oi + 4 * k) % len(SHAPES) for k in range(4)]
        for si in picks:
            s1, s2 = SHAPES[si] if si is not None else random_shape_pair(rng)
            m = binary_model(op, s1, s2, "float32")
            cases.append((m, [list(float_pairs(rng, s1, s2)) for _ in range(2)]))
            ids.append(f"{op}-{s1}x{s2}")
    return cases, ids


def test_floor_div_mod(target, sweep):
    check_sweep(target, floor_cases(sweep), float_tol=0)


def bits_match(got, want):
    """Same NaN positions (a NaN's sign and payload are libm's choice) and
    the same bits everywhere else (signed zeros included)."""
    got, want = np.asarray(got, np.float32), np.asarray(want, np.float32)
    if not np.array_equal(np.isnan(got), np.isnan(want)):
        return False
    keep = ~np.isnan(want)
    return np.array_equal(got[keep].view(np.uint32), want[keep].view(np.uint32))


def floor_div_double_pairs():
    """Pairs where the float32 quotient rounds across an integer that the
    double one (TFLM's) does not: found with numpy, checked by the oracle."""
    rng = np.random.default_rng(4)
    x = rng.uniform(1e6, 1e8, size=20000).astype(np.float32)
    y = rng.uniform(0.5, 50, size=20000).astype(np.float32)
    diff = np.floor(x / y) != np.floor(x.astype(np.float64) / y.astype(np.float64))
    x, y = x[diff][:12], y[diff][:12]
    assert x.size >= 4
    return np.concatenate([x, -x]), np.concatenate([y, y])


def test_floor_float_edges(target):
    """Signed zeros, infinities, NaN, huge and tiny quotients, a zero
    FLOOR_MOD divisor (NaN, as fmodf gives), quotients that only the double
    division TFLM uses gets right; ADD_N of negative zeros (TFLM sums from
    +0.0)."""
    x = np.array([-0.0, 0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 7.0, -7.0, 3e38, -1e-30, 5.0, -5.0, 1e-45,
                  -3.0], np.float32)
    y = np.array([3.0, -3.0, -3.0, np.inf, np.inf, 2.0, 3.0, 1.0, -2.0, 2.0, 1e-30, 1e30, 0.5, -0.5, 3e38, np.inf],
                 np.float32)
    dx, dy = floor_div_double_pairs()
    specs = [
        (binary_model("FLOOR_DIV", x.shape, y.shape, "float32"), [[x, y]]),
        (binary_model("FLOOR_MOD", x.shape, y.shape, "float32"), [[x, y], [y, x]]),
        (binary_model("FLOOR_DIV", dx.shape, dy.shape, "float32"), [[dx, dy]]),
        (binary_model("FLOOR_MOD", dx.shape, dy.shape, "float32"), [[dx, dy]]),
        (add_n_model([(4,)] * 3, "float32"), [[np.full(4, -0.0, np.float32)] * 3,
                                              [np.array([np.inf, 1, -0.0, 3e38], np.float32),
                                               np.array([-np.inf, 1, 0.0, 3e38], np.float32),
                                               np.array([1, np.nan, -0.0, -3e38], np.float32)]]),
    ]
    mod0 = binary_model("FLOOR_MOD", (3,), (3,), "float32")
    specs.append((mod0, [[np.array([1, -2, 0], np.float32), np.array([0, -0.0, 0], np.float32)]]))
    got = run_raw(target, [(m, b) for m, b in specs])
    for (m, batches), g in zip(specs, got):
        assert not isinstance(g, str), g
        for ins, gk, want in zip(batches, g, oracle(m, batches)):
            assert not isinstance(gk, str), gk
            out = np.frombuffer(gk[0], np.float32)
            assert bits_match(out, want[0].reshape(-1)), (ins, out, want[0])


def test_floor_div_by_zero(target):
    """A zero divisor (+0.0 or -0.0, also broadcast) fails the invoke with
    ValueError, as TFLM's invoke fails; the interpreter then runs the next
    inputs normally."""
    m = binary_model("FLOOR_DIV", (2, 3), (3,), "float32")
    x = np.arange(-3, 3, dtype=np.float32).reshape(2, 3)
    good = np.array([2, -4, 0.5], np.float32)
    scalar = binary_model("FLOOR_DIV", (2, 3), (), "float32")
    with pytest.raises(RuntimeError):
        oracle(m, [[x, np.array([1, 0, 2], np.float32)]])
    got = run_raw(target, [
        (m, [[x, np.array([1, 0, 2], np.float32)], [x, good], [x, np.array([-0.0, 1, 1], np.float32)], [x, good]]),
        (scalar, [[x, np.zeros((), np.float32)], [x, np.full((), -2, np.float32)]]),
    ])
    want = oracle(m, [[x, good]])[0][0].reshape(-1)
    (bad1, ok1, bad2, ok2), (bad3, ok3) = got
    for bad in (bad1, bad2, bad3):
        assert isinstance(bad, str) and bad.startswith("ValueError: ") and "zero" in bad, bad
    for ok in (ok1, ok2):
        assert np.array_equal(np.frombuffer(ok[0], np.float32), want)
    want3 = oracle(scalar, [[x, np.full((), -2, np.float32)]])[0][0].reshape(-1)
    assert np.array_equal(np.frombuffer(ok3[0], np.float32), want3)


def add_n_cases(sweep):
    rng = np.random.default_rng(77)
    shapes = [(), (5,), (2, 3), (1, 4, 4, 3), (2, 1, 3, 2, 2), (2, 2, 1, 2, 2, 3), (1, 257)]
    cases, ids = [], []
    for dtype in TYPES["ADD_N"]:
        for k, shape in enumerate(shapes if sweep == "full" else shapes[::2]):
            for n in ((2, 3, 5, 9) if sweep == "full" else (2 + k % 3,)):
                q = qo = None
                if dtype == "int8":
                    q = (float(rng.uniform(0.01, 0.2)), int(rng.integers(-128, 128)))
                    qo = (float(q[0] * rng.uniform(0.5, n)), int(rng.integers(-60, 60)))
                m = add_n_model([shape] * n, dtype, qs=[q] * n, qo=qo)
                if dtype == "int8":
                    batches = [[random_data(rng, shape, dtype) for _ in range(n)] for _ in range(2)]
                else:
                    batches = [[rng.uniform(-10, 10, size=shape).astype(np.float32) for _ in range(n)]
                               for _ in range(2)]
                cases.append((m, batches))
                ids.append(f"add_n-{dtype}-{shape}-x{n}-{q}-{qo}")
    # int8 extremes: saturation both ways, many inputs, the output scale of
    # the inputs.
    for q, qo, n in (((0.1, -128), (0.01, 0), 4), ((0.1, 127), (0.01, 5), 3), ((0.05, 0), (0.05, 0), 2),
                     ((0.5, -3), (2.0, 100), 12)):
        m = add_n_model([(3, 40)] * n, "int8", qs=[q] * n, qo=qo)
        cases.append((m, [[random_data(rng, (3, 40), "int8") for _ in range(n)]]))
        ids.append(f"add_n-int8-{q}-{qo}-x{n}")
    return cases, ids


def test_add_n(target, sweep):
    check_sweep(target, add_n_cases(sweep), float_tol=0)


# ---------------------------------------------------------------------------
# Bool and int64 through the Python API


def test_bool_int64_api(target):
    """Bool tensors have dtype 'bool' and read back as array('B'); set_input
    takes a list of bools or ints, array('B') or bytes. int64 tensors take
    array('q'); the comparison result is checked against the oracle."""
    and_model = binary_model("LOGICAL_AND", (4,), (4,), "bool")
    a = np.array([1, 0, 1, 0], np.bool_)
    c = np.array([1, 1, 0, 0], np.bool_)
    want_and = oracle(and_model, [[a, c]])[0][0].astype(np.uint8).tolist()
    gt_model = binary_model("GREATER", (3,), (3,), "int64")
    l1 = np.array([1 << 40, -(1 << 40), 5], np.int64)
    l2 = np.array([(1 << 40) - 1, 1 << 32, 5], np.int64)
    want_gt = oracle(gt_model, [[l1, l2]])[0][0].astype(np.uint8).tolist()
    out = target.run(f"""
import tflm, array
it = tflm.Interpreter('and.tflite')
assert it.input(0).dtype == 'bool' and it.output(0).dtype == 'bool'
assert it.get_input_details(1)['dtype'] == 'bool' and it.get_output_details(0)['nbytes'] == 4
for x, y in (([True, False, True, False], [True, True, False, False]),
             ([1, 0, 1, 0], array.array('B', [1, 1, 0, 0])),
             (bytes([1, 0, 1, 0]), (True, True, False, False))):
    it.set_input(x, 0)
    it.set_input(y, 1)
    it.invoke()
    r = it.get_output(0)
    assert repr(r).startswith("array('B'"), repr(r)
    assert list(r) == {want_and!r}, list(r)
print('OK')
it = tflm.Interpreter('gt.tflite')
assert it.input(0).dtype == 'int64'
it.set_input(array.array('q', {l1.tolist()!r}), 0)
it.set_input(array.array('q', {l2.tolist()!r}), 1)
it.invoke()
assert list(it.get_output(0)) == {want_gt!r}, list(it.get_output(0))
print('OK')
""", files={"and.tflite": and_model, "gt.tflite": gt_model})
    assert out.count("OK") == 2, out
