// GATHER_ND, EMBEDDING_LOOKUP, DYNAMIC_UPDATE_SLICE: rows or blocks of a
// tensor picked by index values, moved as raw bytes of the element size (so
// every fixed-size type works), except EMBEDDING_LOOKUP's hybrid path, which
// dequantizes int8 rows to float32.
//
// Indices that arrive at run time are checked in eval: one out of range is a
// ValueError from invoke, never a read outside the tensor.
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_INDEX
#include <string.h>
#include "../kernel.h"
#include "../support/checks.h"
#include "../support/elements.h"
#include "../support/quant.h"

#define R TFLM_MAX_RANK

// For messages: clamps a 64-bit value into int range.
TFLM_MESSAGE_HELPER static inline int small(int64_t v) {
    return (int)tflm_clamp_i64(v, -1000000000, 1000000000);
}

// Element i of an int16, int32 or int64 index tensor, widened.
static inline int64_t index_at(const uint8_t *data, size_t i, size_t isz) {
    if (isz == 2) {
        int16_t v;
        memcpy(&v, data + 2 * i, 2);
        return v;
    }
    if (isz == 4) {
        int32_t v;
        memcpy(&v, data + 4 * i, 4);
        return v;
    }
    int64_t v;
    memcpy(&v, data + 8 * i, 8);
    return v;
}

// ---------------------------------------------------------------------------
// GATHER_ND: output[i0..ik] = params[indices[i0..ik, :]] (a slice of the
// dims the index does not name). TFLM takes float32/int8 params and int32
// indices; any fixed-size params type and int16/int32/int64 indices work
// here. Each index is checked against its own dim (TFLM checks only that the
// flat offset lies in params).

typedef struct {
    int32_t slices;       // indices per lookup (product of indices' outer dims)
    int32_t dims[R];      // params dims the index names
    int32_t strides[R];   // params elements per step of those dims
    uint32_t slice_bytes; // bytes copied per index
    uint8_t nd;           // index depth (innermost dim of indices)
} gather_nd_data_t;

static tflm_status_t gather_nd_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    gather_nd_data_t *d = node->op_data;
    const tflm_tensor_t *params = tflm_node_input(ip, node, 0), *idx = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if ((s = tflm_check_plain_io(ip, node, params, out)) != TFLM_OK) {
        return s;
    }
    if (idx->type != TFLM_INT16 && idx->type != TFLM_INT32 && idx->type != TFLM_INT64) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "indices of type %s", tflm_type_name(idx->type));
    }
    int rank = params->rank, irank = idx->rank;
    if (rank < 1 || irank < 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "params and indices must have rank 1 or more");
    }
    int nd = idx->dims[irank - 1];
    if (nd > rank) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "index depth %d is above the params rank %d", nd, rank);
    }
    // Output shape: indices.shape[:-1] + params.shape[nd:].
    int32_t want[2 * R];
    int n = 0;
    for (int i = 0; i < irank - 1; i++) {
        want[n++] = idx->dims[i];
    }
    for (int i = nd; i < rank; i++) {
        want[n++] = params->dims[i];
    }
    if (!tflm_has_dims(out, want, n)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape is not indices.shape[:-1] + params.shape[%d:]",
            nd);
    }
    int32_t stride = 1;
    for (int i = rank - 1; i >= 0; i--) {
        if (i < nd) {
            d->dims[i] = params->dims[i];
            d->strides[i] = stride;
        }
        stride *= params->dims[i];
    }
    int32_t slice = 1;
    for (int i = nd; i < rank; i++) {
        slice *= params->dims[i];
    }
    d->slices = 1;
    for (int i = 0; i < irank - 1; i++) {
        d->slices *= idx->dims[i];
    }
    d->nd = (uint8_t)nd;
    d->slice_bytes = (uint32_t)((size_t)slice * tflm_type_size(params->type));
    return TFLM_OK;
}

static tflm_status_t gather_nd_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const gather_nd_data_t *d = node->op_data;
    const tflm_tensor_t *params = tflm_node_input(ip, node, 0), *idx = tflm_node_input(ip, node, 1);
    uint8_t *dst = tflm_node_output(ip, node, 0)->data;
    const size_t isz = tflm_type_size(idx->type);
    const size_t es = tflm_type_size(params->type);
    const size_t slice = d->slice_bytes;
    const int nd = d->nd;
    for (int32_t i = 0; i < d->slices; i++) {
        size_t at = 0;
        for (int j = 0; j < nd; j++) {
            int64_t k = index_at(idx->data, (size_t)i * (size_t)nd + (size_t)j, isz);
            if (k < 0 || k >= d->dims[j]) {
                return tflm_op_fail(ip, node, TFLM_ERR_VALUE, "index %d out of range [0, %d) in dim %d",
                    small(k), (int)d->dims[j], j);
            }
            at += (size_t)k * (size_t)d->strides[j];
        }
        if (slice) {
            memcpy(dst, params->data + at * es, slice);
        }
        dst += slice;
    }
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// EMBEDDING_LOOKUP: output[i] = values[ids[i]] (rows of the first dim). With
// int8 values and a float32 output (TFLM's hybrid path), rows are
// dequantized with the values' scale (zero point 0, as TFLM requires).

typedef struct {
    float scale;        // hybrid: the values' scale
    int32_t rows;       // values.dims[0]
    uint32_t row_elems; // elements per row
    bool hybrid;
} embedding_data_t;

static tflm_status_t embedding_lookup_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    embedding_data_t *d = node->op_data;
    const tflm_tensor_t *ids = tflm_node_input(ip, node, 0), *values = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if (ids->type != TFLM_INT32) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "ids of type %s", tflm_type_name(ids->type));
    }
    if (ids->rank != 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "ids tensor %d must be a vector", (int)(ids - ip->tensors));
    }
    if (values->rank < 2) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "values tensor %d must have rank 2 or more",
            (int)(values - ip->tensors));
    }
    d->hybrid = values->type == TFLM_INT8 && out->type == TFLM_FLOAT32;
    if (d->hybrid) {
        if ((s = tflm_check_type_built(ip, node, TFLM_FLOAT32)) != TFLM_OK
            || (s = tflm_check_quantized(ip, node, values, "values")) != TFLM_OK) {
            return s;
        }
        if (values->flags & TFLM_T_PER_CHANNEL) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "per-channel quantized values");
        }
        if (values->zero_point != 0) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "hybrid values with zero point %d",
                (int)values->zero_point);
        }
        d->scale = values->scale;
    } else if ((s = tflm_check_plain_io(ip, node, values, out)) != TFLM_OK) {
        return s;
    }
    int32_t want[R];
    want[0] = ids->dims[0];
    for (int i = 1; i < values->rank; i++) {
        want[i] = values->dims[i];
    }
    if (!tflm_has_dims(out, want, values->rank)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape is not [%d] + values.shape[1:]",
            (int)ids->dims[0]);
    }
    d->rows = values->dims[0];
    d->row_elems = 1;
    for (int i = 1; i < values->rank; i++) {
        d->row_elems *= (uint32_t)values->dims[i];
    }
    return TFLM_OK;
}

static tflm_status_t embedding_lookup_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const embedding_data_t *d = node->op_data;
    const tflm_tensor_t *ids = tflm_node_input(ip, node, 0), *values = tflm_node_input(ip, node, 1);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    const size_t cols = d->row_elems;
    const size_t row_bytes = cols * tflm_type_size(values->type);
    for (int32_t i = 0; i < ids->dims[0]; i++) {
        int64_t k = index_at(ids->data, (size_t)i, 4);
        if (k < 0 || k >= d->rows) {
            return tflm_op_fail(ip, node, TFLM_ERR_VALUE, "id %d out of range [0, %d)", small(k), (int)d->rows);
        }
        const uint8_t *src = values->data + (size_t)k * row_bytes;
        if (d->hybrid) {
            // As TFLM: each value times the scale, in float.
            const int8_t *q = (const int8_t *)src;
            float *o = (float *)(void *)out->data + (size_t)i * cols;
            for (size_t c = 0; c < cols; c++) {
                o[c] = (float)q[c] * d->scale;
            }
        } else if (row_bytes) {
            memcpy(out->data + (size_t)i * row_bytes, src, row_bytes);
        }
    }
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// DYNAMIC_UPDATE_SLICE: the operand with a block replaced by `update`, at
// start indices clamped (as TFLM and TFLite do) so that the block fits:
// start[i] = min(max(start[i], 0), operand.dims[i] - update.dims[i]).
//
// Trailing dims where the update spans the whole operand are merged into
// one contiguous run (their start clamps to 0), so a row update is a single
// memcpy per row block.

typedef struct {
    int32_t op_dims[R];   // operand dims (merged), outermost first
    int32_t up_dims[R];   // update dims (merged)
    int32_t op_stride[R]; // operand elements per step of each dim
    uint32_t op_bytes;    // bytes of the operand
    uint32_t run_bytes;   // bytes copied per innermost run
    uint8_t rank;         // merged rank: dims 0..rank-2 are walked, rank-1 is the run
    uint8_t orig_rank;    // operand rank (entries in start)
    uint8_t es;
    bool empty;           // the update has no elements
} dus_data_t;

static tflm_status_t dus_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    dus_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *up = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *start = tflm_node_input(ip, node, 2), *out = tflm_node_output(ip, node, 0);
    if ((s = tflm_check_plain_io(ip, node, in, out)) != TFLM_OK) {
        return s;
    }
    if (up->type != in->type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "update is %s, operand %s", tflm_type_name(up->type),
            tflm_type_name(in->type));
    }
    if (start->type != TFLM_INT32 && start->type != TFLM_INT64) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "start indices are %s, expected int32 or int64",
            tflm_type_name(start->type));
    }
    int rank = in->rank;
    if (start->rank != 1 || start->dims[0] != rank) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "start indices must be a vector of %d values", rank);
    }
    if (up->rank != rank) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "update rank %d, operand rank %d", (int)up->rank, rank);
    }
    for (int i = 0; i < rank; i++) {
        if (up->dims[i] > in->dims[i]) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "update dim %d is %d, above the operand's %d",
                i, (int)up->dims[i], (int)in->dims[i]);
        }
    }
    if (!tflm_same_shape(in, out)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape differs from the operand's");
    }
    d->es = (uint8_t)tflm_type_size(in->type);
    d->op_bytes = tflm_tensor_bytes(in);
    d->orig_rank = (uint8_t)rank;
    d->empty = tflm_elem_count(up) == 0;
    // Merge trailing dims the update spans whole into the run: find the
    // innermost dim k the update does not span; dims after k join its run.
    int k = rank - 1;
    while (k > 0 && up->dims[k] == in->dims[k]) {
        k--;
    }
    int32_t tail = 1; // operand elements per step of dim k
    for (int i = k + 1; i < rank; i++) {
        tail *= in->dims[i];
    }
    int32_t stride = tail;
    for (int i = k; i >= 0; i--) {
        d->op_dims[i] = in->dims[i];
        d->up_dims[i] = up->dims[i];
        d->op_stride[i] = stride;
        stride *= in->dims[i];
    }
    d->rank = (uint8_t)(rank == 0 ? 0 : k + 1);
    d->run_bytes = rank == 0 ? d->es : (uint32_t)((size_t)up->dims[k] * (size_t)tail * d->es);
    return TFLM_OK;
}

static tflm_status_t dus_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const dus_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *up = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *start = tflm_node_input(ip, node, 2);
    uint8_t *dst = tflm_node_output(ip, node, 0)->data;
    if (dst != in->data && d->op_bytes) {
        memcpy(dst, in->data, d->op_bytes);
    }
    if (d->empty) {
        return TFLM_OK;
    }
    const int n = d->rank;
    // Clamped start of the block, as an element offset into the operand.
    size_t base = 0;
    for (int i = 0; i < n; i++) {
        int64_t v = tflm_index_at(start, (size_t)i);
        int32_t first = tflm_clamp_i64(v, 0, d->op_dims[i] - d->up_dims[i]);
        base += (size_t)first * (size_t)d->op_stride[i];
    }
    // Walk the update's dims 0..n-2 (an odometer), one run per step.
    const size_t es = d->es, run = d->run_bytes;
    const uint8_t *src = up->data;
    int32_t pos[R] = {0};
    size_t at = base;
    for (;;) {
        memcpy(dst + at * es, src, run);
        src += run;
        int i = n - 2;
        for (; i >= 0; i--) {
            at += (size_t)d->op_stride[i];
            if (++pos[i] < d->up_dims[i]) {
                break;
            }
            at -= (size_t)d->op_stride[i] * (size_t)d->up_dims[i];
            pos[i] = 0;
        }
        if (i < 0) {
            break;
        }
    }
    return TFLM_OK;
}

// ---------------------------------------------------------------------------

TFLM_KERNEL(gather_nd, GATHER_ND, 5, GatherNdOptions, 2, 2, 1, sizeof(gather_nd_data_t),
    gather_nd_prepare, gather_nd_eval);
TFLM_KERNEL(embedding_lookup, EMBEDDING_LOOKUP, 1, NONE, 2, 2, 1, sizeof(embedding_data_t),
    embedding_lookup_prepare, embedding_lookup_eval);
TFLM_KERNEL(dynamic_update_slice, DYNAMIC_UPDATE_SLICE, 2, DynamicUpdateSliceOptions, 3, 3, 1,
    sizeof(dus_data_t), dus_prepare, dus_eval);

#endif // MICROPY_TFLM_OP_INDEX
