"""Malformed and unsupported one-op models of the UNARY family (ABS, CEIL,
COS, EXP, FLOOR, LOG, NEG, ROUND, RSQRT, SIN, SQRT, SQUARE), for
malformed.py: cases(seed=None) -> [(name, model bytes, exception name)].

ValueError: an output whose shape or type is not the input's, quantized ABS
or RSQRT without quantization parameters, int16 zero points other than 0,
scales that are zero, negative or NaN, wrong input or output counts.
NotImplementedError: types TFLM has no kernel for, per-channel quantized
activations, scale ratios so far apart that TFLM's shifts leave the word
size (nothing defined to match), versions above the converter's.
"""
from tflite_builder import ModelBuilder

VALUE = "ValueError"
UNSUPPORTED = "NotImplementedError"


def _model(op, dtype="float32", shape=(2, 3), in_q=None, out_q=None, version=1, out_dtype=None, out_shape=None,
           n_in=1, n_out=1, quantized_dim=0):
    b = ModelBuilder()

    def tensor(shp, dt, q):
        if q is None:
            return b.tensor(shp, dt)
        return b.tensor(shp, dt, scale=q[0], zero_point=q[1], quantized_dim=quantized_dim)

    xs = [tensor(shape, dtype, in_q) for _ in range(n_in)]
    ys = [tensor(out_shape if out_shape is not None else shape, out_dtype or dtype, out_q) for _ in range(n_out)]
    b.op(op, xs, ys, version=version)
    b.inputs(xs)
    b.outputs(ys)
    return b.build()


def cases(seed=None):
    q8 = (0.05, 3)
    q16 = (0.001, 0)
    c = [
        # Output shape and type
        ("abs-output-shape", _model("ABS", out_shape=(3, 2)), VALUE),
        ("sin-output-rank", _model("SIN", shape=(6,), out_shape=(1, 6)), VALUE),
        ("floor-output-smaller", _model("FLOOR", shape=(4, 4), out_shape=(4, 3)), VALUE),
        ("exp-output-scalar", _model("EXP", shape=(1,), out_shape=()), VALUE),
        ("rsqrt-int8-output-shape", _model("RSQRT", "int8", (8,), q8, q8, version=2, out_shape=(9,)), VALUE),
        ("neg-output-type", _model("NEG", out_dtype="int32"), VALUE),
        ("round-output-float16", _model("ROUND", out_dtype="float16"), VALUE),
        ("abs-int8-to-int16", _model("ABS", "int8", (4,), q8, q16, version=2, out_dtype="int16"), VALUE),
        # Quantization
        ("abs-int8-no-quant", _model("ABS", "int8", (4,), version=2), VALUE),
        ("abs-int8-output-no-quant", _model("ABS", "int8", (4,), q8, None, version=2), VALUE),
        ("rsqrt-int8-no-quant", _model("RSQRT", "int8", (4,), version=2), VALUE),
        ("rsqrt-int16-no-quant", _model("RSQRT", "int16", (4,), version=3), VALUE),
        ("abs-int16-output-no-quant", _model("ABS", "int16", (4,), q16, None, version=3), VALUE),
        ("abs-int16-zero-point", _model("ABS", "int16", (4,), (0.001, 5), q16, version=3), VALUE),
        ("rsqrt-int16-output-zero-point", _model("RSQRT", "int16", (4,), q16, (0.001, -2), version=3), VALUE),
        ("abs-int8-zero-scale", _model("ABS", "int8", (4,), (0.0, 0), q8, version=2), VALUE),
        ("abs-int8-negative-output-scale", _model("ABS", "int8", (4,), q8, (-0.05, 0), version=2), VALUE),
        ("rsqrt-int8-nan-scale", _model("RSQRT", "int8", (4,), (float("nan"), 0), q8, version=2), VALUE),
        ("rsqrt-int8-inf-scale", _model("RSQRT", "int8", (4,), q8, (float("inf"), 0), version=2), VALUE),
        ("rsqrt-int8-zp-out-of-range", _model("RSQRT", "int8", (4,), (0.05, 200), q8, version=2), VALUE),
        ("abs-int8-per-channel", _model("ABS", "int8", (1, 3), ([0.1, 0.2, 0.3], [0, 0, 0]), ([0.1, 0.2, 0.3], [0, 0, 0]),
                                        version=2, quantized_dim=1), UNSUPPORTED),
        # Rescale factors TFLM cannot apply (its shifts would pass 31 bits).
        ("rsqrt-int8-ratio-too-small", _model("RSQRT", "int8", (4,), (1.0, 0), (5000.0, 0), version=2), UNSUPPORTED),
        ("rsqrt-int16-ratio-too-small", _model("RSQRT", "int16", (4,), (1.0, 0), (1e6, 0), version=3), UNSUPPORTED),
        ("rsqrt-int8-ratio-too-large", _model("RSQRT", "int8", (4,), (1e-10, 0), (1e-10, 0), version=2), UNSUPPORTED),
        ("abs-int8-ratio-too-large", _model("ABS", "int8", (4,), (1.0, 0), (1e-9, 0), version=2), UNSUPPORTED),
        ("abs-int16-ratio-too-large", _model("ABS", "int16", (4,), (10.0, 0), (1e-9, 0), version=3), UNSUPPORTED),
        # Inputs and outputs
        ("sqrt-two-inputs", _model("SQRT", n_in=2), VALUE),
        ("cos-two-outputs", _model("COS", n_out=2), VALUE),
        ("abs-no-output", _model("ABS", n_out=0), VALUE),
        # Versions above the converter's for what is implemented
        ("abs-version-5", _model("ABS", "int32", version=5), UNSUPPORTED),
        ("rsqrt-version-4", _model("RSQRT", version=4), UNSUPPORTED),
        ("exp-version-2", _model("EXP", "int8", (4,), q8, q8, version=2), UNSUPPORTED),
        ("sin-version-2", _model("SIN", version=2), UNSUPPORTED),
    ]
    # Types TFLM has no kernel for (the oracle refuses each of them).
    for op, dtype, q, version in [
        ("ABS", "int32", None, 1), ("ABS", "uint8", (0.1, 128), 2), ("ABS", "int64", None, 1),
        ("RSQRT", "int32", None, 1), ("RSQRT", "uint8", (0.1, 0), 2), ("CEIL", "int8", q8, 1),
        ("COS", "int16", q16, 1), ("EXP", "int32", None, 1), ("FLOOR", "int16", None, 1), ("LOG", "int8", q8, 1),
        ("NEG", "int32", None, 1), ("NEG", "int8", q8, 1), ("NEG", "int64", None, 1), ("ROUND", "int32", None, 1),
        ("SIN", "bool", None, 1), ("SQRT", "int8", q8, 1), ("SQUARE", "int32", None, 1), ("SQUARE", "int8", q8, 1),
        ("SIN", "float16", None, 1), ("ABS", "float64", None, 1),
    ]:
        c.append((f"{op.lower()}-{dtype}", _model(op, dtype, (4,), q, q, version=version), UNSUPPORTED))
    return [("unary/" + name, model, exc) for name, model, exc in c]

