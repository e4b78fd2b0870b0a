// Optimized int8 CONV_2D, portable C (see conv_opt.c): int16 im2col pairs,
// 2 pixels x 2 channels per block, one multiply-accumulate per product.
#include "conv_opt.h"
#if MICROPY_TFLM_OP_CONV && MICROPY_TFLM_OPT_KERNELS && TFLM_CPU_C

static TFLM_ALWAYS_INLINE void put4(int16_t *dst, const int8_t *src, int32_t off) {
    dst[0] = (int16_t)(src[0] + off);
    dst[1] = (int16_t)(src[2] + off);
    dst[2] = (int16_t)(src[1] + off);
    dst[3] = (int16_t)(src[3] + off);
}

static void put_span(void *slot, int32_t k, const int8_t *src, int32_t n, int32_t off) {
    conv_put_span16(slot, k, src, n, off, put4);
}

static void im2col(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const pix_t *p, void *buf) {
    conv_im2col(d, g, in, p, buf, put_span);
}

static TFLM_ALWAYS_INLINE uint32_t load32_inc(const int8_t **p) {
    uint32_t v = conv_load32(*p);
    *p += 4;
    return v;
}

// Element j of the group is at x[pj] and x[4 + pj] (pj = POS(j)); byte j
// of va is weight j (little-endian words).
static TFLM_ALWAYS_INLINE void mac_j(const int16_t *x, int j, int pj, uint32_t va, uint32_t vb,
    conv_acc2x2_t *acc) {
    int32_t x0 = x[pj], x1 = x[4 + pj];
    int32_t u = (int8_t)(va >> (8 * j)), v = (int8_t)(vb >> (8 * j));
    acc->a0 += (uint32_t)(x0 * u);
    acc->a1 += (uint32_t)(x1 * u);
    acc->b0 += (uint32_t)(x0 * v);
    acc->b1 += (uint32_t)(x1 * v);
}

static TFLM_ALWAYS_INLINE void group_2x2(const int16_t **x, uint32_t va, uint32_t vb, conv_acc2x2_t *acc) {
    mac_j(*x, 0, 0, va, vb, acc);
    mac_j(*x, 1, 2, va, vb, acc);
    mac_j(*x, 2, 1, va, vb, acc);
    mac_j(*x, 3, 3, va, vb, acc);
    *x += 8;
}

// Requantization: tflm_requant, the clamp, the output offset.
typedef struct {
    const int32_t *mult;
    const int8_t *shifts;
    // Copies (int8 stores may alias d). Raw: the bounds before the output
    // offset is added.
    int32_t q_min_raw, q_max_raw, out_offset;
} rq_ctx_t;

static TFLM_ALWAYS_INLINE int8_t rq_out(const rq_ctx_t *q, uint32_t acc, int32_t mult, int32_t shift) {
    int32_t v = tflm_requant((int32_t)acc, mult, shift);
    return (int8_t)(opt_clamp_i32(v, q->q_min_raw, q->q_max_raw) + q->out_offset);
}

// Channel oc's multiplier and shift are read before its stores: those may
// alias them (int8), a second read would not be folded.
static TFLM_ALWAYS_INLINE void rq_channel(const rq_ctx_t *q, int32_t oc, uint32_t acc0, uint32_t acc1,
    int8_t *out, int8_t *out1) {
    const int32_t mult = q->mult[oc], shift = q->shifts[oc];
    out[oc] = rq_out(q, acc0, mult, shift);
    out1[oc] = rq_out(q, acc1, mult, shift);
}

static TFLM_ALWAYS_INLINE void finish(const void *ctx, int32_t oc, int32_t oc2, const conv_acc2x2_t *acc,
    int8_t *out, int8_t *out1) {
    rq_channel(ctx, oc, acc->a0, acc->a1, out, out1);
    rq_channel(ctx, oc2, acc->b0, acc->b1, out, out1);
}

void tflm_conv_opt_eval(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias, int8_t *out, uint8_t *scratch) {
    const rq_ctx_t q = { d->mult, conv_shifts(d, g), d->q_min_raw, d->q_max_raw, d->out_offset };
    conv_eval_pairs(d, g, in, w, bias, out, scratch, &q, put_span, im2col, load32_inc, group_2x2, finish);
}

#endif
