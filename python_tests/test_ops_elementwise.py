"""Element-wise binary ops (ADD, SUB, MUL, DIV, SQUARED_DIFFERENCE, MAXIMUM,
MINIMUM, with broadcasting up to 6-D) and reductions (MEAN, SUM, REDUCE_MAX,
ARG_MAX, ARG_MIN), bit-exact with the oracle.

Types the oracle does not run (int16 REDUCE_MAX, int16/int32 ARG_MAX inputs,
int64 ARG_MAX outputs) are checked against numpy instead.
"""
import os

import numpy as np
import pytest

from conftest import SHARED_MODELS, shared_model
from harness import (assert_match, qparams, check_cases, check_numpy, check_sweep, io_details, oracle, read_csv_ints, run_many,
                     run_on_target, run_raw_each)
from tflite_builder import ModelBuilder

QRANGE = {"int8": (-128, 127), "int16": (-32768, 32767)}

# ---------------------------------------------------------------------------
# Model builders


def add_tensor(b, shape, dtype, q):
    if q is None:
        return b.tensor(shape, dtype)
    return b.tensor(shape, dtype, scale=q[0], zero_point=q[1])


# Op versions as the converter assigns them (op_version.cc).
def binary_version(op, dtype, s1, s2):
    bcast5 = tuple(s1) != tuple(s2) and max(len(s1), len(s2)) > 4
    if op == "ADD":
        return {"int8": 2, "int16": 3}.get(dtype, 1)
    if op == "SUB":
        return 5 if dtype == "int16" else 3 if bcast5 else 2 if dtype == "int8" else 1
    if op == "MUL":
        return 4 if dtype == "int16" else 2 if dtype == "int8" else 1
    if op == "DIV":
        return 2 if bcast5 else 1
    if op == "SQUARED_DIFFERENCE":
        return 2 if dtype == "int8" else 1
    if op in ("MAXIMUM", "MINIMUM"):
        return 4 if dtype == "int16" else 3 if bcast5 else 2 if dtype == "int8" else 1
    return 1


HAS_ACTIVATION = ("ADD", "SUB", "MUL", "DIV")


def binary_model(op, s1, s2, dtype, qs=None, act=None, out_shape=None, out_dtype=None,
                 version=None, in2_dtype=None, options=None):
    """One binary op; qs = (q1, q2, qo) quantization of the inputs and output."""
    b = ModelBuilder()
    q1, q2, qo = qs or (None, None, None)
    x = add_tensor(b, s1, dtype, q1)
    y = add_tensor(b, s2, in2_dtype or dtype, q2)
    if out_shape is None:
        out_shape = np.broadcast_shapes(tuple(s1), tuple(s2))
    z = add_tensor(b, out_shape, out_dtype or dtype, qo)
    opts = dict(options or {})
    if op in HAS_ACTIVATION and act:
        opts["fused_activation_function"] = act
    if op in ("ADD", "SUB"):
        opts.setdefault("pot_scale_int16", False)
    b.op(op, [x, y], [z], options=opts,
         version=version or binary_version(op, dtype, s1, s2))
    b.inputs([x, y])
    b.outputs([z])
    return b.build()


def random_data(rng, shape, dtype, nonzero=False):
    if dtype == "float32":
        x = rng.uniform(-4.0, 4.0, size=shape).astype(np.float32)
        if nonzero:
            x = np.where(np.abs(x) < 0.05, np.float32(0.5), x).astype(np.float32)
        return x
    if dtype == "int32":
        x = rng.integers(-2000, 2000, size=shape, endpoint=True).astype(np.int32)
        if nonzero:
            x = np.where(x == 0, 7, x).astype(np.int32)
        return x
    if dtype == "int64":
        return rng.integers(-10**12, 10**12, size=shape).astype(np.int64)
    lo, hi = QRANGE[dtype]
    return rng.integers(lo, hi, size=shape, endpoint=True).astype(dtype)


def binary_inputs(rng, op, s1, s2, dtype, n=2):
    batches = []
    for _ in range(n):
        a = random_data(rng, s1, dtype)
        c = random_data(rng, s2, dtype, nonzero=(op == "DIV"))
        if op in ("MAXIMUM", "MINIMUM") and a.size and c.size and dtype != "int64":
            # Some equal elements.
            flat = c.reshape(-1)
            flat[: max(1, flat.size // 4)] = a.reshape(-1)[0]
        batches.append([a, c])
    return batches


# Input shape pairs: same shape, scalar and vector broadcasts, both sides
# broadcasting, 5-D and 6-D, all ones, wide channels.
SHAPES = [
    ((1, 4, 4, 3), (1, 4, 4, 3)),
    ((7,), (7,)),
    ((2, 3, 4), ()),
    ((), (5,)),
    ((1, 3, 3, 8), (8,)),
    ((16,), (2, 2, 16)),
    ((2, 1, 4), (1, 3, 1)),
    ((3, 1), (1, 5)),
    ((2, 1, 3, 1, 2), (1, 2, 1, 4, 1)),
    ((2, 1, 2, 1, 2, 3), (1, 3, 1, 2, 1, 1)),
    ((1, 1, 1), (1,)),
    ((1, 2, 2, 64), (1, 1, 1, 64)),
    ((1, 1, 256), (1, 2, 1)),
    ((2, 3, 5, 1), (2, 3, 5, 7)),
    ((1,), (9, 1, 3)),
]

BINARY_TYPES = {
    "ADD": ["float32", "int8", "int16", "int32"],
    "SUB": ["float32", "int8", "int16", "int32"],
    "MUL": ["float32", "int8", "int16", "int32"],
    "DIV": ["float32", "int32"],
    "SQUARED_DIFFERENCE": ["float32", "int8", "int16", "int32"],
    "MAXIMUM": ["float32", "int8", "int16", "int32", "int64"],
    "MINIMUM": ["float32", "int8", "int16", "int32", "int64"],
}
ACTS = [None, "RELU", "RELU6", "RELU_N1_TO_1"]


def binary_qs(rng, op, dtype):
    if dtype not in QRANGE:
        return None
    q1, q2 = qparams(rng, dtype), qparams(rng, dtype)
    if op == "MUL":
        qo = qparams(rng, dtype, (q1[0] * q2[0] * 40, q1[0] * q2[0] * 4000) if dtype == "int8"
                     else (q1[0] * q2[0] * 20, q1[0] * q2[0] * 200))
    elif op == "SQUARED_DIFFERENCE":
        m = max(q1[0], q2[0])
        qo = qparams(rng, dtype, (m * m * 10, m * m * 3000) if dtype == "int8"
                     else (m * m * 500, m * m * 30000))
    else:
        qo = qparams(rng, dtype, (max(q1[0], q2[0]) * 0.5, (q1[0] + q2[0]) * 1.5))
    if op in ("MAXIMUM", "MINIMUM"):
        qo = q1  # TFLite keeps one quantization for the three tensors
        q2 = q1
    return (q1, q2, qo)


def binary_cases(sweep):
    rng = np.random.default_rng(1234)
    cases, ids = [], []
    for op, types in BINARY_TYPES.items():
        for ti, dtype in enumerate(types):
            if sweep == "full":
                picks = range(len(SHAPES))
            else:
                start = (3 * ti + len(op)) % len(SHAPES)
                picks = [(start + k * 4) % len(SHAPES) for k in range(4)]
            for k, si in enumerate(picks):
                s1, s2 = SHAPES[si]
                acts = ACTS if (sweep == "full" and op in HAS_ACTIVATION) else [ACTS[(k + ti) % 4]]
                for act in acts:
                    act = act if op in HAS_ACTIVATION else None
                    m = binary_model(op, s1, s2, dtype, binary_qs(rng, op, dtype), act)
                    cases.append((m, binary_inputs(rng, op, s1, s2, dtype)))
                    ids.append(f"{op}-{dtype}-{s1}x{s2}-{act}")
                    if op not in HAS_ACTIVATION:
                        break
    if sweep == "full":
        # Random shapes up to 6-D with random broadcasting.
        for i in range(120):
            op = list(BINARY_TYPES)[i % len(BINARY_TYPES)]
            dtype = BINARY_TYPES[op][(i // 7) % len(BINARY_TYPES[op])]
            rank = int(rng.integers(0, 7))
            full = [int(d) for d in rng.integers(1, 6, size=rank)]
            s1 = [d if rng.random() < 0.7 else 1 for d in full][int(rng.integers(0, rank + 1)):]
            s2 = [d if rng.random() < 0.7 else 1 for d in full][int(rng.integers(0, rank + 1)):]
            act = ACTS[i % 4] if op in HAS_ACTIVATION else None
            m = binary_model(op, s1, s2, dtype, binary_qs(rng, op, dtype), act)
            cases.append((m, binary_inputs(rng, op, s1, s2, dtype)))
            ids.append(f"rand{i}-{op}-{dtype}-{s1}x{s2}-{act}")
    return cases, ids


def test_elementwise_sweep(target, sweep):
    check_sweep(target, binary_cases(sweep), float_tol=0)


def test_elementwise_float_edges(target):
    """Overflow saturates at +-FLT_MAX (TFLM clamps to the activation range
    even for NONE), division by zero, NaN in MAXIMUM/MINIMUM."""
    a = np.array([3e38, -3e38, 1.0, np.inf, -np.inf, np.nan, 0.0, -0.0], np.float32)
    c = np.array([3e38, -3e38, 0.0, 1.0, 1.0, 1.0, 0.0, 2.0], np.float32)
    cases, ids = [], []
    for op in BINARY_TYPES:
        for act in ([None, "RELU"] if op in HAS_ACTIVATION else [None]):
            m = binary_model(op, (8,), (8,), "float32", act=act)
            cases.append((m, [[a, c], [c, a]]))
            ids.append(f"{op}-{act}")
    got = run_many(target, cases)
    for (m, batches), g, name in zip(cases, got, ids):
        assert not isinstance(g, str), f"{name}: {g}"
        want = oracle(m, batches)
        for gk, wk in zip(g, want):
            np.testing.assert_array_equal(gk[0], wk[0], err_msg=name)


def test_elementwise_quant_extremes(target):
    """Saturating outputs, large scale ratios (MUL rescale >= 1), zero points
    at the ends of the int8 range."""
    rng = np.random.default_rng(77)
    cases, ids = [], []
    specs = [
        ("ADD", "int8", ((0.5, -128), (0.001, 127), (0.01, 0))),
        ("ADD", "int8", ((0.02, 5), (0.02, 5), (0.02, 5))),
        ("SUB", "int8", ((0.001, 127), (0.5, -128), (0.003, -7))),
        ("MUL", "int8", ((0.5, 3), (0.4, -2), (0.01, 0))),  # rescale > 1
        ("MUL", "int8", ((0.01, -128), (0.01, 127), (1.0, 0))),
        ("MUL", "int16", ((0.01, 0), (0.02, 0), (0.0001, 0))),
        ("ADD", "int16", ((0.001, 0), (0.0001, 0), (0.00005, 0))),
        ("SUB", "int16", ((0.0001, 0), (0.001, 0), (0.0003, 0))),
        ("SQUARED_DIFFERENCE", "int8", ((0.05, 10), (0.02, -10), (0.001, -128))),
        ("SQUARED_DIFFERENCE", "int16", ((0.001, 0), (0.002, 0), (0.01, 0))),
    ]
    for op, dtype, qs in specs:
        for act in (None, "RELU", "RELU6"):
            m = binary_model(op, (3, 40), (40,), dtype, qs, act if op in HAS_ACTIVATION else None)
            cases.append((m, binary_inputs(rng, op, (3, 40), (40,), dtype, n=3)))
            ids.append(f"{op}-{dtype}-{qs}-{act}")
    # pot_scale_int16=True (power-of-two scales): TFLM still takes the general
    # rescaling path, so must we.
    for op in ("ADD", "SUB"):
        qs = ((2.0 ** -12, 0), (2.0 ** -10, 0), (2.0 ** -11, 0))
        m = binary_model(op, (3, 40), (40,), "int16", qs, options=dict(pot_scale_int16=True), version=1)
        cases.append((m, binary_inputs(rng, op, (3, 40), (40,), "int16", n=2)))
        ids.append(f"{op}-int16-pot")
    check_cases(target, cases, ids=ids)



def test_elementwise_rescale_precision(target, sweep):
    """Many random scale triples on long tensors: a multiplier computed in
    float instead of double (or the reverse) shows up as 1-LSB differences."""
    rng = np.random.default_rng(2024)
    cases, ids = [], []
    n_scales = 24 if sweep == "full" else 4
    for op in ("ADD", "SUB", "MUL", "SQUARED_DIFFERENCE"):
        for dtype in ("int8", "int16"):
            for k in range(n_scales):
                qs = binary_qs(rng, op, dtype)
                if k % 2:  # very different input scales, as in real int16 models
                    q2 = (qs[1][0] * float(rng.uniform(0.001, 0.02)), qs[1][1])
                    qs = (qs[0], q2, qs[2])
                # int16 ADD/SUB: the error of a float-computed factor is
                # ~1e-3 LSB, so it takes thousands of elements to show.
                long16 = dtype == "int16" and op in ("ADD", "SUB") and (sweep == "full" or k == 0)
                shape = (8, 512) if long16 else (4, 128)
                m = binary_model(op, shape, shape[-1:], dtype, qs)
                cases.append((m, binary_inputs(rng, op, shape, shape[-1:], dtype, n=1)))
                ids.append(f"{op}-{dtype}-{k}")
    check_cases(target, cases, ids=ids)


# ---------------------------------------------------------------------------
# Reductions


def reduce_model(op, shape, axes, dtype, keep=False, qi=None, qo=None, out_shape=None,
                 axes_const=True, axes_dtype="int32", version=None, out_dtype=None):
    b = ModelBuilder()
    x = add_tensor(b, shape, dtype, qi)
    axes_arr = np.array(axes, dtype=axes_dtype)
    a = b.const(axes_arr, axes_dtype) if axes_const else b.tensor(axes_arr.shape, axes_dtype)
    if out_shape is None:
        ax = sorted({(v + len(shape)) % len(shape) for v in axes}) if len(shape) else []
        out_shape = [1 if i in ax else d for i, d in enumerate(shape) if keep or i not in ax]
    z = add_tensor(b, out_shape, out_dtype or dtype, qo)
    if version is None:
        version = {"int8": 2, "int16": 3}.get(dtype, 1) if op != "SUM" else (2 if dtype == "int8" else 1)
    b.op(op, [x, a], [z], options=dict(keep_dims=keep), version=version)
    b.inputs([x] if axes_const else [x, a])
    b.outputs([z])
    return b.build()


REDUCE_SHAPES = [
    ((2, 5, 3, 4), [1, 2], True),    # spatial mean of NHWC, keep_dims
    ((2, 5, 3, 4), [2, 1], False),
    ((1, 7, 7, 32), [1, 2], True),
    ((3, 4, 5), [-1], False),
    ((3, 4, 5), [0, 2], True),
    ((3, 4, 5), [1, -2, 1], False),  # duplicates
    ((6,), [0], False),
    ((6,), [0], True),
    ((2, 3, 4), [0, 1, 2], False),   # everything
    ((2, 1, 3, 1, 2), [0, 3, 4], True),
    ((2, 3, 1, 2, 3, 2), [1, 3, 5], False),
    ((4, 1, 9), [1], False),
    ((1, 1, 300), [2], True),
]


def reduce_cases(sweep):
    rng = np.random.default_rng(4321)
    cases, ids = [], []
    specs = [("MEAN", t) for t in ("float32", "int8", "int16")] + \
            [("SUM", t) for t in ("float32", "int8", "int16")] + \
            [("REDUCE_MAX", t) for t in ("float32", "int8")]
    for si, (op, dtype) in enumerate(specs):
        picks = range(len(REDUCE_SHAPES)) if sweep == "full" else \
            [(si * 3 + k * 3) % len(REDUCE_SHAPES) for k in range(5)]
        for k in picks:
            shape, axes, keep = REDUCE_SHAPES[k]
            qi = qparams(rng, dtype)
            if op == "REDUCE_MAX":
                qo = qi
            elif op == "SUM" and qi is not None:
                n = int(np.prod([shape[a] for a in {(v + len(shape)) % len(shape) for v in axes}]))
                qo = qparams(rng, dtype, (qi[0] * max(1, n) * 0.05, qi[0] * max(1, n) * 0.5))
            else:
                qo = qparams(rng, dtype)
            # Same quantization in and out on some MEAN cases too.
            if op == "MEAN" and qi is not None and (k + si) % 2 == 0:
                qo = qi
            m = reduce_model(op, shape, axes, dtype, keep, qi, qo)
            cases.append((m, [[random_data(rng, shape, dtype)] for _ in range(2)]))
            ids.append(f"{op}-{dtype}-{shape}-{axes}-{keep}")
    # Non-constant axes (an input of the graph).
    for op, dtype in (("MEAN", "float32"), ("MEAN", "int8"), ("SUM", "int16"), ("REDUCE_MAX", "float32")):
        qi = qparams(rng, dtype)
        qo = qi if op == "REDUCE_MAX" else qparams(rng, dtype)
        m = reduce_model(op, (3, 4, 5), [0, -1], dtype, False, qi, qo, axes_const=False)
        x = random_data(rng, (3, 4, 5), dtype)
        cases.append((m, [[x, np.array([0, -1], np.int32)], [x, np.array([2, 0], np.int32)]]))
        ids.append(f"{op}-{dtype}-axes-input")
    if sweep == "full":
        for i in range(80):
            op, dtype = specs[i % len(specs)]
            rank = int(rng.integers(1, 7))
            shape = tuple(int(d) for d in rng.integers(1, 6, size=rank))
            axes, keep = random_reduction(rng, rank)
            qi = qparams(rng, dtype)
            qo = qi if op == "REDUCE_MAX" else qparams(rng, dtype)
            m = reduce_model(op, shape, axes, dtype, keep, qi, qo)
            cases.append((m, [[random_data(rng, shape, dtype)] for _ in range(2)]))
            ids.append(f"rand{i}-{op}-{dtype}-{shape}-{axes}-{keep}")
    return cases, ids


def random_reduction(rng, rank):
    """Random REDUCE_* arguments for a rank-`rank` input: 1 to `rank` axes
    in [-rank, rank) (repeats allowed, as a model may hold them) and
    keep_dims."""
    axes = [int(a) for a in rng.choice(np.arange(-rank, rank), size=int(rng.integers(1, rank + 1)))]
    return axes, bool(rng.random() < 0.5)


def test_reduce_sweep(target, sweep):
    # Float sums are accumulated in TFLM's order: exact.
    check_sweep(target, reduce_cases(sweep), float_tol=0)


def test_reduce_max_int16(target):
    """int16 REDUCE_MAX (the oracle has no int16 kernel): numpy reference."""
    rng = np.random.default_rng(5)
    cases, want = [], []
    for shape, axes, keep in REDUCE_SHAPES[:6]:
        m = reduce_model("REDUCE_MAX", shape, axes, "int16", keep, (0.001, 0), (0.001, 0))
        x = random_data(rng, shape, "int16")
        cases.append((m, [x]))
        red = tuple(sorted({(v + len(shape)) % len(shape) for v in axes}))
        want.append(np.max(x, axis=red, keepdims=keep))
    check_numpy(target, cases, want)


def arg_model(op, shape, axis, dtype, out_dtype="int32", axis_dtype="int32", q=None,
              axis_const=True, out_shape=None, version=None):
    b = ModelBuilder()
    x = add_tensor(b, shape, dtype, q)
    a = b.const(np.array([axis], axis_dtype), axis_dtype) if axis_const else b.tensor([1], axis_dtype)
    if out_shape is None:
        r = axis % len(shape)
        out_shape = [d for i, d in enumerate(shape) if i != r]
    z = b.tensor(out_shape, out_dtype)
    b.op(op, [x, a], [z], options=dict(output_type=out_dtype),
         version=version or (2 if dtype == "int8" else 1))
    b.inputs([x] if axis_const else [x, a])
    b.outputs([z])
    return b.build()


ARG_SHAPES = [((2, 5), 1), ((2, 5), 0), ((3, 4, 6), -1), ((3, 4, 6), 1), ((1, 8, 8, 3), 3),
              ((1, 8, 8, 3), -3), ((10,), 0), ((2, 2, 2, 2, 2, 3), 4), ((1, 1000), 1)]


def arg_input(rng, shape, dtype):
    # Few distinct values: plenty of ties (the first index wins).
    if dtype == "float32":
        return rng.integers(-3, 4, size=shape).astype(np.float32) * np.float32(0.5)
    return rng.integers(-3, 4, size=shape).astype(dtype)


def test_arg_min_max(target, sweep):
    rng = np.random.default_rng(99)
    cases, ids = [], []
    for op in ("ARG_MAX", "ARG_MIN"):
        for dtype in ("float32", "int8"):
            for shape, axis in (ARG_SHAPES if sweep == "full" else ARG_SHAPES[::2]):
                q = (0.05, -3) if dtype == "int8" else None
                m = arg_model(op, shape, axis, dtype, q=q)
                cases.append((m, [[arg_input(rng, shape, dtype)] for _ in range(2)]))
                ids.append(f"{op}-{dtype}-{shape}-{axis}")
        # NaN: never wins, but holds once it is first.
        x = np.array([[np.nan, 1, 3, 3, np.nan], [2, np.nan, 5, 1, 5]], np.float32)
        cases.append((arg_model(op, (2, 5), 1, "float32"), [[x]]))
        ids.append(f"{op}-nan")
        # Axis given at run time.
        m = arg_model(op, (3, 4, 6), 0, "float32", axis_const=False, out_shape=(3, 4))
        cases.append((m, [[arg_input(rng, (3, 4, 6), "float32"), np.array([-1], np.int32)]]))
        ids.append(f"{op}-axis-input")
    check_cases(target, cases, ids=ids)


def test_arg_min_max_other_types(target):
    """int16/int32 inputs and int64 outputs (not in the oracle): numpy."""
    rng = np.random.default_rng(3)
    cases, want = [], []
    for op, fn in (("ARG_MAX", np.argmax), ("ARG_MIN", np.argmin)):
        for dtype, out_dtype, axis_dtype in (("int16", "int32", "int32"), ("int32", "int64", "int64"),
                                             ("float32", "int64", "int32"), ("int8", "int64", "int64")):
            for shape, axis in ARG_SHAPES[:5]:
                q = (0.01, 0) if dtype in QRANGE else None
                m = arg_model(op, shape, axis, dtype, out_dtype, axis_dtype, q=q)
                x = arg_input(rng, shape, dtype)
                cases.append((m, [x]))
                want.append(fn(x, axis=axis).astype(out_dtype))
    got = run_raw_each(target, cases)
    for g, w in zip(got, want):
        assert not isinstance(g, str), g
        np.testing.assert_array_equal(np.frombuffer(g[0], w.dtype), w.reshape(-1))


# ---------------------------------------------------------------------------
# Refused models and bad run-time data


def bad_models():
    """(name, model, expected exception type)."""
    q8 = (0.05, 0)
    out = [
        ("add-not-broadcastable", binary_model("ADD", (2, 3), (4,), "float32", out_shape=(2, 3)), "ValueError"),
        ("add-wrong-output", binary_model("ADD", (2, 3), (3,), "float32", out_shape=(3,)), "ValueError"),
        ("add-wrong-output-rank", binary_model("ADD", (2, 3), (3,), "float32", out_shape=(1, 2, 3)), "ValueError"),
        ("add-output-too-small", binary_model("MUL", (2, 3), (2, 1), "float32", out_shape=(2, 1)), "ValueError"),
        ("add-mixed-types", binary_model("ADD", (4,), (4,), "int8", (q8, q8, q8), in2_dtype="int16"), "ValueError"),
        ("add-output-type", binary_model("ADD", (4,), (4,), "float32", out_dtype="int32"), "ValueError"),
        ("add-int8-no-quant", binary_model("ADD", (4,), (4,), "int8"), "ValueError"),
        ("add-activation-99", binary_model("ADD", (4,), (4,), "float32",
                                           options=dict(fused_activation_function=99)), "ValueError"),
        ("add-tanh", binary_model("ADD", (4,), (4,), "float32", act="TANH"), "NotImplementedError"),
        ("add-uint8", binary_model("ADD", (4,), (4,), "uint8", ((0.1, 128),) * 3), "NotImplementedError"),
        ("add-int64", binary_model("ADD", (4,), (4,), "int64", version=4), "NotImplementedError"),
        ("add-version-5", binary_model("ADD", (4,), (4,), "int16", ((0.1, 0),) * 3, version=5),
         "NotImplementedError"),
        ("add-output-scale-tiny", binary_model("ADD", (4,), (4,), "int8", ((1.0, 0), (1.0, 0), (1e-9, 0))),
         "NotImplementedError"),
        ("add-zero-point-range", binary_model("ADD", (4,), (4,), "int8", ((0.1, 300), q8, q8)), "ValueError"),
        ("sub-quantized-int32", binary_model("SUB", (4,), (4,), "int32", ((1.0, 0),) * 3), "NotImplementedError"),
        ("mul-int16-zero-point", binary_model("MUL", (4,), (4,), "int16", ((0.1, 3), (0.1, 0), (0.1, 0))),
         "ValueError"),
        ("div-int8", binary_model("DIV", (4,), (4,), "int8", (q8, q8, q8)), "NotImplementedError"),
        ("sqdiff-int16-zero-point", binary_model("SQUARED_DIFFERENCE", (4,), (4,), "int16",
                                                 ((0.1, 0), (0.1, 0), (0.1, 5))), "ValueError"),
        ("max-bool", binary_model("MAXIMUM", (4,), (4,), "bool"), "NotImplementedError"),
        ("mean-axis-out-of-range", reduce_model("MEAN", (2, 3), [2], "float32", out_shape=(2, 3)), "ValueError"),
        ("mean-axis-negative-range", reduce_model("MEAN", (2, 3), [-3], "float32", out_shape=(2, 3)),
         "ValueError"),
        ("mean-wrong-output", reduce_model("MEAN", (2, 3, 4), [1], "float32", out_shape=(2, 3)), "ValueError"),
        ("mean-keep-wrong-output", reduce_model("MEAN", (2, 3, 4), [1], "float32", keep=True,
                                                out_shape=(2, 4)), "ValueError"),
        ("mean-axes-int64", reduce_model("MEAN", (2, 3), [1], "float32", axes_dtype="int64"),
         "NotImplementedError"),
        ("mean-axes-float", reduce_model("MEAN", (2, 3), [1], "float32", axes_dtype="float32"), "ValueError"),
        ("mean-int32", reduce_model("MEAN", (2, 3), [1], "int32"), "NotImplementedError"),
        ("mean-int8-no-quant", reduce_model("MEAN", (2, 3), [1], "int8"), "ValueError"),
        ("mean-output-type", reduce_model("MEAN", (2, 3), [1], "float32", out_dtype="int32"), "ValueError"),
        ("sum-version-3", reduce_model("SUM", (2, 3), [1], "float32", version=3), "NotImplementedError"),
        ("reduce-max-requantize", reduce_model("REDUCE_MAX", (2, 3), [1], "int8", qi=(0.1, 0), qo=(0.2, 0)),
         "NotImplementedError"),
        ("argmax-axis-out-of-range", arg_model("ARG_MAX", (2, 3), 2, "float32", out_shape=(2,)), "ValueError"),
        ("argmax-two-axes", None, "ValueError"),
        ("argmax-wrong-output", arg_model("ARG_MAX", (2, 3), 1, "float32", out_shape=(3,)), "ValueError"),
        ("argmax-output-rank", arg_model("ARG_MAX", (2, 3), 1, "float32", out_shape=(2, 1)), "ValueError"),
        ("argmax-float-output", arg_model("ARG_MIN", (2, 3), 1, "float32", out_dtype="float32"), "ValueError"),
        ("argmax-scalar-input", arg_model("ARG_MAX", (), 0, "float32", out_shape=()), "ValueError"),
        ("argmax-bool", arg_model("ARG_MAX", (2, 3), 1, "bool", version=3), "NotImplementedError"),
    ]
    # ARG_MAX with a two-element axis tensor.
    b = ModelBuilder()
    x = b.tensor((2, 3), "float32")
    a = b.const(np.array([0, 1], np.int32))
    z = b.tensor((2,), "int32")
    b.op("ARG_MAX", [x, a], [z], options=dict(output_type="int32"))
    b.inputs([x])
    b.outputs([z])
    out = [(n, b.build() if m is None else m, e) for n, m, e in out]
    # Wrong input count.
    b = ModelBuilder()
    x = b.tensor((4,), "float32")
    z = b.tensor((4,), "float32")
    b.op("ADD", [x], [z])
    b.inputs([x])
    b.outputs([z])
    out.append(("add-one-input", b.build(), "ValueError"))
    return out


def test_elementwise_bad_params(target):
    models = bad_models()
    got = run_raw_each(target, [(m, []) for _, m, _ in models])
    wrong = []
    for (name, _, expected), g in zip(models, got):
        if not (isinstance(g, str) and g.startswith(expected + ":")):
            wrong.append(f"{name}: expected {expected}, got {g if isinstance(g, str) else 'a working model'}")
    assert not wrong, "\n".join(wrong)


def test_elementwise_bad_runtime_data(target):
    """Values that would index out of range or divide by zero are reported
    by invoke, never crash."""
    specs = [
        ("div0", binary_model("DIV", (3,), (3,), "int32"),
         [np.array([1, 2, 3], np.int32), np.array([1, 0, 1], np.int32)], "ValueError"),
        ("div-min", binary_model("DIV", (2,), (2,), "int32"),
         [np.array([-2**31, 7], np.int32), np.array([-1, -1], np.int32)], "ok"),
        ("mean-axis", reduce_model("MEAN", (2, 3), [0], "float32", axes_const=False),
         [np.zeros((2, 3), np.float32), np.array([5], np.int32)], "ValueError"),
        ("mean-axis-shape", reduce_model("MEAN", (2, 3), [0], "float32", axes_const=False),
         [np.zeros((2, 3), np.float32), np.array([1], np.int32)], "ValueError"),
        ("argmax-axis", arg_model("ARG_MAX", (2, 3), 0, "float32", axis_const=False, out_shape=(3,)),
         [np.zeros((2, 3), np.float32), np.array([-7], np.int32)], "ValueError"),
        ("argmax-axis-shape", arg_model("ARG_MAX", (2, 3), 0, "float32", axis_const=False, out_shape=(3,)),
         [np.zeros((2, 3), np.float32), np.array([1], np.int32)], "ValueError"),
    ]
    got = run_raw_each(target, [(m, ins) for _, m, ins, _ in specs])
    for (name, _, _, expected), g in zip(specs, got):
        kind = g.split(":")[0] if isinstance(g, str) else "ok"
        assert kind == expected, f"{name}: {g}"
    assert np.frombuffer(got[1][0], np.int32).tolist() == [-2**31, -7]


# ---------------------------------------------------------------------------
# Reference models


def integration_cases(op):
    folder = os.path.join(SHARED_MODELS, "integration", op)
    if not os.path.isdir(folder):
        pytest.skip(f"reference data integration/{op} not available")
    names = sorted(f[:-7] for f in os.listdir(folder) if f.endswith(".tflite"))
    assert names
    return folder, names


@pytest.mark.parametrize("op", ["add", "sub"])
def test_integration_int16_golden(target, op):
    """TFLM's seanet int16 single-op models reproduce their golden outputs."""
    folder, names = integration_cases(op)
    cases, golden = [], []
    for name in names:
        model = shared_model("integration", op, name + ".tflite")
        ins, outs = io_details(model)
        inputs = []
        for i, d in enumerate(ins):
            v = read_csv_ints(os.path.join(folder, f"{name}_input{i}_int16.csv"))
            inputs.append(v.astype(d["dtype"]).reshape(d["shape"]))
        want = read_csv_ints(os.path.join(folder, f"{name}_golden_int16.csv"))
        cases.append((model, [inputs]))
        golden.append(want.astype(outs[0]["dtype"]).reshape(outs[0]["shape"]))
    got = run_many(target, cases)
    for name, (model, batches), g, w in zip(names, cases, got, golden):
        assert not isinstance(g, str), f"{name}: {g}"
        diff = np.flatnonzero(g[0][0].astype(np.int64) != w.astype(np.int64))
        assert diff.size == 0, f"{name}: {diff.size} of {w.size} differ from the golden output"
        assert_match(g, oracle(model, batches), context=name)


def test_simple_add_model(target):
    model = shared_model("tflm", "simple_add_model.tflite")
    ins, _ = io_details(model)
    rng = np.random.default_rng(11)
    batches = [[rng.integers(-128, 127, size=d["shape"], endpoint=True).astype(np.int8) for d in ins]
               for _ in range(2)]
    got, arena = run_on_target(target, model, batches)
    assert_match(got, oracle(model, batches), context="simple_add_model")
    assert arena and arena > 0
