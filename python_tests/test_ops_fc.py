"""FULLY_CONNECTED, QUANTIZE/DEQUANTIZE, L2_NORMALIZATION and BATCH_MATMUL
against the oracle (the tflite_micro wheel).

Integers must match exactly; floats too (float_tol=0): the kernels sum in
TFLM's order. `--sweep=full` adds a larger randomized set (fixed seeds).
"""
import math
import os

import numpy as np
import pytest

from conftest import SHARED_MODELS, shared_model
from harness import (check_cases, io_details, load_each, multiply_by_quantized_multiplier, quantize_multiplier,
                     random_inputs, read_csv_ints, run_many)
from tflite_builder import ModelBuilder, quantize_bias

EXACT = 0.0  # float tolerance: bit-exact


def _out_qparams(y, dtype, zp0=False):
    """Output (scale, zero point) covering the float results `y`."""
    lo, hi = float(np.min(y)), float(np.max(y))
    if dtype == "int16" or zp0:
        qmax = 32767 if dtype == "int16" else 127
        bound = max(abs(lo), abs(hi), 1e-6)
        return bound / qmax * 1.05, 0
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    qmin, qmax = (-128, 127) if dtype == "int8" else (0, 255)
    scale = max(hi - lo, 1e-6) / (qmax - qmin) * 1.05
    zp = int(np.clip(round(qmin - lo / scale), qmin, qmax))
    return scale, zp


def _float_inputs(model, n, seed, lo=-1.0, hi=1.0):
    batches = random_inputs(model, n, seed)
    rng = np.random.default_rng(seed)
    return [[rng.uniform(lo, hi, size=x.shape).astype(x.dtype) if x.dtype == np.float32 else x
             for x in b] for b in batches]


# ---------------------------------------------------------------------------
# FULLY_CONNECTED


def fc_model(in_shape, units, dtype="float32", per_channel=False, bias=True, act="NONE",
             keep_dims=False, in_zp=0, w_zp=0, out_zp=None, bias_dtype=None, const_w=True,
             seed=0):
    """w_zp: the weights' zero point; with per_channel, nonzero gives each
    channel its own (TFLM ignores them for per-channel weights)."""
    rng = np.random.default_rng(seed)
    depth = in_shape[-1]
    batches = int(np.prod(in_shape)) // depth
    out_shape = list(in_shape[:-1]) + [units] if keep_dims else [batches, units]
    opts = dict(fused_activation_function=act, keep_num_dims=keep_dims)
    b = ModelBuilder()
    if dtype == "float32":
        x = b.tensor(in_shape, "float32")
        wf = rng.uniform(-1, 1, size=(units, depth)).astype(np.float32)
        w = b.const(wf, "float32") if const_w else b.tensor([units, depth], "float32")
        bt = b.const(rng.uniform(-1, 1, size=units).astype(np.float32), "float32") if bias else None
        y = b.tensor(out_shape, "float32")
        b.op("FULLY_CONNECTED", [x, w, bt], [y], options=opts)
        b.inputs([x] if const_w else [x, w])
        b.outputs([y])
        return b.build()
    in_scale = 0.03 if dtype == "int8" else 1.0 / 1024
    qmax = 127 if dtype == "int8" else 32767
    wq = rng.integers(-127, 128, size=(units, depth)).astype(np.int8)
    if per_channel:
        ws = rng.uniform(0.002, 0.02, size=units)
        wzp = (np.arange(units) % 7 - 3) * w_zp
    else:
        ws = 0.01
        wzp = w_zp
    ws_arr = np.broadcast_to(np.asarray(ws, np.float64), (units,))
    # Float picture of the op on random inputs, to size the output range.
    xs = (rng.integers(-qmax, qmax + 1, size=(64, depth)) - in_zp) * in_scale
    wr = (wq.astype(np.float64) - np.reshape(wzp, (-1, 1) if per_channel else ())) * ws_arr[:, None]
    bf = rng.uniform(-1, 1, size=units) * math.sqrt(depth) * 0.3 * (1 if dtype == "int8" else 30)
    yf = xs @ wr.T + (bf if bias else 0)
    if act == "RELU":
        yf = np.maximum(yf, 0)
    o_scale, o_zp = _out_qparams(yf, dtype)
    if out_zp is not None:
        o_zp = out_zp
    x = b.tensor(in_shape, dtype, scale=in_scale, zero_point=in_zp)
    if const_w:
        w = b.const(wq, "int8", scale=ws, zero_point=wzp, quantized_dim=0)
    else:
        w = b.tensor([units, depth], "int8", scale=ws, zero_point=wzp, quantized_dim=0)
    bt = None
    if bias:
        bdt = bias_dtype or ("int32" if dtype == "int8" else "int64")
        bq, bs = quantize_bias(bf, np.float32(in_scale), np.asarray(ws, np.float32), dtype=bdt)
        bt = b.const(bq, bdt, scale=bs.tolist() if per_channel else float(bs[0]), zero_point=0)
    y = b.tensor(out_shape, dtype, scale=o_scale, zero_point=o_zp)
    b.op("FULLY_CONNECTED", [x, w, bt], [y], options=opts)
    b.inputs([x] if const_w else [x, w])
    b.outputs([y])
    return b.build()


def _fc_specs(sweep):
    specs = []
    shapes = [((1, 1), 1), ((1, 8), 4), ((3, 16), 7), ((2, 3, 5), 6), ((1, 64), 32), ((4, 33), 3)]
    if sweep == "full":
        shapes += [((1, 256), 64), ((5, 100), 40), ((2, 2, 2, 24), 9), ((7, 1), 13)]
    for dtype in ("float32", "int8", "int16"):
        for i, (shape, units) in enumerate(shapes):
            specs.append(dict(in_shape=shape, units=units, dtype=dtype, seed=i))
            specs.append(dict(in_shape=shape, units=units, dtype=dtype, bias=False, seed=100 + i))
            specs.append(dict(in_shape=shape, units=units, dtype=dtype, keep_dims=True, seed=200 + i))
            if dtype != "float32":
                specs.append(dict(in_shape=shape, units=units, dtype=dtype, per_channel=True,
                                  seed=300 + i))
        for act in ("RELU", "RELU6", "RELU_N1_TO_1"):
            specs.append(dict(in_shape=(2, 12), units=5, dtype=dtype, act=act, seed=7))
        specs.append(dict(in_shape=(2, 10), units=4, dtype=dtype, const_w=False, seed=8))
    for dtype in ("int8", "int16"):
        specs.append(dict(in_shape=(3, 9), units=5, dtype=dtype, in_zp=7, out_zp=-3, seed=9))
        specs.append(dict(in_shape=(3, 9), units=5, dtype=dtype, w_zp=3, in_zp=-5, seed=10))
        specs.append(dict(in_shape=(2, 9), units=5, dtype=dtype, per_channel=True, in_zp=4,
                          keep_dims=True, bias=False, seed=11))
        specs.append(dict(in_shape=(3, 9), units=6, dtype=dtype, per_channel=True, w_zp=1, seed=14))
    specs.append(dict(in_shape=(3, 9), units=5, dtype="int16", bias_dtype="int32", seed=12))
    specs.append(dict(in_shape=(3, 9), units=5, dtype="int16", bias_dtype="int32", per_channel=True,
                      in_zp=2, out_zp=1, seed=13))
    if sweep == "full":
        rng = np.random.default_rng(1234)
        for k in range(60):
            dtype = ["float32", "int8", "int16"][k % 3]
            depth = int(rng.integers(1, 200))
            lead = [int(v) for v in rng.integers(1, 4, size=int(rng.integers(1, 4)))]
            specs.append(dict(in_shape=tuple(lead + [depth]), units=int(rng.integers(1, 80)), dtype=dtype,
                              per_channel=bool(rng.integers(0, 2)) and dtype != "float32",
                              bias=bool(rng.integers(0, 4)), keep_dims=bool(rng.integers(0, 2)),
                              act=["NONE", "RELU", "RELU6", "RELU_N1_TO_1"][int(rng.integers(0, 4))],
                              in_zp=int(rng.integers(-20, 20)) if dtype != "float32" else 0,
                              bias_dtype="int32" if dtype == "int16" and rng.integers(0, 2) else None,
                              seed=5000 + k))
    return specs


def test_fully_connected(target, sweep):
    specs = _fc_specs(sweep)
    cases, ids = [], []
    for i, s in enumerate(specs):
        m = fc_model(**s)
        cases.append((m, _float_inputs(m, 3, i)))
        ids.append("fc:" + ",".join(f"{k}={v}" for k, v in s.items()))
    check_cases(target, cases, float_tol=EXACT, ids=ids)


# Scales whose product rounded to float gives another multiplier than the
# product in double.
S_IN, S_W, S_OUT = np.float32(0.0011), np.float32(0.00093), np.float32(0.31)


def _boundary_accumulators(lo=-120, hi=121):
    """Accumulators whose rescaled value rounds differently with the two
    multipliers."""
    m_float = quantize_multiplier(float(np.float32(S_IN * S_W)) / float(S_OUT))
    m_double = quantize_multiplier(float(S_IN) * float(S_W) / float(S_OUT))
    assert m_float != m_double
    real = float(S_IN) * float(S_W) / float(S_OUT)
    return [v for k in range(lo, hi) for v in range(int((k + 0.5) / real) - 4, int((k + 0.5) / real) + 5)
            if multiply_by_quantized_multiplier(v, *m_float) != multiply_by_quantized_multiplier(v, *m_double)]


def test_fc_multiplier_rounding(target):
    """The multiplier comes from the scales' product in double (per-tensor
    and per-channel). Biases at the rounding boundaries where the float
    product would give other outputs pin that down."""
    s_in, s_w, s_out = S_IN, S_W, S_OUT
    biases = _boundary_accumulators()
    assert len(biases) >= 16
    biases = np.array(biases[:: max(1, len(biases) // 24)], np.int32)
    cases = []
    for per_channel in (False, True):
        n = biases.size
        b = ModelBuilder()
        x = b.tensor([1, 1], "int8", scale=float(s_in), zero_point=5)
        ws = [float(s_w)] * n if per_channel else float(s_w)
        w = b.const(np.full((n, 1), 77), "int8", scale=ws, zero_point=0, quantized_dim=0)
        bs = [float(s_in * s_w)] * n if per_channel else float(s_in * s_w)
        bt = b.const(biases, "int32", scale=bs, zero_point=0)
        y = b.tensor([1, n], "int8", scale=float(s_out), zero_point=0)
        b.op("FULLY_CONNECTED", [x, w, bt], [y])
        b.inputs([x])
        b.outputs([y])
        # The input at its zero point: the output is the rescaled bias alone.
        cases.append((b.build(), [[np.full((1, 1), 5, np.int8)]]))
    check_cases(target, cases, ids=["per-tensor", "per-channel"])


def test_ad01_matches_oracle(target):
    """MLPerf Tiny anomaly detection: int8 FULLY_CONNECTED only."""
    model = shared_model("mlperf_tiny", "ad01_int8.tflite")
    check_cases(target, [(model, random_inputs(model, 5, seed=11))], ids=["ad01_int8"])


def test_keyword_scrambled_matches_oracle(target):
    """Needs SVDF and SOFTMAX too: skipped while the firmware lacks them."""
    cases, ids = [], []
    for name in ("keyword_scrambled.tflite", "keyword_scrambled_8bit.tflite"):
        model = shared_model("tflm", name)
        cases.append((model, random_inputs(model, 3, seed=5)))
        ids.append(name)
    got = run_many(target, cases)
    runnable = [(c, i) for c, i, g in zip(cases, ids, got) if not isinstance(g, str)]
    if not runnable:
        pytest.skip(f"firmware refuses the model: {got[0]}")
    check_cases(target, [c for c, _ in runnable], ids=[i for _, i in runnable])


# ---------------------------------------------------------------------------
# QUANTIZE / DEQUANTIZE


def _qt(b, shape, dtype, scale, zp):
    if dtype == "float32":
        return b.tensor(shape, "float32")
    return b.tensor(shape, dtype, scale=scale, zero_point=zp)


def quant_model(op, shape, in_dtype, out_dtype, in_q=(None, None), out_q=(None, None)):
    b = ModelBuilder()
    x = _qt(b, shape, in_dtype, *in_q)
    y = _qt(b, shape, out_dtype, *out_q)
    b.op(op, [x], [y])
    b.inputs([x])
    b.outputs([y])
    return b.build()


REQUANT_PAIRS = [("int8", "int8"), ("int8", "uint8"), ("int8", "int16"), ("int8", "int32"),
                 ("uint8", "int8"), ("int16", "int8"), ("int16", "int16"), ("int16", "int32"),
                 ("int32", "int8"), ("int32", "int16")]
ZP_RANGE = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767), "int32": (-1000, 1000)}


def _int_inputs(model, n, seed, dtype):
    batches = random_inputs(model, n, seed)
    if dtype != "int32":
        return batches
    rng = np.random.default_rng(seed)
    out = []
    for k, b in enumerate(batches):
        x = b[0]
        # Mostly moderate values (what requantizing an accumulator sees),
        # some extremes.
        v = rng.integers(-(1 << (8 + 4 * (k % 6))), 1 << (8 + 4 * (k % 6)), size=x.shape)
        flat = v.reshape(-1)
        flat[:4] = [2**31 - 1, -(2**31), 2**30, -(2**30)][: flat.size]
        out.append([v.astype(np.int32)])
    return out


def test_quantize_requantize(target, sweep):
    rng = np.random.default_rng(42)
    cases, ids = [], []
    reps = 3 if sweep == "fast" else 12
    for ti, to in REQUANT_PAIRS:
        for r in range(reps):
            in_scale = float(rng.uniform(0.001, 0.2)) * (1e-4 if ti == "int32" else 1)
            # Ratios below and above 1, and exactly 1 (the zero point-only case).
            ratio = [1.0, float(rng.uniform(0.05, 0.9)), float(rng.uniform(1.1, 40.0))][r % 3]
            if to == "int32":
                ratio = float(rng.uniform(0.5, 3000.0)) if r % 3 else 1.0
            out_scale = in_scale / ratio
            izp = int(rng.integers(*ZP_RANGE[ti])) if r else (0 if ti != "uint8" else 128)
            ozp = int(rng.integers(*ZP_RANGE[to])) if r else (0 if to != "uint8" else 128)
            if ti in ("int16",) and r == 1:
                izp = ozp = 0
            shape = [2, 3, 7] if r % 2 else [65]
            m = quant_model("QUANTIZE", shape, ti, to, (in_scale, izp), (out_scale, ozp))
            cases.append((m, _int_inputs(m, 3, 100 + r, ti)))
            ids.append(f"requant {ti}->{to} ratio={ratio:.4g} zp={izp},{ozp}")
    # int8 <-> uint8 with equal scales and a zero point shift of 128 (TFLM's
    # bit-flip shortcut).
    for ti, to, izp, ozp in (("int8", "uint8", 5, 133), ("uint8", "int8", 140, 12)):
        m = quant_model("QUANTIZE", [50], ti, to, (0.05, izp), (0.05, ozp))
        cases.append((m, random_inputs(m, 2, 7)))
        ids.append(f"requant {ti}->{to} shift128")
    check_cases(target, cases, ids=ids)


def test_quantize_from_float(target, sweep):
    rng = np.random.default_rng(7)
    cases, ids = [], []
    reps = 4 if sweep == "fast" else 16
    for to in ("int8", "int16"):
        for r in range(reps):
            scale = float(rng.uniform(0.001, 0.1))
            zp = int(rng.integers(*ZP_RANGE[to])) if r % 2 else 0
            m = quant_model("QUANTIZE", [3, 40], "float32", to, out_q=(scale, zp))
            span = scale * (ZP_RANGE[to][1] - ZP_RANGE[to][0]) * 0.6
            cases.append((m, _float_inputs(m, 2, r, -span, span)))
            ids.append(f"quantize f32->{to} scale={scale:.4g} zp={zp}")
    check_cases(target, cases, ids=ids)


def test_quantize_half_way_rounding(target):
    """x / scale exactly k + 0.5: TFLM rounds half away from zero (TfLiteRound),
    then adds the zero point; out-of-range, infinite and NaN inputs follow the
    oracle too."""
    cases, ids = [], []
    halves = np.arange(-40, 41, dtype=np.float32) / 2  # -20.0, -19.5, ..., 20.0
    extremes = np.array([1e10, -1e10, np.inf, -np.inf, np.nan, 2.0**31, -(2.0**31), 2.0**30,
                         -(2.0**30), 1073741760.0, -1073741760.0, 1e-30, -1e-30, -0.0], np.float32)
    for to in ("int8", "int16"):
        # Scales that are not powers of two: x / scale lands within an ulp of
        # k + 0.5, on either side.
        for scale in (0.1, 0.3, 0.007):
            near = ((np.arange(-40, 40) + 0.5) * scale).astype(np.float32)
            m = quant_model("QUANTIZE", [near.size], "float32", to, out_q=(scale, 0))
            cases.append((m, [[near]]))
            ids.append(f"near-half {to} scale={scale}")
        for scale in (0.5, 0.25, 2.0, 1.0):
            for zp in (0, 3, -5):
                m = quant_model("QUANTIZE", [halves.size], "float32", to, out_q=(scale, zp))
                cases.append((m, [[halves * np.float32(scale)]]))
                ids.append(f"half-way {to} scale={scale} zp={zp}")
        for zp in (0, 5, -5):
            m = quant_model("QUANTIZE", [extremes.size], "float32", to, out_q=(0.5, zp))
            cases.append((m, [[extremes]]))
            ids.append(f"extremes {to} zp={zp}")
    check_cases(target, cases, float_tol=EXACT, ids=ids)


def test_dequantize(target, sweep):
    rng = np.random.default_rng(3)
    cases, ids = [], []
    reps = 3 if sweep == "fast" else 10
    for ti in ("int8", "uint8", "int16"):
        for r in range(reps):
            scale = float(rng.uniform(1e-4, 0.5))
            zp = int(rng.integers(*ZP_RANGE[ti])) if r else (0 if ti != "uint8" else 128)
            m = quant_model("DEQUANTIZE", [4, 33], ti, "float32", in_q=(scale, zp))
            cases.append((m, random_inputs(m, 2, r)))
            ids.append(f"dequantize {ti} scale={scale:.4g} zp={zp}")
    check_cases(target, cases, float_tol=EXACT, ids=ids)


@pytest.mark.parametrize("name,in_type,out_type", [("quantize0", "int32", "int16"),
                                                   ("quantize1", "int16", "int32")])
def test_integration_quantize_golden(target, name, in_type, out_type):
    """TFLM's integration models: output equals the golden CSV exactly."""
    model = shared_model("integration", "quantize", f"{name}.tflite")
    folder = os.path.join(SHARED_MODELS, "integration", "quantize")
    x = read_csv_ints(os.path.join(folder, f"{name}_input0_{in_type}.csv"))
    golden = read_csv_ints(os.path.join(folder, f"{name}_golden_{out_type}.csv"))
    ins, _ = io_details(model)
    x = x.astype(ins[0]["dtype"]).reshape(ins[0]["shape"])
    got = run_many(target, [(model, [[x]])])[0]
    assert not isinstance(got, str), got
    np.testing.assert_array_equal(got[0][0].reshape(-1).astype(np.int64), golden)
    check_cases(target, [(model, [[x]])], ids=[name])


# ---------------------------------------------------------------------------
# L2_NORMALIZATION


def l2_model(shape, dtype, in_scale=0.05, in_zp=0):
    b = ModelBuilder()
    if dtype == "float32":
        x = b.tensor(shape, "float32")
        y = b.tensor(shape, "float32")
    else:
        x = b.tensor(shape, "int8", scale=in_scale, zero_point=in_zp)
        y = b.tensor(shape, "int8", scale=1.0 / 128, zero_point=0)
    b.op("L2_NORMALIZATION", [x], [y])
    b.inputs([x])
    b.outputs([y])
    return b.build()


def test_l2_normalization(target, sweep):
    rng = np.random.default_rng(9)
    shapes = [[1], [5], [2, 3], [1, 1, 1, 16], [2, 3, 4, 7], [3, 64], [1, 200]]
    if sweep == "full":
        shapes += [[4, 5, 6, 37], [2, 1000], [1, 3000]]
    cases, ids = [], []
    for shape in shapes:
        m = l2_model(shape, "float32")
        ins = _float_inputs(m, 2, len(shape))
        zeros = [np.zeros(shape, np.float32)]
        tiny = [np.full(shape, 1e-8, np.float32)]
        big = [rng.uniform(-1e3, 1e3, size=shape).astype(np.float32)]
        cases.append((m, ins + [zeros, tiny, big]))
        ids.append(f"l2 float32 {shape}")
        for zp in (0, -7, 100):
            m = l2_model(shape, "int8", in_scale=float(rng.uniform(0.01, 0.2)), in_zp=zp)
            ins = random_inputs(m, 3, zp + 200)
            ins.append([np.full(shape, zp, np.int8)])  # all at the zero point
            ins.append([np.full(shape, np.clip(zp + 1, -128, 127), np.int8)])
            small = rng.integers(-2, 3, size=shape) + zp
            ins.append([np.clip(small, -128, 127).astype(np.int8)])
            cases.append((m, ins))
            ids.append(f"l2 int8 {shape} zp={zp}")
    check_cases(target, cases, float_tol=EXACT, ids=ids)


# ---------------------------------------------------------------------------
# BATCH_MATMUL


def bmm_model(lhs_shape, rhs_shape, dtype, adj_x=False, adj_y=False, const_rhs=False,
              zps=(0, 0, 0), seed=0):
    rng = np.random.default_rng(seed)
    ls, rs = list(lhs_shape), list(rhs_shape)
    rows = ls[-1] if adj_x else ls[-2]
    depth = ls[-2] if adj_x else ls[-1]
    cols = rs[-2] if adj_y else rs[-1]
    rank = max(len(ls), len(rs))
    el = [1] * (rank - len(ls)) + ls[:-2]
    er = [1] * (rank - len(rs)) + rs[:-2]
    batch = [a if b == 1 else b for a, b in zip(el, er)]
    out_shape = batch + [rows, cols]
    b = ModelBuilder()
    opts = dict(adj_x=adj_x, adj_y=adj_y)
    if dtype == "float32":
        x = b.tensor(ls, "float32")
        if const_rhs:
            w = b.const(rng.uniform(-1, 1, size=rs).astype(np.float32), "float32")
        else:
            w = b.tensor(rs, "float32")
        y = b.tensor(out_shape, "float32")
    else:
        qmax = 127 if dtype == "int8" else 32767
        ls_, rs_ = 0.02, 0.03
        o_scale = ls_ * rs_ * qmax * math.sqrt(max(depth, 1)) / 1.2
        x = b.tensor(ls, dtype, scale=ls_, zero_point=zps[0])
        if const_rhs:
            w = b.const(rng.integers(-qmax, qmax + 1, size=rs), dtype, scale=rs_, zero_point=zps[1])
        else:
            w = b.tensor(rs, dtype, scale=rs_, zero_point=zps[1])
        y = b.tensor(out_shape, dtype, scale=o_scale, zero_point=zps[2])
    b.op("BATCH_MATMUL", [x, w], [y], options=opts)
    b.inputs([x] if const_rhs else [x, w])
    b.outputs([y])
    return b.build()


def _bmm_specs(sweep):
    shapes = [
        ([2, 3], [3, 4]),
        ([1, 1], [1, 1]),
        ([2, 5, 3], [2, 3, 4]),
        ([2, 5, 3], [3, 4]),          # rhs broadcast over the batch
        ([5, 3], [4, 3, 2]),          # lhs broadcast
        ([2, 1, 4, 3], [1, 3, 3, 5]),  # both broadcast
        ([1, 2, 3, 4, 5], [2, 1, 3, 5, 2]),
        ([3, 1, 2, 6], [1, 6, 3]),
        ([4, 16], [16, 8]),
    ]
    if sweep == "full":
        shapes += [([2, 3, 17, 33], [2, 3, 33, 19]), ([1, 64, 64], [64, 32]), ([6, 1, 9, 10], [1, 4, 10, 7])]
    specs = []
    for dtype in ("float32", "int8", "int16"):
        for i, (ls, rs) in enumerate(shapes):
            for adj_x in (False, True):
                for adj_y in (False, True):
                    l = list(ls)
                    r = list(rs)
                    if adj_x:
                        l[-1], l[-2] = l[-2], l[-1]
                    if adj_y:
                        r[-1], r[-2] = r[-2], r[-1]
                    # Every shape with both flags; the rest of the grid on a subset.
                    if sweep == "fast" and (adj_x or adj_y) and i % 3 and not (adj_x and adj_y):
                        continue
                    specs.append(dict(lhs_shape=l, rhs_shape=r, dtype=dtype, adj_x=adj_x, adj_y=adj_y,
                                      const_rhs=(i % 2 == 1), seed=i))
        if dtype == "int8":
            specs.append(dict(lhs_shape=[2, 4, 6], rhs_shape=[6, 3], dtype=dtype, zps=(-3, 5, 7), seed=50))
            specs.append(dict(lhs_shape=[2, 4, 6], rhs_shape=[2, 3, 6], dtype=dtype, adj_y=True,
                              const_rhs=True, zps=(10, -20, -1), seed=51))
    return specs


def test_batch_matmul(target, sweep):
    cases, ids = [], []
    for i, s in enumerate(_bmm_specs(sweep)):
        m = bmm_model(**s)
        cases.append((m, _float_inputs(m, 2, i)))
        ids.append("bmm:" + ",".join(f"{k}={v}" for k, v in s.items()))
    check_cases(target, cases, float_tol=EXACT, ids=ids)


def test_batch_matmul_multiplier_rounding(target):
    """As test_fc_multiplier_rounding, for BATCH_MATMUL int8: lhs rows chosen
    so each accumulator sits at a rounding boundary."""
    accs = [v for v in _boundary_accumulators(0, 121) if v >= 0][:24]
    assert len(accs) >= 8
    depth, half = 2048, 1024
    lhs = np.full((len(accs), depth), -128, np.int8)
    for a, v in enumerate(accs):
        hi_part, lo_part = divmod(v, 255)
        q, r = divmod(hi_part, 255)
        lhs[a, :q] = 127
        lhs[a, q] = -128 + r
        lhs[a, half] = -128 + lo_part
    rhs = np.full((depth, 1), -127)
    rhs[:half] = 127  # (rhs - zp) is 255 for the first half, 1 for the second
    assert ((lhs.astype(np.int64) + 128) @ (rhs + 128)).reshape(-1).tolist() == accs
    b = ModelBuilder()
    x = b.tensor([len(accs), depth], "int8", scale=float(S_IN), zero_point=-128)
    w = b.const(rhs, "int8", scale=float(S_W), zero_point=-128)
    y = b.tensor([len(accs), 1], "int8", scale=float(S_OUT), zero_point=-128)
    b.op("BATCH_MATMUL", [x, w], [y])
    b.inputs([x])
    b.outputs([y])
    check_cases(target, [(b.build(), [[lhs]])], ids=["bmm boundary"])


# ---------------------------------------------------------------------------
# Invalid parameters: refused with the right error class, never a crash.


def _fc_bad_cases():
    V, U = "ValueError", "NotImplementedError"
    cases = []

    def fc(in_shape=(1, 4), w_shape=(3, 4), out_shape=(1, 3), dtype="int8", w_dtype=None,
           bias_dtype="int32", bias_n=None, bias_scale=None, out_dtype=None, opts=None,
           in_q=True, w_q=(0.01, 0, 0), out_scale=0.1):
        b = ModelBuilder()
        q = dtype != "float32"
        x = b.tensor(in_shape, dtype, scale=0.05 if q and in_q else None, zero_point=0 if q and in_q else None)
        wd = w_dtype or ("float32" if dtype == "float32" else "int8")
        wv = np.ones(w_shape)
        if wd == "float32":
            w = b.const(wv, "float32")
        else:
            w = b.const(wv, wd, scale=w_q[0], zero_point=w_q[1], quantized_dim=w_q[2])
        bt = None
        if bias_dtype:
            n = bias_n if bias_n is not None else w_shape[0]
            if bias_dtype == "float32":
                bt = b.const(np.ones(n), "float32")
            else:
                bs = bias_scale if bias_scale is not None else 0.05 * 0.01
                bt = b.const(np.ones(n), bias_dtype, scale=bs, zero_point=0)
        od = out_dtype or dtype
        y = b.tensor(out_shape, od, scale=out_scale if od != "float32" else None,
                     zero_point=0 if od != "float32" else None)
        b.op("FULLY_CONNECTED", [x, w, bt], [y], options=opts)
        b.inputs([x])
        b.outputs([y])
        return b.build()

    cases += [
        ("fc weights 3-D", fc(w_shape=(3, 2, 2)), V),
        ("fc depth mismatch", fc(in_shape=(1, 5)), V),
        ("fc output units", fc(out_shape=(1, 4)), V),
        ("fc output rank 3 without keep_num_dims", fc(out_shape=(1, 1, 3)), V),
        ("fc keep_num_dims rank", fc(in_shape=(2, 1, 4), out_shape=(2, 3),
                                     opts=dict(keep_num_dims=True)), V),
        ("fc keep_num_dims lead dim", fc(in_shape=(2, 4), out_shape=(1, 3),
                                         opts=dict(keep_num_dims=True)), V),
        ("fc bias count", fc(bias_n=4), V),
        ("fc int8 with int64 bias", fc(bias_dtype="int64"), V),
        ("fc int16 with int8 bias", fc(dtype="int16", bias_dtype="int8"), V),
        ("fc bias scale mismatch", fc(bias_scale=0.5), V),
        ("fc output type", fc(out_dtype="int16"), V),
        ("fc int8 input unquantized", fc(in_q=False), V),
        ("fc per-channel along depth", fc(w_shape=(3, 4), w_q=([0.01] * 4, [0] * 4, 1)), V),
        ("fc int16 output scale too small", fc(dtype="int16", out_scale=1e-12, bias_dtype=None), V),
        ("fc float bias int32", fc(dtype="float32", bias_dtype="int32"), V),
        ("fc hybrid", fc(dtype="float32", w_dtype="int8", bias_dtype="float32"), U),
        ("fc shuffled weights", fc(opts=dict(weights_format=1)), U),
        ("fc fused tanh int8", fc(opts=dict(fused_activation_function="TANH")), U),
        ("fc uint8", fc(dtype="uint8", w_dtype="uint8"), U),
        ("fc int32", fc(dtype="int32", w_dtype="int32", bias_dtype=None), U),
    ]
    return cases


def _quant_bad_cases():
    V, U = "ValueError", "NotImplementedError"
    m = quant_model
    b = ModelBuilder()
    x = b.tensor([4], "float32")
    y = b.tensor([4], "int8", scale=[0.1, 0.2, 0.3, 0.4], zero_point=[0] * 4, quantized_dim=0)
    b.op("QUANTIZE", [x], [y])
    b.inputs([x])
    b.outputs([y])
    per_channel = b.build()
    b = ModelBuilder()
    x = b.tensor([4], "float32")
    y = b.tensor([5], "int8", scale=0.1, zero_point=0)
    b.op("QUANTIZE", [x], [y])
    b.inputs([x])
    b.outputs([y])
    count = b.build()
    b = ModelBuilder()
    x = b.tensor([4], "int8", scale=0.1, zero_point=0)
    y = b.tensor([5], "float32")
    b.op("DEQUANTIZE", [x], [y])
    b.inputs([x])
    b.outputs([y])
    dq_count = b.build()
    return [
        ("quantize count", count, V),
        ("quantize float->int32", m("QUANTIZE", [4], "float32", "int32", out_q=(0.1, 0)), U),
        ("quantize uint8->int16", m("QUANTIZE", [4], "uint8", "int16", (0.1, 0), (0.1, 0)), U),
        ("quantize int32->int32", m("QUANTIZE", [4], "int32", "int32", (0.1, 0), (0.1, 0)), U),
        ("quantize output unquantized", m("QUANTIZE", [4], "float32", "int8"), V),
        ("quantize input unquantized", m("QUANTIZE", [4], "int8", "int8", out_q=(0.1, 0)), V),
        ("quantize per-channel output", per_channel, U),
        ("dequantize count", dq_count, V),
        ("dequantize to int8", m("DEQUANTIZE", [4], "int16", "int8", (0.1, 0), (0.1, 0)), U),
        ("dequantize int32", m("DEQUANTIZE", [4], "int32", "float32", in_q=(0.1, 0)), U),
        ("dequantize unquantized", m("DEQUANTIZE", [4], "int8", "float32"), V),
    ]


def _l2_bad_cases():
    V, U = "ValueError", "NotImplementedError"

    def l2(in_shape=(2, 4), out_shape=None, dtype="int8", out_dtype=None, out_q=(1 / 128, 0), opts=None):
        b = ModelBuilder()
        q = dtype != "float32"
        x = b.tensor(in_shape, dtype, scale=0.1 if q else None, zero_point=0 if q else None)
        od = out_dtype or dtype
        oq = od != "float32"
        y = b.tensor(out_shape or in_shape, od, scale=out_q[0] if oq else None, zero_point=out_q[1] if oq else None)
        b.op("L2_NORMALIZATION", [x], [y], options=opts)
        b.inputs([x])
        b.outputs([y])
        return b.build()

    return [
        ("l2 relu", l2(dtype="float32", opts=dict(fused_activation_function="RELU")), U),
        ("l2 output shape", l2(out_shape=(2, 5)), V),
        ("l2 output scale", l2(out_q=(0.01, 0)), V),
        ("l2 output zero point", l2(out_q=(1 / 128, 3)), V),
        ("l2 int16", l2(dtype="int16"), U),
        ("l2 type mismatch", l2(dtype="float32", out_dtype="int8"), V),
        ("l2 scalar", l2(in_shape=()), V),
    ]


def _bmm_bad_cases():
    V, U = "ValueError", "NotImplementedError"

    def bmm(ls=(2, 3), rs=(3, 4), os_=(2, 4), dt="float32", rdt=None, odt=None, zps=(0, 0, 0), quant=True,
            oscale=0.05):
        b = ModelBuilder()

        def t(shape, d, zp, scale=0.05):
            if d == "float32" or not quant:
                return b.tensor(shape, d)
            return b.tensor(shape, d, scale=scale, zero_point=zp)
        x = t(ls, dt, zps[0])
        w = t(rs, rdt or dt, zps[1])
        y = t(os_, odt or dt, zps[2], oscale)
        b.op("BATCH_MATMUL", [x, w], [y])
        b.inputs([x, w])
        b.outputs([y])
        return b.build()

    return [
        ("bmm rank 1", bmm(ls=(3,), os_=(4,)), V),
        ("bmm depth mismatch", bmm(rs=(2, 4)), V),
        ("bmm batch not broadcastable", bmm(ls=(2, 2, 3), rs=(3, 3, 4), os_=(3, 2, 4)), V),
        ("bmm output shape", bmm(os_=(2, 5)), V),
        ("bmm output rank", bmm(os_=(1, 2, 4)), V),
        ("bmm mixed int types", bmm(dt="int8", rdt="int16"), V),
        ("bmm hybrid", bmm(dt="float32", rdt="int8"), U),
        ("bmm int16 zero point", bmm(dt="int16", zps=(0, 3, 0)), V),
        ("bmm int16 output scale too small", bmm(dt="int16", oscale=1e-12), V),
        ("bmm rank 6", bmm(ls=(1, 1, 1, 1, 2, 3), rs=(3, 4), os_=(1, 1, 1, 1, 2, 4)), U),
        ("bmm int8 unquantized", bmm(dt="int8", quant=False), V),
        ("bmm int32 output", bmm(dt="int8", odt="int32"), V),
        ("bmm int32 inputs", bmm(dt="int32", quant=False), U),
    ]


def bad_param_cases():
    return _fc_bad_cases() + _quant_bad_cases() + _l2_bad_cases() + _bmm_bad_cases()


def test_fc_bad_params(target):
    bad = bad_param_cases()
    got = [g.partition(": ")[::2] for g in load_each(target, [m for _, m, _ in bad])]
    wrong = [f"{name}: expected {want}, got {g[0]} {g[1]}"
             for (name, _, want), g in zip(bad, got) if g[0] != want or not g[1].strip()]
    assert not wrong, "\n".join(wrong)
