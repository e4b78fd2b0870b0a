"""int8 FULLY_CONNECTED shapes and values aimed at the optimized kernel's
branches (fc_opt.c), against the oracle (the tflite_micro wheel), bit-exact.

The optimized kernel does four units per pass (a unit count that is not a
multiple of four redoes the last four), 16 (MVE) or 4 (DSP) depth per step
with a tail, folds the weights zero point into a per-row constant and, on
MVE, takes the input offset 128 through a complemented input. So: depths
around multiples of 4 and 16, unit counts 1..13 and 25..128 (RISC-V: an
offset input row in scratch and ten units per pass), several batches (rows at
odd byte offsets), input zero points -128 / 127 / others, per-tensor
weights with a zero point, per-channel weights with left and right shifts,
no bias, accumulators that wrap, every fused activation, computed weights.
"""
import numpy as np

from harness import check_cases, random_inputs
from tflite_builder import ModelBuilder

ACTS = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")


def fc_int8(wq, in_shape, in_q=(0.03, 0), w_scale=0.01, w_zp=0, bias=None, out_q=(0.5, 0),
            act="NONE", const_w=True):
    """FULLY_CONNECTED with the given int8 weights [units, depth] and int32
    bias (or None); w_scale a float (per-tensor) or a list (per-channel)."""
    units, depth = wq.shape
    batches = int(np.prod(in_shape)) // depth
    per_channel = isinstance(w_scale, (list, tuple, np.ndarray))
    b = ModelBuilder()
    x = b.tensor(list(in_shape), "int8", scale=in_q[0], zero_point=in_q[1])
    wz = [w_zp] * units if per_channel else w_zp
    if const_w:
        w = b.const(wq, "int8", scale=w_scale, zero_point=wz, quantized_dim=0)
    else:
        w = b.tensor([units, depth], "int8", scale=w_scale, zero_point=wz, quantized_dim=0)
    bt = None
    if bias is not None:
        bs = ([float(in_q[0]) * s for s in w_scale] if per_channel else float(in_q[0]) * float(w_scale))
        bt = b.const(np.asarray(bias, np.int32), "int32", scale=bs, zero_point=0)
    y = b.tensor([batches, units], "int8", scale=out_q[0], zero_point=out_q[1])
    b.op("FULLY_CONNECTED", [x, w, bt], [y], options=dict(fused_activation_function=act))
    b.inputs([x] if const_w else [x, w])
    b.outputs([y])
    return b.build()


def _out_scale(depth, in_scale, w_scale, spread=0.25):
    # Roughly the accumulator's spread over the output range, so outputs
    # are not all clamped.
    return float(in_scale) * float(np.max(w_scale)) * 128 * 100 * np.sqrt(depth) * spread / 127


def _case(rng, depth, units, batches, in_zp=0, w_zp=0, per_channel=False, bias=True, act="NONE",
          const_w=True, out_zp=None, scale_mul=1.0):
    wq = rng.integers(-128, 128, size=(units, depth)).astype(np.int8)
    in_scale = 0.03
    w_scale = (list(rng.uniform(0.002, 0.02, size=units)) if per_channel else 0.01)
    o_scale = _out_scale(depth, in_scale, w_scale) * scale_mul
    bq = rng.integers(-40000, 40000, size=units).astype(np.int32) if bias else None
    ozp = int(rng.integers(-20, 20)) if out_zp is None else out_zp
    m = fc_int8(wq, (batches, depth), in_q=(in_scale, in_zp), w_scale=w_scale, w_zp=w_zp, bias=bq,
                out_q=(o_scale, ozp), act=act, const_w=const_w)
    return m


def _run(target, specs, n_inputs=2):
    rng = np.random.default_rng(2024)
    cases, ids = [], []
    for i, s in enumerate(specs):
        m = _case(rng, **s)
        cases.append((m, random_inputs(m, n_inputs, seed=i)))
        ids.append(",".join(f"{k}={v}" for k, v in s.items()))
    check_cases(target, cases, ids=ids)


def test_fc_opt_shapes(target, sweep):
    """Depths around the step sizes, unit counts around the blocking,
    batches (odd depths put rows at odd byte offsets)."""
    depths = [1, 2, 3, 4, 5, 7, 8, 12, 15, 16, 17, 31, 32, 33, 47, 64, 65, 100]
    units = [1, 3, 4, 5, 6, 7, 8, 9, 13]
    if sweep == "full":
        depths += [6, 9, 13, 24, 48, 63, 127, 128, 129, 640]
        units += [2, 10, 12, 16, 17]
    specs = []
    for i, d in enumerate(depths):
        for j, u in enumerate(units):
            # A third of the grid (half with --sweep=full: the whole grid
            # overflows the emulated boards' file store).
            if (i + j) % (2 if sweep == "full" else 3):
                continue
            specs.append(dict(depth=d, units=u, batches=1 + (i + 2 * j) % 3,
                              in_zp=[0, -128, 127, 5, -77][(i + j) % 5]))
    _run(target, specs)


def test_fc_opt_wide(target):
    """More than 24 units: on RISC-V the input row plus its offset goes to
    scratch (uint8 for input zero point -128, int16 for others; none for 0)
    and units are done ten at a time, the last units % 10 by a block of
    eight (none left, or nine: a block of ten redoing one)."""
    specs = []
    for i, (depth, units) in enumerate(((1, 25), (17, 26), (16, 29), (33, 30), (8, 37), (31, 40), (64, 48),
                                        (5, 128), (130, 49))):
        for k, in_zp in enumerate((-128, 89, 0)):
            specs.append(dict(depth=depth, units=units, batches=1 + (i + k) % 3, in_zp=in_zp,
                              w_zp=3 if (i + k) % 4 == 1 else 0, per_channel=(i + k) % 4 == 2,
                              bias=(i + k) % 5 != 3))
    _run(target, specs)


def test_fc_opt_offsets(target):
    """Input zero points at the ends (input offset 128 and -127), weights
    zero points (per-tensor), per-channel weights, no bias, computed
    weights."""
    specs = []
    for in_zp in (-128, -127, 0, 1, 126, 127):
        for w_zp in (0, 3, -128, 127):
            specs.append(dict(depth=37, units=6, batches=2, in_zp=in_zp, w_zp=w_zp))
        specs.append(dict(depth=33, units=9, batches=3, in_zp=in_zp, per_channel=True))
        specs.append(dict(depth=20, units=5, batches=1, in_zp=in_zp, bias=False))
        specs.append(dict(depth=19, units=7, batches=2, in_zp=in_zp, w_zp=-5, bias=False,
                          const_w=False))
        specs.append(dict(depth=16, units=4, batches=2, in_zp=in_zp, per_channel=True, bias=False,
                          const_w=False))
    _run(target, specs, n_inputs=3)


def test_fc_opt_activations_and_scales(target):
    """Every fused activation with output zero points at both ends, and
    output scales giving right shifts up to large and left shifts."""
    specs = []
    for act in ACTS:
        for out_zp in (-128, -3, 0, 127):
            specs.append(dict(depth=24, units=6, batches=2, in_zp=-128, act=act, out_zp=out_zp))
            specs.append(dict(depth=17, units=5, batches=1, in_zp=9, act=act, out_zp=out_zp,
                              per_channel=True))
    for scale_mul in (1e-6, 1e-4, 0.01, 0.3, 3.0, 1e3, 1e5):
        specs.append(dict(depth=29, units=7, batches=2, in_zp=-128, scale_mul=scale_mul))
        specs.append(dict(depth=29, units=7, batches=2, in_zp=11, per_channel=True, scale_mul=scale_mul))
    _run(target, specs)


def test_fc_opt_extremes(target):
    """All-extreme inputs and weights and biases near the int32 limits: the
    int32 accumulator wraps (the reference wraps too)."""
    cases, ids = [], []
    rng = np.random.default_rng(7)
    for depth, units in ((64, 4), (33, 5), (100, 8), (7, 6)):
        for wv in (-128, 127):
            for in_zp in (-128, 127):
                wq = np.full((units, depth), wv, np.int8)
                wq[1::2, ::3] = -128 if wv == 127 else 127
                big = np.array([2**31 - 1, -(2**31), 2**31 - 40000, -(2**31) + 40000] * 4, np.int64)
                bias = big[:units].astype(np.int32)
                for per_channel in (False, True):
                    ws = [0.01] * units if per_channel else 0.01
                    # Output scale such that a few thousand of accumulator fit.
                    m = fc_int8(wq, (2, depth), in_q=(0.03, in_zp), w_scale=ws, bias=bias,
                                out_q=(0.03 * 0.01 * 30, 3))
                    xs = [np.full((2, depth), v, np.int8) for v in (-128, 127)]
                    xs.append(rng.integers(-128, 128, size=(2, depth)).astype(np.int8))
                    cases.append((m, [[x] for x in xs]))
                    ids.append(f"extreme d={depth} u={units} w={wv} in_zp={in_zp} pc={per_channel}")
    check_cases(target, cases, ids=ids)


def test_fc_opt_exact_shifts(target):
    """Effective scales mant * 2^shift around the kernel's requantization
    forms (one-multiply form for right shifts 2..15, the general one
    otherwise), multiplier exactly 2^30 among them, with accumulators
    spread over the unclamped output range so the rounding is exercised
    on both signs."""
    rng = np.random.default_rng(11)
    cases, ids = [], []
    for shift in (1, 0, -1, -2, -3, -9, -14, -15, -16, -17):
        for mant in (0.5, 0.75, 0.999):
            eff = mant * 2.0 ** shift
            depth, units = (29, 5) if shift > -9 else (131, 6)
            span = 300 / eff
            wmax = int(np.clip(round(span / (depth * 128)), 1, 127))
            wq = rng.integers(-wmax, wmax + 1, size=(units, depth)).astype(np.int8)
            bias = rng.integers(-min(span, 2**30), min(span, 2**30), size=units).astype(np.int32)
            for in_zp, out_zp, act, with_bias in ((-128, -128, "NONE", True), (3, 127, "RELU6", False),
                                                  (0, 5, "RELU", True)):
                m = fc_int8(wq, (2, depth), in_q=(0.5, in_zp), w_scale=0.25,
                            bias=bias if with_bias else None, out_q=(0.125 / eff, out_zp), act=act)
                cases.append((m, random_inputs(m, 2, seed=len(cases))))
                ids.append(f"shift={shift} mant={mant} in_zp={in_zp} out_zp={out_zp} act={act}")
    check_cases(target, cases, ids=ids)
