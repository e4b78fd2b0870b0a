"""REDUCE_MIN, REDUCE_ALL, CUMSUM (reduce family), L2_POOL_2D (pooling) and
LOG_SOFTMAX (softmax) against the oracle.

Integers bit-exact. Floats: REDUCE_MIN, CUMSUM and L2_POOL_2D run the
reference's operations in its order (comparisons, additions in sequence,
one division, one square root: all correctly rounded), so they must match
exactly; LOG_SOFTMAX calls expf and logf, whose last bit differs between C
libraries (glibc in the oracle, newlib on the boards): 1e-5 (the results are
log-probabilities of magnitude up to ~300, so that is relative 1e-5 too).

Types the oracle refuses but our runtime supports (int16 REDUCE_MIN, int32
and int64 CUMSUM, as TFLite has them) are checked against numpy, written
from TFLite's semantics (min over the axes; wrapping running sums).
"""
import numpy as np

from harness import qparams, check_numpy, check_sweep, oracle, run_raw
from test_ops_activations import ACTS, POOL_FAST, _data, _tensor, pool_model
from test_ops_elementwise import REDUCE_SHAPES, random_reduction
from test_ops_elementwise import reduce_model as _reduce_model
from tflite_builder import ModelBuilder


def reduce_model(op, shape, axes, dtype, keep=False, q=None, qo=None, **kw):
    """REDUCE_MIN / REDUCE_ALL (test_ops_elementwise's builder): the output
    quantized as the input unless `qo` says otherwise."""
    return _reduce_model(op, shape, axes, dtype, keep, q, qo if qo is not None else q, **kw)


def cumsum_model(shape, axis, dtype, exclusive=False, reverse=False, q=None, qo=None, axis_const=True,
                 axis_dtype="int32", out_shape=None, out_dtype=None):
    """CUMSUM along `axis` (an int, or a list for an axis tensor of that shape)."""
    b = ModelBuilder()
    x = _tensor(b, shape, dtype, q)
    axis_arr = np.array(axis if isinstance(axis, list) else [axis], dtype=axis_dtype)
    a = b.const(axis_arr, axis_dtype) if axis_const else b.tensor(axis_arr.shape, axis_dtype)
    y = _tensor(b, out_shape or shape, out_dtype or dtype, qo if qo is not None else q)
    b.op("CUMSUM", [x, a], [y], options=dict(exclusive=exclusive, reverse=reverse))
    b.inputs([x] if axis_const else [x, a])
    b.outputs([y])
    return b.build()


def l2_pool_model(in_shape, filt, strides, padding, act="NONE", dtype="float32", version=1, **kw):
    return pool_model("L2_POOL_2D", dtype, in_shape, filt, strides, padding, act, version=version, **kw)


# TFLM's (and the quantizer's) int8 LOG_SOFTMAX output quantization.
LOG_SOFTMAX_OUT_Q = (16.0 / 256.0, 127)


def log_softmax_model(shape, dtype="float32", q=None, qo=LOG_SOFTMAX_OUT_Q, out_shape=None, out_dtype=None,
                      version=None):
    b = ModelBuilder()
    x = _tensor(b, shape, dtype, q)
    odt = out_dtype or dtype
    y = _tensor(b, out_shape or shape, odt, qo if odt != "float32" else None)
    b.op("LOG_SOFTMAX", [x], [y], version=version or (2 if dtype == "int8" else 1))
    b.inputs([x])
    b.outputs([y])
    return b.build()


def _values(rng, shape, dtype):
    if dtype == "bool":
        return rng.random(shape) < 0.8  # mostly true: all() is often true too
    return _data(rng, shape, dtype)


def _random_shape(rng, max_rank, max_dim=5):
    rank = int(rng.integers(1, max_rank + 1))
    return tuple(int(d) for d in rng.integers(1, max_dim + 1, size=rank))


def _q(rng, dtype):
    return qparams(rng, dtype, (0.005, 0.2) if dtype == "int8" else None, zp_range=(-60, 60))


# ---------------------------------------------------------------------------
# REDUCE_MIN, REDUCE_ALL


def reduce_cases(sweep):
    rng = np.random.default_rng(2024)
    cases, ids = [], []
    specs = [("REDUCE_MIN", "float32"), ("REDUCE_MIN", "int8"), ("REDUCE_ALL", "bool")]
    for si, (op, dtype) in enumerate(specs):
        picks = range(len(REDUCE_SHAPES)) if sweep == "full" else range(si % 2, len(REDUCE_SHAPES), 2)
        for k in picks:
            shape, axes, keep = REDUCE_SHAPES[k]
            m = reduce_model(op, shape, axes, dtype, keep, q=_q(rng, dtype))
            cases.append((m, [[_values(rng, shape, dtype)] for _ in range(2)]))
            ids.append(f"{op}-{dtype}-{shape}-{axes}-{keep}")
    # Axes given at run time, twice on one interpreter.
    for op, dtype in (("REDUCE_MIN", "float32"), ("REDUCE_MIN", "int8"), ("REDUCE_ALL", "bool")):
        m = reduce_model(op, (3, 4, 5), [0, -1], dtype, q=_q(rng, dtype), axes_const=False)
        x = _values(rng, (3, 4, 5), dtype)
        cases.append((m, [[x, np.array([0, -1], np.int32)], [x, np.array([2, 0], np.int32)]]))
        ids.append(f"{op}-{dtype}-axes-input")
    # NaN never wins (the start is FLT_MAX, and NaN < x is false), infinities,
    # the type's extremes.
    x = np.array([[1, np.nan, 3], [np.nan, -5, np.nan], [np.inf, -np.inf, 0]], np.float32)
    cases.append((reduce_model("REDUCE_MIN", (3, 3), [1], "float32"), [[x], [x.T.copy()]]))
    ids.append("REDUCE_MIN-nan-inf")
    x = np.array([[127, 127, 127], [-128, 0, 127]], np.int8)
    cases.append((reduce_model("REDUCE_MIN", (2, 3), [-1], "int8", q=(0.1, -7)), [[x]]))
    ids.append("REDUCE_MIN-int8-extremes")
    # REDUCE_ALL: all true, all false, one false per row; a scalar input
    # (axes ignored); no axes at all.
    for name, x in (("ones", np.ones((4, 6), bool)), ("zeros", np.zeros((4, 6), bool)),
                    ("one-false", ~np.eye(4, 6, dtype=bool))):
        cases.append((reduce_model("REDUCE_ALL", (4, 6), [1], "bool"), [[x]]))
        ids.append(f"REDUCE_ALL-{name}")
    cases.append((reduce_model("REDUCE_ALL", (), [0], "bool", out_shape=()), [[np.array(True)], [np.array(False)]]))
    ids.append("REDUCE_ALL-scalar")
    cases.append((reduce_model("REDUCE_ALL", (2, 3), np.zeros(0, np.int32), "bool", out_shape=(2, 3)),
                  [[_values(rng, (2, 3), "bool")]]))
    ids.append("REDUCE_ALL-no-axes")
    # Empty reductions keep the start value: FLT_MAX, true.
    for op, dtype in (("REDUCE_MIN", "float32"), ("REDUCE_ALL", "bool")):
        cases.append((reduce_model(op, (2, 0), [1], dtype), [[np.zeros((2, 0), dtype)]]))
        ids.append(f"{op}-empty")
    if sweep == "full":
        for i in range(60):
            op, dtype = specs[i % len(specs)]
            shape = _random_shape(rng, 6)
            rank = len(shape)
            axes, keep = random_reduction(rng, rank)
            m = reduce_model(op, shape, axes, dtype, keep, q=_q(rng, dtype))
            cases.append((m, [[_values(rng, shape, dtype)] for _ in range(2)]))
            ids.append(f"rand{i}-{op}-{dtype}-{shape}-{axes}-{keep}")
    return cases, ids


def test_reduce_min_all(target, sweep):
    # Comparisons only: exact.
    check_sweep(target, reduce_cases(sweep), float_tol=0)


def test_reduce_min_int16(target):
    """int16 REDUCE_MIN (the oracle has no int16 kernel): numpy's min."""
    rng = np.random.default_rng(5)
    cases, want = [], []
    for shape, axes, keep in REDUCE_SHAPES[:8]:
        m = reduce_model("REDUCE_MIN", shape, axes, "int16", keep, q=(0.001, 0))
        x = _data(rng, shape, "int16")
        cases.append((m, [x]))
        red = tuple(sorted({(v + len(shape)) % len(shape) for v in axes}))
        want.append(np.min(x, axis=red, keepdims=keep))
    check_numpy(target, cases, want)


# ---------------------------------------------------------------------------
# CUMSUM

# (shape, axis): ranks 1-5, every position of the axis, negative axes.
CUMSUM_SHAPES = [
    ((7,), 0),
    ((1,), -1),
    ((3, 5), 1),
    ((3, 5), 0),
    ((3, 5), -2),
    ((2, 3, 4), 1),
    ((2, 3, 4), -1),
    ((2, 3, 4, 5), 2),
    ((2, 3, 4, 5), -4),
    ((2, 2, 3, 2, 3), 3),
    ((2, 2, 3, 2, 3), -5),
    ((1, 40, 3), 1),
]


def cumsum_cases(sweep):
    rng = np.random.default_rng(77)
    cases, ids = [], []
    flags = [(False, False), (True, False), (False, True), (True, True)]
    for dtype in ("float32", "int8"):
        for k, (shape, axis) in enumerate(CUMSUM_SHAPES):
            for fi in (range(4) if sweep == "full" else (k % 4, (k + 1) % 4)):
                excl, rev = flags[fi]
                q = _q(rng, dtype)
                # Output scale a few input steps wide: sums of several values fit.
                qo = (q[0] * float(rng.uniform(1.5, 6)), int(rng.integers(-20, 20))) if q else None
                m = cumsum_model(shape, axis, dtype, excl, rev, q=q, qo=qo)
                cases.append((m, [[_values(rng, shape, dtype)] for _ in range(2)]))
                ids.append(f"CUMSUM-{dtype}-{shape}-ax{axis}-excl{excl}-rev{rev}")
    # Axis given at run time: two axes on one interpreter.
    m = cumsum_model((3, 4, 5), 0, "float32", axis_const=False, reverse=True)
    x = _data(rng, (3, 4, 5), "float32")
    cases.append((m, [[x, np.array([0], np.int32)], [x, np.array([-1], np.int32)]]))
    ids.append("CUMSUM-float32-axis-input")
    m = cumsum_model((3, 4, 5), 0, "int8", axis_const=False, exclusive=True, q=(0.05, 3), qo=(0.2, -1))
    x = _data(rng, (3, 4, 5), "int8")
    cases.append((m, [[x, np.array([1], np.int32)], [x, np.array([2], np.int32)]]))
    ids.append("CUMSUM-int8-axis-input")
    # A scalar axis tensor (shape []).
    b = ModelBuilder()
    x_t, y_t = b.tensor((2, 3), "float32"), b.tensor((2, 3), "float32")
    b.op("CUMSUM", [x_t, b.const(np.array(1, np.int32), "int32")], [y_t], options=dict(exclusive=True))
    b.inputs([x_t])
    b.outputs([y_t])
    cases.append((b.build(), [[_data(rng, (2, 3), "float32")]]))
    ids.append("CUMSUM-scalar-axis")
    # int8 saturation: long runs of extreme values into a narrow output
    # scale, and the same scale in and out (the sums clamp at once).
    for name, q, qo in (("sat", (0.1, -5), (0.1, 0)), ("same-q", (0.05, 10), (0.05, 10))):
        # 16 long: the int32 running sums stay in range (TFLM's would
        # overflow, undefined, beyond ~31 of these).
        m = cumsum_model((4, 16), 1, "int8", q=q, qo=qo)
        x = np.full((4, 16), 127, np.int8)
        x[1] = -128
        x[2, ::2] = -128
        x[3] = _data(rng, (16,), "int8")
        cases.append((m, [[x]]))
        ids.append(f"CUMSUM-int8-{name}")
    # Float: large and small magnitudes (rounding order matters), inf, NaN.
    x = np.array([[1e8, 1, -1e8, 1, 3e-8, 7], [np.inf, 1, -np.inf, 2, 3, 4], [1, np.nan, 2, 3, 4, 5]],
                 np.float32)
    for excl, rev in flags:
        cases.append((cumsum_model((3, 6), 1, "float32", excl, rev), [[x]]))
        ids.append(f"CUMSUM-float32-edges-excl{excl}-rev{rev}")
    if sweep == "full":
        for i in range(40):
            dtype = ("float32", "int8")[i % 2]
            shape = _random_shape(rng, 5)
            axis = int(rng.integers(-len(shape), len(shape)))
            excl, rev = flags[int(rng.integers(0, 4))]
            q = _q(rng, dtype)
            qo = (q[0] * float(rng.uniform(1, 8)), int(rng.integers(-30, 30))) if q else None
            m = cumsum_model(shape, axis, dtype, excl, rev, q=q, qo=qo)
            cases.append((m, [[_values(rng, shape, dtype)] for _ in range(2)]))
            ids.append(f"rand{i}-CUMSUM-{dtype}-{shape}-ax{axis}-excl{excl}-rev{rev}")
    return cases, ids


def test_cumsum(target, sweep):
    # Additions in the reference's order: exact.
    check_sweep(target, cumsum_cases(sweep), float_tol=0)


def _np_cumsum(x, axis, exclusive, reverse):
    """TFLite's CUMSUM for integers: wrapping running sums."""
    y = np.flip(x, axis) if reverse else x
    s = np.cumsum(y, axis=axis, dtype=x.dtype)  # numpy integer sums wrap
    if exclusive:
        s = np.concatenate([np.zeros_like(np.take(s, [0], axis=axis)), np.delete(s, -1, axis=axis)], axis=axis)
    return np.flip(s, axis) if reverse else s


def test_cumsum_int32_int64(target):
    """int32 and int64 CUMSUM (TFLite has them, TFLM does not): numpy,
    including sums that wrap."""
    rng = np.random.default_rng(8)
    cases, want = [], []
    for dtype, info in (("int32", np.iinfo(np.int32)), ("int64", np.iinfo(np.int64))):
        for k, (shape, axis) in enumerate(CUMSUM_SHAPES[:10]):
            excl, rev = bool(k & 1), bool(k & 2)
            x = rng.integers(info.min // 4, info.max // 4, size=shape, endpoint=True).astype(dtype)
            cases.append((cumsum_model(shape, axis, dtype, excl, rev), [x]))
            want.append(_np_cumsum(x, axis, excl, rev))
    check_numpy(target, cases, want)


# ---------------------------------------------------------------------------
# L2_POOL_2D

# (input NHWC, filter (h, w), strides (h, w)): windows larger than the
# input, stride > filter, 1x1, odd sizes, many channels.
L2_POOL_SHAPES = POOL_FAST + [((3, 9, 10, 1), (2, 4), (1, 3))]


def l2_pool_cases(sweep):
    rng = np.random.default_rng(31)
    cases, ids = [], []
    k = 0
    for ci, (shape, filt, strides) in enumerate(L2_POOL_SHAPES):
        paddings = ("SAME", "VALID") if sweep == "full" else (("SAME", "VALID")[ci % 2],)
        for padding in paddings:
            if padding == "VALID" and (filt[0] > shape[1] or filt[1] > shape[2]):
                padding = "SAME"
            act = ACTS[k % len(ACTS)]
            k += 1
            m = l2_pool_model(shape, filt, strides, padding, act)
            cases.append((m, [[_data(rng, shape, "float32", 0.5 if act == "RELU_N1_TO_1" else 3.0)]]))
            ids.append(f"L2_POOL_2D-{shape}-f{filt}-s{strides}-{padding}-{act}")
    # Huge values (squares overflow to inf), zeros, NaN.
    x = np.array([1e30, 1, 0, 0, 0, 0, 2, np.nan], np.float32).reshape(1, 2, 4, 1)
    for act in ("NONE", "RELU6"):
        cases.append((l2_pool_model((1, 2, 4, 1), (2, 2), (2, 2), "VALID", act), [[x]]))
        ids.append(f"L2_POOL_2D-edges-{act}")
    if sweep == "full":
        for i in range(60):
            shape = (int(rng.integers(1, 3)), int(rng.integers(1, 13)), int(rng.integers(1, 13)),
                     int(rng.choice([1, 3, 8, 32])))
            filt = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
            strides = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
            padding = ("SAME", "VALID")[int(rng.integers(0, 2))]
            if padding == "VALID" and (filt[0] > shape[1] or filt[1] > shape[2]):
                padding = "SAME"
            act = ACTS[int(rng.integers(0, 4))]
            m = l2_pool_model(shape, filt, strides, padding, act)
            cases.append((m, [[_data(rng, shape, "float32")] for _ in range(2)]))
            ids.append(f"rand{i}-L2_POOL_2D-{shape}-f{filt}-s{strides}-{padding}-{act}")
    return cases, ids


def test_l2_pool(target, sweep):
    # Squares summed in the reference's order, one division, one sqrtf: exact.
    check_sweep(target, l2_pool_cases(sweep), float_tol=0)


# ---------------------------------------------------------------------------
# LOG_SOFTMAX

LOG_SOFTMAX_SHAPES = [(1, 1), (1, 2), (1, 12), (3, 10), (2, 3, 33), (5,), (2, 2, 2, 2, 7), (1, 300)]
# Input scales from tiny (every difference stays within exp's reach) to large
# (most differences are below the radius and give the lowest output; from 16
# the Q5 multiplier exceeds 2^30 and only the row maximum counts).
LOG_SOFTMAX_INT8_Q = [(0.0039, 0), (0.02, -5), (0.0625, 127), (0.1, 14), (0.3, -128), (1.7, 3), (12.0, 0),
                      (16.0, -1), (1000.0, 5)]


def log_softmax_cases(sweep):
    rng = np.random.default_rng(64)
    cases, ids = [], []
    shapes = LOG_SOFTMAX_SHAPES if sweep == "full" else LOG_SOFTMAX_SHAPES[::2] + [(1, 300)]
    for si, shape in enumerate(shapes):
        qs = LOG_SOFTMAX_INT8_Q if sweep == "full" else LOG_SOFTMAX_INT8_Q[si % 2::2]
        for q in qs:
            m = log_softmax_model(shape, "int8", q)
            cases.append((m, [[_data(rng, shape, "int8")] for _ in range(2)]))
            ids.append(f"LOG_SOFTMAX-int8-{shape}-{q}")
        m = log_softmax_model(shape)
        cases.append((m, [[_data(rng, shape, "float32")] for _ in range(2)]))
        ids.append(f"LOG_SOFTMAX-float32-{shape}")
    # Large logits: one value far above the rest, rows of equal values, the
    # type's extremes side by side, every int8 value in one row. Tensors of
    # 256 elements and more take the exps from a table, smaller ones compute
    # them: every value (256) and all but -127 (255) cover both.
    x8 = np.array([[127, -128, -128, -128, -128, -128], [127, 127, 127, 127, 127, 127],
                   [-128, -128, -128, -128, -128, -128], [127, 126, 0, -1, -127, -128],
                   [5, 5, 5, 4, 4, 4]], np.int8)
    every = rng.permutation(np.arange(-128, 128)).astype(np.int8).reshape(1, 256)
    all_but_one = every[every != -127].reshape(1, 255)
    for q in LOG_SOFTMAX_INT8_Q:
        cases.append((log_softmax_model(x8.shape, "int8", q), [[x8]]))
        ids.append(f"LOG_SOFTMAX-int8-large-logits-{q}")
        for x in (every, all_but_one):
            cases.append((log_softmax_model(x.shape, "int8", q), [[x]]))
            ids.append(f"LOG_SOFTMAX-int8-every-value-{x.size}-{q}")
    xf = np.array([[1000, 0, -1000, 3], [88, 89, 90, -90], [0, 0, 0, 0], [-3e38, 3e38, 1, 2],
                   [1e-30, -1e-30, 0, 1e-38]], np.float32)
    cases.append((log_softmax_model(xf.shape), [[xf]]))
    ids.append("LOG_SOFTMAX-float32-large-logits")
    if sweep == "full":
        for i in range(40):
            shape = _random_shape(rng, 4, 8)
            q = (float(np.exp(rng.uniform(np.log(0.002), np.log(20.0)))), int(rng.integers(-128, 128)))
            m = log_softmax_model(shape, "int8", q)
            cases.append((m, [[_data(rng, shape, "int8")] for _ in range(2)]))
            ids.append(f"rand{i}-LOG_SOFTMAX-int8-{shape}-{q}")
    return cases, ids


def test_log_softmax(target, sweep):
    check_sweep(target, log_softmax_cases(sweep), float_tol=1e-5)


# ---------------------------------------------------------------------------
# Bad axes given at run time: a ValueError from invoke, and the interpreter
# still runs the next input set.


def test_runtime_axis_errors(target):
    rng = np.random.default_rng(11)
    x = _data(rng, (3, 4, 5), "float32")
    xb = _values(rng, (3, 4, 5), "bool")
    good_red = np.array([0, -1], np.int32)
    cases = [
        (reduce_model("REDUCE_MIN", (3, 4, 5), [0, -1], "float32", axes_const=False),
         [[x, np.array([0, 3], np.int32)], [x, np.array([-4, 1], np.int32)], [x, good_red]]),
        # Axes that fit the input but not the output's shape.
        (reduce_model("REDUCE_MIN", (3, 4, 5), [0, -1], "float32", axes_const=False),
         [[x, np.array([0, 1], np.int32)], [x, good_red]]),
        (reduce_model("REDUCE_ALL", (3, 4, 5), [0, -1], "bool", axes_const=False),
         [[xb, np.array([5, 0], np.int32)], [xb, good_red]]),
        (cumsum_model((3, 4, 5), 0, "float32", axis_const=False),
         [[x, np.array([3], np.int32)], [x, np.array([-4], np.int32)], [x, np.array([-3], np.int32)]]),
        (cumsum_model((3, 4, 5), 0, "int8", axis_const=False, q=(0.1, 0), qo=(0.4, 0)),
         [[x.astype(np.int8), np.array([7], np.int32)], [x.astype(np.int8), np.array([2], np.int32)]]),
    ]
    got = run_raw(target, cases)
    for (model, batches), g in zip(cases, got):
        assert not isinstance(g, str), g
        for b, r in zip(batches[:-1], g[:-1]):
            assert isinstance(r, str) and r.startswith("ValueError: "), r
            assert "axis" in r or "shape" in r, r
        assert not isinstance(g[-1], str), g[-1]
    # The last input set's output is the oracle's.
    for (model, batches), g in zip(cases, got):
        want = oracle(model, [batches[-1]])[0][0]
        np.testing.assert_array_equal(np.frombuffer(g[-1][0], want.dtype).reshape(want.shape), want)
