"""CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV against the oracle.

Single-op models built with tflite_builder sweep shapes, strides, paddings,
dilations, depth multipliers, groups, fused activations, per-tensor and
per-channel weights and every supported type (float32, int8, int16x8); the
integration models from tflite-micro (int16x8 CONV_2D and TRANSPOSE_CONV)
must reproduce their golden CSV outputs exactly.
"""
import glob
import math
import os

import numpy as np
import pytest

from conftest import SHARED_MODELS, shared_model
from harness import check_cases, check_loads, extract_layers, io_details, random_inputs, read_csv_ints, run_many
from tables import model_paths
from tflite_builder import (ModelBuilder, choose_qparams, pack_model, quantize_bias,
                            quantize_symmetric, unpack_model)

ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]


def _out_size(padding, size, filt, stride, dil=1):
    eff = (filt - 1) * dil + 1
    if padding == "SAME":
        return (size + stride - 1) // stride
    return (size + stride - eff) // stride


def _random_nhwc(rng, max_c):
    """A random NHWC shape: batch 1-2, height and width 1-16, 1-max_c channels."""
    return (int(rng.integers(1, 3)), int(rng.integers(1, 17)), int(rng.integers(1, 17)),
            int(rng.integers(1, max_c + 1)))


def _random_window(rng, ins):
    """Random (filter, stride, dilation, padding) for an NHWC input shape;
    VALID only where it leaves an output."""
    f = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
    s = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    dil = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    pad = str(rng.choice(["SAME", "VALID"]))
    if pad == "VALID" and any(_out_size(pad, ins[1 + a], f[a], s[a], dil[a]) < 1 for a in range(2)):
        pad = "SAME"
    return f, s, dil, pad


def _qparams(dtype, lo, hi):
    """(scale, zero_point) for an activation tensor covering [lo, hi]."""
    return choose_qparams(lo, hi, dtype, symmetric=(dtype == "int16"))


def _weights(b, rng, shape, dtype, qdim, per_channel, name="w"):
    """Weights tensor; returns (ref, scales or None)."""
    w = rng.uniform(-1, 1, size=shape).astype(np.float32)
    if dtype == "float32":
        return b.const(w, "float32", name=name), None
    # Vary the channels' magnitudes so per-channel scales differ.
    mag = rng.uniform(0.2, 1.0, size=shape[qdim])
    bshape = [1] * len(shape)
    bshape[qdim] = -1
    w = w * mag.reshape(bshape)
    if per_channel:
        q, scales = quantize_symmetric(w, "int8", axis=qdim)
        return b.const(q, "int8", scale=scales, zero_point=0, quantized_dim=qdim, name=name), scales
    q, scale = quantize_symmetric(w, "int8")
    return b.const(q, "int8", scale=scale, zero_point=0, name=name), np.array([scale])


def _bias(b, rng, n, dtype, in_scale, w_scales, bias_dtype, mag):
    """Bias tensor for `n` output channels (None when bias_dtype is None)."""
    if bias_dtype is None:
        return None
    f = rng.uniform(-mag, mag, size=n)
    if dtype == "float32":
        return b.const(f.astype(np.float32), "float32", name="bias")
    scales = w_scales if len(w_scales) > 1 else w_scales[0]
    q, bscales = quantize_bias(f, in_scale, scales, dtype=bias_dtype)
    return b.const(q, bias_dtype, scale=bscales, zero_point=0, name="bias")


def _act_tensors(b, dtype, in_shape, out_shape, out_range, in_zp_shift=0.0, out_zp_shift=0.0):
    """Input and output tensors; quantized ones get (scale, zp) from ranges."""
    if dtype == "float32":
        return b.tensor(in_shape, "float32", name="x"), b.tensor(out_shape, "float32", name="y"), 1.0
    in_s, in_z = _qparams(dtype, -1.0 + in_zp_shift, 1.0 + in_zp_shift)
    out_s, out_z = _qparams(dtype, -out_range + out_zp_shift, out_range + out_zp_shift)
    x = b.tensor(in_shape, dtype, scale=in_s, zero_point=in_z, name="x")
    y = b.tensor(out_shape, dtype, scale=out_s, zero_point=out_z, name="y")
    return x, y, in_s


def _bias_dtype_for(dtype, bias):
    if not bias:
        return None
    return {"float32": "float32", "int8": "int32", "int16": "int64"}[dtype] if bias is True else bias


def conv_model(dtype="int8", in_shape=(1, 7, 7, 3), out_c=4, filt=(3, 3), stride=(1, 1),
               dilation=(1, 1), padding="SAME", act="NONE", per_channel=True, bias=True,
               groups=1, seed=0, version=None, zp_shift=(0.3, -0.4)):
    """CONV_2D model. stride/dilation are (h, w); bias True picks the usual
    bias type, or names one ('int32', 'int64'), or False for none."""
    rng = np.random.default_rng(seed)
    n, h, w, c = in_shape
    oh = _out_size(padding, h, filt[0], stride[0], dilation[0])
    ow = _out_size(padding, w, filt[1], stride[1], dilation[1])
    b = ModelBuilder()
    depth = filt[0] * filt[1] * (c // groups)
    x, y, in_s = _act_tensors(b, dtype, in_shape, (n, oh, ow, out_c), 0.6 * math.sqrt(depth) + 0.5,
                              zp_shift[0], zp_shift[1])
    wt, w_scales = _weights(b, rng, (out_c, filt[0], filt[1], c // groups), dtype, 0, per_channel)
    bias_t = _bias(b, rng, out_c, dtype, in_s, w_scales, _bias_dtype_for(dtype, bias), 0.5 * math.sqrt(depth))
    b.op("CONV_2D", [x, wt] + ([bias_t] if bias_t is not None else []), [y],
         options=dict(padding=padding, stride_h=stride[0], stride_w=stride[1],
                      dilation_h_factor=dilation[0], dilation_w_factor=dilation[1],
                      fused_activation_function=act), version=version)
    b.inputs([x])
    b.outputs([y])
    return b.build()


def dw_model(dtype="int8", in_shape=(1, 7, 7, 3), depth_mult=1, filt=(3, 3), stride=(1, 1),
             dilation=(1, 1), padding="SAME", act="NONE", per_channel=True, bias=True, seed=0,
             version=None, zp_shift=(0.3, -0.4)):
    rng = np.random.default_rng(seed)
    n, h, w, c = in_shape
    oc = c * depth_mult
    oh = _out_size(padding, h, filt[0], stride[0], dilation[0])
    ow = _out_size(padding, w, filt[1], stride[1], dilation[1])
    b = ModelBuilder()
    depth = filt[0] * filt[1]
    x, y, in_s = _act_tensors(b, dtype, in_shape, (n, oh, ow, oc), 0.6 * math.sqrt(depth) + 0.5,
                              zp_shift[0], zp_shift[1])
    wt, w_scales = _weights(b, rng, (1, filt[0], filt[1], oc), dtype, 3, per_channel)
    bias_t = _bias(b, rng, oc, dtype, in_s, w_scales, _bias_dtype_for(dtype, bias), 0.5 * math.sqrt(depth))
    b.op("DEPTHWISE_CONV_2D", [x, wt] + ([bias_t] if bias_t is not None else []), [y],
         options=dict(padding=padding, stride_h=stride[0], stride_w=stride[1], depth_multiplier=depth_mult,
                      dilation_h_factor=dilation[0], dilation_w_factor=dilation[1],
                      fused_activation_function=act), version=version)
    b.inputs([x])
    b.outputs([y])
    return b.build()


def tc_model(dtype="int8", out_shape=(1, 8, 8, 4), in_c=3, filt=(3, 3), stride=(2, 2), padding="SAME",
             act="NONE", per_channel=True, bias=True, seed=0, version=None, const_shape=True,
             zp_shift=(0.3, -0.4)):
    """TRANSPOSE_CONV producing `out_shape`; the input shape follows."""
    rng = np.random.default_rng(seed)
    n, oh, ow, oc = out_shape
    h = _out_size(padding, oh, filt[0], stride[0])
    w = _out_size(padding, ow, filt[1], stride[1])
    b = ModelBuilder()
    depth = filt[0] * filt[1] * in_c / (stride[0] * stride[1])
    shape_t = (b.const(np.array(out_shape, np.int32), "int32", name="shape") if const_shape
               else b.tensor([4], "int32", name="shape"))
    x, y, in_s = _act_tensors(b, dtype, (n, h, w, in_c), out_shape, 0.6 * math.sqrt(depth) + 0.5,
                              zp_shift[0], zp_shift[1])
    wt, w_scales = _weights(b, rng, (oc, filt[0], filt[1], in_c), dtype, 0, per_channel)
    bias_t = _bias(b, rng, oc, dtype, in_s, w_scales, _bias_dtype_for(dtype, bias), 0.5 * math.sqrt(depth))
    b.op("TRANSPOSE_CONV", [shape_t, wt, x] + ([bias_t] if bias_t is not None else []), [y],
         options=dict(padding=padding, stride_h=stride[0], stride_w=stride[1], fused_activation_function=act),
         version=version)
    b.inputs([x] if const_shape else [shape_t, x])
    b.outputs([y])
    return b.build()


# ---------------------------------------------------------------------------
# Sweeps: lists of (id, model bytes, number of input sets)


def conv_cases(sweep):
    cases = []
    types = ["float32", "int8", "int16"]
    # Geometry: (in_shape, out_c, filt, stride, dilation, padding, groups)
    geoms = [
        ((1, 1, 1, 1), 1, (1, 1), (1, 1), (1, 1), "VALID", 1),
        ((1, 5, 5, 3), 4, (3, 3), (1, 1), (1, 1), "SAME", 1),
        ((1, 6, 7, 2), 3, (3, 2), (2, 2), (1, 1), "SAME", 1),
        ((2, 7, 6, 3), 5, (3, 3), (2, 1), (1, 1), "VALID", 1),
        ((1, 8, 8, 2), 3, (3, 3), (1, 1), (2, 2), "SAME", 1),
        ((1, 9, 7, 2), 2, (2, 3), (2, 3), (3, 1), "VALID", 1),
        ((1, 4, 4, 6), 4, (3, 3), (1, 1), (1, 1), "SAME", 2),
        ((1, 5, 5, 6), 6, (2, 2), (2, 2), (1, 1), "VALID", 3),
        ((1, 3, 3, 64), 8, (1, 1), (1, 1), (1, 1), "SAME", 1),
        ((1, 4, 3, 5), 7, (5, 5), (3, 3), (1, 1), "SAME", 1),
    ]
    k = 0
    for dtype in types:
        for gi, (ins, oc, f, s, dil, pad, g) in enumerate(geoms):
            act = ACTS[k % 4]
            per_channel = dtype == "float32" or k % 3 != 1
            cases.append((f"conv-{dtype}-g{gi}-{act}-{'pc' if per_channel else 'pt'}",
                          conv_model(dtype, ins, oc, f, s, dil, pad, act, per_channel, True, g, seed=k), 2))
            k += 1
    # No bias, and int16 with int32 bias / no bias (32-bit accumulator path).
    cases.append(("conv-int8-nobias", conv_model("int8", (1, 5, 4, 3), 3, bias=False, seed=90), 2))
    cases.append(("conv-float-nobias", conv_model("float32", (1, 5, 4, 3), 3, bias=False, seed=91), 2))
    cases.append(("conv-int16-bias32", conv_model("int16", (1, 5, 4, 3), 3, bias="int32", seed=92), 2))
    cases.append(("conv-int16-nobias", conv_model("int16", (1, 5, 4, 3), 3, bias=False, seed=93), 2))
    cases.append(("conv-int16-bias32-grouped",
                  conv_model("int16", (1, 4, 4, 4), 4, groups=2, bias="int32", seed=94), 2))
    cases.append(("conv-int8-zp-edge",
                  conv_model("int8", (1, 4, 4, 3), 3, act="RELU", zp_shift=(0.99, 0.9), seed=95), 3))
    if sweep == "full":
        rng = np.random.default_rng(1234)
        for i in range(60):
            dtype = types[i % 3]
            g = int(rng.choice([1, 1, 2, 4]))
            c = g * int(rng.integers(1, 17))
            oc = g * int(rng.integers(1, 9))
            ins = (int(rng.integers(1, 3)), int(rng.integers(1, 17)), int(rng.integers(1, 17)), c)
            f, s, dil, pad = _random_window(rng, ins)
            act = ACTS[i % 4]
            bias = [True, False, "int32"][i % 3] if dtype == "int16" else bool(i % 5)
            cases.append((f"conv-full-{i}-{dtype}",
                          conv_model(dtype, ins, oc, f, s, dil, pad, act, bool(i % 2), bias, g, seed=1000 + i), 2))
        for c in (128, 256):
            for dtype in types:
                cases.append((f"conv-wide-{c}-{dtype}",
                              conv_model(dtype, (1, 4, 4, c), 16, (3, 3), seed=c), 1))
    return cases


def dw_cases(sweep):
    cases = []
    types = ["float32", "int8", "int16"]
    # (in_shape, depth_mult, filt, stride, dilation, padding)
    geoms = [
        ((1, 1, 1, 1), 1, (1, 1), (1, 1), (1, 1), "VALID"),
        ((1, 5, 5, 3), 1, (3, 3), (1, 1), (1, 1), "SAME"),
        ((1, 6, 7, 2), 2, (3, 3), (2, 2), (1, 1), "SAME"),
        ((2, 7, 6, 3), 3, (3, 2), (2, 1), (1, 1), "VALID"),
        ((1, 8, 8, 2), 1, (3, 3), (1, 1), (2, 2), "SAME"),
        ((1, 9, 8, 2), 2, (2, 3), (3, 2), (2, 3), "VALID"),
        ((1, 4, 4, 64), 1, (3, 3), (2, 2), (1, 1), "SAME"),
        ((1, 3, 5, 4), 4, (5, 5), (1, 1), (1, 1), "SAME"),
    ]
    k = 0
    for dtype in types:
        for gi, (ins, dm, f, s, dil, pad) in enumerate(geoms):
            act = ACTS[k % 4]
            per_channel = dtype == "float32" or k % 3 != 2
            cases.append((f"dw-{dtype}-g{gi}-{act}-{'pc' if per_channel else 'pt'}",
                          dw_model(dtype, ins, dm, f, s, dil, pad, act, per_channel, True, seed=200 + k), 2))
            k += 1
    for dtype in types:
        cases.append((f"dw-{dtype}-nobias", dw_model(dtype, (1, 5, 4, 3), 2, bias=False, seed=290), 2))
    if sweep == "full":
        rng = np.random.default_rng(4321)
        for i in range(48):
            dtype = types[i % 3]
            ins = _random_nhwc(rng, 32)
            dm = int(rng.choice([1, 1, 2, 3]))
            f, s, dil, pad = _random_window(rng, ins)
            cases.append((f"dw-full-{i}-{dtype}",
                          dw_model(dtype, ins, dm, f, s, dil, pad, ACTS[i % 4], bool(i % 2), bool(i % 7),
                                   seed=2000 + i), 2))
        for c in (128, 256):
            for dtype in types:
                cases.append((f"dw-wide-{c}-{dtype}", dw_model(dtype, (1, 6, 6, c), 1, seed=c), 1))
    return cases


def tc_cases(sweep):
    cases = []
    types = ["float32", "int8", "int16"]
    # (out_shape, in_c, filt, stride, padding)
    geoms = [
        ((1, 1, 1, 1), 1, (1, 1), (1, 1), "VALID"),
        ((1, 8, 8, 4), 3, (3, 3), (2, 2), "SAME"),
        ((1, 7, 9, 2), 3, (3, 3), (2, 2), "SAME"),
        ((2, 9, 8, 3), 2, (3, 2), (2, 3), "VALID"),
        ((1, 6, 6, 5), 4, (4, 4), (2, 2), "VALID"),
        ((1, 5, 5, 3), 2, (3, 3), (1, 1), "SAME"),
        ((1, 4, 4, 8), 32, (2, 2), (2, 2), "SAME"),
    ]
    k = 0
    for dtype in types:
        for gi, (outs, ic, f, s, pad) in enumerate(geoms):
            per_channel = dtype == "float32" or k % 3 != 1
            cases.append((f"tc-{dtype}-g{gi}-{'pc' if per_channel else 'pt'}",
                          tc_model(dtype, outs, ic, f, s, pad, "NONE", per_channel, bool(k % 4), seed=300 + k), 2))
            k += 1
    for i, act in enumerate(ACTS[1:]):
        for dtype in types:
            cases.append((f"tc-{dtype}-{act}", tc_model(dtype, (1, 6, 5, 3), 2, (3, 3), (2, 2), "SAME", act,
                                                       seed=380 + i, version=4), 2))
    cases.append(("tc-int16-bias16", tc_model("int16", (1, 6, 6, 3), 2, bias="int16", seed=390), 2))
    if sweep == "full":
        rng = np.random.default_rng(999)
        for i in range(36):
            dtype = types[i % 3]
            outs = _random_nhwc(rng, 16)
            f = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
            s = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
            pad = str(rng.choice(["SAME", "VALID"]))
            if pad == "VALID" and any(_out_size(pad, outs[1 + a], f[a], s[a]) < 1 for a in range(2)):
                pad = "SAME"
            cases.append((f"tc-full-{i}-{dtype}",
                          tc_model(dtype, outs, int(rng.integers(1, 17)), f, s, pad, ACTS[i % 4], bool(i % 2),
                                   bool(i % 5), seed=3000 + i, version=4), 2))
    return cases


def _run(target, cases, seed):
    # float_tol=0: float outputs must be bit-identical too (same summation
    # order as the reference kernels).
    check_cases(target, [(m, random_inputs(m, n, seed + i)) for i, (_, m, n) in enumerate(cases)],
                float_tol=0, ids=[c[0] for c in cases])


def test_conv2d(target, sweep):
    _run(target, conv_cases(sweep), 10)


def test_depthwise_conv2d(target, sweep):
    _run(target, dw_cases(sweep), 20)


def test_transpose_conv(target, sweep):
    _run(target, tc_cases(sweep), 30)


def test_transpose_conv_shape_input(target):
    """The output shape operand fed as a graph input (as the integration
    models do): TFLM ignores its value, the output tensor decides."""
    m = tc_model("int8", (1, 6, 6, 3), 2, const_shape=False, seed=5)
    check_cases(target, [(m, random_inputs(m, 2, 5, shape_input=(1, 6, 6, 3)))], float_tol=0, ids=["tc-shape-input"])


def test_conv_extreme_values(target):
    """Saturating inputs and large biases: exact wrap-free rescaling."""
    cases = []
    for dtype in ("int8", "int16"):
        m = conv_model(dtype, (1, 4, 4, 16), 4, (3, 3), zp_shift=(0.0, 0.0), seed=7)
        d = io_details(m)[0][0]
        info = np.iinfo(np.dtype(d["dtype"]))
        batches = [[np.full(d["shape"], v, np.dtype(d["dtype"]))] for v in (info.min, info.max, 0)]
        cases.append((m, batches))
    check_cases(target, cases, ids=["conv-extreme-int8", "conv-extreme-int16"])


# ---------------------------------------------------------------------------
# Layers of real models: every conv op of the reference models, cut out into
# a single-op model with its original weights and quantization.

REAL_MODELS = model_paths("conv-layers")
CONV_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "TRANSPOSE_CONV")


def _macs(model):
    """Approximate multiply-accumulates of a single conv-op model (for ranking)."""
    g = unpack_model(model).subgraphs[0]
    op = g.operators[0]
    out = [int(v) for v in g.tensors[op.outputs[0]].shape]
    w = [int(v) for v in g.tensors[op.inputs[1]].shape]
    return int(np.prod(out)) * w[1] * w[2] * (w[3] if w[0] != 1 else 1)


def test_real_model_layers(target, sweep):
    """Every conv layer of the reference models (person detection, keyword
    spotting, visual wake words, micro speech) matches the oracle exactly."""
    cases, ids = [], []
    # An emulated board's fast sweep takes the smallest layer of each kind
    # per model; everything else runs every layer.
    few = sweep == "fast" and getattr(target, "emulated", False)
    for path in REAL_MODELS:
        try:
            data = shared_model(path)
        except pytest.skip.Exception:
            continue
        layers = [(f"{path.split('/')[-1]}:{k}:{name}", name, m)
                  for k, (name, m) in enumerate(extract_layers(data, CONV_OPS))]
        if few:
            smallest = {}
            for lid, name, m in layers:
                if name not in smallest or _macs(m) < _macs(smallest[name][2]):
                    smallest[name] = (lid, name, m)
            layers = list(smallest.values())
        for k, (lid, _, m) in enumerate(layers):
            cases.append((m, random_inputs(m, 1 if sweep == "fast" else 3, k)))
            ids.append(lid)
    if not cases:
        pytest.skip("reference models not available")
    check_cases(target, cases, float_tol=0, ids=ids)


# ---------------------------------------------------------------------------
# Invalid and unsupported models


def _edit_op(model, fn):
    """Apply fn(model_t, operator_t) to the first operator and repack."""
    m = unpack_model(model)
    fn(m, m.subgraphs[0].operators[0])
    return pack_model(m)


def _set_opt(model, **kw):
    def fn(m, op):
        for k, v in kw.items():
            setattr(op.builtinOptions, k, v)
    return _edit_op(model, fn)


def _set_shape(model, which, shape):
    """Reshape op input `which` (an index) or the output ("out")."""
    def fn(m, op):
        m.subgraphs[0].tensors[op.outputs[0] if which == "out" else op.inputs[which]].shape = list(shape)
    return _edit_op(model, fn)


def _raw_conv(op="CONV_2D", x=((1, 4, 4, 2), "int8"), w=((3, 3, 3, 2), "int8"), bias=((3,), "int32"),
              y=((1, 4, 4, 3), "int8"), options=None, w_qdim=0):
    """A model with exactly the given (shape, dtype) operands; quantized
    types get simple per-tensor parameters (weights: per-channel along w_qdim)."""
    b = ModelBuilder()

    def q(dtype):
        return {} if dtype == "float32" else dict(scale=0.05, zero_point=0)
    xt = b.tensor(x[0], x[1], name="x", **q(x[1]))
    yt = b.tensor(y[0], y[1], name="y", **q(y[1]))
    wq = {} if w[1] == "float32" else dict(scale=[0.01] * w[0][w_qdim], zero_point=0, quantized_dim=w_qdim)
    wt = b.const(np.ones(w[0]), w[1], name="w", **wq)
    ins = [xt, wt]
    if bias is not None:
        ins.append(b.const(np.ones(bias[0]), bias[1], name="bias"))
    opts = dict(stride_h=1, stride_w=1, **(options or {}))
    if op == "DEPTHWISE_CONV_2D":
        opts.setdefault("depth_multiplier", w[0][3] // x[0][3])
    b.op(op, ins, [yt], options=opts)
    b.inputs([xt])
    b.outputs([yt])
    return b.build()


def _set_quant(model, which, **kw):
    def fn(m, op):
        t = m.subgraphs[0].tensors[op.inputs[which] if which >= 0 else op.outputs[0]]
        for k, v in kw.items():
            setattr(t.quantization, k, v)
    return _edit_op(model, fn)


def _drop_input(model, k):
    def fn(m, op):
        op.inputs = list(op.inputs)[:k]
    return _edit_op(model, fn)


def _set_type(model, which, type_code, zero_point=None):
    """Change the TensorType of op inputs/output `which` (indices or "out")."""
    def fn(m, op):
        for w in which:
            t = m.subgraphs[0].tensors[op.outputs[0] if w == "out" else op.inputs[w]]
            t.type = type_code
            if zero_point is not None:
                t.quantization.zeroPoint = [zero_point]
    return _edit_op(model, fn)


def _set_shape_operand(model, values, out_shape=None):
    """Rewrite a TRANSPOSE_CONV's constant output-shape operand (and
    optionally the output tensor's shape)."""
    def fn(m, op):
        g = m.subgraphs[0]
        m.buffers[g.tensors[op.inputs[0]].buffer].data = np.frombuffer(
            np.array(values, np.int32).tobytes(), np.uint8).copy()
        if out_shape is not None:
            g.tensors[op.outputs[0]].shape = list(out_shape)
    return _edit_op(model, fn)


def bad_cases():
    """(id, model, expected error class)."""
    c = conv_model("int8", (1, 5, 5, 2), 3, seed=1)
    d = dw_model("int8", (1, 5, 5, 2), 2, seed=2)
    t = tc_model("int8", (1, 6, 6, 3), 2, seed=3)
    cf = conv_model("float32", (1, 5, 5, 2), 3, seed=4)
    V, N = "ValueError", "NotImplementedError"
    out = [
        ("conv-stride0", _set_opt(c, strideH=0), V),
        ("conv-stride-neg", _set_opt(c, strideW=-2), V),
        ("conv-dilation0", _set_opt(c, dilationWFactor=0), V),
        ("conv-padding-bad", _set_opt(c, padding=7), V),
        ("conv-act-bad", _set_opt(c, fusedActivationFunction=9), V),
        ("conv-act-tanh", _set_opt(c, fusedActivationFunction=4), N),
        ("conv-float-act-tanh", _set_opt(cf, fusedActivationFunction=4), N),
        ("conv-out-shape", _set_shape(c, "out", (1, 5, 4, 3)), V),
        ("conv-out-channels", _set_shape(c, "out", (1, 5, 5, 4)), V),
        ("conv-valid-too-big", _set_opt(conv_model("int8", (1, 2, 2, 2), 3, (3, 3), seed=1), padding=1), V),
        ("conv-depth-mismatch", _set_shape(conv_model("int8", (1, 4, 4, 4), 2, groups=2, seed=1), 0,
                                           (1, 4, 4, 5)), V),
        ("conv-groups-split", _set_shape(conv_model("int8", (1, 4, 4, 4), 3, groups=1, seed=1), 0,
                                         (1, 4, 4, 8)), V),
        ("conv-rank3-input", _set_shape(c, 0, (5, 5, 2)), V),
        ("conv-bias-size", _raw_conv(bias=((2,), "int32")), V),
        ("conv-bias-2d", _raw_conv(bias=((3, 2), "int32")), V),
        ("conv-one-input", _drop_input(c, 1), V),
        ("conv-weights-zp", _set_quant(c, 1, zeroPoint=[1, 1, 1]), V),
        ("conv-weights-qdim", _set_quant(conv_model("int8", (1, 4, 4, 3), 3, seed=1), 1,
                                         quantizedDimension=3), V),
        ("conv-no-quant", _set_quant(c, 0, scale=None, zeroPoint=None), V),
        ("conv-int16-zp", _set_quant(conv_model("int16", (1, 4, 4, 2), 2, seed=1), 0, zeroPoint=[3]), V),
        ("conv-int8-bias-type", conv_model("int8", (1, 4, 4, 2), 2, bias="int64", seed=1), N),
        ("conv-hybrid", _raw_conv(x=((1, 4, 4, 2), "float32"), y=((1, 4, 4, 3), "float32"),
                                  bias=((3,), "float32")), N),
        ("conv-float-int8-out", _raw_conv(x=((1, 4, 4, 2), "float32"), w=((3, 3, 3, 2), "float32"),
                                          bias=((3,), "float32")), N),
        ("conv-int16-int16-weights", _raw_conv(x=((1, 4, 4, 2), "int16"), w=((3, 3, 3, 2), "int16"),
                                               y=((1, 4, 4, 3), "int16"), bias=((3,), "int64")), N),
        ("conv-filter-rank3", _raw_conv(w=((3, 3, 6), "int8")), V),
        ("conv-empty-input", _raw_conv(x=((1, 0, 4, 2), "int8"), y=((1, 0, 4, 3), "int8")), V),
        ("conv-uint8", _set_type(c, (0, "out"), 3, zero_point=128), N),
        ("conv-type-mismatch", _set_type(c, ("out",), 7), None),
        ("conv-huge-stride", _set_opt(c, strideH=2 ** 31 - 1), None),
        # int8 saturates absurd multipliers (defined, like the other kernels);
        # the int16 rescale cannot represent them.
        ("conv-huge-scale-ratio", _set_quant(c, -1, scale=[1e-30]), "accepted"),
        ("conv-int16-huge-scale-ratio", _set_quant(conv_model("int16", (1, 4, 4, 2), 2, seed=1), -1,
                                                   scale=[1e-30]), V),
        ("dw-multiplier", _set_opt(d, depthMultiplier=3), V),
        ("dw-multiplier0", _set_opt(d, depthMultiplier=0), V),
        ("dw-filter-dim0", _raw_conv("DEPTHWISE_CONV_2D", w=((2, 3, 3, 2), "int8"), bias=((2,), "int32"),
                                     y=((1, 4, 4, 2), "int8"), w_qdim=3), V),
        ("dw-qdim-other", _raw_conv("DEPTHWISE_CONV_2D", w=((1, 4, 4, 4), "int8"), bias=((4,), "int32"),
                                    y=((1, 4, 4, 4), "int8"), w_qdim=1), V),
        ("dw-channels", _raw_conv("DEPTHWISE_CONV_2D", w=((1, 3, 3, 3), "int8"), bias=((3,), "int32"),
                                  y=((1, 4, 4, 3), "int8"), w_qdim=3, options=dict(depth_multiplier=1)), V),
        ("dw-out-shape", _set_shape(d, "out", (1, 5, 5, 5)), V),
        ("dw-stride0", _set_opt(d, strideW=0), V),
        ("dw-qdim", _set_quant(d, 1, quantizedDimension=0), V),
        ("dw-int16-bias32", dw_model("int16", (1, 4, 4, 2), 1, bias="int32", seed=1), N),
        ("tc-stride0", _set_opt(t, strideH=0), V),
        ("tc-in-shape", _set_shape(t, 2, (1, 4, 3, 2)), V),
        ("tc-out-batch", _set_shape_operand(t, [2, 6, 6, 3], out_shape=(2, 6, 6, 3)), V),
        ("tc-shape-values", _set_shape_operand(t, [1, 6, 5, 3]), V),
        ("tc-shape-type", _set_shape(t, 0, (2, 2)), V),
        ("tc-depth", _set_shape(t, 2, (1, 3, 3, 3)), V),
        ("tc-act-bad", _set_opt(t, fusedActivationFunction=6), V),
        ("tc-int16-bias32", tc_model("int16", (1, 4, 4, 2), 2, bias="int32", seed=1), N),
    ]
    return out


def test_conv_bad_params(target):
    """Invalid models raise ValueError, valid but unsupported ones
    NotImplementedError (None: either), with a message; never a crash."""
    check_loads(target, bad_cases())


# ---------------------------------------------------------------------------
# Integration models (tflite-micro seanet): int16x8, golden CSV outputs


def _integration(op):
    folder = os.path.join(SHARED_MODELS, "integration", op)
    paths = sorted(glob.glob(os.path.join(folder, f"{op}*.tflite")),
                   key=lambda p: int(os.path.basename(p)[len(op):-len(".tflite")]))
    if not paths:
        pytest.skip(f"reference data integration/{op} not available")
    return paths


@pytest.mark.parametrize("op", ["conv", "transpose_conv"])
def test_integration_golden(target, op, sweep):
    """Each model's output equals its golden CSV exactly (an emulated board's
    fast sweep takes the four smallest models)."""
    paths = _integration(op)
    models, cases, goldens = [], [], []
    for path in paths:
        stem = path[: -len(".tflite")]
        with open(path, "rb") as f:
            model = f.read()
        ins, outs = io_details(model)
        batch = []
        for i, d in enumerate(ins):
            csv = glob.glob(f"{stem}_input{i}_*.csv")
            assert len(csv) == 1, (path, i, csv)
            batch.append(read_csv_ints(csv[0], np.dtype(d["dtype"])).reshape(d["shape"]))
        golden = read_csv_ints(glob.glob(f"{stem}_golden_*.csv")[0], np.dtype(outs[0]["dtype"]))
        models.append(os.path.basename(path))
        cases.append((model, [batch]))
        goldens.append(golden)
    if sweep == "fast" and getattr(target, "emulated", False):
        keep = sorted(range(len(cases)), key=lambda i: _macs(cases[i][0]))[:4]
        models, cases, goldens = ([x[i] for i in keep] for x in (models, cases, goldens))
    got = run_many(target, cases)
    failures = []
    for name, g, golden in zip(models, got, goldens):
        if isinstance(g, str):
            failures.append(f"{name}: refused: {g}")
            continue
        g = g[0][0].reshape(-1)
        if g.shape != golden.shape or not np.array_equal(g, golden):
            n = int(np.sum(g != golden)) if g.shape == golden.shape else -1
            failures.append(f"{name}: {n} of {golden.size} differ")
    assert not failures, "\n".join(failures)
