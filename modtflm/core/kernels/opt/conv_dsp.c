// Optimized int8 CONV_2D, Armv7E-M DSP (see conv_opt.c): int16 im2col
// pairs widened by SXTAB16, 2 pixels x 2 channels per block by SMLAD, a
// requantization in 32-bit steps (SMMULR).
#include "conv_opt.h"
#if MICROPY_TFLM_OP_CONV && MICROPY_TFLM_OPT_KERNELS && TFLM_CPU_DSP
#include "dsp.h"

// Values src[0..3] + off as (x0, x2, x1, x3): two SXTAB16 of one word.
static TFLM_ALWAYS_INLINE void put4(int16_t *dst, const int8_t *src, int32_t off, uint32_t off2) {
    (void)off;
    uint32_t v = conv_load32(src);
    conv_store32(dst, dsp_sxtab16(off2, v));
    conv_store32(dst + 2, dsp_sxtab16_r8(off2, v));
}

static void put_span(void *slot, int32_t k, const int8_t *src, int32_t n, int32_t off) {
    conv_put_span16(slot, k, src, n, off, put4);
}

// Small rows with in_c not a multiple of 4 (first layers): the im2col row
// of a pixel is gathered as int8 on the stack (whole filter rows copied a
// word at a time, padded taps holding the input zero point -in_offset),
// then widened 4 values per SXTAB16 pair into the pixel's slot.
#define LIN_MAX 128

static inline bool lin_ok(const conv_data_t *d, const conv_geom_t *g) {
    return (g->in_c & 3) && g->dil_w == 1 && g->f_h * g->f_w * g->in_c <= LIN_MAX - 3 && d->in_offset >= -127
           && d->in_offset <= 128;
}

// The empty asm statements keep gcc from making the short loops below
// memset / memcpy calls.
static inline void lin_fill(int8_t *dst, int32_t n, int32_t fill) {
    for (; n > 0; n--) {
        __asm__ ("" : "+r" (dst));
        *dst++ = (int8_t)fill;
    }
}

// Not inlined: its stack row would cost the matrix loop registers.
__attribute__((noinline)) static void im2col_lin(const conv_data_t *d, const conv_geom_t *g, const int8_t *in,
    const pix_t *p, int16_t *slot) {
    uint32_t lw[LIN_MAX / 4];
    int8_t *lin = (int8_t *)lw;
    const int32_t C = g->in_c, W = g->in_w, n = g->f_w * C, off = d->in_offset;
    const int32_t iy0 = p->oy * g->stride_h - g->pad_h, ix0 = p->ox * g->stride_w - g->pad_w;
    const int8_t *in_b = in + (size_t)p->b * g->in_h * W * C;
    // Valid filter columns [lo, hi), the same for every row.
    int32_t lo = ix0 < 0 ? -ix0 : 0, hi = W - ix0 < g->f_w ? W - ix0 : g->f_w;
    hi = hi > 0 ? hi : 0;
    lo = lo < hi ? lo : hi;
    const int32_t pre = lo * C, len = (hi - lo) * C;
    for (int32_t fy = 0; fy < g->f_h; fy++, lin += n) {
        const int32_t iy = iy0 + fy * g->dil_h;
        if (iy < 0 || iy >= g->in_h) {
            lin_fill(lin, n, -off);
            continue;
        }
        const int8_t *src = in_b + ((size_t)iy * W + ix0 + lo) * C;
        int8_t *dst = lin + pre;
        lin_fill(lin, pre, -off);
        int32_t m = len;
        for (; m >= 4; m -= 4, src += 4, dst += 4) {
            __asm__ ("" : "+r" (dst));
            conv_store32(dst, conv_load32(src));
        }
        for (; m > 0; m--) {
            __asm__ ("" : "+r" (dst));
            *dst++ = *src++;
        }
        lin_fill(dst, n - pre - len, -off);
    }
    // Past K up to a multiple of 4: the zero point, widened to 0.
    const int32_t K = g->f_h * n, k4 = (K + 3) & ~3;
    lin = (int8_t *)lw;
    lin_fill(lin + K, k4 - K, -off);
    const uint32_t off2 = (uint32_t)(uint16_t)off * 0x10001u;
    for (int32_t k = 0; k < k4; k += 4, slot += 8) {
        put4(slot, lin + k, off, off2);
    }
}

static TFLM_ALWAYS_INLINE bool im2col_special(const conv_data_t *d, const conv_geom_t *g, const int8_t *in,
    const pix_t *p, void *buf) {
    if (lin_ok(d, g)) {
        im2col_lin(d, g, in, p, buf);
        return true;
    }
    return false;
}

#include "conv_im2col.h"

static TFLM_ALWAYS_INLINE uint32_t load32_inc(const int8_t **p) {
    return dsp_load32_inc(p);
}

// The weights of channels a and b split into even and odd bytes (SXTB16),
// the pair's two words of each pixel (one LDRD, the buffer is 8-aligned),
// two SMLAD per accumulator.
#define GROUP_2X2(x, va, vb)                                                  \
    {                                                                         \
        uint32_t ae = dsp_sxtb16(va), ao = dsp_sxtb16_r8(va);                 \
        uint32_t be = dsp_sxtb16(vb), bo = dsp_sxtb16_r8(vb);                 \
        uint32_t xe, xo;                                                      \
        dsp_load64_inc(&x, &xe, &xo);                                         \
        a0 = dsp_smlad(xe, ae, a0);                                           \
        a0 = dsp_smlad(xo, ao, a0);                                           \
        b0 = dsp_smlad(xe, be, b0);                                           \
        b0 = dsp_smlad(xo, bo, b0);                                           \
        dsp_load64_inc(&x, &xe, &xo);                                         \
        a1 = dsp_smlad(xe, ae, a1);                                           \
        a1 = dsp_smlad(xo, ao, a1);                                           \
        b1 = dsp_smlad(xe, be, b1);                                           \
        b1 = dsp_smlad(xo, bo, b1);                                           \
    }
typedef uint32_t acc_t;

// Requantization and clamp of one channel's two outputs. Channels with a
// multiplier of 0 or in [2^30, 2^31) and a right shift of at most 21 take
// 32-bit steps equal to tflm_requant; the others (dead channels with tiny
// scales have right shifts up to 31) take tflm_requant itself:
// - SMMULR(2x, m) = (2x * m + 2^31) >> 32 = (x * m + 2^30) >> 31 = hm when
//   QADD's 2x does not saturate. When it does (|x| >= 2^30), the exact hm
//   and SMMULR's (saturated 2x) are both 0 (m = 0) or both at least 2^29
//   in magnitude with x's sign: after a right shift of at most 21 both are
//   beyond [-256, 255], clamped to the same bound.
// - |SMMULR| < 2^30: the adds below cannot overflow.
// - (hm + 2^(right-1) - (hm < 0)) >> right is the reference's rounding
//   divide (half away from zero) for right >= 1.
// - Output bounds: when they are the whole int8 range (`full`), SSAT of
//   v + out_offset (|v| < 2^30: no overflow) is the clamp.
typedef struct {
    // Raw: the bounds before the output offset is added.
    int32_t q_min_raw, q_max_raw, out_offset;
    int32_t full;  // q_min_raw + out_offset == -128, q_max_raw + out_offset == 127
} conv_rq_t;

static inline int8_t clamp_out(const conv_rq_t *p, int32_t v) {
    if (p->full) {
        return (int8_t)dsp_ssat8(v + p->out_offset);
    }
    return (int8_t)(opt_clamp_i32(v, p->q_min_raw, p->q_max_raw) + p->out_offset);
}

static inline void rq_pair(const conv_rq_t *p, int32_t m, int32_t s, uint32_t acc0, uint32_t acc1, int8_t *o0,
    int8_t *o1) {
    int32_t v0, v1;
    if (s < -21 || (m != 0 && m < (1 << 30))) {
        v0 = tflm_requant((int32_t)acc0, m, (int)s);
        v1 = tflm_requant((int32_t)acc1, m, (int)s);
        v0 = tflm_clamp_i32(v0, p->q_min_raw, p->q_max_raw);
        v1 = tflm_clamp_i32(v1, p->q_min_raw, p->q_max_raw);
        *o0 = (int8_t)(v0 + p->out_offset);
        *o1 = (int8_t)(v1 + p->out_offset);
        return;
    }
    if (s >= 0) {
        int32_t x0 = (int32_t)(acc0 << s), x1 = (int32_t)(acc1 << s);
        v0 = dsp_smmulr(dsp_qadd(x0, x0), m);
        v1 = dsp_smmulr(dsp_qadd(x1, x1), m);
    } else {
        const int32_t r = -s, half = 1 << (r - 1);
        int32_t h0 = dsp_smmulr(dsp_qadd((int32_t)acc0, (int32_t)acc0), m);
        int32_t h1 = dsp_smmulr(dsp_qadd((int32_t)acc1, (int32_t)acc1), m);
        v0 = (h0 + (h0 >> 31) + half) >> r;
        v1 = (h1 + (h1 >> 31) + half) >> r;
    }
    *o0 = clamp_out(p, v0);
    *o1 = clamp_out(p, v1);
}

// rq_pair when every channel has a right shift in [1, 21], a multiplier in
// [2^30, 2^31) and the bounds are the whole int8 range (most layers).
static inline void rq_pair_fast(int32_t out_offset, int32_t m, int32_t s, uint32_t acc0, uint32_t acc1, int8_t *o0,
    int8_t *o1) {
    const int32_t r = -s, half = 1 << (r - 1);
    int32_t h0 = dsp_smmulr(dsp_qadd((int32_t)acc0, (int32_t)acc0), m);
    int32_t h1 = dsp_smmulr(dsp_qadd((int32_t)acc1, (int32_t)acc1), m);
    *o0 = (int8_t)dsp_ssat8(((h0 + (h0 >> 31) + half) >> r) + out_offset);
    *o1 = (int8_t)dsp_ssat8(((h1 + (h1 >> 31) + half) >> r) + out_offset);
}

// The layer's parameters; rq_pair_fast needs the whole int8 range.
#define CONV_RQ_INIT(q_min_raw, q_max_raw, out_offset) \
    { q_min_raw, q_max_raw, out_offset, q_min_raw + out_offset == -128 && q_max_raw + out_offset == 127 }

#include "conv_pairs.h"

#endif
