// Optimized int8 DEPTHWISE_CONV_2D, the parts its CPU variants share (see
// dw_opt.c for the method). The CPU files: dw_mve.c (Helium), dw_dsp.c
// (Armv7E-M DSP), dw_c.c (portable C); one of them is compiled (cpu.h).
// dw_dsp.c and dw_c.c differ only in the tap loops and the requantization
// shortcut: each passes its own to the always-inlined routines below as
// constant function pointers (gcc inlines them).
#ifndef TFLM_CORE_KERNELS_OPT_DW_OPT_H
#define TFLM_CORE_KERNELS_OPT_DW_OPT_H

#include <string.h>
#include "../../tflm_config.h"
#include "../../support/quant.h"
#include "../conv.h"
#include "cpu.h"

// The forms (conv_data_t.opt), chosen in tflm_dw_opt_prepare.
enum { DW_CH = 1, DW_BC = 2 };

// Requantization of one output channel: tflm_requant with the shifts and
// the rounding mask derived once per pass (every CPU variant).
typedef struct {
    int32_t mult;
    int32_t ls;      // left shift
    int32_t rs;      // right shift
    int32_t mask;    // (1 << rs) - 1
    int32_t half;    // 1 << (rs - 1), 0 when rs == 0
} chan_rq_t;

static inline void chan_rq_init(chan_rq_t *r, int32_t mult, int32_t shift) {
    r->mult = mult;
    r->ls = shift > 0 ? shift : 0;
    r->rs = shift > 0 ? 0 : -shift;
    r->mask = (int32_t)(((uint32_t)1 << r->rs) - 1);
    r->half = (r->mask >> 1) + (r->rs > 0);
}

// Sum of output channel oc's weights (the interior pixels start from
// bias + in_offset * this).
static inline uint32_t dw_weight_sum(const conv_geom_t *g, const int8_t *w, int32_t oc) {
    uint32_t s = 0;
    for (int32_t t = 0; t < g->f_h * g->f_w; t++) {
        s += (uint32_t)w[(size_t)t * g->out_c + oc];
    }
    return s;
}

// One pass over every pixel: output channels c .. c + n - 1 of input
// channels c .. c + n - 1 (depth multiplier 1), or output channels
// oc0 .. oc0 + n - 1 of input channel ic (broadcast).
typedef void dw_pass_ch_fn(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias, int8_t *out, int32_t c, int32_t n);
typedef void dw_pass_bc_fn(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias, int8_t *out, int32_t ic, int32_t oc0, int32_t n);

// The passes of 4 channels over the whole output. A count of channels that
// is not a multiple of 4 ends with a pass that overlaps the previous one
// (the same outputs are written twice); fewer than 4 channels take one
// pass of n (Helium only: prepare picks the forms so). `bc8`: one input
// channel with a depth multiplier of 8 goes as one pass of 8.
static TFLM_ALWAYS_INLINE void dw_eval_passes(const conv_data_t *d, const conv_geom_t *g, const int8_t *in,
    const int8_t *w, const int32_t *bias, int8_t *out, bool bc8, dw_pass_ch_fn *pass_ch, dw_pass_bc_fn *pass_bc) {
    if (d->opt == DW_CH) {
        for (int32_t c = 0; c < g->in_c; c += 4) {
            int32_t n = g->in_c - c;
            if (n >= 4 || c > 0) {
                c = n < 4 ? g->in_c - 4 : c;
                n = 4;
            }
            pass_ch(d, g, in, w, bias, out, c, n);
        }
    } else if (bc8 && g->in_c == 1 && g->depth_mult == 8) {
        pass_bc(d, g, in, w, bias, out, 0, 0, 8);
    } else {
        const int32_t dm = g->depth_mult;
        for (int32_t ic = 0; ic < g->in_c; ic++) {
            for (int32_t m = 0; m < dm; m += 4) {
                int32_t n = dm - m;
                if (n >= 4 || m > 0) {
                    m = n < 4 ? dm - 4 : m;
                    n = 4;
                }
                pass_bc(d, g, in, w, bias, out, ic, ic * dm + m, n);
            }
        }
    }
}

#if !TFLM_CPU_MVE
// ---------------------------------------------------------------------------
// dw_dsp.c and dw_c.c: 4 (or 8) output channels per pass in scalar
// accumulators. Each output row is cut into runs of pixels with the same
// taps (the interior run, single border pixels), one call each.

// Equal to tflm_requant: the rounding divide adds 1 when the remainder is
// above half the divisor (negative values: at least half), as the
// reference's remainder > threshold test.
static TFLM_ALWAYS_INLINE int32_t rq_apply(uint32_t acc, const chan_rq_t *r) {
    int32_t x = (int32_t)(acc << r->ls);
    int64_t p = (int64_t)x * r->mult;
    int32_t hm = (int32_t)((p + (1ll << 30)) >> 31);
    int32_t rem = hm & r->mask;
    int32_t thr = (r->mask >> 1) - (hm >> 31);
    return (hm >> r->rs) + (int32_t)((uint32_t)(thr - rem) >> 31);
}

// q_min_raw, q_max_raw: the clamp before the output offset is added.
static TFLM_ALWAYS_INLINE int8_t rq_out(uint32_t acc, const chan_rq_t *r, int32_t q_min_raw, int32_t q_max_raw,
    int32_t out_off) {
    return (int8_t)(tflm_clamp_i32(rq_apply(acc, r), q_min_raw, q_max_raw) + out_off);
}

// Everything one pass needs, filled once per pass.
typedef struct {
    int32_t x_step, w_step;     // bytes between taps along a row: C, OC
    int32_t x_rowlen, w_rowlen; // bytes between rows: W * C, FW * OC
    int32_t sx;                 // input bytes between horizontally adjacent pixels
    int32_t o_step;             // output bytes between pixels: OC
    int32_t off;                // in_offset
    uint32_t b_bord[8], b_int[8];
    chan_rq_t rq[8];
    int32_t q_min_raw, q_max_raw, out_off;
    // The DSP requantization shortcut (dw_dsp.c).
    int32_t hb[8];              // half + (out_off << rs)
    int32_t act_min, act_max;   // clamp after adding out_off
    uint8_t mode;               // DW_RQ_*
    bool bc;
} dw_pass_t;

enum { DW_RQ_EXACT = 0, DW_RQ_FAST = 1, DW_RQ_FULL = 2 };

// Out of line (cold: border cases and the exact fallback); `unused`: not
// every file including this calls it.
static void __attribute__((noinline, unused)) dw_rq_exact(const dw_pass_t *ps, const uint32_t *acc, int8_t *o,
    int n) {
    for (int k = 0; k < n; k++) {
        o[k] = rq_out(acc[k], &ps->rq[k], ps->q_min_raw, ps->q_max_raw, ps->out_off);
    }
}

// The taps of one pixel: ny rows of nx taps, px / pw at the first tap.
// x_step / w_step: bytes between taps along a row (input / weights);
// x_row / w_row: from the end of a row to the start of the next. `off` is
// added to every input value when `border`; `bc`: one input value for the
// 4 channels.
typedef void dw_taps4_fn(uint32_t *acc, const int8_t *px, const int8_t *pw, int32_t ny, int32_t nx,
    int32_t x_step, int32_t w_step, int32_t x_row, int32_t w_row, int32_t off, bool border, bool bc);
// The same for 8 output channels of a one-channel input (depth multiplier
// 8): the taps' input values are consecutive bytes and their 8 weights
// consecutive words.
typedef void dw_taps8_fn(uint32_t *acc, const int8_t *px, const int8_t *pw, int32_t ny, int32_t nx,
    int32_t x_row, int32_t w_row, int32_t off, bool border);
// Requantizes lanes 0 .. n - 1 of acc into o.
typedef void dw_rq_fn(const dw_pass_t *ps, const uint32_t *acc, int8_t *o, int n);
// `n` pixels in a row that have the same taps (ny rows of nx), the first
// one's first tap at px / pw; `border`: taps outside the input were left
// out, the offset is added per tap. Requantized into o.
typedef void dw_seg_fn(const dw_pass_t *ps, const int8_t *px, const int8_t *pw, int8_t *o, int32_t n, int32_t ny,
    int32_t nx, bool border);

// dw_seg_fn for 4 channels.
static TFLM_ALWAYS_INLINE void dw_seg4_body(const dw_pass_t *ps, const int8_t *px, const int8_t *pw, int8_t *o,
    int32_t n, int32_t ny, int32_t nx, bool border, dw_taps4_fn *taps, dw_rq_fn *rq) {
    const int32_t x_row = ps->x_rowlen - nx * ps->x_step, w_row = ps->w_rowlen - nx * ps->w_step;
    const uint32_t *b = border ? ps->b_bord : ps->b_int;
    do {
        uint32_t acc[4] = { b[0], b[1], b[2], b[3] };
        if (ps->bc) {
            if (border) {
                taps(acc, px, pw, ny, nx, ps->x_step, ps->w_step, x_row, w_row, ps->off, true, true);
            } else {
                taps(acc, px, pw, ny, nx, ps->x_step, ps->w_step, x_row, w_row, 0, false, true);
            }
        } else {
            if (border) {
                taps(acc, px, pw, ny, nx, ps->x_step, ps->w_step, x_row, w_row, ps->off, true, false);
            } else {
                taps(acc, px, pw, ny, nx, ps->x_step, ps->w_step, x_row, w_row, 0, false, false);
            }
        }
        rq(ps, acc, o, 4);
        o += ps->o_step;
        px += ps->sx;
    } while (--n > 0);
}

// dw_seg_fn for 8 output channels of a one-channel input.
static TFLM_ALWAYS_INLINE void dw_seg8_body(const dw_pass_t *ps, const int8_t *px, const int8_t *pw, int8_t *o,
    int32_t n, int32_t ny, int32_t nx, bool border, dw_taps8_fn *taps, dw_rq_fn *rq) {
    const int32_t x_row = ps->x_rowlen, w_row = ps->w_rowlen - nx * 8;
    const uint32_t *b = border ? ps->b_bord : ps->b_int;
    do {
        uint32_t acc[8];
        memcpy(acc, b, sizeof(acc));
        if (border) {
            taps(acc, px, pw, ny, nx, x_row, w_row, ps->off, true);
        } else {
            taps(acc, px, pw, ny, nx, x_row, w_row, 0, false);
        }
        rq(ps, acc, o, 8);
        o += 8;
        px += ps->sx;
    } while (--n > 0);
}

// Fills the CPU's requantization shortcut of a pass (ps->rq set).
typedef void dw_rq_setup_fn(dw_pass_t *ps, int32_t n);

// One pass: output channels oc0 .. oc0 + n - 1 (n: 4, or 8 for seg8) of
// every pixel, reading input channel `ic` (bc) or channels ic .. ic + 3.
static TFLM_ALWAYS_INLINE void dw_pass_body(const conv_data_t *d, const conv_geom_t *g, const int8_t *in,
    const int8_t *w, const int32_t *bias, int8_t *out, int32_t ic, int32_t oc0, int32_t n, bool bc,
    dw_seg_fn *seg4, dw_seg_fn *seg8, dw_rq_setup_fn *rq_setup) {
    dw_seg_fn *seg = n == 8 ? seg8 : seg4;
    const int32_t H = g->in_h, W = g->in_w, C = g->in_c, FW = g->f_w, OC = g->out_c;
    const int32_t SW = g->stride_w, PW = g->pad_w;
    dw_pass_t ps;
    ps.x_step = C;
    ps.w_step = OC;
    ps.x_rowlen = W * C;
    ps.w_rowlen = FW * OC;
    ps.sx = SW * C;
    ps.o_step = OC;
    ps.off = d->in_offset;
    ps.q_min_raw = d->q_min_raw;
    ps.q_max_raw = d->q_max_raw;
    ps.out_off = d->out_offset;
    ps.bc = bc;
    for (int32_t k = 0; k < n; k++) {
        int32_t oc = oc0 + k;
        chan_rq_init(&ps.rq[k], d->mult[oc], conv_shifts(d, g)[oc]);
        uint32_t s = dw_weight_sum(g, w, oc);
        ps.b_bord[k] = bias ? (uint32_t)bias[oc] : 0;
        ps.b_int[k] = ps.b_bord[k] + s * (uint32_t)ps.off;
    }
    rq_setup(&ps, n);
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
            int32_t fy1 = H - iy0 < g->f_h ? H - iy0 : g->f_h;
            fy1 = fy1 > fy0 ? fy1 : fy0;
            const int32_t ny = fy1 - fy0;
            const int8_t *in_r = in_b + (size_t)(iy0 + fy0) * W * C;
            const int8_t *w_r = w + (size_t)fy0 * FW * OC + oc0;
            for (int32_t ox = 0; ox < g->out_w; ox++) {
                if (ox == ox_a && ox_b > ox_a) {
                    // The run of pixels with every column inside.
                    int32_t m = ox_b - ox_a;
                    if (ny > 0) {
                        seg(&ps, in_r + (ox * SW - PW) * C, w_r, o, m, ny, FW, ny != g->f_h);
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
#endif // !TFLM_CPU_MVE

#endif // TFLM_CORE_KERNELS_OPT_DW_OPT_H
