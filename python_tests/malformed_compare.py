"""Malformed and unsupported models of the COMPARE family (comparisons,
LOGICAL_AND/OR/NOT, SELECT_V2) and of the ELEMENTWISE additions FLOOR_DIV,
FLOOR_MOD and ADD_N; also the one-op model builders test_ops_compare.py
uses.

Every case is refused when the model is loaded: ValueError for a model
that breaks the op's definition (shapes that do not broadcast, a non-bool
condition or output, differing input types), NotImplementedError for a
well-formed model TFLM does not run (an input type its kernel lacks, a
quantized scale TFLM's QuantizeMultiplierSmallerThanOneExp aborts on, a
version above the ones implemented).
"""
import numpy as np

from tflite_builder import ModelBuilder

VALUE = "ValueError"
UNSUPPORTED = "NotImplementedError"

COMPARISONS = ("EQUAL", "NOT_EQUAL", "GREATER", "GREATER_EQUAL", "LESS", "LESS_EQUAL")
QUANTIZED = ("int8", "int16")


def _tensor(b, shape, dtype, q):
    """An activation; q = (scale, zero_point) or None."""
    if q is None:
        return b.tensor(shape, dtype)
    return b.tensor(shape, dtype, scale=q[0], zero_point=q[1])


def op_version(op, dtype):
    """The version the converter gives (op_version.cc) for the types TFLM runs."""
    if op in COMPARISONS and dtype == "int8":
        return 2
    if op == "FLOOR_DIV" and dtype == "float32":
        return 2
    return 1


def binary_model(op, s1, s2, dtype, q1=None, q2=None, out_shape=None, out_dtype=None, in2_dtype=None,
                 qo=None, version=None):
    """One two-input op: a comparison (bool output by default), LOGICAL_AND /
    LOGICAL_OR, FLOOR_DIV or FLOOR_MOD."""
    b = ModelBuilder()
    x = _tensor(b, s1, dtype, q1)
    y = _tensor(b, s2, in2_dtype or dtype, q2)
    if out_shape is None:
        out_shape = np.broadcast_shapes(tuple(s1), tuple(s2))
    if out_dtype is None:
        out_dtype = "bool" if op in COMPARISONS else dtype
    z = _tensor(b, out_shape, out_dtype, qo)
    b.op(op, [x, y], [z], version=version or op_version(op, dtype))
    b.inputs([x, y])
    b.outputs([z])
    return b.build()


def logical_not_model(shape, dtype="bool", out_shape=None, out_dtype="bool"):
    b = ModelBuilder()
    x = b.tensor(shape, dtype)
    z = b.tensor(shape if out_shape is None else out_shape, out_dtype)
    b.op("LOGICAL_NOT", [x], [z])
    b.inputs([x])
    b.outputs([z])
    return b.build()


def select_model(sc, sx, sy, dtype, q=None, out_shape=None, cond_dtype="bool", y_dtype=None, out_dtype=None,
                 qs=None, n_inputs=3):
    """SELECT_V2(condition, x, y); qs = (qx, qy, qo) overrides q for each."""
    b = ModelBuilder()
    qx, qy, qo = qs or (q, q, q)
    c = b.tensor(sc, cond_dtype)
    x = _tensor(b, sx, dtype, qx)
    y = _tensor(b, sy, y_dtype or dtype, qy)
    if out_shape is None:
        out_shape = np.broadcast_shapes(tuple(sc), tuple(sx), tuple(sy))
    z = _tensor(b, out_shape, out_dtype or dtype, qo)
    ins = [c, x, y][:n_inputs]
    b.op("SELECT_V2", ins, [z])
    b.inputs(ins)
    b.outputs([z])
    return b.build()


def add_n_model(shapes, dtype, qs=None, qo=None, out_shape=None, out_dtype=None, dtypes=None, omit=None):
    """ADD_N over inputs of `shapes`; qs: one (scale, zero_point) per input;
    `omit`: index of an input left out (-1 in the op's input list)."""
    b = ModelBuilder()
    ins = [_tensor(b, s, (dtypes or [dtype] * len(shapes))[i], qs[i] if qs else None)
           for i, s in enumerate(shapes)]
    z = _tensor(b, shapes[0] if out_shape is None else out_shape, out_dtype or dtype, qo)
    op_ins = [None if i == omit else t for i, t in enumerate(ins)]
    b.op("ADD_N", op_ins, [z])
    b.inputs([t for i, t in enumerate(ins) if i != omit])
    b.outputs([z])
    return b.build()


def cases(seed=None):
    q8 = (0.05, 3)
    q16 = (0.001, 0)
    c = [
        # Comparisons
        ("equal-not-broadcastable", binary_model("EQUAL", (2, 3), (4,), "float32", out_shape=(2, 3)), VALUE),
        ("greater-wrong-output-shape", binary_model("GREATER", (2, 3), (3,), "int32", out_shape=(3,)), VALUE),
        ("less-wrong-output-rank", binary_model("LESS", (2, 3), (3,), "float32", out_shape=(1, 2, 3)), VALUE),
        ("less-equal-float-output", binary_model("LESS_EQUAL", (4,), (4,), "float32", out_dtype="float32"),
         VALUE),
        ("not-equal-int8-output", binary_model("NOT_EQUAL", (4,), (4,), "int8", q8, q8, out_dtype="int8",
                                               qo=q8), VALUE),
        ("equal-input-types-differ", binary_model("EQUAL", (4,), (4,), "int32", in2_dtype="int64"), VALUE),
        ("greater-int8-int16", binary_model("GREATER", (4,), (4,), "int8", q8, q16, in2_dtype="int16"), VALUE),
        ("equal-int16", binary_model("EQUAL", (4,), (4,), "int16", q16, q16), UNSUPPORTED),
        ("less-int16", binary_model("LESS", (4,), (4,), "int16", q16, q16), UNSUPPORTED),
        ("greater-equal-uint8", binary_model("GREATER_EQUAL", (4,), (4,), "uint8", (0.05, 128), (0.05, 128)),
         UNSUPPORTED),
        ("greater-bool", binary_model("GREATER", (4,), (4,), "bool"), UNSUPPORTED),
        ("equal-float16", binary_model("EQUAL", (4,), (4,), "float16"), UNSUPPORTED),
        ("less-int8-no-quant", binary_model("LESS", (4,), (4,), "int8"), VALUE),
        ("equal-int8-scale-1", binary_model("EQUAL", (4,), (4,), "int8", (1.0, 0), q8), UNSUPPORTED),
        ("greater-int16-scale-2", binary_model("GREATER", (4,), (4,), "int16", q16, (2.0, 0)), UNSUPPORTED),
        # Rounds to a multiplier of 2^31: TFLM's shift comes out 1 and it aborts.
        ("equal-int8-scale-below-1", binary_model("EQUAL", (4,), (4,), "int8", (0.99999999, 0), q8),
         UNSUPPORTED),
        ("greater-int8-zero-point-range", binary_model("GREATER", (4,), (4,), "int8", q8, (0.05, 200)), VALUE),
        ("equal-int8-per-channel", binary_model("EQUAL", (2, 2), (2, 2), "int8", ([0.05, 0.1], [0, 0]), q8),
         UNSUPPORTED),
        ("equal-version-3", binary_model("EQUAL", (4,), (4,), "float32", version=3), UNSUPPORTED),
        ("less-version-3", binary_model("LESS", (4,), (4,), "int16", q16, q16, version=3), UNSUPPORTED),
        # Logical ops
        ("logical-and-int8", binary_model("LOGICAL_AND", (4,), (4,), "int8", q8, q8, out_dtype="bool"), VALUE),
        ("logical-or-float", binary_model("LOGICAL_OR", (4,), (4,), "float32", out_dtype="bool"), VALUE),
        ("logical-or-not-broadcastable", binary_model("LOGICAL_OR", (3,), (2, 2), "bool", out_shape=(2, 3)),
         VALUE),
        ("logical-and-output-int8", binary_model("LOGICAL_AND", (4,), (4,), "bool", out_dtype="int8", qo=q8),
         VALUE),
        ("logical-and-mixed", binary_model("LOGICAL_AND", (4,), (4,), "bool", in2_dtype="uint8"), VALUE),
        ("logical-not-float", logical_not_model((4,), "float32"), VALUE),
        ("logical-not-output-float", logical_not_model((4,), out_dtype="float32"), VALUE),
        ("logical-not-shape", logical_not_model((2, 3), out_shape=(3, 2)), VALUE),
        # SELECT_V2
        ("select-condition-float", select_model((4,), (4,), (4,), "float32", cond_dtype="float32"), VALUE),
        ("select-condition-int8", select_model((4,), (4,), (4,), "int8", q8, cond_dtype="int8"), VALUE),
        ("select-xy-types-differ", select_model((4,), (4,), (4,), "float32", y_dtype="int32"), VALUE),
        ("select-output-type", select_model((4,), (4,), (4,), "int8", q8, out_dtype="int16"), VALUE),
        ("select-int32", select_model((4,), (4,), (4,), "int32"), UNSUPPORTED),
        ("select-bool", select_model((4,), (4,), (4,), "bool"), UNSUPPORTED),
        ("select-not-broadcastable", select_model((3,), (2, 3), (2, 2), "float32", out_shape=(2, 3)), VALUE),
        ("select-condition-not-broadcastable", select_model((2,), (2, 3), (2, 3), "float32", out_shape=(2, 3)),
         VALUE),
        ("select-wrong-output", select_model((2, 1), (1, 3), (3,), "float32", out_shape=(2, 1)), VALUE),
        ("select-output-too-big", select_model((3,), (3,), (3,), "int16", q16, out_shape=(2, 3)), VALUE),
        ("select-two-inputs", select_model((4,), (4,), (4,), "float32", n_inputs=2), VALUE),
        # FLOOR_DIV / FLOOR_MOD
        ("floor-div-int32", binary_model("FLOOR_DIV", (4,), (4,), "int32"), UNSUPPORTED),
        ("floor-div-int8", binary_model("FLOOR_DIV", (4,), (4,), "int8", q8, q8, qo=q8), UNSUPPORTED),
        ("floor-mod-int32", binary_model("FLOOR_MOD", (4,), (4,), "int32"), UNSUPPORTED),
        ("floor-mod-types-differ", binary_model("FLOOR_MOD", (4,), (4,), "float32", in2_dtype="int32"), VALUE),
        ("floor-div-output-type", binary_model("FLOOR_DIV", (4,), (4,), "float32", out_dtype="int32"), VALUE),
        ("floor-div-not-broadcastable", binary_model("FLOOR_DIV", (2, 3), (2,), "float32", out_shape=(2, 3)),
         VALUE),
        ("floor-mod-wrong-output", binary_model("FLOOR_MOD", (2, 3), (3,), "float32", out_shape=(2, 1)), VALUE),
        ("floor-div-version-3", binary_model("FLOOR_DIV", (4,), (4,), "float32", version=3), UNSUPPORTED),
        ("floor-mod-version-2", binary_model("FLOOR_MOD", (4,), (4,), "float32", version=2), UNSUPPORTED),
        # ADD_N
        ("add-n-one-input", add_n_model([(4,)], "float32"), VALUE),
        ("add-n-shapes-differ", add_n_model([(4,), (2, 2)], "float32"), VALUE),
        ("add-n-types-differ", add_n_model([(4,), (4,), (4,)], "float32", dtypes=["float32", "float32", "int32"]),
         VALUE),
        ("add-n-output-type", add_n_model([(4,), (4,)], "float32", out_dtype="int32"), VALUE),
        ("add-n-output-shape", add_n_model([(4,), (4,)], "float32", out_shape=(5,)), VALUE),
        ("add-n-missing-input", add_n_model([(4,), (4,), (4,)], "float32", omit=1), VALUE),
        ("add-n-int32", add_n_model([(4,), (4,)], "int32"), UNSUPPORTED),
        ("add-n-int16", add_n_model([(4,), (4,)], "int16", qs=[q16, q16], qo=q16), UNSUPPORTED),
        ("add-n-int8-no-quant", add_n_model([(4,), (4,)], "int8"), VALUE),
        ("add-n-int8-scales-differ", add_n_model([(4,), (4,)], "int8", qs=[q8, (0.1, 3)], qo=q8), UNSUPPORTED),
        ("add-n-int8-zero-points-differ", add_n_model([(4,), (4,)], "int8", qs=[q8, (0.05, 4)], qo=q8),
         UNSUPPORTED),
        # 2 * 0.5 / (2^20 * 1e-7) > 1: no multiplier below 1 for the output.
        ("add-n-int8-output-scale-tiny", add_n_model([(4,), (4,)], "int8", qs=[(0.5, 0)] * 2, qo=(1e-7, 0)),
         UNSUPPORTED),
        ("add-n-version-2", None, UNSUPPORTED),
    ]
    out = []
    for name, model, want in c:
        if name == "add-n-version-2":
            b = ModelBuilder()
            x, y, z = b.tensor((4,)), b.tensor((4,)), b.tensor((4,))
            b.op("ADD_N", [x, y], [z], version=2)
            b.inputs([x, y])
            b.outputs([z])
            model = b.build()
        out.append(("compare/" + name, model, want))
    return out
