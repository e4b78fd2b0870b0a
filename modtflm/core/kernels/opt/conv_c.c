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
// There is no shortcut here: `full` stays false, rq_pair_fast is not used.
typedef struct {
    int32_t q_min_raw, q_max_raw, out_offset;
    int32_t full;
} conv_rq_t;

#define CONV_RQ_INIT(q_min_raw, q_max_raw, out_offset) { q_min_raw, q_max_raw, out_offset, 0 }

static TFLM_ALWAYS_INLINE int8_t rq_out(const conv_rq_t *q, uint32_t acc, int32_t mult, int32_t shift) {
    int32_t v = tflm_requant((int32_t)acc, mult, shift);
    return (int8_t)(opt_clamp_i32(v, q->q_min_raw, q->q_max_raw) + q->out_offset);
}

// One channel's two outputs; its multiplier and shift come in read before
// the stores (those may alias them, int8: a second read would not fold).
static TFLM_ALWAYS_INLINE void rq_pair(const conv_rq_t *q, int32_t m, int32_t s, uint32_t acc0, uint32_t acc1,
    int8_t *o0, int8_t *o1) {
    *o0 = rq_out(q, acc0, m, s);
    *o1 = rq_out(q, acc1, m, s);
}

static TFLM_ALWAYS_INLINE void rq_pair_fast(int32_t out_offset, int32_t m, int32_t s, uint32_t acc0, uint32_t acc1,
    int8_t *o0, int8_t *o1) {
    (void)out_offset, (void)m, (void)s, (void)acc0, (void)acc1, (void)o0, (void)o1;
}

#include "conv_pairs.h"

#endif
