// Model verification and the interpreter's tensor and op tables.
//
// Walkthrough. A .tflite file is a flatbuffer: a root offset, the "TFL3"
// identifier, then tables reached through 32-bit relative offsets, each table
// described by a vtable of 16-bit field offsets. Nothing in it can be trusted,
// so verification goes top-down and checks every object before reading it:
//   1. the envelope: size, identifier (optionally size-prefixed), root table;
//   2. Model: schema version 3, operator codes, subgraphs (several only with
//      the control-flow family built in), buffers;
//   3. each buffer's data vector (or out-of-line offset/size) lies in the file;
//   then for every subgraph, called or not:
//   4. each tensor: type, rank and dims, element count x type size without
//      overflow, buffer index, constant data size == shape x type size, and
//      quantization (finite positive scales, zero points in the type's range,
//      per-channel arrays matching the quantized dimension);
//   5. each operator: opcode index, builtin code range, custom name, tensor
//      indices, options table structure;
//   6. subgraph inputs and outputs.
// Building (tflm_build_tables) then fills the arena's tensor and op tables,
// every subgraph's in one block each (subgraph 0's first), and checks each
// subgraph's graph: every op input produced before use (which also rules out
// cycles), no tensor written twice, no op writing a constant or a graph
// input, every graph output produced; and the subgraph indices of the ops
// that call subgraphs (IF, WHILE, CALL_ONCE). The calls' recursion and depth
// are checked by the planner, which lays them out. After this nothing
// re-checks structure.
#include <math.h>
#include "model.h"

// Schema field ids.
enum { MODEL_VERSION = 0, MODEL_OPCODES = 1, MODEL_SUBGRAPHS = 2, MODEL_BUFFERS = 4 };
enum { OPCODE_DEPRECATED = 0, OPCODE_CUSTOM = 1, OPCODE_VERSION = 2, OPCODE_BUILTIN = 3 };
enum { SG_TENSORS = 0, SG_INPUTS = 1, SG_OUTPUTS = 2, SG_OPERATORS = 3 };
enum {
    TENSOR_SHAPE = 0, TENSOR_TYPE = 1, TENSOR_BUFFER = 2, TENSOR_NAME = 3,
    TENSOR_QUANT = 4, TENSOR_IS_VARIABLE = 5, TENSOR_SPARSITY = 6,
};
enum { QUANT_SCALE = 2, QUANT_ZERO_POINT = 3, QUANT_DIM = 6 };
enum {
    OP_OPCODE = 0, OP_INPUTS = 1, OP_OUTPUTS = 2, OP_OPTIONS_TYPE = 3, OP_OPTIONS = 4,
    OP_CUSTOM_OPTIONS = 5, OP_INTERMEDIATES = 8,
};
enum { BUFFER_DATA = 0, BUFFER_OFFSET = 1, BUFFER_SIZE = 2 };

#define SCHEMA_VERSION (3)

static tflm_status_t bad(tflm_error_t *err, const char *what, int index, fb_check_t c) {
    if (index >= 0) {
        return tflm_fail(err, TFLM_ERR_MODEL, "%s %d %s", what, index, fb_check_str(c));
    }
    return tflm_fail(err, TFLM_ERR_MODEL, "%s %s", what, fb_check_str(c));
}

#define CHECK(expr, what, index) do { \
        fb_check_t c_ = (expr); \
        if (c_ != FB_OK) { \
            return bad(err, what, index, c_); \
        } \
} while (0)

static bool has_identifier(const uint8_t *p) {
    return p[0] == 'T' && p[1] == 'F' && p[2] == 'L' && p[3] == '3';
}

// Returns the builtin code of an operator code table (TFLite keeps codes
// below 127 in the deprecated int8 field and larger ones in an int32 field).
static int32_t opcode_builtin(const uint8_t *oc) {
    int32_t dep = fb_field_i8(oc, OPCODE_DEPRECATED, 0);
    int32_t code = fb_field_i32(oc, OPCODE_BUILTIN, 0);
    return code > dep ? code : dep;
}

static tflm_status_t verify_quant(const tflm_model_t *m, const uint8_t *q, int ti, int type,
    const int32_t *dims, int rank, tflm_error_t *err) {
    const uint8_t *scales, *zps;
    uint32_t n_scales, n_zps;
    CHECK(fb_vector(&m->b, q, QUANT_SCALE, 4, &scales, &n_scales), "tensor quantization scales of tensor", ti);
    CHECK(fb_vector(&m->b, q, QUANT_ZERO_POINT, 8, &zps, &n_zps), "tensor quantization zero points of tensor", ti);
    if (n_scales == 0) {
        return TFLM_OK; // only min/max recorded: treated as not quantized
    }
    if (n_zps != n_scales && n_zps != 0) {
        return tflm_fail(err, TFLM_ERR_MODEL, "tensor %d: %u scales but %u zero points",
            ti, (unsigned)n_scales, (unsigned)n_zps);
    }
    for (uint32_t i = 0; i < n_scales; i++) {
        float s = fb_f32(scales + 4 * i);
        if (!(s > 0.0f) || isinf(s)) {
            return tflm_fail(err, TFLM_ERR_MODEL, "tensor %d: quantization scale %u is not a positive finite number",
                ti, (unsigned)i);
        }
    }
    int64_t lo = INT32_MIN, hi = INT32_MAX;
    if (type == TFLM_INT8) {
        lo = -128;
        hi = 127;
    } else if (type == TFLM_UINT8) {
        lo = 0;
        hi = 255;
    } else if (type == TFLM_INT16) {
        lo = -32768;
        hi = 32767;
    }
    for (uint32_t i = 0; i < n_zps; i++) {
        int64_t z = fb_i64(zps + 8 * i);
        if (z < lo || z > hi) {
            return tflm_fail(err, TFLM_ERR_MODEL, "tensor %d: zero point %d outside the %s range",
                ti, (int32_t)(z < INT32_MIN ? INT32_MIN : z > INT32_MAX ? INT32_MAX : z), tflm_type_name(type));
        }
    }
    if (n_scales > 1) {
        int32_t qd = fb_field_i32(q, QUANT_DIM, 0);
        // Older converters copy a depthwise filter's quantized dimension (3)
        // onto its 1-D bias; the channel count still identifies the axis.
        if (rank == 1 && qd > 0 && (uint32_t)dims[0] == n_scales) {
            qd = 0;
        }
        if (qd < 0 || qd >= rank) {
            return tflm_fail(err, TFLM_ERR_MODEL, "tensor %d: quantized dimension %d out of range for rank %d",
                ti, qd, rank);
        }
        if ((uint32_t)dims[qd] != n_scales) {
            return tflm_fail(err, TFLM_ERR_MODEL, "tensor %d: %u per-channel scales for %d channels",
                ti, (unsigned)n_scales, dims[qd]);
        }
    }
    return TFLM_OK;
}

// Tensor shape and byte size; dims copied to `dims` (rank <= TFLM_MAX_RANK).
static tflm_status_t verify_shape(const tflm_model_t *m, const uint8_t *t, int ti, int type,
    int32_t *dims, int *rank, uint32_t *nbytes, tflm_error_t *err) {
    const uint8_t *shape;
    uint32_t n;
    CHECK(fb_vector(&m->b, t, TENSOR_SHAPE, 4, &shape, &n), "shape of tensor", ti);
    if (n > TFLM_MAX_RANK) {
        return tflm_fail(err, TFLM_ERR_UNSUPPORTED, "tensor %d: rank %u over the limit of %d",
            ti, (unsigned)n, TFLM_MAX_RANK);
    }
    uint64_t count = 1;
    // Also bounded: the product of the non-zero dims, so that with a zero
    // dim elsewhere no kernel's partial product of dims can overflow.
    uint64_t nonzero = 1;
    for (uint32_t i = 0; i < n; i++) {
        int32_t d = fb_i32(shape + 4 * i);
        if (d < 0) {
            return tflm_fail(err, TFLM_ERR_MODEL, "tensor %d: negative dimension %d", ti, d);
        }
        dims[i] = d;
        count *= (uint32_t)d;
        nonzero *= d ? (uint32_t)d : 1u;
        if (count > 0x7fffffffu || nonzero > 0x7fffffffu) {
            return tflm_fail(err, TFLM_ERR_MODEL, "tensor %d: element count overflows", ti);
        }
    }
    uint64_t bytes = count * tflm_type_size(type);
    if (bytes > 0x7fffffffu) {
        return tflm_fail(err, TFLM_ERR_MODEL, "tensor %d: byte size overflows", ti);
    }
    *rank = (int)n;
    *nbytes = (uint32_t)bytes;
    return TFLM_OK;
}

// Where a buffer's bytes are: its data vector, or for large models data
// stored after the flatbuffer at an offset from the file start. Reads a
// buffer verify_buffer accepted (on any other it may return garbage bounds).
static void buffer_data(const tflm_model_t *m, const uint8_t *buf, const uint8_t **data, uint32_t *size) {
    fb_vector(&m->b, buf, BUFFER_DATA, 1, data, size);
    const uint8_t *off_f = fb_field(buf, BUFFER_OFFSET, 8);
    uint64_t off = off_f ? (uint64_t)fb_i64(off_f) : 0;
    if (off > 1) {
        const uint8_t *size_f = fb_field(buf, BUFFER_SIZE, 8);
        *data = m->b.base + off;
        *size = (uint32_t)(size_f ? (uint64_t)fb_i64(size_f) : 0);
    }
}

static tflm_status_t verify_buffer(const tflm_model_t *m, const uint8_t *buf, int bi,
    const uint8_t **data, uint32_t *size, tflm_error_t *err) {
    CHECK(fb_vector(&m->b, buf, BUFFER_DATA, 1, data, size), "data of buffer", bi);
    const uint8_t *off_f = fb_field(buf, BUFFER_OFFSET, 8);
    const uint8_t *size_f = fb_field(buf, BUFFER_SIZE, 8);
    uint64_t off = off_f ? (uint64_t)fb_i64(off_f) : 0;
    uint64_t sz = size_f ? (uint64_t)fb_i64(size_f) : 0;
    if (off > 1 && (off > m->b.len || sz > m->b.len - off)) {
        return tflm_fail(err, TFLM_ERR_MODEL, "buffer %d: offset/size point outside the model", bi);
    }
    buffer_data(m, buf, data, size);
    return TFLM_OK;
}

static tflm_status_t verify_tensor(const tflm_model_t *m, const uint8_t *t, int ti, tflm_error_t *err) {
    int type = fb_field_i8(t, TENSOR_TYPE, 0);
    if (tflm_type_size(type) == 0 || type == TFLM_STRING) {
        if (type == TFLM_STRING || (type > TFLM_INT8 && type <= 21)) {
            return tflm_fail(err, TFLM_ERR_UNSUPPORTED, "tensor %d: type %s (%d) is not supported",
                ti, tflm_type_name(type), type);
        }
        return tflm_fail(err, TFLM_ERR_MODEL, "tensor %d: unknown type %d", ti, type);
    }
    const char *name;
    uint32_t name_len;
    CHECK(fb_string(&m->b, t, TENSOR_NAME, &name, &name_len), "name of tensor", ti);
    const uint8_t *sparsity;
    CHECK(fb_table(&m->b, t, TENSOR_SPARSITY, &sparsity), "sparsity of tensor", ti);
    if (sparsity) {
        return tflm_fail(err, TFLM_ERR_UNSUPPORTED, "tensor %d: sparse tensors are not supported", ti);
    }
    int32_t dims[TFLM_MAX_RANK];
    int rank = 0;
    uint32_t nbytes = 0;
    tflm_status_t s = verify_shape(m, t, ti, type, dims, &rank, &nbytes, err);
    if (s != TFLM_OK) {
        return s;
    }
    uint32_t bi = fb_field_u32(t, TENSOR_BUFFER, 0);
    if (bi >= m->n_buffers) {
        return tflm_fail(err, TFLM_ERR_MODEL, "tensor %d: buffer %u out of range", ti, (unsigned)bi);
    }
    const uint8_t *buf;
    CHECK(fb_vector_table(&m->b, m->buffers, bi, &buf), "buffer", (int)bi);
    const uint8_t *data;
    uint32_t size;
    s = verify_buffer(m, buf, (int)bi, &data, &size, err);
    if (s != TFLM_OK) {
        return s;
    }
    if (size != 0 && size != nbytes) {
        return tflm_fail(err, TFLM_ERR_MODEL, "tensor %d: constant data is %u bytes, shape needs %u",
            ti, (unsigned)size, (unsigned)nbytes);
    }
    // Kernels read constants through typed pointers and Cortex-M faults on
    // misaligned float and word loads. 64-bit values need only 4 (ARMv7-M
    // loads them as two words; kernels read them with memcpy), which real
    // models rely on.
    size_t align = tflm_type_size(type);
    align = align > 4 ? 4 : align;
    if (size != 0 && align > 1 && ((size_t)(data - m->b.base) & (align - 1)) != 0) {
        return tflm_fail(err, TFLM_ERR_MODEL, "tensor %d: constant data misaligned for %s",
            ti, tflm_type_name(type));
    }
    const uint8_t *q;
    CHECK(fb_table(&m->b, t, TENSOR_QUANT, &q), "quantization of tensor", ti);
    if (q) {
        return verify_quant(m, q, ti, type, dims, rank, err);
    }
    return TFLM_OK;
}

static tflm_status_t verify_index_vector(const tflm_model_t *m, const uint8_t *vec, uint32_t n,
    bool optional_ok, const char *what, int oi, tflm_error_t *err) {
    if (n > TFLM_MAX_OP_IO) {
        return tflm_fail(err, TFLM_ERR_MODEL, "op %d: %u %s is too many", oi, (unsigned)n, what);
    }
    for (uint32_t i = 0; i < n; i++) {
        int32_t ti = fb_i32(vec + 4 * i);
        if (ti == -1 && optional_ok) {
            continue;
        }
        if (ti < 0 || (uint32_t)ti >= m->n_tensors) {
            if (oi < 0) {
                return tflm_fail(err, TFLM_ERR_MODEL, "subgraph %s: tensor %d out of range", what, ti);
            }
            return tflm_fail(err, TFLM_ERR_MODEL, "op %d: %s tensor %d out of range", oi, what, ti);
        }
    }
    return TFLM_OK;
}

static tflm_status_t verify_op(const tflm_model_t *m, const uint8_t *op, int oi, tflm_error_t *err) {
    uint32_t oc = fb_field_u32(op, OP_OPCODE, 0);
    if (oc >= m->n_opcodes) {
        return tflm_fail(err, TFLM_ERR_MODEL, "op %d: opcode index %u out of range", oi, (unsigned)oc);
    }
    const uint8_t *vec;
    uint32_t n;
    CHECK(fb_vector(&m->b, op, OP_INPUTS, 4, &vec, &n), "inputs of op", oi);
    tflm_status_t s = verify_index_vector(m, vec, n, true, "input", oi, err);
    if (s != TFLM_OK) {
        return s;
    }
    CHECK(fb_vector(&m->b, op, OP_OUTPUTS, 4, &vec, &n), "outputs of op", oi);
    s = verify_index_vector(m, vec, n, false, "output", oi, err);
    if (s != TFLM_OK) {
        return s;
    }
    CHECK(fb_vector(&m->b, op, OP_INTERMEDIATES, 4, &vec, &n), "intermediates of op", oi);
    s = verify_index_vector(m, vec, n, false, "intermediate", oi, err);
    if (s != TFLM_OK) {
        return s;
    }
    CHECK(fb_vector(&m->b, op, OP_CUSTOM_OPTIONS, 1, &vec, &n), "custom options of op", oi);
    const uint8_t *opts;
    CHECK(fb_table(&m->b, op, OP_OPTIONS, &opts), "options of op", oi);
    return TFLM_OK;
}

typedef tflm_status_t (*verify_fn)(const tflm_model_t *m, const uint8_t *table, int index, tflm_error_t *err);

static tflm_status_t verify_buffer_entry(const tflm_model_t *m, const uint8_t *buf, int bi, tflm_error_t *err) {
    const uint8_t *data;
    uint32_t size;
    return verify_buffer(m, buf, bi, &data, &size, err);
}

// Checks each table of a vector of tables, then its contents with `verify`.
static tflm_status_t verify_each(const tflm_model_t *m, const uint8_t *vec, uint32_t n, const char *what,
    verify_fn verify, tflm_error_t *err) {
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *table;
        CHECK(fb_vector_table(&m->b, vec, i, &table), what, (int)i);
        tflm_status_t s = verify(m, table, (int)i, err);
        if (s != TFLM_OK) {
            return s;
        }
    }
    return TFLM_OK;
}

// The envelope: size, identifier (optionally size-prefixed), root table.
static tflm_status_t open_envelope(tflm_model_t *m, const uint8_t *data, size_t len, tflm_error_t *err) {
    memset(m, 0, sizeof(*m));
    if (data == NULL || len < 8) {
        return tflm_fail(err, TFLM_ERR_MODEL, "model is %u bytes, too short to be a .tflite file", (unsigned)len);
    }
    if (len > 0x7fffffffu) {
        return tflm_fail(err, TFLM_ERR_MODEL, "model larger than 2 GB");
    }
    if (!has_identifier(data + 4)) {
        // A size-prefixed flatbuffer carries its length first.
        if (len >= 12 && has_identifier(data + 8)) {
            if (fb_u32(data) != len - 4) {
                return tflm_fail(err, TFLM_ERR_MODEL, "size prefix %u does not match the %u bytes that follow",
                    (unsigned)fb_u32(data), (unsigned)(len - 4));
            }
            data += 4;
            len -= 4;
        } else {
            return tflm_fail(err, TFLM_ERR_MODEL, "not a .tflite model: file identifier is not TFL3");
        }
    }
    m->b.base = data;
    m->b.len = len;
    uint32_t root = fb_u32(data);
    if (root < 8 || root > len - 4) {
        return tflm_fail(err, TFLM_ERR_MODEL, "root table offset %u out of range", (unsigned)root);
    }
    m->root = data + root;
    CHECK(fb_check_table(&m->b, m->root), "root table", -1);
    return TFLM_OK;
}

// Subgraph s's sections: tensors, operators, inputs and outputs. Only
// subgraph 0, the model's, must have outputs (an init subgraph that
// CALL_ONCE runs has none).
static tflm_status_t open_subgraph(tflm_model_t *m, uint32_t s, tflm_error_t *err) {
    CHECK(fb_vector_table(&m->b, m->subgraphs, s, &m->subgraph), "subgraph", (int)s);
    CHECK(fb_vector(&m->b, m->subgraph, SG_TENSORS, 4, &m->tensors, &m->n_tensors), "tensors", -1);
    CHECK(fb_vector(&m->b, m->subgraph, SG_OPERATORS, 4, &m->ops, &m->n_ops), "operators", -1);
    CHECK(fb_vector(&m->b, m->subgraph, SG_INPUTS, 4, &m->inputs, &m->n_inputs), "subgraph inputs", -1);
    CHECK(fb_vector(&m->b, m->subgraph, SG_OUTPUTS, 4, &m->outputs, &m->n_outputs), "subgraph outputs", -1);
    if (m->tensors == NULL) {
        return tflm_fail(err, TFLM_ERR_MODEL, "subgraph %d has no tensors section", (int)s);
    }
    if (m->ops == NULL) {
        return tflm_fail(err, TFLM_ERR_MODEL, "subgraph %d has no operators section", (int)s);
    }
    if (m->n_outputs == 0 && s == 0) {
        return tflm_fail(err, TFLM_ERR_MODEL, "subgraph has no outputs");
    }
    m->selected = s;
    return TFLM_OK;
}

// The model's sections: operator codes, buffers, the subgraphs, and
// subgraph 0's tensors, operators, inputs and outputs.
static tflm_status_t open_sections(tflm_model_t *m, tflm_error_t *err) {
    uint32_t version = fb_field_u32(m->root, MODEL_VERSION, 0);
    if (version != SCHEMA_VERSION) {
        return tflm_fail(err, TFLM_ERR_MODEL, "schema version %u, expected %d", (unsigned)version, SCHEMA_VERSION);
    }
    CHECK(fb_vector(&m->b, m->root, MODEL_OPCODES, 4, &m->opcodes, &m->n_opcodes), "operator codes", -1);
    CHECK(fb_vector(&m->b, m->root, MODEL_BUFFERS, 4, &m->buffers, &m->n_buffers), "buffers", -1);
    CHECK(fb_vector(&m->b, m->root, MODEL_SUBGRAPHS, 4, &m->subgraphs, &m->n_subgraphs), "subgraphs", -1);
    if (m->opcodes == NULL) {
        return tflm_fail(err, TFLM_ERR_MODEL, "model has no operator codes section");
    }
    if (m->buffers == NULL) {
        return tflm_fail(err, TFLM_ERR_MODEL, "model has no buffers section");
    }
    if (m->n_subgraphs == 0) {
        return tflm_fail(err, TFLM_ERR_MODEL, "model has no subgraph");
    }
    // Without the control-flow family nothing could run another subgraph.
    if (m->n_subgraphs > (MICROPY_TFLM_OP_CONTROL_FLOW ? TFLM_MAX_SUBGRAPHS : 1)) {
        return tflm_fail(err, TFLM_ERR_UNSUPPORTED, MICROPY_TFLM_OP_CONTROL_FLOW
            ? "model has %u subgraphs; the limit is %d" : "model has %u subgraphs; control flow is not supported",
            (unsigned)m->n_subgraphs, TFLM_MAX_SUBGRAPHS);
    }
    return open_subgraph(m, 0, err);
}

void tflm_model_view(tflm_model_t *m, const uint8_t *data, size_t len) {
    // Both steps passed on these bytes in tflm_model_open: they only find
    // the sections again (a few table look-ups), they cannot fail.
    tflm_error_t unused;
    open_envelope(m, data, len, &unused);
    open_sections(m, &unused);
}

void tflm_model_select(tflm_model_t *m, uint32_t s) {
    tflm_error_t unused;
    if (s != m->selected) {
        open_subgraph(m, s, &unused);
    }
}

// One subgraph: its tensors, operators, inputs and outputs.
static tflm_status_t verify_subgraph(const tflm_model_t *m, tflm_error_t *err) {
    tflm_status_t s = verify_each(m, m->tensors, m->n_tensors, "tensor", verify_tensor, err);
    if (s == TFLM_OK) {
        s = verify_each(m, m->ops, m->n_ops, "op", verify_op, err);
    }
    if (s == TFLM_OK) {
        s = verify_index_vector(m, m->inputs, m->n_inputs, false, "input", -1, err);
    }
    if (s == TFLM_OK) {
        s = verify_index_vector(m, m->outputs, m->n_outputs, false, "output", -1, err);
    }
    return s;
}

tflm_status_t tflm_model_open(tflm_model_t *m, const uint8_t *data, size_t len, tflm_error_t *err,
    uint32_t *n_tensors, uint32_t *n_ops) {
    tflm_status_t s = open_envelope(m, data, len, err);
    if (s == TFLM_OK) {
        s = open_sections(m, err);
    }
    if (s != TFLM_OK) {
        return s;
    }

    for (uint32_t i = 0; i < m->n_opcodes; i++) {
        const uint8_t *oc;
        CHECK(fb_vector_table(&m->b, m->opcodes, i, &oc), "operator code", (int)i);
        int32_t code = opcode_builtin(oc);
        if (code < 0 || code > TFLM_BUILTIN_MAX) {
            return tflm_fail(err, TFLM_ERR_MODEL, "operator code %d: builtin code %d out of range", (int)i, code);
        }
        const char *name;
        uint32_t name_len;
        CHECK(fb_string(&m->b, oc, OPCODE_CUSTOM, &name, &name_len), "custom name of operator code", (int)i);
        if (code == TFLM_OP_CUSTOM && name_len == 0) {
            return tflm_fail(err, TFLM_ERR_MODEL, "operator code %d: custom op without a name", (int)i);
        }
    }
    s = verify_each(m, m->buffers, m->n_buffers, "buffer", verify_buffer_entry, err);
    // Every subgraph, called or not, gets the same checks (and counts
    // towards the limits: the tables hold them all).
    uint32_t tensors = 0, ops = 0;
    for (uint32_t i = 0; i < tflm_model_subgraphs(m) && s == TFLM_OK; i++) {
        s = i ? open_subgraph(m, i, err) : TFLM_OK; // subgraph 0's: opened above
        tensors += m->n_tensors;
        ops += m->n_ops;
        if (s == TFLM_OK && (tensors > TFLM_MAX_TENSORS || ops > TFLM_MAX_OPS)) {
            return tflm_fail(err, TFLM_ERR_UNSUPPORTED, "model has %u tensors and %u ops; the limit is %d each",
                (unsigned)tensors, (unsigned)ops, TFLM_MAX_TENSORS);
        }
        if (s == TFLM_OK) {
            s = verify_subgraph(m, err);
        }
    }
    *n_tensors = tensors;
    *n_ops = ops;
    tflm_model_select(m, 0);
    return s;
}

// The op's builtin code and, for custom ops, its name.
int32_t tflm_model_op_code(const tflm_model_t *m, const uint8_t *op, const char **custom, int *version) {
    const uint8_t *oc;
    fb_vector_table(&m->b, m->opcodes, fb_field_u32(op, OP_OPCODE, 0), &oc);
    uint32_t len;
    fb_string(&m->b, oc, OPCODE_CUSTOM, custom, &len);
    *version = fb_field_i32(oc, OPCODE_VERSION, 1);
    return opcode_builtin(oc);
}

const tflm_kernel_t *tflm_find_kernel(int32_t code, const char *custom) {
    if (code != TFLM_OP_CUSTOM) {
        unsigned pos = code >= 0 && code <= TFLM_BUILTIN_MAX ? tflm_kernel_by_code[code] : 0;
        return pos ? tflm_kernels[pos - 1] : NULL;
    }
    // Custom ops share one code: their names tell them apart.
    for (size_t i = tflm_n_builtin_kernels; i < tflm_n_kernels && custom; i++) {
        if (strcmp(tflm_kernels[i]->custom, custom) == 0) {
            return tflm_kernels[i];
        }
    }
    return NULL;
}

// Reads a verified tensor into its table entry (no checks repeated).
static void fill_tensor(const tflm_model_t *m, const uint8_t *t, tflm_tensor_t *out) {
    out->type = (uint8_t)fb_field_i8(t, TENSOR_TYPE, 0);
    // Shapes stay in the model, as weights do: the caller keeps the model
    // bytes alive and unchanged (the binding copies writable buffers).
    const uint8_t *shape;
    uint32_t rank;
    fb_vector(&m->b, t, TENSOR_SHAPE, 4, &shape, &rank);
    out->dims = (const int32_t *)(const void *)shape;
    out->rank = (uint8_t)rank;
    if (fb_field_u8(t, TENSOR_IS_VARIABLE, 0)) {
        out->flags |= TFLM_T_VARIABLE;
    }
    const uint8_t *buf, *data;
    uint32_t size;
    fb_vector_table(&m->b, m->buffers, fb_field_u32(t, TENSOR_BUFFER, 0), &buf);
    buffer_data(m, buf, &data, &size);
    if (size != 0) {
        out->flags |= TFLM_T_CONST;
        out->data = (uint8_t *)data;
    }
    const uint8_t *q;
    fb_table(&m->b, t, TENSOR_QUANT, &q);
    if (q != NULL) {
        const uint8_t *scales, *zps;
        uint32_t n_scales, n_zps;
        fb_vector(&m->b, q, QUANT_SCALE, 4, &scales, &n_scales);
        fb_vector(&m->b, q, QUANT_ZERO_POINT, 8, &zps, &n_zps);
        if (n_scales != 0) {
            out->flags |= TFLM_T_QUANT;
            out->scale = fb_f32(scales);
            out->zero_point = n_zps ? (int32_t)fb_i64(zps) : 0;
            if (n_scales > 1) {
                out->flags |= TFLM_T_PER_CHANNEL;
                out->quant_dim = rank == 1 ? 0 : (uint8_t)fb_field_i32(q, QUANT_DIM, 0);
            }
        }
    }
}

// Verified model-side details of tensor `index` (of any subgraph), read only
// outside invoke.
static const uint8_t *model_tensor(tflm_interp_t *ip, int index) {
    fb_buf_t b = {ip->model, ip->model_len};
    const uint8_t *t = NULL, *tensors = ip->model_tensors;
    const tflm_subgraph_t *sg = MICROPY_TFLM_OP_CONTROL_FLOW && ip->graph ? ip->graph->subgraphs : NULL;
    for (unsigned s = 1; sg && s < ip->graph->n_subgraphs; s++) {
        if (index >= sg[s].first_tensor && index < sg[s].first_tensor + sg[s].n_tensors) {
            // Another subgraph's tensor (prepare of its ops): its vector.
            tflm_model_t m;
            tflm_model_view(&m, ip->model, ip->model_len);
            tflm_model_select(&m, s);
            tensors = m.tensors;
            index -= sg[s].first_tensor;
            break;
        }
    }
    if (index >= 0 && index < ip->n_tensors) {
        fb_vector_table(&b, tensors, (uint32_t)index, &t);
    }
    return t;
}

const char *tflm_tensor_name(tflm_interp_t *ip, int index, size_t *len) {
    fb_buf_t b = {ip->model, ip->model_len};
    const uint8_t *t = model_tensor(ip, index);
    const char *name = NULL;
    uint32_t n = 0;
    if (t == NULL || fb_string(&b, t, TENSOR_NAME, &name, &n) != FB_OK || name == NULL) {
        *len = 0;
        return "";
    }
    *len = n;
    return name;
}

const uint8_t *tflm_channel_scales(tflm_interp_t *ip, const tflm_tensor_t *tensor, uint32_t *count) {
    fb_buf_t b = {ip->model, ip->model_len};
    const uint8_t *t = model_tensor(ip, (int)(tensor - ip->tensors));
    const uint8_t *q = NULL, *scales = NULL;
    *count = 0;
    if (t == NULL || fb_table(&b, t, TENSOR_QUANT, &q) != FB_OK || q == NULL
        || fb_vector(&b, q, QUANT_SCALE, 4, &scales, count) != FB_OK) {
        *count = 0;
        return NULL;
    }
    return scales;
}

// How many subgraphs an op of this builtin code runs (IF, WHILE: two,
// CALL_ONCE: one), found in its options' first fields.
static unsigned call_count(int builtin) {
    if (!MICROPY_TFLM_OP_CONTROL_FLOW) {
        return 0;
    }
    return builtin == TFLM_OP_IF || builtin == TFLM_OP_WHILE ? 2 : builtin == TFLM_OP_CALL_ONCE;
}

// An op without a usable kernel ends building the tables (its status
// returned), except in the host model check, which notes it and goes on with
// the checker's stand-in (model.h).
#if TFLM_CHECK_ALL_OPS
#define KERNEL_MISSING(status) k = tflm_check_stub(ip, nbase + i, (status), fb_field_u8(op, OP_OPTIONS_TYPE, 0))
#else
#define KERNEL_MISSING(status) return (status)
#endif

// The tables of the selected subgraph of m: its tensors from ip->tensors[tbase]
// and ops from ip->nodes[nbase], its inputs' and outputs' indices then its
// ops' from *pool (moved past them), with the graph checks. Counts the ops
// that call subgraphs and the VAR_HANDLE ops. Messages name the model's
// (per-subgraph) indices.
static tflm_status_t build_subgraph(tflm_interp_t *ip, const tflm_model_t *m, uint16_t tbase, uint16_t nbase,
    int16_t **pool_p, uint16_t *n_calls, uint16_t *n_handles) {
    tflm_error_t *err = &ip->err;
    int16_t *pool = *pool_p;
    for (uint32_t i = 0; i < m->n_tensors; i++) {
        const uint8_t *t;
        fb_vector_table(&m->b, m->tensors, i, &t);
        fill_tensor(m, t, &ip->tensors[tbase + i]);
    }
    int16_t *in = pool;
    for (uint32_t i = 0; i < m->n_inputs; i++) {
        int32_t ti = fb_i32(m->inputs + 4 * i);
        in[i] = (int16_t)(tbase + ti);
        tflm_tensor_t *t = &ip->tensors[in[i]];
        if (t->flags & TFLM_T_CONST) {
            return tflm_fail(err, TFLM_ERR_MODEL, "graph input tensor %d is a constant", ti);
        }
        t->flags |= TFLM_T_INPUT;
    }
    int16_t *out = in + m->n_inputs;
    for (uint32_t i = 0; i < m->n_outputs; i++) {
        out[i] = (int16_t)(tbase + fb_i32(m->outputs + 4 * i));
        ip->tensors[out[i]].flags |= TFLM_T_OUTPUT;
    }
    pool = out + m->n_outputs;

    for (uint32_t i = 0; i < m->n_ops; i++) {
        tflm_node_t *node = &ip->nodes[nbase + i];
        const uint8_t *op;
        fb_vector_table(&m->b, m->ops, i, &op);
        const char *custom;
        int version;
        int32_t code = tflm_model_op_code(m, op, &custom, &version);
        node->builtin = (uint16_t)code;
        node->version = (uint8_t)(version < 0 ? 0 : version > 255 ? 255 : version);
        const tflm_kernel_t *k = tflm_find_kernel(code, custom);
        if (k == NULL && code == TFLM_OP_CUSTOM) {
            KERNEL_MISSING(tflm_fail(err, TFLM_ERR_UNSUPPORTED, "op %d: custom op '%s' is not supported",
                (int)i, custom));
        } else if (k == NULL) {
            const char *name = tflm_op_name(code);
            KERNEL_MISSING(tflm_fail(err, TFLM_ERR_UNSUPPORTED, "op %d: %s (builtin %d) is not supported",
                (int)i, name ? name : "op", code));
        } else if (version < 1 || version > k->max_version) {
            KERNEL_MISSING(tflm_fail(err, TFLM_ERR_UNSUPPORTED, "op %d: %s version %d is not supported (up to %d)",
                (int)i, tflm_kernel_name(k), version, k->max_version));
        }
        node->kernel = k;
        *n_calls += call_count(code) != 0;
        *n_handles += MICROPY_TFLM_OP_VARIABLES && code == TFLM_OP_VAR_HANDLE;
        node->options_type = fb_field_u8(op, OP_OPTIONS_TYPE, 0);
        fb_table(&m->b, op, OP_OPTIONS, &node->options);
        if (node->options_type > TFLM_OPTIONS_MAX) {
            return tflm_fail(err, TFLM_ERR_MODEL, "op %d: builtin options type %d out of range",
                (int)i, node->options_type);
        }
        if (node->options && node->options_type != k->options_type) {
            return tflm_fail(err, TFLM_ERR_MODEL, "op %d: %s options of type %d, expected %d",
                (int)i, tflm_kernel_name(k), node->options_type, k->options_type);
        }
        if (node->options_type != k->options_type) {
            node->options = NULL; // absent or mislabelled: defaults apply
        }
        if (k->custom) {
            // The custom_options vector from its length prefix (verified).
            const uint8_t *bytes;
            uint32_t len;
            fb_vector(&m->b, op, OP_CUSTOM_OPTIONS, 1, &bytes, &len);
            node->options = bytes ? bytes - 4 : NULL;
        }

        const uint8_t *vec;
        uint32_t n;
        fb_vector(&m->b, op, OP_INPUTS, 4, &vec, &n);
        node->inputs = pool;
        node->n_inputs = (uint16_t)n;
        for (uint32_t j = 0; j < n; j++) {
            int32_t ti = fb_i32(vec + 4 * j);
            pool[j] = (int16_t)(ti < 0 ? ti : tbase + ti);
            if (ti < 0) {
                continue;
            }
            tflm_tensor_t *t = &ip->tensors[pool[j]];
            if (t->flags & (TFLM_T_CONST | TFLM_T_INPUT | TFLM_T_VARIABLE | TFLM_T_PRODUCED)) {
                continue;
            }
            {
                if (tflm_tensor_bytes(t) == 0) {
                    // An empty operand (e.g. no axes) needs no data: a constant.
                    t->flags |= TFLM_T_CONST;
                    continue;
                }
                return tflm_fail(err, TFLM_ERR_MODEL, "op %d: input tensor %d is used before any op produces it",
                    (int)i, ti);
            }
        }
        pool += n;
        fb_vector(&m->b, op, OP_OUTPUTS, 4, &vec, &n);
        // Only ops that write no tensor (ASSIGN_VARIABLE, CALL_ONCE) may
        // have no outputs.
        if (n == 0 && k->n_outputs != 0) {
            return tflm_fail(err, TFLM_ERR_MODEL, "op %d: no outputs", (int)i);
        }
        node->n_outputs = (uint16_t)n;
        for (uint32_t j = 0; j < n; j++) {
            int32_t ti = fb_i32(vec + 4 * j);
            pool[j] = (int16_t)(tbase + ti);
            tflm_tensor_t *t = &ip->tensors[pool[j]];
            if (t->flags & TFLM_T_CONST) {
                return tflm_fail(err, TFLM_ERR_MODEL, "op %d: output tensor %d is a constant", (int)i, ti);
            }
            if (t->flags & TFLM_T_INPUT) {
                return tflm_fail(err, TFLM_ERR_MODEL, "op %d: output tensor %d is a graph input", (int)i, ti);
            }
            if ((t->flags & TFLM_T_PRODUCED) && !(t->flags & TFLM_T_VARIABLE)) {
                return tflm_fail(err, TFLM_ERR_MODEL, "op %d: output tensor %d is already written by an earlier op",
                    (int)i, ti);
            }
            t->flags |= TFLM_T_PRODUCED;
        }
        pool += n;
    }
    for (uint32_t i = 0; i < m->n_outputs; i++) {
        tflm_tensor_t *t = &ip->tensors[out[i]];
        if (!(t->flags & (TFLM_T_CONST | TFLM_T_INPUT | TFLM_T_VARIABLE | TFLM_T_PRODUCED))) {
            return tflm_fail(err, TFLM_ERR_MODEL, "graph output tensor %d is never produced", out[i] - tbase);
        }
    }
    *pool_p = pool;
    return TFLM_OK;
}

// The control-flow ops' calls (subgraph indices from their options, in
// range) and room for the resource variables, in ip->graph (made here for a
// model of one subgraph). Recursion and the nesting depth are checked with
// the timeline they shape, in the planner (plan.c), which has the workspace
// for it.
static tflm_status_t build_graph(tflm_interp_t *ip, unsigned n_subgraphs, uint16_t n_calls, uint16_t n_handles) {
    tflm_graph_t *g = ip->graph ? ip->graph : (ip->graph = tflm_alloc_persistent(ip, sizeof(tflm_graph_t)));
    if (g == NULL || (g->calls = tflm_alloc_persistent(ip, n_calls * sizeof(tflm_call_t))) == NULL
        || (g->vars = tflm_alloc_persistent(ip, n_handles * sizeof(tflm_var_t))) == NULL) {
        return TFLM_ERR_ARENA;
    }
    g->max_vars = n_handles;
    #if MICROPY_TFLM_OP_CONTROL_FLOW
    for (uint16_t n = 0; n < ip->n_nodes; n++) {
        tflm_node_t *node = &ip->nodes[n];
        unsigned count = call_count(node->builtin);
        if (count == 0) {
            continue;
        }
        tflm_call_t *c = &g->calls[g->n_calls++];
        c->node = n;
        c->callee[1] = TFLM_NO_SUBGRAPH;
        for (unsigned j = 0; j < count; j++) {
            int32_t callee = tflm_opt_i32(node, j, 0);
            if (callee < 0 || (unsigned)callee >= n_subgraphs) {
                return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "subgraph %d out of range (model has %u)",
                    callee, n_subgraphs);
            }
            if (g->subgraphs == NULL) {
                // One subgraph: the op would call the subgraph it is in.
                return tflm_op_fail(ip, node, TFLM_ERR_MODEL,
                    "calls subgraph %d, which is already running (recursion)", callee);
            }
            c->callee[j] = (uint16_t)callee;
        }
    }
    #endif
    return TFLM_OK;
}

tflm_status_t tflm_build_tables(tflm_interp_t *ip, tflm_model_t *m, int16_t *pool) {
    ip->graph = NULL;
    tflm_subgraph_t *sgs = NULL;
    if (MICROPY_TFLM_OP_CONTROL_FLOW && m->n_subgraphs > 1) {
        tflm_graph_t *g = tflm_alloc_persistent(ip, sizeof(tflm_graph_t) + m->n_subgraphs * sizeof(tflm_subgraph_t));
        if (g == NULL) {
            return TFLM_ERR_ARENA;
        }
        sgs = g->subgraphs = (tflm_subgraph_t *)(void *)(g + 1);
        g->n_subgraphs = (uint16_t)m->n_subgraphs;
        ip->graph = g;
    }
    uint16_t tbase = 0, nbase = 0, n_calls = 0, n_handles = 0;
    for (uint32_t s = 0; s < tflm_model_subgraphs(m); s++) {
        tflm_model_select(m, s);
        int16_t *io = pool;
        tflm_status_t st = build_subgraph(ip, m, tbase, nbase, &pool, &n_calls, &n_handles);
        if (st != TFLM_OK) {
            return st;
        }
        if (s == 0) {
            ip->model_tensors = m->tensors;
            ip->inputs = io;
            ip->outputs = io + m->n_inputs;
            ip->n_inputs = (uint16_t)m->n_inputs;
            ip->n_outputs = (uint16_t)m->n_outputs;
            ip->n_main_nodes = (uint16_t)m->n_ops;
        }
        if (sgs) {
            tflm_subgraph_t *sg = &sgs[s];
            sg->io = (uint32_t)(io - ip->inputs);
            sg->first_tensor = tbase;
            sg->n_tensors = (uint16_t)m->n_tensors;
            sg->first_node = nbase;
            sg->n_nodes = (uint16_t)m->n_ops;
            sg->n_inputs = (uint16_t)m->n_inputs;
            sg->n_outputs = (uint16_t)m->n_outputs;
        }
        tbase = (uint16_t)(tbase + m->n_tensors);
        nbase = (uint16_t)(nbase + m->n_ops);
    }
    tflm_model_select(m, 0);
    return sgs || n_calls || n_handles ? build_graph(ip, m->n_subgraphs, n_calls, n_handles) : TFLM_OK;
}

const uint8_t *tflm_model_op(const tflm_model_t *m, uint32_t i) {
    const uint8_t *op;
    fb_vector_table(&m->b, m->ops, i, &op);
    return op;
}

uint32_t tflm_model_op_io_count(const tflm_model_t *m, const uint8_t *op) {
    const uint8_t *vec;
    uint32_t a, b;
    fb_vector(&m->b, op, OP_INPUTS, 4, &vec, &a);
    fb_vector(&m->b, op, OP_OUTPUTS, 4, &vec, &b);
    return a + b;
}

uint32_t tflm_model_activation_bytes(const tflm_model_t *m, uint32_t i) {
    const uint8_t *t, *shape, *buf, *data;
    uint32_t rank, size;
    fb_vector_table(&m->b, m->tensors, i, &t);
    fb_vector_table(&m->b, m->buffers, fb_field_u32(t, TENSOR_BUFFER, 0), &buf);
    buffer_data(m, buf, &data, &size);
    if (size != 0) {
        return 0; // a constant: stays in the model
    }
    fb_vector(&m->b, t, TENSOR_SHAPE, 4, &shape, &rank);
    // Verified: the product fits 31 bits.
    uint32_t n = (uint32_t)tflm_type_size(fb_field_i8(t, TENSOR_TYPE, 0));
    for (uint32_t d = 0; d < rank; d++) {
        n *= (uint32_t)fb_i32(shape + 4 * d);
    }
    return n;
}
