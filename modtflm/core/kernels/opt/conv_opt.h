// Optimized int8 CONV_2D, the parts its CPU variants share (see conv_opt.c
// for the method). The CPU files: conv_mve.c (Helium), conv_dsp.c
// (Armv7E-M DSP), conv_c.c (portable C); one of them is compiled (cpu.h).
// Each passes its own primitives (the im2col span writer, the inner
// multiply-accumulate, the requantization) to the always-inlined
// routines below as constant function pointers, which gcc inlines.
#ifndef TFLM_CORE_KERNELS_OPT_CONV_OPT_H
#define TFLM_CORE_KERNELS_OPT_CONV_OPT_H

#include <string.h>
#include "../../tflm_config.h"
#include "../../support/quant.h"
#include "../conv.h"
#include "clamp.h"
#include "cpu.h"

static inline uint32_t conv_load32(const void *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline void conv_store32(void *p, uint32_t v) {
    memcpy(p, &v, 4);
}

// Output pixel `p` (flattened over batches, rows, columns) as input origin.
typedef struct {
    int32_t b, oy, ox;
} pix_t;

static inline void next_pix(const conv_geom_t *g, pix_t *p) {
    if (++p->ox == g->out_w) {
        p->ox = 0;
        if (++p->oy == g->out_h) {
            p->oy = 0;
            p->b++;
        }
    }
}

// 1x1 stride 1 unpadded: output pixel i reads input pixel i alone.
static inline bool is_pointwise(const conv_geom_t *g) {
    return g->f_h == 1 && g->f_w == 1 && g->stride_h == 1 && g->stride_w == 1 && g->pad_h == 0
           && g->pad_w == 0 && g->in_h == g->out_h && g->in_w == g->out_w;
}

// Writes `n` values of a pixel's im2col row from value k on into `slot`
// (the pixel's place in the scratch row buffer, laid out per CPU): src[i]
// (+ in_offset where the CPU stores offset values), or padding when src is
// NULL.
typedef void conv_span_fn(void *slot, int32_t k, const int8_t *src, int32_t n, int32_t off);

// The im2col row of pixel `p` into `buf` (its slot of the pair buffer),
// padded up to a multiple of 4 values.
static TFLM_ALWAYS_INLINE void conv_im2col(const conv_data_t *d, const conv_geom_t *g, const int8_t *in,
    const pix_t *p, void *buf, conv_span_fn *put_span) {
    const int32_t C = g->in_c, W = g->in_w;
    // With no horizontal dilation a filter row reads one contiguous span.
    const int32_t taps = g->dil_w == 1 ? 1 : g->f_w;
    const int32_t tap_len = g->dil_w == 1 ? g->f_w * C : C;
    const int32_t iy0 = p->oy * g->stride_h - g->pad_h, ix0 = p->ox * g->stride_w - g->pad_w;
    const int8_t *in_b = in + (size_t)p->b * g->in_h * W * C;
    const int32_t off = d->in_offset;
    int32_t k = 0;
    for (int32_t fy = 0; fy < g->f_h; fy++) {
        const int32_t iy = iy0 + fy * g->dil_h;
        if (iy < 0 || iy >= g->in_h) {
            put_span(buf, k, NULL, g->f_w * C, off);
            k += g->f_w * C;
            continue;
        }
        const int8_t *row = in_b + (size_t)iy * W * C;
        for (int32_t t = 0; t < taps; t++, k += tap_len) {
            const int32_t ix = ix0 + t * g->dil_w;
            // Valid columns [lo, hi) of this tap (in filter columns).
            int32_t lo = 0, hi = taps == 1 ? g->f_w : 1;
            if (ix < 0) {
                lo = taps == 1 ? -ix : 1;
            }
            if (ix + hi > W) {
                hi = W - ix;
            }
            hi = hi > 0 ? hi : 0;
            lo = lo < hi ? lo : hi;
            put_span(buf, k, NULL, lo * C, off);
            if (hi > lo) {
                put_span(buf, k + lo * C, row + (ix + lo) * C, (hi - lo) * C, off);
            }
            put_span(buf, k + hi * C, NULL, tap_len - hi * C, off);
        }
    }
    put_span(buf, k, NULL, ((k + 3) & ~3) - k, off);
}

#if !TFLM_CPU_MVE
// ---------------------------------------------------------------------------
// conv_dsp.c and conv_c.c: an int16 im2col holding x + in_offset (padded
// taps 0), each group of 4 values stored as (x0, x2, x1, x3) so that SXTB16
// of a word of weights lines up with the pairs SMLAD takes; the two pixels'
// groups alternate. A register-blocked loop then computes 2 pixels x 2
// output channels.

// Position of element k of a pixel slot in the pair buffer: groups of 4
// values per pixel, 2 pixels per group, (x0, x2, x1, x3) inside a group.
#define POS(k) (8 * ((k) >> 2) + ((((k) & 1) << 1) | (((k) >> 1) & 1)))

// One group of 4 values src[0..3] + off stored at dst as (x0, x2, x1, x3).
typedef void conv_put4_fn(int16_t *dst, const int8_t *src, int32_t off);

// conv_span_fn for this layout, the whole groups by put4.
static TFLM_ALWAYS_INLINE void conv_put_span16(void *slot, int32_t k, const int8_t *src, int32_t n, int32_t off,
    conv_put4_fn *put4) {
    int16_t *buf = slot;
    for (; n > 0 && (k & 3); n--, k++) {
        buf[POS(k)] = src ? (int16_t)(*src++ + off) : 0;
    }
    int16_t *dst = buf + 2 * k;
    if (src) {
        for (; n >= 4; n -= 4, k += 4, dst += 8, src += 4) {
            put4(dst, src, off);
        }
    } else {
        for (; n >= 4; n -= 4, k += 4, dst += 8) {
            memset(dst, 0, 8);
        }
    }
    for (; n > 0; n--, k++) {
        buf[POS(k)] = src ? (int16_t)(*src++ + off) : 0;
    }
}

// The 2 x 2 accumulators: channels a and b of pixels 0 and 1.
typedef struct {
    uint32_t a0, a1, b0, b1;
} conv_acc2x2_t;

// One group of 4 weights of channels a and b (words va, vb) times the
// pair's group at *x (advanced past it).
typedef void conv_group_fn(const int16_t **x, uint32_t va, uint32_t vb, conv_acc2x2_t *acc);

// The requantization of one block: channels oc and oc2 of the two pixels
// into out and out1. `ctx`: what the CPU file set up for the whole eval.
typedef void conv_finish_fn(const void *ctx, int32_t oc, int32_t oc2, const conv_acc2x2_t *acc, int8_t *out,
    int8_t *out1);

// Loads *p as a word, then p += 4.
typedef uint32_t conv_load_inc_fn(const int8_t **p);

typedef void conv_im2col_fn(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const pix_t *p,
    void *buf);

// Pixels two at a time (an odd last pixel fills both slots and writes its
// result twice), channels two at a time (an odd last channel is computed
// twice).
static TFLM_ALWAYS_INLINE void conv_eval_pairs(const conv_data_t *d, const conv_geom_t *g, const int8_t *in,
    const int8_t *w, const int32_t *bias, int8_t *out, uint8_t *scratch, const void *ctx, conv_span_fn *put_span,
    conv_im2col_fn *im2col, conv_load_inc_fn *load32_inc, conv_group_fn *group, conv_finish_fn *finish) {
    const int32_t K = g->f_h * g->f_w * g->in_c, OC = g->out_c;
    const int32_t npx = g->batches * g->out_h * g->out_w;
    int16_t *buf = (int16_t *)(void *)scratch;
    const int16_t *x_end2 = buf + 16 * (K >> 3);
    const bool pw = is_pointwise(g);
    pix_t p = { 0, 0, 0 };
    for (int32_t i = 0; i < npx; i += 2, out += 2 * OC) {
        int8_t *out1 = i + 1 < npx ? out + OC : out;
        if (pw) {
            // 1x1 stride 1 unpadded: pixel i is input pixel i.
            const int8_t *src = in + (size_t)i * K;
            put_span(buf, 0, src, K, d->in_offset);
            put_span(buf + 4, 0, out1 != out ? src + K : src, K, d->in_offset);
            put_span(buf, K, NULL, (-K) & 3, 0);
            put_span(buf + 4, K, NULL, (-K) & 3, 0);
        } else {
            im2col(d, g, in, &p, buf);
            if (out1 != out) {
                next_pix(g, &p);
            }
            im2col(d, g, in, &p, buf + 4);
            next_pix(g, &p);
        }
        const int8_t *wa = w;
        for (int32_t oc = 0; oc < OC; oc += 2, wa += 2 * K) {
            const int32_t oc2 = oc + 1 < OC ? oc + 1 : oc;
            const int8_t *wb = w + (size_t)oc2 * K;
            conv_acc2x2_t acc = { 0, 0, 0, 0 };
            if (bias) {
                acc.a0 = acc.a1 = (uint32_t)bias[oc];
                acc.b0 = acc.b1 = (uint32_t)bias[oc2];
            }
            const int16_t *x = buf;
            const int8_t *pa = wa, *pb = wb;
            // Two groups per iteration, then an odd one.
            while (x != x_end2) {
                uint32_t va = load32_inc(&pa), vb = load32_inc(&pb);
                group(&x, va, vb, &acc);
                va = load32_inc(&pa);
                vb = load32_inc(&pb);
                group(&x, va, vb, &acc);
            }
            if (K & 4) {
                uint32_t va = load32_inc(&pa), vb = load32_inc(&pb);
                group(&x, va, vb, &acc);
            }
            if (K & 3) {
                // The last partial group: its padded values are 0, so the
                // weights past the channel do not count. Before the last
                // channel they are the next channel's (read as a word);
                // the last channel's missing weights are made 0, nothing
                // is read past the tensor.
                uint32_t va, vb;
                if (oc2 + 1 < OC) {
                    va = conv_load32(pa);
                    vb = conv_load32(pb);
                } else {
                    va = vb = 0;
                    for (int32_t j = 0; j < (K & 3); j++) {
                        va |= (uint32_t)(uint8_t)pa[j] << (8 * j);
                        vb |= (uint32_t)(uint8_t)pb[j] << (8 * j);
                    }
                }
                group(&x, va, vb, &acc);
            }
            finish(ctx, oc, oc2, &acc, out, out1);
        }
    }
}
#endif // !TFLM_CPU_MVE

#endif // TFLM_CORE_KERNELS_OPT_CONV_OPT_H
