// Optimized int8 CONV_2D, RISC-V (RV32IM; see conv_opt.c): an int8 im2col
// of 3 pixels interleaved value by value, 3 pixels x 4 channels per block,
// the weight sums times the input offset added once per channel.
//
// The core has no unaligned word loads and no SIMD: a product costs a mul,
// an add and a share of the byte loads. 12 accumulators, one pointer over
// the 3 pixels' values (value k of slot s at 3 * k + s: immediate offsets)
// and one per channel's weights fit gcc's 27 registers with the loaded
// values (4 x 4 blocks need them all and come out no faster, with a third
// more scratch). The code below is written for CONV_RV_PIXELS == 3.
#include "conv_opt.h"
#if MICROPY_TFLM_OP_CONV && MICROPY_TFLM_OPT_KERNELS && TFLM_CPU_RV

// Writes `n` values of the slot at `slot` (the buffer + s) from value k on:
// src[i], or the input zero point -off (padding) when src is NULL.
static void put_span(void *slot, int32_t k, const int8_t *src, int32_t n, int32_t off) {
    int8_t *dst = (int8_t *)slot + CONV_RV_PIXELS * k;
    if (src) {
        for (; n >= 4; n -= 4, dst += 4 * CONV_RV_PIXELS, src += 4) {
            const int8_t v0 = src[0], v1 = src[1], v2 = src[2], v3 = src[3];
            dst[0] = v0;
            dst[CONV_RV_PIXELS] = v1;
            dst[2 * CONV_RV_PIXELS] = v2;
            dst[3 * CONV_RV_PIXELS] = v3;
        }
        for (; n > 0; n--, dst += CONV_RV_PIXELS) {
            *dst = *src++;
        }
    } else {
        for (; n > 0; n--, dst += CONV_RV_PIXELS) {
            *dst = (int8_t)-off;
        }
    }
}

// (No special im2col layouts.)
static TFLM_ALWAYS_INLINE bool im2col_special(const conv_data_t *d, const conv_geom_t *g, const int8_t *in,
    const pix_t *p, void *buf) {
    (void)d, (void)g, (void)in, (void)p, (void)buf;
    return false;
}

#include "conv_im2col.h"

// The layer's requantization (conv_block copies it to a local: the int8
// stores could alias it, gcc would reload it after each).
typedef struct {
    const int32_t *mult;
    const int8_t *shifts;
    int32_t q_min_raw, q_max_raw; // the clamp before the output offset
    int32_t act_min, act_max;     // the same after it
    int32_t out_offset;
    bool fast;               // every channel takes opt_requant_r2
} conv_rq_t;

// What every block of a layer shares.
typedef struct {
    int32_t K;
    const int8_t *x;         // the pixels' interleaved im2col
    int8_t *o[CONV_RV_PIXELS]; // the pixels' outputs (slots may repeat)
    const uint32_t *init;    // per channel: bias + in_offset * sum(w)
    conv_rq_t rq;
} conv_blk_t;

// One pixel's accumulators of the block's 4 channels (structs of named
// fields, locals of conv_block: kept in registers).
typedef struct {
    uint32_t c0, c1, c2, c3;
} acc4_t;

// The 4 channels' weights of one value index.
typedef struct {
    int32_t w0, w1, w2, w3;
} w4_t;

// On RISC-V the loop's steps are asm statements, volatile so that they stay
// in order: with 12 accumulators, 5 pointers and the loaded values nearly
// every register is live, and gcc's own order of the C form (every load of
// an iteration first, the products summed before they are added) spills,
// by a different amount from build to build. Each statement is what the C
// below it computes; elsewhere (the host builds) that C is compiled.
#if defined(__riscv)
#define RV_MAC(c) "mul %[t], %[v], %[w" #c "]\n\tadd %[a" #c "], %[a" #c "], %[t]\n\t"
#endif

// The weights p0[0], p1[0], p2[0], p3[0].
static TFLM_ALWAYS_INLINE w4_t load_w4(const int8_t *p0, const int8_t *p1, const int8_t *p2, const int8_t *p3) {
    w4_t w;
    #if defined(__riscv)
    __asm__ volatile ("lb %[w0], %[m0]\n\tlb %[w1], %[m1]\n\tlb %[w2], %[m2]\n\tlb %[w3], %[m3]"
        : [w0] "=&r" (w.w0), [w1] "=&r" (w.w1), [w2] "=&r" (w.w2), [w3] "=&r" (w.w3)
        : [m0] "m" (*p0), [m1] "m" (*p1), [m2] "m" (*p2), [m3] "m" (*p3));
    #else
    w.w0 = *p0, w.w1 = *p1, w.w2 = *p2, w.w3 = *p3;
    #endif
    return w;
}

// a->c_k += *x * w_k.
static TFLM_ALWAYS_INLINE void mac_px(acc4_t *a, const int8_t *x, const w4_t *w) {
    #if defined(__riscv)
    int32_t v, t;
    __asm__ volatile ("lb %[v], %[x]\n\t" RV_MAC(0) RV_MAC(1) RV_MAC(2) RV_MAC(3)
        : [a0] "+r" (a->c0), [a1] "+r" (a->c1), [a2] "+r" (a->c2), [a3] "+r" (a->c3), [v] "=&r" (v), [t] "=&r" (t)
        : [x] "m" (*x), [w0] "r" (w->w0), [w1] "r" (w->w1), [w2] "r" (w->w2), [w3] "r" (w->w3));
    #else
    const int32_t v = *x;
    a->c0 += (uint32_t)(v * w->w0);
    a->c1 += (uint32_t)(v * w->w1);
    a->c2 += (uint32_t)(v * w->w2);
    a->c3 += (uint32_t)(v * w->w3);
    #endif
}

// One value index: the 3 pixels' values x[0..2] by the 4 channels' weights
// p_k[0].
static TFLM_ALWAYS_INLINE void mac_3x4(acc4_t *a0, acc4_t *a1, acc4_t *a2, const int8_t *x, const int8_t *p0,
    const int8_t *p1, const int8_t *p2, const int8_t *p3) {
    const w4_t w = load_w4(p0, p1, p2, p3);
    mac_px(a0, x, &w);
    mac_px(a1, x + 1, &w);
    mac_px(a2, x + 2, &w);
}

// The block's outputs: pixel s's channels oc .. oc + 3 at o[s] (locals of
// conv_block: the int8 stores could alias b, gcc would reload from it).
typedef struct {
    int8_t *o0, *o1, *o2;
} outs_t;

// Values 0 .. 3 of x and of the weights p_k.
static TFLM_ALWAYS_INLINE void mac_3x4_steps4(acc4_t *a0, acc4_t *a1, acc4_t *a2, const int8_t *x, const int8_t *p0,
    const int8_t *p1, const int8_t *p2, const int8_t *p3) {
    mac_3x4(a0, a1, a2, x, p0, p1, p2, p3);
    mac_3x4(a0, a1, a2, x + CONV_RV_PIXELS, p0 + 1, p1 + 1, p2 + 1, p3 + 1);
    mac_3x4(a0, a1, a2, x + 2 * CONV_RV_PIXELS, p0 + 2, p1 + 2, p2 + 2, p3 + 2);
    mac_3x4(a0, a1, a2, x + 3 * CONV_RV_PIXELS, p0 + 3, p1 + 3, p2 + 3, p3 + 3);
}

// Stores channel c of the block's pixels: r_s clamped to [lo, hi], plus
// `off`.
static TFLM_ALWAYS_INLINE void store_chan(const outs_t *o, int c, int32_t r0, int32_t r1, int32_t r2, int32_t lo,
    int32_t hi, int32_t off) {
    o->o0[c] = (int8_t)(opt_clamp_i32(r0, lo, hi) + off);
    o->o1[c] = (int8_t)(opt_clamp_i32(r1, lo, hi) + off);
    o->o2[c] = (int8_t)(opt_clamp_i32(r2, lo, hi) + off);
}

// Requantizes channel `oc` of the block's pixels (accumulators v0 .. v2)
// into o0[0], o1[0], o2[0] with any multiplier and shift, as the reference
// (the clamp before the output offset: no overflow). Out of line: rare
// (see conv_rq_t.fast).
static void __attribute__((noinline)) rq_chan_exact(const conv_blk_t *b, int32_t oc, int8_t *o0, int8_t *o1,
    int8_t *o2, uint32_t v0, uint32_t v1, uint32_t v2) {
    const conv_rq_t *q = &b->rq;
    const int32_t m = q->mult[oc], shift = q->shifts[oc];
    const outs_t o = { o0, o1, o2 };
    store_chan(&o, 0, tflm_requant((int32_t)v0, m, shift), tflm_requant((int32_t)v1, m, shift),
        tflm_requant((int32_t)v2, m, shift), q->q_min_raw, q->q_max_raw, q->out_offset);
}

// Requantizes channel oc + c of the block's pixels (q: conv_block's copy
// of b->rq; k: opt_r2_consts).
static TFLM_ALWAYS_INLINE void rq_chan(const conv_blk_t *b, const conv_rq_t *q, const outs_t *o,
    const opt_r2_consts_t *k, int32_t oc, int c, uint32_t v0, uint32_t v1, uint32_t v2) {
    if (!q->fast) {
        rq_chan_exact(b, oc + c, o->o0 + c, o->o1 + c, o->o2 + c, v0, v1, v2);
        return;
    }
    // opt_requant_r2 adds the output offset: the clamp after it.
    const int32_t m = q->mult[oc + c], shift = q->shifts[oc + c];
    const uint32_t khi = opt_r2_khi(shift, q->out_offset);
    const int32_t rm1 = -shift - 1;
    store_chan(o, c, opt_requant_r2k(v0, m, khi, rm1, k->k31, k->k30), opt_requant_r2k(v1, m, khi, rm1, k->k31,
        k->k30), opt_requant_r2k(v2, m, khi, rm1, k->k31, k->k30), q->act_min, q->act_max, 0);
}

// Channels oc .. oc + 3 of the block's pixels: the dot products, then the
// requantization. Out of line: the loop has the registers to itself.
static void __attribute__((noinline)) conv_block(const conv_blk_t *b, const int8_t *w, int32_t oc) {
    const int32_t K = b->K;
    const int8_t *w0 = w + (size_t)oc * K;
    const uint32_t *init = b->init + oc;
    const acc4_t a_init = { init[0], init[1], init[2], init[3] };
    acc4_t a0 = a_init, a1 = a_init, a2 = a_init;
    const int8_t *x = b->x;
    const int8_t *w1 = w0 + K, *w2 = w1 + K, *w3 = w2 + K;
    // 8 values an iteration (fewer pointer increments), then 4, then single
    // ones.
    for (const int8_t *x_end = x + CONV_RV_PIXELS * (K & ~7); x != x_end; x += 8 * CONV_RV_PIXELS) {
        mac_3x4_steps4(&a0, &a1, &a2, x, w0, w1, w2, w3);
        mac_3x4_steps4(&a0, &a1, &a2, x + 4 * CONV_RV_PIXELS, w0 + 4, w1 + 4, w2 + 4, w3 + 4);
        w0 += 8;
        w1 += 8;
        w2 += 8;
        w3 += 8;
    }
    if (K & 4) {
        mac_3x4_steps4(&a0, &a1, &a2, x, w0, w1, w2, w3);
        x += 4 * CONV_RV_PIXELS;
        w0 += 4;
        w1 += 4;
        w2 += 4;
        w3 += 4;
    }
    for (int32_t k = K & 3; k > 0; k--) {
        mac_3x4(&a0, &a1, &a2, x, w0++, w1++, w2++, w3++);
        x += CONV_RV_PIXELS;
    }
    const outs_t o = { b->o[0] + oc, b->o[1] + oc, b->o[2] + oc };
    const conv_rq_t q = b->rq;
    const opt_r2_consts_t k = opt_r2_consts();
    rq_chan(b, &q, &o, &k, oc, 0, a0.c0, a1.c0, a2.c0);
    rq_chan(b, &q, &o, &k, oc, 1, a0.c1, a1.c1, a2.c1);
    rq_chan(b, &q, &o, &k, oc, 2, a0.c2, a1.c2, a2.c2);
    rq_chan(b, &q, &o, &k, oc, 3, a0.c3, a1.c3, a2.c3);
}

void tflm_conv_opt_eval(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias, int8_t *out, uint8_t *scratch) {
    const int32_t K = g->f_h * g->f_w * g->in_c, OC = g->out_c;
    const int32_t npx = g->batches * g->out_h * g->out_w;
    const int32_t off = d->in_offset;
    int8_t *buf = (int8_t *)scratch;
    uint32_t *init = (uint32_t *)(void *)(scratch + CONV_RV_PIXELS * ((K + 3) & ~3));
    // acc = sum(w * x) + in_offset * sum(w) + bias (modulo 2^32): padded
    // taps hold the zero point, w * zp + in_offset * w = 0 as the
    // reference's skip.
    for (int32_t oc = 0; oc < OC; oc++) {
        const int8_t *wp = w + (size_t)oc * K;
        uint32_t s = 0;
        if (off) {
            int32_t k = K;
            for (; k >= 4; k -= 4, wp += 4) {
                s += (uint32_t)(wp[0] + wp[1] + wp[2] + wp[3]);
            }
            for (; k > 0; k--) {
                s += (uint32_t)*wp++;
            }
        }
        init[oc] = (bias ? (uint32_t)bias[oc] : 0) + s * (uint32_t)off;
    }
    conv_blk_t b;
    b.K = K;
    b.x = buf;
    b.init = init;
    b.rq.mult = d->mult;
    b.rq.shifts = conv_shifts(d, g);
    b.rq.out_offset = d->out_offset;
    b.rq.q_min_raw = d->q_min_raw;
    b.rq.q_max_raw = d->q_max_raw;
    b.rq.act_min = d->q_min_raw + d->out_offset;
    b.rq.act_max = d->q_max_raw + d->out_offset;
    b.rq.fast = true;
    for (int32_t oc = 0; oc < OC; oc++) {
        b.rq.fast = b.rq.fast && opt_r2_ok(b.rq.mult[oc], b.rq.shifts[oc]);
    }
    const bool pw = is_pointwise(g);
    pix_t p = { 0, 0, 0 };
    for (int32_t i = 0; i < npx; i += CONV_RV_PIXELS) {
        // Past the last pixel the slots repeat it (same outputs written
        // again).
        for (int32_t s = 0; s < CONV_RV_PIXELS; s++) {
            const int32_t px = i + s < npx ? i + s : npx - 1;
            b.o[s] = out + (size_t)px * OC;
            if (pw) {
                put_span(buf + s, 0, in + (size_t)px * K, K, off);
            } else {
                im2col(d, g, in, &p, buf + s);
                if (px + 1 < npx) {
                    next_pix(g, &p);
                }
            }
        }
        // The last block of channels ends at the last channel, overlapping
        // the one before (prepare: at least 4 channels).
        for (int32_t oc = 0;; oc += 4) {
            oc = oc < OC - 4 ? oc : OC - 4;
            conv_block(&b, w, oc);
            if (oc == OC - 4) {
                break;
            }
        }
    }
}

#endif
