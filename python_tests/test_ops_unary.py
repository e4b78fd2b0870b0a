"""Element-wise unary math (ABS, CEIL, COS, EXP, FLOOR, LOG, NEG, ROUND,
RSQRT, SIN, SQRT, SQUARE) against the oracle.

float32, every op, ranks 0 to 5, with the edge values (+-0, +-inf, NaN,
subnormals, halves, the largest floats, overflow and domain limits):
- ABS, CEIL, FLOOR, NEG, ROUND, SQUARE, SQRT and RSQRT are exact IEEE
  operations (SQRT is correctly rounded; RSQRT is 1.0f / sqrtf(x), two
  correctly rounded steps): bit-exact, the sign of zero included (TFLM's
  ROUND gives +0 for -0.5 < x < 0). NaN matches any NaN.
- SIN, COS, EXP and LOG come from the board's C library (glibc for the
  oracle and on unix; MicroPython's lib/libm on the emulated boards, whose
  fdlibm/musl routines are within an ulp or so of the correctly rounded
  result): within LIBM_ULPS units in the last place of the oracle, and
  infinities, NaNs and zeros exactly where the oracle has them.

int8 and int16 ABS and RSQRT (TFLM's quantized paths), every int8 input value
and the int16 extremes, over a range of scales and zero points: bit-exact.
A negative RSQRT input (below the zero point) fails at invoke, as in the
oracle, and the interpreter keeps working.
"""
import numpy as np

from harness import assert_match, check_cases, check_loads, oracle, run_fitting, run_raw
from tflite_builder import ModelBuilder

FLOAT_OPS = ["ABS", "CEIL", "COS", "EXP", "FLOOR", "LOG", "NEG", "ROUND", "RSQRT", "SIN", "SQRT", "SQUARE"]
EXACT_OPS = {"ABS", "CEIL", "FLOOR", "NEG", "ROUND", "SQUARE", "SQRT", "RSQRT"}
# Units in the last place allowed between the board's libm and the oracle's
# (measured on the emulated M4: EXP and LOG within 1 ulp; SIN and COS within
# 1 ulp for |x| < 1000).
LIBM_ULPS = 2
# SIN and COS of large arguments: lib/libm's argument reduction leaves an
# absolute error below 1e-7 (measured up to 3e38), many ulps of a result near
# zero; allowed: FLT_EPSILON absolute.
TRIG_ATOL = 2.0 ** -23

# Shapes of rank 0 to 5.
SHAPES = [(), (37,), (5, 9), (2, 3, 7), (2, 1, 3, 5), (1, 2, 3, 2, 4)]


def unary_model(op, dtype, shape, in_q=None, out_q=None, version=1, out_dtype=None, out_shape=None):
    b = ModelBuilder()
    kw = dict(scale=in_q[0], zero_point=in_q[1]) if in_q else {}
    okw = dict(scale=out_q[0], zero_point=out_q[1]) if out_q else {}
    x = b.tensor(shape, dtype, **kw)
    y = b.tensor(out_shape if out_shape is not None else shape, out_dtype or dtype, **okw)
    b.op(op, [x], [y], version=version)
    b.inputs([x])
    b.outputs([y])
    return b.build()


# ---------------------------------------------------------------------------
# float32

F32_EDGES = np.array([
    0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, -0.3, 0.49999997, -0.49999997,
    1e-45, -1e-45, 1e-40, -1e-40, 1.1754944e-38, 3.4028235e38, -3.4028235e38, 1e30, -1e30, 8388607.5, -8388607.5,
    8388608.0, 16777217.0, 4.5, -4.5, 1e-7, 3.14159265, -3.14159265, 88.72283, 88.72284, -87.33654, -103.97,
    -104.0, 1e4, -1e4, 123456.789, 1e10, -1e10, 2.0 ** 63, 0.99999994, 1.0000001,
], np.float32)


def float_values(rng, op, n):
    """n random inputs in the op's interesting range (some negatives, where
    the op has no real result, included)."""
    if op in ("SIN", "COS"):
        big = 10.0 ** rng.uniform(3, 38.5, n // 8) * rng.choice([-1, 1], n // 8)
        x = np.concatenate([rng.uniform(-10, 10, n - n // 4), rng.uniform(-2e4, 2e4, n // 4 - n // 8), big])
    elif op == "EXP":
        x = rng.uniform(-105, 90, n)
    elif op in ("LOG", "SQRT", "RSQRT"):
        x = 10.0 ** rng.uniform(-40, 38, n)
        x[: n // 8] *= -1
    elif op == "ROUND":
        x = np.round(rng.normal(0, 20, n) * 2) / 2 + rng.choice([0, 0, 1e-3, -1e-3], n)
    else:
        x = rng.normal(0, 30, n)
    return rng.permutation(x).astype(np.float32)


def float_input(rng, op, shape):
    """Random values for `shape`, the edge values first (as many as fit)."""
    n = int(np.prod(shape))
    x = float_values(rng, op, n)
    k = min(n, len(F32_EDGES))
    x[:k] = F32_EDGES[:k]
    return x.reshape(shape)


def float_cases(sweep):
    rng = np.random.default_rng(11)
    cases, ids = [], []
    for op in FLOAT_OPS:
        for shape in SHAPES:
            cases.append((unary_model(op, "float32", shape), [[float_input(rng, op, shape)]]))
            ids.append(f"{op}-float32-{shape}")
        # Every edge value on its own row.
        cases.append((unary_model(op, "float32", (len(F32_EDGES),)), [[F32_EDGES.copy()]]))
        ids.append(f"{op}-float32-edges")
        n = 4096 if sweep == "full" else 512
        cases.append((unary_model(op, "float32", (n,)), [[float_values(rng, op, n)] for _ in range(2)]))
        ids.append(f"{op}-float32-random{n}")
    return cases, ids


def _bits(a):
    return np.ascontiguousarray(a, np.float32).view(np.int32).astype(np.int64)


def ulp_distance(got, want):
    """Distance in float32 steps between got and want (0 for two NaNs; +0
    and -0 are the same point of that order)."""
    g, w = _bits(got), _bits(want)
    # Map the sign-magnitude bits to a monotonic integer line.
    g = np.where(g < 0, -(g & 0x7FFFFFFF), g)
    w = np.where(w < 0, -(w & 0x7FFFFFFF), w)
    d = np.abs(g - w)
    d[np.isnan(got) & np.isnan(want)] = 0
    return d


def float_problems(op, got, want):
    """Text of the first mismatch of one output, or None."""
    g, w = np.asarray(got, np.float32).reshape(-1), np.asarray(want, np.float32).reshape(-1)
    if g.shape != w.shape:
        return f"shape {g.shape} != {w.shape}"
    both_nan = np.isnan(g) & np.isnan(w)
    if op in EXACT_OPS:
        bad = (_bits(g) != _bits(w)) & ~both_nan
    else:
        # Exact where the result is special; within LIBM_ULPS elsewhere.
        special = ~np.isfinite(w) | ~np.isfinite(g) | (w == 0) | (g == 0)
        same_special = (np.isnan(g) == np.isnan(w)) & ((g == w) | both_nan)
        close = ulp_distance(g, w) <= LIBM_ULPS
        if op in ("SIN", "COS"):
            close |= np.abs(g.astype(np.float64) - w.astype(np.float64)) <= TRIG_ATOL
        bad = np.where(special, ~same_special, ~close)
    if not bad.any():
        return None
    i = int(np.flatnonzero(bad)[0])
    return (f"{int(bad.sum())} of {g.size} differ; first at {i}: got {g[i]!r} ({_bits(g[i:i + 1])[0] & 0xFFFFFFFF:#x}), "
            f"want {w[i]!r} ({_bits(w[i:i + 1])[0] & 0xFFFFFFFF:#x}), {int(ulp_distance(g[i:i + 1], w[i:i + 1])[0])} ulp")


def check_float_cases(target, cases, ids):
    ran, got, done = run_fitting(target, cases)
    problems = []
    for name, (model, batches), g in zip([ids[i] for i in ran], [cases[i] for i in ran], got):
        if isinstance(g, str):
            problems.append(f"{name}: refused: {g}")
            continue
        op = name.split("-")[0]
        for k, (gk, wk) in enumerate(zip(g, oracle(model, batches))):
            p = float_problems(op, gk[0], wk[0])
            if p:
                problems.append(f"{name} input set {k}: {p}")
    assert not problems, f"{len(problems)} mismatches:\n" + "\n".join(problems[:30])
    done()


def test_float(target, sweep):
    check_float_cases(target, *float_cases(sweep))


def test_ulp_distance_measures():
    """The tolerance helper itself: one float step is one ulp, NaNs match,
    and it is not blind to sign or size."""
    one = np.float32(1.0)
    nxt = np.nextafter(one, np.float32(2.0))
    assert ulp_distance(np.array([nxt]), np.array([one]))[0] == 1
    assert ulp_distance(np.array([np.nan], np.float32), np.array([np.nan], np.float32))[0] == 0
    assert ulp_distance(np.array([-1.0], np.float32), np.array([1.0], np.float32))[0] > 2 ** 30
    assert float_problems("SIN", np.array([0.5], np.float32), np.array([0.5000001], np.float32)) is None
    assert float_problems("SIN", np.array([0.5], np.float32), np.array([0.5001], np.float32)) is not None
    assert float_problems("SIN", np.array([1e-3], np.float32), np.array([1.0001e-3], np.float32)) is None
    assert float_problems("EXP", np.array([1e-3], np.float32), np.array([1.0001e-3], np.float32)) is not None
    assert float_problems("COS", np.array([1e-3], np.float32), np.array([1.001e-3], np.float32)) is not None
    assert float_problems("EXP", np.array([np.inf], np.float32), np.array([3.4028235e38], np.float32)) is not None
    assert float_problems("ROUND", np.array([-0.0], np.float32), np.array([0.0], np.float32)) is not None


# ---------------------------------------------------------------------------
# int8 / int16 ABS and RSQRT

# (input scale, zero point, output scale, zero point): equal scales (TFLM
# skips the rescale), larger and smaller ratios, the zero point extremes.
ABS8_Q = [
    (0.05, 0, 0.05, 0),
    (0.05, -20, 0.05, 7),
    (0.1, -3, 0.07, 5),
    (0.013, 20, 0.2, -100),
    (0.5, 127, 0.003, -128),
    (0.0123, -128, 0.0077, 3),
    (0.02, 0, 0.01, -128),
    (1.0, 10, 2.0 ** -20, 0),
    (0.3, -7, 1e-9, 0),
]
RSQRT8_Q = [
    (0.05, -128, 0.05, -128),
    (0.1, 0, 0.02, -10),
    (0.01, -50, 0.1, 0),
    (0.002, 30, 0.5, -128),
    (1.0, -128, 0.004, 3),
    (0.25, 100, 0.01, 0),
    # The smallest rescale accepted (2^-12 < 1 / (sqrt(1) * 4000)).
    (1.0, -128, 4000.0, 9),
    (3.7e-5, -128, 1.3, -128),
]
ABS16_Q = [(0.001, 0.001), (0.0003, 0.002), (0.01, 0.0001), (1 / 32768, 1 / 32768), (0.5, 3e-5)]
RSQRT16_Q = [(1 / 32768, 1 / 1024), (0.001, 0.002), (0.02, 1e-4), (1.0, 1 / 32768), (3e-5, 0.01), (1.0, 4000.0)]


def _every_int8(rng, shape, low=-128):
    vals = rng.permutation(np.arange(low, 128)).astype(np.int8)
    return np.resize(vals, shape).astype(np.int8)


def _int16_values(rng, shape, low=-32768):
    x = rng.integers(low, 32767, size=shape, endpoint=True).astype(np.int16)
    flat = x.reshape(-1)
    edges = [v for v in (-32768, -32767, -1, 0, 1, 2, 3, 32766, 32767) if v >= low]
    flat[: min(len(edges), flat.size)] = edges[: flat.size]
    return x


def quant_cases(sweep):
    rng = np.random.default_rng(12)
    cases, ids = [], []
    shapes8 = [(256,), (16, 16), (2, 4, 32), (1, 2, 4, 32), (2, 2, 2, 4, 8)]
    # int8 tensors of 256 elements or more run from a table, smaller ones
    # compute each element: every value (256) and all but one (255) cover
    # both for each quantization.
    for i, q in enumerate(ABS8_Q):
        for shape in (shapes8[i % len(shapes8)], (255,)):
            m = unary_model("ABS", "int8", shape, q[:2], q[2:], version=2)
            cases.append((m, [[_every_int8(rng, shape)]]))
            ids.append(f"ABS-int8-{shape}-{q}")
    for i, q in enumerate(RSQRT8_Q):
        for n in sorted({128 - q[1], min(128 - q[1], 255)}):
            m = unary_model("RSQRT", "int8", (n,), q[:2], q[2:], version=2)
            cases.append((m, [[_every_int8(rng, (n,), q[1])]]))
            ids.append(f"RSQRT-int8-{n}-{q}")
    n16 = 8192 if sweep == "full" else 1024
    for in_s, out_s in ABS16_Q:
        m = unary_model("ABS", "int16", (n16,), (in_s, 0), (out_s, 0), version=3)
        cases.append((m, [[_int16_values(rng, (n16,))]]))
        ids.append(f"ABS-int16-{in_s}->{out_s}")
    for in_s, out_s in RSQRT16_Q:
        m = unary_model("RSQRT", "int16", (n16,), (in_s, 0), (out_s, 0), version=3)
        cases.append((m, [[_int16_values(rng, (n16,), 0)]]))
        ids.append(f"RSQRT-int16-{in_s}->{out_s}")
    # int16 ABS without quantization: |x|, wrapping at -32768 (version 4);
    # also with a quantized output, which TFLM ignores.
    for shape in ((), (9,), (3, 4, 5)):
        cases.append((unary_model("ABS", "int16", shape, version=4), [[_int16_values(rng, shape)]]))
        ids.append(f"ABS-int16-plain-{shape}")
    m = unary_model("ABS", "int16", (64,), None, (0.5, 0), version=4)
    cases.append((m, [[_int16_values(rng, (64,))]]))
    ids.append("ABS-int16-plain-quantized-output")
    # Ranks 0 to 5 for the int8 and int16 loops.
    for shape in SHAPES:
        for op, dtype, q, low in (("ABS", "int8", (0.03, -5, 0.02, 9), -128), ("RSQRT", "int8", (0.02, -9, 0.03, -60), -9),
                                  ("RSQRT", "int16", (0.001, 0, 0.003, 0), 0), ("ABS", "int16", (0.002, 0, 0.001, 0), -32768)):
            m = unary_model(op, dtype, shape, q[:2], q[2:], version=2 if dtype == "int8" else 3)
            x = _every_int8(rng, shape, low) if dtype == "int8" else _int16_values(rng, shape, low)
            cases.append((m, [[x]]))
            ids.append(f"{op}-{dtype}-rank{len(shape)}")
    if sweep == "full":
        for i in range(80):
            op = ("ABS", "RSQRT")[i % 2]
            dtype = ("int8", "int16")[(i // 2) % 2]
            if dtype == "int8":
                in_q = (float(10 ** rng.uniform(-4, 0)), int(rng.integers(-128, 128)))
                out_q = (float(10 ** rng.uniform(-4, 0)), int(rng.integers(-128, 128)))
                low = in_q[1] if op == "RSQRT" else -128
                x = _every_int8(rng, (256,), low)
            else:
                in_q, out_q = (float(10 ** rng.uniform(-5, 0)), 0), (float(10 ** rng.uniform(-5, 0)), 0)
                x = _int16_values(rng, (2048,), 0 if op == "RSQRT" else -32768)
            m = unary_model(op, dtype, x.shape, in_q, out_q, version=2 if dtype == "int8" else 3)
            cases.append((m, [[x]]))
            ids.append(f"rand{i}-{op}-{dtype}-{in_q}-{out_q}")
    return cases, ids


def test_quantized(target, sweep):
    check_cases(target, *quant_cases(sweep))


def test_rsqrt_negative_input(target):
    """An RSQRT input below its zero point fails at invoke (ValueError, as the
    oracle refuses it too); the same interpreter then runs a valid input."""
    cases, good = [], []
    for dtype, q, bad_value in (("int8", (0.05, -20, 0.1, 0), -21), ("int8", (0.05, 127, 0.1, 0), -128),
                                ("int16", (0.001, 0, 0.01, 0), -1), ("int16", (0.001, 0, 0.01, 0), -32768)):
        m = unary_model("RSQRT", dtype, (5,), q[:2], q[2:], version=2 if dtype == "int8" else 3)
        ok = np.full((5,), q[1] + (0 if q[1] == 127 else 3), dtype)
        bad = ok.copy()
        bad[3] = bad_value
        try:
            oracle(m, [[bad]])
            raise AssertionError(f"the oracle accepted {dtype} RSQRT of {bad_value}")
        except RuntimeError:
            pass
        cases.append((m, [[bad], [ok]]))
        good.append(oracle(m, [[ok]])[0])
    got = run_raw(target, cases)
    for (m, _), g, want in zip(cases, got, good):
        assert not isinstance(g, str), g
        assert isinstance(g[0], str) and g[0].startswith("ValueError: ") and "RSQRT" in g[0], g[0]
        assert not isinstance(g[1], str), g[1]
        assert_match([[np.frombuffer(g[1][0], want[0].dtype).reshape(want[0].shape)]], [want])


def test_empty_and_single(target):
    """Empty tensors run and do nothing; a one-element tensor works."""
    A = "accepted"
    check_loads(target, [
        ("abs-int8-empty", unary_model("ABS", "int8", (0, 4), (0.1, 0), (0.1, 0), version=2), A),
        ("rsqrt-int16-empty", unary_model("RSQRT", "int16", (3, 0), (0.1, 0), (0.1, 0), version=3), A),
        ("sin-empty", unary_model("SIN", "float32", (0,)), A),
        ("round-one", unary_model("ROUND", "float32", (1, 1, 1, 1, 1)), A),
    ])
