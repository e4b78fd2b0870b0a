"""Host-only checks of the test model builder and the malformed corpus.

These check our test tooling against the tflite_micro wheel (the oracle) and
numpy; they do not touch the firmware.
"""

import json
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("tflite_micro")

import malformed  # noqa: E402
import tflite_builder as tb  # noqa: E402
from tflite_builder import ModelBuilder, schema  # noqa: E402


# ---------------------------------------------------------------------------
# float / int8 FULLY_CONNECTED against numpy


@pytest.mark.parametrize("activation", ["NONE", "RELU", "RELU6"])
def test_float_fc_matches_numpy(activation):
    rng = np.random.default_rng(1)
    w = rng.standard_normal((5, 8)).astype(np.float32)
    bias = rng.standard_normal(5).astype(np.float32)
    b = ModelBuilder()
    x = b.tensor([2, 8], "float32", name="x")
    wt = b.const(w, "float32", name="w")
    bt = b.const(bias, "float32", name="b")
    y = b.tensor([2, 5], "float32", name="y")
    b.op("FULLY_CONNECTED", [x, wt, bt], [y],
         options=dict(fused_activation_function=activation))
    b.inputs([x])
    b.outputs([y])
    data = b.build()

    xin = tb.random_input(x, rng=rng, low=-3, high=3)
    (got,) = tb.run_oracle(data, [xin])
    ref = xin.astype(np.float64) @ w.T.astype(np.float64) + bias
    lo, hi = tb.activation_range(activation)
    ref = np.clip(ref, lo, hi)
    assert got.shape == (2, 5) and got.dtype == np.float32
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-5)


def _int8_fc(per_channel, activation="NONE", rng_seed=2, batch=3, depth=16, units=6,
             omit_bias=False):
    rng = np.random.default_rng(rng_seed)
    w_f = rng.standard_normal((units, depth)) * rng.uniform(0.2, 2.0, (units, 1))
    b_f = rng.standard_normal(units) * 0.5
    sx, zx = tb.choose_qparams(-2.0, 3.0, "int8")
    wq, sw = tb.quantize_symmetric(w_f, "int8", axis=0 if per_channel else None)
    bq, sb = tb.quantize_bias(b_f, sx, sw)
    # Output range from the float reference on a wide input range.
    y_range = np.abs(w_f).sum(axis=1).max() * 3.0
    sy, zy = tb.choose_qparams(-y_range, y_range, "int8")

    b = ModelBuilder()
    x = b.tensor([batch, depth], "int8", scale=sx, zero_point=zx, name="x")
    wt = b.const(wq, "int8", scale=sw if per_channel else float(sw), zero_point=0,
                 quantized_dim=0, name="w")
    bt = None if omit_bias else b.const(
        bq, "int32", scale=sb if per_channel else float(sb[0]), zero_point=0, name="b")
    y = b.tensor([batch, units], "int8", scale=sy, zero_point=zy, name="y")
    b.op("FULLY_CONNECTED", [x, wt, bt], [y],
         options=dict(fused_activation_function=activation, keep_num_dims=False))
    b.inputs([x])
    b.outputs([y])
    data = b.build()

    xq = tb.random_input(x, rng=rng)
    (got,) = tb.run_oracle(data, [xq])

    # Float reference from the stored quantized values and their parameters.
    x_r = tb.dequantize(xq, sx, zx)
    w_r = tb.dequantize(wq, sw, 0, axis=0 if per_channel else None)
    y_r = x_r @ w_r.T
    if not omit_bias:
        y_r = y_r + tb.dequantize(bq, sb if per_channel else sb[0], 0)
    ref = tb.quantize(y_r, sy, zy, "int8").astype(np.int32)
    qlo, qhi = tb.activation_range(activation, sy, zy, "int8")
    ref = np.clip(ref, qlo, qhi)
    return got, ref


@pytest.mark.parametrize("activation", ["NONE", "RELU"])
def test_int8_fc_per_tensor_matches_reference(activation):
    got, ref = _int8_fc(per_channel=False, activation=activation)
    assert got.dtype == np.int8
    assert np.max(np.abs(got.astype(np.int32) - ref)) <= 1
    assert len(np.unique(got)) > 3  # not saturated


@pytest.mark.parametrize("activation", ["NONE", "RELU6"])
def test_int8_fc_per_channel_matches_reference(activation):
    got, ref = _int8_fc(per_channel=True, activation=activation, rng_seed=3)
    assert got.dtype == np.int8
    assert np.max(np.abs(got.astype(np.int32) - ref)) <= 1
    assert len(np.unique(got)) > 3


def test_int8_fc_without_bias():
    got, ref = _int8_fc(per_channel=True, omit_bias=True, rng_seed=4)
    assert np.max(np.abs(got.astype(np.int32) - ref)) <= 1


# ---------------------------------------------------------------------------
# QUANTIZE / DEQUANTIZE and a small chain


def test_quantize_model():
    rng = np.random.default_rng(5)
    s, z = tb.choose_qparams(-1.0, 2.0, "int8")
    b = ModelBuilder()
    x = b.tensor([1, 64], "float32", name="x")
    y = b.tensor([1, 64], "int8", scale=s, zero_point=z, name="y")
    b.op("QUANTIZE", [x], [y])
    b.inputs([x])
    b.outputs([y])
    xin = tb.random_input(x, rng=rng, low=-1.5, high=2.5)
    (got,) = tb.run_oracle(b.build(), [xin])
    ref = tb.quantize(xin, s, z, "int8").astype(np.int32)
    assert got.dtype == np.int8
    assert np.max(np.abs(got.astype(np.int32) - ref)) <= 1
    assert got.min() == -128 and got.max() == 127  # saturates both ends


@pytest.mark.parametrize("dtype", ["int8", "int16"])
def test_dequantize_model(dtype):
    rng = np.random.default_rng(6)
    s, z = tb.choose_qparams(-4.0, 1.0, dtype)
    b = ModelBuilder()
    x = b.tensor([2, 3, 7], dtype, scale=s, zero_point=z, name="x")
    y = b.tensor([2, 3, 7], "float32", name="y")
    b.op("DEQUANTIZE", [x], [y])
    b.inputs([x])
    b.outputs([y])
    xin = tb.random_input(x, rng=rng)
    (got,) = tb.run_oracle(b.build(), [xin])
    np.testing.assert_allclose(got, tb.dequantize(xin, s, z), rtol=1e-6, atol=1e-6)


def test_quantize_fc_dequantize_chain():
    rng = np.random.default_rng(7)
    w_f = rng.standard_normal((4, 8))
    sx, zx = tb.choose_qparams(-1.0, 1.0, "int8")
    wq, sw = tb.quantize_symmetric(w_f, "int8", axis=0)
    sy, zy = tb.choose_qparams(-6.0, 6.0, "int8")
    b = ModelBuilder()
    xf = b.tensor([1, 8], "float32", name="xf")
    xq = b.tensor([1, 8], "int8", scale=sx, zero_point=zx, name="xq")
    wt = b.const(wq, "int8", scale=sw, zero_point=0, quantized_dim=0, name="w")
    yq = b.tensor([1, 4], "int8", scale=sy, zero_point=zy, name="yq")
    yf = b.tensor([1, 4], "float32", name="yf")
    b.op("QUANTIZE", [xf], [xq])
    b.op("FULLY_CONNECTED", [xq, wt, None], [yq])
    b.op("DEQUANTIZE", [yq], [yf])
    b.inputs([xf])
    b.outputs([yf])
    xin = tb.random_input(xf, rng=rng)
    (got,) = tb.run_oracle(b.build(), [xin])
    ref = xin.astype(np.float64) @ w_f.T
    # Quantization error of input, weights and output combined.
    assert np.max(np.abs(got - ref)) < 4 * sy + 8 * sx * np.abs(w_f).sum(axis=1).max()


# ---------------------------------------------------------------------------
# File layout and API details


def _layout(data):
    return schema.Model.GetRootAs(data, 0)


def test_file_layout():
    b = malformed.fc_builder(per_channel=True)
    # An odd-sized constant between the others to disturb alignment.
    b.const(np.arange(7, dtype=np.int8), "int8", scale=1.0, zero_point=0)
    data = b.build()
    assert data[4:8] == b"TFL3"
    m = _layout(data)
    assert m.Version() == 3
    assert m.SubgraphsLength() == 1
    assert m.Buffers(0).DataLength() == 0
    base = np.frombuffer(data, np.uint8).ctypes.data
    n_data = 0
    for i in range(1, m.BuffersLength()):
        buf = m.Buffers(i)
        if buf.DataLength():
            n_data += 1
            assert (buf.DataAsNumpy().ctypes.data - base) % 16 == 0, i
    assert n_data == 3
    sg = m.Subgraphs(0)
    assert list(sg.InputsAsNumpy()) == [0] and list(sg.OutputsAsNumpy()) == [3]
    w = sg.Tensors(1)
    assert w.Quantization().ScaleLength() == 3
    assert w.Quantization().QuantizedDimension() == 0
    assert list(w.Quantization().ZeroPointAsNumpy()) == [0, 0, 0]


def test_optional_input_is_minus_one():
    b = ModelBuilder()
    x = b.tensor([1, 4], "float32")
    w = b.const(np.ones((2, 4), np.float32))
    y = b.tensor([1, 2], "float32")
    b.op("FULLY_CONNECTED", [x, w, None], [y])
    b.inputs([x])
    b.outputs([y])
    data = b.build()
    assert list(_layout(data).Subgraphs(0).Operators(0).InputsAsNumpy()) == [0, 1, -1]
    (got,) = tb.run_oracle(data, [np.array([[1, 2, 3, 4]], np.float32)])
    np.testing.assert_array_equal(got, [[10, 10]])


def test_opcodes_large_codes_custom_and_versions():
    b = ModelBuilder()
    a = b.tensor([4], "float32")
    c = b.tensor([4], "float32")
    d = b.tensor([4], "float32")
    e = b.tensor([4], "float32")
    b.op("STABLEHLO_ADD", [a, a], [c])
    b.op("ADD", [c, c], [d], version=2)
    b.op("ADD", [d, d], [e], version=2)  # shares the opcode
    b.custom_op("MyCustom", [e], [b.tensor([4], "float32")], custom_options=b"\x01\x02")
    data = b.build()
    m = _layout(data)
    assert m.OperatorCodesLength() == 3
    oc = m.OperatorCodes(0)
    assert oc.BuiltinCode() == schema.BuiltinOperator.STABLEHLO_ADD > 127
    assert oc.DeprecatedBuiltinCode() == tb.PLACEHOLDER_FOR_GREATER_OP_CODES
    assert oc.Version() == 1
    oc = m.OperatorCodes(1)
    assert oc.BuiltinCode() == oc.DeprecatedBuiltinCode() == schema.BuiltinOperator.ADD
    assert oc.Version() == 2
    oc = m.OperatorCodes(2)
    assert oc.BuiltinCode() == schema.BuiltinOperator.CUSTOM
    assert oc.CustomCode() == b"MyCustom"
    ops = m.Subgraphs(0)
    assert [ops.Operators(i).OpcodeIndex() for i in range(4)] == [0, 1, 1, 2]
    assert list(ops.Operators(3).CustomOptionsAsNumpy()) == [1, 2]


@pytest.mark.parametrize("op,table", [
    ("CONV_2D", "Conv2DOptions"),
    ("DEPTHWISE_CONV_2D", "DepthwiseConv2DOptions"),
    ("AVERAGE_POOL_2D", "Pool2DOptions"),
    ("MAX_POOL_2D", "Pool2DOptions"),
    ("ADD", "AddOptions"),
    ("RESHAPE", "ReshapeOptions"),
    ("SOFTMAX", "SoftmaxOptions"),
    ("QUANTIZE", "QuantizeOptions"),
    ("DEQUANTIZE", "DequantizeOptions"),
    ("FULLY_CONNECTED", "FullyConnectedOptions"),
    ("CONCATENATION", "ConcatenationOptions"),
    ("MEAN", "ReducerOptions"),
    ("SUM", "ReducerOptions"),
    ("REDUCE_MAX", "ReducerOptions"),
    ("MAXIMUM", "MaximumMinimumOptions"),
    ("BATCH_MATMUL", "BatchMatMulOptions"),
    ("PADV2", "PadV2Options"),
    ("SVDF", "SVDFOptions"),
    ("UNIDIRECTIONAL_SEQUENCE_LSTM", "UnidirectionalSequenceLSTMOptions"),
    ("LEAKY_RELU", "LeakyReluOptions"),
    ("STRIDED_SLICE", "StridedSliceOptions"),
    ("TRANSPOSE_CONV", "TransposeConvOptions"),
    ("L2_NORMALIZATION", "L2NormOptions"),
])
def test_options_table_lookup(op, table):
    assert tb.OP_OPTIONS[op] == table
    slot, utype, obj = tb.make_options(op, {})
    assert slot == 1 and utype == getattr(schema.BuiltinOptions, table)
    assert type(obj).__name__ == table + "T"


def test_options_values():
    _, _, o = tb.make_options("CONV_2D", dict(padding="SAME", stride_w=2, strideH=3,
                                              fused_activation_function="relu6",
                                              dilation_w_factor=2))
    assert (o.padding, o.strideW, o.strideH) == (schema.Padding.SAME, 2, 3)
    assert o.fusedActivationFunction == schema.ActivationFunctionType.RELU6
    assert o.dilationWFactor == 2
    _, _, o = tb.make_options("RESHAPE", dict(new_shape=np.array([1, -1])))
    assert o.newShape == [1, -1]
    _, _, o = tb.make_options("CAST", dict(in_data_type="int8", out_data_type="FLOAT32"))
    assert (o.inDataType, o.outDataType) == (schema.TensorType.INT8, schema.TensorType.FLOAT32)
    assert tb.make_options("LOGISTIC", None) == (0, 0, None)
    with pytest.raises(ValueError):
        tb.make_options("CONV_2D", dict(no_such_field=1))
    with pytest.raises(ValueError):
        tb.make_options("CONV_2D", dict(padding="DIAGONAL"))
    with pytest.raises(ValueError):
        tb.make_options("LOGISTIC", dict(beta=1.0))


def test_reshape_with_options_runs():
    b = ModelBuilder()
    x = b.tensor([2, 6], "int8", scale=0.1, zero_point=0)
    shape = b.const(np.array([3, 4], np.int32))
    y = b.tensor([3, 4], "int8", scale=0.1, zero_point=0)
    b.op("RESHAPE", [x, shape], [y], options=dict(new_shape=[3, 4]))
    b.inputs([x])
    b.outputs([y])
    xin = np.arange(12, dtype=np.int8).reshape(2, 6)
    (got,) = tb.run_oracle(b.build(), [xin])
    np.testing.assert_array_equal(got, xin.reshape(3, 4))


def test_quant_helpers():
    s, z = tb.choose_qparams(-1.0, 3.0, "int8")
    assert abs(s - 4.0 / 255) < 1e-12 and z == -64
    assert tb.quantize(0.0, s, z, "int8") == z  # zero is exact
    s, z = tb.choose_qparams(0.5, 2.0, "uint8")  # widened to include 0
    assert z == 0 and abs(s - 2.0 / 255) < 1e-12
    s, z = tb.choose_qparams(-3.0, 1.0, "int16")
    assert z == 0 and abs(s - 3.0 / 32767) < 1e-12
    w = np.array([[1.0, -2.0], [0.5, 0.25], [0.0, 0.0]])
    q, sc = tb.quantize_symmetric(w, "int8", axis=0)
    np.testing.assert_allclose(sc, [2.0 / 127, 0.5 / 127, 1.0])
    np.testing.assert_array_equal(q, [[64, -127], [127, 64], [0, 0]])
    q, sc = tb.quantize_symmetric(w, "int8")
    assert abs(sc - 2.0 / 127) < 1e-12 and q.min() == -127
    bq, bs = tb.quantize_bias([0.1, -0.2], 0.5, [0.01, 0.02])
    np.testing.assert_allclose(bs, [0.005, 0.01])
    np.testing.assert_array_equal(bq, [20, -20])
    assert bq.dtype == np.int32


def test_random_input_kinds():
    rng = np.random.default_rng(0)
    a = tb.random_input({"shape": np.array([2, 3]), "dtype": np.int8}, rng=rng)
    assert a.shape == (2, 3) and a.dtype == np.int8
    a = tb.random_input([5], "int16", rng)
    assert a.dtype == np.int16
    a = tb.random_input([5], "bool", rng)
    assert a.dtype == np.bool_
    a = tb.random_input([4, 4], "float32", rng)
    assert a.dtype == np.float32 and np.all(np.abs(a) <= 1)


def test_oracle_details_feed_random_input():
    from tflite_micro.python.tflite_micro import runtime

    data = malformed.fc_model()
    it = runtime.Interpreter.from_bytes(data, arena_size=1 << 20)
    det = it.get_input_details(0)
    xin = tb.random_input(det, rng=np.random.default_rng(0))
    assert xin.shape == (1, 4) and xin.dtype == np.int8
    assert tb.run_oracle(data, [xin])[0].shape == (1, 3)


# ---------------------------------------------------------------------------
# Malformed corpus


def test_seed_models_run():
    for per_channel in (False, True):
        data = malformed.fc_model(per_channel=per_channel)
        (got,) = tb.run_oracle(data, [np.array([[10, -20, 30, 127]], np.int8)])
        assert got.shape == (1, 3) and got.dtype == np.int8


def test_corpus_classes_non_empty_and_distinct():
    seed = malformed.fc_model()
    seen = set()
    for cls, fn in malformed.CLASSES.items():
        cases = fn(seed)
        assert cases, cls
        for name, data, exc in cases:
            assert name.startswith(cls + "/"), name
            assert name not in seen, name
            seen.add(name)
            assert isinstance(data, bytes)
            assert data != seed, name
            assert exc in ("ValueError", "NotImplementedError"), name
    # The classes the brief requires, with their required cases.
    for required in [
        "structure/empty", "structure/len_1", "structure/len_7",
        "structure/truncated_25", "structure/truncated_50", "structure/truncated_90",
        "structure/truncated_len_minus_1", "structure/identifier_XXXX",
        "structure/root_offset_outside", "structure/root_offset_past_end",
        "structure/root_offset_zero", "structure/root_offset_misaligned_1",
        "structure/vtable_before_start", "structure/vtable_past_end",
        "structure/vtable_size_odd", "structure/vtable_size_larger_than_buffer",
        "structure/vector_len_overflow_shape", "structure/string_missing_nul",
        "structure/offset_outside_subgraph_0",
        "model/version_2", "model/version_4", "model/no_subgraphs", "model/two_subgraphs",
        "model/operator_codes_missing", "model/buffers_missing", "model/tensors_missing",
        "indices/op_input_9999", "indices/op_input_-2", "indices/op_output_9999",
        "indices/subgraph_input_9999", "indices/subgraph_output_tensor_count",
        "indices/tensor_buffer_9999", "indices/opcode_index_9999",
        "indices/builtin_code_10000", "indices/custom_op_empty_name",
        "graph/tensor_written_by_two_ops", "graph/op_output_is_constant",
        "graph/op_output_is_graph_input", "graph/cycle_two_ops",
        "graph/output_never_produced",
        "shapes/negative_dim_input", "shapes/rank_9", "shapes/bytes_overflow_32bit_int32",
        "shapes/const_buffer_smaller_than_shape", "shapes/const_shape_larger_than_buffer",
        "shapes/const_buffer_larger_than_shape",
        "quant/scale_zero", "quant/scale_negative", "quant/scale_nan", "quant/scale_inf",
        "quant/zero_point_200", "quant/per_channel_count_too_few",
        "quant/quantized_dim_rank", "quant/int8_activation_no_quantization",
    ]:
        assert required in seen, required


def test_corpus_is_deterministic():
    a = malformed.all_cases()
    b = malformed.all_cases(malformed.fc_model())
    assert [(n, d, e) for n, d, e in a] == [(n, d, e) for n, d, e in b]


def test_corpus_edits_are_targeted():
    seed = malformed.fc_model()
    cases = {n: d for n, d, _ in malformed.all_cases(seed)}
    for k in range(8):
        assert cases.get("structure/len_%d" % k, cases["structure/empty"]) == seed[:k]
    for name in ("structure/identifier_XXXX", "structure/identifier_TFL2"):
        d = cases[name]
        assert len(d) == len(seed) and d[:4] == seed[:4] and d[8:] == seed[8:]
    # Byte patches keep the size; the shape-vector patch changes one u32.
    d = cases["structure/vector_len_overflow_shape"]
    diff = [i for i in range(len(seed)) if d[i] != seed[i]]
    assert len(d) == len(seed) and 1 <= len(diff) <= 4 and diff[-1] - diff[0] < 4


def test_corpus_walker_agrees_with_schema():
    seed = malformed.fc_model()
    v = malformed.FlatView(seed)
    m = _layout(seed)
    t0 = m.Subgraphs(0).Tensors(0)
    name = v.sub(v.tensor(0), malformed.TENSOR["name"])
    assert bytes(v.b[name + 4: name + 4 + v.u32(name)]) == t0.Name()
    shape = v.sub(v.tensor(0), malformed.TENSOR["shape"])
    assert [v.i32(v.vec_item(shape, i)) for i in range(v.vec_len(shape))] == list(
        t0.ShapeAsNumpy())
    ins = v.sub(v.operator(0), malformed.OPERATOR["inputs"])
    assert [v.i32(v.vec_item(ins, i)) for i in range(v.vec_len(ins))] == list(
        m.Subgraphs(0).Operators(0).InputsAsNumpy())
    data = v.sub(v.buffer(1), malformed.BUFFER["data"])
    assert v.u32(data) == m.Buffers(1).DataLength()


_ORACLE_CHILD = r"""
import json, sys
from tflite_micro.python.tflite_micro import runtime
import numpy as np
for name, hexdata in json.loads(sys.stdin.read()):
    try:
        it = runtime.Interpreter.from_bytes(bytes.fromhex(hexdata), arena_size=1 << 22)
        it.set_input(np.zeros((1, 4), np.int8), 0)
        it.invoke()
        print(json.dumps([name, "ran"]), flush=True)
    except Exception as e:
        print(json.dumps([name, type(e).__name__]), flush=True)
"""


def _oracle_outcomes(cases):
    """Run cases in a child process (a malformed model may crash the oracle)."""
    payload = json.dumps([[n, d.hex()] for n, d in cases])
    r = subprocess.run([sys.executable, "-c", _ORACLE_CHILD], input=payload.encode(),
                       capture_output=True, timeout=300)
    out = dict(json.loads(line) for line in r.stdout.decode().splitlines() if line)
    assert r.returncode == 0, (r.returncode, out, r.stderr.decode()[-2000:])
    return out


def test_oracle_rejects_truncated_models():
    cases = [(n, d) for n, d, _ in malformed.structure_cases()
             if n == "structure/empty" or n.startswith(("structure/len_", "structure/truncated_"))]
    assert len(cases) == 12
    out = _oracle_outcomes(cases)
    assert set(out) == {n for n, _ in cases}
    accepted = [n for n, r in out.items() if r == "ran"]
    assert not accepted, accepted


def test_oracle_on_identifier_cases():
    # The wheel does not check the file identifier (it runs these models), so
    # it is no judge here: our runtime must reject them on its own. This only
    # checks that the rest of each model is intact, i.e. that rejecting them
    # can only come from checking the identifier.
    cases = [(n, d) for n, d, _ in malformed.structure_cases() if "/identifier_" in n]
    assert len(cases) == 3
    out = _oracle_outcomes(cases)
    assert set(out.values()) <= {"ran", "RuntimeError", "ValueError"}
