"""Write small .tflite models directly, for tests.

A model is described op by op; the result is the flatbuffer bytes the TFLite
converter would produce for the same graph (schema version 3, one subgraph,
buffer 0 empty, constant data 16-byte aligned, file identifier "TFL3").

    b = ModelBuilder()
    x = b.tensor([1, 8], 'int8', scale=0.05, zero_point=-3, name='x')
    w = b.const(w_q, 'int8', scale=w_scales, zero_point=0, quantized_dim=0)
    bias = b.const(bias_q, 'int32', scale=bias_scales, zero_point=0)
    y = b.tensor([1, 4], 'int8', scale=0.1, zero_point=5)
    b.op('FULLY_CONNECTED', [x, w, bias], [y],
         options=dict(fused_activation_function='RELU'))
    b.inputs([x]); b.outputs([y])
    data = b.build()

Tensors are returned as `TensorRef`, an int (the tensor index) that also
carries the tensor's shape, dtype and quantization for use in references.
The helpers at the end run a model in the `tflite_micro` wheel (the oracle)
and compute quantization parameters.
"""

import math

import flatbuffers
import numpy as np

from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

FILE_IDENTIFIER = b"TFL3"
SCHEMA_VERSION = 3
BUFFER_ALIGNMENT = 16
# OperatorCode.deprecated_builtin_code is an int8: codes above this are stored
# in builtin_code with this placeholder in the old field.
PLACEHOLDER_FOR_GREATER_OP_CODES = 127


def _enum_members(enum_cls):
    return {k: v for k, v in vars(enum_cls).items() if not k.startswith("_")}


BUILTIN_OPS = _enum_members(schema.BuiltinOperator)  # name -> code
BUILTIN_OP_NAMES = {v: k for k, v in BUILTIN_OPS.items()}  # code -> name
TENSOR_TYPES = _enum_members(schema.TensorType)  # 'INT8' -> 9

# dtype name -> (TensorType value, numpy dtype or None)
DTYPES = {name: (getattr(schema.TensorType, name.upper()), np.dtype(name).type)
          for name in ("float32", "float16", "float64", "int8", "uint8", "int16", "uint16", "int32", "uint32",
                       "int64", "uint64")}
DTYPES.update({
    "bool": (schema.TensorType.BOOL, np.bool_),
    "int4": (schema.TensorType.INT4, None),  # packed two per byte
    "string": (schema.TensorType.STRING, None),
})
TYPE_NAMES = {v[0]: k for k, v in DTYPES.items()}  # TensorType -> dtype name

# Integer ranges used for quantization.
QRANGE = {
    "int8": (-128, 127),
    "uint8": (0, 255),
    "int16": (-32768, 32767),
    "int32": (-(2**31), 2**31 - 1),
    "int4": (-8, 7),
}


def dtype_name(dtype):
    """Normalize 'int8', 'INT8', np.int8, np.dtype('int8') or a TensorType value."""
    if isinstance(dtype, str):
        name = dtype.lower()
        if name in DTYPES:
            return name
        raise ValueError("unknown dtype %r" % dtype)
    if isinstance(dtype, (int, np.integer)) and not isinstance(dtype, bool):
        if int(dtype) in TYPE_NAMES:
            return TYPE_NAMES[int(dtype)]
        raise ValueError("unknown TensorType %r" % dtype)
    name = np.dtype(dtype).name
    if name == "bool":
        return "bool"
    if name in DTYPES:
        return name
    raise ValueError("unsupported dtype %r" % dtype)


def tensor_type(dtype):
    return DTYPES[dtype_name(dtype)][0]


def np_dtype(dtype):
    npd = DTYPES[dtype_name(dtype)][1]
    if npd is None:
        raise ValueError("no numpy dtype for %r" % dtype)
    return np.dtype(npd)


# ---------------------------------------------------------------------------
# Builtin options lookup

_OPTIONS = _enum_members(schema.BuiltinOptions)  # 'Conv2DOptions' -> 1
_OPTIONS2 = _enum_members(schema.BuiltinOptions2)

# Ops whose options table name is not the op name itself.
OPTIONS_FOR_OP = {
    "CONV_2D": "Conv2DOptions",
    "DEPTHWISE_CONV_2D": "DepthwiseConv2DOptions",
    "CONV_3D": "Conv3DOptions",
    "CONV_3D_TRANSPOSE": "Conv3DOptions",
    "AVERAGE_POOL_2D": "Pool2DOptions",
    "MAX_POOL_2D": "Pool2DOptions",
    "L2_POOL_2D": "Pool2DOptions",
    "MEAN": "ReducerOptions",
    "SUM": "ReducerOptions",
    "REDUCE_MAX": "ReducerOptions",
    "REDUCE_MIN": "ReducerOptions",
    "REDUCE_PROD": "ReducerOptions",
    "REDUCE_ANY": "ReducerOptions",
    "REDUCE_ALL": "ReducerOptions",
    "MAXIMUM": "MaximumMinimumOptions",
    "MINIMUM": "MaximumMinimumOptions",
    "L2_NORMALIZATION": "L2NormOptions",
    "UNIDIRECTIONAL_SEQUENCE_RNN": "SequenceRNNOptions",
    "RANDOM_STANDARD_NORMAL": "RandomOptions",
    "RANDOM_UNIFORM": "RandomOptions",
    "MULTINOMIAL": "RandomOptions",
    "ADD": "AddOptions",
    "RESHAPE": "ReshapeOptions",
    "SOFTMAX": "SoftmaxOptions",
    "QUANTIZE": "QuantizeOptions",
    "DEQUANTIZE": "DequantizeOptions",
    "FULLY_CONNECTED": "FullyConnectedOptions",
    "CONCATENATION": "ConcatenationOptions",
}


def _squash(name):
    return name.replace("_", "").upper()


def _build_options_table():
    by_squashed = {}
    for name in list(_OPTIONS) + list(_OPTIONS2):
        if name.endswith("Options"):
            by_squashed[_squash(name[: -len("Options")])] = name
    table = {}
    for op in BUILTIN_OPS:
        if op in OPTIONS_FOR_OP:
            table[op] = OPTIONS_FOR_OP[op]
        elif _squash(op) in by_squashed:
            table[op] = by_squashed[_squash(op)]
    return table


# op name -> options table name ('Conv2DOptions'), for every op that has one.
OP_OPTIONS = _build_options_table()

# Option fields holding an enum: field -> enum class (strings are looked up in it).
_ENUM_FIELDS = {
    "fusedActivationFunction": schema.ActivationFunctionType,
    "padding": schema.Padding,
    "weightsFormat": schema.FullyConnectedOptionsWeightsFormat,
    "kernelType": schema.LSTMKernelType,
    "combiner": schema.CombinerType,
    "mode": schema.MirrorPadMode,
    "outType": schema.TensorType,
    "outputType": schema.TensorType,
    "inDataType": schema.TensorType,
    "outDataType": schema.TensorType,
    "idxOutType": schema.TensorType,
    "quantizedBiasType": schema.TensorType,
}


def _camel(key):
    if "_" not in key:
        return key
    parts = key.split("_")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def _enum_value(enum_cls, value):
    if not isinstance(value, str):
        return value
    if enum_cls is schema.TensorType and value.lower() in DTYPES:
        return tensor_type(value)
    members = _enum_members(enum_cls)
    if value.upper() in members:
        return members[value.upper()]
    raise ValueError("%r is not a member of %s" % (value, enum_cls.__name__))


def make_options(op_name, options):
    """(union slot 1 or 2, union type value, *OptionsT object) for an op.

    `options` is a dict of option fields (snake_case or camelCase); enum
    fields accept member names. Returns (0, 0, None) for ops without options.
    """
    options = dict(options or {})
    table_name = OP_OPTIONS.get(op_name)
    if table_name is None:
        if options:
            raise ValueError("op %s takes no builtin options" % op_name)
        return 0, 0, None
    obj = getattr(schema, table_name + "T")()
    for key, value in options.items():
        field = _camel(key)
        if not hasattr(obj, field):
            raise ValueError("%s has no field %r (fields: %s)"
                             % (table_name, key, sorted(vars(obj))))
        if field in _ENUM_FIELDS:
            value = _enum_value(_ENUM_FIELDS[field], value)
        elif isinstance(value, str):
            raise ValueError("%s.%s: no enum known for %r" % (table_name, key, value))
        elif isinstance(value, np.ndarray):
            value = value.tolist()
        setattr(obj, field, value)
    if table_name in _OPTIONS:
        return 1, _OPTIONS[table_name], obj
    return 2, _OPTIONS2[table_name], obj


# ---------------------------------------------------------------------------
# Buffers with aligned data


class AlignedBufferT(schema.BufferT):
    """A BufferT whose data vector starts on an `alignment`-byte boundary."""

    def __init__(self, data=None, alignment=BUFFER_ALIGNMENT):
        super().__init__()
        self.data = None if data is None else bytes(data)
        self.alignment = alignment

    def Pack(self, builder):
        data = None
        if self.data is not None:
            n = len(self.data)
            builder.StartVector(1, n, self.alignment)
            builder.head -= n
            builder.Bytes[builder.head : builder.head + n] = self.data
            data = builder.EndVector()
        schema.BufferStart(builder)
        if data is not None:
            schema.BufferAddData(builder, data)
        return schema.BufferEnd(builder)


def _aligned(buf):
    if isinstance(buf, AlignedBufferT) or buf is None:
        return buf
    if buf.data is None or buf.offset or buf.size:  # external data: keep as is
        return buf
    return AlignedBufferT(np.asarray(buf.data, np.uint8).tobytes())


def pack_model(model_t, file_identifier=FILE_IDENTIFIER):
    """Serialize a schema.ModelT. Plain BufferT buffers are aligned too."""
    if model_t.buffers is not None:
        model_t.buffers = [_aligned(b) for b in model_t.buffers]
    fb = flatbuffers.Builder(1024)
    fb.Finish(model_t.Pack(fb), file_identifier=file_identifier)
    return bytes(fb.Output())


def unpack_model(data):
    """The schema.ModelT object tree of model bytes (for edits and inspection)."""
    return schema.ModelT.InitFromPackedBuf(bytearray(data), 0)


# ---------------------------------------------------------------------------
# Builder


class TensorRef(int):
    """A tensor index that remembers what it was made from."""

    def __new__(cls, index, shape, dtype, scale=None, zero_point=None,
                quantized_dim=0, name=None, data=None):
        self = super().__new__(cls, index)
        self.index = int(index)
        self.shape = None if shape is None else tuple(int(d) for d in shape)
        self.dtype = dtype
        self.scale = scale
        self.zero_point = zero_point
        self.quantized_dim = quantized_dim
        self.name = name
        self.data = data  # numpy data for constants
        return self

    def __repr__(self):
        return "TensorRef(%d, %s, %s, %r)" % (self.index, self.shape, self.dtype, self.name)


def make_quantization(scale, zero_point=0, quantized_dim=0, min=None, max=None):
    """QuantizationParametersT; scale/zero_point scalars or per-channel lists."""
    q = schema.QuantizationParametersT()
    if scale is not None:
        scales = [float(s) for s in np.atleast_1d(np.asarray(scale, np.float64))]
        zps = np.atleast_1d(np.asarray(0 if zero_point is None else zero_point, np.int64))
        if zps.size == 1 and len(scales) > 1:
            zps = np.repeat(zps, len(scales))
        q.scale = scales
        q.zeroPoint = [int(z) for z in zps]
        q.quantizedDimension = int(quantized_dim)
    if min is not None:
        q.min = [float(v) for v in np.atleast_1d(min)]
    if max is not None:
        q.max = [float(v) for v in np.atleast_1d(max)]
    return q


class ModelBuilder:
    """Collects tensors, buffers and ops of one subgraph; build() serializes."""

    def __init__(self, description="tflite_builder"):
        self.description = description
        self.tensors = []  # schema.TensorT
        self.refs = []  # TensorRef per tensor
        self.buffers = [AlignedBufferT(None)]  # buffer 0: empty, by convention
        self.opcodes = []  # schema.OperatorCodeT
        self._opcode_index = {}
        self.operators = []  # schema.OperatorT
        self._inputs = []
        self._outputs = []
        self.subgraph_name = None

    # -- tensors --

    def tensor(self, shape, dtype="float32", scale=None, zero_point=None,
               quantized_dim=0, name=None, variable=False, shape_signature=None,
               buffer=0, quantization=None):
        """An activation (no data). scale/zero_point as in make_quantization.

        `quantization` may be a ready QuantizationParametersT instead."""
        t = schema.TensorT()
        t.shape = [int(d) for d in shape] if shape is not None else None
        t.type = tensor_type(dtype)
        t.buffer = int(buffer)
        t.name = name if name is not None else "t%d" % len(self.tensors)
        t.isVariable = bool(variable)
        if shape_signature is not None:
            t.shapeSignature = [int(d) for d in shape_signature]
        if quantization is not None:
            t.quantization = quantization
        elif scale is not None:
            t.quantization = make_quantization(scale, zero_point, quantized_dim)
        self.tensors.append(t)
        ref = TensorRef(len(self.tensors) - 1, t.shape, dtype_name(dtype), scale,
                        zero_point, quantized_dim, t.name)
        self.refs.append(ref)
        return ref

    def add_buffer(self, data):
        """Append a buffer holding raw bytes; returns its index."""
        self.buffers.append(AlignedBufferT(bytes(data)))
        return len(self.buffers) - 1

    def const(self, data, dtype=None, scale=None, zero_point=None, quantized_dim=0,
              name=None, shape=None, raw=None):
        """A constant tensor holding `data` (cast to dtype) in its own buffer.

        `shape` defaults to data's shape; `raw` (bytes) overrides the stored
        bytes (e.g. for packed int4 or deliberately wrong sizes)."""
        arr = np.asarray(data)
        if dtype is None:
            dtype = dtype_name(arr.dtype)
        name_ = dtype_name(dtype)
        if raw is None:
            arr = arr.astype(np_dtype(name_))
            raw = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
        if shape is None:
            shape = arr.shape
        buf = self.add_buffer(raw)
        ref = self.tensor(shape, name_, scale=scale, zero_point=zero_point,
                          quantized_dim=quantized_dim,
                          name=name if name is not None else "c%d" % len(self.tensors),
                          buffer=buf)
        ref.data = arr
        return ref

    # -- ops --

    def opcode(self, op, version=1, custom_code=None):
        """Index of the operator code for a builtin (name or code) or custom op."""
        if custom_code is not None:
            code = schema.BuiltinOperator.CUSTOM
        elif isinstance(op, str):
            code = BUILTIN_OPS[op.upper()]
        else:
            code = int(op)
        version = 1 if version is None else int(version)
        key = (code, custom_code, version)
        if key not in self._opcode_index:
            oc = schema.OperatorCodeT()
            oc.builtinCode = code
            oc.deprecatedBuiltinCode = min(code, PLACEHOLDER_FOR_GREATER_OP_CODES)
            oc.version = version
            oc.customCode = custom_code
            self.opcodes.append(oc)
            self._opcode_index[key] = len(self.opcodes) - 1
        return self._opcode_index[key]

    @staticmethod
    def _indices(tensors):
        return [-1 if t is None else int(t) for t in tensors]

    def op(self, op, inputs, outputs, options=None, version=None,
           intermediates=None, omit_options=False):
        """Append a builtin op. `op` is a BuiltinOperator name or code.

        `options` is a dict of option fields (see make_options); ops that have
        an options table get one with schema defaults when it is not given,
        unless omit_options. None in `inputs` is an omitted optional input.
        Returns the operator's index."""
        name = op.upper() if isinstance(op, str) else BUILTIN_OP_NAMES[int(op)]
        o = schema.OperatorT()
        o.opcodeIndex = self.opcode(name, version)
        o.inputs = self._indices(inputs)
        o.outputs = self._indices(outputs)
        if intermediates is not None:
            o.intermediates = self._indices(intermediates)
        if not omit_options:
            slot, utype, obj = make_options(name, options)
            if slot == 1:
                o.builtinOptionsType, o.builtinOptions = utype, obj
            elif slot == 2:
                o.builtinOptions2Type, o.builtinOptions2 = utype, obj
        self.operators.append(o)
        return len(self.operators) - 1

    def custom_op(self, name, inputs, outputs, custom_options=b"", version=1):
        """Append a custom op; custom_options are stored as given (FLEXBUFFERS format)."""
        o = schema.OperatorT()
        o.opcodeIndex = self.opcode(None, version, custom_code=name)
        o.inputs = self._indices(inputs)
        o.outputs = self._indices(outputs)
        if custom_options is not None:
            o.customOptions = np.frombuffer(bytes(custom_options), np.uint8).copy()
        self.operators.append(o)
        return len(self.operators) - 1

    def inputs(self, tensors):
        self._inputs = self._indices(tensors)

    def outputs(self, tensors):
        self._outputs = self._indices(tensors)

    # -- output --

    def model_t(self):
        """The schema.ModelT this builder describes (a fresh tree each call)."""
        import copy

        sg = schema.SubGraphT()
        sg.tensors = copy.deepcopy(self.tensors)
        sg.inputs = list(self._inputs)
        sg.outputs = list(self._outputs)
        sg.operators = copy.deepcopy(self.operators)
        sg.name = self.subgraph_name
        m = schema.ModelT()
        m.version = SCHEMA_VERSION
        m.operatorCodes = copy.deepcopy(self.opcodes)
        m.subgraphs = [sg]
        m.description = self.description
        m.buffers = [AlignedBufferT(b.data, b.alignment) for b in self.buffers]
        return m

    def build(self):
        """The .tflite bytes."""
        return pack_model(self.model_t())


# ---------------------------------------------------------------------------
# Oracle


def op_model(op, ins, outs, version=None, **options):
    """A one-op model. `ins`: numpy arrays become constants, dicts quantized
    constants (data, scale, zero_point), tuples (shape, dtype[, scale,
    zero_point]) graph inputs; `outs` tuples."""
    b = ModelBuilder()

    def tensor(spec):
        shape, dtype = spec[0], spec[1] if len(spec) > 1 else "float32"
        if len(spec) > 2:
            return b.tensor(shape, dtype, scale=spec[2], zero_point=spec[3])
        return b.tensor(shape, dtype)

    graph_ins, op_ins = [], []
    for x in ins:
        if isinstance(x, np.ndarray):
            op_ins.append(b.const(x))
        elif isinstance(x, dict):
            op_ins.append(b.const(x["data"], scale=x["scale"], zero_point=x["zero_point"],
                                  quantized_dim=x.get("dim", 0)))
        else:
            t = tensor(x)
            graph_ins.append(t)
            op_ins.append(t)
    op_outs = [tensor(y) for y in outs]
    b.op(op, op_ins, op_outs, options=options or None, version=version)
    b.inputs(graph_ins)
    b.outputs(op_outs)
    return b.build()


def run_oracle(model_bytes, inputs, arena_size=16 * 1024 * 1024, n_outputs=None):
    """Run a model in the tflite_micro wheel; returns a list of output arrays."""
    from tflite_micro.python.tflite_micro import runtime

    it = runtime.Interpreter.from_bytes(bytes(model_bytes), arena_size=arena_size)
    for i, x in enumerate(inputs):
        it.set_input(np.ascontiguousarray(x), i)
    it.invoke()
    if n_outputs is None:
        n_outputs = len(unpack_model(model_bytes).subgraphs[0].outputs)
    return [np.array(it.get_output(i), copy=True) for i in range(n_outputs)]


def model_io(model_bytes):
    """[(shape, dtype name, scales, zero_points)] for inputs and for outputs."""
    m = unpack_model(model_bytes)
    sg = m.subgraphs[0]

    def info(i):
        t = sg.tensors[i]
        q = t.quantization
        scales = list(q.scale) if q is not None and q.scale is not None else []
        zps = list(q.zeroPoint) if q is not None and q.zeroPoint is not None else []
        return (tuple(int(d) for d in t.shape), TYPE_NAMES.get(t.type, t.type), scales, zps)

    return [info(i) for i in sg.inputs], [info(i) for i in sg.outputs]


def random_input(details_or_shape, dtype=None, rng=None, low=None, high=None):
    """Random data for a tensor: a shape (+dtype), a TensorRef, or a details dict
    from the oracle's get_input_details (keys 'shape' and 'dtype')."""
    if rng is None:
        rng = np.random.default_rng(0)
    if isinstance(details_or_shape, dict):
        shape = tuple(int(d) for d in details_or_shape["shape"])
        dtype = details_or_shape["dtype"] if dtype is None else dtype
    elif isinstance(details_or_shape, TensorRef):
        shape = details_or_shape.shape
        dtype = details_or_shape.dtype if dtype is None else dtype
    else:
        shape = tuple(int(d) for d in details_or_shape)
    name = dtype_name(dtype or "float32")
    npd = np_dtype(name)
    if name == "bool":
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    if npd.kind == "f":
        lo = -1.0 if low is None else low
        hi = 1.0 if high is None else high
        return rng.uniform(lo, hi, size=shape).astype(npd)
    info = np.iinfo(npd)
    lo = info.min if low is None else low
    hi = info.max if high is None else high
    if name in ("int32", "int64", "uint32", "uint64") and low is None and high is None:
        lo, hi = (-1000, 1000) if info.min < 0 else (0, 1000)
    return rng.integers(lo, hi, size=shape, endpoint=True).astype(npd)


# ---------------------------------------------------------------------------
# Quantization helpers (TFLite conventions: real = scale * (q - zero_point))


def round_half_away(x):
    """Round to nearest, ties away from zero (std::round, as TFLite uses)."""
    x = np.asarray(x, np.float64)
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def choose_qparams(rmin, rmax, dtype="int8", symmetric=None):
    """(scale, zero_point) covering [rmin, rmax] (widened to include 0).

    int16 (and symmetric=True) use zero_point 0 with a range of +-qmax."""
    name = dtype_name(dtype)
    qmin, qmax = QRANGE[name]
    rmin = min(float(rmin), 0.0)
    rmax = max(float(rmax), 0.0)
    if symmetric is None:
        symmetric = name in ("int16", "int32")
    if symmetric:
        bound = max(abs(rmin), abs(rmax))
        scale = bound / qmax if bound > 0 else 1.0
        return float(scale), 0
    if rmax == rmin:
        return 1.0, int(min(max(0, qmin), qmax))
    scale = (rmax - rmin) / (qmax - qmin)
    zp = int(round_half_away(qmin - rmin / scale))
    return float(scale), int(min(max(zp, qmin), qmax))


def _broadcast_qparams(scale, zero_point, ndim, axis):
    """Scale and zero point as float arrays; per-channel ones shaped to
    broadcast along `axis` of an `ndim`-D array."""
    scale = np.asarray(scale, np.float64)
    zp = np.asarray(zero_point, np.float64)
    if axis is not None and scale.ndim == 1:
        bshape = [1] * ndim
        bshape[axis] = -1
        scale = scale.reshape(bshape)
        if zp.ndim == 1:
            zp = zp.reshape(bshape)
    return scale, zp


def quantize(x, scale, zero_point=0, dtype="int8", axis=None):
    """Round-to-nearest quantization with saturation; per-channel along axis."""
    name = dtype_name(dtype)
    qmin, qmax = QRANGE[name]
    x = np.asarray(x, np.float64)
    scale, zp = _broadcast_qparams(scale, zero_point, x.ndim, axis)
    q = round_half_away(x / scale) + zp
    out_dtype = np.int8 if name == "int4" else np_dtype(name)
    return np.clip(q, qmin, qmax).astype(out_dtype)


def dequantize(q, scale, zero_point=0, axis=None):
    q = np.asarray(q, np.float64)
    scale, zp = _broadcast_qparams(scale, zero_point, q.ndim, axis)
    return (q - zp) * scale


def quantize_symmetric(w, dtype="int8", axis=None, narrow_range=True):
    """Symmetric weight quantization (zero_point 0).

    axis=None: per-tensor, returns (q, scale). Otherwise per-channel along
    `axis`, returns (q, scales array). int8 uses [-127, 127] by default as the
    converter does for weights."""
    name = dtype_name(dtype)
    qmin, qmax = QRANGE[name]
    if narrow_range:
        qmin = -qmax
    w = np.asarray(w, np.float64)
    if axis is None:
        m = float(np.max(np.abs(w))) if w.size else 0.0
        scale = m / qmax if m > 0 else 1.0
        q = np.clip(round_half_away(w / scale), qmin, qmax)
        return q.astype(np.int8 if name == "int4" else np_dtype(name)), scale
    axis = axis % w.ndim
    red = tuple(i for i in range(w.ndim) if i != axis)
    m = np.max(np.abs(w), axis=red) if w.size else np.zeros(w.shape[axis])
    scales = np.where(m > 0, m / qmax, 1.0)
    bshape = [1] * w.ndim
    bshape[axis] = -1
    q = np.clip(round_half_away(w / scales.reshape(bshape)), qmin, qmax)
    return q.astype(np.int8 if name == "int4" else np_dtype(name)), scales


def quantize_bias(bias, input_scale, weight_scale, dtype="int32"):
    """Bias quantized with scale input_scale * weight_scale(s), zero point 0.
    Returns (q, scales)."""
    scales = float(input_scale) * np.atleast_1d(np.asarray(weight_scale, np.float64))
    q = round_half_away(np.asarray(bias, np.float64) / (scales if scales.size > 1 else scales[0]))
    qmin, qmax = QRANGE[dtype_name(dtype)] if dtype_name(dtype) in QRANGE else (-(2**63), 2**63 - 1)
    return np.clip(q, qmin, qmax).astype(np_dtype(dtype)), scales


def activation_range(act, scale=None, zero_point=0, dtype="float32"):
    """(lo, hi) clamp for a fused activation; in the quantized domain when
    scale is given (the way TFLite computes it)."""
    act = (act or "NONE").upper()
    lo, hi = -math.inf, math.inf
    if act == "RELU":
        lo = 0.0
    elif act == "RELU6":
        lo, hi = 0.0, 6.0
    elif act == "RELU_N1_TO_1":
        lo, hi = -1.0, 1.0
    elif act != "NONE":
        raise ValueError("no clamp range for activation %s" % act)
    if scale is None:
        return lo, hi
    qmin, qmax = QRANGE[dtype_name(dtype)]
    qlo = qmin if lo == -math.inf else max(qmin, zero_point + int(round_half_away(lo / scale)))
    qhi = qmax if hi == math.inf else min(qmax, zero_point + int(round_half_away(hi / scale)))
    return qlo, qhi
