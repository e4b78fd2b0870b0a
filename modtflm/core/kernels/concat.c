// CONCATENATION, PACK, UNPACK, SPLIT, SPLIT_V: block copies along one axis.
//
// All five see a tensor as [outer, axis, inner]: for every outer index the
// inputs (or outputs) take turns contributing one contiguous run of
// axis_size * inner elements. Prepare works out the run length of each
// operand in bytes; eval is a loop of memcpy.
//
// As in TFLM, quantized concatenation does not requantize: int8/uint8 inputs
// must share the output's scale and zero point (TFLM refuses the model
// otherwise), int16 values are copied as they are. A fused activation is only
// applied to float32 (TFLM refuses every fused activation; TFLite clamps).
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_CONCAT
#include <string.h>
#include "../kernel.h"
#include "../support/quant.h"
#include "../support/elements.h"

// Option fields.
enum { CONCAT_AXIS = 0, CONCAT_ACTIVATION = 1 };
enum { PACK_VALUES_COUNT = 0, PACK_AXIS = 1 };
enum { UNPACK_NUM = 0, UNPACK_AXIS = 1 };
enum { SPLIT_NUM_SPLITS = 0 };

typedef struct {
    int32_t outer;     // product of the dims before the axis
    uint32_t *run;     // per operand: bytes contributed per outer step
    uint32_t total;    // sum of run[] (the whole tensor's bytes per outer step)
    int32_t count;     // elements of the output (activation clamp)
    int32_t axis;
    bool clamp;        // float32 with a fused activation
    float f_min;
    float f_max;
} concat_data_t;

static int32_t prod(const int32_t *dims, int from, int to) {
    int32_t n = 1;
    for (int i = from; i < to; i++) {
        n *= dims[i];
    }
    return n;
}

// Value of a constant int32/int64 tensor with exactly one element.
static tflm_status_t const_scalar(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *t,
    const char *what, int32_t *v) {
    if (t->type != TFLM_INT32 && t->type != TFLM_INT64) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s is %s, expected int32", what, tflm_type_name(t->type));
    }
    if (tflm_elem_count(t) != 1 || t->rank > 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s must hold one value", what);
    }
    if (!(t->flags & TFLM_T_CONST)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "non-constant %s", what);
    }
    int64_t x = tflm_index_at(t, 0);
    *v = tflm_clamp_i64(x, -1000000, 1000000);
    return TFLM_OK;
}

// Axis normalized into [0, rank) (negative counts from the end).
static tflm_status_t norm_axis(tflm_interp_t *ip, const tflm_node_t *node, int32_t axis, int rank, int32_t *out) {
    if (axis < -rank || axis >= rank) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "axis %d out of range for rank %d", (int)axis, rank);
    }
    *out = axis < 0 ? axis + rank : axis;
    return TFLM_OK;
}

static tflm_status_t check_types(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *a,
    const tflm_tensor_t *b) {
    if (a->type != b->type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "mixed types %s and %s",
            tflm_type_name(a->type), tflm_type_name(b->type));
    }
    return TFLM_OK;
}

static tflm_status_t supported_type(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *t) {
    if (!tflm_plain_type(t->type)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "type %s", tflm_type_name(t->type));
    }
    return TFLM_OK;
}

// `t` has `ref`'s dims except at `axis`; with skip, t lacks ref's axis instead.
static bool dims_match(const tflm_tensor_t *t, const tflm_tensor_t *ref, int axis, bool skip) {
    if (t->rank != ref->rank - (skip ? 1 : 0)) {
        return false;
    }
    for (int i = 0, j = 0; i < ref->rank; i++) {
        if (i == axis) {
            j += skip ? 0 : 1;
            continue;
        }
        if (t->dims[j++] != ref->dims[i]) {
            return false;
        }
    }
    return true;
}

// The operands joined along the axis: the inputs, or for the splitting ops
// the outputs.
static const tflm_tensor_t *operand(tflm_interp_t *ip, const tflm_node_t *node, bool outputs, int i) {
    return outputs ? tflm_node_output(ip, node, i) : tflm_node_input(ip, node, i);
}

// Fills d->outer, d->run (one per operand) and d->total for the node's n
// operands joined along `axis` of the tensor `whole`; `skip`: operands lack
// the axis (PACK, UNPACK).
static tflm_status_t setup_runs(tflm_interp_t *ip, tflm_node_t *node, const tflm_tensor_t *whole,
    bool outputs, int n, int axis, bool skip) {
    concat_data_t *d = node->op_data;
    d->axis = axis;
    d->run = tflm_alloc_persistent(ip, sizeof(uint32_t) * (size_t)n);
    if (d->run == NULL) {
        return TFLM_ERR_ARENA;
    }
    size_t es = tflm_type_size(whole->type);
    int32_t inner = prod(whole->dims, axis + 1, whole->rank);
    int64_t along = 0;
    for (int i = 0; i < n; i++) {
        const tflm_tensor_t *t = operand(ip, node, outputs, i);
        if (t == NULL) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input %d is missing", i);
        }
        tflm_status_t s = check_types(ip, node, t, whole);
        if (s != TFLM_OK) {
            return s;
        }
        if (!dims_match(t, whole, axis, skip)) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "operand %d's shape does not fit axis %d of a rank %d tensor",
                i, axis, (int)whole->rank);
        }
        int32_t size = skip ? 1 : t->dims[axis];
        along += size;
        d->run[i] = (uint32_t)((size_t)size * (size_t)inner * es);
        d->total += d->run[i];
    }
    if (along != whole->dims[axis]) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "operands add up to %d along axis %d, expected %d",
            (int)along, axis, (int)whole->dims[axis]);
    }
    d->outer = prod(whole->dims, 0, axis);
    d->count = tflm_elem_count(whole);
    return TFLM_OK;
}

// Quantized operands must carry the output's own parameters.
static bool same_quant(const tflm_tensor_t *a, const tflm_tensor_t *b) {
    if ((a->flags & TFLM_T_QUANT) != (b->flags & TFLM_T_QUANT)) {
        return false;
    }
    return !(a->flags & TFLM_T_QUANT) || (a->scale == b->scale && a->zero_point == b->zero_point);
}

static tflm_status_t concat_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    concat_data_t *d = node->op_data;
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    int n = node->n_inputs;
    if ((s = supported_type(ip, node, out)) != TFLM_OK) {
        return s;
    }
    int32_t axis = 0;
    if ((s = norm_axis(ip, node, tflm_opt_i32(node, CONCAT_AXIS, 0), out->rank, &axis)) != TFLM_OK
        || (s = setup_runs(ip, node, out, false, n, axis, false)) != TFLM_OK) {
        return s;
    }
    int activation = tflm_opt_i8(node, CONCAT_ACTIVATION, 0);
    if (activation < 0 || activation > TFLM_ACT_SIGN_BIT) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "fused activation %d out of range", activation);
    }
    if (activation != TFLM_ACT_NONE) {
        if (out->type != TFLM_FLOAT32 || !tflm_activation_range_float(activation, &d->f_min, &d->f_max)) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "fused activation %d on %s",
                activation, tflm_type_name(out->type));
        }
        d->clamp = true;
    }
    if (out->type == TFLM_INT8 || out->type == TFLM_UINT8) {
        for (int i = 0; i < n; i++) {
            if (!same_quant(tflm_node_input(ip, node, i), out)) {
                return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED,
                    "input %d's scale or zero point differs from the output's (no requantization)", i);
            }
        }
    }
    return TFLM_OK;
}

static tflm_status_t concat_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const concat_data_t *d = node->op_data;
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    uint8_t *o = out->data;
    int n = node->n_inputs;
    for (int i = 0; i < n; i++) {
        uint32_t run = d->run[i];
        if (run == 0) {
            continue;
        }
        const uint8_t *src = tflm_node_input(ip, node, i)->data;
        uint8_t *dst = o;
        for (int32_t k = 0; k < d->outer; k++) {
            memcpy(dst, src, run);
            src += run;
            dst += d->total;
        }
        o += run;
    }
    if (d->clamp) {
        float *v = (float *)out->data;
        const float lo = d->f_min, hi = d->f_max;
        for (int32_t i = 0; i < d->count; i++) {
            v[i] = tflm_clamp_f32(v[i], lo, hi);
        }
    }
    return TFLM_OK;
}

static tflm_status_t pack_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    int n = node->n_inputs;
    int32_t values = tflm_opt_i32(node, PACK_VALUES_COUNT, 0);
    if (values != n) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "values_count %d but %d inputs", (int)values, n);
    }
    int32_t axis = 0;
    if ((s = supported_type(ip, node, out)) != TFLM_OK
        || (s = norm_axis(ip, node, tflm_opt_i32(node, PACK_AXIS, 0), out->rank, &axis)) != TFLM_OK) {
        return s;
    }
    return setup_runs(ip, node, out, false, n, axis, true);
}

static tflm_status_t unpack_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    int n = node->n_outputs;
    int32_t num = tflm_opt_i32(node, UNPACK_NUM, 0);
    if (num != n || n < 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "num %d but %d outputs", (int)num, n);
    }
    int32_t axis = 0;
    if ((s = supported_type(ip, node, in)) != TFLM_OK
        || (s = norm_axis(ip, node, tflm_opt_i32(node, UNPACK_AXIS, 0), in->rank, &axis)) != TFLM_OK) {
        return s;
    }
    return setup_runs(ip, node, in, true, n, axis, true);
}

// SPLIT and SPLIT_V: `n_in` inputs, the split one at `in_index` and the
// constant axis at `axis_index`.
static tflm_status_t split_common(tflm_interp_t *ip, tflm_node_t *node, int n_in, int in_index, int axis_index) {
    tflm_status_t s;
    int n = node->n_outputs;
    if (n < 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "no outputs");
    }
    const tflm_tensor_t *in = tflm_node_input(ip, node, in_index);
    int32_t axis_value = 0;
    if ((s = const_scalar(ip, node, tflm_node_input(ip, node, axis_index), "axis", &axis_value)) != TFLM_OK) {
        return s;
    }
    int32_t num = tflm_opt_i32(node, SPLIT_NUM_SPLITS, 0);
    if (num != n) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "num_splits %d but %d outputs", (int)num, n);
    }
    int32_t axis = 0;
    if ((s = supported_type(ip, node, in)) != TFLM_OK
        || (s = norm_axis(ip, node, axis_value, in->rank, &axis)) != TFLM_OK) {
        return s;
    }
    return setup_runs(ip, node, in, true, n, axis, false);
}

static tflm_status_t split_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s = split_common(ip, node, 2, 1, 0);
    if (s != TFLM_OK) {
        return s;
    }
    const tflm_tensor_t *in = tflm_node_input(ip, node, 1);
    // Equal parts.
    int32_t a = ((concat_data_t *)node->op_data)->axis;
    for (int i = 0; i < node->n_outputs; i++) {
        if (tflm_node_output(ip, node, i)->dims[a] * node->n_outputs != in->dims[a]) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output %d is not 1/%d of axis %d",
                i, (int)node->n_outputs, (int)a);
        }
    }
    return TFLM_OK;
}

static tflm_status_t split_v_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s = split_common(ip, node, 3, 0, 2);
    if (s != TFLM_OK) {
        return s;
    }
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *sizes = tflm_node_input(ip, node, 1);
    int32_t a = ((concat_data_t *)node->op_data)->axis;
    if (sizes->type != TFLM_INT32 && sizes->type != TFLM_INT64) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "size_splits is %s, expected int32",
            tflm_type_name(sizes->type));
    }
    int n = node->n_outputs;
    if (sizes->rank != 1 || sizes->dims[0] != n) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "size_splits must list one size per output");
    }
    if (!(sizes->flags & TFLM_T_CONST)) {
        return TFLM_OK; // the outputs' shapes decide
    }
    // One -1 may stand for the rest; the outputs must have the listed sizes.
    int64_t known = 0;
    int stretch = -1;
    for (int i = 0; i < n; i++) {
        int64_t v = tflm_index_at(sizes, (size_t)i);
        if (v == -1 && stretch < 0) {
            stretch = i;
            continue;
        }
        if (v < 0 || v != tflm_node_output(ip, node, i)->dims[a]) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "size_splits[%d] does not match output %d", i, i);
        }
        known += v;
    }
    if (stretch >= 0 && known + tflm_node_output(ip, node, stretch)->dims[a] != in->dims[a]) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "size_splits do not add up to axis %d", (int)a);
    }
    return TFLM_OK;
}

// UNPACK, SPLIT, SPLIT_V: the input is dealt out to the outputs in turn.
static tflm_status_t split_eval(tflm_interp_t *ip, const tflm_node_t *node, int in_index) {
    const concat_data_t *d = node->op_data;
    const uint8_t *src = tflm_node_input(ip, node, in_index)->data;
    int n = node->n_outputs;
    for (int i = 0; i < n; i++) {
        uint32_t run = d->run[i];
        if (run == 0) {
            continue;
        }
        const uint8_t *s = src;
        uint8_t *dst = tflm_node_output(ip, node, i)->data;
        for (int32_t k = 0; k < d->outer; k++) {
            memcpy(dst, s, run);
            dst += run;
            s += d->total;
        }
        src += run;
    }
    return TFLM_OK;
}

static tflm_status_t unpack_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    return split_eval(ip, node, 0);
}

static tflm_status_t split_eval1(tflm_interp_t *ip, const tflm_node_t *node) {
    return split_eval(ip, node, 1);
}

TFLM_KERNEL(concatenation, CONCATENATION, 3, ConcatenationOptions, 1, TFLM_IO_ANY, 1,
    sizeof(concat_data_t), concat_prepare, concat_eval);
TFLM_KERNEL(pack, PACK, 3, PackOptions, 1, TFLM_IO_ANY, 1, sizeof(concat_data_t), pack_prepare, concat_eval);
TFLM_KERNEL(unpack, UNPACK, 4, UnpackOptions, 1, 1, TFLM_IO_ANY,
    sizeof(concat_data_t), unpack_prepare, unpack_eval);
TFLM_KERNEL(split, SPLIT, 4, SplitOptions, 2, 2, TFLM_IO_ANY,
    sizeof(concat_data_t), split_prepare, split_eval1);
TFLM_KERNEL(split_v, SPLIT_V, 2, SplitVOptions, 3, 3, TFLM_IO_ANY,
    sizeof(concat_data_t), split_v_prepare, unpack_eval);

#endif // MICROPY_TFLM_OP_CONCAT
