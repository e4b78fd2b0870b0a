"""SHAPE, FILL, ZEROS_LIKE, BROADCAST_ARGS, BROADCAST_TO (the SHAPE family)
and GATHER_ND, EMBEDDING_LOOKUP, DYNAMIC_UPDATE_SLICE (the INDEX family).

Cases the oracle (the tflite_micro wheel) runs are compared with it,
bit-exact, floats included (data movement, and EMBEDDING_LOOKUP's hybrid
path is one float multiply per value). What the oracle accepts was measured
with tools/probe_shape_index.py. Cases TFLM refuses but our runtime runs are
compared with numpy references written from TFLite's semantics: SHAPE with
an int64 output; FILL, ZEROS_LIKE, GATHER_ND, EMBEDDING_LOOKUP and
DYNAMIC_UPDATE_SLICE on more element types; int16/int64 GATHER_ND indices;
rank 6; FILL dims and BROADCAST_TO shapes computed at run time (TFLM wants
them constant; here they must then equal the model's output shape, checked
by invoke).
"""
import numpy as np

from harness import assert_all_match, check_cases, run_many, run_raw
from test_ops_shape import C, T, build
from tflite_builder import ModelBuilder, np_dtype

ALL_TYPES = ("float32", "int8", "uint8", "int16", "int32", "int64", "bool")


def rand(shape, dtype, rng):
    shape = tuple(shape)
    if dtype == "float32":
        x = rng.uniform(-2.0, 2.0, size=shape).astype(np.float32)
        flat = x.reshape(-1)
        specials = np.array([np.nan, np.inf, -np.inf, -0.0, 3.4e38], np.float32)
        flat[:min(flat.size, len(specials))] = specials[:flat.size]  # bit patterns move unchanged
        return x
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    info = np.iinfo(np_dtype(dtype))
    return rng.integers(info.min, info.max, size=shape, endpoint=True).astype(np_dtype(dtype))


# ---------------------------------------------------------------------------
# Case builders (ref=True: compare with numpy instead of the oracle)


class Case:
    """A one-op model and its input sets. Each operand is a constant or a
    graph input with a value per input set; with ref, `wants` holds numpy's
    outputs per set, computed from every operand's value (else the oracle's
    outputs are the reference)."""

    def __init__(self, n_sets=1):
        self.b, self.n = ModelBuilder(), n_sets
        self.ins, self.values, self.is_input = [], [], []

    def operand(self, values, dtype, as_input=True, q=None):
        """`values`: one per input set, or one for all (a constant keeps the first)."""
        values = [np.asarray(v, np_dtype(dtype)) for v in values]
        values = values * self.n if len(values) == 1 else values
        t = T(self.b, values[0].shape, dtype, q) if as_input else C(self.b, values[0], dtype, q)
        if as_input:
            self.ins.append(t)
        self.values.append(values if as_input else [values[0]] * self.n)
        self.is_input.append(as_input)
        return t

    def done(self, cid, op, operands, out, ref=None, **op_args):
        """Adds the op; `ref` maps the operands' values of a set to the outputs."""
        self.b.op(op, operands, [out], **op_args)
        self.id, self.model = cid, build(self.b, self.ins, [out])
        sets = [[v[k] for v in self.values] for k in range(self.n)]
        self.batches = [[x for x, inp in zip(vals, self.is_input) if inp] for vals in sets]
        self.wants = [[np.asarray(w) for w in ref(*vals)] for vals in sets] if ref else None
        return self


def shape_case(dtype, shape, out_dtype, rng, ref=False):
    c = Case()
    x = c.operand([rand(shape, dtype, rng)], dtype)
    return c.done(f"shape-{dtype}{list(shape)}->{out_dtype}", "SHAPE", [x], c.b.tensor([len(shape)], out_dtype),
                  ref and (lambda x: [np.array(shape, out_dtype)]), options=dict(out_type=out_dtype))


FILL_EDGES = {
    "float32": [1.5, np.nan, -np.inf, -0.0],
    "int8": [-128, 127, 0],
    "uint8": [0, 255],
    "int16": [-32768, 32767],
    "int32": [-2**31, 2**31 - 1, 7],
    "int64": [-2**63, 2**63 - 1],
    "bool": [True, False],
}


def fill_version(dtype):
    return 3 if dtype in ("int8", "int16") else 2 if dtype == "bool" else 1


def fill_case(dtype, shape, dims_dtype, rng, value_input=False, dims_input=False, ref=False):
    values = FILL_EDGES[dtype] if value_input else FILL_EDGES[dtype][:1]
    c = Case(len(values))
    dims = c.operand([np.array(shape, dims_dtype).reshape(len(shape))], dims_dtype, dims_input)
    v = c.operand(values, dtype, value_input)
    cid = f"fill-{dtype}{list(shape)}-dims-{dims_dtype}{'-in' if dims_input else ''}{'-vin' if value_input else ''}"
    return c.done(cid, "FILL", [dims, v], T(c.b, shape, dtype), ref and (lambda d, v: [np.full(shape, v)]),
                  version=fill_version(dtype))


def zeros_like_case(dtype, shape, rng, ref=False):
    c = Case()
    x = c.operand([rand(shape, dtype, rng)], dtype)
    return c.done(f"zeros_like-{dtype}{list(shape)}", "ZEROS_LIKE", [x], T(c.b, shape, dtype),
                  ref and (lambda x: [np.zeros_like(x)]))


def np_broadcast_args(a, b):
    n = max(len(a), len(b))
    a = [1] * (n - len(a)) + list(a)
    b = [1] * (n - len(b)) + list(b)
    return np.array([y if x == 1 else x for x, y in zip(a, b)], np.int64)


def broadcast_args_case(dtype, pairs, const=False, ref=False):
    """`pairs`: (shape 1, shape 2) value lists, all of the same two lengths."""
    c = Case(len(pairs))
    s1 = c.operand([np.array(p, dtype).reshape(len(p)) for p, _ in pairs], dtype, not const)
    s2 = c.operand([np.array(q, dtype).reshape(len(q)) for _, q in pairs], dtype, not const)
    n = max(len(pairs[0][0]), len(pairs[0][1]))
    return c.done(f"broadcast_args-{dtype}-{pairs[0]}{'-const' if const else ''}", "BROADCAST_ARGS", [s1, s2],
                  c.b.tensor([n], dtype), ref and (lambda a, b: [np_broadcast_args(a, b).astype(dtype)]))


def broadcast_to_case(dtype, ishape, oshape, shape_dtype, rng, shape_input=False, ref=False):
    c = Case()
    x = c.operand([rand(ishape, dtype, rng)], dtype)
    s = c.operand([np.array(oshape, shape_dtype).reshape(len(oshape))], shape_dtype, shape_input)
    cid = f"broadcast_to-{dtype}{list(ishape)}->{list(oshape)}-{shape_dtype}{'-in' if shape_input else ''}"
    return c.done(cid, "BROADCAST_TO", [x, s], T(c.b, oshape, dtype),
                  ref and (lambda x, s: [np.broadcast_to(x, oshape)]), version=3 if dtype in ("int8", "int16") else 2)


def np_gather_nd(params, idx):
    nd = idx.shape[-1]
    parts = [params[tuple(row)] for row in idx.reshape(-1, nd).astype(np.int64)]
    return np.array(parts, params.dtype).reshape(idx.shape[:-1] + params.shape[nd:])


def gather_nd_version(dtype, idx_dtype):
    return 5 if dtype == "bool" else 4 if idx_dtype == "int16" else 3 if dtype == "int16" else 1


def gather_nd_case(dtype, pshape, ishape, idx_dtype, rng, const_idx=False, ref=False, n_sets=2):
    nd = ishape[-1]

    def gen_idx():
        cols = [rng.integers(0, pshape[j], size=ishape[:-1] + [1]) for j in range(nd)]
        return np.concatenate(cols, axis=-1) if cols else np.zeros(ishape, np.int64)

    c = Case(n_sets)
    p = c.operand([rand(pshape, dtype, rng) for _ in range(n_sets)], dtype)
    i = c.operand([gen_idx() for _ in range(n_sets)], idx_dtype, not const_idx)
    oshape = list(ishape[:-1]) + list(pshape[nd:])
    cid = f"gather_nd-{dtype}{list(pshape)}-{idx_dtype}{list(ishape)}{'-const' if const_idx else ''}"
    return c.done(cid, "GATHER_ND", [p, i], T(c.b, oshape, dtype), ref and (lambda p, i: [np_gather_nd(p, i)]),
                  version=gather_nd_version(dtype, idx_dtype))


def embedding_case(vdtype, odtype, vshape, n_ids, rng, q=None, values_input=False, ref=False, n_sets=2):
    hybrid = vdtype == "int8" and odtype == "float32"
    qv = q or ((0.03125, 0) if hybrid else None)
    c = Case(n_sets)
    ids = c.operand([rng.integers(0, vshape[0], size=n_ids) for _ in range(n_sets)], "int32")
    v = c.operand([rand(vshape, vdtype, rng) for _ in range(n_sets)], vdtype, values_input, qv)

    def r(ids, v):
        return [v[ids].astype(np.float32) * np.float32(qv[0])] if hybrid else [v[ids]]

    return c.done(f"embedding_lookup-{vdtype}->{odtype}{list(vshape)}x{n_ids}{'-vin' if values_input else ''}",
                  "EMBEDDING_LOOKUP", [ids, v], T(c.b, [n_ids] + list(vshape[1:]), odtype), ref and r)


def np_dus(x, u, start):
    out = x.copy()
    sl = []
    for d in range(x.ndim):
        s = int(min(max(int(start[d]), 0), x.shape[d] - u.shape[d]))
        sl.append(slice(s, s + u.shape[d]))
    out[tuple(sl)] = u
    return out


def dus_case(dtype, oshape, ushape, starts, start_dtype, rng, start_input=True, ref=False):
    """`starts`: one start vector per input set (only the first when constant)."""
    starts = starts if start_input else starts[:1]
    c = Case(len(starts))
    x = c.operand([rand(oshape, dtype, rng) for _ in starts], dtype)
    u = c.operand([rand(ushape, dtype, rng) for _ in starts], dtype)
    s = c.operand([np.array(st, start_dtype).reshape(len(oshape)) for st in starts], start_dtype, start_input)
    return c.done(f"dus-{dtype}{list(oshape)}<-{list(ushape)}-{start_dtype}{'' if start_input else '-const'}",
                  "DYNAMIC_UPDATE_SLICE", [x, u, s], T(c.b, oshape, dtype), ref and (lambda *a: [np_dus(*a)]),
                  version=2 if start_dtype == "int64" else 1)


# ---------------------------------------------------------------------------
# Sweeps

SHAPES = [[], [5], [2, 3], [2, 1, 3], [1, 2, 3, 4], [2, 1, 2, 1, 3]]


def oracle_cases(sweep):
    """Cases within what TFLM itself runs."""
    rng = np.random.default_rng(4321)
    cs = []
    for dt in ("float32", "int8", "int16", "int32", "bool"):
        cs.append(shape_case(dt, [2, 3, 4], "int32", rng))
    for shape in SHAPES:
        cs.append(shape_case("float32", shape, "int32", rng))

    for dt in ("float32", "int8", "int32"):
        cs.append(fill_case(dt, [2, 3], "int32", rng, value_input=True))
        cs.append(fill_case(dt, [1, 2, 3, 4], "int64", rng))
    for dd in ("int8", "int16"):
        cs.append(fill_case("float32", [3, 2], dd, rng))
    for shape in SHAPES[1:]:
        cs.append(fill_case("int8", shape, "int32", rng))

    for dt in ("float32", "int8", "int32", "int64"):
        cs.append(zeros_like_case(dt, [2, 3, 4], rng))
    for shape in SHAPES:
        cs.append(zeros_like_case("float32", shape, rng))

    for dt in ("int32", "int64"):
        cs.append(broadcast_args_case(dt, [([3, 1], [2, 1, 4]), ([1, 5], [7, 3, 5]), ([0, 1], [5, 1, 6])]))
        cs.append(broadcast_args_case(dt, [([2, 1, 4, 1], [4, 1]), ([1, 1, 1, 1], [7, 9])]))
        cs.append(broadcast_args_case(dt, [([6], [6])], const=True))
    cs.append(broadcast_args_case("int32", [([], [2, 3]), ([], [1, 1])]))
    cs.append(broadcast_args_case("int32", [([1, 2, 1, 4, 1], [3, 1, 5, 1, 6])]))

    for dt in ALL_TYPES:
        cs.append(broadcast_to_case(dt, [1, 3], [2, 3], "int32", rng))
        cs.append(broadcast_to_case(dt, [4, 1], [2, 3, 4, 5], "int64", rng))
    bt = [([], [3, 2]), ([3], [3]), ([3], [2, 3]), ([2, 1, 3], [2, 4, 3]), ([1, 1], [5, 7]),
          ([2, 1, 1, 3], [2, 4, 5, 3]), ([1, 2, 1, 3, 1], [2, 2, 3, 3, 4]), ([1, 1, 1, 1, 1], [2, 3, 1, 2, 2])]
    for ishape, oshape in bt:
        cs.append(broadcast_to_case("int8", ishape, oshape, "int32", rng))

    for dt in ("float32", "int8"):
        cs.append(gather_nd_case(dt, [3, 2], [2, 1], "int32", rng))
        cs.append(gather_nd_case(dt, [3, 2], [2, 2], "int32", rng))
        cs.append(gather_nd_case(dt, [4, 3, 5], [2, 3, 2], "int32", rng, const_idx=True))
    gn = [([5], [3, 1]), ([5], [1]), ([3, 4], [2]), ([3, 4], [2, 0]), ([2, 3, 4], [4, 1]),
          ([2, 3, 4], [2, 2, 3]), ([2, 3, 2, 4], [3, 2]), ([2, 3, 2, 2, 3], [2, 5]), ([2, 3, 2, 2, 3], [2, 2, 2, 3])]
    for pshape, ishape in gn:
        cs.append(gather_nd_case("float32", pshape, ishape, "int32", rng))

    for vshape, n in (([4, 3], 2), ([5, 2, 3], 4), ([3, 1], 5), ([6, 2, 2, 2], 3)):
        cs.append(embedding_case("float32", "float32", vshape, n, rng))
        cs.append(embedding_case("int8", "float32", vshape, n, rng))
    cs.append(embedding_case("int8", "int8", [4, 5], 3, rng))
    cs.append(embedding_case("float32", "float32", [4, 5], 3, rng, values_input=True))
    cs.append(embedding_case("int8", "float32", [4, 5], 3, rng, q=(0.7312, 0), values_input=True))
    cs.append(embedding_case("int8", "float32", [5, 4], 6, rng, q=(1.3e-5, 0)))

    starts = [[0, 0], [1, 1], [-5, 9], [2, -1], [2**31 - 1, -2**31]]
    for dt in ("float32", "int8", "int16", "int32"):
        for sd in ("int32", "int64"):
            cs.append(dus_case(dt, [3, 4], [2, 2], starts, sd, rng))
    cs.append(dus_case("float32", [3, 4], [3, 4], [[1, 1]], "int32", rng))
    cs.append(dus_case("int8", [3, 4], [3, 2], [[0, 1], [5, 5]], "int32", rng))
    cs.append(dus_case("int8", [5], [2], [[3], [4], [-1]], "int64", rng))
    cs.append(dus_case("float32", [2, 3, 4], [1, 3, 4], [[1, 2, 3], [0, 0, 0]], "int32", rng, start_input=False))
    cs.append(dus_case("int32", [2, 3, 4, 5], [1, 2, 4, 3], [[1, 1, 0, 2], [0, 5, 0, -3]], "int32", rng))
    cs.append(dus_case("int16", [2, 3, 2, 4, 3], [2, 1, 2, 2, 3], [[0, 2, 0, 1, 0], [9, 9, 9, 9, 9]], "int64", rng))
    cs.append(dus_case("int8", [2, 3, 1, 2, 2, 3], [1, 2, 1, 2, 1, 2], [[1, 1, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0]],
                       "int32", rng))
    cs.append(dus_case("float32", [3, 4], [0, 2], [[1, 1]], "int32", rng))

    if sweep == "full":
        rng = np.random.default_rng(99)
        for _ in range(30):
            rank = int(rng.integers(1, 6))
            oshape = [int(v) for v in rng.integers(1, 4, size=rank)]
            ishape = [d if rng.random() < 0.5 else 1 for d in oshape][int(rng.integers(0, rank + 1)):]
            cs.append(broadcast_to_case(str(rng.choice(ALL_TYPES)), ishape, oshape, "int32", rng))
            pshape = [int(v) for v in rng.integers(1, 4, size=rank)]
            outer = [int(v) for v in rng.integers(1, 3, size=int(rng.integers(0, 3)))]
            ishape = outer + [int(rng.integers(0, rank + 1))]
            cs.append(gather_nd_case(str(rng.choice(["float32", "int8"])), pshape, ishape, "int32", rng))
            ushape = [int(rng.integers(0, d + 1)) for d in oshape]
            st = [[int(v) for v in rng.integers(-3, 5, size=rank)] for _ in range(3)]
            cs.append(dus_case(str(rng.choice(["float32", "int8", "int16", "int32"])), oshape, ushape, st,
                               str(rng.choice(["int32", "int64"])), rng))
    return cs


def numpy_cases(sweep):
    """Cases beyond what TFLM runs (it refuses them)."""
    rng = np.random.default_rng(8765)
    cs = []
    for shape in ([], [3], [2, 3, 4, 1, 2, 3]):
        cs.append(shape_case("int16", shape, "int64", rng, ref=True))
    cs.append(shape_case("float32", [1, 2, 1, 2, 1, 2], "int32", rng, ref=True))

    for dt in ("uint8", "int16", "int64", "bool"):
        cs.append(fill_case(dt, [2, 3], "int32", rng, value_input=True, ref=True))
    cs.append(fill_case("float32", [2, 3], "int32", rng, value_input=True, dims_input=True, ref=True))
    cs.append(fill_case("int8", [4, 1, 2], "int64", rng, dims_input=True, ref=True))
    cs.append(fill_case("int16", [2, 1, 2, 1, 2, 3], "int32", rng, ref=True))
    # A scalar: the dims vector is empty, which TFLM takes for non-constant.
    cs.append(fill_case("int8", [], "int32", rng, ref=True))

    for dt in ("uint8", "int16", "bool"):
        cs.append(zeros_like_case(dt, [2, 3], rng, ref=True))
    cs.append(zeros_like_case("int64", [1, 2, 1, 2, 1, 3], rng, ref=True))

    cs.append(broadcast_args_case("int64", [([2**40, 1], [1, 3]), ([1, 1], [2**40, 7])], ref=True))
    cs.append(broadcast_to_case("float32", [1, 3], [2, 3], "int32", rng, shape_input=True, ref=True))
    cs.append(broadcast_to_case("int8", [2, 1, 3], [4, 2, 5, 3], "int64", rng, shape_input=True, ref=True))
    cs.append(broadcast_to_case("int16", [2, 1, 1, 3, 1, 2], [2, 3, 2, 3, 2, 2], "int32", rng, ref=True))
    cs.append(broadcast_to_case("bool", [1], [2, 1, 3, 1, 2, 2], "int64", rng, ref=True))
    # An empty output (TFLM takes a tensor with a 0 dim for a dynamic one).
    cs.append(broadcast_to_case("int8", [3, 1], [0, 3, 4], "int32", rng, ref=True))

    for dt in ("uint8", "int16", "int32", "int64", "bool"):
        cs.append(gather_nd_case(dt, [3, 4, 2], [2, 2], "int32", rng, ref=True))
    for it in ("int16", "int64"):
        cs.append(gather_nd_case("float32", [3, 4, 2], [5, 3], it, rng, ref=True))
        cs.append(gather_nd_case("int8", [3, 4], [2, 1], it, rng, const_idx=True, ref=True))
    cs.append(gather_nd_case("int8", [2, 2, 2, 2, 2, 3], [3, 6], "int32", rng, ref=True))
    cs.append(gather_nd_case("int16", [2, 3, 2, 2, 2, 3], [2, 2, 2], "int32", rng, ref=True))

    for vt in ("uint8", "int16", "int32", "int64", "bool"):
        cs.append(embedding_case(vt, vt, [4, 3], 5, rng, ref=True))
    cs.append(embedding_case("float32", "float32", [3, 2, 1, 2, 1, 2], 2, rng, ref=True))

    for dt in ("uint8", "int64", "bool"):
        cs.append(dus_case(dt, [3, 4], [2, 3], [[1, 2], [-1, 0]], "int32", rng, ref=True))
    cs.append(dus_case("float32", [2, 2, 2, 3, 2, 2], [1, 2, 1, 2, 2, 1], [[1, 0, 1, 1, 0, 1], [0, 0, 0, 9, 0, 0]],
                       "int64", rng, ref=True))
    if sweep == "full":
        rng = np.random.default_rng(5)
        for _ in range(20):
            rank = int(rng.integers(1, 7))
            oshape = [int(v) for v in rng.integers(1, 4, size=rank)]
            ushape = [int(rng.integers(0, d + 1)) for d in oshape]
            st = [[int(v) for v in rng.integers(-3, 5, size=rank)] for _ in range(2)]
            cs.append(dus_case(str(rng.choice(ALL_TYPES)), oshape, ushape, st, "int32", rng, ref=True))
            ishape = [d if rng.random() < 0.5 else 1 for d in oshape]
            cs.append(broadcast_to_case(str(rng.choice(ALL_TYPES)), ishape, oshape, "int64", rng,
                                        shape_input=bool(rng.integers(0, 2)), ref=True))
    return cs


def test_shape_index_ops_match_oracle(target, sweep):
    cases = oracle_cases(sweep)
    check_cases(target, [(c.model, c.batches) for c in cases], float_tol=0, ids=[c.id for c in cases])


def test_shape_index_ops_beyond_tflm_match_numpy(target, sweep):
    cases = numpy_cases(sweep)
    specs = [[(w.dtype, w.shape) for w in c.wants[0]] for c in cases]
    got = run_many(target, [(c.model, c.batches) for c in cases], specs=specs)
    assert_all_match([c.id for c in cases], got, [c.wants for c in cases])


# ---------------------------------------------------------------------------
# Data-dependent errors: ValueError from invoke, the interpreter still usable


def runtime_models():
    """(name, model, [(inputs, expected: "ValueError" or the output array)])."""
    out = []
    P = np.arange(6, dtype=np.float32).reshape(3, 2)

    b = ModelBuilder()
    p, i, y = b.tensor([3, 2]), b.tensor([1, 2], "int32"), b.tensor([1])
    b.op("GATHER_ND", [p, i], [y])
    m = build(b, [p, i], [y])
    # [0, 3] and [1, -1] fall inside params' flat range, where TFLM reads
    # element 3 and 1; each index is checked against its own dim here.
    bad = [[3, 0], [-1, 0], [0, 3], [1, -1], [0, 2**31 - 1]]
    out.append(("gather_nd", m, [([P, np.array([v], np.int32)], "ValueError") for v in bad]
                + [([P, np.array([[2, 1]], np.int32)], np.array([5.0], np.float32))]))

    b = ModelBuilder()
    p, i, y = b.tensor([3, 2], "int8"), b.tensor([2, 1], "int64"), b.tensor([2, 2], "int8")
    b.op("GATHER_ND", [p, i], [y])
    m = build(b, [p, i], [y])
    P8 = np.arange(6, dtype=np.int8).reshape(3, 2)
    out.append(("gather_nd-int64", m, [([P8, np.array([[0], [2**40]], np.int64)], "ValueError"),
                                       ([P8, np.array([[2], [0]], np.int64)], P8[[2, 0]])]))

    b = ModelBuilder()
    ids = b.tensor([3], "int32")
    v = b.const(np.arange(8, dtype=np.float32).reshape(4, 2))
    y = b.tensor([3, 2])
    b.op("EMBEDDING_LOOKUP", [ids, v], [y])
    m = build(b, [ids], [y])
    out.append(("embedding_lookup", m, [([np.array(k, np.int32)], "ValueError")
                                        for k in ([0, 4, 1], [-1, 0, 0], [3, 3, -2**31])]
                + [([np.array([3, 0, 2], np.int32)], np.array([[6, 7], [0, 1], [4, 5]], np.float32))]))

    b = ModelBuilder()
    d, y = b.tensor([2], "int32"), b.tensor([2, 3], "int8", scale=0.1, zero_point=0)
    v = b.const(np.array(-7, np.int8), scale=0.1, zero_point=0)
    b.op("FILL", [d, v], [y], version=3)
    m = build(b, [d], [y])
    out.append(("fill-dims", m, [([np.array(s, np.int32)], "ValueError") for s in ([3, 2], [-2, 3], [2, 4])]
                + [([np.array([2, 3], np.int32)], np.full((2, 3), -7, np.int8))]))

    b = ModelBuilder()
    x, s, y = b.tensor([1, 3]), b.tensor([2], "int64"), b.tensor([2, 3])
    b.op("BROADCAST_TO", [x, s], [y], version=2)
    m = build(b, [x, s], [y])
    row = np.array([[1, 2, 3]], np.float32)
    out.append(("broadcast_to-shape", m, [([row, np.array(s, np.int64)], "ValueError")
                                          for s in ([3, 3], [2, 1], [2**32 + 2, 3])]
                + [([row, np.array([2, 3], np.int64)], np.repeat(row, 2, axis=0))]))

    b = ModelBuilder()
    s1, s2, y = b.tensor([2], "int32"), b.tensor([2], "int32"), b.tensor([2], "int32")
    b.op("BROADCAST_ARGS", [s1, s2], [y])
    m = build(b, [s1, s2], [y])
    # TFLM aborts the process on shapes that do not broadcast.
    out.append(("broadcast_args", m, [([np.array([2, 3], np.int32), np.array([4, 3], np.int32)], "ValueError"),
                                      ([np.array([0, 3], np.int32), np.array([2, 1], np.int32)], "ValueError"),
                                      ([np.array([1, 3], np.int32), np.array([4, 1], np.int32)],
                                       np.array([4, 3], np.int32))]))
    return out


def test_shape_index_runtime_errors(target):
    models = runtime_models()
    got = run_raw(target, [(m, [ins for ins, _ in sets]) for _, m, sets in models])
    problems = []
    for (name, _, sets), g in zip(models, got):
        if isinstance(g, str):
            problems.append(f"{name}: refused at load: {g}")
            continue
        for k, ((ins, want), r) in enumerate(zip(sets, g)):
            if isinstance(want, str):
                if not (isinstance(r, str) and r.startswith(want + ":")):
                    problems.append(f"{name} set {k}: expected {want}, got {r}")
            elif isinstance(r, str) or r[0] != want.tobytes():
                problems.append(f"{name} set {k}: expected {want.tolist()}, got {r}")
    assert not problems, "\n".join(problems)
