// Optimized int8 DEPTHWISE_CONV_2D, the parts its CPU variants share (see
// dw_opt.c for the method). The CPU files: dw_mve.c (Helium), dw_dsp.c
// (Armv7E-M DSP), dw_c.c (portable C, RISC-V too); one of them is compiled
// (cpu.h).
// dw_dsp.c and dw_c.c differ only in the tap loops and the requantization
// shortcut: each defines its own, then includes dw_scalar.h, the passes
// built on them.
#ifndef TFLM_CORE_KERNELS_OPT_DW_OPT_H
#define TFLM_CORE_KERNELS_OPT_DW_OPT_H

#include <string.h>
#include "../../tflm_config.h"
#include "../../support/quant.h"
#include "../conv.h"
#include "clamp.h"
#include "cpu.h"
#include "requant.h"

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

// The taps of a filter of `taps` (dilation 1) whose first one reads input
// position `i0` (stride * output position - padding) that fall inside an
// input of `size`: returns how many, 0 when none, and the first in *first.
static TFLM_ALWAYS_INLINE int32_t dw_taps_inside(int32_t i0, int32_t size, int32_t taps, int32_t *first) {
    const int32_t f0 = i0 < 0 ? -i0 : 0;
    const int32_t f1 = size - i0 < taps ? size - i0 : taps;
    *first = f0;
    return f1 > f0 ? f1 - f0 : 0;
}

// The filter rows whose first tap reads input row iy0 (stride * output row
// - padding) that fall inside an input of H rows: how many (n), the first
// one's input row (in, counted from in_b, the batch's row 0, rows in_w *
// in_c bytes apart) and weight row (w, rows w_w * w_c apart), and iy0.
typedef struct {
    const int8_t *in;
    const int8_t *w;
    int32_t iy0;
    int32_t n;
} dw_rows_t;

static TFLM_ALWAYS_INLINE dw_rows_t dw_rows(int32_t iy0, int32_t H, int32_t FH, const int8_t *in_b, int32_t in_w,
    int32_t in_c, const int8_t *w, int32_t w_w, int32_t w_c) {
    dw_rows_t r;
    int32_t fy0;
    r.iy0 = iy0;
    r.n = dw_taps_inside(iy0, H, FH, &fy0);
    r.in = in_b + (size_t)(iy0 + fy0) * in_w * in_c;
    r.w = w + (size_t)fy0 * w_w * w_c;
    return r;
}

// The strides and input offset of every depthwise pass, filled once per
// pass (dw_steps_init).
typedef struct {
    int32_t x_step, w_step;     // bytes between taps along a row: C, OC
    int32_t x_rowlen, w_rowlen; // bytes between rows: W * C, FW * OC
    int32_t sx;                 // input bytes between horizontally adjacent pixels: stride * C
    int32_t o_step;             // output bytes between pixels: OC
    int32_t off;                // in_offset
} dw_steps_t;

static TFLM_ALWAYS_INLINE void dw_steps_init(dw_steps_t *s, const conv_data_t *d, const conv_geom_t *g) {
    s->x_step = g->in_c;
    s->w_step = g->out_c;
    s->x_rowlen = g->in_w * g->in_c;
    s->w_rowlen = g->f_w * g->out_c;
    s->sx = g->stride_w * g->in_c;
    s->o_step = g->out_c;
    s->off = d->in_offset;
}

// Output columns [*a, *b) have the whole filter width inside the input.
static inline void dw_inside_cols(const conv_geom_t *g, int32_t *a, int32_t *b) {
    int32_t x = 0;
    while (x < g->out_w && x * g->stride_w - g->pad_w < 0) {
        x++;
    }
    *a = x;
    while (x < g->out_w && x * g->stride_w - g->pad_w + g->f_w <= g->in_w) {
        x++;
    }
    *b = x;
}

// The accumulator start of an output channel whose `taps` weights lie
// `w_step` bytes apart from w: the bias at the border (where the input
// offset is added per tap that is inside) and, for pixels with every tap
// inside, the bias plus the offset times the sum of the weights.
static inline void dw_chan_bias(const int8_t *w, int32_t taps, int32_t w_step, const int32_t *bias, int32_t oc,
    int32_t off, uint32_t *b_bord, uint32_t *b_int) {
    uint32_t s = 0;
    for (int32_t t = 0; t < taps; t++) {
        s += (uint32_t)w[(size_t)t * w_step];
    }
    *b_bord = bias ? (uint32_t)bias[oc] : 0;
    *b_int = *b_bord + s * (uint32_t)off;
}

#if !TFLM_CPU_MVE
// ---------------------------------------------------------------------------
// dw_dsp.c and dw_c.c: the types and the exact requantization their
// primitives and dw_scalar.h use.

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
    return (int8_t)(opt_clamp_i32(rq_apply(acc, r), q_min_raw, q_max_raw) + out_off);
}

// Everything one pass needs, filled once per pass.
typedef struct {
    dw_steps_t s;
    uint32_t b_bord[8], b_int[8];
    chan_rq_t rq[8];
    int32_t q_min_raw, q_max_raw, out_off; // the clamp before adding out_off, and out_off
    // The requantization shortcut (dw_dsp.c, dw_c.c).
    int32_t hb[8];              // dw_dsp.c: half + (out_off << rs); dw_c.c: opt_requant_r2's khi
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

#endif // !TFLM_CPU_MVE

#endif // TFLM_CORE_KERNELS_OPT_DW_OPT_H
