"""Pooling (AVERAGE_POOL_2D, MAX_POOL_2D), activations (LOGISTIC, TANH, RELU,
RELU6, RELU_N1_TO_1, LEAKY_RELU, HARD_SWISH, PRELU) and SOFTMAX against the
oracle: integers bit-exact, floats within 1e-5.

Single-op models sweep shapes, strides, paddings, filter sizes, fused
activations, quantization parameters and every supported type (float32,
int8, int16 where TFLM has it). The SOFTMAX and AVERAGE_POOL_2D layers of the
reference models are rebuilt as single-op models with the same parameters,
and the int16 LEAKY_RELU integration models from tflite-micro must reproduce
the oracle and their golden CSV outputs within 1 (ELU, and int16 LOGISTIC,
TANH and LEAKY_RELU over all inputs: test_ops_act_extra.py). RELU_N1_TO_1, which TFLM does not implement, is
checked against a numpy model of TFLite's arithmetic.
"""
import glob
import os

import numpy as np
import pytest

from conftest import SHARED_MODELS, shared_model
from harness import (check_cases, qparams, check_loads, check_sweep, extract_layers, io_details, oracle,
                     multiply_by_quantized_multiplier, quantize_multiplier, read_csv_ints, run_many, run_raw_each)
from tables import model_paths
from tflite_builder import ModelBuilder

ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]
QMIN = {"int8": -128, "int16": -32768}
QMAX = {"int8": 127, "int16": 32767}
NP = {"float32": np.float32, "int8": np.int8, "int16": np.int16}


def _version(dtype, v8=2, v16=3):
    return {"int8": v8, "int16": v16}.get(dtype, 1)


def _tensor(b, shape, dtype, q):
    if dtype == "float32" or q is None:
        return b.tensor(shape, dtype)
    return b.tensor(shape, dtype, scale=q[0], zero_point=q[1])


def unary_model(op, dtype, shape, in_q=None, out_q=None, options=None, version=1, out_dtype=None):
    b = ModelBuilder()
    x = _tensor(b, shape, dtype, in_q)
    y = _tensor(b, shape, out_dtype or dtype, out_q)
    b.op(op, [x], [y], options=options, version=version)
    b.inputs([x])
    b.outputs([y])
    return b.build()


def _data(rng, shape, dtype, fscale=3.0):
    if dtype == "float32":
        return (rng.standard_normal(shape) * fscale).astype(np.float32)
    return rng.integers(QMIN[dtype], QMAX[dtype], size=shape, endpoint=True).astype(NP[dtype])


def _every_int8(rng, shape):
    """A tensor holding every int8 value (repeated to fill it) in random order."""
    vals = rng.permutation(np.arange(-128, 128, dtype=np.int8))
    return np.resize(vals, shape).astype(np.int8)


def _int16_sample(rng, shape):
    """int16 data with the extremes and zero, the rest uniform."""
    x = rng.integers(-32768, 32767, size=shape, endpoint=True).astype(np.int16)
    flat = x.reshape(-1)
    flat[: min(3, flat.size)] = [-32768, 0, 32767][: min(3, flat.size)]
    return x


# ---------------------------------------------------------------------------
# Pooling


def _out_size(padding, size, filt, stride):
    if padding == "SAME":
        return (size + stride - 1) // stride
    return (size + stride - filt) // stride


def pool_model(op, dtype, in_shape, filt, strides, padding, act="NONE", q=None, out_shape=None,
               version=None, out_dtype=None, out_q=None):
    n, h, w, c = in_shape
    if out_shape is None:
        out_shape = (n, _out_size(padding, h, filt[0], strides[0]), _out_size(padding, w, filt[1], strides[1]), c)
    b = ModelBuilder()
    x = _tensor(b, in_shape, dtype, q)
    y = _tensor(b, out_shape, out_dtype or dtype, out_q or q)
    b.op(op, [x], [y], options=dict(padding=padding, stride_h=strides[0], stride_w=strides[1],
                                    filter_height=filt[0], filter_width=filt[1],
                                    fused_activation_function=act),
         version=version or _version(dtype))
    b.inputs([x])
    b.outputs([y])
    return b.build()


def _pool_q(rng, dtype):
    return qparams(rng, dtype, (0.005, 0.1) if dtype == "int8" else None, zp_range=(-128, 60))


# (input NHWC, filter (h, w), strides (h, w)): edge sizes, odd sizes, windows
# larger than the input, stride > filter, the reference models' layers.
POOL_FAST = [
    ((1, 5, 5, 3), (2, 2), (2, 2)),
    ((2, 7, 6, 4), (3, 3), (2, 2)),
    ((1, 1, 1, 16), (1, 1), (1, 1)),
    ((1, 4, 4, 2), (5, 5), (1, 1)),
    ((1, 6, 7, 5), (4, 3), (3, 1)),
    ((1, 8, 3, 2), (1, 1), (3, 2)),
    ((1, 3, 3, 64), (3, 3), (2, 2)),
]


def pooling_cases(sweep):
    rng = np.random.default_rng(100)
    cases, ids = [], []
    k = 0
    for oi, op in enumerate(("AVERAGE_POOL_2D", "MAX_POOL_2D")):
        for di, dtype in enumerate(("float32", "int8", "int16")):
            for ci, (shape, filt, strides) in enumerate(POOL_FAST):
                # fast: one padding per configuration, alternating
                paddings = ("SAME", "VALID") if sweep == "full" else (("SAME", "VALID")[(oi + di + ci) % 2],)
                for padding in paddings:
                    if padding == "VALID" and (filt[0] > shape[1] or filt[1] > shape[2]):
                        padding = "SAME"
                    act = ACTS[k % len(ACTS)]
                    k += 1
                    q = _pool_q(rng, dtype)
                    m = pool_model(op, dtype, shape, filt, strides, padding, act, q)
                    cases.append((m, [[_data(rng, shape, dtype)]]))
                    ids.append(f"{op}-{dtype}-{shape}-f{filt}-s{strides}-{padding}-{act}")
    if sweep == "full":
        for i in range(240):
            op = ("AVERAGE_POOL_2D", "MAX_POOL_2D")[i % 2]
            dtype = ("float32", "int8", "int16")[(i // 2) % 3]
            shape = (int(rng.integers(1, 3)), int(rng.integers(1, 17)), int(rng.integers(1, 17)),
                     int(rng.choice([1, 3, 8, 32, 64, 256])))
            filt = (int(rng.integers(1, 7)), int(rng.integers(1, 7)))
            strides = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
            padding = ("SAME", "VALID")[int(rng.integers(0, 2))]
            if padding == "VALID" and (filt[0] > shape[1] or filt[1] > shape[2]):
                padding = "SAME"
            act = ACTS[int(rng.integers(0, 4))]
            q = _pool_q(rng, dtype)
            m = pool_model(op, dtype, shape, filt, strides, padding, act, q)
            cases.append((m, [[_data(rng, shape, dtype)] for _ in range(2)]))
            ids.append(f"rand{i}-{op}-{dtype}-{shape}-f{filt}-s{strides}-{padding}-{act}")
    return cases, ids


def test_pooling(target, sweep):
    check_sweep(target, pooling_cases(sweep))


# ---------------------------------------------------------------------------
# Unary activations

UNARY_SHAPES = [(256,), (4, 64), (2, 4, 4, 8), (1, 2, 2, 2, 4, 8)]

# int8 (input scale, zero point, output scale, zero point)
INT8_Q = [
    (0.05, 0, 0.05, 0),
    (0.1, -3, 0.07, 5),
    (0.013, 20, 0.2, -100),
    (0.5, 127, 0.003, -128),
    (0.0123, -128, 0.0077, 3),
    (0.0039, -128, 0.0039, -128),
]


def _int8_out_q(op, q):
    """Output quantization the op requires (or TFLM assumes)."""
    if op == "LOGISTIC":
        return (1 / 256, -128)
    if op == "TANH":
        return (1 / 128, 0)
    return q


def activation_cases(sweep):
    rng = np.random.default_rng(200)
    cases, ids = [], []
    ops = [("RELU", None), ("RELU6", None), ("LEAKY_RELU", dict(alpha=0.2)), ("LEAKY_RELU", dict(alpha=-1.7)),
           ("LEAKY_RELU", dict(alpha=1.5)), ("LOGISTIC", None), ("TANH", None), ("HARD_SWISH", None)]
    n_q = len(INT8_Q) if sweep == "full" else 3
    for j, (op, opts) in enumerate(ops):
        # float32
        shape = UNARY_SHAPES[j % len(UNARY_SHAPES)]
        x = _data(rng, shape, "float32", 4.0)
        x.reshape(-1)[:6] = [0.0, -0.0, 3.0, -3.0, 20.0, -20.0]
        cases.append((unary_model(op, "float32", shape, options=opts), [[x]]))
        ids.append(f"{op}-{opts}-float32-{shape}")
        # int8: every input value
        for i in range(n_q):
            in_s, in_z, out_s, out_z = INT8_Q[(i + j) % len(INT8_Q)]
            if op == "HARD_SWISH" and out_s < in_s / 128:
                continue
            shape = UNARY_SHAPES[(i + j) % len(UNARY_SHAPES)]
            m = unary_model(op, "int8", shape, (in_s, in_z), _int8_out_q(op, (out_s, out_z)), opts,
                            version=1 if op == "HARD_SWISH" else 2 if op != "LEAKY_RELU" else 1)
            cases.append((m, [[_every_int8(rng, shape)]]))
            ids.append(f"{op}-{opts}-int8-{in_s},{in_z}->{out_s},{out_z}")
    # TFLM ignores the output parameters of int8 LOGISTIC (scale) and TANH
    # (scale and zero point): results must still agree.
    for op, oq in (("LOGISTIC", (0.01, -128)), ("TANH", (0.02, 10))):
        m = unary_model(op, "int8", (256,), (0.06, 4), oq, version=2)
        cases.append((m, [[_every_int8(rng, (256,))]]))
        ids.append(f"{op}-int8-odd-output-params")
    # int16: RELU (zero points 0), RELU6, LEAKY_RELU
    n16 = 4096 if sweep == "full" else 512
    for op, opts, qs in [("RELU", None, [(0.001, 0.001), (0.0003, 0.002), (0.01, 0.0001)]),
                         ("RELU6", None, [(0.001, 0.001), (0.0003, 0.002)]),
                         ("LEAKY_RELU", dict(alpha=0.3), [(0.001, 0.001), (0.0058, 0.0046), (0.0003, 0.002)]),
                         ("LEAKY_RELU", dict(alpha=-0.5), [(0.001, 0.0007)])]:
        for in_s, out_s in qs[: (len(qs) if sweep == "full" else 2)]:
            m = unary_model(op, "int16", (n16,), (in_s, 0), (out_s, 0), opts,
                            version=2 if op == "LEAKY_RELU" else 3)
            cases.append((m, [[_int16_sample(rng, (n16,))]]))
            ids.append(f"{op}-{opts}-int16-{in_s}->{out_s}")
    # Relu6 int16 with a zero point (TFLM allows it) and int8 with scales
    # that put six out of range.
    m = unary_model("RELU6", "int16", (64,), (0.001, 100), (0.001, 100), version=3)
    cases.append((m, [[_int16_sample(rng, (64,))]]))
    ids.append("RELU6-int16-zp")
    m = unary_model("RELU6", "int8", (256,), (0.01, 0), (0.01, 0), version=2)
    cases.append((m, [[_every_int8(rng, (256,))]]))
    ids.append("RELU6-int8-six-saturates")
    return cases, ids


def test_activations(target, sweep):
    check_sweep(target, activation_cases(sweep))


# ---------------------------------------------------------------------------
# PRELU


def _bshape(a, b):
    r = max(len(a), len(b))
    a = (1,) * (r - len(a)) + tuple(a)
    b = (1,) * (r - len(b)) + tuple(b)
    return tuple(y if x == 1 else x for x, y in zip(a, b))


def prelu_model(dtype, x_shape, a_shape, alpha, q=None, const=True, alpha_dtype=None, out_shape=None):
    """q: ((in_s, in_z), (alpha_s, alpha_z), (out_s, out_z)) for integer types."""
    adt = alpha_dtype or ("int8" if dtype == "int16" else dtype)
    b = ModelBuilder()
    qi, qa, qo = q if q else (None, None, None)
    x = _tensor(b, x_shape, dtype, qi)
    if const:
        a = b.const(alpha, adt, **({} if qa is None else dict(scale=qa[0], zero_point=qa[1])))
    else:
        a = _tensor(b, a_shape, adt, qa)
    y = _tensor(b, out_shape or _bshape(x_shape, a_shape), dtype, qo)
    b.op("PRELU", [x, a], [y])
    b.inputs([x] if const else [x, a])
    b.outputs([y])
    return b.build()


PRELU_SHAPES = [((1, 4, 4, 3), (3,)), ((1, 4, 4, 3), (1, 1, 3)), ((2, 3, 5), (3, 5)), ((1, 8), (1, 8)),
                ((2, 3, 4, 5), (2, 1, 4, 1)), ((4, 5), (1,)), ((3, 1, 2), (3, 4, 1)), ((1, 2, 3, 4), (2, 3, 4)),
                ((1, 2, 2, 3, 2), (3, 1))]
PRELU_Q = [((0.05, 0), (0.01, 0), (0.04, 0)), ((0.1, -5), (0.02, 7), (0.03, 3)),
           ((0.003, 10), (0.005, -20), (0.01, -50))]


def prelu_cases(sweep):
    rng = np.random.default_rng(400)
    cases, ids = [], []
    shapes = PRELU_SHAPES if sweep == "full" else PRELU_SHAPES[::2] + [PRELU_SHAPES[6]]
    for dtype in ("float32", "int8", "int16"):
        for i, (xs, as_) in enumerate(shapes):
            if dtype == "float32" and len(_bshape(xs, as_)) > 4:
                continue  # TFLM's float PRELU is 4-D only: test_prelu_float_5d
            for const in (True, False):
                if sweep == "fast" and (i + const) % 2:
                    continue
                q = None
                if dtype != "float32":
                    qi, qa, qo = PRELU_Q[(i + const) % len(PRELU_Q)]
                    if dtype == "int16":
                        qi, qo = (qi[0] / 64, 0), (qo[0] / 64, 0)
                    q = (qi, qa, qo)
                if dtype == "float32":
                    alpha = rng.uniform(-0.5, 1.5, size=as_).astype(np.float32)
                else:
                    alpha = rng.integers(-128, 128, size=as_).astype(np.int8)
                m = prelu_model(dtype, xs, as_, alpha, q, const)
                batches = [[_data(rng, xs, dtype)] + ([] if const else [alpha])]
                cases.append((m, batches))
                ids.append(f"PRELU-{dtype}-{xs}-{as_}-{'const' if const else 'input'}")
    return cases, ids


def test_prelu(target, sweep):
    check_sweep(target, prelu_cases(sweep))


def test_prelu_float_5d(target):
    """Float PRELU beyond 4-D (the oracle aborts there): against numpy."""
    rng = np.random.default_rng(450)
    cases, want = [], []
    for xs, as_ in [((1, 2, 2, 3, 2), (3, 1)), ((2, 1, 3, 1, 2, 2), (4, 1, 1, 2, 1))]:
        alpha = rng.uniform(-0.5, 1.5, size=as_).astype(np.float32)
        x = _data(rng, xs, "float32")
        cases.append((prelu_model("float32", xs, as_, alpha), [[x]]))
        want.append(np.where(x >= 0, x, x * alpha).astype(np.float32))
    got = run_many(target, cases)
    for i, (g, w) in enumerate(zip(got, want)):
        assert not isinstance(g, str), f"case {i}: {g}"
        np.testing.assert_array_equal(g[0][0], w, err_msg=f"case {i}")


# ---------------------------------------------------------------------------
# SOFTMAX

SOFTMAX_SHAPES_FAST = [(1, 1), (1, 2), (1, 12), (3, 10), (2, 3, 33)]
# Input quantization of the reference models' softmax layers (kws, person
# detection, vww, resnet, keyword_scrambled, micro_speech) and a few more.
SOFTMAX_INT8_Q = [(0.14469251, 14), (0.012518751, -1), (0.014636219, -5), (0.17185351, 24), (0.06996273, 2),
                  (0.09173192, 14), (0.5, -20), (0.001, 3)]


def softmax_cases(sweep):
    rng = np.random.default_rng(500)
    cases, ids = [], []
    shapes = SOFTMAX_SHAPES_FAST + ([(1, 1000), (4, 64), (2, 2, 2, 5), (1, 256)] if sweep == "full" else [])
    betas = [1.0, 0.5, 2.0]
    for si, shape in enumerate(shapes):
        for qi, (s, z) in enumerate(SOFTMAX_INT8_Q):
            if sweep == "fast" and (qi + si) % 3:
                continue
            beta = betas[(qi + si) % len(betas)]
            x = _data(rng, shape, "int8")
            # TFLM aborts on int8 output rows whose exp sum reaches 512
            # (every probability rounds to 0): test_softmax_int8_wide_rows.
            rows = x.reshape(-1, shape[-1]).astype(np.float64)
            flat_rows = np.exp(beta * s * (rows - rows.max(axis=1, keepdims=True))).sum(axis=1).max() > 400
            for out_dtype, oq in (("int8", (1 / 256, -128)), ("int16", (1 / 65536, -32768))):
                if out_dtype == "int8" and flat_rows:
                    continue
                m = unary_model("SOFTMAX", "int8", shape, (s, z), oq, dict(beta=beta), version=2, out_dtype=out_dtype)
                cases.append((m, [[x]]))
                ids.append(f"SOFTMAX-int8-{out_dtype}-{shape}-{s},{z}-b{beta}")
        for s in ([0.001, 0.0003, 1 / 4096, 3e-5] if sweep == "full" else [0.001, 3e-5]):
            beta = betas[si % len(betas)]
            for spread in ((32767, 3000) if sweep == "full" else ((32767, 3000)[si % 2],)):
                x = rng.integers(-spread, spread, size=shape, endpoint=True).astype(np.int16)
                m = unary_model("SOFTMAX", "int16", shape, (s, 0), (1 / 32768, 0), dict(beta=beta), version=3)
                cases.append((m, [[x]]))
                ids.append(f"SOFTMAX-int16-{shape}-{s}-b{beta}-spread{spread}")
        for beta in ((1.0, 0.5, 0.0) if sweep == "full" else ((1.0, 0.5, 0.0)[si % 3],)):
            m = unary_model("SOFTMAX", "float32", shape, options=dict(beta=beta))
            cases.append((m, [[_data(rng, shape, "float32")]]))
            ids.append(f"SOFTMAX-float32-{shape}-b{beta}")
    # Uniform and one-hot rows.
    for dtype, oq, x in (("int8", (1 / 256, -128), np.full((2, 16), 7, np.int8)),
                         ("int8", (1 / 256, -128), np.array([[127] + [-128] * 15, [-128] * 15 + [127]], np.int8)),
                         ("int16", (1 / 32768, 0), np.full((2, 16), -5, np.int16))):
        m = unary_model("SOFTMAX", dtype, x.shape, (0.05, 0), oq, dict(beta=1.0), version=_version(dtype))
        cases.append((m, [[x]]))
        ids.append(f"SOFTMAX-{dtype}-flat-or-peaked")
    return cases, ids


def test_softmax(target, sweep):
    check_sweep(target, softmax_cases(sweep))


def test_softmax_int8_wide_rows(target):
    """Rows of >= 512 comparable values: every int8 probability is below
    1/512 and rounds to the output's minimum (TFLM aborts on these)."""
    rng = np.random.default_rng(550)
    cases = []
    for shape, scale in (((1, 1000), 0.01), ((2, 600), 0.001), ((1, 4096), 0.05)):
        x = rng.integers(-3, 3, size=shape, endpoint=True).astype(np.int8)
        cases.append((unary_model("SOFTMAX", "int8", shape, (scale, 0), (1 / 256, -128), dict(beta=1.0), version=2),
                      [[x]]))
    for (m, _), g in zip(cases, run_many(target, cases)):
        assert not isinstance(g, str), g
        assert np.all(g[0][0] == -128)


# ---------------------------------------------------------------------------
# The reference models' SOFTMAX and AVERAGE_POOL_2D layers, rebuilt alone

REAL_MODELS = model_paths("act-layers")
REAL_OPS = ("SOFTMAX", "AVERAGE_POOL_2D", "MAX_POOL_2D")


def test_real_model_layers(target, sweep):
    rng = np.random.default_rng(600)
    cases, ids = [], []
    for path in REAL_MODELS:
        try:
            data = shared_model(path)
        except pytest.skip.Exception:
            continue
        for k, (name, m) in enumerate(extract_layers(data, REAL_OPS)):
            ins, _ = io_details(m)
            d = ins[0]
            batches = [[_data(rng, tuple(d["shape"]), np.dtype(d["dtype"]).name)]
                       for _ in range(2 if sweep == "fast" else 6)]
            cases.append((m, batches))
            ids.append(f"{path.split('/')[-1]}:{k}:{name}")
    if not cases:
        pytest.skip("reference models not available")
    check_cases(target, cases, ids=ids)


# ---------------------------------------------------------------------------
# RELU_N1_TO_1 (not in TFLM): numpy model of TFLite's arithmetic


def _relu_n1_int8(x, in_q, out_q):
    # TFLite takes the scale ratio in float.
    mult, shift = quantize_multiplier(float(np.float32(in_q[0]) / np.float32(out_q[0])))
    lo = max(-128, out_q[1] + int(np.round(np.float32(-1.0) / np.float32(out_q[0]))))
    hi = min(127, out_q[1] + int(np.round(np.float32(1.0) / np.float32(out_q[0]))))
    ys = [min(hi, max(lo, out_q[1] + multiply_by_quantized_multiplier(int(v) - in_q[1], mult, shift)))
          for v in x.reshape(-1)]
    return np.array(ys, np.int8).reshape(x.shape)


def test_relu_n1_to_1(target):
    rng = np.random.default_rng(700)
    cases = []
    x = _data(rng, (3, 40), "float32")
    x.reshape(-1)[:4] = [1.0, -1.0, 1.5, -1.5]
    cases.append((unary_model("RELU_N1_TO_1", "float32", x.shape), x, np.float32, x.shape,
                  np.clip(x, -1.0, 1.0)))
    for in_q, out_q in [((0.01, 0), (0.01, 0)), ((0.02, -10), (0.01, 3)), ((0.005, 100), (0.009, -2)),
                        ((0.05, 0), (0.004, 0))]:
        x = _every_int8(rng, (2, 128))
        cases.append((unary_model("RELU_N1_TO_1", "int8", x.shape, in_q, out_q), x, np.int8, x.shape,
                      _relu_n1_int8(x, in_q, out_q)))
    got = run_raw_each(target, [(c[0], [c[1]]) for c in cases])
    for i, (g, c) in enumerate(zip(got, cases)):
        assert not isinstance(g, str), f"case {i}: {g}"
        np.testing.assert_array_equal(np.frombuffer(g[0], c[2]).reshape(c[3]), c[4], err_msg=f"case {i}")


# ---------------------------------------------------------------------------
# Integration models (tflite-micro seanet): int16 LEAKY_RELU, golden CSVs


def test_integration_leaky_relu_golden(target):
    """The int16 LEAKY_RELU models: our outputs equal the oracle's and are
    within 1 of the golden outputs, as TFLM's own integration test allows
    (the goldens are TFLite's, which forms the kernel's multipliers from the
    scale ratios in float where TFLM takes them in double)."""
    folder = os.path.join(SHARED_MODELS, "integration", "leaky_relu")
    paths = sorted(glob.glob(os.path.join(folder, "leaky_relu*.tflite")),
                   key=lambda p: int(os.path.basename(p)[len("leaky_relu"):-len(".tflite")]))
    if not paths:
        pytest.skip("reference data integration/leaky_relu not available")
    cases = []
    for path in paths:
        stem = path[: -len(".tflite")]
        with open(path, "rb") as f:
            model = f.read()
        csv = glob.glob(f"{stem}_input0_*.csv")
        assert len(csv) == 1, (path, csv)
        x = read_csv_ints(csv[0], "<i2").reshape(io_details(model)[0][0]["shape"])
        cases.append((os.path.basename(stem), model, x, read_csv_ints(glob.glob(f"{stem}_golden_*.csv")[0], "<i2")))
    got = run_raw_each(target, [(model, [x]) for _, model, x, _ in cases])
    failures = []
    for (name, model, x, golden), g in zip(cases, got):
        if isinstance(g, str):
            failures.append(f"{name}: {g}")
            continue
        out = np.frombuffer(g[0], "<i2")
        want = oracle(model, [[x]])[0][0].reshape(-1)
        if out.shape != golden.shape or out.shape != want.shape:
            failures.append(f"{name}: {out.size} outputs, golden {golden.size}, oracle {want.size}")
            continue
        far = int(np.sum(np.abs(out.astype(np.int32) - golden) > 1))
        off = int(np.sum(out != want))
        if far or off:
            failures.append(f"{name}: {far} values off the golden by more than 1, {off} differ from the oracle")
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------------
# Invalid and unsupported models

Q8 = (0.05, 0)


def _mismatched(op):
    b = ModelBuilder()
    x, y = b.tensor((2, 4), "float32"), b.tensor((4, 2), "float32")
    b.op(op, [x], [y])
    b.inputs([x]), b.outputs([y])
    return b.build()


def bad_cases():
    """(name, model, expected exception name or "accepted")."""
    V, N = "ValueError", "NotImplementedError"
    c = []
    # Pooling
    c.append(("pool-stride0", pool_model("MAX_POOL_2D", "float32", (1, 4, 4, 1), (2, 2), (0, 1), "VALID",
                                         out_shape=(1, 2, 2, 1)), V))
    c.append(("pool-stride-neg", pool_model("AVERAGE_POOL_2D", "float32", (1, 4, 4, 1), (2, 2), (2, -1), "VALID",
                                            out_shape=(1, 2, 2, 1)), V))
    c.append(("pool-filter0", pool_model("AVERAGE_POOL_2D", "int8", (1, 4, 4, 1), (0, 2), (1, 1), "SAME", q=Q8), V))
    c.append(("pool-out-shape", pool_model("MAX_POOL_2D", "int8", (1, 4, 4, 1), (2, 2), (2, 2), "VALID", q=Q8,
                                           out_shape=(1, 3, 2, 1)), V))
    c.append(("pool-channels", pool_model("MAX_POOL_2D", "float32", (1, 4, 4, 2), (2, 2), (2, 2), "VALID",
                                          out_shape=(1, 2, 2, 3)), V))
    c.append(("pool-quant-differs", pool_model("AVERAGE_POOL_2D", "int8", (1, 4, 4, 1), (2, 2), (2, 2), "VALID",
                                               q=Q8, out_q=(0.06, 0)), V))
    c.append(("pool-zp-differs", pool_model("AVERAGE_POOL_2D", "int16", (1, 4, 4, 1), (2, 2), (2, 2), "VALID",
                                            q=(0.001, 0), out_q=(0.001, 3)), V))
    c.append(("pool-type-mismatch", pool_model("MAX_POOL_2D", "int8", (1, 4, 4, 1), (2, 2), (2, 2), "VALID", q=Q8,
                                               out_dtype="int16"), V))
    c.append(("pool-no-quant", pool_model("MAX_POOL_2D", "int8", (1, 4, 4, 1), (2, 2), (2, 2), "VALID"), V))
    c.append(("pool-tanh", pool_model("AVERAGE_POOL_2D", "float32", (1, 4, 4, 1), (2, 2), (2, 2), "VALID",
                                      act="TANH"), N))
    c.append(("pool-uint8", pool_model("AVERAGE_POOL_2D", "uint8", (1, 4, 4, 1), (2, 2), (2, 2), "VALID",
                                       q=(0.05, 128)), N))
    c.append(("pool-valid-window", pool_model("AVERAGE_POOL_2D", "float32", (1, 2, 2, 3), (5, 5), (1, 1), "VALID",
                                              out_shape=(1, 0, 0, 3)), V))
    b = ModelBuilder()
    x, y = b.tensor((4, 4, 1), "float32"), b.tensor((2, 2, 1), "float32")
    b.op("MAX_POOL_2D", [x], [y], options=dict(padding="VALID", stride_h=2, stride_w=2, filter_height=2,
                                               filter_width=2))
    b.inputs([x]), b.outputs([y])
    c.append(("pool-rank3", b.build(), V))
    c.append(("pool-version", pool_model("MAX_POOL_2D", "float32", (1, 4, 4, 1), (2, 2), (2, 2), "VALID",
                                         version=9), N))
    # Softmax
    c.append(("softmax-int8-out-zp", unary_model("SOFTMAX", "int8", (1, 8), Q8, (1 / 256, 0), dict(beta=1.0),
                                                 version=2), V))
    c.append(("softmax-int8-out-scale", unary_model("SOFTMAX", "int8", (1, 8), Q8, (1 / 255, -128),
                                                    dict(beta=1.0), version=2), V))
    c.append(("softmax-int8-int16-out", unary_model("SOFTMAX", "int8", (1, 8), Q8, (1 / 65536, 0), dict(beta=1.0),
                                                    version=2, out_dtype="int16"), V))
    c.append(("softmax-int16-zp", unary_model("SOFTMAX", "int16", (1, 8), (0.001, 5), (1 / 32768, 0),
                                              dict(beta=1.0), version=3), V))
    c.append(("softmax-int16-out-scale", unary_model("SOFTMAX", "int16", (1, 8), (0.001, 0), (1 / 16384, 0),
                                                     dict(beta=1.0), version=3), V))
    c.append(("softmax-beta0-int8", unary_model("SOFTMAX", "int8", (1, 8), Q8, (1 / 256, -128), dict(beta=0.0),
                                                version=2), V))
    c.append(("softmax-beta-neg", unary_model("SOFTMAX", "int8", (1, 8), Q8, (1 / 256, -128), dict(beta=-1.0),
                                              version=2), N))
    c.append(("softmax-float-to-int8", unary_model("SOFTMAX", "float32", (1, 8), None, (1 / 256, -128),
                                                   dict(beta=1.0), out_dtype="int8"), N))
    c.append(("softmax-uint8", unary_model("SOFTMAX", "uint8", (1, 8), (0.05, 128), (1 / 256, 0), dict(beta=1.0)),
              N))
    b = ModelBuilder()
    x, y = b.tensor((1, 8), "float32"), b.tensor((1, 9), "float32")
    b.op("SOFTMAX", [x], [y], options=dict(beta=1.0))
    b.inputs([x]), b.outputs([y])
    c.append(("softmax-shape", b.build(), V))
    b = ModelBuilder()
    x, y = b.tensor([], "float32"), b.tensor([], "float32")
    b.op("SOFTMAX", [x], [y], options=dict(beta=1.0))
    b.inputs([x]), b.outputs([y])
    c.append(("softmax-rank0", b.build(), V))
    # Unary activations
    c.append(("logistic-int8-out-zp", unary_model("LOGISTIC", "int8", (8,), Q8, (1 / 256, 0), version=2), V))
    c.append(("relu-int16-zp", unary_model("RELU", "int16", (8,), (0.001, 1), (0.001, 0), version=3), V))
    c.append(("relu-uint8", unary_model("RELU", "uint8", (8,), (0.05, 128), (0.05, 128), version=2), N))
    c.append(("relu-int32", unary_model("RELU", "int32", (8,)), N))
    c.append(("relu6-shape", _mismatched("RELU6"), V))
    c.append(("relu-type-mismatch", unary_model("RELU", "int8", (8,), Q8, (0.001, 0), out_dtype="int16",
                                                version=2), V))
    c.append(("leaky-no-quant", unary_model("LEAKY_RELU", "int8", (8,), None, None, dict(alpha=0.1)), V))
    c.append(("hard-swish-int16", unary_model("HARD_SWISH", "int16", (8,), (0.001, 0), (0.001, 0)), N))
    c.append(("hard-swish-out-scale", unary_model("HARD_SWISH", "int8", (8,), (0.5, 0), (0.001, 0)), N))
    c.append(("relu-n1-int16", unary_model("RELU_N1_TO_1", "int16", (8,), (0.001, 0), (0.001, 0)), N))
    c.append(("relu-n1-version", unary_model("RELU_N1_TO_1", "int8", (8,), Q8, Q8, version=2), N))
    c.append(("tanh-version", unary_model("TANH", "float32", (8,), version=4), N))
    # PRELU
    f1 = np.ones((3,), np.float32)
    c.append(("prelu-no-broadcast", prelu_model("float32", (2, 4), (3,), f1, out_shape=(2, 4)), V))
    c.append(("prelu-out-shape", prelu_model("float32", (2, 3), (3,), f1, out_shape=(2, 4)), V))
    c.append(("prelu-out-rank", prelu_model("float32", (2, 3), (3,), f1, out_shape=(1, 2, 3)), V))
    c.append(("prelu-int16-alpha", prelu_model("int16", (2, 3), (3,), np.ones(3, np.int16),
                                               ((0.001, 0), (0.001, 0), (0.001, 0)), alpha_dtype="int16"), N))
    c.append(("prelu-float-int8-alpha", prelu_model("float32", (2, 3), (3,), np.ones(3, np.int8), None,
                                                    alpha_dtype="int8"), N))
    c.append(("prelu-no-quant", prelu_model("int8", (2, 3), (3,), np.ones(3, np.int8)), V))
    b = ModelBuilder()
    x, y = b.tensor((2, 3), "float32"), b.tensor((2, 3), "float32")
    b.op("PRELU", [x], [y])
    b.inputs([x]), b.outputs([y])
    c.append(("prelu-one-input", b.build(), V))
    # Empty tensors are valid and do nothing.
    A = "accepted"
    c.append(("empty-softmax-int8", unary_model("SOFTMAX", "int8", (0, 5), (0.1, 0), (1 / 256, -128), dict(beta=1.0),
                                                version=2), A))
    c.append(("empty-softmax-int16", unary_model("SOFTMAX", "int16", (3, 0), (0.001, 0), (1 / 32768, 0),
                                                 dict(beta=1.0), version=3), A))
    c.append(("empty-pool", pool_model("AVERAGE_POOL_2D", "int8", (0, 4, 4, 1), (2, 2), (2, 2), "VALID", q=Q8), A))
    c.append(("empty-pool-depth", pool_model("MAX_POOL_2D", "float32", (1, 4, 4, 0), (2, 2), (2, 2), "SAME"), A))
    c.append(("empty-tanh", unary_model("TANH", "int8", (4, 0), (0.05, 0), (1 / 128, 0), version=2), A))
    c.append(("empty-prelu", prelu_model("int8", (0, 3), (3,), np.ones(3, np.int8), (Q8, Q8, Q8)), A))
    return c


def test_activations_bad_params(target):
    """Invalid models raise ValueError, valid but unsupported ones
    NotImplementedError, with a message; never a crash. Empty tensors run."""
    check_loads(target, bad_cases())
