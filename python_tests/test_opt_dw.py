"""Int8 DEPTHWISE_CONV_2D shapes aimed at the optimized kernel's branches
(modtflm/core/kernels/dw_opt.c) against the oracle.

The optimized kernel works in passes of 4 output channels (a channel count
that is not a multiple of 4 ends with an overlapping pass, fewer than 4 is
either predicated or left to the reference), splits pixels into interior
(bias + in_offset * sum(w)) and border (taps skipped, offset per tap), and
broadcasts the input value when the depth multiplier is above 1. The cases
cover channel tails, depth multipliers 1/2/8 (in_c 1 like micro_speech and
in_c 3), 3x3 SAME/VALID stride 1 and 2, micro_speech's 10x8 stride 2, 5x5,
1x1, padding on every border, batches, per-tensor and per-channel weights,
no bias, input zero points -128 and 127, and biases that make the int32
accumulator wrap.
"""
import numpy as np

from harness import check_cases, io_details, random_inputs
from test_ops_conv import _edit_op, dw_model

ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]


def _wrap_bias(model, seed):
    """Biases near INT32_MAX / INT32_MIN so that the accumulator wraps."""
    rng = np.random.default_rng(seed)

    def fn(m, op):
        g = m.subgraphs[0]
        t = g.tensors[op.inputs[2]]
        n = int(t.shape[0])
        big = np.where(rng.integers(0, 2, n) == 1, 2**31 - 1 - rng.integers(0, 50000, n),
                       -2**31 + rng.integers(0, 50000, n)).astype(np.int32)
        m.buffers[t.buffer].data = np.frombuffer(big.tobytes(), np.uint8).copy()
    return _edit_op(model, fn)


def _extreme_inputs(model, values):
    d = io_details(model)[0][0]
    return [[np.full(d["shape"], v, np.int8)] for v in values]


def opt_dw_cases(sweep):
    """(id, model, input batches)."""
    cases = []

    def add(name, model, n=1, seed=0):
        cases.append((name, model, random_inputs(model, n, seed)))

    # Channel tails, depth multiplier 1, 3x3 SAME stride 1 and VALID stride 2.
    chans = (1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33)
    for i, c in enumerate(chans):
        add(f"c{c}-s1-same", dw_model("int8", (1, 5, 6, c), 1, (3, 3), (1, 1), padding="SAME",
                                      act=ACTS[i % 4], per_channel=bool(i % 3), seed=10 + i), seed=i)
    for i, c in enumerate((4, 5, 9, 17) if sweep == "fast" else chans):
        add(f"c{c}-s2-valid", dw_model("int8", (1, 7, 6, c), 1, (3, 3), (2, 2), padding="VALID",
                                       per_channel=bool(i % 2), seed=40 + i), seed=i)
        add(f"c{c}-s2-same", dw_model("int8", (1, 6, 7, c), 1, (3, 3), (2, 2), padding="SAME",
                                      act=ACTS[(i + 1) % 4], seed=60 + i), seed=i)
    # Depth multipliers: in_c 1 (micro_speech), 3 and a channel tail.
    for dm in (2, 4, 5, 8):
        for ic in (1, 3):
            add(f"dm{dm}-ic{ic}", dw_model("int8", (1, 6, 5, ic), dm, (3, 3), (1, 1), padding="SAME",
                                           per_channel=bool(dm % 2 == 0), seed=100 + dm * 4 + ic), seed=dm)
    # micro_speech's layer shape (smaller input): 10x8 stride 2 SAME, in_c 1, x8.
    add("micro-10x8-s2", dw_model("int8", (1, 15, 12, 1), 8, (10, 8), (2, 2), padding="SAME", act="RELU",
                                  seed=150), seed=3)
    # 5x5, 1x1, asymmetric filters, a window larger than the input.
    add("f5x5-c6", dw_model("int8", (1, 6, 7, 6), 1, (5, 5), (1, 1), padding="SAME", seed=160), seed=4)
    add("f1x1-c12-s2", dw_model("int8", (1, 5, 5, 12), 1, (1, 1), (2, 2), padding="SAME", seed=161), seed=5)
    add("f3x2-c8-s1x2", dw_model("int8", (1, 6, 7, 8), 1, (3, 2), (1, 2), padding="SAME", seed=162), seed=6)
    add("f5x5-small-in", dw_model("int8", (1, 3, 2, 5), 1, (5, 5), (1, 1), padding="SAME", seed=163), seed=7)
    # Batches, no bias, dilation (reference fallback).
    add("batch2-c8", dw_model("int8", (2, 5, 5, 8), 1, (3, 3), (2, 2), padding="SAME", seed=170), 2, seed=8)
    add("nobias-c5", dw_model("int8", (1, 5, 5, 5), 1, (3, 3), bias=False, seed=171), seed=9)
    add("nobias-dm8", dw_model("int8", (1, 5, 5, 1), 8, (3, 3), bias=False, seed=172), seed=10)
    add("dil2-c8", dw_model("int8", (1, 7, 7, 8), 1, (3, 3), (1, 1), (2, 2), seed=173), seed=11)
    # Input zero points at the extremes (ranges [0, 2] and [-2, 0]).
    for zs, tag in ((1.0, "zp-128"), (-1.0, "zp127")):
        for c, dm in ((8, 1), (5, 1), (1, 8)):
            m = dw_model("int8", (1, 5, 6, c), dm, (3, 3), (1, 1), padding="SAME", seed=180 + c,
                         zp_shift=(zs, 0.0))
            cases.append((f"{tag}-c{c}-dm{dm}", m, random_inputs(m, 1, 12) + _extreme_inputs(m, (-128, 127))))
    # Accumulator wrap: biases near the int32 limits, saturating inputs.
    for c, dm in ((8, 1), (7, 1), (1, 8)):
        m = _wrap_bias(dw_model("int8", (1, 5, 5, c), dm, (3, 3), seed=190 + c, zp_shift=(0.0, 0.0)), c)
        cases.append((f"wrap-c{c}-dm{dm}", m, _extreme_inputs(m, (-128, 127, 0)) + random_inputs(m, 1, 13)))
    if sweep == "full":
        rng = np.random.default_rng(777)
        for i in range(60):
            dm = int(rng.choice([1, 1, 1, 2, 4, 8]))
            c = int(rng.integers(1, 4)) if dm > 1 else int(rng.integers(1, 40))
            ins = (int(rng.integers(1, 3)), int(rng.integers(1, 14)), int(rng.integers(1, 14)), c)
            f = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
            s = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
            pad = "SAME" if rng.integers(0, 2) or f[0] > ins[1] or f[1] > ins[2] else "VALID"
            add(f"full-{i}", dw_model("int8", ins, dm, f, s, padding=pad, act=ACTS[i % 4],
                                      per_channel=bool(i % 2), bias=bool(i % 5), seed=700 + i,
                                      zp_shift=(float(rng.uniform(-1, 1)), float(rng.uniform(-0.5, 0.5)))),
                2, seed=i)
        for c in (64, 128, 256):
            add(f"wide-{c}", dw_model("int8", (1, 6, 6, c), 1, (3, 3), seed=c), seed=c)
        add("micro-full", dw_model("int8", (1, 49, 40, 1), 8, (10, 8), (2, 2), padding="SAME", seed=151), seed=1)
    return cases


def test_opt_depthwise(target, sweep):
    cases = opt_dw_cases(sweep)
    check_cases(target, [(m, b) for _, m, b in cases], float_tol=0, ids=[c[0] for c in cases])
