// Element and shape helpers: the element types the data-movement kernels
// (CAST, CONCATENATION, SPLIT, RESIZE_NEAREST_NEIGHBOR, the slice family)
// move as raw bytes of their size, values of int32/int64 parameter tensors
// (shapes, axes, begins, sizes), shape comparisons, and element access for
// loops written once for several element types.
#ifndef TFLM_CORE_ELEMENTS_H
#define TFLM_CORE_ELEMENTS_H

#include <string.h>
#include "../tflm.h"

// The element types these kernels handle: every one has a fixed size of 1,
// 2, 4 or 8 bytes and no quantization that moving it would change.
static inline bool tflm_plain_type(int type) {
    switch (type) {
        case TFLM_FLOAT32:
        case TFLM_INT8:
        case TFLM_UINT8:
        case TFLM_INT16:
        case TFLM_INT32:
        case TFLM_INT64:
        case TFLM_BOOL:
            return true;
        default:
            return false;
    }
}

// Element i of an int32 or int64 tensor, widened (memcpy: model data may be
// unaligned).
static inline int64_t tflm_index_at(const tflm_tensor_t *t, size_t i) {
    if (t->type == TFLM_INT64) {
        int64_t v;
        memcpy(&v, t->data + 8 * i, 8);
        return v;
    }
    int32_t v;
    memcpy(&v, t->data + 4 * i, 4);
    return v;
}

// Whether t's shape is dims[0..rank).
static inline bool tflm_has_dims(const tflm_tensor_t *t, const int32_t *dims, int rank) {
    if (t->rank != rank) {
        return false;
    }
    for (int i = 0; i < rank; i++) {
        if (t->dims[i] != dims[i]) {
            return false;
        }
    }
    return true;
}

static inline bool tflm_same_shape(const tflm_tensor_t *a, const tflm_tensor_t *b) {
    return tflm_has_dims(a, b->dims, b->rank);
}

// For loops written once for several element types: a helper declared
// TFLM_INLINE_LOOP and called with a constant `type` is inlined and folded
// into the loop for that type alone, the code a loop written per type gives.
#if defined(__GNUC__)
#define TFLM_INLINE_LOOP static inline __attribute__((always_inline))
#else
#define TFLM_INLINE_LOOP static inline
#endif

// Element i of an int8, uint8, int16 or int32 array (int32 for any other
// type), widened.
TFLM_INLINE_LOOP int32_t tflm_load_int(const void *p, size_t i, const int type) {
    switch (type) {
        case TFLM_INT8:
            return ((const int8_t *)p)[i];
        case TFLM_UINT8:
            return ((const uint8_t *)p)[i];
        case TFLM_INT16:
            return ((const int16_t *)p)[i];
        default:
            return ((const int32_t *)p)[i];
    }
}

// Stores v, already within the type's range, as element i.
TFLM_INLINE_LOOP void tflm_store_int(void *p, size_t i, int32_t v, const int type) {
    switch (type) {
        case TFLM_INT8:
            ((int8_t *)p)[i] = (int8_t)v;
            break;
        case TFLM_UINT8:
            ((uint8_t *)p)[i] = (uint8_t)v;
            break;
        case TFLM_INT16:
            ((int16_t *)p)[i] = (int16_t)v;
            break;
        default:
            ((int32_t *)p)[i] = v;
            break;
    }
}

#endif // TFLM_CORE_ELEMENTS_H
