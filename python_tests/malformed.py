"""A corpus of malformed (and unsupported) models made from a valid one.

Every generator takes the bytes of a valid seed model (default: `fc_model()`,
an int8 FULLY_CONNECTED [1,4] -> [1,3] with bias) and returns a list of
(case_name, model_bytes, expected_exception_name). Names are
'<class>/<detail>'. Expected is 'ValueError' for a malformed model and
'NotImplementedError' for a well-formed model with content we do not run.

Edits are made either on the flatbuffer bytes (using the small walker
`FlatView` below) or by unpacking to the schema object tree, changing a value
and packing again. All cases are deterministic.

The seed-dependent generators assume the seed's subgraph 0 has op 0 with
inputs [activation, const weights [units, depth], const bias] and output
[activation]; `fc_model()` satisfies that.
"""

import copy
import glob
import importlib
import math
import os
import struct

import numpy as np

from tflite_builder import (
    BUILTIN_OPS,
    ModelBuilder,
    pack_model,
    schema,
    unpack_model,
)

VALUE = "ValueError"
UNSUPPORTED = "NotImplementedError"

# Rank accepted by the verifier; the corpus uses one above it.
MAX_RANK_LIMIT = 8

# ---------------------------------------------------------------------------
# Seed


def fc_builder(per_channel=False, activation="NONE"):
    """Builder of the seed model: int8 FC, x[1,4] -> y[1,3], weights [3,4], bias [3]."""
    b = ModelBuilder()
    x = b.tensor([1, 4], "int8", scale=0.05, zero_point=-3, name="x")
    w_q = np.array([[1, -2, 3, -4], [5, 6, -7, 8], [-9, 10, 11, -12]], np.int8) * 9
    if per_channel:
        w_scale = [0.02, 0.01, 0.03]
    else:
        w_scale = 0.02
    w = b.const(w_q, "int8", scale=w_scale, zero_point=0, quantized_dim=0, name="w")
    bias_scale = 0.05 * np.atleast_1d(np.asarray(w_scale, np.float64))
    bias_scale = bias_scale.tolist() if per_channel else float(bias_scale[0])
    bias = b.const(np.array([100, -200, 300], np.int32), "int32",
                   scale=bias_scale, zero_point=0, name="bias")
    y = b.tensor([1, 3], "int8", scale=0.1, zero_point=5, name="y")
    b.op("FULLY_CONNECTED", [x, w, bias], [y],
         options=dict(fused_activation_function=activation, keep_num_dims=False))
    b.inputs([x])
    b.outputs([y])
    return b


def fc_model(per_channel=False, activation="NONE"):
    """The valid seed model bytes."""
    return fc_builder(per_channel, activation).build()


def _seed(seed):
    return fc_model() if seed is None else bytes(seed)


# ---------------------------------------------------------------------------
# Flatbuffer walker


# Field indices (vtable slots) of the schema tables used here.
MODEL = dict(version=0, operator_codes=1, subgraphs=2, description=3, buffers=4)
SUBGRAPH = dict(tensors=0, inputs=1, outputs=2, operators=3, name=4)
TENSOR = dict(shape=0, type=1, buffer=2, name=3, quantization=4, is_variable=5)
OPERATOR = dict(opcode_index=0, inputs=1, outputs=2, builtin_options_type=3,
                builtin_options=4, custom_options=5)
OPERATOR_CODE = dict(deprecated_builtin_code=0, custom_code=1, version=2, builtin_code=3)
BUFFER = dict(data=0, offset=1, size=2)
QUANT = dict(min=0, max=1, scale=2, zero_point=3, quantized_dimension=6)


class FlatView:
    """Minimal read/patch access to a flatbuffer (little endian, no checks)."""

    def __init__(self, data):
        self.b = bytearray(data)

    def u16(self, p):
        return struct.unpack_from("<H", self.b, p)[0]

    def i32(self, p):
        return struct.unpack_from("<i", self.b, p)[0]

    def u32(self, p):
        return struct.unpack_from("<I", self.b, p)[0]

    def set_u16(self, p, v):
        struct.pack_into("<H", self.b, p, v & 0xFFFF)

    def set_u32(self, p, v):
        struct.pack_into("<I", self.b, p, v & 0xFFFFFFFF)

    def set_i32(self, p, v):
        struct.pack_into("<i", self.b, p, v)

    def bytes(self):
        return bytes(self.b)

    # tables
    def root(self):
        return self.u32(0)

    def vtable(self, table):
        return table - self.i32(table)

    def field(self, table, idx):
        """Absolute position of a table field, or None when absent."""
        vt = self.vtable(table)
        slot = 4 + 2 * idx
        if slot + 2 > self.u16(vt):
            return None
        off = self.u16(vt + slot)
        return table + off if off else None

    def deref(self, p):
        """Follow the uoffset stored at p."""
        return p + self.u32(p)

    def sub(self, table, idx):
        """The table/vector/string referenced by field idx (position), or None."""
        p = self.field(table, idx)
        return None if p is None else self.deref(p)

    def vec_len(self, vec):
        return self.u32(vec)

    def vec_item(self, vec, i, size=4):
        """Position of element i of a vector."""
        return vec + 4 + size * i

    def vec_table(self, table, idx, i):
        vec = self.sub(table, idx)
        return self.deref(self.vec_item(vec, i))

    # tflite paths
    def model(self):
        return self.root()

    def subgraph(self, i=0):
        return self.vec_table(self.model(), MODEL["subgraphs"], i)

    def tensor(self, i, sg=0):
        return self.vec_table(self.subgraph(sg), SUBGRAPH["tensors"], i)

    def operator(self, i, sg=0):
        return self.vec_table(self.subgraph(sg), SUBGRAPH["operators"], i)

    def buffer(self, i):
        return self.vec_table(self.model(), MODEL["buffers"], i)

    def opcode(self, i):
        return self.vec_table(self.model(), MODEL["operator_codes"], i)


def _patch(seed, fn):
    v = FlatView(seed)
    fn(v)
    return v.bytes()


def _edit(seed, fn):
    """Unpack, let fn change the object tree, pack again."""
    m = unpack_model(seed)
    fn(m)
    return pack_model(m)


# Object-tree helpers


def _sg(m):
    return m.subgraphs[0]


def _op0(m):
    return _sg(m).operators[0]


def _io(m):
    """Tensor indices (x, w, bias, y) of op 0."""
    op = _op0(m)
    return int(op.inputs[0]), int(op.inputs[1]), int(op.inputs[2]), int(op.outputs[0])


def _tensor(m, i):
    return _sg(m).tensors[i]


def _add_buffer(m, data):
    buf = schema.BufferT()
    buf.data = np.frombuffer(bytes(data), np.uint8).copy()
    m.buffers.append(buf)
    return len(m.buffers) - 1


def _add_tensor(m, like, shape=None, buffer=0, name=None):
    t = copy.deepcopy(_tensor(m, like))
    if shape is not None:
        t.shape = [int(d) for d in shape]
    t.buffer = buffer
    t.name = name or "extra%d" % len(_sg(m).tensors)
    _sg(m).tensors.append(t)
    return len(_sg(m).tensors) - 1


def _add_fc(m, in_t, out_t, units, depth, name):
    """Append an FC op (same opcode as op 0) in_t -> out_t with new int8 weights."""
    x, w, bias, _ = _io(m)
    wq = (np.arange(units * depth).reshape(units, depth) % 7 - 3).astype(np.int8)
    wt = _add_tensor(m, w, [units, depth], _add_buffer(m, wq.tobytes()), name + "_w")
    bt = _add_tensor(m, bias, [units],
                     _add_buffer(m, np.arange(units, dtype="<i4").tobytes()), name + "_b")
    _tensor(m, wt).quantization.scale = [0.02]
    _tensor(m, wt).quantization.zeroPoint = [0]
    _tensor(m, bt).quantization.scale = [0.001]
    _tensor(m, bt).quantization.zeroPoint = [0]
    op = copy.deepcopy(_op0(m))
    op.inputs = [in_t, wt, bt]
    op.outputs = [out_t]
    _sg(m).operators.append(op)
    return len(_sg(m).operators) - 1


def _set_list(obj, attr, index, value):
    lst = [int(v) for v in getattr(obj, attr)]
    lst[index] = value
    setattr(obj, attr, lst)


# ---------------------------------------------------------------------------
# structure: the flatbuffer itself


def structure_cases(seed=None):
    seed = _seed(seed)
    n = len(seed)
    v = FlatView(seed)
    root = v.root()
    cases = [("structure/empty", b"", VALUE)]
    for k in range(1, 8):
        cases.append(("structure/len_%d" % k, seed[:k], VALUE))
    for pct in (25, 50, 90):
        cases.append(("structure/truncated_%d" % pct, seed[: n * pct // 100], VALUE))
    cases.append(("structure/truncated_len_minus_1", seed[: n - 1], VALUE))

    def ident(value):
        return lambda f: f.b.__setitem__(slice(4, 8), value)

    cases += [
        ("structure/identifier_XXXX", _patch(seed, ident(b"XXXX")), VALUE),
        ("structure/identifier_TFL2", _patch(seed, ident(b"TFL2")), VALUE),
        ("structure/identifier_zero", _patch(seed, ident(b"\0\0\0\0")), VALUE),
    ]

    def root_at(value):
        return lambda f: f.set_u32(0, value)

    cases += [
        ("structure/root_offset_outside", _patch(seed, root_at(0xFFFFFFF0)), VALUE),
        ("structure/root_offset_past_end", _patch(seed, root_at(n)), VALUE),
        ("structure/root_offset_at_end_minus_2", _patch(seed, root_at(n - 2)), VALUE),
        ("structure/root_offset_zero", _patch(seed, root_at(0)), VALUE),
        ("structure/root_offset_misaligned_1", _patch(seed, root_at(root + 1)), VALUE),
        ("structure/root_offset_misaligned_2", _patch(seed, root_at(root + 2)), VALUE),
    ]

    # The root (Model) table's vtable.
    vt = v.vtable(root)

    def soffset(value):
        return lambda f: f.set_i32(root, value)

    def vt_u16(pos, value):
        return lambda f: f.set_u16(pos, value)

    cases += [
        ("structure/vtable_before_start", _patch(seed, soffset(root + 64)), VALUE),
        ("structure/vtable_past_end", _patch(seed, soffset(-(n + 64))), VALUE),
        ("structure/vtable_overlaps_end", _patch(seed, soffset(root - (n - 2))), VALUE),
        ("structure/vtable_misaligned", _patch(seed, soffset(v.i32(root) + 1)), VALUE),
        ("structure/vtable_size_odd", _patch(seed, vt_u16(vt, v.u16(vt) + 1)), VALUE),
        ("structure/vtable_size_too_small", _patch(seed, vt_u16(vt, 2)), VALUE),
        ("structure/vtable_size_larger_than_buffer", _patch(seed, vt_u16(vt, 0xFFFE)), VALUE),
        ("structure/table_size_larger_than_buffer", _patch(seed, vt_u16(vt + 2, 0xFFFC)), VALUE),
        ("structure/field_offset_past_table",
         _patch(seed, vt_u16(vt + 4 + 2 * MODEL["subgraphs"], v.u16(vt + 2) + 4)), VALUE),
    ]

    # Vectors whose byte size overflows 32 bits, or that run past the end.
    shape_vec = v.sub(v.tensor(0), TENSOR["shape"])
    buffers_vec = v.sub(root, MODEL["buffers"])
    data_vec = v.sub(v.buffer(1), BUFFER["data"])
    cases += [
        ("structure/vector_len_overflow_shape",
         _patch(seed, lambda f: f.set_u32(shape_vec, 0x40000001)), VALUE),
        ("structure/vector_len_overflow_buffers",
         _patch(seed, lambda f: f.set_u32(buffers_vec, 0x40000001)), VALUE),
        ("structure/vector_len_max_bytes",
         _patch(seed, lambda f: f.set_u32(data_vec, 0xFFFFFFFF)), VALUE),
        ("structure/vector_len_past_end",
         _patch(seed, lambda f: f.set_u32(data_vec, n - data_vec)), VALUE),
    ]

    # Strings.
    name = v.sub(v.tensor(0), TENSOR["name"])
    name_len = v.u32(name)
    cases += [
        ("structure/string_missing_nul",
         _patch(seed, lambda f: f.b.__setitem__(name + 4 + name_len, ord("X"))), VALUE),
        ("structure/string_len_to_end",
         _patch(seed, lambda f: f.set_u32(name, n - name - 4)), VALUE),
    ]

    # Nested offsets pointing outside the buffer (or wrapping around 32 bits).
    def out_of_buffer(pos):
        return lambda f: f.set_u32(pos, n + 64 - pos)

    sg_field = v.field(root, MODEL["subgraphs"])
    sg_vec = v.deref(sg_field)
    tensors_vec = v.sub(v.subgraph(), SUBGRAPH["tensors"])
    quant_field = v.field(v.tensor(0), TENSOR["quantization"])
    inputs_field = v.field(v.operator(0), OPERATOR["inputs"])
    data_field = v.field(v.buffer(1), BUFFER["data"])
    opcodes_vec = v.sub(root, MODEL["operator_codes"])
    cases += [
        ("structure/offset_outside_subgraphs", _patch(seed, out_of_buffer(sg_field)), VALUE),
        ("structure/offset_outside_subgraph_0",
         _patch(seed, out_of_buffer(v.vec_item(sg_vec, 0))), VALUE),
        ("structure/offset_outside_tensor_0",
         _patch(seed, out_of_buffer(v.vec_item(tensors_vec, 0))), VALUE),
        ("structure/offset_outside_quantization", _patch(seed, out_of_buffer(quant_field)), VALUE),
        ("structure/offset_outside_op_inputs", _patch(seed, out_of_buffer(inputs_field)), VALUE),
        ("structure/offset_outside_buffer_data", _patch(seed, out_of_buffer(data_field)), VALUE),
        ("structure/offset_outside_opcode_0",
         _patch(seed, out_of_buffer(v.vec_item(opcodes_vec, 0))), VALUE),
        ("structure/offset_wraps_32bit",
         _patch(seed, lambda f: f.set_u32(sg_field, 0xFFFFFFFC)), VALUE),
        ("structure/offset_zero_self", _patch(seed, lambda f: f.set_u32(sg_field, 0)), VALUE),
    ]
    # Size-prefixed flatbuffers: the 32-bit prefix must equal the size after it.
    cases.append(("structure/size_prefix_too_large", struct.pack("<I", n + 1) + seed, VALUE))
    cases.append(("structure/size_prefix_too_small", struct.pack("<I", n - 1) + seed, VALUE))
    return cases


# ---------------------------------------------------------------------------
# model: top-level content


def model_cases(seed=None):
    seed = _seed(seed)

    def version(value):
        return lambda m: setattr(m, "version", value)

    def two_subgraphs(m):
        # A second subgraph, which nothing calls, is verified like the first.
        sg = copy.deepcopy(m.subgraphs[0])
        sg.operators[0].inputs = [9999]
        m.subgraphs.append(sg)

    return [
        ("model/version_0", _edit(seed, version(0)), VALUE),
        ("model/version_2", _edit(seed, version(2)), VALUE),
        ("model/version_4", _edit(seed, version(4)), VALUE),
        ("model/no_subgraphs", _edit(seed, lambda m: setattr(m, "subgraphs", [])), VALUE),
        ("model/subgraphs_missing", _edit(seed, lambda m: setattr(m, "subgraphs", None)), VALUE),
        ("model/two_subgraphs", _edit(seed, two_subgraphs), VALUE),
        ("model/operator_codes_missing",
         _edit(seed, lambda m: setattr(m, "operatorCodes", None)), VALUE),
        ("model/operator_codes_empty",
         _edit(seed, lambda m: setattr(m, "operatorCodes", [])), VALUE),
        ("model/buffers_missing", _edit(seed, lambda m: setattr(m, "buffers", None)), VALUE),
        ("model/buffers_empty", _edit(seed, lambda m: setattr(m, "buffers", [])), VALUE),
        ("model/tensors_missing", _edit(seed, lambda m: setattr(_sg(m), "tensors", None)), VALUE),
        ("model/operators_missing",
         _edit(seed, lambda m: setattr(_sg(m), "operators", None)), VALUE),
        ("model/op_inputs_missing", _edit(seed, lambda m: setattr(_op0(m), "inputs", None)), VALUE),
        ("model/op_outputs_missing",
         _edit(seed, lambda m: setattr(_op0(m), "outputs", None)), VALUE),
    ]


# ---------------------------------------------------------------------------
# indices


def _set_builtin(code, deprecated=None):
    """Edit: op 0's operator code becomes builtin `code` (deprecated code
    min(code, 127) unless given), without options."""
    def fn(m):
        oc = m.operatorCodes[_op0(m).opcodeIndex]
        oc.builtinCode = code
        oc.deprecatedBuiltinCode = min(code, 127) if deprecated is None else deprecated
        _op0(m).builtinOptionsType = 0
        _op0(m).builtinOptions = None
    return fn


def _set_custom(name):
    """Edit: op 0 becomes the custom op `name`, without options."""
    def fn(m):
        oc = m.operatorCodes[_op0(m).opcodeIndex]
        oc.builtinCode = oc.deprecatedBuiltinCode = BUILTIN_OPS["CUSTOM"]
        oc.customCode = name
        _op0(m).builtinOptionsType = 0
        _op0(m).builtinOptions = None
    return fn


def index_cases(seed=None):
    seed = _seed(seed)
    m0 = unpack_model(seed)
    n_tensors = len(_sg(m0).tensors)
    n_buffers = len(m0.buffers)
    n_opcodes = len(m0.operatorCodes)
    _, w, _, _ = _io(m0)

    def op_input(value, k=0):
        return lambda m: _set_list(_op0(m), "inputs", k, value)

    def op_output(value):
        return lambda m: _set_list(_op0(m), "outputs", 0, value)

    def sg_list(attr, value):
        return lambda m: _set_list(_sg(m), attr, 0, value)

    def tensor_buffer(value):
        return lambda m: setattr(_tensor(m, w), "buffer", value)

    def opcode_index(value):
        return lambda m: setattr(_op0(m), "opcodeIndex", value)

    def intermediates(m):
        _op0(m).intermediates = [9999]

    return [
        ("indices/op_input_9999", _edit(seed, op_input(9999)), VALUE),
        ("indices/op_input_tensor_count", _edit(seed, op_input(n_tensors)), VALUE),
        ("indices/op_input_-2", _edit(seed, op_input(-2)), VALUE),
        ("indices/op_input_int32_min", _edit(seed, op_input(-(2**31))), VALUE),
        ("indices/op_weights_9999", _edit(seed, op_input(9999, 1)), VALUE),
        ("indices/op_output_9999", _edit(seed, op_output(9999)), VALUE),
        ("indices/op_output_tensor_count", _edit(seed, op_output(n_tensors)), VALUE),
        ("indices/op_output_-1", _edit(seed, op_output(-1)), VALUE),
        ("indices/op_output_-2", _edit(seed, op_output(-2)), VALUE),
        ("indices/op_intermediate_9999", _edit(seed, intermediates), VALUE),
        ("indices/subgraph_input_9999", _edit(seed, sg_list("inputs", 9999)), VALUE),
        ("indices/subgraph_input_-1", _edit(seed, sg_list("inputs", -1)), VALUE),
        ("indices/subgraph_output_tensor_count",
         _edit(seed, sg_list("outputs", n_tensors)), VALUE),
        ("indices/subgraph_output_-1", _edit(seed, sg_list("outputs", -1)), VALUE),
        ("indices/tensor_buffer_9999", _edit(seed, tensor_buffer(9999)), VALUE),
        ("indices/tensor_buffer_buffer_count", _edit(seed, tensor_buffer(n_buffers)), VALUE),
        ("indices/tensor_buffer_uint32_max", _edit(seed, tensor_buffer(0xFFFFFFFF)), VALUE),
        ("indices/opcode_index_9999", _edit(seed, opcode_index(9999)), VALUE),
        ("indices/opcode_index_opcode_count", _edit(seed, opcode_index(n_opcodes)), VALUE),
        ("indices/builtin_code_10000", _edit(seed, _set_builtin(10000)), VALUE),
        ("indices/builtin_code_-1", _edit(seed, _set_builtin(-1, -1)), VALUE),
        ("indices/builtin_code_max_plus_1",
         _edit(seed, _set_builtin(max(BUILTIN_OPS.values()) + 1)), VALUE),
        ("indices/custom_op_empty_name", _edit(seed, _set_custom("")), VALUE),
        ("indices/custom_op_no_name", _edit(seed, _set_custom(None)), VALUE),
    ]


# ---------------------------------------------------------------------------
# graph: dataflow


def graph_cases(seed=None):
    seed = _seed(seed)

    def written_twice(m):
        _sg(m).operators.append(copy.deepcopy(_op0(m)))

    def output_is_constant(m):
        _, _, _, y = _io(m)
        t = _tensor(m, y)
        nbytes = int(np.prod(t.shape))  # int8
        t.buffer = _add_buffer(m, bytes(nbytes))

    def output_is_graph_input(m):
        x, _, _, y = _io(m)
        _sg(m).inputs = [x, y]

    def written_later(m, src, name):
        # op 0: t -> y ; op 1: src -> t  (t has no value when op 0 runs)
        x = _io(m)[0]
        t = _add_tensor(m, x, name=name + "_t")
        _set_list(_op0(m), "inputs", 0, t)
        _add_fc(m, src, t, int(_tensor(m, x).shape[-1]), int(_tensor(m, src).shape[-1]), name)

    def cycle(m):
        written_later(m, _io(m)[3], "cycle")

    def read_before_write(m):
        # no cycle, wrong order
        written_later(m, _io(m)[0], "late")

    def read_unwritten(m):
        x, _, _, _ = _io(m)
        t = _add_tensor(m, x, name="never_written")
        _set_list(_op0(m), "inputs", 0, t)

    def weights_without_data(m):
        _, w, _, _ = _io(m)
        _tensor(m, w).buffer = 0

    def output_never_produced(m):
        _, _, _, y = _io(m)
        z = _add_tensor(m, y, name="orphan")
        _sg(m).outputs = [y, z]

    def op_output_is_own_input(m):
        _, _, _, y = _io(m)
        _set_list(_op0(m), "inputs", 0, y)

    return [
        ("graph/tensor_written_by_two_ops", _edit(seed, written_twice), VALUE),
        ("graph/op_output_is_constant", _edit(seed, output_is_constant), VALUE),
        ("graph/op_output_is_graph_input", _edit(seed, output_is_graph_input), VALUE),
        ("graph/cycle_two_ops", _edit(seed, cycle), VALUE),
        ("graph/read_before_write", _edit(seed, read_before_write), VALUE),
        ("graph/read_of_unwritten_tensor", _edit(seed, read_unwritten), VALUE),
        ("graph/op_reads_own_output", _edit(seed, op_output_is_own_input), VALUE),
        ("graph/weights_without_data", _edit(seed, weights_without_data), VALUE),
        ("graph/output_never_produced", _edit(seed, output_never_produced), VALUE),
    ]


# ---------------------------------------------------------------------------
# shapes


def shape_cases(seed=None):
    seed = _seed(seed)

    def shape_of(which, shape):
        def fn(m):
            idx = dict(zip("xwby", _io(m)))[which]
            _tensor(m, idx).shape = list(shape)
        return fn

    def weights_buffer(delta):
        def fn(m):
            _, w, _, _ = _io(m)
            buf = m.buffers[_tensor(m, w).buffer]
            data = np.asarray(buf.data, np.uint8).tobytes()
            data = data[:delta] if delta < 0 else data + bytes(delta)
            buf.data = np.frombuffer(data, np.uint8).copy()
        return fn

    def weights_buffer_empty_vector(m):
        _, w, _, _ = _io(m)
        m.buffers[_tensor(m, w).buffer].data = np.zeros(0, np.uint8)

    m0 = unpack_model(seed)
    x0, w0, _, y0 = _io(m0)
    xs = [int(d) for d in _tensor(m0, x0).shape]
    ws = [int(d) for d in _tensor(m0, w0).shape]
    ys = [int(d) for d in _tensor(m0, y0).shape]
    rank9 = [1] * (MAX_RANK_LIMIT + 1 - len(xs)) + xs
    specs = [
        ("shapes/negative_dim_input", shape_of("x", [-1] + xs[1:]), VALUE),
        ("shapes/negative_dim_output", shape_of("y", ys[:-1] + [-7]), VALUE),
        ("shapes/negative_dim_weights", shape_of("w", [ws[0], -ws[1]]), VALUE),
        ("shapes/rank_9", shape_of("x", rank9), UNSUPPORTED),
        ("shapes/elements_overflow_32bit", shape_of("x", [65536, 65536, xs[-1]]), VALUE),
        ("shapes/elements_wrap_to_4", shape_of("x", [1073741825, 4]), VALUE),
        ("shapes/bytes_overflow_32bit_int32", shape_of("b", [1 << 30]), VALUE),
        ("shapes/dim_int32_max", shape_of("y", [2**31 - 1, ys[-1]]), VALUE),
        ("shapes/const_buffer_smaller_than_shape", weights_buffer(-1), VALUE),
        ("shapes/const_shape_larger_than_buffer", shape_of("w", [ws[0] + 1, ws[1]]), VALUE),
        ("shapes/const_buffer_larger_than_shape", weights_buffer(4), VALUE),
        ("shapes/const_buffer_empty_vector", weights_buffer_empty_vector, VALUE),
        ("shapes/op_output_shape_mismatch", shape_of("y", ys[:-1] + [ys[-1] + 2]), VALUE),
        ("shapes/op_weights_depth_mismatch", shape_of("x", xs[:-1] + [xs[-1] + 1]), VALUE),
    ]
    return [(name, _edit(seed, fn), exc) for name, fn, exc in specs]


# ---------------------------------------------------------------------------
# quantization


def quant_cases(seed=None):
    seed = _seed(seed)

    def q_of(which, **fields):
        def fn(m):
            idx = dict(zip("xwby", _io(m)))[which]
            q = _tensor(m, idx).quantization
            if q is None:
                q = _tensor(m, idx).quantization = schema.QuantizationParametersT()
            for k, val in fields.items():
                setattr(q, k, val)
        return fn

    def no_quant(which):
        def fn(m):
            idx = dict(zip("xwby", _io(m)))[which]
            _tensor(m, idx).quantization = None
        return fn

    m0 = unpack_model(seed)
    _, w0, _, _ = _io(m0)
    channels = int(_tensor(m0, w0).shape[0])
    rank_w = len(_tensor(m0, w0).shape)
    pc = [0.02 + 0.01 * i for i in range(channels)]

    specs = [
        ("quant/scale_zero", q_of("x", scale=[0.0]), VALUE),
        ("quant/scale_negative", q_of("x", scale=[-0.05]), VALUE),
        ("quant/scale_nan", q_of("x", scale=[math.nan]), VALUE),
        ("quant/scale_inf", q_of("x", scale=[math.inf]), VALUE),
        ("quant/weight_scale_zero", q_of("w", scale=[0.0]), VALUE),
        ("quant/output_scale_nan", q_of("y", scale=[math.nan]), VALUE),
        ("quant/zero_point_200", q_of("x", zeroPoint=[200]), VALUE),
        ("quant/zero_point_-129", q_of("x", zeroPoint=[-129]), VALUE),
        ("quant/zero_point_int64_huge", q_of("y", zeroPoint=[1 << 40]), VALUE),
        ("quant/per_channel_count_too_few",
         q_of("w", scale=pc[:-1], zeroPoint=[0] * (channels - 1)), VALUE),
        ("quant/per_channel_count_too_many",
         q_of("w", scale=pc + [0.5], zeroPoint=[0] * (channels + 1)), VALUE),
        ("quant/zero_point_count_mismatch",
         q_of("w", scale=pc, zeroPoint=[0] * (channels - 1)), VALUE),
        ("quant/scale_empty", q_of("x", scale=[], zeroPoint=[]), VALUE),
        ("quant/quantized_dim_rank", q_of("w", scale=pc, zeroPoint=[0] * channels,
                                          quantizedDimension=rank_w), VALUE),
        ("quant/quantized_dim_negative", q_of("w", scale=pc, zeroPoint=[0] * channels,
                                              quantizedDimension=-1), VALUE),
        ("quant/quantized_dim_large", q_of("w", scale=pc, zeroPoint=[0] * channels,
                                           quantizedDimension=1000), VALUE),
        ("quant/int8_activation_no_quantization", no_quant("x"), VALUE),
        ("quant/int8_output_no_quantization", no_quant("y"), VALUE),
        ("quant/int8_weights_no_quantization", no_quant("w"), VALUE),
    ]
    return [(name, _edit(seed, fn), exc) for name, fn, exc in specs]


# ---------------------------------------------------------------------------
# enums and unsupported content


def enum_cases(seed=None):
    """Out-of-range enum values (ValueError) in a well-formed flatbuffer."""
    seed = _seed(seed)

    def tensor_type(value):
        return lambda m: setattr(_tensor(m, _io(m)[0]), "type", value)

    def options_type(value):
        return lambda m: setattr(_op0(m), "builtinOptionsType", value)

    def wrong_options(m):
        _op0(m).builtinOptionsType = schema.BuiltinOptions.Conv2DOptions
        o = schema.Conv2DOptionsT()
        o.strideW = o.strideH = 1
        _op0(m).builtinOptions = o

    def activation(value):
        return lambda m: setattr(_op0(m).builtinOptions, "fusedActivationFunction", value)

    return [(name, _edit(seed, fn), exc) for name, fn, exc in [
        ("enum/tensor_type_100", tensor_type(100), VALUE),
        ("enum/tensor_type_-1", tensor_type(-1), VALUE),
        ("enum/builtin_options_type_250", options_type(250), VALUE),
        ("enum/builtin_options_wrong_table", wrong_options, VALUE),
        ("enum/fused_activation_99", activation(99), VALUE),
    ]]


def unsupported_cases(seed=None):
    """Well-formed models with content a small runtime does not run."""
    seed = _seed(seed)

    def version(value):
        return lambda m: setattr(m.operatorCodes[_op0(m).opcodeIndex], "version", value)

    return [(name, _edit(seed, fn), exc) for name, fn, exc in [
        ("unsupported/op_version_99", version(99), UNSUPPORTED),
        ("unsupported/builtin_SKIP_GRAM", _set_builtin(BUILTIN_OPS["SKIP_GRAM"]), UNSUPPORTED),
        ("unsupported/builtin_code_over_127", _set_builtin(BUILTIN_OPS["STABLEHLO_SCATTER"]), UNSUPPORTED),
        ("unsupported/custom_op_unknown", _set_custom("NoSuchCustomOp"), UNSUPPORTED),
    ]]


# ---------------------------------------------------------------------------

CLASSES = {
    "structure": structure_cases,
    "model": model_cases,
    "indices": index_cases,
    "graph": graph_cases,
    "shapes": shape_cases,
    "quant": quant_cases,
    "enum": enum_cases,
    "unsupported": unsupported_cases,
}

# Cases for one op family live in python_tests/malformed_<family>.py, whose
# cases(seed=None) returns triples named '<family>/<detail>' (models of
# their own, so the seed is unused); each file is a class here. A file whose
# models are large sets NEEDS_RAM (bytes): boards with less RAM skip its
# class (CLASS_RAM).
CLASS_RAM = {}
for _path in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "malformed_*.py"))):
    _family = os.path.basename(_path)[len("malformed_"):-3]
    _module = importlib.import_module("malformed_" + _family)
    CLASSES[_family] = _module.cases
    CLASS_RAM[_family] = getattr(_module, "NEEDS_RAM", None)


def all_cases(seed=None):
    """Every case of every class, in a fixed order."""
    seed = _seed(seed)
    out = []
    for fn in CLASSES.values():
        out.extend(fn(seed))
    return out
