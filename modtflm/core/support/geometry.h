// Window geometry of the 2-D convolutions and poolings (output size and
// leading padding per axis), as TFLite computes it.
#ifndef TFLM_CORE_GEOMETRY_H
#define TFLM_CORE_GEOMETRY_H

#include <stdint.h>
#include "quant.h"

// Schema Padding.
enum { TFLM_PADDING_SAME = 0, TFLM_PADDING_VALID = 1 };

// Extent of `filter` taps spaced `dilation` apart (TFLite's effective filter
// size); int64 so that no filter or dilation a model holds can overflow.
static inline int64_t tflm_dilated_size(int32_t filter, int32_t dilation) {
    return (int64_t)(filter - 1) * dilation + 1;
}

// Output size along one axis, as TFLite's ComputeOutSize; stride >= 1. In
// int64 for the same reason; below 1 when a VALID window exceeds the input.
static inline int64_t tflm_window_out_size(int padding, int64_t in, int64_t eff_filter, int64_t stride) {
    return tflm_div_i64(padding == TFLM_PADDING_SAME ? in + stride - 1 : in + stride - eff_filter, stride);
}

// Padding before the first element along one axis, as TFLite's
// ComputePaddingWithOffset (the odd element of the total goes after).
static inline int32_t tflm_window_pad(int64_t in, int64_t eff_filter, int64_t stride, int64_t out) {
    const int64_t total = (out - 1) * stride + eff_filter - in;
    return total > 0 ? (int32_t)(total >> 1) : 0;
}

#endif // TFLM_CORE_GEOMETRY_H
