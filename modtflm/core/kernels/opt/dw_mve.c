// Optimized int8 DEPTHWISE_CONV_2D, Helium (see dw_opt.c): depth
// multiplier 1 in passes of 8 channels of int16 lanes (dw_pass16), one
// input channel with depth multiplier 8 by repacked weights (dw_pass1),
// other shapes in passes of 4 int32 lanes (dw_pass).
#include "dw_opt.h"
#if MICROPY_TFLM_OP_CONV && MICROPY_TFLM_OPT_KERNELS && TFLM_CPU_MVE
#include <arm_mve.h>

// The taps of one pixel: ny rows of nx taps, px / pw at the first tap.
// x_step / w_step: bytes between taps along a row (input / weights);
// x_row / w_row: from the end of a row to the start of the next.
static TFLM_ALWAYS_INLINE int32x4_t dw_taps(int32x4_t acc, const int8_t *px, const int8_t *pw, int32_t ny, int32_t nx,
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

// One pass: output channels oc0 .. oc0 + n - 1 of every pixel, reading
// input channel `ic` (bc) or channels ic .. ic + n - 1.
static TFLM_ALWAYS_INLINE
void dw_pass(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias, int8_t *out, int32_t ic, int32_t oc0, int32_t n, bool bc) {
    const int32_t H = g->in_h, W = g->in_w, C = g->in_c, FH = g->f_h, FW = g->f_w, OC = g->out_c;
    const int32_t off = d->in_offset;
    // Per lane: requantization, bias at the border, bias + off * sum(w) inside.
    chan_rq_t rq[4];
    uint32_t b_bord[4], b_int[4];
    for (int32_t k = 0; k < 4; k++) {
        int32_t oc = oc0 + (k < n ? k : 0);
        chan_rq_init(&rq[k], d->mult[oc], conv_shifts(d, g)[oc]);
        dw_chan_bias(w + oc, FH * FW, OC, bias, oc, off, &b_bord[k], &b_int[k]);
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
            const dw_rows_t row = dw_rows(oy * g->stride_h - g->pad_h, H, FH, in_b, W, C, w + oc0, FW, OC);
            for (int32_t ox = 0; ox < g->out_w; ox++) {
                const int32_t ix0 = ox * g->stride_w - g->pad_w;
                int32_t fx0;
                const int32_t nx = dw_taps_inside(ix0, W, FW, &fx0);
                const int8_t *px = row.in + (ix0 + fx0) * C;
                const int8_t *pw = row.w + fx0 * OC;
                const int32_t x_row = (W - nx) * C, w_row = (FW - nx) * OC;
                const bool border = row.n != FH || nx != FW;
                int32x4_t acc;
                if (border) {
                    acc = dw_taps(v_bb, px, pw, row.n, nx, x_step, w_step, x_row, w_row, off, true, bc, pred);
                } else {
                    acc = dw_taps(v_bi, px, pw, row.n, nx, x_step, w_step, x_row, w_row, off, false, bc, pred);
                }
                // tflm_requant: the doubling high multiply is VQRDMULH; the
                // rounding shift rounds half up, so negative values first
                // lose 1 (half away from zero) where a right shift applies.
                int32x4_t v = vqrdmulhq_s32(vshlq_s32(acc, v_ls), v_mult);
                v = vaddq_s32(v, vandq_s32(vshrq_n_s32(v, 31), v_fix));
                v = vrshlq_s32(v, v_rs);
                v = vmaxq_s32(vminq_s32(v, vdupq_n_s32(d->q_max_raw)), vdupq_n_s32(d->q_min_raw));
                vstrbq_p_s32(o, vaddq_n_s32(v, d->out_offset), pred);
                o += OC;
            }
        }
    }
}


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
static TFLM_ALWAYS_INLINE int32x4_t dw_rq4(int32x4_t acc, const dw_rq4_t *r, int32_t q_min_raw, int32_t q_max_raw,
    int32_t out_off) {
    int32x4_t v = vqrdmulhq_s32(vshlq_s32(acc, r->ls), r->mult);
    v = vaddq_s32(v, vandq_s32(vshrq_n_s32(v, 31), r->fix));
    v = vrshlq_s32(v, r->rs);
    v = vmaxq_s32(vminq_s32(v, vdupq_n_s32(q_max_raw)), vdupq_n_s32(q_min_raw));
    return vaddq_n_s32(v, out_off);
}

// dw_rq4 without the clamp and out_offset; !shl: every left shift is 0.
static TFLM_ALWAYS_INLINE int32x4_t dw_rq4s(int32x4_t acc, const dw_rq4_t *r, bool shl) {
    int32x4_t v = vqrdmulhq_s32(shl ? vshlq_s32(acc, r->ls) : acc, r->mult);
    v = vaddq_s32(v, vandq_s32(vshrq_n_s32(v, 31), r->fix));
    return vrshlq_s32(v, r->rs);
}

// The lane values of output channel oc (weights w, w_step bytes apart),
// value i at v[i * stride]: dw_rq4_t's mult, ls, rs, fix, then the bias at
// the border and inside (dw_chan_bias).
static void dw_lane(const conv_data_t *d, const conv_geom_t *g, const int8_t *w, int32_t w_step,
    const int32_t *bias, int32_t oc, int32_t *v, size_t stride) {
    chan_rq_t rq;
    chan_rq_init(&rq, d->mult[oc], conv_shifts(d, g)[oc]);
    uint32_t bb, bi;
    dw_chan_bias(w, g->f_h * g->f_w, w_step, bias, oc, d->in_offset, &bb, &bi);
    v[0] = rq.mult;
    v[stride] = rq.ls;
    v[2 * stride] = -rq.rs;
    v[3 * stride] = -(rq.rs > 0);
    v[4 * stride] = (int32_t)bb;
    v[5 * stride] = (int32_t)bi;
}

enum { DW16_FULL = 1, DW16_NOSHL = 2 };

typedef struct {
    dw_rq4_t r[2];           // even, odd channels
    dw_steps_t s;
    int32_t out_off;
    int32_t q_min_raw, q_max_raw;  // the clamp before adding out_off
    mve_pred16_t pred;
} dw_ps16_t;

// np (1 or 2) pixels with the same ny x nx taps, the second one's input
// sx bytes after the first, stored at o and o + o2.
static TFLM_ALWAYS_INLINE void dw_px16(int mode, const dw_ps16_t *ps, const int8_t *px, const int8_t *pw, int8_t *o,
    int32_t ny, int32_t nx, bool border, int np, int32_t sx, int32_t o2) {
    const mve_pred16_t pred = ps->pred;
    const bool full = mode & DW16_FULL, shl = !(mode & DW16_NOSHL);
    // full: 8 channels, unpredicated loads and stores (no VPST each).
    #define DW_LD16(p) (full ? vldrbq_s16(p) : vldrbq_z_s16(p, pred))
    #define DW_ST16(p, r) (full ? vstrbq_s16(p, r) : vstrbq_p_s16(p, r, pred))
    const int32_t C = ps->s.x_step, OC = ps->s.w_step;
    const int32_t x_row = ps->s.x_rowlen - nx * C, w_row = ps->s.w_rowlen - nx * OC;
    const int16_t off = (int16_t)ps->s.off;
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
    // [q_min_raw, q_max_raw] (within int8) then gives the same value as on the
    // int32, and it and out_offset go once on the 8 int16 lanes; the store
    // keeps the low byte of each.
    const int16x8_t lo = vdupq_n_s16((int16_t)ps->q_min_raw), hi = vdupq_n_s16((int16_t)ps->q_max_raw);
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
static TFLM_ALWAYS_INLINE void dw_pass16(int mode, const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias, int8_t *out, int32_t c0, int32_t n) {
    const int32_t H = g->in_h, W = g->in_w, C = g->in_c, FH = g->f_h, FW = g->f_w, OC = g->out_c;
    const int32_t SW = g->stride_w, PW = g->pad_w;
    dw_ps16_t ps;
    dw_steps_init(&ps.s, d, g);
    ps.q_min_raw = d->q_min_raw;
    ps.q_max_raw = d->q_max_raw;
    ps.out_off = d->out_offset;
    ps.pred = vctp16q((uint32_t)n);
    // Lane j of the even / odd vectors is channel 2 j / 2 j + 1.
    int32_t v[6][2][4];
    for (int32_t k = 0; k < 8; k++) {
        int32_t oc = c0 + (k < n ? k : 0);
        dw_lane(d, g, w + oc, OC, bias, oc, &v[0][k & 1][k >> 1], 8);
    }
    for (int32_t h = 0; h < 2; h++) {
        ps.r[h].mult = vldrwq_s32(v[0][h]);
        ps.r[h].ls = vldrwq_s32(v[1][h]);
        ps.r[h].rs = vldrwq_s32(v[2][h]);
        ps.r[h].fix = vldrwq_s32(v[3][h]);
        ps.r[h].bb = vldrwq_s32(v[4][h]);
        ps.r[h].bi = vldrwq_s32(v[5][h]);
    }
    int32_t ox_a, ox_b;
    dw_inside_cols(g, &ox_a, &ox_b);
    int8_t *o = out + c0;
    for (int32_t b = 0; b < g->batches; b++) {
        const int8_t *in_b = in + (size_t)b * H * W * C + c0;
        for (int32_t oy = 0; oy < g->out_h; oy++) {
            const dw_rows_t row = dw_rows(oy * g->stride_h - g->pad_h, H, FH, in_b, W, C, w + c0, FW, OC);
            if (row.n == FH && oy + 1 < g->out_h && row.iy0 + g->stride_h + FH <= H) {
                // Two output rows with every filter row inside: vertical
                // pairs (the same columns), border columns included.
                const int32_t sy = g->stride_h * W * C, o2 = g->out_w * OC;
                for (int32_t ox = 0; ox < g->out_w; ox++, o += OC) {
                    if (ox == ox_a && ox_b > ox_a) {
                        // The inside columns: horizontal pairs in each
                        // row, an odd last column as a vertical pair.
                        const int8_t *px = row.in + (ox * SW - PW) * C;
                        int32_t m = ox_b - ox_a;
                        for (; m >= 2; m -= 2, px += 2 * ps.s.sx, o += 2 * OC) {
                            if (FH == 3 && FW == 3) {
                                dw_px16(mode, &ps, px, row.w, o, 3, 3, false, 2, ps.s.sx, OC);
                                dw_px16(mode, &ps, px + sy, row.w, o + o2, 3, 3, false, 2, ps.s.sx, OC);
                            } else {
                                dw_px16(mode, &ps, px, row.w, o, FH, FW, false, 2, ps.s.sx, OC);
                                dw_px16(mode, &ps, px + sy, row.w, o + o2, FH, FW, false, 2, ps.s.sx, OC);
                            }
                        }
                        if (m) {
                            if (FH == 3 && FW == 3) {
                                dw_px16(mode, &ps, px, row.w, o, 3, 3, false, 2, sy, o2);
                            } else {
                                dw_px16(mode, &ps, px, row.w, o, FH, FW, false, 2, sy, o2);
                            }
                            o += OC;
                        }
                        ox = ox_b - 1;
                        o -= OC;
                        continue;
                    }
                    const int32_t ix0 = ox * SW - PW;
                    int32_t fx0;
                    const int32_t nx = dw_taps_inside(ix0, W, FW, &fx0);
                    const int8_t *px = row.in + (ix0 + fx0) * C;
                    if (nx < FW) {
                        dw_px16(mode, &ps, px, row.w + fx0 * OC, o, FH, nx, true, 2, sy, o2);
                    } else if (FH == 3 && FW == 3) {
                        dw_px16(mode, &ps, px, row.w, o, 3, 3, false, 2, sy, o2);
                    } else {
                        dw_px16(mode, &ps, px, row.w, o, FH, FW, false, 2, sy, o2);
                    }
                }
                o += o2;
                oy++;
                continue;
            }
            for (int32_t ox = 0; ox < g->out_w; ox++) {
                if (ox == ox_a && ox_b > ox_a) {
                    // The run of pixels with every column inside, in pairs.
                    const int8_t *px = row.in + (ox * SW - PW) * C;
                    int32_t m = ox_b - ox_a;
                    if (row.n == FH && FH == 3 && FW == 3) {
                        // 3x3, the taps unrolled.
                        for (; m >= 2; m -= 2, px += 2 * ps.s.sx, o += 2 * OC) {
                            dw_px16(mode, &ps, px, row.w, o, 3, 3, false, 2, ps.s.sx, OC);
                        }
                        if (m) {
                            dw_px16(mode, &ps, px, row.w, o, 3, 3, false, 1, ps.s.sx, OC);
                            o += OC;
                        }
                    } else if (row.n == FH) {
                        for (; m >= 2; m -= 2, px += 2 * ps.s.sx, o += 2 * OC) {
                            dw_px16(mode, &ps, px, row.w, o, FH, FW, false, 2, ps.s.sx, OC);
                        }
                        if (m) {
                            dw_px16(mode, &ps, px, row.w, o, FH, FW, false, 1, ps.s.sx, OC);
                            o += OC;
                        }
                    } else {
                        for (; m >= 2; m -= 2, px += 2 * ps.s.sx, o += 2 * OC) {
                            dw_px16(mode, &ps, px, row.w, o, row.n, FW, true, 2, ps.s.sx, OC);
                        }
                        if (m) {
                            dw_px16(mode, &ps, px, row.w, o, row.n, FW, true, 1, ps.s.sx, OC);
                            o += OC;
                        }
                    }
                    ox = ox_b - 1;
                    continue;
                }
                const int32_t ix0 = ox * SW - PW;
                int32_t fx0;
                const int32_t nx = dw_taps_inside(ix0, W, FW, &fx0);
                dw_px16(mode, &ps, row.in + (ix0 + fx0) * C, row.w + fx0 * OC, o, row.n, nx, true, 1, ps.s.sx, OC);
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
static TFLM_ALWAYS_INLINE void dw1_px(const int8_t *px, const int8_t *q, int32_t *acc, int32_t ny, int32_t nx,
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
        for (int32_t fy = 0; fy < FH; fy++) {
            for (int32_t fx = 0; fx < FW; fx++) {
                w1[(fy * DW1_DM + m) * DW1_FW + fx] = w[((size_t)fy * FW + fx) * dm + m];
            }
        }
        dw_lane(d, g, w + m, dm, bias, m, &v[0][m], DW1_DM);
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
            const dw_rows_t row = dw_rows(oy * g->stride_h - g->pad_h, H, FH, in_b, W, 1, w1, DW1_DM, DW1_FW);
            for (int32_t ox = 0; ox < g->out_w; ox++) {
                const int32_t ix0 = ox * SW - PW;
                int32_t fx0;
                const int32_t nx = dw_taps_inside(ix0, W, FW, &fx0);
                const int8_t *px = row.in + ix0 + fx0, *q = row.w + fx0;
                int32_t acc[DW1_DM];
                if (row.n == FH && nx == FW) {
                    memcpy(acc, v[5], sizeof(acc));
                    dw1_px(px, q, acc, row.n, nx, W, off, false);
                    dw1_px(px, q + 4 * DW1_FW, acc + 4, row.n, nx, W, off, false);
                } else {
                    memcpy(acc, v[4], sizeof(acc));
                    dw1_px(px, q, acc, row.n, nx, W, off, true);
                    dw1_px(px, q + 4 * DW1_FW, acc + 4, row.n, nx, W, off, true);
                }
                vstrbq_s32(o, dw_rq4(vldrwq_s32(acc), &r[0], d->q_min_raw, d->q_max_raw, d->out_offset));
                vstrbq_s32(o + 4, dw_rq4(vldrwq_s32(acc + 4), &r[1], d->q_min_raw, d->q_max_raw, d->out_offset));
                o += dm;
            }
        }
    }
}

// Helium: one copy per form, the tap loop inlined. Out of line: inlined
// into tflm_dw_opt_eval they would enlarge its stack frame for every call,
// the 16-bit passes' too.
static void __attribute__((noinline)) dw_pass_ch(const conv_data_t *d, const conv_geom_t *g, const int8_t *in,
    const int8_t *w, const int32_t *bias, int8_t *out, int32_t c, int32_t n) {
    dw_pass(d, g, in, w, bias, out, c, c, n, false);
}

static void __attribute__((noinline)) dw_pass_bc(const conv_data_t *d, const conv_geom_t *g, const int8_t *in,
    const int8_t *w, const int32_t *bias, int8_t *out, int32_t ic, int32_t oc0, int32_t n) {
    dw_pass(d, g, in, w, bias, out, ic, oc0, n, true);
}

void tflm_dw_opt_eval(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias, int8_t *out, uint8_t *scratch) {
    (void)scratch;
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
    dw_eval_passes(d, g, in, w, bias, out, false, dw_pass_ch, dw_pass_bc);
}

#endif
