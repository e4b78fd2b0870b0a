// AVERAGE_POOL_2D and MAX_POOL_2D on NHWC tensors: float32, int8, int16
// (quantized input and output share scale and zero point); L2_POOL_2D:
// float32 (as TFLM). SAME/VALID padding, any strides and filter sizes, fused
// RELU/RELU6/RELU_N1_TO_1.
//
// Windows are clipped to the input: an average divides by the number of
// input elements actually covered. Integer averages round half away from
// zero, as TFLM: (sum +- count/2) / count. L2 pooling is the square root of
// the average of the squares, summed in the same order.
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_POOLING
#include <float.h>
#include <math.h>
#include "../kernel.h"
#include "../support/quant.h"
#include "../support/geometry.h"
#include "../support/elements.h"

// Pool2DOptions fields.
enum { POOL_PADDING = 0, POOL_STRIDE_W = 1, POOL_STRIDE_H = 2, POOL_FILTER_W = 3, POOL_FILTER_H = 4,
       POOL_ACTIVATION = 5 };

// What pool_run computes over a window.
enum { POOL_MAX, POOL_AVERAGE, POOL_L2 };

typedef struct {
    int32_t batches;
    int32_t in_h;
    int32_t in_w;
    int32_t depth;
    int32_t out_h;
    int32_t out_w;
    int32_t stride_h;
    int32_t stride_w;
    int32_t filter_h;
    int32_t filter_w;
    int32_t pad_h;
    int32_t pad_w;
    int32_t act_min;
    int32_t act_max;
    float f_min;
    float f_max;
} pool_data_t;

static tflm_status_t pool_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    pool_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *out = tflm_node_output(ip, node, 0);
    if (in->type != TFLM_FLOAT32 && in->type != TFLM_INT8 && in->type != TFLM_INT16) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input type %s", tflm_type_name(in->type));
    }
    if (node->builtin == TFLM_OP_L2_POOL_2D && in->type != TFLM_FLOAT32) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input type %s (L2 pooling is float32 only)",
            tflm_type_name(in->type));
    }
    if ((s = tflm_check_type_built(ip, node, in->type)) != TFLM_OK) {
        return s;
    }
    if (out->type != in->type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output is %s, input %s",
            tflm_type_name(out->type), tflm_type_name(in->type));
    }
    if (in->rank != 4 || out->rank != 4) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input and output must be 4-D (NHWC)");
    }
    const int padding = tflm_opt_i8(node, POOL_PADDING, 0);
    const int activation = tflm_opt_i8(node, POOL_ACTIVATION, 0);
    d->stride_w = tflm_opt_i32(node, POOL_STRIDE_W, 0);
    d->stride_h = tflm_opt_i32(node, POOL_STRIDE_H, 0);
    d->filter_w = tflm_opt_i32(node, POOL_FILTER_W, 0);
    d->filter_h = tflm_opt_i32(node, POOL_FILTER_H, 0);
    if (padding != TFLM_PADDING_SAME && padding != TFLM_PADDING_VALID) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "padding %d out of range", padding);
    }
    if (d->stride_w <= 0 || d->stride_h <= 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "strides %dx%d must be positive",
            (int)d->stride_h, (int)d->stride_w);
    }
    if (d->filter_w <= 0 || d->filter_h <= 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "filter %dx%d must be positive",
            (int)d->filter_h, (int)d->filter_w);
    }
    if (activation < 0 || activation > TFLM_ACT_SIGN_BIT) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "fused activation %d out of range", activation);
    }
    d->batches = in->dims[0];
    d->in_h = in->dims[1];
    d->in_w = in->dims[2];
    d->depth = in->dims[3];
    // In 0..in + 1 (stride >= 1), so int32 holds it.
    d->out_h = (int32_t)tflm_window_out_size(padding, d->in_h, d->filter_h, d->stride_h);
    d->out_w = (int32_t)tflm_window_out_size(padding, d->in_w, d->filter_w, d->stride_w);
    if (d->out_h < 0 || d->out_w < 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "VALID window %dx%d larger than the %dx%d input",
            (int)d->filter_h, (int)d->filter_w, (int)d->in_h, (int)d->in_w);
    }
    if (out->dims[0] != d->batches || out->dims[3] != d->depth || out->dims[1] != d->out_h
        || out->dims[2] != d->out_w) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape does not match %dx%dx%dx%d",
            (int)d->batches, (int)d->out_h, (int)d->out_w, (int)d->depth);
    }
    const bool average = node->builtin == TFLM_OP_AVERAGE_POOL_2D;
    const bool accumulates = node->builtin != TFLM_OP_MAX_POOL_2D; // average or L2
    d->pad_h = tflm_window_pad(d->in_h, d->filter_h, d->stride_h, d->out_h);
    d->pad_w = tflm_window_pad(d->in_w, d->filter_w, d->stride_w, d->out_w);
    if (in->type == TFLM_FLOAT32) {
        // (Unbounded sides are the largest finite floats, as in TFLM.)
        if (!tflm_activation_range_float(activation, &d->f_min, &d->f_max)) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "fused activation %d", activation);
        }
    } else {
        if ((s = tflm_check_quantized(ip, node, in, "input")) != TFLM_OK
            || (s = tflm_check_quantized(ip, node, out, "output")) != TFLM_OK) {
            return s;
        }
        double scale_diff = (double)in->scale - (double)out->scale;
        scale_diff = scale_diff < 0 ? -scale_diff : scale_diff;
        if (scale_diff > (double)1 / 1000000 || in->zero_point != out->zero_point) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input and output quantization differ");
        }
        s = tflm_activation_range_quant(activation, out, &d->act_min, &d->act_max);
        if (s != TFLM_OK) {
            return tflm_op_fail(ip, node, s, "fused activation %d has no %s form", activation,
                tflm_type_name(out->type));
        }
        if (average) {
            // The window sum must fit an int32.
            const int64_t window = (int64_t)(d->filter_h < d->in_h ? d->filter_h : d->in_h)
                * (d->filter_w < d->in_w ? d->filter_w : d->in_w);
            if (window * 32768 > INT32_MAX) {
                return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "pooling window too large");
            }
        }
    }
    // Per-channel accumulators for one output pixel.
    if (accumulates && d->depth > 0 && d->out_h > 0 && d->out_w > 0) {
        node->scratch_size = (uint32_t)d->depth * 4u;
    }
    return TFLM_OK;
}

// Integer average: (sum +- count/2) / count, truncated, then clamped.
static inline int32_t round_div(int32_t sum, int32_t count) {
    return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

// Element i of a float32 array.
TFLM_INLINE_LOOP float load_f32(const void *p, size_t i) {
    return ((const float *)p)[i];
}

// The pooling `mode` (a constant) of one element type (float32, int8, int16;
// a constant too, so each caller gets its own loop): for every output pixel,
// the window [y0, y1) x [x0, x1) clipped to the input is summed per channel
// (average: the values, L2: their squares, into `acc`, float or int32
// scratch, in the reference's order: rows, then columns) or its maximum
// taken (in the output), then clamped.
TFLM_INLINE_LOOP void pool_run(const pool_data_t *d, const void *in, void *out, void *acc, const int type,
    const int mode) {
    const bool average = mode != POOL_MAX; // accumulates a sum
    const bool is_float = type == TFLM_FLOAT32;
    float *acc_f = acc;
    int32_t *acc_i = acc;
    float *out_f = out;
    const int32_t depth = d->depth;
    const int32_t row_stride = d->in_w * depth;
    // In locals: an int8 store could change them as far as the compiler knows.
    const int32_t act_min = d->act_min, act_max = d->act_max;
    size_t in_b = 0; // first element of the batch
    size_t o = 0;    // first element of the output pixel
    for (int32_t b = 0; b < d->batches; b++, in_b += (size_t)(d->in_h * row_stride)) {
        for (int32_t oy = 0; oy < d->out_h; oy++) {
            const int32_t iy0 = oy * d->stride_h - d->pad_h;
            const int32_t y0 = iy0 < 0 ? 0 : iy0;
            const int32_t y1 = iy0 + d->filter_h < d->in_h ? iy0 + d->filter_h : d->in_h;
            for (int32_t ox = 0; ox < d->out_w; ox++, o += (size_t)depth) {
                const int32_t ix0 = ox * d->stride_w - d->pad_w;
                const int32_t x0 = ix0 < 0 ? 0 : ix0;
                const int32_t x1 = ix0 + d->filter_w < d->in_w ? ix0 + d->filter_w : d->in_w;
                // The max starts at the clamp's floor (for integers at least
                // the type's minimum), which the final clamp would apply anyway.
                for (int32_t c = 0; c < depth; c++) {
                    if (average && is_float) {
                        acc_f[c] = 0.0f;
                    } else if (average) {
                        acc_i[c] = 0;
                    } else if (is_float) {
                        out_f[o + c] = -FLT_MAX;
                    } else {
                        tflm_store_int(out, o + c, act_min, type);
                    }
                }
                for (int32_t y = y0; y < y1; y++) {
                    size_t p = in_b + (size_t)(y * row_stride + x0 * depth);
                    for (int32_t x = x0; x < x1; x++, p += (size_t)depth) {
                        for (int32_t c = 0; c < depth; c++) {
                            if (mode == POOL_L2) {
                                const float v = load_f32(in, p + c);
                                acc_f[c] += v * v;
                            } else if (average && is_float) {
                                acc_f[c] += load_f32(in, p + c);
                            } else if (average) {
                                acc_i[c] += tflm_load_int(in, p + c, type);
                            } else if (is_float) {
                                const float v = load_f32(in, p + c);
                                out_f[o + c] = out_f[o + c] < v ? v : out_f[o + c];
                            } else {
                                const int32_t v = tflm_load_int(in, p + c, type);
                                const int32_t m = tflm_load_int(out, o + c, type);
                                tflm_store_int(out, o + c, m < v ? v : m, type);
                            }
                        }
                    }
                }
                const int32_t count = (y1 - y0) * (x1 - x0);
                for (int32_t c = 0; c < depth; c++) {
                    if (mode == POOL_L2) {
                        out_f[o + c] = tflm_clamp_f32(sqrtf(acc_f[c] / (float)count), d->f_min, d->f_max);
                    } else if (is_float) {
                        const float v = average ? acc_f[c] / (float)count : out_f[o + c];
                        out_f[o + c] = tflm_clamp_f32(v, d->f_min, d->f_max);
                    } else if (average) {
                        tflm_store_int(out, o + c, tflm_clamp_i32(round_div(acc_i[c], count), act_min, act_max), type);
                    } else {
                        const int32_t m = tflm_load_int(out, o + c, type);
                        tflm_store_int(out, o + c, m > act_max ? act_max : m, type);
                    }
                }
            }
        }
    }
}

// Average pooling when there is an accumulator scratch, else max pooling.
TFLM_INLINE_LOOP void pool_any(const pool_data_t *d, const void *in, void *out, void *acc, const int type) {
    if (acc != NULL) {
        pool_run(d, in, out, acc, type, POOL_AVERAGE);
    } else {
        pool_run(d, in, out, NULL, type, POOL_MAX);
    }
}

static tflm_status_t pool_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const pool_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    void *acc = NULL;
    if (node->builtin == TFLM_OP_AVERAGE_POOL_2D) {
        if (node->scratch == NULL) {
            return TFLM_OK; // empty output
        }
        acc = node->scratch;
    }
    if (in->type == TFLM_INT8) {
        pool_any(d, in->data, out->data, acc, TFLM_INT8);
    } else if (in->type == TFLM_FLOAT32) {
        if (MICROPY_TFLM_TYPE_FLOAT32) {
            pool_any(d, in->data, out->data, acc, TFLM_FLOAT32);
        }
    } else if (MICROPY_TFLM_TYPE_INT16) {
        pool_any(d, in->data, out->data, acc, TFLM_INT16);
    }
    return TFLM_OK;
}

static tflm_status_t l2_pool_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    // No scratch: an empty output. Prepare took float32 only.
    if (MICROPY_TFLM_TYPE_FLOAT32 && node->scratch != NULL) {
        pool_run(node->op_data, in->data, out->data, node->scratch, TFLM_FLOAT32, POOL_L2);
    }
    return TFLM_OK;
}

TFLM_KERNEL(average_pool_2d, AVERAGE_POOL_2D, 3, Pool2DOptions, 1, 1, 1,
    sizeof(pool_data_t), pool_prepare, pool_eval);
TFLM_KERNEL(max_pool_2d, MAX_POOL_2D, 3, Pool2DOptions, 1, 1, 1,
    sizeof(pool_data_t), pool_prepare, pool_eval);
TFLM_KERNEL(l2_pool_2d, L2_POOL_2D, 1, Pool2DOptions, 1, 1, 1,
    sizeof(pool_data_t), pool_prepare, l2_pool_eval);

#endif // MICROPY_TFLM_OP_POOLING
