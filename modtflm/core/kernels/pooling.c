// AVERAGE_POOL_2D and MAX_POOL_2D on NHWC tensors: float32, int8, int16
// (quantized input and output share scale and zero point), SAME/VALID
// padding, any strides and filter sizes, fused RELU/RELU6/RELU_N1_TO_1.
//
// Windows are clipped to the input: an average divides by the number of
// input elements actually covered. Integer averages round half away from
// zero, as TFLM: (sum +- count/2) / count.
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_POOLING
#include <float.h>
#include "../kernel.h"
#include "../support/quant.h"

// Pool2DOptions fields.
enum { POOL_PADDING = 0, POOL_STRIDE_W = 1, POOL_STRIDE_H = 2, POOL_FILTER_W = 3, POOL_FILTER_H = 4,
       POOL_ACTIVATION = 5 };

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

// Output size along one dimension, as TFLite computes it (0 for a stride of
// 0, which prepare refuses before).
static int32_t out_size(int same, int32_t in, int32_t filter, int32_t stride) {
    const int64_t n = same ? (int64_t)in + stride - 1 : (int64_t)in + stride - filter;
    return (int32_t)(n / stride);
}

static int32_t pad_before(int32_t in, int32_t filter, int32_t stride, int32_t out) {
    const int64_t total = (int64_t)(out - 1) * stride + filter - in;
    return total > 0 ? (int32_t)(total / 2) : 0;
}

static tflm_status_t pool_prepare(tflm_interp_t *ip, tflm_node_t *node, bool average) {
    tflm_status_t s = tflm_check_io(ip, node, 1, 1, 1);
    if (s != TFLM_OK) {
        return s;
    }
    pool_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if (in->type != TFLM_FLOAT32 && in->type != TFLM_INT8 && in->type != TFLM_INT16) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input type %s", tflm_type_name(in->type));
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
    if (padding != 0 && padding != 1) {
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
    const int same = padding == 0;
    d->out_h = out_size(same, d->in_h, d->filter_h, d->stride_h);
    d->out_w = out_size(same, d->in_w, d->filter_w, d->stride_w);
    if (d->out_h < 0 || d->out_w < 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "VALID window %dx%d larger than the %dx%d input",
            (int)d->filter_h, (int)d->filter_w, (int)d->in_h, (int)d->in_w);
    }
    if (out->dims[0] != d->batches || out->dims[3] != d->depth || out->dims[1] != d->out_h
        || out->dims[2] != d->out_w) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape does not match %dx%dx%dx%d",
            (int)d->batches, (int)d->out_h, (int)d->out_w, (int)d->depth);
    }
    d->pad_h = pad_before(d->in_h, d->filter_h, d->stride_h, d->out_h);
    d->pad_w = pad_before(d->in_w, d->filter_w, d->stride_w, d->out_w);
    if (in->type == TFLM_FLOAT32) {
        if (!tflm_activation_range_float(activation, &d->f_min, &d->f_max)) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "fused activation %d", activation);
        }
        // TFLM's unbounded sides are the largest finite floats.
        d->f_min = d->f_min < -FLT_MAX ? -FLT_MAX : d->f_min;
        d->f_max = d->f_max > FLT_MAX ? FLT_MAX : d->f_max;
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
    if (average && d->depth > 0 && d->out_h > 0 && d->out_w > 0) {
        node->scratch_size = (uint32_t)d->depth * 4u;
    }
    return TFLM_OK;
}

static tflm_status_t average_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    return pool_prepare(ip, node, true);
}

static tflm_status_t max_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    return pool_prepare(ip, node, false);
}

// Loop over output pixels; for each, the window [y0, y1) x [x0, x1) clipped
// to the input and `px`, the input's first covered pixel (NHWC row-major).
#define POOL_LOOP_BEGIN(d, T, in_data, out_data) \
    const T *in_b = (in_data); \
    T *o = (out_data); \
    const int32_t row_stride = (d)->in_w * (d)->depth; \
    for (int32_t b = 0; b < (d)->batches; b++, in_b += (d)->in_h * row_stride) { \
        for (int32_t oy = 0; oy < (d)->out_h; oy++) { \
            const int32_t iy0 = oy * (d)->stride_h - (d)->pad_h; \
            const int32_t y0 = iy0 < 0 ? 0 : iy0; \
            const int32_t y1 = iy0 + (d)->filter_h < (d)->in_h ? iy0 + (d)->filter_h : (d)->in_h; \
            for (int32_t ox = 0; ox < (d)->out_w; ox++, o += (d)->depth) { \
                const int32_t ix0 = ox * (d)->stride_w - (d)->pad_w; \
                const int32_t x0 = ix0 < 0 ? 0 : ix0; \
                const int32_t x1 = ix0 + (d)->filter_w < (d)->in_w ? ix0 + (d)->filter_w : (d)->in_w;

#define POOL_LOOP_END \
            } \
        } \
    }

static void average_float(const pool_data_t *d, const float *in, float *out, float *acc) {
    const int32_t depth = d->depth;
    POOL_LOOP_BEGIN(d, float, in, out)
    for (int32_t c = 0; c < depth; c++) {
        acc[c] = 0.0f;
    }
    // Per channel, the same summation order as the reference: rows, then
    // columns.
    for (int32_t y = y0; y < y1; y++) {
        const float *p = in_b + y * row_stride + x0 * depth;
        for (int32_t x = x0; x < x1; x++, p += depth) {
            for (int32_t c = 0; c < depth; c++) {
                acc[c] += p[c];
            }
        }
    }
    const float count = (float)((y1 - y0) * (x1 - x0));
    for (int32_t c = 0; c < depth; c++) {
        float v = acc[c] / count;
        v = v < d->f_min ? d->f_min : v;
        o[c] = d->f_max < v ? d->f_max : v;
    }
    POOL_LOOP_END
}

// Integer average: (sum +- count/2) / count, truncated, then clamped.
static inline int32_t round_div(int32_t sum, int32_t count) {
    return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

// Integer average pooling for one element type: int32 sums per channel in
// `acc` (scratch), then rounded division and clamping.
#define DEFINE_AVERAGE_INT(name, T) \
    static void name(const pool_data_t *d, const T *in, T *out, int32_t *acc) { \
        const int32_t depth = d->depth; \
        POOL_LOOP_BEGIN(d, T, in, out) \
        for (int32_t c = 0; c < depth; c++) { \
            acc[c] = 0; \
        } \
        for (int32_t y = y0; y < y1; y++) { \
            const T *p = in_b + y * row_stride + x0 * depth; \
            for (int32_t x = x0; x < x1; x++, p += depth) { \
                for (int32_t c = 0; c < depth; c++) { \
                    acc[c] += p[c]; \
                } \
            } \
        } \
        const int32_t count = (y1 - y0) * (x1 - x0); \
        for (int32_t c = 0; c < depth; c++) { \
            int32_t v = round_div(acc[c], count); \
            v = v < d->act_min ? d->act_min : v > d->act_max ? d->act_max : v; \
            o[c] = (T)v; \
        } \
        POOL_LOOP_END \
    }

DEFINE_AVERAGE_INT(average_int8, int8_t)
DEFINE_AVERAGE_INT(average_int16, int16_t)

static void max_float(const pool_data_t *d, const float *in, float *out) {
    const int32_t depth = d->depth;
    POOL_LOOP_BEGIN(d, float, in, out)
    for (int32_t c = 0; c < depth; c++) {
        o[c] = -FLT_MAX;
    }
    for (int32_t y = y0; y < y1; y++) {
        const float *p = in_b + y * row_stride + x0 * depth;
        for (int32_t x = x0; x < x1; x++, p += depth) {
            for (int32_t c = 0; c < depth; c++) {
                o[c] = o[c] < p[c] ? p[c] : o[c];
            }
        }
    }
    for (int32_t c = 0; c < depth; c++) {
        float v = o[c];
        v = v < d->f_min ? d->f_min : v;
        o[c] = d->f_max < v ? d->f_max : v;
    }
    POOL_LOOP_END
}

static void max_int8(const pool_data_t *d, const int8_t *in, int8_t *out) {
    const int32_t depth = d->depth;
    const int8_t lo = (int8_t)d->act_min, hi = (int8_t)d->act_max;
    POOL_LOOP_BEGIN(d, int8_t, in, out)
    for (int32_t c = 0; c < depth; c++) {
        o[c] = lo; // the clamp's floor is at least the type's minimum
    }
    for (int32_t y = y0; y < y1; y++) {
        const int8_t *p = in_b + y * row_stride + x0 * depth;
        for (int32_t x = x0; x < x1; x++, p += depth) {
            for (int32_t c = 0; c < depth; c++) {
                o[c] = o[c] < p[c] ? p[c] : o[c];
            }
        }
    }
    for (int32_t c = 0; c < depth; c++) {
        o[c] = o[c] > hi ? hi : o[c];
    }
    POOL_LOOP_END
}

static void max_int16(const pool_data_t *d, const int16_t *in, int16_t *out) {
    const int32_t depth = d->depth;
    const int16_t lo = (int16_t)d->act_min, hi = (int16_t)d->act_max;
    POOL_LOOP_BEGIN(d, int16_t, in, out)
    for (int32_t c = 0; c < depth; c++) {
        o[c] = lo;
    }
    for (int32_t y = y0; y < y1; y++) {
        const int16_t *p = in_b + y * row_stride + x0 * depth;
        for (int32_t x = x0; x < x1; x++, p += depth) {
            for (int32_t c = 0; c < depth; c++) {
                o[c] = o[c] < p[c] ? p[c] : o[c];
            }
        }
    }
    for (int32_t c = 0; c < depth; c++) {
        o[c] = o[c] > hi ? hi : o[c];
    }
    POOL_LOOP_END
}

static tflm_status_t average_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const pool_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if (node->scratch == NULL) {
        return TFLM_OK; // empty output
    }
    switch (in->type) {
        case TFLM_FLOAT32:
            if (MICROPY_TFLM_TYPE_FLOAT32) {
                average_float(d, (const float *)in->data, (float *)out->data, (float *)node->scratch);
            }
            break;
        case TFLM_INT8:
            average_int8(d, (const int8_t *)in->data, (int8_t *)out->data, (int32_t *)node->scratch);
            break;
        default:
            if (!MICROPY_TFLM_TYPE_INT16) {
                break;
            }
            average_int16(d, (const int16_t *)in->data, (int16_t *)out->data, (int32_t *)node->scratch);
            break;
    }
    return TFLM_OK;
}

static tflm_status_t max_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const pool_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    switch (in->type) {
        case TFLM_FLOAT32:
            if (MICROPY_TFLM_TYPE_FLOAT32) {
                max_float(d, (const float *)in->data, (float *)out->data);
            }
            break;
        case TFLM_INT8:
            max_int8(d, (const int8_t *)in->data, (int8_t *)out->data);
            break;
        default:
            if (!MICROPY_TFLM_TYPE_INT16) {
                break;
            }
            max_int16(d, (const int16_t *)in->data, (int16_t *)out->data);
            break;
    }
    return TFLM_OK;
}

const tflm_kernel_t tflm_kernel_average_pool_2d = {
    .builtin = TFLM_OP_AVERAGE_POOL_2D,
    .max_version = 3,
    .options_type = TFLM_OPTIONS_Pool2DOptions,
    .op_data_size = sizeof(pool_data_t),
    .prepare = average_prepare,
    .eval = average_eval,
};

const tflm_kernel_t tflm_kernel_max_pool_2d = {
    .builtin = TFLM_OP_MAX_POOL_2D,
    .max_version = 3,
    .options_type = TFLM_OPTIONS_Pool2DOptions,
    .op_data_size = sizeof(pool_data_t),
    .prepare = max_prepare,
    .eval = max_eval,
};

#endif // MICROPY_TFLM_OP_POOLING
