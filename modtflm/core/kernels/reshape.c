// RESHAPE, SQUEEZE, EXPAND_DIMS: the bytes stay as they are, only the shape
// changes, so any tensor type works. Prepare checks that the model's output
// shape is the one the op describes; eval copies the bytes (nothing at all
// when the planner made input and output share memory).
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_RESHAPE
#include <string.h>
#include "../kernel.h"
#include "../support/quant.h"
#include "../support/elements.h"

// ReshapeOptions / SqueezeOptions fields.
enum { RESHAPE_NEW_SHAPE = 0 };
enum { SQUEEZE_DIMS = 0 };

typedef struct {
    uint32_t nbytes;
} reshape_data_t;

// Input and output of the same type and byte size; records the size to copy.
static tflm_status_t check_copy(tflm_interp_t *ip, tflm_node_t *node,
    const tflm_tensor_t *in, const tflm_tensor_t *out) {
    tflm_status_t s = tflm_check_same_type(ip, node, in, out);
    if (s != TFLM_OK) {
        return s;
    }
    if (in->type == TFLM_STRING) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "string tensors");
    }
    if (tflm_elem_count(in) != tflm_elem_count(out)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input has %d elements, output %d",
            tflm_elem_count(in), tflm_elem_count(out));
    }
    ((reshape_data_t *)node->op_data)->nbytes = tflm_tensor_bytes(in);
    return TFLM_OK;
}

// Checks a requested shape (values from the shape tensor or the options,
// with at most one -1) against the input's element count.
static tflm_status_t check_new_shape(tflm_interp_t *ip, tflm_node_t *node, const tflm_tensor_t *in,
    const int64_t *shape, uint32_t n) {
    int64_t known = 1;
    int stretch = -1;
    for (uint32_t i = 0; i < n; i++) {
        if (shape[i] == -1) {
            if (stretch >= 0) {
                return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "new shape has more than one -1");
            }
            stretch = (int)i;
        } else if (shape[i] < 0) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "new shape has dimension %d",
                (int)(shape[i] < INT32_MIN ? INT32_MIN : shape[i]));
        } else {
            known *= shape[i];
            if (known > INT32_MAX) {
                return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "new shape is too large");
            }
        }
    }
    int64_t count = tflm_elem_count(in);
    bool ok = stretch >= 0 ? (known != 0 && tflm_mod_i64(count, known) == 0) || (known == 0 && count == 0) : known == count;
    if (!ok) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "new shape does not hold the input's %d elements",
            (int)count);
    }
    return TFLM_OK;
}

static tflm_status_t reshape_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *shape_t = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if (shape_t == NULL && out->rank == 1 && out->dims[0] == 0 && tflm_elem_count(in) == 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "legacy scalar output shape [0]");
    }
    if ((s = check_copy(ip, node, in, out)) != TFLM_OK) {
        return s;
    }
    int64_t shape[TFLM_MAX_RANK];
    uint32_t n = 0;
    if (shape_t != NULL) {
        if (shape_t->type != TFLM_INT32 && shape_t->type != TFLM_INT64) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "shape tensor is %s, expected int32",
                tflm_type_name(shape_t->type));
        }
        if (shape_t->rank > 1) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "shape tensor has rank %d", (int)shape_t->rank);
        }
        if (!(shape_t->flags & TFLM_T_CONST)) {
            return TFLM_OK; // computed at run time: the output's shape is what counts
        }
        int32_t count = tflm_elem_count(shape_t);
        if (count > TFLM_MAX_RANK) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "new shape of rank %d", (int)count);
        }
        for (int32_t i = 0; i < count; i++) {
            shape[i] = tflm_index_at(shape_t, i);
        }
        n = (uint32_t)count;
    } else if (node->options != NULL) {
        fb_buf_t b = {ip->model, ip->model_len};
        const uint8_t *vec;
        if (fb_vector(&b, node->options, RESHAPE_NEW_SHAPE, 4, &vec, &n) != FB_OK) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "malformed new_shape option");
        }
        if (vec == NULL) {
            return TFLM_OK;
        }
        if (n > TFLM_MAX_RANK) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "new shape of rank %d", (int)n);
        }
        for (uint32_t i = 0; i < n; i++) {
            shape[i] = fb_i32(vec + 4 * i);
        }
    } else {
        return TFLM_OK;
    }
    return check_new_shape(ip, node, in, shape, n);
}

static tflm_status_t squeeze_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *out = tflm_node_output(ip, node, 0);
    if ((s = check_copy(ip, node, in, out)) != TFLM_OK) {
        return s;
    }
    const uint8_t *vec = NULL;
    uint32_t n = 0;
    if (node->options != NULL) {
        fb_buf_t b = {ip->model, ip->model_len};
        if (fb_vector(&b, node->options, SQUEEZE_DIMS, 4, &vec, &n) != FB_OK) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "malformed squeeze_dims option");
        }
    }
    bool squeeze[TFLM_MAX_RANK] = {false};
    int rank = in->rank;
    if (n == 0) {
        for (int i = 0; i < rank; i++) {
            squeeze[i] = in->dims[i] == 1;
        }
    } else {
        for (uint32_t i = 0; i < n; i++) {
            int32_t d = fb_i32(vec + 4 * i);
            int32_t a = d < 0 ? d + rank : d;
            if (a < 0 || a >= rank) {
                return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "squeeze dimension %d out of range for rank %d",
                    (int)d, rank);
            }
            if (in->dims[a] != 1) {
                return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "cannot squeeze dimension %d of size %d",
                    (int)d, (int)in->dims[a]);
            }
            squeeze[a] = true;
        }
    }
    int o = 0;
    bool ok = true;
    for (int i = 0; i < rank; i++) {
        if (!squeeze[i]) {
            ok = ok && o < out->rank && out->dims[o] == in->dims[i];
            o++;
        }
    }
    if (!ok || o != out->rank) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape is not the squeezed input shape");
    }
    return TFLM_OK;
}

static tflm_status_t expand_dims_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *axis_t = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if ((s = check_copy(ip, node, in, out)) != TFLM_OK) {
        return s;
    }
    if (axis_t->type != TFLM_INT32 && axis_t->type != TFLM_INT64) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "axis is %s, expected int32",
            tflm_type_name(axis_t->type));
    }
    if (axis_t->rank > 1 || tflm_elem_count(axis_t) != 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "axis must hold one value");
    }
    if (!(axis_t->flags & TFLM_T_CONST)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "non-constant axis");
    }
    int64_t axis = tflm_index_at(axis_t, 0);
    int rank = in->rank;
    if (axis < -(rank + 1) || axis > rank) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "axis %d out of range for rank %d",
            (int)tflm_clamp_i64(axis, -1000, 1000), rank);
    }
    if (axis < 0) {
        axis += rank + 1;
    }
    bool ok = out->rank == rank + 1;
    for (int i = 0; ok && i < out->rank; i++) {
        int32_t want = i < axis ? in->dims[i] : i == axis ? 1 : in->dims[i - 1];
        ok = out->dims[i] == want;
    }
    if (!ok) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape is not the input shape with a 1 at axis %d",
            (int)axis);
    }
    return TFLM_OK;
}

static tflm_status_t copy_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const reshape_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if (in->data != out->data && d->nbytes != 0) {
        memcpy(out->data, in->data, d->nbytes);
    }
    return TFLM_OK;
}

TFLM_KERNEL(reshape, RESHAPE, 1, ReshapeOptions, 1, 2, 1, sizeof(reshape_data_t), reshape_prepare, copy_eval);
TFLM_KERNEL(squeeze, SQUEEZE, 1, SqueezeOptions, 1, 1, 1, sizeof(reshape_data_t), squeeze_prepare, copy_eval);
TFLM_KERNEL(expand_dims, EXPAND_DIMS, 1, ExpandDimsOptions, 2, 2, 1,
    sizeof(reshape_data_t), expand_dims_prepare, copy_eval);

#endif // MICROPY_TFLM_OP_RESHAPE
