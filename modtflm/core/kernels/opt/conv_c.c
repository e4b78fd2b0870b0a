// Optimized int8 CONV_2D, portable C (see conv_opt.c): int16 im2col pairs,
// 2 pixels x 2 channels per block, one multiply-accumulate per product.
#include "conv_opt.h"
#if MICROPY_TFLM_OP_CONV && MICROPY_TFLM_OPT_KERNELS && TFLM_CPU_C

static TFLM_ALWAYS_INLINE void put4(int16_t *dst, const int8_t *src, int32_t off, uint32_t off2) {
    (void)off2;
    dst[0] = (int16_t)(src[0] + off);
    dst[1] = (int16_t)(src[2] + off);
    dst[2] = (int16_t)(src[1] + off);
    dst[3] = (int16_t)(src[3] + off);
}

static void put_span(void *slot, int32_t k, const int8_t *src, int32_t n, int32_t off) {
    conv_put_span16(slot, k, src, n, off, put4);
}

static TFLM_ALWAYS_INLINE bool im2col_special(const conv_data_t *d, const conv_geom_t *g, const int8_t *in,
    const pix_t *p, void *buf) {
    (void)d, (void)g, (void)in, (void)p, (void)buf;
    return false;
}

#include "conv_im2col.h"

static TFLM_ALWAYS_INLINE uint32_t load32_inc(const int8_t **p) {
    uint32_t v = conv_load32(*p);
    *p += 4;
    return v;
}

// Element j of the group is at x[POS(j)] and x[4 + POS(j)]; byte j of va
// is weight j (little-endian words).
#define MAC_J(x, j, pj, va, vb)                                           \
    {                                                                     \
        int32_t x0 = x[pj], x1 = x[4 + pj];                               \
        int32_t u = (int8_t)(va >> (8 * j)), v = (int8_t)(vb >> (8 * j)); \
        a0 += (uint32_t)(x0 * u);                                         \
        a1 += (uint32_t)(x1 * u);                                         \
        b0 += (uint32_t)(x0 * v);                                         \
        b1 += (uint32_t)(x1 * v);                                         \
    }
#define GROUP_2X2(x, va, vb)       \
    {                              \
        MAC_J(x, 0, 0, va, vb)     \
        MAC_J(x, 1, 2, va, vb)     \
        MAC_J(x, 2, 1, va, vb)     \
        MAC_J(x, 3, 3, va, vb)     \
        x += 8;                    \
    }
typedef uint32_t acc_t;

// Requantization: tflm_requant, the clamp, the output offset. Copies of
// the bounds (int8 stores may alias d); raw: before the output offset.
typedef struct {
    int32_t q_min_raw, q_max_raw, out_offset;
} conv_rq_t;

// No shortcut (returns false).
static TFLM_ALWAYS_INLINE bool conv_rq_setup(conv_rq_t *q, const conv_data_t *d, int32_t OC, const int32_t *mult,
    const int8_t *shifts) {
    (void)OC, (void)mult, (void)shifts;
    q->q_min_raw = d->q_min_raw;
    q->q_max_raw = d->q_max_raw;
    q->out_offset = d->out_offset;
    return false;
}

static TFLM_ALWAYS_INLINE int8_t rq_out(const conv_rq_t *q, uint32_t acc, int32_t mult, int32_t shift) {
    int32_t v = tflm_requant((int32_t)acc, mult, shift);
    return (int8_t)(opt_clamp_i32(v, q->q_min_raw, q->q_max_raw) + q->out_offset);
}

// Each channel's multiplier and shift are read before its stores: those
// may alias them (int8), a second read would not be folded.
static TFLM_ALWAYS_INLINE void conv_rq_block(const conv_rq_t *q, bool fast, int32_t out_offset, const int32_t *mult,
    const int8_t *shifts,
    int32_t oc, int32_t oc2, uint32_t a0, uint32_t a1, uint32_t b0, uint32_t b1, int8_t *out, int8_t *out1) {
    (void)fast, (void)out_offset;
    int32_t m = mult[oc], s = shifts[oc];
    out[oc] = rq_out(q, a0, m, s);
    out1[oc] = rq_out(q, a1, m, s);
    m = mult[oc2];
    s = shifts[oc2];
    out[oc2] = rq_out(q, b0, m, s);
    out1[oc2] = rq_out(q, b1, m, s);
}

#include "conv_pairs.h"

#endif
