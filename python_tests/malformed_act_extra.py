"""Bad and unsupported ELU, int16 LOGISTIC/TANH and int16 LEAKY_RELU models
(class act_extra of the malformed corpus, see malformed.py)."""
from tflite_builder import ModelBuilder

V, N = "ValueError", "NotImplementedError"
OUT16 = (2.0 ** -15, 0)


def _model(op, dtype, in_q=None, out_q=None, shape=(8,), out_shape=None, out_dtype=None, options=None, version=1):
    b = ModelBuilder()
    x = b.tensor(shape, dtype, **({} if in_q is None else dict(scale=in_q[0], zero_point=in_q[1])))
    y = b.tensor(out_shape or shape, out_dtype or dtype,
                 **({} if out_q is None else dict(scale=out_q[0], zero_point=out_q[1])))
    b.op(op, [x], [y], options=options, version=version)
    b.inputs([x])
    b.outputs([y])
    return b.build()


def cases(seed=None):
    q8 = (0.05, 0)
    c = [
        # ELU
        ("elu_int8_no_quant", _model("ELU", "int8"), V),
        ("elu_int8_output_no_quant", _model("ELU", "int8", q8), V),
        ("elu_int16", _model("ELU", "int16", (0.001, 0), (0.001, 0)), N),
        ("elu_uint8", _model("ELU", "uint8", (0.05, 128), (0.05, 128)), N),
        ("elu_int32", _model("ELU", "int32"), N),
        ("elu_shape", _model("ELU", "float32", out_shape=(4, 2)), V),
        ("elu_type_mismatch", _model("ELU", "int8", q8, (0.001, 0), out_dtype="int16"), V),
        ("elu_version_2", _model("ELU", "float32", version=2), N),
        # int16 LOGISTIC / TANH: zero points 0 and output scale 2^-15 required
        ("logistic_int16_input_zp", _model("LOGISTIC", "int16", (2.0 ** -12, 3), OUT16, version=3), V),
        ("logistic_int16_output_zp", _model("LOGISTIC", "int16", (2.0 ** -12, 0), (2.0 ** -15, -1), version=3), V),
        ("logistic_int16_output_scale", _model("LOGISTIC", "int16", (2.0 ** -12, 0), (2.0 ** -14, 0), version=3), V),
        ("tanh_int16_output_scale", _model("TANH", "int16", (2.0 ** -12, 0), (1 / 30000, 0), version=3), V),
        ("tanh_int16_input_zp", _model("TANH", "int16", (0.001, -5), OUT16, version=3), V),
        ("tanh_int16_no_quant", _model("TANH", "int16", None, OUT16, version=3), V),
        ("logistic_int16_output_no_quant", _model("LOGISTIC", "int16", (2.0 ** -12, 0), None, version=3), V),
        ("logistic_int16_to_int8", _model("LOGISTIC", "int16", (2.0 ** -12, 0), (1 / 256, -128), out_dtype="int8",
                                          version=3), V),
        # Input scales TFLM's 16-bit rescaling cannot take (its int32 product
        # overflows, or the multiplier rounds to zero).
        ("logistic_int16_huge_input_scale", _model("LOGISTIC", "int16", (6.0, 0), OUT16, version=3), N),
        ("tanh_int16_tiny_input_scale", _model("TANH", "int16", (1e-20, 0), OUT16, version=3), N),
        ("tanh_int16_version_4", _model("TANH", "int16", (2.0 ** -12, 0), OUT16, version=4), N),
        # int16 LEAKY_RELU
        ("leaky_relu_int16_no_quant", _model("LEAKY_RELU", "int16", options=dict(alpha=0.2), version=2), V),
        ("leaky_relu_int16_nan_alpha", _model("LEAKY_RELU", "int16", (0.001, 0), (0.001, 0),
                                              options=dict(alpha=float("nan")), version=2), V),
    ]
    return [("act_extra/" + name, model, want) for name, model, want in c]
