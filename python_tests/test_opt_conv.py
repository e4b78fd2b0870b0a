"""Optimized int8 CONV_2D (conv_opt.c) against the oracle.

Aimed at the optimized kernels' branches: im2col spans that start or end
inside a group of 4 values (odd input depths), the K % 4 tail, odd output
channel counts (last channel alone), an odd number of output pixels (last
pixel alone; pairs that span rows and batches), padding on every side,
strides, dilations, the 1x1 matrix path, per-tensor and per-channel weights,
no bias, input zero points at both extremes and accumulators that wrap.
"""
import numpy as np

from harness import check_cases, random_inputs
from tflite_builder import ModelBuilder
from test_ops_conv import _out_size, conv_model

IN_CS = [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 33]
OUT_CS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17]


def qconv(in_shape, out_c, filt=(1, 1), stride=(1, 1), padding="VALID", dil=(1, 1), in_zp=0, out_zp=0,
          per_channel=True, bias="random", act="NONE", gain=1.0, seed=0):
    """int8 CONV_2D with explicit zero points. Weights span all of int8;
    `bias` is "random", None, or an int32 array. `gain` scales the effective
    multiplier (>1: left shifts)."""
    rng = np.random.default_rng(seed)
    n, h, w, c = in_shape
    oh = _out_size(padding, h, filt[0], stride[0], dil[0])
    ow = _out_size(padding, w, filt[1], stride[1], dil[1])
    depth = filt[0] * filt[1] * c
    b = ModelBuilder()
    in_s = 0.02
    x = b.tensor(in_shape, "int8", scale=in_s, zero_point=in_zp, name="x")
    wq = rng.integers(-128, 128, size=(out_c, filt[0], filt[1], c)).astype(np.int8)
    if per_channel:
        w_s = (0.004 * rng.uniform(0.3, 1.0, size=out_c)).astype(np.float32)
        wt = b.const(wq, "int8", scale=list(map(float, w_s)), zero_point=0, quantized_dim=0, name="w")
    else:
        w_s = np.full(out_c, 0.003, np.float32)
        wt = b.const(wq, "int8", scale=float(w_s[0]), zero_point=0, name="w")
    # Output scale: the accumulator's spread (~74 * 74 * sqrt(depth)) maps
    # to about +-60 output steps.
    out_s = float(in_s * 0.004 * 74 * 74 * np.sqrt(depth) / 60 / gain)
    y = b.tensor((n, oh, ow, out_c), "int8", scale=out_s, zero_point=out_zp, name="y")
    ins = [x, wt]
    if bias is not None:
        if isinstance(bias, str):
            bias = rng.integers(-3000 * int(np.sqrt(depth)), 3000 * int(np.sqrt(depth)) + 1, size=out_c)
        bias = np.asarray(bias, np.int64).astype(np.int32)
        ins.append(b.const(bias, "int32", scale=list(map(float, in_s * w_s)), zero_point=0, name="bias"))
    b.op("CONV_2D", ins, [y], options=dict(padding=padding, stride_h=stride[0], stride_w=stride[1],
                                            dilation_h_factor=dil[0], dilation_w_factor=dil[1],
                                            fused_activation_function=act))
    b.inputs([x])
    b.outputs([y])
    return b.build()


def opt_cases(sweep):
    """[(id, model, number of input sets)]"""
    cases = []
    k = 0

    def add(name, m, n=1):
        cases.append((name, m, n))

    # 1x1 stride 1: every input depth, output depths cycling (odd spatial
    # sizes: an odd pixel count).
    for i, c in enumerate(IN_CS):
        oc = OUT_CS[i % len(OUT_CS)]
        add(f"pw-c{c}-o{oc}", qconv((1, 3, 5, c), oc, in_zp=[-128, 127, 5][i % 3], per_channel=bool(i % 2),
                                    seed=i))
    # 1x1 stride 2, batches 2 (pixel pairs across batches).
    add("pw-s2-b2", qconv((2, 5, 7, 8), 9, stride=(2, 2), in_zp=-3, seed=20), 2)
    add("pw-s2-c5", qconv((1, 6, 6, 5), 16, stride=(2, 2), padding="SAME", seed=21))
    # 3x3 SAME / VALID, stride 1 and 2, odd sizes.
    add("3x3-same-s1-c1", qconv((1, 5, 7, 1), 8, (3, 3), padding="SAME", in_zp=-128, seed=30))
    add("3x3-same-s2-c3", qconv((1, 9, 8, 3), 8, (3, 3), (2, 2), "SAME", in_zp=127, seed=31))
    add("3x3-valid-s1-c16", qconv((1, 6, 5, 16), 17, (3, 3), in_zp=10, seed=32))
    add("3x3-valid-s2-c7-b2", qconv((2, 7, 7, 7), 5, (3, 3), (2, 2), in_zp=-100, per_channel=False, seed=33))
    add("3x3-same-s2-c4-nobias", qconv((1, 6, 6, 4), 7, (3, 3), (2, 2), "SAME", bias=None, seed=34))
    # kws first layer shape (smaller output depth in the fast sweep).
    add("10x4-s2-c1", qconv((1, 13, 10, 1), 16 if sweep == "fast" else 64, (10, 4), (2, 2), "SAME",
                            in_zp=-128, seed=40))
    # Dilation, asymmetric window and strides.
    add("dil-2x3", qconv((1, 8, 9, 3), 4, (3, 2), (1, 2), "SAME", dil=(2, 3), in_zp=127, seed=50))
    # Left shifts (gain > 1) and tiny multipliers, fused activations.
    add("gain-big", qconv((1, 4, 5, 5), 3, (2, 2), padding="SAME", gain=300.0, act="RELU", seed=60))
    add("gain-small", qconv((1, 4, 5, 5), 3, (3, 3), padding="SAME", gain=1e-4, act="RELU6", seed=61))
    # Accumulators that wrap: biases at the ends of int32.
    big = [2**31 - 5000, -2**31 + 5000, 2**31 - 1, -2**31]
    add("wrap-pw", qconv((1, 3, 3, 16), 4, in_zp=-128, bias=big, seed=70), 3)
    add("wrap-3x3", qconv((1, 4, 4, 9), 4, (3, 3), padding="SAME", in_zp=127, bias=big, seed=71), 3)
    # The generic helper's models (float-derived quantization, activations).
    add("helper-3x3", conv_model("int8", (1, 6, 5, 6), 5, (3, 3), (1, 1), act="RELU", seed=80))
    if sweep == "full":
        rng = np.random.default_rng(777)
        for c in IN_CS:
            for oc in OUT_CS:
                for f, s, pad in (((1, 1), (1, 1), "VALID"), ((3, 3), (1, 1), "SAME"), ((3, 3), (2, 2), "SAME"),
                                  ((3, 3), (2, 2), "VALID"), ((1, 1), (2, 2), "VALID")):
                    k += 1
                    hw = (int(rng.integers(3, 8)), int(rng.integers(3, 8)))
                    zp = int(rng.choice([-128, 127, 0, -7]))
                    add(f"full-c{c}-o{oc}-{f[0]}x{f[1]}-s{s[0]}-{pad}",
                        qconv((1 + k % 2,) + hw + (c,), oc, f, s, pad, in_zp=zp, per_channel=bool(k % 3),
                              bias=None if k % 7 == 0 else "random", seed=1000 + k))
        add("kws-first", qconv((1, 49, 10, 1), 64, (10, 4), (2, 2), "SAME", in_zp=-128, seed=90))
        add("pw-64", qconv((1, 25, 5, 64), 64, seed=91))
        add("pw-256", qconv((1, 3, 3, 256), 256, seed=92))
        add("resnet-3x3-s2", qconv((1, 16, 16, 32), 64, (3, 3), (2, 2), "SAME", in_zp=-128, seed=93))
        for i in range(30):
            c = int(rng.integers(1, 40))
            f = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
            s = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
            dil = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
            ins = (int(rng.integers(1, 3)), int(rng.integers(1, 12)), int(rng.integers(1, 12)), c)
            pad = str(rng.choice(["SAME", "VALID"]))
            if pad == "VALID" and any(_out_size(pad, ins[1 + a], f[a], s[a], dil[a]) < 1 for a in range(2)):
                pad = "SAME"
            add(f"rand-{i}", qconv(ins, int(rng.integers(1, 20)), f, s, pad, dil,
                                   in_zp=int(rng.integers(-128, 128)), out_zp=int(rng.integers(-128, 128)),
                                   per_channel=bool(i % 2), act=["NONE", "RELU", "RELU6"][i % 3],
                                   gain=float(rng.choice([0.5, 1.0, 4.0])), seed=2000 + i), 2)
    return cases


def test_opt_conv(target, sweep):
    cases = opt_cases(sweep)
    check_cases(target, [(m, random_inputs(m, n, 500 + i)) for i, (_, m, n) in enumerate(cases)],
                ids=[c[0] for c in cases])


def test_opt_conv_extreme_inputs(target):
    """Inputs all -128 / all 127 with zero points at both ends: the largest
    products, padded taps beside them."""
    cases, ids = [], []
    for zp in (-128, 127):
        m = qconv((1, 5, 5, 17), 6, (3, 3), (1, 1), "SAME", in_zp=zp, seed=100 + (zp > 0))
        cases.append((m, [[np.full((1, 5, 5, 17), v, np.int8)] for v in (-128, 127)]))
        ids.append(f"extreme-zp{zp}")
    check_cases(target, cases, ids=ids)
