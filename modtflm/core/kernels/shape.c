// SHAPE, FILL, ZEROS_LIKE, BROADCAST_ARGS, BROADCAST_TO.
//
// Tensor shapes are static here (they come from the model), so the ops whose
// output shape TFLite computes from data (FILL's dims, BROADCAST_TO's shape)
// run only on the model's output shape: prepare checks a constant shape
// tensor against it (ValueError), eval checks one computed at run time
// (ValueError from invoke). Values are moved as raw bytes of their size, so
// every fixed-size element type works.
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_SHAPE
#include <string.h>
#include "../kernel.h"
#include "../support/broadcast.h"
#include "../support/checks.h"
#include "../support/elements.h"
#include "../support/quant.h"

// ---------------------------------------------------------------------------
// Helpers

// For messages: clamps a 64-bit value into int range.
TFLM_MESSAGE_HELPER static inline int small(int64_t v) {
    return (int)tflm_clamp_i64(v, -1000000000, 1000000000);
}

static inline bool is_index_type(int type) {
    return type == TFLM_INT32 || type == TFLM_INT64;
}

// Fills `n` elements of `es` bytes with the value at `v`: one copy of it,
// then the filled part copied onto the rest, doubling each time (a few
// memcpy calls whatever the element size or alignment).
static void fill_repeat(uint8_t *dst, const uint8_t *v, size_t es, size_t n) {
    size_t total = n * es;
    if (total == 0) {
        return;
    }
    memcpy(dst, v, es);
    for (size_t done = es; done < total;) {
        size_t k = done < total - done ? done : total - done;
        memcpy(dst + done, dst, k);
        done += k;
    }
}

// A 1-D shape tensor of `n` entries of an integer type `types` allows
// (a bit set of tflm_type_t values); `what` names it in messages.
static tflm_status_t check_shape_vector(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *t,
    const char *what, uint32_t types, int n) {
    if (t->type >= 32 || !(types & (1u << t->type))) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s tensor %d is %s, expected int32 or int64",
            what, (int)(t - ip->tensors), tflm_type_name(t->type));
    }
    if (t->rank != 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s tensor %d must be a vector", what, (int)(t - ip->tensors));
    }
    if (n >= 0 && t->dims[0] != n) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s tensor %d must hold %d values",
            what, (int)(t - ip->tensors), n);
    }
    return TFLM_OK;
}

// Element i of an int8, int16, int32 or int64 tensor, widened.
static int64_t int_at(const tflm_tensor_t *t, size_t i) {
    switch (t->type) {
        case TFLM_INT8:
            return ((const int8_t *)t->data)[i];
        case TFLM_INT16: {
            int16_t v;
            memcpy(&v, t->data + 2 * i, 2);
            return v;
        }
        default:
            return tflm_index_at(t, i);
    }
}

// The shape an op's output must have, from one of its inputs (FILL's dims,
// BROADCAST_TO's shape).
typedef struct {
    uint8_t input; // which input holds the shape
    bool dynamic;  // computed at run time: checked in eval
} shape_input_t;

// Fails (with `status`) unless the shape tensor holds the output's shape.
static tflm_status_t check_shape_values(tflm_interp_t *ip, const tflm_node_t *node, const shape_input_t *si,
    tflm_status_t status) {
    const tflm_tensor_t *shape = tflm_node_input(ip, node, si->input);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    int bad = 0;
    while (bad < out->rank && int_at(shape, (size_t)bad) == out->dims[bad]) {
        bad++;
    }
    if (bad == out->rank) {
        return TFLM_OK;
    }
    return tflm_op_fail(ip, node, status, "%s tensor %d gives dim %d as %d, output tensor %d has %d",
        si->input == 0 ? "dims" : "shape", (int)(shape - ip->tensors), bad, small(int_at(shape, (size_t)bad)),
        (int)(out - ip->tensors), (int)out->dims[bad]);
}

// Prepare: a constant shape is checked now, one computed at run time by
// shape_input_eval.
static tflm_status_t shape_input_prepare(tflm_interp_t *ip, const tflm_node_t *node, shape_input_t *si,
    int input) {
    si->input = (uint8_t)input;
    si->dynamic = !(tflm_node_input(ip, node, input)->flags & TFLM_T_CONST);
    return si->dynamic ? TFLM_OK : check_shape_values(ip, node, si, TFLM_ERR_MODEL);
}

static tflm_status_t shape_input_eval(tflm_interp_t *ip, const tflm_node_t *node, const shape_input_t *si) {
    return si->dynamic ? check_shape_values(ip, node, si, TFLM_ERR_VALUE) : TFLM_OK;
}

#define INDEX_TYPES ((1u << TFLM_INT32) | (1u << TFLM_INT64))

// ---------------------------------------------------------------------------
// SHAPE: the input's dims as an int32 or int64 vector (the output tensor's
// type decides, as in TFLM, which ignores out_type).

static tflm_status_t shape_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *out = tflm_node_output(ip, node, 0);
    if (!is_index_type(out->type)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "output type %s", tflm_type_name(out->type));
    }
    if (out->rank != 1 || out->dims[0] != in->rank) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output must be a vector of %d values", (int)in->rank);
    }
    return TFLM_OK;
}

static tflm_status_t shape_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    for (int i = 0; i < in->rank; i++) {
        tflm_set_int(out, (size_t)i, in->dims[i]);
    }
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// FILL: the output filled with a scalar. TFLM takes dims of int8 to int64
// (compared with the output's shape) and float32, int8, int32 values; any
// fixed-size value type works here.

#define FILL_DIMS_TYPES ((1u << TFLM_INT8) | (1u << TFLM_INT16) | INDEX_TYPES)

static tflm_status_t fill_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    const tflm_tensor_t *dims = tflm_node_input(ip, node, 0), *value = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if ((s = tflm_check_plain_io(ip, node, value, out)) != TFLM_OK
        || (s = check_shape_vector(ip, node, dims, "dims", FILL_DIMS_TYPES, out->rank)) != TFLM_OK) {
        return s;
    }
    if (value->rank != 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "value tensor %d must be a scalar",
            (int)(value - ip->tensors));
    }
    return shape_input_prepare(ip, node, node->op_data, 0);
}

static tflm_status_t fill_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const tflm_tensor_t *value = tflm_node_input(ip, node, 1);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    tflm_status_t s = shape_input_eval(ip, node, node->op_data);
    if (s != TFLM_OK) {
        return s;
    }
    fill_repeat(out->data, value->data, tflm_type_size(value->type), (size_t)tflm_elem_count(out));
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// ZEROS_LIKE: zero bytes (0 whatever the quantization, as in TFLM).

static tflm_status_t zeros_like_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *out = tflm_node_output(ip, node, 0);
    if ((s = tflm_check_plain_io(ip, node, in, out)) != TFLM_OK) {
        return s;
    }
    if (!tflm_same_shape(in, out)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape differs from the input's");
    }
    return TFLM_OK;
}

static tflm_status_t zeros_like_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    memset(out->data, 0, tflm_tensor_bytes(out));
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// BROADCAST_ARGS: the broadcast shape of two shape vectors.

// Computes the broadcast of shapes a and b into out (when out != NULL);
// returns -1, or the index (from the end) of the first pair that does not
// broadcast.
static int broadcast_args(const tflm_tensor_t *a, const tflm_tensor_t *b, tflm_tensor_t *out) {
    int na = a->dims[0], nb = b->dims[0], n = na > nb ? na : nb;
    for (int i = 0; i < n; i++) {
        int64_t x = i < na ? tflm_index_at(a, (size_t)(na - 1 - i)) : 1;
        int64_t y = i < nb ? tflm_index_at(b, (size_t)(nb - 1 - i)) : 1;
        if (x != y && x != 1 && y != 1) {
            return i;
        }
        if (out != NULL) {
            tflm_set_int(out, (size_t)(n - 1 - i), x == 1 ? y : x);
        }
    }
    return -1;
}

static tflm_status_t broadcast_args_fail(tflm_interp_t *ip, const tflm_node_t *node, int bad,
    tflm_status_t status) {
    const tflm_tensor_t *a = tflm_node_input(ip, node, 0), *b = tflm_node_input(ip, node, 1);
    return tflm_op_fail(ip, node, status, "shapes do not broadcast: %d against %d (dim %d from the end)",
        small(tflm_index_at(a, (size_t)(a->dims[0] - 1 - bad))),
        small(tflm_index_at(b, (size_t)(b->dims[0] - 1 - bad))), bad);
}

static tflm_status_t broadcast_args_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    const tflm_tensor_t *a = tflm_node_input(ip, node, 0), *b = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if ((s = check_shape_vector(ip, node, a, "shape 1", INDEX_TYPES, -1)) != TFLM_OK
        || (s = check_shape_vector(ip, node, b, "shape 2", INDEX_TYPES, -1)) != TFLM_OK) {
        return s;
    }
    if (b->type != a->type || out->type != a->type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "shapes and output are %s, %s and %s",
            tflm_type_name(a->type), tflm_type_name(b->type), tflm_type_name(out->type));
    }
    int n = a->dims[0] > b->dims[0] ? a->dims[0] : b->dims[0];
    if ((s = check_shape_vector(ip, node, out, "output", INDEX_TYPES, n)) != TFLM_OK) {
        return s;
    }
    if (a->flags & b->flags & TFLM_T_CONST) {
        int bad = broadcast_args(a, b, NULL);
        if (bad >= 0) {
            return broadcast_args_fail(ip, node, bad, TFLM_ERR_MODEL);
        }
    }
    return TFLM_OK;
}

static tflm_status_t broadcast_args_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    int bad = broadcast_args(tflm_node_input(ip, node, 0), tflm_node_input(ip, node, 1),
        tflm_node_output(ip, node, 0));
    return bad < 0 ? TFLM_OK : broadcast_args_fail(ip, node, bad, TFLM_ERR_VALUE);
}

// ---------------------------------------------------------------------------
// BROADCAST_TO: the input repeated along its size-1 dims (and new leading
// ones) to the output's shape. TFLM stops at rank 5; the broadcast walk here
// goes to TFLM_MAX_RANK.

typedef struct {
    shape_input_t shape;
    tflm_bcast_t bc;
    uint8_t es;
} broadcast_to_data_t;

// A row of the broadcast walk: `n` input elements copied, or one repeated.
static void broadcast_to_row(const void *params, const void *a, const void *b, void *out, int32_t n, int mode) {
    (void)b;
    const size_t es = ((const broadcast_to_data_t *)params)->es;
    if (mode == TFLM_ROW_A1) {
        fill_repeat(out, a, es, (size_t)n);
    } else {
        memcpy(out, a, (size_t)n * es);
    }
}

static tflm_status_t broadcast_to_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    broadcast_to_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *shape = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if ((s = tflm_check_plain_io(ip, node, in, out)) != TFLM_OK
        || (s = check_shape_vector(ip, node, shape, "shape", INDEX_TYPES, out->rank)) != TFLM_OK) {
        return s;
    }
    if (in->rank > out->rank) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input rank %d is above the output's %d",
            (int)in->rank, (int)out->rank);
    }
    // The output (as the second operand) broadcasts with itself, so the
    // plan fails only where the input does not broadcast to it.
    if (tflm_bcast_plan(in, out, out, &d->bc) != TFLM_BCAST_OK) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input shape does not broadcast to the output's");
    }
    d->es = (uint8_t)tflm_type_size(in->type);
    return shape_input_prepare(ip, node, &d->shape, 1);
}

static tflm_status_t broadcast_to_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const broadcast_to_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    tflm_status_t s = shape_input_eval(ip, node, &d->shape);
    if (s != TFLM_OK) {
        return s;
    }
    tflm_bcast_run(&d->bc, d, in->data, out->data, out->data, d->es, d->es, broadcast_to_row);
    return TFLM_OK;
}

// ---------------------------------------------------------------------------

TFLM_KERNEL(shape, SHAPE, 1, ShapeOptions, 1, 1, 1, 0, shape_prepare, shape_eval);
TFLM_KERNEL(fill, FILL, 3, FillOptions, 2, 2, 1, sizeof(shape_input_t), fill_prepare, fill_eval);
TFLM_KERNEL(zeros_like, ZEROS_LIKE, 1, ZerosLikeOptions, 1, 1, 1, 0, zeros_like_prepare, zeros_like_eval);
TFLM_KERNEL(broadcast_args, BROADCAST_ARGS, 1, NONE, 2, 2, 1, 0, broadcast_args_prepare, broadcast_args_eval);
TFLM_KERNEL(broadcast_to, BROADCAST_TO, 3, BroadcastToOptions, 2, 2, 1, sizeof(broadcast_to_data_t),
    broadcast_to_prepare, broadcast_to_eval);

#endif // MICROPY_TFLM_OP_SHAPE
