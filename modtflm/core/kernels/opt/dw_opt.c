// Optimized int8 DEPTHWISE_CONV_2D (dilation 1; other shapes stay on the
// reference kernel).
//
// Every output channel oc = ic * depth_mult + m is a separate dot product
// over the filter taps. Two forms walk the output in passes of 4 channels
// (the outer loop), each pass over every output pixel with the 4 channels'
// requantization values hoisted:
//   DW_CH  depth multiplier 1: the 4 channels are contiguous in the input
//          pixel and in the weights, one 32-bit load each per tap.
//   DW_BC  depth multiplier >= 4: one input value per tap is broadcast to 4
//          output channels whose weights are contiguous.
// A count of channels that is not a multiple of 4 ends with a pass that
// overlaps the previous one (the same outputs are written twice); the
// Helium form also takes fewer than 4 channels, with predicated lanes.
//
// Pixels whose window lies inside the input (the interior) start from
// bias + in_offset * sum(w) and accumulate w * x: exact modulo 2^32. Border
// pixels skip the taps outside the input and add in_offset to every x, as
// the reference does.
#include "../../tflm_config.h"
#if MICROPY_TFLM_OP_CONV && MICROPY_TFLM_OPT_KERNELS
#include <string.h>
#include "../../support/quant.h"
#include "../conv.h"

#if defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>
#define DW_MVE (1)
#define DW_MIN_LANES (1)
#elif defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#define DW_DSP (1)
#define DW_MIN_LANES (4)
#else
#define DW_MIN_LANES (4)
#endif

#define ALWAYS_INLINE inline __attribute__((always_inline))

enum { DW_CH = 1, DW_BC = 2 };

// Requantization of one channel: tflm_requant with the shifts and the
// rounding mask derived once per pass.
typedef struct {
    int32_t mult;
    int32_t ls;      // left shift
    int32_t rs;      // right shift
    int32_t mask;    // (1 << rs) - 1
    int32_t half;    // 1 << (rs - 1), 0 when rs == 0
} rq_t;

static void rq_init(rq_t *r, int32_t mult, int32_t shift) {
    r->mult = mult;
    r->ls = shift > 0 ? shift : 0;
    r->rs = shift > 0 ? 0 : -shift;
    r->mask = (int32_t)(((uint32_t)1 << r->rs) - 1);
    r->half = (r->mask >> 1) + (r->rs > 0);
}

#if !DW_MVE
// Equal to tflm_requant: the rounding divide adds 1 when the remainder is
// above half the divisor (negative values: at least half), as the
// reference's remainder > threshold test.
static ALWAYS_INLINE int32_t rq_apply(uint32_t acc, const rq_t *r) {
    int32_t x = (int32_t)(acc << r->ls);
    int64_t p = (int64_t)x * r->mult;
    int32_t hm = (int32_t)((p + (1ll << 30)) >> 31);
    int32_t rem = hm & r->mask;
    int32_t thr = (r->mask >> 1) - (hm >> 31);
    return (hm >> r->rs) + (int32_t)((uint32_t)(thr - rem) >> 31);
}

static ALWAYS_INLINE int8_t rq_out(uint32_t acc, const rq_t *r, int32_t q_min, int32_t q_max, int32_t out_off) {
    int32_t v = rq_apply(acc, r);
    v = v < q_min ? q_min : v;
    v = v > q_max ? q_max : v;
    return (int8_t)(v + out_off);
}

#if DW_DSP
// (a << 32 + x * y + 2^31) >> 32, exactly a + the rounded high product.
static ALWAYS_INLINE int32_t smmlar(int32_t x, int32_t y, int32_t a) {
    int32_t r;
    __asm__ ("smmlar %0, %1, %2, %3" : "=r" (r) : "r" (x), "r" (y), "r" (a));
    return r;
}

// rq_out under the `fast` conditions (no left shift, right shift rs in
// 1..20, mult >= 2^30); hb = half + out_off * 2^rs.
// * hm = (2 acc * mult + 2^31) >> 32 is the doubling high multiply while
//   2 acc fits 32 bits; when QADD saturates (|acc| >= 2^30) both it and
//   the exact value exceed 2^29, so after a right shift of at most 20 both
//   saturate to the same int8 limit.
// * The reference adds half - (hm < 0) before the shift; acc's sign bit is
//   used instead: acc >= 0 gives hm >= 0, acc < 0 gives hm <= 0, and when
//   hm == 0 both (half - 1) >> rs and half >> rs are 0 (half < 2^rs).
// * Adding out_off * 2^rs before the arithmetic shift adds exactly out_off
//   after it. No overflow: |hm| <= 2^30, half <= 2^19, |out_off * 2^rs| <= 2^27.
// * SSAT to int8 then the [lo, hi] clamp equals the clamp alone, as
//   -128 <= lo and hi <= 127.
static ALWAYS_INLINE int8_t rq_out_fast(uint32_t acc, int32_t mult, int32_t hb, int32_t rs, int32_t lo, int32_t hi,
    bool full) {
    int32_t t = hb + ((int32_t)acc >> 31);
    int32_t v = smmlar(__qadd((int32_t)acc, (int32_t)acc), mult, t) >> rs;
    v = __ssat(v, 8);
    if (!full) {
        v = v < lo ? lo : v;
        v = v > hi ? hi : v;
    }
    return (int8_t)v;
}
#endif

#if DW_DSP
static ALWAYS_INLINE uint32_t ld32(const int8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
#endif

#endif

// The taps of one pixel: ny rows of nx taps, px / pw at the first tap.
// x_step / w_step: bytes between taps along a row (input / weights);
// x_row / w_row: from the end of a row to the start of the next.
#if DW_MVE
static ALWAYS_INLINE int32x4_t dw_taps(int32x4_t acc, const int8_t *px, const int8_t *pw, int32_t ny, int32_t nx,
    int32_t x_step, int32_t w_step, int32_t x_row, int32_t w_row, int32_t off, bool border, bool bc, mve_pred16_t pred) {
    for (int32_t y = 0; y < ny; y++) {
        for (int32_t x = 0; x < nx; x++) {
            int32x4_t wv = vldrbq_z_s32(pw, pred);
            if (bc) {
                int32_t xv = *px;
                if (border) {
                    xv += off;
                }
                acc = vmlaq_n_s32(acc, wv, xv);
            } else {
                int32x4_t xv = vldrbq_z_s32(px, pred);
                if (border) {
                    xv = vaddq_n_s32(xv, off);
                }
                acc = vaddq_s32(acc, vmulq_s32(xv, wv));
            }
            px += x_step;
            pw += w_step;
        }
        px += x_row;
        pw += w_row;
    }
    return acc;
}
#else
#if DW_DSP
// SXTB16 of the odd bytes (gcc does not fold a rotation into it).
static ALWAYS_INLINE int32_t sxtb16_ror8(uint32_t v) {
    int32_t r;
    __asm__ ("sxtb16 %0, %1, ror #8" : "=r" (r) : "r" (v));
    return r;
}
#endif

static ALWAYS_INLINE void dw_taps_inl(uint32_t *acc, const int8_t *px, const int8_t *pw, int32_t ny, int32_t nx,
    int32_t x_step, int32_t w_step, int32_t x_row, int32_t w_row, int32_t off, bool border, bool bc) {
    uint32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    #if DW_DSP
    const int32_t offp = (int32_t)(((uint32_t)off & 0xffff) | ((uint32_t)off << 16));
    #endif
    x_row += nx * x_step;
    w_row += nx * w_step;
    do {
        const int8_t *p = px, *q = pw, *end = px + nx * x_step;
        do {
            #if DW_DSP
            uint32_t wv = ld32(q);
            int32_t w02 = __sxtb16(wv), w13 = sxtb16_ror8(wv);
            if (bc) {
                // x in the bottom half (x + off fits 16 bits).
                int32_t xv = *p;
                if (border) {
                    xv += off;
                }
                a0 = (uint32_t)__smlabb(w02, xv, (int32_t)a0);
                a1 = (uint32_t)__smlabb(w13, xv, (int32_t)a1);
                a2 = (uint32_t)__smlatb(w02, xv, (int32_t)a2);
                a3 = (uint32_t)__smlatb(w13, xv, (int32_t)a3);
            } else {
                uint32_t xv = ld32(p);
                int32_t x02 = __sxtb16(xv), x13 = sxtb16_ror8(xv);
                if (border) {
                    x02 = __sadd16(x02, offp);
                    x13 = __sadd16(x13, offp);
                }
                a0 = (uint32_t)__smlabb(w02, x02, (int32_t)a0);
                a1 = (uint32_t)__smlabb(w13, x13, (int32_t)a1);
                a2 = (uint32_t)__smlatt(w02, x02, (int32_t)a2);
                a3 = (uint32_t)__smlatt(w13, x13, (int32_t)a3);
            }
            #else
            int32_t x0, x1, x2, x3;
            if (bc) {
                x0 = x1 = x2 = x3 = p[0] + (border ? off : 0);
            } else {
                x0 = p[0] + (border ? off : 0);
                x1 = p[1] + (border ? off : 0);
                x2 = p[2] + (border ? off : 0);
                x3 = p[3] + (border ? off : 0);
            }
            a0 += (uint32_t)(q[0] * x0);
            a1 += (uint32_t)(q[1] * x1);
            a2 += (uint32_t)(q[2] * x2);
            a3 += (uint32_t)(q[3] * x3);
            #endif
            p += x_step;
            q += w_step;
        } while (p != end);
        px += x_row;
        pw += w_row;
    } while (--ny > 0);
    acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
}

#endif

#if DW_MVE
// One pass: output channels oc0 .. oc0 + n - 1 of every pixel, reading
// input channel `ic` (bc) or channels ic .. ic + n - 1.
static ALWAYS_INLINE
void dw_pass(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias, int8_t *out, int32_t ic, int32_t oc0, int32_t n, bool bc) {
    const int32_t H = g->in_h, W = g->in_w, C = g->in_c, FH = g->f_h, FW = g->f_w, OC = g->out_c;
    const int32_t off = d->in_offset;
    // Per lane: requantization, bias at the border, bias + off * sum(w) inside.
    rq_t rq[4];
    uint32_t b_bord[4], b_int[4];
    for (int32_t k = 0; k < 4; k++) {
        int32_t oc = oc0 + (k < n ? k : 0);
        rq_init(&rq[k], d->mult[oc], conv_shifts(d, g)[oc]);
        uint32_t s = 0;
        for (int32_t t = 0; t < FH * FW; t++) {
            s += (uint32_t)w[(size_t)t * OC + oc];
        }
        b_bord[k] = bias ? (uint32_t)bias[oc] : 0;
        b_int[k] = b_bord[k] + s * (uint32_t)off;
    }
    const mve_pred16_t pred = vctp32q((uint32_t)n);
    const int32x4_t v_mult = { rq[0].mult, rq[1].mult, rq[2].mult, rq[3].mult };
    const int32x4_t v_ls = { rq[0].ls, rq[1].ls, rq[2].ls, rq[3].ls };
    const int32x4_t v_rs = { -rq[0].rs, -rq[1].rs, -rq[2].rs, -rq[3].rs };
    // -1 in the lanes that round (right shift > 0): added to negative values.
    const int32x4_t v_fix = { -(rq[0].rs > 0), -(rq[1].rs > 0), -(rq[2].rs > 0), -(rq[3].rs > 0) };
    const int32x4_t v_bb = vldrwq_s32((const int32_t *)b_bord), v_bi = vldrwq_s32((const int32_t *)b_int);
    const int32_t x_step = C, w_step = OC;
    int8_t *o = out + oc0;
    for (int32_t b = 0; b < g->batches; b++) {
        const int8_t *in_b = in + (size_t)b * H * W * C + ic;
        for (int32_t oy = 0; oy < g->out_h; oy++) {
            const int32_t iy0 = oy * g->stride_h - g->pad_h;
            const int32_t fy0 = iy0 < 0 ? -iy0 : 0;
            int32_t fy1 = H - iy0 < FH ? H - iy0 : FH;
            fy1 = fy1 > fy0 ? fy1 : fy0;
            for (int32_t ox = 0; ox < g->out_w; ox++) {
                const int32_t ix0 = ox * g->stride_w - g->pad_w;
                const int32_t fx0 = ix0 < 0 ? -ix0 : 0;
                int32_t fx1 = W - ix0 < FW ? W - ix0 : FW;
                fx1 = fx1 > fx0 ? fx1 : fx0;
                const int32_t ny = fy1 - fy0, nx = fx1 - fx0;
                const int8_t *px = in_b + ((size_t)(iy0 + fy0) * W + (ix0 + fx0)) * C;
                const int8_t *pw = w + ((size_t)fy0 * FW + fx0) * OC + oc0;
                const int32_t x_row = (W - nx) * C, w_row = (FW - nx) * OC;
                const bool border = ny != FH || nx != FW;
                int32x4_t acc;
                if (border) {
                    acc = dw_taps(v_bb, px, pw, ny, nx, x_step, w_step, x_row, w_row, off, true, bc, pred);
                } else {
                    acc = dw_taps(v_bi, px, pw, ny, nx, x_step, w_step, x_row, w_row, off, false, bc, pred);
                }
                // tflm_requant: the doubling high multiply is VQRDMULH; the
                // rounding shift rounds half up, so negative values first
                // lose 1 (half away from zero) where a right shift applies.
                int32x4_t v = vqrdmulhq_s32(vshlq_s32(acc, v_ls), v_mult);
                v = vaddq_s32(v, vandq_s32(vshrq_n_s32(v, 31), v_fix));
                v = vrshlq_s32(v, v_rs);
                v = vmaxq_s32(vminq_s32(v, vdupq_n_s32(d->q_max)), vdupq_n_s32(d->q_min));
                vstrbq_p_s32(o, vaddq_n_s32(v, d->out_offset), pred);
                o += OC;
            }
        }
    }
}

#else
// Everything one pass needs, filled once per pass.
typedef struct {
    int32_t x_step, w_step;     // bytes between taps along a row: C, OC
    int32_t x_rowlen, w_rowlen; // bytes between rows: W * C, FW * OC
    int32_t sx;                 // input bytes between horizontally adjacent pixels
    int32_t o_step;             // output bytes between pixels: OC
    int32_t off;                // in_offset
    uint32_t b_bord[8], b_int[8];
    rq_t rq[8];
    int32_t q_min, q_max, out_off;
    #if DW_DSP
    int32_t hb[8];              // half + (out_off << rs)
    int32_t lo, hi;             // clamp after adding out_off
    uint8_t mode;               // DW_RQ_*
    #endif
    bool bc;
} dw_pass_t;

enum { DW_RQ_EXACT = 0, DW_RQ_FAST = 1, DW_RQ_FULL = 2 };

static void __attribute__((noinline)) dw_rq_exact(const dw_pass_t *ps, const uint32_t *acc, int8_t *o, int n) {
    for (int k = 0; k < n; k++) {
        o[k] = rq_out(acc[k], &ps->rq[k], ps->q_min, ps->q_max, ps->out_off);
    }
}

// Requantizes lanes 0 .. n - 1 of acc into o.
static ALWAYS_INLINE void dw_rq(const dw_pass_t *ps, const uint32_t *acc, int8_t *o, int n) {
    #if DW_DSP
    if (ps->mode != DW_RQ_EXACT) {
        const bool full = ps->mode == DW_RQ_FULL;
        const int32_t lo = ps->lo, hi = ps->hi;
        #pragma GCC unroll 8
        for (int k = 0; k < n; k++) {
            o[k] = rq_out_fast(acc[k], ps->rq[k].mult, ps->hb[k], ps->rq[k].rs, lo, hi, full);
        }
        return;
    }
    #endif
    dw_rq_exact(ps, acc, o, n);
}

// `n` pixels in a row that have the same taps (ny rows of nx), the first
// one's first tap at px / pw; `border`: taps outside the input were left
// out, the offset is added per tap. Requantized into o.
static void __attribute__((noinline)) dw_seg(const dw_pass_t *ps, const int8_t *px, const int8_t *pw, int8_t *o,
    int32_t n, int32_t ny, int32_t nx, bool border) {
    const int32_t x_row = ps->x_rowlen - nx * ps->x_step, w_row = ps->w_rowlen - nx * ps->w_step;
    const uint32_t *b = border ? ps->b_bord : ps->b_int;
    do {
        uint32_t acc[4] = { b[0], b[1], b[2], b[3] };
        if (ps->bc) {
            if (border) {
                dw_taps_inl(acc, px, pw, ny, nx, ps->x_step, ps->w_step, x_row, w_row, ps->off, true, true);
            } else {
                dw_taps_inl(acc, px, pw, ny, nx, ps->x_step, ps->w_step, x_row, w_row, 0, false, true);
            }
        } else {
            if (border) {
                dw_taps_inl(acc, px, pw, ny, nx, ps->x_step, ps->w_step, x_row, w_row, ps->off, true, false);
            } else {
                dw_taps_inl(acc, px, pw, ny, nx, ps->x_step, ps->w_step, x_row, w_row, 0, false, false);
            }
        }
        dw_rq(ps, acc, o, 4);
        o += ps->o_step;
        px += ps->sx;
    } while (--n > 0);
}

// The taps of one pixel for 8 output channels of a one-channel input
// (depth multiplier 8): the taps' input values are consecutive bytes and
// their 8 weights consecutive words, one input load per tap.
static ALWAYS_INLINE void dw_taps8(uint32_t *acc, const int8_t *px, const int8_t *pw, int32_t ny, int32_t nx,
    int32_t x_row, int32_t w_row, int32_t off, bool border) {
    uint32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], a4 = acc[4], a5 = acc[5], a6 = acc[6], a7 = acc[7];
    const int8_t *pr = px, *q = pw;
    int32_t y = ny;
    do {
        const int8_t *p = pr, *end = pr + nx;
        do {
            int32_t xv = *p++;
            if (border) {
                xv += off;
            }
            #if DW_DSP
            uint32_t wv = ld32(q), wu = ld32(q + 4);
            int32_t w02 = __sxtb16(wv), w13 = sxtb16_ror8(wv);
            a0 = (uint32_t)__smlabb(w02, xv, (int32_t)a0);
            a1 = (uint32_t)__smlabb(w13, xv, (int32_t)a1);
            a2 = (uint32_t)__smlatb(w02, xv, (int32_t)a2);
            a3 = (uint32_t)__smlatb(w13, xv, (int32_t)a3);
            w02 = __sxtb16(wu), w13 = sxtb16_ror8(wu);
            a4 = (uint32_t)__smlabb(w02, xv, (int32_t)a4);
            a5 = (uint32_t)__smlabb(w13, xv, (int32_t)a5);
            a6 = (uint32_t)__smlatb(w02, xv, (int32_t)a6);
            a7 = (uint32_t)__smlatb(w13, xv, (int32_t)a7);
            #else
            a0 += (uint32_t)(q[0] * xv);
            a1 += (uint32_t)(q[1] * xv);
            a2 += (uint32_t)(q[2] * xv);
            a3 += (uint32_t)(q[3] * xv);
            a4 += (uint32_t)(q[4] * xv);
            a5 += (uint32_t)(q[5] * xv);
            a6 += (uint32_t)(q[6] * xv);
            a7 += (uint32_t)(q[7] * xv);
            #endif
            q += 8;
        } while (p != end);
        pr += x_row;
        q += w_row;
    } while (--y > 0);
    acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3, acc[4] = a4, acc[5] = a5, acc[6] = a6, acc[7] = a7;
}

// dw_seg for 8 output channels of a one-channel input.
static void __attribute__((noinline)) dw_seg8(const dw_pass_t *ps, const int8_t *px, const int8_t *pw, int8_t *o,
    int32_t n, int32_t ny, int32_t nx, bool border) {
    const int32_t x_row = ps->x_rowlen, w_row = ps->w_rowlen - nx * 8;
    const uint32_t *b = border ? ps->b_bord : ps->b_int;
    do {
        uint32_t acc[8];
        memcpy(acc, b, sizeof(acc));
        if (border) {
            dw_taps8(acc, px, pw, ny, nx, x_row, w_row, ps->off, true);
        } else {
            dw_taps8(acc, px, pw, ny, nx, x_row, w_row, 0, false);
        }
        dw_rq(ps, acc, o, 8);
        o += 8;
        px += ps->sx;
    } while (--n > 0);
}

// One pass: output channels oc0 .. oc0 + n - 1 (n: 4, or 8 for dw_seg8) of
// every pixel, reading input channel `ic` (bc) or channels ic .. ic + 3.
static void dw_pass(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias, int8_t *out, int32_t ic, int32_t oc0, int32_t n, bool bc) {
    void (*seg)(const dw_pass_t *, const int8_t *, const int8_t *, int8_t *, int32_t, int32_t, int32_t, bool) =
        n == 8 ? dw_seg8 : dw_seg;
    const int32_t H = g->in_h, W = g->in_w, C = g->in_c, FH = g->f_h, FW = g->f_w, OC = g->out_c;
    const int32_t SW = g->stride_w, PW = g->pad_w;
    dw_pass_t ps;
    ps.x_step = C;
    ps.w_step = OC;
    ps.x_rowlen = W * C;
    ps.w_rowlen = FW * OC;
    ps.sx = SW * C;
    ps.o_step = OC;
    ps.off = d->in_offset;
    ps.q_min = d->q_min;
    ps.q_max = d->q_max;
    ps.out_off = d->out_offset;
    ps.bc = bc;
    for (int32_t k = 0; k < n; k++) {
        int32_t oc = oc0 + k;
        rq_init(&ps.rq[k], d->mult[oc], conv_shifts(d, g)[oc]);
        uint32_t s = 0;
        for (int32_t t = 0; t < FH * FW; t++) {
            s += (uint32_t)w[(size_t)t * OC + oc];
        }
        ps.b_bord[k] = bias ? (uint32_t)bias[oc] : 0;
        ps.b_int[k] = ps.b_bord[k] + s * (uint32_t)ps.off;
    }
    #if DW_DSP
    // The short requantization: no left shift, a right shift of 1..20 and
    // a multiplier of at least 2^30; DW_RQ_FULL: the clamp is the int8 range.
    bool fast = true;
    for (int k = 0; k < n; k++) {
        fast &= ps.rq[k].ls == 0 && ps.rq[k].rs >= 1 && ps.rq[k].rs <= 20 && ps.rq[k].mult >= (1 << 30);
        // |out_off << rs| <= 2^27: no overflow (see rq_out_fast).
        ps.hb[k] = ps.rq[k].half + ps.out_off * (1 << ps.rq[k].rs);
    }
    ps.lo = ps.q_min + ps.out_off;
    ps.hi = ps.q_max + ps.out_off;
    ps.mode = !fast ? DW_RQ_EXACT : ps.lo == -128 && ps.hi == 127 ? DW_RQ_FULL : DW_RQ_FAST;
    #endif
    // Output columns [ox_a, ox_b) have the whole filter width inside the input.
    int32_t ox_a = 0, ox_b = 0;
    while (ox_a < g->out_w && ox_a * SW - PW < 0) {
        ox_a++;
    }
    ox_b = ox_a;
    while (ox_b < g->out_w && ox_b * SW - PW + FW <= W) {
        ox_b++;
    }
    int8_t *o = out + oc0;
    for (int32_t b = 0; b < g->batches; b++) {
        const int8_t *in_b = in + (size_t)b * H * W * C + ic;
        for (int32_t oy = 0; oy < g->out_h; oy++) {
            const int32_t iy0 = oy * g->stride_h - g->pad_h;
            const int32_t fy0 = iy0 < 0 ? -iy0 : 0;
            int32_t fy1 = H - iy0 < FH ? H - iy0 : FH;
            fy1 = fy1 > fy0 ? fy1 : fy0;
            const int32_t ny = fy1 - fy0;
            const int8_t *in_r = in_b + (size_t)(iy0 + fy0) * W * C;
            const int8_t *w_r = w + (size_t)fy0 * FW * OC + oc0;
            for (int32_t ox = 0; ox < g->out_w; ox++) {
                if (ox == ox_a && ox_b > ox_a) {
                    // The run of pixels with every column inside.
                    int32_t m = ox_b - ox_a;
                    if (ny > 0) {
                        seg(&ps, in_r + (ox * SW - PW) * C, w_r, o, m, ny, FW, ny != FH);
                    } else {
                        for (int32_t i = 0; i < m; i++) {
                            dw_rq_exact(&ps, ps.b_bord, o + (size_t)i * OC, n);
                        }
                    }
                    o += (size_t)m * OC;
                    ox = ox_b - 1;
                    continue;
                }
                const int32_t ix0 = ox * SW - PW;
                const int32_t fx0 = ix0 < 0 ? -ix0 : 0;
                int32_t fx1 = W - ix0 < FW ? W - ix0 : FW;
                fx1 = fx1 > fx0 ? fx1 : fx0;
                const int32_t nx = fx1 - fx0;
                if (ny > 0 && nx > 0) {
                    seg(&ps, in_r + (ix0 + fx0) * C, w_r + fx0 * OC, o, 1, ny, nx, true);
                } else {
                    dw_rq_exact(&ps, ps.b_bord, o, n);
                }
                o += OC;
            }
        }
    }
}
#endif

#if DW_MVE
// Helium, depth multiplier 1: passes of 8 channels in int16 lanes. Per tap
// one weight load (vldrbq_s16) serves two pixels of a row; each pixel's
// products go through VMULLB / VMULLT into two int32 accumulators, the even
// channels (0, 2, 4, 6) and the odd ones. x (+ in_offset at the border)
// lies in [-255, 255] and w in [-128, 127]: the int16 operands are exact and
// the widening products are the reference's. Lanes beyond n channels load 0
// weights (predicated), so they contribute 0 and are never stored.
typedef struct {
    int32x4_t mult, ls, rs, fix, bb, bi;
} dw_rq4_t;

// The Helium requantization of 4 lanes (see dw_pass), out_offset added.
static ALWAYS_INLINE int32x4_t dw_rq4(int32x4_t acc, const dw_rq4_t *r, int32_t q_min, int32_t q_max,
    int32_t out_off) {
    int32x4_t v = vqrdmulhq_s32(vshlq_s32(acc, r->ls), r->mult);
    v = vaddq_s32(v, vandq_s32(vshrq_n_s32(v, 31), r->fix));
    v = vrshlq_s32(v, r->rs);
    v = vmaxq_s32(vminq_s32(v, vdupq_n_s32(q_max)), vdupq_n_s32(q_min));
    return vaddq_n_s32(v, out_off);
}

// dw_rq4 without the clamp and out_offset; !shl: every left shift is 0.
static ALWAYS_INLINE int32x4_t dw_rq4s(int32x4_t acc, const dw_rq4_t *r, bool shl) {
    int32x4_t v = vqrdmulhq_s32(shl ? vshlq_s32(acc, r->ls) : acc, r->mult);
    v = vaddq_s32(v, vandq_s32(vshrq_n_s32(v, 31), r->fix));
    return vrshlq_s32(v, r->rs);
}

enum { DW16_FULL = 1, DW16_NOSHL = 2 };

typedef struct {
    dw_rq4_t r[2];           // even, odd channels
    int32_t C, OC, x_rowlen, w_rowlen, sx, off, q_min, q_max, out_off;
    mve_pred16_t pred;
} dw_ps16_t;

// np (1 or 2) pixels with the same ny x nx taps, the second one's input
// sx bytes after the first, stored at o and o + o2.
static ALWAYS_INLINE void dw_px16(int mode, const dw_ps16_t *ps, const int8_t *px, const int8_t *pw, int8_t *o,
    int32_t ny, int32_t nx, bool border, int np, int32_t sx, int32_t o2) {
    const mve_pred16_t pred = ps->pred;
    const bool full = mode & DW16_FULL, shl = !(mode & DW16_NOSHL);
    // full: 8 channels, unpredicated loads and stores (no VPST each).
    #define DW_LD16(p) (full ? vldrbq_s16(p) : vldrbq_z_s16(p, pred))
    #define DW_ST16(p, r) (full ? vstrbq_s16(p, r) : vstrbq_p_s16(p, r, pred))
    const int32_t C = ps->C, OC = ps->OC;
    const int32_t x_row = ps->x_rowlen - nx * C, w_row = ps->w_rowlen - nx * OC;
    const int16_t off = (int16_t)ps->off;
    int32x4_t a0e = border ? ps->r[0].bb : ps->r[0].bi, a0o = border ? ps->r[1].bb : ps->r[1].bi;
    int32x4_t a1e = a0e, a1o = a0o;
    for (int32_t y = 0; y < ny; y++) {
        for (int32_t x = 0; x < nx; x++) {
            int16x8_t wv = DW_LD16(pw);
            int16x8_t x0 = DW_LD16(px);
            if (border) {
                x0 = vaddq_n_s16(x0, off);
            }
            a0e = vaddq_s32(a0e, vmullbq_int_s16(x0, wv));
            a0o = vaddq_s32(a0o, vmulltq_int_s16(x0, wv));
            if (np == 2) {
                int16x8_t x1 = DW_LD16(px + sx);
                if (border) {
                    x1 = vaddq_n_s16(x1, off);
                }
                a1e = vaddq_s32(a1e, vmullbq_int_s16(x1, wv));
                a1o = vaddq_s32(a1o, vmulltq_int_s16(x1, wv));
            }
            px += C;
            pw += OC;
        }
        px += x_row;
        pw += w_row;
    }
    // Narrowing back to channel order: the even lanes to the bottom halves,
    // the odd ones to the top, saturating to int16. The clamp to
    // [q_min, q_max] (within int8) then gives the same value as on the
    // int32, and it and out_offset go once on the 8 int16 lanes; the store
    // keeps the low byte of each.
    const int16x8_t lo = vdupq_n_s16((int16_t)ps->q_min), hi = vdupq_n_s16((int16_t)ps->q_max);
    int16x8_t r = vdupq_n_s16(0);
    r = vqmovnbq_s32(r, dw_rq4s(a0e, &ps->r[0], shl));
    r = vqmovntq_s32(r, dw_rq4s(a0o, &ps->r[1], shl));
    r = vaddq_n_s16(vmaxq_s16(vminq_s16(r, hi), lo), (int16_t)ps->out_off);
    DW_ST16(o, r);
    if (np == 2) {
        r = vqmovnbq_s32(r, dw_rq4s(a1e, &ps->r[0], shl));
        r = vqmovntq_s32(r, dw_rq4s(a1o, &ps->r[1], shl));
        r = vaddq_n_s16(vmaxq_s16(vminq_s16(r, hi), lo), (int16_t)ps->out_off);
        DW_ST16(o + o2, r);
    }
    #undef DW_LD16
    #undef DW_ST16
}

// Channels c0 .. c0 + n - 1 (n <= 8) of every pixel, depth multiplier 1;
// mode: DW16_FULL (n is 8), DW16_NOSHL (no channel has a left shift).
static ALWAYS_INLINE void dw_pass16(int mode, const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias, int8_t *out, int32_t c0, int32_t n) {
    const int32_t H = g->in_h, W = g->in_w, C = g->in_c, FH = g->f_h, FW = g->f_w, OC = g->out_c;
    const int32_t SW = g->stride_w, PW = g->pad_w;
    dw_ps16_t ps;
    ps.C = C;
    ps.OC = OC;
    ps.x_rowlen = W * C;
    ps.w_rowlen = FW * OC;
    ps.sx = SW * C;
    ps.off = d->in_offset;
    ps.q_min = d->q_min;
    ps.q_max = d->q_max;
    ps.out_off = d->out_offset;
    ps.pred = vctp16q((uint32_t)n);
    // Lane j of the even / odd vectors is channel 2 j / 2 j + 1.
    int32_t v[6][2][4];
    for (int32_t k = 0; k < 8; k++) {
        int32_t oc = c0 + (k < n ? k : 0);
        rq_t rq;
        rq_init(&rq, d->mult[oc], conv_shifts(d, g)[oc]);
        uint32_t s = 0;
        for (int32_t t = 0; t < FH * FW; t++) {
            s += (uint32_t)w[(size_t)t * OC + oc];
        }
        uint32_t bb = bias ? (uint32_t)bias[oc] : 0;
        int32_t h = k & 1, j = k >> 1;
        v[0][h][j] = rq.mult;
        v[1][h][j] = rq.ls;
        v[2][h][j] = -rq.rs;
        v[3][h][j] = -(rq.rs > 0);
        v[4][h][j] = (int32_t)bb;
        v[5][h][j] = (int32_t)(bb + s * (uint32_t)ps.off);
    }
    for (int32_t h = 0; h < 2; h++) {
        ps.r[h].mult = vldrwq_s32(v[0][h]);
        ps.r[h].ls = vldrwq_s32(v[1][h]);
        ps.r[h].rs = vldrwq_s32(v[2][h]);
        ps.r[h].fix = vldrwq_s32(v[3][h]);
        ps.r[h].bb = vldrwq_s32(v[4][h]);
        ps.r[h].bi = vldrwq_s32(v[5][h]);
    }
    // Output columns [ox_a, ox_b) have the whole filter width inside the input.
    int32_t ox_a = 0, ox_b;
    while (ox_a < g->out_w && ox_a * SW - PW < 0) {
        ox_a++;
    }
    ox_b = ox_a;
    while (ox_b < g->out_w && ox_b * SW - PW + FW <= W) {
        ox_b++;
    }
    int8_t *o = out + c0;
    for (int32_t b = 0; b < g->batches; b++) {
        const int8_t *in_b = in + (size_t)b * H * W * C + c0;
        for (int32_t oy = 0; oy < g->out_h; oy++) {
            const int32_t iy0 = oy * g->stride_h - g->pad_h;
            const int32_t fy0 = iy0 < 0 ? -iy0 : 0;
            int32_t fy1 = H - iy0 < FH ? H - iy0 : FH;
            fy1 = fy1 > fy0 ? fy1 : fy0;
            const int32_t ny = fy1 - fy0;
            const int8_t *in_r = in_b + (size_t)(iy0 + fy0) * W * C;
            const int8_t *w_r = w + (size_t)fy0 * FW * OC + c0;
            if (ny == FH && oy + 1 < g->out_h && iy0 + g->stride_h + FH <= H) {
                // Two output rows with every filter row inside: vertical
                // pairs (the same columns), border columns included.
                const int32_t sy = g->stride_h * W * C, o2 = g->out_w * OC;
                for (int32_t ox = 0; ox < g->out_w; ox++, o += OC) {
                    if (ox == ox_a && ox_b > ox_a) {
                        // The inside columns: horizontal pairs in each
                        // row, an odd last column as a vertical pair.
                        const int8_t *px = in_r + (ox * SW - PW) * C;
                        int32_t m = ox_b - ox_a;
                        for (; m >= 2; m -= 2, px += 2 * ps.sx, o += 2 * OC) {
                            if (FH == 3 && FW == 3) {
                                dw_px16(mode, &ps, px, w_r, o, 3, 3, false, 2, ps.sx, OC);
                                dw_px16(mode, &ps, px + sy, w_r, o + o2, 3, 3, false, 2, ps.sx, OC);
                            } else {
                                dw_px16(mode, &ps, px, w_r, o, FH, FW, false, 2, ps.sx, OC);
                                dw_px16(mode, &ps, px + sy, w_r, o + o2, FH, FW, false, 2, ps.sx, OC);
                            }
                        }
                        if (m) {
                            if (FH == 3 && FW == 3) {
                                dw_px16(mode, &ps, px, w_r, o, 3, 3, false, 2, sy, o2);
                            } else {
                                dw_px16(mode, &ps, px, w_r, o, FH, FW, false, 2, sy, o2);
                            }
                            o += OC;
                        }
                        ox = ox_b - 1;
                        o -= OC;
                        continue;
                    }
                    const int32_t ix0 = ox * SW - PW;
                    const int32_t fx0 = ix0 < 0 ? -ix0 : 0;
                    int32_t fx1 = W - ix0 < FW ? W - ix0 : FW;
                    fx1 = fx1 > fx0 ? fx1 : fx0;
                    const int8_t *px = in_r + (ix0 + fx0) * C;
                    if (fx1 - fx0 < FW) {
                        dw_px16(mode, &ps, px, w_r + fx0 * OC, o, FH, fx1 - fx0, true, 2, sy, o2);
                    } else if (FH == 3 && FW == 3) {
                        dw_px16(mode, &ps, px, w_r, o, 3, 3, false, 2, sy, o2);
                    } else {
                        dw_px16(mode, &ps, px, w_r, o, FH, FW, false, 2, sy, o2);
                    }
                }
                o += o2;
                oy++;
                continue;
            }
            for (int32_t ox = 0; ox < g->out_w; ox++) {
                if (ox == ox_a && ox_b > ox_a) {
                    // The run of pixels with every column inside, in pairs.
                    const int8_t *px = in_r + (ox * SW - PW) * C;
                    int32_t m = ox_b - ox_a;
                    if (ny == FH && FH == 3 && FW == 3) {
                        // 3x3, the taps unrolled.
                        for (; m >= 2; m -= 2, px += 2 * ps.sx, o += 2 * OC) {
                            dw_px16(mode, &ps, px, w_r, o, 3, 3, false, 2, ps.sx, OC);
                        }
                        if (m) {
                            dw_px16(mode, &ps, px, w_r, o, 3, 3, false, 1, ps.sx, OC);
                            o += OC;
                        }
                    } else if (ny == FH) {
                        for (; m >= 2; m -= 2, px += 2 * ps.sx, o += 2 * OC) {
                            dw_px16(mode, &ps, px, w_r, o, FH, FW, false, 2, ps.sx, OC);
                        }
                        if (m) {
                            dw_px16(mode, &ps, px, w_r, o, FH, FW, false, 1, ps.sx, OC);
                            o += OC;
                        }
                    } else {
                        for (; m >= 2; m -= 2, px += 2 * ps.sx, o += 2 * OC) {
                            dw_px16(mode, &ps, px, w_r, o, ny, FW, true, 2, ps.sx, OC);
                        }
                        if (m) {
                            dw_px16(mode, &ps, px, w_r, o, ny, FW, true, 1, ps.sx, OC);
                            o += OC;
                        }
                    }
                    ox = ox_b - 1;
                    continue;
                }
                const int32_t ix0 = ox * SW - PW;
                const int32_t fx0 = ix0 < 0 ? -ix0 : 0;
                int32_t fx1 = W - ix0 < FW ? W - ix0 : FW;
                fx1 = fx1 > fx0 ? fx1 : fx0;
                dw_px16(mode, &ps, in_r + (ix0 + fx0) * C, w_r + fx0 * OC, o, ny, fx1 - fx0, true, 1, ps.sx, OC);
                o += OC;
            }
        }
    }
}

static void dw_pass16_8(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias, int8_t *out, int32_t c0) {
    bool shl = false;
    for (int32_t k = 0; k < 8; k++) {
        shl |= conv_shifts(d, g)[c0 + k] > 0;
    }
    if (shl) {
        dw_pass16(DW16_FULL, d, g, in, w, bias, out, c0, 8);
    } else {
        dw_pass16(DW16_FULL | DW16_NOSHL, d, g, in, w, bias, out, c0, 8);
    }
}

static void dw_pass16_n(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias, int8_t *out, int32_t c0, int32_t n) {
    dw_pass16(0, d, g, in, w, bias, out, c0, n);
}
#endif

#if DW_MVE
// Helium, one input channel and a depth multiplier of 8 (micro_speech),
// filter rows of 5 to 8 taps: the taps of a filter row are consecutive
// input bytes. The weights are repacked on the stack as w1[fy][m][8], each
// channel's row zero-padded to 8, so an output channel's row is one dot
// product of 8 int16 lanes, VMLADAVA into a scalar accumulator. Input lanes
// past the row are not loaded (predicated, 0) and meet zero weights; at the
// left border the row starts at tap fx0 and the weights are loaded
// predicated to the nx taps, so that every lane past them is 0. The int16
// operands and the int32 sums are exact as in dw_pass16; the accumulation
// wraps modulo 2^32 like the reference. VMLADAVA accumulates in an even
// register, so the 8 channels go as two groups of 4.
#define DW1_DM (8)
#define DW1_FW (8)
#define DW1_MAX_FH (16)

// Channels 4 grp .. 4 grp + 3 of one pixel into acc.
static ALWAYS_INLINE void dw1_px(const int8_t *px, const int8_t *q, int32_t *acc, int32_t ny, int32_t nx,
    int32_t W, int16_t off, bool border) {
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    const mve_pred16_t p = vctp16q((uint32_t)nx);
    for (int32_t y = 0; y < ny; y++) {
        int16x8_t xv = vldrbq_z_s16(px, p);
        if (border) {
            xv = vaddq_n_s16(xv, off);
            a0 = vmladavaq_s16(a0, xv, vldrbq_z_s16(q, p));
            a1 = vmladavaq_s16(a1, xv, vldrbq_z_s16(q + 8, p));
            a2 = vmladavaq_s16(a2, xv, vldrbq_z_s16(q + 16, p));
            a3 = vmladavaq_s16(a3, xv, vldrbq_z_s16(q + 24, p));
        } else {
            a0 = vmladavaq_s16(a0, xv, vldrbq_s16(q));
            a1 = vmladavaq_s16(a1, xv, vldrbq_s16(q + 8));
            a2 = vmladavaq_s16(a2, xv, vldrbq_s16(q + 16));
            a3 = vmladavaq_s16(a3, xv, vldrbq_s16(q + 24));
        }
        px += W;
        q += DW1_DM * DW1_FW;
    }
    acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
}

static void dw_pass1(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias, int8_t *out) {
    const int32_t H = g->in_h, W = g->in_w, FH = g->f_h, FW = g->f_w, dm = DW1_DM;
    const int32_t SW = g->stride_w, PW = g->pad_w;
    const int16_t off = (int16_t)d->in_offset;
    int8_t w1[DW1_MAX_FH * DW1_DM * DW1_FW];
    memset(w1, 0, (size_t)FH * DW1_DM * DW1_FW);
    int32_t v[6][DW1_DM];
    for (int32_t m = 0; m < DW1_DM; m++) {
        uint32_t s = 0;
        for (int32_t t = 0; t < FH * FW; t++) {
            s += (uint32_t)w[(size_t)t * dm + m];
            w1[((t / FW) * DW1_DM + m) * DW1_FW + t % FW] = w[(size_t)t * dm + m];
        }
        rq_t rq;
        rq_init(&rq, d->mult[m], conv_shifts(d, g)[m]);
        uint32_t bb = bias ? (uint32_t)bias[m] : 0;
        v[0][m] = rq.mult;
        v[1][m] = rq.ls;
        v[2][m] = -rq.rs;
        v[3][m] = -(rq.rs > 0);
        v[4][m] = (int32_t)bb;
        v[5][m] = (int32_t)(bb + s * (uint32_t)d->in_offset);
    }
    dw_rq4_t r[2];
    for (int32_t h = 0; h < 2; h++) {
        r[h].mult = vldrwq_s32(&v[0][4 * h]);
        r[h].ls = vldrwq_s32(&v[1][4 * h]);
        r[h].rs = vldrwq_s32(&v[2][4 * h]);
        r[h].fix = vldrwq_s32(&v[3][4 * h]);
    }
    int8_t *o = out;
    for (int32_t b = 0; b < g->batches; b++) {
        const int8_t *in_b = in + (size_t)b * H * W;
        for (int32_t oy = 0; oy < g->out_h; oy++) {
            const int32_t iy0 = oy * g->stride_h - g->pad_h;
            const int32_t fy0 = iy0 < 0 ? -iy0 : 0;
            int32_t fy1 = H - iy0 < FH ? H - iy0 : FH;
            fy1 = fy1 > fy0 ? fy1 : fy0;
            const int32_t ny = fy1 - fy0;
            const int8_t *in_r = in_b + (size_t)(iy0 + fy0) * W;
            for (int32_t ox = 0; ox < g->out_w; ox++) {
                const int32_t ix0 = ox * SW - PW;
                const int32_t fx0 = ix0 < 0 ? -ix0 : 0;
                int32_t fx1 = W - ix0 < FW ? W - ix0 : FW;
                fx1 = fx1 > fx0 ? fx1 : fx0;
                const int32_t nx = fx1 - fx0;
                const int8_t *px = in_r + ix0 + fx0, *q = w1 + fy0 * DW1_DM * DW1_FW + fx0;
                int32_t acc[DW1_DM];
                if (ny == FH && nx == FW) {
                    memcpy(acc, v[5], sizeof(acc));
                    dw1_px(px, q, acc, ny, nx, W, off, false);
                    dw1_px(px, q + 4 * DW1_FW, acc + 4, ny, nx, W, off, false);
                } else {
                    memcpy(acc, v[4], sizeof(acc));
                    dw1_px(px, q, acc, ny, nx, W, off, true);
                    dw1_px(px, q + 4 * DW1_FW, acc + 4, ny, nx, W, off, true);
                }
                vstrbq_s32(o, dw_rq4(vldrwq_s32(acc), &r[0], d->q_min, d->q_max, d->out_offset));
                vstrbq_s32(o + 4, dw_rq4(vldrwq_s32(acc + 4), &r[1], d->q_min, d->q_max, d->out_offset));
                o += dm;
            }
        }
    }
}
#endif

#if DW_MVE
// Helium: one copy per form, the tap loop inlined.
static void dw_pass_ch(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias, int8_t *out, int32_t c, int32_t n) {
    dw_pass(d, g, in, w, bias, out, c, c, n, false);
}

static void dw_pass_bc(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias, int8_t *out, int32_t ic, int32_t oc0, int32_t n) {
    dw_pass(d, g, in, w, bias, out, ic, oc0, n, true);
}
#define DW_PASS_CH(c, n) dw_pass_ch(d, g, in, w, bias, out, c, n)
#define DW_PASS_BC(ic, oc0, n) dw_pass_bc(d, g, in, w, bias, out, ic, oc0, n)
#else
#define DW_PASS_CH(c, n) dw_pass(d, g, in, w, bias, out, c, c, n, false)
#define DW_PASS_BC(ic, oc0, n) dw_pass(d, g, in, w, bias, out, ic, oc0, n, true)
#endif

tflm_status_t tflm_dw_opt_prepare(tflm_interp_t *ip, tflm_node_t *node, conv_data_t *d,
    const conv_geom_t *g) {
    (void)ip;
    (void)node;
    d->opt = 0;
    if (g->dil_h != 1 || g->dil_w != 1) {
        return TFLM_OK;
    }
    if (g->depth_mult == 1 && g->in_c >= DW_MIN_LANES) {
        d->opt = DW_CH;
    } else if (g->depth_mult >= DW_MIN_LANES && g->depth_mult > 1) {
        d->opt = DW_BC;
    }
    return TFLM_OK;
}

void tflm_dw_opt_eval(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias,
    int8_t *out, uint8_t *scratch) {
    (void)scratch;
    #if DW_MVE
    if (d->opt == DW_CH) {
        // Passes of 8 channels; the last one predicated.
        for (int32_t c = 0; c < g->in_c; c += 8) {
            if (g->in_c - c >= 8) {
                dw_pass16_8(d, g, in, w, bias, out, c);
            } else {
                dw_pass16_n(d, g, in, w, bias, out, c, g->in_c - c);
            }
        }
        return;
    }
    if (g->in_c == 1 && g->depth_mult == DW1_DM && g->f_w >= 5 && g->f_w <= DW1_FW && g->f_h <= DW1_MAX_FH) {
        dw_pass1(d, g, in, w, bias, out);
        return;
    }
    #endif
    if (d->opt == DW_CH) {
        // Passes of 4 channels; the last one overlaps the previous.
        for (int32_t c = 0; c < g->in_c; c += 4) {
            int32_t n = g->in_c - c;
            if (n >= 4 || c > 0) {
                c = n < 4 ? g->in_c - 4 : c;
                n = 4;
            }
            DW_PASS_CH(c, n);
        }
    }
    #if !DW_MVE
    else if (g->in_c == 1 && g->depth_mult == 8) {
        DW_PASS_BC(0, 0, 8);
    }
    #endif
    else {
        const int32_t dm = g->depth_mult;
        for (int32_t ic = 0; ic < g->in_c; ic++) {
            for (int32_t m = 0; m < dm; m += 4) {
                int32_t n = dm - m;
                if (n >= 4 || m > 0) {
                    m = n < 4 ? dm - 4 : m;
                    n = 4;
                }
                DW_PASS_BC(ic, ic * dm + m, n);
            }
        }
    }
}
#endif
