// RESIZE_NEAREST_NEIGHBOR (any element type, bytes copied) and
// RESIZE_BILINEAR (float32; int8 and int16 with TFLite's integer path, in
// units of 1/1024 pixel). NHWC, size from a constant int32 tensor [h, w].
//
// Prepare computes, for every output row and column, the source taps and
// weights with exactly TFLM's float or integer arithmetic, so eval only
// multiplies and adds in TFLM's order.
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_RESIZE
#include <math.h>
#include <string.h>
#include "../kernel.h"
#include "../support/quant.h"
#include "../support/elements.h"

// ResizeNearestNeighborOptions / ResizeBilinearOptions fields.
enum { NN_ALIGN_CORNERS = 0, NN_HALF_PIXEL = 1 };
enum { BL_ALIGN_CORNERS = 2, BL_HALF_PIXEL = 3 };

// One source position along an axis: element offsets of the two taps and
// the weights (float path: w = frac, w1 = 1 - frac; integer path: in 1/1024).
typedef struct {
    int32_t lo;
    int32_t hi;
    union {
        float f;
        int32_t i;
    } w, w1;
} tap_t;

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, depth;
    int32_t out_h, out_w;
    tap_t *ty; // out_h entries (offsets in elements: row * in_w * depth)
    tap_t *tx; // out_w entries (offsets in elements: col * depth)
    uint8_t es;
} resize_data_t;

// Checks and sizes common to both ops.
static tflm_status_t resize_common(tflm_interp_t *ip, tflm_node_t *node, bool align, bool half) {
    resize_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *size = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    tflm_status_t s = tflm_check_same_type(ip, node, in, out);
    if (s != TFLM_OK) {
        return s;
    }
    if (in->rank != 4 || out->rank != 4) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input and output must be 4-D (NHWC)");
    }
    if (size->type != TFLM_INT32 || size->rank != 1 || size->dims[0] != 2) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "size must be an int32 vector [height, width]");
    }
    if (!(size->flags & TFLM_T_CONST)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "non-constant size");
    }
    int32_t hw[2];
    memcpy(hw, size->data, 8);
    if (hw[0] <= 0 || hw[1] <= 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "size %d x %d is not positive", (int)hw[0], (int)hw[1]);
    }
    if (out->dims[0] != in->dims[0] || out->dims[1] != hw[0] || out->dims[2] != hw[1] || out->dims[3] != in->dims[3]) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape is not [%d, %d, %d, %d]",
            (int)in->dims[0], (int)hw[0], (int)hw[1], (int)in->dims[3]);
    }
    if (in->dims[1] == 0 || in->dims[2] == 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "empty input image");
    }
    if (align && half && node->builtin == TFLM_OP_RESIZE_BILINEAR) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "align_corners and half_pixel_centers are exclusive");
    }
    d->batches = in->dims[0];
    d->in_h = in->dims[1];
    d->in_w = in->dims[2];
    d->depth = in->dims[3];
    d->out_h = hw[0];
    d->out_w = hw[1];
    d->es = (uint8_t)tflm_type_size(in->type);
    d->ty = tflm_alloc_persistent(ip, sizeof(tap_t) * (size_t)hw[0]);
    d->tx = d->ty ? tflm_alloc_persistent(ip, sizeof(tap_t) * (size_t)hw[1]) : NULL;
    if (d->tx == NULL) {
        return TFLM_ERR_ARENA;
    }
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// Nearest neighbour

static int32_t nearest(int32_t x, int32_t in_size, int32_t out_size, bool align, bool half) {
    float scale = align && out_size > 1 ? (float)(in_size - 1) / (float)(out_size - 1)
        : (float)in_size / (float)out_size;
    float offset = half ? 0.5f : 0.0f;
    float v = ((float)x + offset) * scale;
    int32_t r = align ? (int32_t)tflm_roundf(v) : (int32_t)floorf(v);
    r = r < in_size - 1 ? r : in_size - 1;
    if (half) {
        r = r > 0 ? r : 0;
    }
    return r;
}

// The source of every output row and column.
static tflm_status_t nn_prepare(tflm_interp_t *ip, tflm_node_t *node, resize_data_t *d, const tflm_tensor_t *in,
    bool align, bool half) {
    if (!tflm_plain_type(in->type)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "type %s", tflm_type_name(in->type));
    }
    for (int32_t y = 0; y < d->out_h; y++) {
        d->ty[y].lo = nearest(y, d->in_h, d->out_h, align, half) * d->in_w * d->depth;
    }
    for (int32_t x = 0; x < d->out_w; x++) {
        d->tx[x].lo = nearest(x, d->in_w, d->out_w, align, half) * d->depth;
    }
    return TFLM_OK;
}

static tflm_status_t nn_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const resize_data_t *d = node->op_data;
    const uint8_t *in = tflm_node_input(ip, node, 0)->data;
    uint8_t *out = tflm_node_output(ip, node, 0)->data;
    const size_t es = d->es;
    const size_t run = (size_t)d->depth * es;
    const size_t image = (size_t)d->in_h * (size_t)d->in_w * run;
    if (run == 0) {
        return TFLM_OK;
    }
    for (int32_t b = 0; b < d->batches; b++) {
        const uint8_t *ib = in + (size_t)b * image;
        for (int32_t y = 0; y < d->out_h; y++) {
            const uint8_t *row = ib + (size_t)d->ty[y].lo * es;
            for (int32_t x = 0; x < d->out_w; x++) {
                memcpy(out, row + (size_t)d->tx[x].lo * es, run);
                out += run;
            }
        }
    }
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// Bilinear

static void float_tap(int32_t v, float scale, bool half, int32_t in_size, int32_t unit, tap_t *t) {
    float x = half ? ((float)v + 0.5f) * scale - 0.5f : (float)v * scale;
    int32_t lo = (int32_t)floorf(x);
    int32_t hi = (int32_t)ceilf(x);
    lo = lo > 0 ? lo : 0;
    hi = hi < in_size - 1 ? hi : in_size - 1;
    t->w.f = x - (float)lo;
    t->w1.f = 1.0f - t->w.f;
    t->lo = lo * unit;
    t->hi = hi * unit;
}

static void int_tap(int32_t v, int32_t scale10, bool half, int32_t in_size, int32_t unit, tap_t *t) {
    int32_t x = half ? v * scale10 + scale10 / 2 - (1 << 9) : v * scale10;
    int32_t lo = x / (1 << 10);
    int32_t hi = (x + (1 << 10) - 1) / (1 << 10);
    lo = lo > 0 ? lo : 0;
    hi = hi < in_size - 1 ? hi : in_size - 1;
    t->w.i = x - (1 << 10) * lo;
    t->w1.i = (1 << 10) - t->w.i;
    t->lo = lo * unit;
    t->hi = hi * unit;
}

// The taps and weights of every output row and column.
static tflm_status_t bl_prepare(tflm_interp_t *ip, tflm_node_t *node, resize_data_t *d, const tflm_tensor_t *in,
    bool align, bool half) {
    int32_t row = d->in_w * d->depth;
    if (in->type == TFLM_FLOAT32) {
        if ((in->flags & TFLM_T_CONST) && ((uintptr_t)in->data & 3)) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "misaligned constant input");
        }
        float hs = (float)d->in_h / (float)d->out_h;
        float ws = (float)d->in_w / (float)d->out_w;
        if (align && d->out_h > 1) {
            hs = (float)(d->in_h - 1) / (float)(d->out_h - 1);
        }
        if (align && d->out_w > 1) {
            ws = (float)(d->in_w - 1) / (float)(d->out_w - 1);
        }
        for (int32_t y = 0; y < d->out_h; y++) {
            float_tap(y, hs, half, d->in_h, row, &d->ty[y]);
        }
        for (int32_t x = 0; x < d->out_w; x++) {
            float_tap(x, ws, half, d->in_w, d->depth, &d->tx[x]);
        }
        return TFLM_OK;
    }
    if (in->type != TFLM_INT8 && in->type != TFLM_INT16) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "type %s", tflm_type_name(in->type));
    }
    if ((in->flags & TFLM_T_CONST) && ((uintptr_t)in->data & (d->es - 1))) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "misaligned constant input");
    }
    // Scales in 1/1024, rounded; positions must stay within int32 as in TFLM.
    int64_t hs = tflm_div_i64((int64_t)(1 << 10) * d->in_h + d->out_h / 2, d->out_h);
    int64_t ws = tflm_div_i64((int64_t)(1 << 10) * d->in_w + d->out_w / 2, d->out_w);
    if (align && d->out_h > 1) {
        hs = tflm_div_i64((int64_t)(1 << 10) * (d->in_h - 1) + (d->out_h - 1) / 2, d->out_h - 1);
    }
    if (align && d->out_w > 1) {
        ws = tflm_div_i64((int64_t)(1 << 10) * (d->in_w - 1) + (d->out_w - 1) / 2, d->out_w - 1);
    }
    if (hs * d->out_h + hs > INT32_MAX || ws * d->out_w + ws > INT32_MAX) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "image too large for the integer path");
    }
    for (int32_t y = 0; y < d->out_h; y++) {
        int_tap(y, (int32_t)hs, half, d->in_h, row, &d->ty[y]);
    }
    for (int32_t x = 0; x < d->out_w; x++) {
        int_tap(x, (int32_t)ws, half, d->in_w, d->depth, &d->tx[x]);
    }
    return TFLM_OK;
}

static tflm_status_t resize_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    const bool bilinear = node->builtin == TFLM_OP_RESIZE_BILINEAR;
    const bool align = tflm_opt_i8(node, bilinear ? BL_ALIGN_CORNERS : NN_ALIGN_CORNERS, 0) != 0;
    const bool half = tflm_opt_i8(node, bilinear ? BL_HALF_PIXEL : NN_HALF_PIXEL, 0) != 0;
    tflm_status_t s = resize_common(ip, node, align, half);
    if (s != TFLM_OK) {
        return s;
    }
    resize_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    return bilinear ? bl_prepare(ip, node, d, in, align, half) : nn_prepare(ip, node, d, in, align, half);
}

// Rounds the 1/2^20 fixed-point sum half away from zero (TFLM's default,
// non-single-rounding build).
static inline int32_t bl_round(int64_t v) {
    int64_t r = v > 0 ? (1 << 19) : -(1 << 19);
    return (int32_t)((v + r) / (1 << 20));
}

// Bilinear interpolation for one element type (a constant): float weights
// for float32, 1/1024 ones for int8 and int16. TFLM's order: each product
// left to right, then the sum.
TFLM_INLINE_LOOP void bl_run(const resize_data_t *d, const void *in, void *out, const int type) {
    const bool is_float = type == TFLM_FLOAT32;
    const float *in_f = in;
    float *out_f = out;
    const int32_t depth = d->depth;
    const size_t image = (size_t)d->in_h * (size_t)d->in_w * (size_t)depth;
    size_t o = 0;
    for (int32_t b = 0; b < d->batches; b++) {
        const size_t ib = (size_t)b * image;
        for (int32_t y = 0; y < d->out_h; y++) {
            const tap_t *ty = &d->ty[y];
            const float fy = ty->w.f, fy1 = ty->w1.f;
            const int64_t wy = ty->w.i, wy1 = ty->w1.i;
            for (int32_t x = 0; x < d->out_w; x++) {
                const tap_t *tx = &d->tx[x];
                const float fx = tx->w.f, fx1 = tx->w1.f;
                const int64_t wx = tx->w.i, wx1 = tx->w1.i;
                const size_t p00 = ib + (size_t)(ty->lo + tx->lo), p10 = ib + (size_t)(ty->hi + tx->lo);
                const size_t p01 = ib + (size_t)(ty->lo + tx->hi), p11 = ib + (size_t)(ty->hi + tx->hi);
                for (int32_t c = 0; c < depth; c++, o++) {
                    if (is_float) {
                        float v = in_f[p00 + c] * fy1 * fx1 + in_f[p10 + c] * fy * fx1 + in_f[p01 + c] * fy1 * fx
                            + in_f[p11 + c] * fy * fx;
                        out_f[o] = v + 0.0f;
                    } else {
                        int64_t v = tflm_load_int(in, p00 + c, type) * wy1 * wx1
                            + tflm_load_int(in, p10 + c, type) * wy * wx1
                            + tflm_load_int(in, p01 + c, type) * wy1 * wx
                            + tflm_load_int(in, p11 + c, type) * wy * wx;
                        tflm_store_int(out, o, bl_round(v), type);
                    }
                }
            }
        }
    }
}

static tflm_status_t bl_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const resize_data_t *d = node->op_data;
    const tflm_tensor_t *t = tflm_node_input(ip, node, 0);
    void *out = tflm_node_output(ip, node, 0)->data;
    if (t->type == TFLM_FLOAT32) {
        bl_run(d, t->data, out, TFLM_FLOAT32);
    } else if (t->type == TFLM_INT8) {
        bl_run(d, t->data, out, TFLM_INT8);
    } else {
        bl_run(d, t->data, out, TFLM_INT16);
    }
    return TFLM_OK;
}

TFLM_KERNEL(resize_nearest_neighbor, RESIZE_NEAREST_NEIGHBOR, 4, ResizeNearestNeighborOptions, 2, 2, 1,
    sizeof(resize_data_t), resize_prepare, nn_eval);
TFLM_KERNEL(resize_bilinear, RESIZE_BILINEAR, 4, ResizeBilinearOptions, 2, 2, 1,
    sizeof(resize_data_t), resize_prepare, bl_eval);

#endif // MICROPY_TFLM_OP_RESIZE
