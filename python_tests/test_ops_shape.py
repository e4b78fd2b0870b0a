"""Shape and data-movement ops: RESHAPE, SQUEEZE, EXPAND_DIMS, CONCATENATION,
PACK, UNPACK, SPLIT, SPLIT_V, PAD, PADV2, STRIDED_SLICE, SLICE, TRANSPOSE,
GATHER, CAST, RESIZE_NEAREST_NEIGHBOR, RESIZE_BILINEAR.

Cases the oracle (the tflite_micro wheel) runs are compared with it. Cases
TFLM refuses but our runtime supports (more types, ranks above 4-5,
strided-slice ellipsis/new-axis/offset, fused activations on float
concatenation, int64/int16 gather indices, int16 bilinear...) are compared
with numpy references written from TFLite's semantics.
"""
import glob
import os

import numpy as np
import pytest

from conftest import SHARED_MODELS
from harness import assert_all_match, check_cases, io_details, load_each, read_csv_ints, run_many, run_raw
from tflite_builder import ModelBuilder, np_dtype, op_model

# Quantization for quantized types: the same everywhere, so data movement
# needs no requantization.
QPARAMS = {"int8": (0.05, -3), "uint8": (0.05, 120), "int16": (0.001, 0)}


def T(b, shape, dtype, q=None):
    """An activation tensor; quantized types get QPARAMS (or q)."""
    if dtype in QPARAMS:
        scale, zp = q or QPARAMS[dtype]
        return b.tensor(shape, dtype, scale=scale, zero_point=zp)
    return b.tensor(shape, dtype)


def C(b, data, dtype, q=None):
    data = np.asarray(data)
    if dtype in QPARAMS:
        scale, zp = q or QPARAMS[dtype]
        return b.const(data, dtype, scale=scale, zero_point=zp)
    return b.const(data, dtype)


def rand(shape, dtype, rng):
    shape = tuple(shape)
    if dtype == "float32":
        return rng.uniform(-2.0, 2.0, size=shape).astype(np.float32)
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    info = np.iinfo(np_dtype(dtype))
    lo, hi = max(info.min, -100000), min(info.max, 100000)
    return rng.integers(lo, hi, size=shape, endpoint=True).astype(np_dtype(dtype))


def build(b, ins, outs):
    b.inputs(ins)
    b.outputs(outs)
    return b.build()


class Case:
    """A model, its input sets, and (for cases the oracle cannot run) a numpy
    reference mapping one input list to the output list."""

    def __init__(self, cid, model, batches, ref=None):
        self.id, self.model, self.batches, self.ref = cid, model, batches, ref


def batches_for(ins, rng, n=1, gen=None):
    out = []
    for _ in range(n):
        out.append([gen(t, rng) if gen else rand(t.shape, t.dtype, rng) for t in ins])
    return out


# ---------------------------------------------------------------------------
# Case builders (each returns a Case; ref=None means "compare with the oracle")


def reshape_case(dtype, ishape, oshape, mode, rng, ref=False):
    b = ModelBuilder()
    x, y = T(b, ishape, dtype), T(b, oshape, dtype)
    if mode == "tensor":
        b.op("RESHAPE", [x, b.const(np.array(oshape, np.int32))], [y])
    elif mode == "tensor-1":
        spec = list(oshape)
        spec[int(np.argmax(spec))] = -1
        b.op("RESHAPE", [x, b.const(np.array(spec, np.int32))], [y])
    elif mode == "options":
        b.op("RESHAPE", [x], [y], options=dict(new_shape=list(oshape)))
    else:
        b.op("RESHAPE", [x], [y], omit_options=True)
    m = build(b, [x], [y])
    r = (lambda i: [i[0].reshape(oshape)]) if ref else None
    return Case(f"reshape-{dtype}-{ishape}->{oshape}-{mode}", m, batches_for([x], rng), r)


def reshape_dynamic_shape_case(rng):
    """The new shape arrives as a graph input: only the output's shape counts."""
    b = ModelBuilder()
    x, s, y = b.tensor([2, 6]), b.tensor([3], "int32"), b.tensor([3, 2, 2])
    b.op("RESHAPE", [x, s], [y])
    m = build(b, [x, s], [y])
    return Case("reshape-dynamic-shape", m, [[rand([2, 6], "float32", rng), np.array([3, 2, 2], np.int32)]])


def squeeze_case(dtype, ishape, dims, rng):
    b = ModelBuilder()
    want = np.squeeze(np.zeros(ishape), axis=tuple(dims) if dims else None).shape
    x, y = T(b, ishape, dtype), T(b, want, dtype)
    b.op("SQUEEZE", [x], [y], options=dict(squeeze_dims=list(dims)) if dims else None)
    return Case(f"squeeze-{dtype}-{ishape}-{dims}", build(b, [x], [y]), batches_for([x], rng))


def expand_dims_case(dtype, ishape, axis, rng, scalar_axis=False, ref=False):
    b = ModelBuilder()
    want = np.expand_dims(np.zeros(ishape), axis).shape
    x, y = T(b, ishape, dtype), T(b, want, dtype)
    a = b.const(np.array(axis if scalar_axis else [axis], np.int32))
    b.op("EXPAND_DIMS", [x, a], [y])
    r = (lambda i: [np.expand_dims(i[0], axis)]) if ref else None
    return Case(f"expand_dims-{dtype}-{ishape}-{axis}", build(b, [x], [y]), batches_for([x], rng), r)


ACT_CLIP = {"NONE": (-np.inf, np.inf), "RELU": (0, np.inf), "RELU6": (0, 6), "RELU_N1_TO_1": (-1, 1)}


def concat_case(dtype, shapes, axis, rng, const_idx=(), act="NONE", ref=False, n_sets=1):
    b = ModelBuilder()
    out_shape = np.concatenate([np.zeros(s) for s in shapes], axis=axis).shape
    ins, ops, consts = [], [], {}
    for i, s in enumerate(shapes):
        if i in const_idx:
            data = rand(s, dtype, rng)
            consts[i] = data
            ops.append(C(b, data, dtype))
        else:
            t = T(b, s, dtype)
            ins.append(t)
            ops.append(t)
    y = T(b, out_shape, dtype)
    b.op("CONCATENATION", ops, [y], options=dict(axis=axis, fused_activation_function=act))
    m = build(b, ins, [y])

    def r(inp):
        it = iter(inp)
        parts = [consts[i] if i in consts else next(it) for i in range(len(shapes))]
        out = np.concatenate(parts, axis=axis)
        lo, hi = ACT_CLIP[act]
        return [np.clip(out, lo, hi).astype(out.dtype) if act != "NONE" else out]

    return Case(f"concat-{dtype}-{shapes}-ax{axis}-c{list(const_idx)}-{act}", m,
                batches_for(ins, rng, n_sets), r if ref else None)


def pack_case(dtype, shape, n, axis, rng, ref=False):
    b = ModelBuilder()
    ins = [T(b, shape, dtype) for _ in range(n)]
    out_shape = np.stack([np.zeros(shape)] * n, axis=axis).shape
    y = T(b, out_shape, dtype)
    b.op("PACK", ins, [y], options=dict(values_count=n, axis=axis))
    r = (lambda i: [np.stack(i, axis=axis)]) if ref else None
    return Case(f"pack-{dtype}-{shape}x{n}-ax{axis}", build(b, ins, [y]), batches_for(ins, rng), r)


def unpack_case(dtype, shape, axis, rng, ref=False):
    b = ModelBuilder()
    x = T(b, shape, dtype)
    n = shape[axis]
    part = list(np.take(np.zeros(shape), 0, axis=axis).shape)
    outs = [T(b, part, dtype) for _ in range(n)]
    b.op("UNPACK", [x], outs, options=dict(num=n, axis=axis))
    r = (lambda i: [np.take(i[0], k, axis=axis) for k in range(n)]) if ref else None
    return Case(f"unpack-{dtype}-{shape}-ax{axis}", build(b, [x], outs), batches_for([x], rng), r)


def split_case(dtype, shape, axis, n, rng, ref=False):
    b = ModelBuilder()
    x = T(b, shape, dtype)
    parts = np.split(np.zeros(shape), n, axis=axis)
    outs = [T(b, p.shape, dtype) for p in parts]
    b.op("SPLIT", [b.const(np.array(axis, np.int32)), x], outs, options=dict(num_splits=n))
    r = (lambda i: np.split(i[0], n, axis=axis)) if ref else None
    return Case(f"split-{dtype}-{shape}-ax{axis}-n{n}", build(b, [x], outs), batches_for([x], rng), r)


def split_v_case(dtype, shape, axis, sizes, rng, ref=False):
    b = ModelBuilder()
    x = T(b, shape, dtype)
    real = list(sizes)
    if -1 in real:
        real[real.index(-1)] = shape[axis] - sum(s for s in real if s != -1)
    cuts = np.cumsum(real)[:-1]
    parts = np.split(np.zeros(shape), cuts, axis=axis)
    outs = [T(b, p.shape, dtype) for p in parts]
    b.op("SPLIT_V", [x, b.const(np.array(sizes, np.int32)), b.const(np.array([axis], np.int32))], outs,
         options=dict(num_splits=len(sizes)))
    r = (lambda i: np.split(i[0], cuts, axis=axis)) if ref else None
    return Case(f"split_v-{dtype}-{shape}-ax{axis}-{sizes}", build(b, [x], outs), batches_for([x], rng), r)


def pad_value_of(dtype, value):
    if value is not None:
        return value
    if dtype in ("int8", "uint8"):
        return QPARAMS[dtype][1]
    return 0


def pad_case(dtype, shape, pads, rng, value=None, v2=False, pad_dtype=np.int32, ref=False):
    b = ModelBuilder()
    x = T(b, shape, dtype)
    out_shape = [d + l + r for d, (l, r) in zip(shape, pads)]
    y = T(b, out_shape, dtype)
    p = b.const(np.array(pads, pad_dtype).reshape(len(shape), 2))
    if v2 or value is not None:
        v = C(b, np.array(value if value is not None else 0), dtype)
        b.op("PADV2", [x, p, v], [y])
    else:
        b.op("PAD", [x, p], [y])
    pv = pad_value_of(dtype, value)
    r = (lambda i: [np.pad(i[0], pads, constant_values=pv)]) if ref else None
    return Case(f"pad{'v2' if v2 or value is not None else ''}-{dtype}-{shape}-{pads}-{value}",
                build(b, [x], [y]), batches_for([x], rng), r)


def np_strided_slice(x, begin, end, strides, begin_mask=0, end_mask=0, ellipsis_mask=0,
                     new_axis_mask=0, shrink_axis_mask=0, offset=False):
    """TFLite STRIDED_SLICE in numpy (Python slicing clamps the same way)."""
    idx = []
    for i in range(len(begin)):
        bit = 1 << i
        if ellipsis_mask & bit:
            idx.append(Ellipsis)
        elif new_axis_mask & bit:
            idx.append(np.newaxis)
        elif shrink_axis_mask & bit:
            idx.append(int(begin[i]))
        else:
            b0 = None if begin_mask & bit else int(begin[i])
            e0 = None if end_mask & bit else int(end[i])
            if offset:
                e0 = b0 + e0
            idx.append(slice(b0, e0, int(strides[i])))
    return x[tuple(idx)]


def strided_slice_case(dtype, shape, begin, end, strides, rng, ref=False, idx_dtype=np.int32, **masks):
    b = ModelBuilder()
    x = T(b, shape, dtype)
    want = np_strided_slice(np.zeros(shape), begin, end, strides, **masks).shape
    y = T(b, want, dtype)
    ins = [x, b.const(np.array(begin, idx_dtype)), b.const(np.array(end, idx_dtype)),
           b.const(np.array(strides, idx_dtype))]
    b.op("STRIDED_SLICE", ins, [y], options=masks)
    r = (lambda i: [np_strided_slice(i[0], begin, end, strides, **masks)]) if ref else None
    mk = ",".join(f"{k[0]}{v}" for k, v in masks.items() if v)
    return Case(f"strided_slice-{dtype}-{shape}-{begin}:{end}:{strides}-{mk}", build(b, [x], [y]),
                batches_for([x], rng), r)


def slice_case(dtype, shape, begin, size, rng, idx_dtype=np.int32, ref=False):
    b = ModelBuilder()
    x = T(b, shape, dtype)
    real = [s if s != -1 else d - bg for d, bg, s in zip(shape, begin, size)]
    y = T(b, real, dtype)
    b.op("SLICE", [x, b.const(np.array(begin, idx_dtype)), b.const(np.array(size, idx_dtype))], [y])
    sl = tuple(slice(bg, bg + s) for bg, s in zip(begin, real))
    r = (lambda i: [i[0][sl]]) if ref else None
    return Case(f"slice-{dtype}-{shape}-{begin}-{size}-{np.dtype(idx_dtype).name}", build(b, [x], [y]),
                batches_for([x], rng), r)


def transpose_case(dtype, shape, perm, rng, ref=False):
    b = ModelBuilder()
    x = T(b, shape, dtype)
    y = T(b, [shape[p] for p in perm], dtype)
    b.op("TRANSPOSE", [x, b.const(np.array(perm, np.int32))], [y])
    r = (lambda i: [np.transpose(i[0], perm)]) if ref else None
    return Case(f"transpose-{dtype}-{shape}-{perm}", build(b, [x], [y]), batches_for([x], rng), r)


def np_gather(x, idx, axis, batch_dims):
    axis %= x.ndim
    if batch_dims < 0:
        batch_dims += idx.ndim
    if batch_dims == 0:
        return np.take(x, idx, axis=axis)
    return np.stack([np_gather(x[k], idx[k], axis - 1, batch_dims - 1) for k in range(x.shape[0])])


def gather_case(dtype, shape, idx_shape, axis, rng, batch_dims=0, idx_dtype="int32", const_idx=False,
                ref=False, n_sets=1):
    b = ModelBuilder()
    x = T(b, shape, dtype)
    a = axis % len(shape)
    gen_idx = lambda: rng.integers(0, shape[a], size=idx_shape).astype(idx_dtype)  # noqa: E731
    want = np_gather(np.zeros(shape), np.zeros(idx_shape, np.int64), axis, batch_dims).shape
    y = T(b, want, dtype)
    if const_idx:
        idx_data = gen_idx()
        c = b.const(idx_data, idx_dtype)
        ins = [x]
    else:
        c = b.tensor(idx_shape, idx_dtype)
        ins = [x, c]
    b.op("GATHER", [x, c], [y], options=dict(axis=axis, batch_dims=batch_dims))
    m = build(b, ins, [y])
    batches = []
    for _ in range(n_sets):
        bt = [rand(shape, dtype, rng)]
        if not const_idx:
            bt.append(gen_idx())
        batches.append(bt)

    def r(i):
        return [np_gather(i[0], i[1] if not const_idx else idx_data, axis, batch_dims)]

    return Case(f"gather-{dtype}-{shape}-{np.dtype(idx_dtype).name}{list(idx_shape)}-ax{axis}-bd{batch_dims}"
                f"{'-const' if const_idx else ''}", m, batches, r if ref else None)


CAST_FLOATS = np.array([0.0, -0.0, 0.4, -0.6, 1.5, -2.5, 127.9, -128.9, 255.5, 256.0, -1.0, 300.7, -300.2,
                        32767.5, -32768.9, 40000.2, -40000.7, 2.2e9, -2.2e9, 1e19, -1e19, np.inf, -np.inf,
                        np.nan], np.float32)


def cast_input(src, n, rng):
    if src == "float32":
        extra = rng.uniform(-3000, 3000, size=n - len(CAST_FLOATS)).astype(np.float32)
        return np.concatenate([CAST_FLOATS, extra])
    if src == "bool":
        return rng.integers(0, 2, size=n).astype(np.bool_)
    info = np.iinfo(np_dtype(src))
    edges = np.array([info.min, info.max, 0, 1, -1, 127, 128, -128, -129, 255, 256, 32767, 32768, -32769,
                      65535, 65536], np.int64)
    edges = edges[(edges >= info.min) & (edges <= info.max)]
    return np.concatenate([edges, rng.integers(info.min, info.max, size=n - len(edges), endpoint=True)]
                          ).astype(np_dtype(src))


def np_cast(x, dst):
    """TFLM's CAST: float->int truncates, saturates, NaN->0; ints wrap."""
    if dst == "bool":
        return x != 0
    if dst == "float32":
        return x.astype(np.float32)
    if x.dtype == np.float32:
        info = np.iinfo(np_dtype(dst))
        vals = [0 if np.isnan(v) else info.min if v <= info.min else info.max if v >= info.max else int(np.trunc(v))
                for v in x.astype(np.float64)]
        return np.array(vals, np_dtype(dst))
    return x.astype(np.int64).astype(np_dtype(dst))


def cast_case(src, dst, rng, n=40, ref=False):
    b = ModelBuilder()
    x = b.tensor([n], src)
    y = b.tensor([n], dst)
    b.op("CAST", [x], [y], options=dict(in_data_type=src, out_data_type=dst))
    m = build(b, [x], [y])
    r = (lambda i: [np_cast(i[0], dst)]) if ref else None
    return Case(f"cast-{src}->{dst}", m, [[cast_input(src, n, rng)]], r)


def np_nearest_index(v, in_size, out_size, align, half):
    f = np.float32
    scale = f(in_size - 1) / f(out_size - 1) if align and out_size > 1 else f(in_size) / f(out_size)
    x = (f(v) + (f(0.5) if half else f(0.0))) * scale
    r = int(np.sign(x) * np.floor(np.abs(x) + f(0.5))) if align else int(np.floor(x))
    r = min(r, in_size - 1)
    return max(0, r) if half else r


def np_resize_nearest(x, size, align, half):
    ys = [np_nearest_index(v, x.shape[1], size[0], align, half) for v in range(size[0])]
    xs = [np_nearest_index(v, x.shape[2], size[1], align, half) for v in range(size[1])]
    return x[:, ys][:, :, xs]


def np_resize_bilinear_int(x, size, align, half):
    """TFLite's ResizeBilinearInteger (double rounding)."""
    n, ih, iw, c = x.shape
    oh, ow = size

    def scale10(i, o):
        if align and o > 1:
            return ((1 << 10) * (i - 1) + (o - 1) // 2) // (o - 1)
        return ((1 << 10) * i + o // 2) // o

    def taps(o, i, s):
        res = []
        for v in range(o):
            p = v * s + s // 2 - (1 << 9) if half else v * s
            lo = max(int(np.trunc(p / 1024)), 0)
            hi = min(int(np.trunc((p + 1023) / 1024)), i - 1)
            res.append((lo, hi, p - 1024 * lo))
        return res

    ty, tx = taps(oh, ih, scale10(ih, oh)), taps(ow, iw, scale10(iw, ow))
    out = np.zeros((n, oh, ow, c), np.int64)
    xi = x.astype(np.int64)
    for yy, (y0, y1, dy) in enumerate(ty):
        for xx, (x0, x1, dx) in enumerate(tx):
            v = (xi[:, y0, x0] * (1024 - dy) * (1024 - dx) + xi[:, y1, x0] * dy * (1024 - dx)
                 + xi[:, y0, x1] * (1024 - dy) * dx + xi[:, y1, x1] * dy * dx)
            rnd = np.where(v > 0, 1 << 19, -(1 << 19))
            out[:, yy, xx] = np.trunc((v + rnd) / (1 << 20)).astype(np.int64)
    return out.astype(x.dtype)


def resize_case(op, dtype, shape, size, align, half, rng, ref=False):
    b = ModelBuilder()
    x = T(b, shape, dtype)
    y = T(b, [shape[0], size[0], size[1], shape[3]], dtype)
    b.op(op, [x, b.const(np.array(size, np.int32))], [y],
         options=dict(align_corners=align, half_pixel_centers=half))
    r = None
    if ref:
        if op == "RESIZE_NEAREST_NEIGHBOR":
            r = lambda i: [np_resize_nearest(i[0], size, align, half)]  # noqa: E731
        else:
            r = lambda i: [np_resize_bilinear_int(i[0], size, align, half)]  # noqa: E731
    return Case(f"{op.lower()}-{dtype}-{shape}->{size}-a{int(align)}h{int(half)}", build(b, [x], [y]),
                batches_for([x], rng), r)


# ---------------------------------------------------------------------------
# Sweeps


def oracle_cases(sweep):
    """Cases within what TFLM itself runs."""
    rng = np.random.default_rng(1234)
    cs = []
    for dt in ("float32", "int8", "int16", "int32", "bool"):
        cs.append(reshape_case(dt, [2, 3, 4], [6, 4], "tensor", rng))
    for mode in ("tensor", "tensor-1", "options", "none"):
        cs.append(reshape_case("int8", [1, 4, 4, 3], [1, 48], mode, rng))
    cs.append(reshape_case("float32", [5], [1, 5, 1], "tensor-1", rng))
    cs.append(reshape_dynamic_shape_case(rng))
    for dt in ("float32", "int8", "int16"):
        cs.append(squeeze_case(dt, [1, 3, 1, 5], [], rng))
    cs.append(squeeze_case("float32", [1, 3, 1, 5], [2], rng))
    cs.append(squeeze_case("int8", [1, 3, 1, 5], [-4, 2], rng))
    for dt in ("float32", "int8", "int16"):
        for axis in (0, 2, -1, -3):
            cs.append(expand_dims_case(dt, [3, 4], axis, rng))
    cs.append(expand_dims_case("float32", [2, 3], 1, rng, scalar_axis=True))

    for dt in ("float32", "int8", "int16", "int32", "int64", "bool"):
        cs.append(concat_case(dt, [[2, 3], [2, 5]], 1, rng))
        cs.append(concat_case(dt, [[1, 2, 3, 4], [1, 1, 3, 4], [1, 3, 3, 4]], 1, rng))
    cs.append(concat_case("float32", [[3, 2], [3, 2], [1, 2]], 0, rng, n_sets=2))
    cs.append(concat_case("float32", [[1, 4, 4, 3], [1, 4, 4, 5]], -1, rng, const_idx=(1,)))
    cs.append(concat_case("int8", [[2, 2, 7], [2, 2, 1], [2, 2, 64]], -1, rng, const_idx=(0,)))
    cs.append(concat_case("int8", [[4]], 0, rng))
    cs.append(concat_case("float32", [[2, 1, 1, 1, 3], [2, 1, 1, 1, 3]], 4, rng))
    cs.append(concat_case("int8", [[1, 2, 3, 1, 2, 2], [1, 2, 3, 1, 2, 2]], 3, rng))
    for dt in ("float32", "int8", "int32", "int64"):
        cs.append(pack_case(dt, [2, 3], 3, 0, rng))
        cs.append(pack_case(dt, [2, 3], 2, -1, rng))
    cs.append(pack_case("float32", [4], 5, 1, rng))
    for dt in ("float32", "int8", "int16", "int32"):
        cs.append(unpack_case(dt, [3, 2, 4], 0, rng))
        cs.append(unpack_case(dt, [3, 2, 4], -1, rng))
    cs.append(unpack_case("float32", [2, 5, 1], 1, rng))
    for dt in ("float32", "int8", "int16", "int32"):
        cs.append(split_case(dt, [4, 6], 1, 3, rng))
        cs.append(split_case(dt, [4, 6], -2, 2, rng))
        cs.append(split_v_case(dt, [3, 7, 2], 1, [2, -1, 1], rng))
    cs.append(split_case("int8", [1, 4, 4, 64], 3, 4, rng))
    cs.append(split_v_case("float32", [10], 0, [3, 3, 4], rng))
    cs.append(split_v_case("float32", [2, 6], -1, [6], rng))

    for dt in ("float32", "int8", "int16", "int32"):
        cs.append(pad_case(dt, [1, 3, 4, 2], [[0, 0], [1, 2], [2, 1], [0, 0]], rng))
        cs.append(pad_case(dt, [3, 4], [[1, 1], [0, 3]], rng))
        cs.append(pad_case(dt, [2, 3], [[0, 0], [2, 2]], rng, value={"float32": 1.5, "int8": 7, "int16": -9,
                                                                      "int32": 12345}[dt]))
    cs.append(pad_case("float32", [5], [[3, 0]], rng))
    cs.append(pad_case("int8", [2, 1, 3, 1, 2], [[1, 0], [0, 1], [1, 1], [0, 0], [2, 0]], rng))
    cs.append(pad_case("int16", [1, 2, 5, 3], [[0, 0], [0, 0], [3, 3], [0, 0]], rng))
    cs.append(pad_case("float32", [1, 4, 4, 1], [[0, 0], [0, 0], [0, 0], [0, 0]], rng))
    cs.append(pad_case("int8", [1, 2, 2, 3], [[0, 0], [1, 1], [1, 1], [0, 0]], rng, v2=True))

    ss = [
        ([6], [1], [5], [1], {}),
        ([6], [-1], [-5], [-2], {}),
        ([6], [0], [0], [-1], dict(begin_mask=1, end_mask=1)),
        ([6], [10], [-10], [-3], {}),
        ([4, 5], [1, 0], [3, 5], [1, 2], {}),
        ([4, 5], [1, 1], [2, 4], [1, 1], dict(shrink_axis_mask=1)),
        ([4, 5], [-1, 3], [0, 4], [1, 1], dict(shrink_axis_mask=3)),
        ([2, 3, 4], [0, 0, 1], [2, 3, 3], [1, 1, 1], dict(begin_mask=3, end_mask=3)),
        ([2, 3, 4], [1, 2, 3], [0, 0, 0], [-1, -1, -1], dict(end_mask=7)),
        ([1, 4, 6, 3], [0, 1, 0, 0], [1, 4, 6, 2], [1, 2, 3, 1], {}),
        ([1, 4, 6, 3], [0, -2, 0, 0], [0, 0, 0, 3], [1, 1, 1, 1], dict(begin_mask=13, end_mask=15)),
    ]
    for dt in ("float32", "int8", "int16", "int32", "bool"):
        for shape, bg, en, st, masks in (ss if dt in ("float32", "int16") else ss[:6]):
            cs.append(strided_slice_case(dt, shape, bg, en, st, rng, **masks))

    for dt in ("float32", "int8", "int16", "int32", "bool"):
        cs.append(slice_case(dt, [3, 4, 5], [1, 0, 2], [2, -1, 3], rng))
    cs.append(slice_case("float32", [4, 5], [0, 0], [4, 5], rng))
    cs.append(slice_case("int8", [1, 6, 6, 4], [0, 1, 2, 1], [-1, 4, 3, 2], rng, idx_dtype=np.int64))
    cs.append(slice_case("float32", [2, 2, 3, 2, 3], [1, 0, 1, 0, 1], [1, 2, 2, -1, 2], rng))

    for dt in ("float32", "int8", "int16"):
        cs.append(transpose_case(dt, [3, 5], [1, 0], rng))
        cs.append(transpose_case(dt, [2, 3, 4], [2, 0, 1], rng))
        cs.append(transpose_case(dt, [1, 4, 5, 3], [0, 3, 1, 2], rng))
    cs.append(transpose_case("float32", [2, 3, 4], [0, 1, 2], rng))
    cs.append(transpose_case("int8", [2, 1, 3, 2, 2], [4, 2, 0, 3, 1], rng))
    cs.append(transpose_case("int8", [1, 8, 8, 16], [0, 2, 1, 3], rng))

    for dt in ("float32", "int8"):
        cs.append(gather_case(dt, [5, 3], [4], 0, rng, n_sets=2))
        cs.append(gather_case(dt, [4, 5, 2], [2, 3], 1, rng))
        cs.append(gather_case(dt, [4, 5, 3], [3], -1, rng))
        cs.append(gather_case(dt, [3, 6, 2], [3, 4], 1, rng, batch_dims=1))
        cs.append(gather_case(dt, [2, 3, 5, 2], [2, 3, 2], 2, rng, batch_dims=2))
        cs.append(gather_case(dt, [10, 4], [3], 0, rng, const_idx=True))

    pairs = [(a, c) for a in ("float32", "int8", "int16", "int32", "bool")
             for c in ("float32", "int8", "int16", "int32", "bool") if a != c]
    for a, c in pairs:
        cs.append(cast_case(a, c, rng))

    for dt in ("float32", "int8", "int16"):
        for align, half in ((False, False), (True, False), (False, True), (True, True)):
            cs.append(resize_case("RESIZE_NEAREST_NEIGHBOR", dt, [1, 3, 4, 2], [5, 7], align, half, rng))
    cs.append(resize_case("RESIZE_NEAREST_NEIGHBOR", "int8", [2, 4, 4, 3], [2, 2], False, False, rng))
    cs.append(resize_case("RESIZE_NEAREST_NEIGHBOR", "float32", [1, 1, 1, 3], [3, 2], True, False, rng))
    for dt in ("float32", "int8"):
        for align, half in ((False, False), (True, False), (False, True)):
            cs.append(resize_case("RESIZE_BILINEAR", dt, [1, 3, 4, 2], [5, 7], align, half, rng))
            cs.append(resize_case("RESIZE_BILINEAR", dt, [2, 5, 6, 3], [3, 4], align, half, rng))
    cs.append(resize_case("RESIZE_BILINEAR", "int8", [1, 1, 1, 4], [3, 3], False, True, rng))
    cs.append(resize_case("RESIZE_BILINEAR", "float32", [1, 4, 4, 1], [1, 1], True, False, rng))

    if sweep == "full":
        cs += random_oracle_cases(np.random.default_rng(99), 200)
    return cs


def random_oracle_cases(rng, n):
    """Random shapes and parameters for the ops the oracle covers."""
    cs = []
    for _ in range(n):
        kind = rng.choice(["concat", "pad", "ss", "slice", "transpose", "gather", "split", "resize"])
        rank = int(rng.integers(1, 5))
        shape = [int(v) for v in rng.integers(1, 6, size=rank)]
        dt = str(rng.choice(["float32", "int8", "int16"]))
        if kind == "concat":
            axis = int(rng.integers(-rank, rank))
            shapes = []
            for _ in range(int(rng.integers(1, 5))):
                s = list(shape)
                s[axis] = int(rng.integers(1, 5))
                shapes.append(s)
            cs.append(concat_case(dt, shapes, axis, rng))
        elif kind == "pad":
            pads = [[int(rng.integers(0, 3)), int(rng.integers(0, 3))] for _ in shape]
            cs.append(pad_case(dt, shape, pads, rng, value=3 if rng.random() < 0.3 else None))
        elif kind == "ss":
            bg = [int(rng.integers(-d - 1, d + 2)) for d in shape]
            en = [int(rng.integers(-d - 1, d + 2)) for d in shape]
            st = [int(rng.choice([-3, -2, -1, 1, 2, 3])) for _ in shape]
            masks = dict(begin_mask=int(rng.integers(0, 1 << rank)), end_mask=int(rng.integers(0, 1 << rank)))
            # TFLM cannot run empty outputs: those go to numpy.
            empty = np_strided_slice(np.zeros(shape), bg, en, st, **masks).size == 0
            cs.append(strided_slice_case(dt, shape, bg, en, st, rng, ref=empty, **masks))
        elif kind == "slice":
            bg = [int(rng.integers(0, d + 1)) for d in shape]
            sz = [int(rng.integers(0, d - b0 + 1)) if rng.random() < 0.7 else -1 for d, b0 in zip(shape, bg)]
            empty = any((d - b0 if n == -1 else n) == 0 for d, b0, n in zip(shape, bg, sz))
            cs.append(slice_case(dt, shape, bg, sz, rng, ref=empty))
        elif kind == "transpose":
            cs.append(transpose_case(dt, shape, [int(p) for p in rng.permutation(rank)], rng))
        elif kind == "gather":
            dt = str(rng.choice(["float32", "int8"]))
            axis = int(rng.integers(0, rank))
            bd = int(rng.integers(0, axis + 1))
            idx_shape = shape[:bd] + [int(v) for v in rng.integers(1, 4, size=int(rng.integers(0, 3)))]
            cs.append(gather_case(dt, shape, idx_shape, axis, rng, batch_dims=bd))
        elif kind == "split":
            axis = int(rng.integers(0, rank))
            n_out = int(rng.integers(1, 4))
            s = list(shape)
            s[axis] *= n_out
            cs.append(split_case(dt, s, axis, n_out, rng))
        else:
            op = str(rng.choice(["RESIZE_NEAREST_NEIGHBOR", "RESIZE_BILINEAR"]))
            dt = str(rng.choice(["float32", "int8"] + (["int16"] if op == "RESIZE_NEAREST_NEIGHBOR" else [])))
            align = bool(rng.random() < 0.5)
            half = bool(rng.random() < 0.5) and not (align and op == "RESIZE_BILINEAR")
            ishape = [int(rng.integers(1, 3)), int(rng.integers(1, 7)), int(rng.integers(1, 7)),
                      int(rng.integers(1, 4))]
            size = [int(rng.integers(1, 10)), int(rng.integers(1, 10))]
            cs.append(resize_case(op, dt, ishape, size, align, half, rng))
    return cs


def numpy_cases(sweep):
    """Cases beyond TFLM: checked against numpy."""
    rng = np.random.default_rng(4321)
    cs = []
    cs.append(reshape_case("uint8", [2, 6], [3, 4], "tensor", rng, ref=True))
    cs.append(reshape_case("int64", [2, 6], [12], "options", rng, ref=True))
    cs.append(reshape_case("float32", [1, 2, 3, 1, 2, 2], [6, 4], "tensor-1", rng, ref=True))
    cs.append(expand_dims_case("int32", [2, 3], -1, rng, ref=True))
    cs.append(expand_dims_case("bool", [4], 0, rng, ref=True))
    for act in ("RELU", "RELU6", "RELU_N1_TO_1"):
        cs.append(concat_case("float32", [[2, 3], [2, 2]], 1, rng, act=act, ref=True))
    cs.append(concat_case("float32", [[1, 2, 2], [1, 2, 2]], 0, rng, act="RELU", ref=True, const_idx=(0,)))
    cs.append(concat_case("uint8", [[2, 3], [2, 1]], -1, rng, ref=True))
    cs.append(concat_case("float32", [[1, 2]] * 11, 0, rng, ref=True))
    cs.append(concat_case("int16", [[1, 2, 1, 2, 1, 2], [1, 2, 1, 2, 1, 1]], 5, rng, ref=True))
    for dt in ("int16", "bool", "uint8"):
        cs.append(pack_case(dt, [2, 3], 2, 1, rng, ref=True))
    for dt in ("bool", "int64", "uint8"):
        cs.append(unpack_case(dt, [2, 3], 1, rng, ref=True))
    cs.append(split_case("int64", [2, 4], 1, 2, rng, ref=True))
    cs.append(split_v_case("bool", [5, 2], 0, [1, 4], rng, ref=True))

    cs.append(pad_case("uint8", [2, 3], [[1, 0], [0, 2]], rng, ref=True))
    cs.append(pad_case("int64", [2, 3], [[1, 1], [1, 1]], rng, ref=True))
    cs.append(pad_case("bool", [2, 2], [[0, 1], [1, 0]], rng, ref=True))
    cs.append(pad_case("float32", [2, 3], [[1, 0], [2, 1]], rng, pad_dtype=np.int64, ref=True))
    cs.append(pad_case("int8", [1, 2, 1, 2, 1, 2], [[0, 0], [1, 0], [0, 1], [1, 1], [0, 0], [2, 1]], rng, ref=True))

    sx = [
        ([2, 3, 4], [0, 1], [0, 3], [1, 1], dict(ellipsis_mask=1)),
        ([2, 3, 4], [1, 0, 0], [2, 0, 2], [1, 1, 1], dict(ellipsis_mask=2)),
        ([3, 4], [0, 0, 0], [0, 2, 3], [1, 1, 1], dict(new_axis_mask=1)),
        ([3, 4], [1, 0, 0], [3, 0, 4], [1, 1, 2], dict(new_axis_mask=2)),
        ([2, 3, 4], [0, 0, 1], [0, 0, 3], [1, 1, 1], dict(ellipsis_mask=1, new_axis_mask=2)),
        ([2, 3, 4], [1, 0], [2, 0], [1, 1], dict(ellipsis_mask=2, shrink_axis_mask=1)),
        ([5, 4], [1, 1], [3, 2], [1, 1], dict(offset=True)),
        ([6], [2], [3], [2], dict(offset=True)),
        ([1, 2, 3, 2, 3], [0, 1, 0, 0, 1], [1, 2, 3, 2, 3], [1, 1, 2, 1, 1], {}),
        ([2, 1, 3, 2, 1, 3], [1, 0, 2, 0, 0, 0], [0, 1, 0, 2, 1, 3], [-1, 1, -1, 1, 1, 2], dict(end_mask=5)),
        ([4, 3], [0, 0], [4, 3], [1, 1], {}),
        ([2, 3, 4], [0, 0], [1, 2], [1, 1], {}),
        ([3, 4], [0, 5], [3, 9], [1, 1], {}),  # empty output
    ]
    for shape, bg, en, st, masks in sx:
        cs.append(strided_slice_case("float32", shape, bg, en, st, rng, ref=True, **masks))
    cs.append(strided_slice_case("uint8", [5, 3], [1, 0], [4, 3], [2, 1], rng, ref=True))
    cs.append(strided_slice_case("int64", [5, 3], [4, 2], [0, 0], [-1, -2], rng, ref=True))
    cs.append(strided_slice_case("int8", [5, 3], [4, 2], [0, 0], [-1, -2], rng, ref=True, idx_dtype=np.int64))
    cs.append(slice_case("uint8", [3, 4], [1, 1], [2, -1], rng, ref=True))
    cs.append(slice_case("int8", [2, 3, 4], [1, 1, 1], [1, 2, 0], rng, ref=True))  # empty output
    cs.append(slice_case("float32", [2, 1, 3, 2, 2, 3], [1, 0, 1, 0, 1, 1], [1, 1, 2, 2, 1, -1], rng, ref=True))
    for dt in ("int32", "bool", "uint8", "int64"):
        cs.append(transpose_case(dt, [2, 3, 4], [1, 2, 0], rng, ref=True))
    cs.append(transpose_case("float32", [2, 1, 3, 2, 1, 2], [5, 3, 1, 0, 2, 4], rng, ref=True))
    cs.append(transpose_case("int16", [1, 2, 3, 2, 2, 2], [0, 2, 1, 4, 3, 5], rng, ref=True))
    for dt in ("int16", "int32", "uint8", "bool", "int64"):
        cs.append(gather_case(dt, [5, 3], [4], 0, rng, ref=True))
    for it in ("int64", "int16"):
        cs.append(gather_case("float32", [5, 3], [2, 2], 1, rng, idx_dtype=it, ref=True))
    cs.append(gather_case("int8", [3, 4, 2], [3, 2], 1, rng, batch_dims=-1, ref=True))
    cs.append(gather_case("float32", [6, 2], [], 0, rng, ref=True))
    cs.append(gather_case("float32", [2, 2, 1, 2, 1, 3], [2], 5, rng, ref=True))

    for a in ("float32", "int8", "uint8", "int16", "int32", "int64", "bool"):
        for c in ("uint8", "int64"):
            if a != c:
                cs.append(cast_case(a, c, rng, ref=True))
        if a in ("uint8", "int64"):
            for c in ("float32", "int8", "int16", "int32", "bool"):
                cs.append(cast_case(a, c, rng, ref=True))
    for dt in ("int32", "uint8", "bool"):
        cs.append(resize_case("RESIZE_NEAREST_NEIGHBOR", dt, [1, 3, 2, 2], [4, 5], False, True, rng, ref=True))
    for align, half in ((False, False), (True, False), (False, True)):
        cs.append(resize_case("RESIZE_BILINEAR", "int16", [1, 3, 4, 2], [5, 7], align, half, rng, ref=True))
        cs.append(resize_case("RESIZE_BILINEAR", "int16", [2, 5, 6, 3], [3, 4], align, half, rng, ref=True))
    if sweep == "full":
        rng = np.random.default_rng(7)
        for _ in range(60):
            rank = int(rng.integers(1, 7))
            shape = [int(v) for v in rng.integers(1, 4, size=rank)]
            bg = [int(rng.integers(-d - 1, d + 2)) for d in shape]
            en = [int(rng.integers(-d - 1, d + 2)) for d in shape]
            st = [int(rng.choice([-2, -1, 1, 2])) for _ in shape]
            cs.append(strided_slice_case("int16", shape, bg, en, st, rng, ref=True,
                                         begin_mask=int(rng.integers(0, 1 << rank)),
                                         end_mask=int(rng.integers(0, 1 << rank))))
            cs.append(transpose_case("int8", shape, [int(p) for p in rng.permutation(rank)], rng, ref=True))
    return cs


def test_shape_ops_match_oracle(target, sweep):
    cases = [c for c in oracle_cases(sweep) if c.ref is None]
    # Bit-exact, floats included (bilinear follows TFLM's operation order).
    check_cases(target, [(c.model, c.batches) for c in cases], float_tol=0, ids=[c.id for c in cases])


def run_with_refs(target, cases):
    """run_many for models the oracle cannot load: output shapes and dtypes
    come from the numpy references. Returns (results, references)."""
    wants = [[[np.asarray(w) for w in c.ref(bt)] for bt in c.batches] for c in cases]
    specs = [[(w.dtype, w.shape) for w in want[0]] for want in wants]
    got = run_many(target, [(c.model, c.batches) for c in cases], specs=specs)
    return got, wants


def test_shape_ops_beyond_tflm_match_numpy(target, sweep):
    cases = numpy_cases(sweep) + [c for c in oracle_cases(sweep) if c.ref is not None]
    got, wants = run_with_refs(target, cases)
    assert_all_match([c.id for c in cases], got, wants)


# ---------------------------------------------------------------------------
# Refused models


def i32(*v):
    return np.array(v if len(v) != 1 or not isinstance(v[0], list) else v[0], np.int32)


def bad_models():
    """(id, model, exception name the target must raise when loading it)."""
    VE, NI = "ValueError", "NotImplementedError"
    f23, q8 = ([2, 3], "float32"), ([2, 3], "int8", 0.1, 0)
    cases = [
        # RESHAPE / SQUEEZE / EXPAND_DIMS
        ("reshape-count", op_model("RESHAPE", [f23, i32(4)], [([4],)]), VE),
        ("reshape-two-stretch", op_model("RESHAPE", [f23, i32(-1, -1)], [([6],)]), VE),
        ("reshape-type", op_model("RESHAPE", [f23], [([6], "int8", 0.1, 0)]), VE),
        ("squeeze-not-1", op_model("SQUEEZE", [([1, 3, 2],)], [([3, 2],)], squeeze_dims=[1]), VE),
        ("squeeze-range", op_model("SQUEEZE", [([1, 3, 2],)], [([3, 2],)], squeeze_dims=[5]), VE),
        ("expand-axis", op_model("EXPAND_DIMS", [f23, i32(4)], [([2, 3, 1],)]), VE),
        ("expand-shape", op_model("EXPAND_DIMS", [f23, i32(0)], [([2, 1, 3],)]), VE),
        ("expand-dyn-axis", op_model("EXPAND_DIMS", [f23, ([1], "int32")], [([1, 2, 3],)]), NI),
        # CONCATENATION / PACK / UNPACK / SPLIT / SPLIT_V
        ("concat-axis", op_model("CONCATENATION", [f23, f23], [([2, 6],)], axis=2), VE),
        ("concat-mismatch", op_model("CONCATENATION", [f23, ([3, 3],)], [([2, 6],)], axis=1), VE),
        ("concat-out", op_model("CONCATENATION", [f23, f23], [([2, 7],)], axis=1), VE),
        ("concat-types", op_model("CONCATENATION", [f23, ([2, 3], "int32")], [([2, 6],)], axis=1), VE),
        ("concat-scales", op_model("CONCATENATION", [q8, ([2, 3], "int8", 0.2, 0)], [([2, 6], "int8", 0.1, 0)],
                                   axis=1), NI),
        ("concat-zero-points", op_model("CONCATENATION", [q8, q8], [([2, 6], "int8", 0.1, 4)], axis=1), NI),
        ("concat-tanh", op_model("CONCATENATION", [f23, f23], [([2, 6],)], axis=1,
                                 fused_activation_function="TANH"), NI),
        ("concat-int8-relu", op_model("CONCATENATION", [q8, q8], [([2, 6], "int8", 0.1, 0)], axis=1,
                                      fused_activation_function="RELU"), NI),
        ("pack-count", op_model("PACK", [([2],), ([2],)], [([2, 2],)], values_count=3), VE),
        ("pack-axis", op_model("PACK", [([2],), ([2],)], [([2, 2],)], values_count=2, axis=3), VE),
        ("pack-shapes", op_model("PACK", [([2],), ([3],)], [([2, 2],)], values_count=2), VE),
        ("unpack-num", op_model("UNPACK", [f23], [([3],), ([3],)], num=3), VE),
        ("unpack-shape", op_model("UNPACK", [f23], [([3],), ([2],)], num=2), VE),
        ("split-uneven", op_model("SPLIT", [i32(1), ([2, 5],)], [([2, 2],), ([2, 3],)], num_splits=2), VE),
        ("split-axis", op_model("SPLIT", [i32(2), ([2, 4],)], [([2, 2],), ([2, 2],)], num_splits=2), VE),
        ("split-count", op_model("SPLIT", [i32(1), ([2, 4],)], [([2, 2],), ([2, 2],)], num_splits=3), VE),
        ("split-dyn", op_model("SPLIT", [([], "int32"), ([2, 4],)], [([2, 2],), ([2, 2],)], num_splits=2), NI),
        ("split_v-sizes", op_model("SPLIT_V", [([2, 5],), i32(3, 2), i32([1])], [([2, 2],), ([2, 3],)],
                                   num_splits=2), VE),
        ("split_v-two-stretch", op_model("SPLIT_V", [([2, 5],), i32(-1, -1), i32([1])], [([2, 2],), ([2, 3],)],
                                         num_splits=2), VE),
        # PAD / PADV2
        ("pad-negative", op_model("PAD", [f23, i32([[0, 0], [-1, 2]])], [([2, 4],)]), VE),
        ("pad-shape", op_model("PAD", [f23, i32([[0, 0], [1, 2]])], [([2, 5],)]), VE),
        ("pad-count", op_model("PAD", [f23, i32(1, 2, 0)], [([2, 6],)]), VE),
        ("pad-dyn", op_model("PAD", [f23, ([2, 2], "int32")], [([2, 6],)]), NI),
        ("padv2-value", op_model("PADV2", [f23, i32([[0, 0], [1, 1]]), np.array([1, 2], np.float32)],
                                 [([2, 5],)]), VE),
        ("padv2-type", op_model("PADV2", [f23, i32([[0, 0], [1, 1]]), np.array(1, np.int32)], [([2, 5],)]), VE),
        ("padv2-quant", op_model("PADV2", [([2, 3], "int8", 0.1, 1), i32([[0, 0], [1, 1]]),
                                           dict(data=np.array(3, np.int8), scale=0.2, zero_point=1)],
                                 [([2, 5], "int8", 0.1, 1)]), VE),
        # STRIDED_SLICE
        ("ss-zero-stride", op_model("STRIDED_SLICE", [([4],), i32([0]), i32([4]), i32([0])], [([2],)]), VE),
        ("ss-shape", op_model("STRIDED_SLICE", [([4],), i32([0]), i32([4]), i32([2])], [([3],)]), VE),
        ("ss-shrink-range", op_model("STRIDED_SLICE", [([4, 2],), i32(4, 0), i32(5, 2), i32(1, 1)], [([2],)],
                                     shrink_axis_mask=1), VE),
        ("ss-shrink-negative", op_model("STRIDED_SLICE", [([4, 2],), i32(1, 0), i32(2, 2), i32(-1, 1)],
                                        [([2],)], shrink_axis_mask=1), VE),
        ("ss-too-many", op_model("STRIDED_SLICE", [([4],), i32(0, 0), i32(1, 1), i32(1, 1)], [([1, 1],)]), VE),
        ("ss-two-ellipses", op_model("STRIDED_SLICE", [([4, 2],), i32(0, 0), i32(0, 0), i32(1, 1)], [([4, 2],)],
                                     ellipsis_mask=3), VE),
        ("ss-lengths", op_model("STRIDED_SLICE", [([4, 2],), i32(0, 0), i32([4]), i32(1, 1)], [([4, 2],)]), VE),
        ("ss-dyn", op_model("STRIDED_SLICE", [([4],), i32([0]), ([1], "int32"), i32([2])], [([2],)]), NI),
        # SLICE
        ("slice-past-end", op_model("SLICE", [([4, 3],), i32(3, 0), i32(2, 3)], [([2, 3],)]), VE),
        ("slice-begin", op_model("SLICE", [([4, 3],), i32(5, 0), i32(1, 3)], [([1, 3],)]), VE),
        ("slice-shape", op_model("SLICE", [([4, 3],), i32(0, 0), i32(2, 3)], [([2, 2],)]), VE),
        ("slice-rank", op_model("SLICE", [([4, 3],), i32([0]), i32([2])], [([2, 3],)]), VE),
        ("slice-types", op_model("SLICE", [([4, 3],), i32(0, 0), np.array([2, 3], np.int64)], [([2, 3],)]), VE),
        # TRANSPOSE
        ("transpose-dup", op_model("TRANSPOSE", [f23, i32(0, 0)], [([2, 2],)]), VE),
        ("transpose-range", op_model("TRANSPOSE", [f23, i32(1, 2)], [([3, 2],)]), VE),
        ("transpose-shape", op_model("TRANSPOSE", [f23, i32(1, 0)], [([2, 3],)]), VE),
        ("transpose-len", op_model("TRANSPOSE", [f23, i32(1, 0, 2)], [([3, 2],)]), VE),
        ("transpose-dyn", op_model("TRANSPOSE", [f23, ([2], "int32")], [([3, 2],)]), NI),
        # GATHER
        ("gather-axis", op_model("GATHER", [([4, 3],), ([2], "int32")], [([2, 3],)], axis=2), VE),
        ("gather-shape", op_model("GATHER", [([4, 3],), ([2], "int32")], [([3, 3],)]), VE),
        ("gather-batch", op_model("GATHER", [([4, 3],), ([4, 2], "int32")], [([4, 2],)], batch_dims=1), VE),
        ("gather-batch-dim", op_model("GATHER", [([4, 3],), ([3, 2], "int32")], [([4, 2],)], axis=1,
                                      batch_dims=1), VE),
        ("gather-type", op_model("GATHER", [([4, 3],), ([2], "int32")], [([2, 3], "int32")]), VE),
        ("gather-float-idx", op_model("GATHER", [([4, 3],), ([2], "float32")], [([2, 3],)]), NI),
        # CAST
        ("cast-count", op_model("CAST", [([4],)], [([5], "int32")]), VE),
        ("cast-float16", op_model("CAST", [([4],)], [([4], "float16")]), NI),
        # RESIZE
        ("resize-rank", op_model("RESIZE_BILINEAR", [([3, 3, 1],), i32(2, 2)], [([2, 2, 1],)]), VE),
        ("resize-size", op_model("RESIZE_BILINEAR", [([1, 3, 3, 1],), i32(2, 2)], [([1, 3, 2, 1],)]), VE),
        ("resize-size-len", op_model("RESIZE_NEAREST_NEIGHBOR", [([1, 3, 3, 1],), i32(2, 2, 1)],
                                     [([1, 2, 2, 1],)]), VE),
        ("resize-zero", op_model("RESIZE_NEAREST_NEIGHBOR", [([1, 3, 3, 1],), i32(0, 2)], [([1, 0, 2, 1],)]), VE),
        ("resize-depth", op_model("RESIZE_NEAREST_NEIGHBOR", [([1, 3, 3, 2],), i32(2, 2)], [([1, 2, 2, 1],)]), VE),
        ("resize-dyn", op_model("RESIZE_NEAREST_NEIGHBOR", [([1, 3, 3, 2],), ([2], "int32")], [([1, 2, 2, 2],)]),
         NI),
        ("bilinear-align-half", op_model("RESIZE_BILINEAR", [([1, 3, 3, 1],), i32(2, 2)], [([1, 2, 2, 1],)],
                                         align_corners=True, half_pixel_centers=True), VE),
        ("bilinear-uint8", op_model("RESIZE_BILINEAR", [([1, 3, 3, 1], "uint8", 0.1, 0), i32(2, 2)],
                                    [([1, 2, 2, 1], "uint8", 0.1, 0)]), NI),
    ]
    return cases


def test_shape_bad_params(target):
    """Invalid models are refused at load (ValueError), valid ones we do not
    support with NotImplementedError; never a crash."""
    cases = bad_models()
    got = load_each(target, [m for _, m, _ in cases])
    problems = []
    for (cid, _, exc), r in zip(cases, got):
        if r is None or not r.startswith(exc + ":"):
            problems.append(f"{cid}: expected {exc}, got {r}")
    assert not problems, "\n".join(problems)


def test_gather_index_out_of_range(target):
    """Runtime indices are checked in eval: a bad index is a ValueError from
    invoke, and the interpreter keeps working afterwards."""
    b = ModelBuilder()
    x, i, y = b.tensor([3, 2]), b.tensor([2], "int32"), b.tensor([2, 2])
    b.op("GATHER", [x, i], [y], options=dict(axis=0))
    model = build(b, [x, i], [y])
    batches = [[np.zeros((3, 2), np.float32), np.array(v, np.int32)]
               for v in ([0, 3], [-1, 0], [2147483647, 1], [2, 1])]
    got = run_raw(target, [(model, batches)])[0]
    kinds = [g.split(":")[0] if isinstance(g, str) else "ok" for g in got]
    assert kinds == ["ValueError", "ValueError", "ValueError", "ok"], got


# ---------------------------------------------------------------------------
# Integration models from ../shared (int16 PAD and STRIDED_SLICE)


def integration_cases(kind):
    d = os.path.join(SHARED_MODELS, "integration", kind)
    paths = sorted(glob.glob(os.path.join(d, f"{kind}*.tflite")))
    return [p for p in paths if os.path.exists(p[:-7] + "_golden_int16.csv")]


@pytest.mark.parametrize("kind", ["pad", "strided_slice"])
def test_integration_int16_golden(target, kind, sweep):
    paths = integration_cases(kind)
    if not paths:
        pytest.skip(f"../shared/models/integration/{kind} not available")
    if getattr(target, "emulated", False) and sweep == "fast":
        paths = paths[::4]  # the data dominates on emulated boards: a quarter of them
    cases = []
    for p in paths:
        with open(p, "rb") as f:
            model = f.read()
        ins, outs = io_details(model)
        x = read_csv_ints(p[:-7] + "_input0_int16.csv").astype(np.int16).reshape(ins[0]["shape"])
        cases.append((model, [[x]]))
    got = run_many(target, cases)
    problems = []
    for p, (model, batches), g in zip(paths, cases, got):
        name = os.path.basename(p)
        if isinstance(g, str):
            problems.append(f"{name}: refused: {g}")
            continue
        want = read_csv_ints(p[:-7] + "_golden_int16.csv")
        out = g[0][0].astype(np.int64).ravel()
        if out.shape != want.shape or not np.array_equal(out, want):
            problems.append(f"{name}: output differs from the golden CSV")
    assert not problems, "\n".join(problems)
