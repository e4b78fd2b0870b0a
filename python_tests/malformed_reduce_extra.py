"""Malformed and unsupported REDUCE_MIN, REDUCE_ALL, CUMSUM, L2_POOL_2D and
LOG_SOFTMAX models: refused at load with ValueError (malformed) or
NotImplementedError (well formed, not supported), never a crash.

Axes given at run time are checked at invoke (test_ops_reduce_extra.py,
test_runtime_axis_errors); none of these ops needs a constant axis.
"""
import numpy as np

from test_ops_reduce_extra import (LOG_SOFTMAX_OUT_Q, cumsum_model, l2_pool_model, log_softmax_model,
                                   reduce_model)
from tflite_builder import ModelBuilder

V = "ValueError"
U = "NotImplementedError"
Q8 = (0.05, 0)


def _per_channel_log_softmax():
    b = ModelBuilder()
    x = b.tensor((1, 2, 3), "int8", scale=[0.1, 0.2], zero_point=[0, 0], quantized_dim=1)
    y = b.tensor((1, 2, 3), "int8", scale=LOG_SOFTMAX_OUT_Q[0], zero_point=LOG_SOFTMAX_OUT_Q[1])
    b.op("LOG_SOFTMAX", [x], [y], version=2)
    b.inputs([x])
    b.outputs([y])
    return b.build()


def cases(seed=None):
    c = []

    def add(name, model, want):
        c.append(("reduce_extra/" + name, model, want))

    # REDUCE_MIN
    add("min-axis-out-of-range", reduce_model("REDUCE_MIN", (2, 3), [2], "float32", out_shape=(2, 3)), V)
    add("min-axis-negative-out-of-range", reduce_model("REDUCE_MIN", (2, 3), [1, -3], "float32", out_shape=(2,)), V)
    add("min-wrong-output", reduce_model("REDUCE_MIN", (2, 3, 4), [1], "float32", out_shape=(2, 3)), V)
    add("min-keep-wrong-output", reduce_model("REDUCE_MIN", (2, 3, 4), [1], "float32", keep=True,
                                              out_shape=(2, 4)), V)
    add("min-output-rank", reduce_model("REDUCE_MIN", (2, 3), [1], "float32", out_shape=(2, 1, 1)), V)
    add("min-output-type", reduce_model("REDUCE_MIN", (2, 3), [1], "float32", out_dtype="int32"), V)
    add("min-axes-float", reduce_model("REDUCE_MIN", (2, 3), [1], "float32", axes_dtype="float32"), V)
    add("min-axes-int64", reduce_model("REDUCE_MIN", (2, 3), [1], "float32", axes_dtype="int64"), U)
    add("min-int32", reduce_model("REDUCE_MIN", (2, 3), [1], "int32"), U)
    add("min-bool", reduce_model("REDUCE_MIN", (2, 3), [1], "bool"), U)
    add("min-int8-no-quant", reduce_model("REDUCE_MIN", (2, 3), [1], "int8"), V)
    add("min-int8-requantize", reduce_model("REDUCE_MIN", (2, 3), [1], "int8", q=(0.1, 0), qo=(0.2, 0)), U)
    add("min-int8-zero-point-differs", reduce_model("REDUCE_MIN", (2, 3), [1], "int8", q=(0.1, 0), qo=(0.1, 1)),
        U)
    add("min-version-4", reduce_model("REDUCE_MIN", (2, 3), [1], "float32", version=4), U)
    # REDUCE_ALL
    add("all-float", reduce_model("REDUCE_ALL", (2, 3), [1], "float32"), U)
    add("all-int8", reduce_model("REDUCE_ALL", (2, 3), [1], "int8", q=Q8, version=1), U)
    add("all-output-int8", reduce_model("REDUCE_ALL", (2, 3), [1], "bool", out_dtype="int8", qo=Q8), V)
    add("all-axis-out-of-range", reduce_model("REDUCE_ALL", (2, 3), [3], "bool", out_shape=(2,)), V)
    add("all-wrong-output", reduce_model("REDUCE_ALL", (2, 3), [1], "bool", out_shape=(3,)), V)
    add("all-version-2", reduce_model("REDUCE_ALL", (2, 3), [1], "bool", version=2), U)
    # CUMSUM
    add("cumsum-axis-out-of-range", cumsum_model((2, 3), 2, "float32"), V)
    add("cumsum-axis-negative-out-of-range", cumsum_model((2, 3), -3, "float32"), V)
    add("cumsum-axis-two-values", cumsum_model((2, 3), [0, 1], "float32"), V)
    add("cumsum-axis-empty", cumsum_model((2, 3), [], "float32"), V)
    add("cumsum-axis-int64", cumsum_model((2, 3), 1, "float32", axis_dtype="int64"), V)
    add("cumsum-axis-float", cumsum_model((2, 3), 1, "float32", axis_dtype="float32"), V)
    add("cumsum-scalar-input", cumsum_model((), 0, "float32"), V)
    add("cumsum-output-shape", cumsum_model((2, 3), 1, "float32", out_shape=(3, 2)), V)
    add("cumsum-output-type", cumsum_model((2, 3), 1, "float32", out_dtype="int32"), V)
    add("cumsum-int16", cumsum_model((2, 3), 1, "int16", q=(0.001, 0)), U)
    add("cumsum-bool", cumsum_model((2, 3), 1, "bool"), U)
    add("cumsum-int8-no-quant", cumsum_model((2, 3), 1, "int8"), V)
    # 2 * input scale / (2^20 * output scale) >= 1: TFLM's multiplier
    # helper is undefined there.
    add("cumsum-int8-output-scale-tiny", cumsum_model((2, 3), 1, "int8", q=(1.0, 0), qo=(1e-7, 0)), U)
    # L2_POOL_2D
    add("l2pool-int8", l2_pool_model((1, 4, 4, 1), (2, 2), (2, 2), "VALID", dtype="int8", q=Q8), U)
    add("l2pool-int16", l2_pool_model((1, 4, 4, 1), (2, 2), (2, 2), "VALID", dtype="int16", q=(0.001, 0)), U)
    add("l2pool-stride0", l2_pool_model((1, 4, 4, 1), (2, 2), (0, 1), "VALID", out_shape=(1, 2, 3, 1)), V)
    add("l2pool-stride-negative", l2_pool_model((1, 4, 4, 1), (2, 2), (2, -1), "VALID", out_shape=(1, 2, 3, 1)), V)
    add("l2pool-filter0", l2_pool_model((1, 4, 4, 1), (0, 2), (1, 1), "SAME"), V)
    add("l2pool-valid-window-too-large", l2_pool_model((1, 2, 2, 1), (3, 3), (1, 1), "VALID",
                                                       out_shape=(1, 1, 1, 1)), V)
    add("l2pool-wrong-output", l2_pool_model((1, 4, 4, 1), (2, 2), (2, 2), "VALID", out_shape=(1, 3, 3, 1)), V)
    add("l2pool-output-channels", l2_pool_model((1, 4, 4, 2), (2, 2), (2, 2), "VALID", out_shape=(1, 2, 2, 1)), V)
    add("l2pool-rank3", _l2_rank3(), V)
    add("l2pool-activation-tanh", l2_pool_model((1, 4, 4, 1), (2, 2), (2, 2), "VALID", act="TANH"), U)
    add("l2pool-version-2", l2_pool_model((1, 4, 4, 1), (2, 2), (2, 2), "VALID", version=2), U)
    # LOG_SOFTMAX
    add("log_softmax-int8-output-scale", log_softmax_model((2, 5), "int8", Q8, qo=(1 / 16 + 1e-6, 127)), V)
    add("log_softmax-int8-output-scale-1-256", log_softmax_model((2, 5), "int8", Q8, qo=(1 / 256, -128)), V)
    add("log_softmax-int8-output-zero-point", log_softmax_model((2, 5), "int8", Q8, qo=(1 / 16, 126)), V)
    add("log_softmax-int8-no-quant", log_softmax_model((2, 5), "int8", None, qo=None), V)
    add("log_softmax-int8-input-scale-tiny", log_softmax_model((2, 5), "int8", (1e-9, 0)), V)
    add("log_softmax-int8-per-channel", _per_channel_log_softmax(), U)
    add("log_softmax-int16", log_softmax_model((2, 5), "int16", (0.001, 0), qo=(1 / 16, 0)), U)
    add("log_softmax-uint8", log_softmax_model((2, 5), "uint8", (0.1, 128), qo=(1 / 16, 255)), U)
    add("log_softmax-output-type", log_softmax_model((2, 5), "int8", Q8, out_dtype="int16", qo=(1 / 16, 0)), V)
    add("log_softmax-output-shape", log_softmax_model((2, 5), out_shape=(5, 2)), V)
    add("log_softmax-scalar", log_softmax_model(()), V)
    add("log_softmax-version-3", log_softmax_model((2, 5), "int8", Q8, version=3), U)
    return c


def _l2_rank3():
    b = ModelBuilder()
    x = b.tensor((4, 4, 1), "float32")
    y = b.tensor((2, 2, 1), "float32")
    b.op("L2_POOL_2D", [x], [y], options=dict(padding="VALID", stride_h=2, stride_w=2, filter_height=2,
                                              filter_width=2))
    b.inputs([x])
    b.outputs([y])
    return b.build()
