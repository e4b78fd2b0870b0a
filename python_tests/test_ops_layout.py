"""Layout ops: DEPTH_TO_SPACE, SPACE_TO_DEPTH, BATCH_TO_SPACE_ND,
SPACE_TO_BATCH_ND, REVERSE_V2, MIRROR_PAD.

Cases the oracle (the tflite_micro wheel) runs are compared with it: float32
and int8 for all six ops, every type for REVERSE_V2 (TFLM's kernels take no
more), parameters as constants or as graph inputs. Cases TFLM refuses but our
runtime supports, since the data movement is the same for any element size
(uint8, int16, int32, int64, bool for the first five ops; REVERSE_V2 on
non-contiguous axes or none; int64 parameter tensors), are compared with numpy
references written from TensorFlow's definition of each op.

Measured from the oracle and asserted below (test_space_to_batch_pads_zero_bytes):
SPACE_TO_BATCH_ND pads with zero bytes whatever the output's zero point, and
no op of the family asks input and output to share their quantization.
"""
import numpy as np

from harness import assert_match, check_cases, load_each, oracle, run_raw
from test_ops_shape import T, Case, batches_for, build, run_with_refs
from tflite_builder import ModelBuilder, pack_model, unpack_model

ORACLE_TYPES = ("float32", "int8")
MORE_TYPES = ("uint8", "int16", "int32", "int64", "bool")
ALL_TYPES = ORACLE_TYPES + MORE_TYPES


def params(b, values, dtype, as_input):
    """Parameter tensors: constants, or graph inputs (returned with their
    values for the input sets)."""
    if not as_input:
        return [b.const(np.array(v, dtype)) for v in values], [], []
    ts = [b.tensor(list(np.shape(v)), np.dtype(dtype).name) for v in values]
    return ts, ts, [np.array(v, dtype) for v in values]


def one_op(op, dtype, ishape, oshape, values, rng, np_ref, ref=False, options=None, as_input=False,
           pdtype=np.int32, cid=None, n_sets=1, q_out=None):
    """A one-op model: input tensor x, parameter tensors from `values`
    (constants or graph inputs), output y. `np_ref` maps x to the numpy
    output; with `ref` the case is checked against it instead of the
    oracle."""
    b = ModelBuilder()
    x = T(b, ishape, dtype)
    y = T(b, oshape, dtype, q_out)
    ps, graph_ps, pvals = params(b, values, pdtype, as_input)
    b.op(op, [x] + ps, [y], options=options)
    m = build(b, [x] + graph_ps, [y])
    batches = [bt + pvals for bt in batches_for([x], rng, n_sets)]
    name = cid or f"{op.lower()}-{dtype}-{ishape}-{values}{'-dyn' if as_input else ''}"
    c = Case(name, m, batches, (lambda i: [np_ref(i[0])]) if ref else None)
    c.np_ref = np_ref
    return c


# ---------------------------------------------------------------------------
# numpy references (TensorFlow's definitions)


def np_depth_to_space(x, bs):
    n, h, w, c = x.shape
    return x.reshape(n, h, w, bs, bs, c // (bs * bs)).transpose(0, 1, 3, 2, 4, 5).reshape(
        n, h * bs, w * bs, c // (bs * bs))


def np_space_to_depth(x, bs):
    n, h, w, c = x.shape
    return x.reshape(n, h // bs, bs, w // bs, bs, c).transpose(0, 1, 3, 2, 4, 5).reshape(
        n, h // bs, w // bs, bs * bs * c)


def _as4d(x):
    return x if x.ndim == 4 else x[:, :, None, :]


def np_space_to_batch(x, block, pads):
    """Pads with zero bytes (what TFLM does, whatever the zero point)."""
    block = list(block) + [1] * (2 - len(block))
    pads = [list(p) for p in pads] + [[0, 0]] * (2 - len(pads))
    x4 = np.pad(_as4d(x), [[0, 0], pads[0], pads[1], [0, 0]])
    n, h, w, c = x4.shape
    bh, bw = block
    y = x4.reshape(n, h // bh, bh, w // bw, bw, c).transpose(2, 4, 0, 1, 3, 5).reshape(
        bh * bw * n, h // bh, w // bw, c)
    return y if x.ndim == 4 else y[:, :, 0, :]


def np_batch_to_space(x, block, crops):
    block = list(block) + [1] * (2 - len(block))
    crops = [list(p) for p in crops] + [[0, 0]] * (2 - len(crops))
    x4 = _as4d(x)
    n, h, w, c = x4.shape
    bh, bw = block
    y = x4.reshape(bh, bw, n // (bh * bw), h, w, c).transpose(2, 3, 0, 4, 1, 5).reshape(
        n // (bh * bw), h * bh, w * bw, c)
    y = y[:, crops[0][0]:h * bh - crops[0][1], crops[1][0]:w * bw - crops[1][1]]
    return y if x.ndim == 4 else y[:, :, 0, :]


def np_mirror_pad(x, pads, mode):
    return np.pad(x, pads, mode="reflect" if mode == "REFLECT" else "symmetric")


# ---------------------------------------------------------------------------
# Case builders


def depth_to_space_case(dtype, shape, bs, rng, ref=False, **kw):
    n, h, w, c = shape
    return one_op("DEPTH_TO_SPACE", dtype, shape, [n, h * bs, w * bs, c // (bs * bs)], [], rng,
                  options=dict(block_size=bs), np_ref=lambda x: np_depth_to_space(x, bs), ref=ref,
                  cid=f"depth_to_space-{dtype}-{shape}-bs{bs}", **kw)


def space_to_depth_case(dtype, shape, bs, rng, ref=False, **kw):
    n, h, w, c = shape
    return one_op("SPACE_TO_DEPTH", dtype, shape, [n, h // bs, w // bs, c * bs * bs], [], rng,
                  options=dict(block_size=bs), np_ref=lambda x: np_space_to_depth(x, bs), ref=ref,
                  cid=f"space_to_depth-{dtype}-{shape}-bs{bs}", **kw)


def batch_to_space_case(dtype, shape, block, crops, rng, ref=False, **kw):
    oshape = np_batch_to_space(np.zeros(shape), block, crops).shape
    return one_op("BATCH_TO_SPACE_ND", dtype, shape, list(oshape), [block, crops], rng,
                  np_ref=lambda x: np_batch_to_space(x, block, crops), ref=ref, **kw)


def space_to_batch_case(dtype, shape, block, pads, rng, ref=False, **kw):
    oshape = np_space_to_batch(np.zeros(shape), block, pads).shape
    return one_op("SPACE_TO_BATCH_ND", dtype, shape, list(oshape), [block, pads], rng,
                  np_ref=lambda x: np_space_to_batch(x, block, pads), ref=ref, **kw)


def reverse_case(dtype, shape, axes, rng, ref=False, **kw):
    return one_op("REVERSE_V2", dtype, shape, shape, [np.array(axes, np.int64).reshape(-1)], rng,
                  np_ref=lambda x: np.flip(x, tuple(axes)), ref=ref, **kw)


def mirror_pad_case(dtype, shape, pads, mode, rng, ref=False, **kw):
    oshape = [d + l + r for d, (l, r) in zip(shape, pads)]
    return one_op("MIRROR_PAD", dtype, shape, oshape, [np.array(pads).reshape(len(shape), 2)], rng,
                  options=dict(mode=mode), np_ref=lambda x: np_mirror_pad(x, pads, mode), ref=ref,
                  cid=f"mirror_pad-{dtype}-{shape}-{pads}-{mode}{'-dyn' if kw.get('as_input') else ''}", **kw)


# ---------------------------------------------------------------------------
# Sweeps

D2S = [([1, 1, 1, 4], 2), ([2, 3, 2, 8], 2), ([1, 2, 3, 9], 3), ([1, 2, 2, 3], 1), ([3, 2, 1, 32], 4),
       ([1, 4, 4, 12], 2)]
S2D = [([1, 4, 4, 1], 2), ([2, 6, 4, 3], 2), ([1, 6, 9, 2], 3), ([1, 3, 2, 5], 1), ([1, 8, 8, 2], 4),
       ([1, 2, 4, 3], 2)]
B2S = [([4, 2, 2, 1], [2, 2], [[0, 0], [0, 0]]), ([8, 1, 3, 2], [2, 4], [[1, 0], [0, 1]]),
       ([6, 2, 2, 3], [3, 2], [[0, 1], [2, 1]]), ([4, 2, 2, 1], [2, 2], [[1, 1], [1, 1]]),
       ([4, 2, 3], [2], [[0, 1]]), ([6, 3, 2], [3], [[1, 1]]), ([2, 3, 2, 2], [1, 1], [[0, 0], [0, 0]]),
       ([9, 2, 2, 2], [3, 3], [[2, 0], [0, 2]])]
S2B = [([1, 4, 4, 1], [2, 2], [[0, 0], [0, 0]]), ([2, 3, 5, 2], [2, 3], [[1, 0], [0, 1]]),
       ([1, 2, 2, 3], [3, 3], [[1, 0], [2, 2]]), ([1, 3, 2], [2], [[1, 0]]), ([3, 5, 4], [3], [[2, 2]]),
       ([2, 2, 3, 1], [1, 1], [[1, 1], [0, 0]]), ([1, 1, 1, 2], [2, 2], [[1, 0], [0, 1]])]
REV = [([5], [0]), ([2, 3, 4], [1]), ([2, 3, 4], [0, 1]), ([2, 3, 4], [-1]), ([2, 3, 4], [-2, -1]),
       ([2, 3, 4], [2, 1, 0]), ([1, 3, 1, 4], [1, 2]), ([2, 1, 3, 2, 2], [3]), ([1, 2, 1, 2, 1, 2], [3, 4, 5]),
       ([2, 2, 3, 1, 2, 3], [0])]
MP = [([3], [[1, 1]]), ([3], [[2, 0]]), ([4, 3], [[1, 2], [0, 2]]), ([1, 3, 3, 2], [[0, 0], [1, 2], [2, 1], [0, 0]]),
      ([2, 3, 2], [[1, 1], [0, 0], [1, 1]]), ([2, 2, 2, 2, 3], [[0, 0], [1, 0], [0, 0], [0, 1], [2, 2]]),
      ([2, 2, 1, 2, 2, 3], [[1, 1], [0, 0], [0, 0], [0, 1], [0, 0], [1, 1]]), ([2, 3], [[0, 0], [0, 0]])]


def mp_max_pads(shape, mode):
    """The largest paddings the mode allows on every dim."""
    k = 1 if mode == "REFLECT" else 0
    return [[d - k, d - k] for d in shape]


def oracle_cases(sweep):
    rng = np.random.default_rng(2024)
    cs = []
    for dt in ORACLE_TYPES:
        cs += [depth_to_space_case(dt, s, bs, rng) for s, bs in D2S]
        cs += [space_to_depth_case(dt, s, bs, rng) for s, bs in S2D]
        cs += [batch_to_space_case(dt, s, b, c, rng) for s, b, c in B2S]
        cs += [space_to_batch_case(dt, s, b, p, rng) for s, b, p in S2B]
        for mode in ("REFLECT", "SYMMETRIC"):
            cs += [mirror_pad_case(dt, s, p, mode, rng) for s, p in MP]
            cs.append(mirror_pad_case(dt, [3, 4, 2], mp_max_pads([3, 4, 2], mode), mode, rng))
            cs.append(mirror_pad_case(dt, [4, 3], [[1, 2], [2, 0]], mode, rng, pdtype=np.int64))
    for dt in ALL_TYPES:
        cs += [reverse_case(dt, s, a, rng) for s, a in (REV if dt in ORACLE_TYPES else REV[:4])]
    # Parameters as graph inputs (TFLM reads them at every invoke); several
    # input sets per model.
    cs.append(reverse_case("float32", [2, 3, 4], [1, 2], rng, as_input=True, n_sets=2))
    cs.append(reverse_case("int8", [3, 4], [-2], rng, as_input=True))
    cs.append(batch_to_space_case("float32", [8, 1, 3, 2], [2, 4], [[1, 0], [0, 1]], rng, as_input=True))
    cs.append(space_to_batch_case("int8", [2, 3, 5, 2], [2, 3], [[1, 0], [0, 1]], rng, as_input=True,
                                  n_sets=2))
    cs.append(mirror_pad_case("float32", [4, 3], [[1, 2], [2, 0]], "SYMMETRIC", rng, as_input=True, n_sets=2))
    # Output quantization other than the input's: TFLM moves the bytes
    # unchanged (and SPACE_TO_BATCH_ND pads with 0, not the zero point).
    q = (0.2, 7)
    cs.append(space_to_batch_case("int8", [1, 2, 2, 1], [2, 2], [[1, 1], [0, 0]], rng, q_out=q))
    cs.append(depth_to_space_case("int8", [1, 1, 2, 4], 2, rng, q_out=q))
    cs.append(space_to_depth_case("int8", [1, 2, 2, 1], 2, rng, q_out=q))
    cs.append(batch_to_space_case("int8", [4, 1, 1, 2], [2, 2], [[0, 0], [1, 0]], rng, q_out=q))
    cs.append(reverse_case("int8", [2, 3], [1], rng, q_out=q))
    cs.append(mirror_pad_case("int8", [3], [[1, 1]], "REFLECT", rng, q_out=q))
    if sweep == "full":
        cs += random_cases(np.random.default_rng(77), 150, ORACLE_TYPES, numpy=False)
    return cs


def random_cases(rng, n, types, numpy):
    """Random shapes and parameters for every op (contiguous REVERSE_V2 axes:
    all the oracle takes)."""
    cs = []
    for _ in range(n):
        kind = str(rng.choice(["d2s", "s2d", "b2s", "s2b", "rev", "mp"]))
        dt = str(rng.choice(types))
        if kind in ("d2s", "s2d"):
            bs = int(rng.integers(1, 4))
            n_, h, w, c = (int(v) for v in rng.integers(1, 4, size=4))
            if kind == "d2s":
                cs.append(depth_to_space_case(dt, [n_, h, w, c * bs * bs], bs, rng, ref=numpy))
            else:
                cs.append(space_to_depth_case(dt, [n_, h * bs, w * bs, c], bs, rng, ref=numpy))
        elif kind in ("b2s", "s2b"):
            spatial = int(rng.integers(1, 3))
            block = [int(v) for v in rng.integers(1, 4, size=spatial)]
            sizes = [int(v) for v in rng.integers(1, 4, size=spatial)]
            if kind == "b2s":
                crops = [[int(rng.integers(0, s * b + 1))] for s, b in zip(sizes, block)]
                crops = [[c0[0], int(rng.integers(0, s * b - c0[0] + 1))] for c0, s, b in zip(crops, sizes, block)]
                shape = [int(rng.integers(1, 3)) * int(np.prod(block))] + sizes + [int(rng.integers(1, 4))]
                # TFLM cannot run empty outputs: those go to numpy.
                empty = any(s * b == c0 + c1 for s, b, (c0, c1) in zip(sizes, block, crops))
                cs.append(batch_to_space_case(dt, shape, block, crops, rng, ref=numpy or empty))
            else:
                pads = []
                for s, b in zip(sizes, block):
                    p0 = int(rng.integers(0, 3))
                    p1 = (-(s + p0)) % b + b * int(rng.integers(0, 2))
                    pads.append([p0, p1])
                shape = [int(rng.integers(1, 3))] + sizes + [int(rng.integers(1, 4))]
                cs.append(space_to_batch_case(dt, shape, block, pads, rng, ref=numpy))
        elif kind == "rev":
            rank = int(rng.integers(1, 7))
            shape = [int(v) for v in rng.integers(1, 4, size=rank)]
            lo = int(rng.integers(0, rank))
            hi = int(rng.integers(lo, rank))
            axes = [a - rank if rng.random() < 0.3 else a for a in range(lo, hi + 1)]
            cs.append(reverse_case(dt, shape, axes, rng, ref=numpy))
        else:
            rank = int(rng.integers(1, 6))
            shape = [int(v) for v in rng.integers(1, 5, size=rank)]
            mode = str(rng.choice(["REFLECT", "SYMMETRIC"]))
            k = 1 if mode == "REFLECT" else 0
            pads = [[int(rng.integers(0, d - k + 1)), int(rng.integers(0, d - k + 1))] for d in shape]
            cs.append(mirror_pad_case(dt, shape, pads, mode, rng, ref=numpy))
    return cs


def numpy_cases(sweep):
    """Cases beyond TFLM, against numpy."""
    rng = np.random.default_rng(4242)
    cs = []
    for dt in MORE_TYPES:
        cs += [depth_to_space_case(dt, s, bs, rng, ref=True) for s, bs in D2S[:3]]
        cs += [space_to_depth_case(dt, s, bs, rng, ref=True) for s, bs in S2D[:3]]
        cs += [batch_to_space_case(dt, s, b, c, rng, ref=True) for s, b, c in B2S[1:6]]
        cs += [space_to_batch_case(dt, s, b, p, rng, ref=True) for s, b, p in S2B[1:5]]
        for mode in ("REFLECT", "SYMMETRIC"):
            cs += [mirror_pad_case(dt, s, p, mode, rng, ref=True) for s, p in MP[2:5]]
    # REVERSE_V2 on non-contiguous axes (TFLM: "not supported"), on no axis
    # (TFLM reads before its axis array) and on a scalar.
    for dt in ("float32", "int8", "int16", "int64", "bool"):
        cs.append(reverse_case(dt, [2, 3, 4], [0, 2], rng, ref=True))
        cs.append(reverse_case(dt, [2, 3, 2, 3, 2], [-1, 1, 3], rng, ref=True))
    cs.append(reverse_case("float32", [3, 4], [], rng, ref=True))
    cs.append(reverse_case("float32", [2, 2, 2, 2, 2, 2], [0, 2, 4], rng, ref=True))
    cs.append(reverse_case("int32", [], [], rng, ref=True))
    cs.append(reverse_case("float32", [3, 2, 3], [2, 0], rng, ref=True, as_input=True, n_sets=2))
    # int64 parameter tensors (TFLM reads int32 only: the oracle misreads them).
    cs.append(reverse_case("int8", [2, 3, 4], [1, 2], rng, ref=True, pdtype=np.int64))
    cs.append(batch_to_space_case("float32", [8, 1, 3, 2], [2, 4], [[1, 0], [0, 1]], rng, ref=True,
                                  pdtype=np.int64))
    cs.append(space_to_batch_case("float32", [2, 3, 5, 2], [2, 3], [[1, 0], [0, 1]], rng, ref=True,
                                  pdtype=np.int64, as_input=True))
    # Empty tensors.
    cs.append(mirror_pad_case("float32", [0, 3], [[0, 0], [1, 1]], "SYMMETRIC", rng, ref=True))
    cs.append(reverse_case("float32", [2, 0, 3], [1], rng, ref=True))
    cs.append(depth_to_space_case("float32", [0, 2, 2, 4], 2, rng, ref=True))
    cs.append(space_to_batch_case("float32", [1, 2, 2, 0], [2, 2], [[0, 0], [0, 0]], rng, ref=True))
    cs.append(batch_to_space_case("float32", [4, 1, 2, 1], [2, 2], [[1, 1], [0, 0]], rng, ref=True))
    if sweep == "full":
        cs += random_cases(np.random.default_rng(78), 120, MORE_TYPES, numpy=True)
    return cs


def test_layout_ops_match_oracle(target, sweep):
    cases = [c for c in oracle_cases(sweep) if c.ref is None]
    check_cases(target, [(c.model, c.batches) for c in cases], float_tol=0, ids=[c.id for c in cases])


def differ_from_numpy(cases, outputs):
    """One line per case whose outputs (per input set, a list of arrays; or
    the error string of a refusal) are not its numpy reference's, bit for
    bit."""
    problems = []
    for c, got in zip(cases, outputs):
        if got is None or isinstance(got, str):
            problems.append(f"{c.id}: refused: {got}")
            continue
        want = [[np.asarray(c.np_ref(bt[0]))] for bt in c.batches]
        try:
            assert_match(got, want, float_rtol=0, float_atol=0, context=c.id)
        except AssertionError as e:
            problems.append(str(e).splitlines()[0])
    return problems


def test_layout_ops_beyond_tflm_match_numpy(target, sweep):
    cases = numpy_cases(sweep) + [c for c in oracle_cases(sweep) if c.ref is not None]
    problems = differ_from_numpy(cases, run_with_refs(target, cases)[0])
    assert not problems, f"{len(problems)} of {len(cases)} cases failed:\n" + "\n".join(problems[:30])


def test_space_to_batch_pads_zero_bytes():
    """What the numpy reference assumes, measured: TFLM's SPACE_TO_BATCH_ND
    pads int8 with 0, not the zero point (input -3, output 7 here), and
    takes an output quantized unlike its input."""
    rng = np.random.default_rng(5)
    c = space_to_batch_case("int8", [1, 2, 2, 1], [2, 2], [[1, 1], [0, 0]], rng, q_out=(0.2, 7))
    x = np.array([5, -6, 7, -8], np.int8).reshape(1, 2, 2, 1)
    got = oracle(c.model, [[x]])[0][0]
    np.testing.assert_array_equal(got, np_space_to_batch(x, [2, 2], [[1, 1], [0, 0]]))


def test_numpy_references_agree_with_oracle(sweep):
    """The numpy references, used for the types and cases TFLM refuses, give
    the oracle's output wherever the oracle runs."""
    cases = [c for c in oracle_cases(sweep) if c.ref is None]
    problems = differ_from_numpy(cases, [oracle(c.model, c.batches) for c in cases])
    assert not problems, "\n".join(problems[:30])


# ---------------------------------------------------------------------------
# Bad parameter values given at run time: ValueError from invoke, and the
# interpreter keeps working.


def dynamic_model(op, shape, oshape, pshapes, options=None):
    b = ModelBuilder()
    x, y = b.tensor(shape), b.tensor(oshape)
    ps = [b.tensor(s, "int32") for s in pshapes]
    b.op(op, [x] + ps, [y], options=options)
    return build(b, [x] + ps, [y])


def test_layout_bad_runtime_parameters(target):
    i32 = lambda v: np.array(v, np.int32)  # noqa: E731
    x23 = np.arange(6, dtype=np.float32).reshape(2, 3)
    rev = dynamic_model("REVERSE_V2", [2, 3], [2, 3], [[2]])
    mp = dynamic_model("MIRROR_PAD", [2, 3], [2, 5], [[2, 2]], options=dict(mode="REFLECT"))
    x4 = np.arange(4, dtype=np.float32).reshape(1, 2, 2, 1)
    s2b = dynamic_model("SPACE_TO_BATCH_ND", [1, 2, 2, 1], [4, 1, 1, 1], [[2], [2, 2]])
    b2s = dynamic_model("BATCH_TO_SPACE_ND", [4, 1, 1, 1], [1, 2, 2, 1], [[2], [2, 2]])
    x41 = np.arange(4, dtype=np.float32).reshape(4, 1, 1, 1)
    zero = [[0, 0], [0, 0]]
    cases = [
        (rev, [[x23, i32([0, 2])], [x23, i32([1, 1])], [x23, i32([0, -3])], [x23, i32([1, 0])]]),
        (mp, [[x23, i32([[0, 0], [1, 3]])], [x23, i32([[0, 0], [3, -1]])], [x23, i32([[1, 0], [1, 1]])],
              [x23, i32([[0, 0], [0, 2]])]]),
        (s2b, [[x4, i32([0, 2]), i32(zero)], [x4, i32([2, 2]), i32([[0, 0], [0, -1]])],
               [x4, i32([4, 1]), i32(zero)], [x4, i32([2, 2]), i32(zero)]]),
        (b2s, [[x41, i32([3, 1]), i32(zero)], [x41, i32([2, 2]), i32([[0, 0], [3, 0]])],
               [x41, i32([-2, -2]), i32(zero)], [x41, i32([2, 2]), i32(zero)]]),
    ]
    got = run_raw(target, cases)
    for (model, batches), g in zip(cases, got):
        assert not isinstance(g, str), g
        kinds = [r.split(":")[0] if isinstance(r, str) else "ok" for r in g]
        assert kinds[:-1] == ["ValueError"] * (len(g) - 1) and kinds[-1] == "ok", g
        want = oracle(model, [batches[-1]])[0][0]
        assert np.frombuffer(g[-1][0], np.float32).tobytes() == want.tobytes()


# ---------------------------------------------------------------------------
# The op versions the converter gives every case above load; the next do not.


def test_layout_versions(target):
    rng = np.random.default_rng(9)
    top = {"DEPTH_TO_SPACE": 2, "SPACE_TO_DEPTH": 2, "BATCH_TO_SPACE_ND": 4, "SPACE_TO_BATCH_ND": 4,
           "REVERSE_V2": 3, "MIRROR_PAD": 3}
    makers = {
        "DEPTH_TO_SPACE": lambda: depth_to_space_case("int8", [1, 1, 1, 4], 2, rng),
        "SPACE_TO_DEPTH": lambda: space_to_depth_case("int8", [1, 2, 2, 1], 2, rng),
        "BATCH_TO_SPACE_ND": lambda: batch_to_space_case("int16", [4, 1, 1], [2], [[0, 0]], rng),
        "SPACE_TO_BATCH_ND": lambda: space_to_batch_case("int16", [1, 2, 1], [2], [[0, 0]], rng),
        "REVERSE_V2": lambda: reverse_case("int8", [3], [0], rng),
        "MIRROR_PAD": lambda: mirror_pad_case("int16", [3], [[1, 1]], "REFLECT", rng),
    }
    models, wants = [], []
    for op, v in top.items():
        for version, want in ((v, "accepted"), (v + 1, "NotImplementedError")):
            models.append(_with_version(makers[op]().model, version))
            wants.append(want)
    got = load_each(target, models, invoke=True)
    for g, want in zip(got, wants):
        assert g == want or g.startswith(want + ":"), (g, want)


def _with_version(model, version):
    m = unpack_model(model)
    m.operatorCodes[0].version = version
    return pack_model(m)
