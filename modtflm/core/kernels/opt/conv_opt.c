// Optimized int8 CONV_2D (groups == 1, any window, stride, dilation and
// padding). Output pixels are taken two at a time (across rows and
// batches); their receptive fields are copied into scratch (im2col), then a
// register-blocked matrix kernel computes 2 pixels x 2 output channels.
//
//   Helium (MVE): int8 im2col (padded taps hold the input zero point) and
//     acc = sum(w * x) + in_offset * sum(w), the weight sums made once per
//     eval in scratch; 1x1 stride-1 unpadded layers read the input in place.
//   DSP and portable: int16 im2col holding x + in_offset (padded taps 0),
//     each group of 4 values stored as (x0, x2, x1, x3) so that SXTB16 of a
//     word of weights lines up with the pairs SMLAD takes.
//     DSP, in_c not a multiple of 4 (first layers, K <= 125): each pixel's
//     row is first gathered as int8 on the stack (filter rows copied by
//     words, padded taps holding the zero point), then widened 4 at a time.
//
// Accumulators wrap in 32 bits like the reference (same sum modulo 2^32),
// then tflm_requant, clamp and the output offset as conv_int8.
#include "../../tflm_config.h"
#if MICROPY_TFLM_OP_CONV && MICROPY_TFLM_OPT_KERNELS
#include <string.h>
#include "../../support/quant.h"
#include "../conv.h"

#if defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>
#endif
#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#endif

#if defined(__ARM_FEATURE_DSP)
// SXTB16 / SXTAB16 of x rotated by 8 (bytes 1 and 3): gcc does not fold a
// rotate into the instruction's operand.
static inline uint32_t sxtb16_r8(uint32_t x) {
    uint32_t r;
    __asm__ ("sxtb16 %0, %1, ror #8" : "=r" (r) : "r" (x));
    return r;
}

static inline uint32_t sxtab16_r8(uint32_t a, uint32_t x) {
    uint32_t r;
    __asm__ ("sxtab16 %0, %1, %2, ror #8" : "=r" (r) : "r" (a), "r" (x));
    return r;
}
#endif

static inline uint32_t load32(const void *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

// *p as a word (unaligned), then p += 4. On DSP targets one LDR with
// write-back (gcc splits it into an offset load and an add when unrolled).
static inline uint32_t load32_inc(const int8_t **p) {
    uint32_t v;
    #if defined(__ARM_FEATURE_DSP)
    __asm__ ("ldr %0, [%1], #4" : "=r" (v), "+r" (*p) : : "memory");
    #else
    v = load32(*p);
    *p += 4;
    #endif
    return v;
}

#if defined(__ARM_FEATURE_DSP)
static inline void store32(void *p, uint32_t v) {
    memcpy(p, &v, 4);
}
#endif

// Requantization of one output channel (tflm_requant) and the clamp.
typedef struct {
    int32_t mult, shift;
    int32_t q_min, q_max, out_offset;   // copies: int8 stores may alias d
} rq_t;

static inline void rq_init(rq_t *q, int32_t mult, int32_t s) {
    q->mult = mult;
    q->shift = s;
}

static inline int8_t rq_out(const rq_t *q, uint32_t acc) {
    int32_t v = tflm_requant((int32_t)acc, q->mult, (int)q->shift);
    v = v < q->q_min ? q->q_min : v;
    v = v > q->q_max ? q->q_max : v;
    return (int8_t)(v + q->out_offset);
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

#if defined(__ARM_FEATURE_MVE)
// The two pixels' im2col rows are interleaved by 16 values: value k of
// slot s (0, 1) is at 32 * (k >> 4) + 16 * s + (k & 15), so that one
// pointer walks both. Writes `n` values of slot `slot` (the buffer + 16 *
// s) from k on: src[i], or the input zero point -off (pad) when src is
// NULL. Predicated: the lanes past a chunk neither load nor store.
static void put_span(void *slot, int32_t k, const int8_t *src, int32_t n, int32_t off) {
    const int8x16_t fill = vdupq_n_s8((int8_t)-off);
    while (n > 0) {
        const int32_t r = k & 15, len = 16 - r < n ? 16 - r : n;
        const mve_pred16_t pr = vctp8q((uint32_t)len);
        int8x16_t v = fill;
        if (src) {
            v = vldrbq_z_s8(src, pr);
            src += len;
        }
        vstrbq_p_s8((int8_t *)slot + 2 * (k - r) + r, v, pr);
        k += len;
        n -= len;
    }
}

#else
// Position of element k of a pixel slot in the pair buffer: groups of 4
// values per pixel, 2 pixels per group, (x0, x2, x1, x3) inside a group.
#define POS(k) (8 * ((k) >> 2) + ((((k) & 1) << 1) | (((k) >> 1) & 1)))

// Writes `n` values of the im2col row from k on: src[i] + off, or 0 (pad)
// when src is NULL. `buf` is the pixel's slot (pair buffer + 4 * slot).
static void put_span(void *slot, int32_t k, const int8_t *src, int32_t n, int32_t off) {
    int16_t *buf = slot;
    for (; n > 0 && (k & 3); n--, k++) {
        buf[POS(k)] = src ? (int16_t)(*src++ + off) : 0;
    }
    int16_t *dst = buf + 2 * k;
    if (src) {
        #if defined(__ARM_FEATURE_DSP)
        const uint32_t off2 = (uint32_t)(uint16_t)off * 0x10001u;
        #endif
        for (; n >= 4; n -= 4, k += 4, dst += 8, src += 4) {
            #if defined(__ARM_FEATURE_DSP)
            uint32_t v = load32(src);
            store32(dst, __sxtab16(off2, v));
            store32(dst + 2, sxtab16_r8(off2, v));
            #else
            dst[0] = (int16_t)(src[0] + off);
            dst[1] = (int16_t)(src[2] + off);
            dst[2] = (int16_t)(src[1] + off);
            dst[3] = (int16_t)(src[3] + off);
            #endif
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

#endif

#if defined(__ARM_FEATURE_DSP) && !defined(__ARM_FEATURE_MVE)
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
            store32(dst, load32(src));
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
        uint32_t v = load32(lin + k);
        store32(slot, __sxtab16(off2, v));
        store32(slot + 2, sxtab16_r8(off2, v));
    }
}
#endif

// 1x1 stride 1 unpadded: output pixel i reads input pixel i alone.
static inline bool is_pointwise(const conv_geom_t *g) {
    return g->f_h == 1 && g->f_w == 1 && g->stride_h == 1 && g->stride_w == 1 && g->pad_h == 0
           && g->pad_w == 0 && g->in_h == g->out_h && g->in_w == g->out_w;
}

// The im2col row of pixel `p` into `buf` (its slot of the pair buffer),
// padded up to a multiple of 4 values.
static void im2col(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const pix_t *p, void *buf) {
    const int32_t C = g->in_c, W = g->in_w;
    // With no horizontal dilation a filter row reads one contiguous span.
    const int32_t taps = g->dil_w == 1 ? 1 : g->f_w;
    const int32_t tap_len = g->dil_w == 1 ? g->f_w * C : C;
    const int32_t iy0 = p->oy * g->stride_h - g->pad_h, ix0 = p->ox * g->stride_w - g->pad_w;
    const int8_t *in_b = in + (size_t)p->b * g->in_h * W * C;
    const int32_t off = d->in_offset;
    #if defined(__ARM_FEATURE_DSP) && !defined(__ARM_FEATURE_MVE)
    // (The Helium path's buffer holds interleaved int8 rows instead.)
    if (lin_ok(d, g)) {
        im2col_lin(d, g, in, p, buf);
        return;
    }
    #endif
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

#if !defined(__ARM_FEATURE_MVE)

// One group of 4 weights of channels a and b (words va, vb) times the
// pair's group at x (advanced past it).
#if defined(__ARM_FEATURE_DSP)
#define GROUP_2X2(x, va, vb)                                                             \
    {                                                                                    \
        uint32_t ae = __sxtb16(va), ao = sxtb16_r8(va);                                  \
        uint32_t be = __sxtb16(vb), bo = sxtb16_r8(vb);                                  \
        /* LDRD with write-back (8-aligned buffer): gcc would make two LDR + ADD */       \
        uint32_t xe, xo;                                                                 \
        __asm__ ("ldrd %0, %1, [%2], #8" : "=r" (xe), "=r" (xo), "+r" (x) : : "memory"); \
        a0 = __smlad(xe, ae, a0);                                                        \
        a0 = __smlad(xo, ao, a0);                                                        \
        b0 = __smlad(xe, be, b0);                                                        \
        b0 = __smlad(xo, bo, b0);                                                        \
        __asm__ ("ldrd %0, %1, [%2], #8" : "=r" (xe), "=r" (xo), "+r" (x) : : "memory"); \
        a1 = __smlad(xe, ae, a1);                                                        \
        a1 = __smlad(xo, ao, a1);                                                        \
        b1 = __smlad(xe, be, b1);                                                        \
        b1 = __smlad(xo, bo, b1);                                                        \
    }
typedef int32_t acc_t;
#else
// Element j of the group is at x[POS(j)] and x[4 + POS(j)]; byte j of va
// is weight j (little-endian words).
#define MAC_J(x, j, pj, va, vb)                                  \
    {                                                            \
        int32_t x0 = x[pj], x1 = x[4 + pj];                      \
        int32_t u = (int8_t)(va >> (8 * j)), v = (int8_t)(vb >> (8 * j)); \
        a0 += (uint32_t)(x0 * u);                                \
        a1 += (uint32_t)(x1 * u);                                \
        b0 += (uint32_t)(x0 * v);                                \
        b1 += (uint32_t)(x1 * v);                                \
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
#endif

#if defined(__ARM_FEATURE_DSP)
// Requantization and clamp of one channel's two outputs (DSP). Channels
// with a multiplier of 0 or in [2^30, 2^31) and a right shift of at most
// 21 take 32-bit steps equal to tflm_requant; the others (dead channels
// with tiny scales have right shifts up to 31) take tflm_requant itself:
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
    int32_t q_min, q_max, out_offset, full;
} rqp_t;

static inline int32_t smmulr(int32_t a, int32_t b) {
    int32_t r;
    __asm__ ("smmulr %0, %1, %2" : "=r" (r) : "r" (a), "r" (b));
    return r;
}

static inline int8_t clamp_out(const rqp_t *p, int32_t v) {
    if (p->full) {
        return (int8_t)__ssat(v + p->out_offset, 8);
    }
    v = v < p->q_min ? p->q_min : v;
    v = v > p->q_max ? p->q_max : v;
    return (int8_t)(v + p->out_offset);
}

static inline void rq_pair(const rqp_t *p, int32_t m, int32_t s, uint32_t acc0, uint32_t acc1, int8_t *o0, int8_t *o1) {
    int32_t v0, v1;
    if (s < -21 || (m != 0 && m < (1 << 30))) {
        v0 = tflm_requant((int32_t)acc0, m, (int)s);
        v1 = tflm_requant((int32_t)acc1, m, (int)s);
        v0 = v0 < p->q_min ? p->q_min : v0 > p->q_max ? p->q_max : v0;
        v1 = v1 < p->q_min ? p->q_min : v1 > p->q_max ? p->q_max : v1;
        *o0 = (int8_t)(v0 + p->out_offset);
        *o1 = (int8_t)(v1 + p->out_offset);
        return;
    }
    if (s >= 0) {
        int32_t x0 = (int32_t)(acc0 << s), x1 = (int32_t)(acc1 << s);
        v0 = smmulr(__qadd(x0, x0), m);
        v1 = smmulr(__qadd(x1, x1), m);
    } else {
        const int32_t r = -s, half = 1 << (r - 1);
        int32_t h0 = smmulr(__qadd((int32_t)acc0, (int32_t)acc0), m);
        int32_t h1 = smmulr(__qadd((int32_t)acc1, (int32_t)acc1), m);
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
    int32_t h0 = smmulr(__qadd((int32_t)acc0, (int32_t)acc0), m);
    int32_t h1 = smmulr(__qadd((int32_t)acc1, (int32_t)acc1), m);
    *o0 = (int8_t)__ssat(((h0 + (h0 >> 31) + half) >> r) + out_offset, 8);
    *o1 = (int8_t)__ssat(((h1 + (h1 >> 31) + half) >> r) + out_offset, 8);
}
#endif

tflm_status_t tflm_conv_opt_prepare(tflm_interp_t *ip, tflm_node_t *node, conv_data_t *d,
    const conv_geom_t *g) {
    (void)ip;
    d->opt = 0;
    if (g->groups != 1 || d->q_min < -256 || d->q_max > 255) {
        return TFLM_OK;
    }
    uint64_t k4 = ((uint64_t)g->f_h * g->f_w * g->in_c + 3) & ~(uint64_t)3;
    // One int16 im2col row per pixel of the pair.
    uint64_t bytes = 2 * 2 * k4;
    if (bytes > (1u << 28)) {
        return TFLM_OK;
    }
    node->scratch_size = (uint32_t)bytes;
    d->opt = 1;
    return TFLM_OK;
}

void tflm_conv_opt_eval(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias,
    int8_t *out, uint8_t *scratch) {
    const int32_t K = g->f_h * g->f_w * g->in_c, OC = g->out_c;
    const int32_t npx = g->batches * g->out_h * g->out_w;
    int16_t *buf = (int16_t *)(void *)scratch;
    const int16_t *x_end2 = buf + 16 * (K >> 3);
    const int32_t q_min = d->q_min, q_max = d->q_max, out_offset = d->out_offset;
    const int32_t *mult = d->mult;
    const int8_t *shifts = conv_shifts(d, g);
    #if defined(__ARM_FEATURE_DSP)
    const rqp_t prm = { q_min, q_max, out_offset, q_min + out_offset == -128 && q_max + out_offset == 127 };
    bool fast = prm.full;
    for (int32_t oc = 0; oc < OC; oc++) {
        fast = fast && shifts[oc] < 0 && shifts[oc] >= -21 && mult[oc] >= (1 << 30);
    }
    #endif
    const bool pw = is_pointwise(g);
    pix_t p = { 0, 0, 0 };
    for (int32_t i = 0; i < npx; i += 2, out += 2 * OC) {
        // An odd last pixel fills both slots and writes its result twice.
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
            // An odd last channel is computed twice.
            const int32_t oc2 = oc + 1 < OC ? oc + 1 : oc;
            const int8_t *wb = w + (size_t)oc2 * K;
            acc_t a0 = 0, a1 = 0, b0 = 0, b1 = 0;
            if (bias) {
                a0 = a1 = (acc_t)bias[oc];
                b0 = b1 = (acc_t)bias[oc2];
            }
            const int16_t *x = buf;
            const int8_t *pa = wa, *pb = wb;
            // Two groups per iteration, then an odd one.
            while (x != x_end2) {
                uint32_t va = load32_inc(&pa), vb = load32_inc(&pb);
                GROUP_2X2(x, va, vb)
                va = load32_inc(&pa);
                vb = load32_inc(&pb);
                GROUP_2X2(x, va, vb)
            }
            if (K & 4) {
                uint32_t va = load32_inc(&pa), vb = load32_inc(&pb);
                GROUP_2X2(x, va, vb)
            }
            if (K & 3) {
                // The last partial group: its padded values are 0, so the
                // weights past the channel do not count. Before the last
                // channel they are the next channel's (read as a word);
                // the last channel's missing weights are made 0, nothing
                // is read past the tensor.
                uint32_t va, vb;
                if (oc2 + 1 < OC) {
                    va = load32(pa);
                    vb = load32(pb);
                } else {
                    va = vb = 0;
                    for (int32_t j = 0; j < (K & 3); j++) {
                        va |= (uint32_t)(uint8_t)pa[j] << (8 * j);
                        vb |= (uint32_t)(uint8_t)pb[j] << (8 * j);
                    }
                }
                GROUP_2X2(x, va, vb)
            }
            #if defined(__ARM_FEATURE_DSP)
            if (fast) {
                rq_pair_fast(out_offset, mult[oc], shifts[oc], (uint32_t)a0, (uint32_t)a1, out + oc, out1 + oc);
                rq_pair_fast(out_offset, mult[oc2], shifts[oc2], (uint32_t)b0, (uint32_t)b1, out + oc2, out1 + oc2);
            } else {
                rq_pair(&prm, mult[oc], shifts[oc], (uint32_t)a0, (uint32_t)a1, out + oc, out1 + oc);
                rq_pair(&prm, mult[oc2], shifts[oc2], (uint32_t)b0, (uint32_t)b1, out + oc2, out1 + oc2);
            }
            #else
            rq_t q;
            q.q_min = q_min;
            q.q_max = q_max;
            q.out_offset = out_offset;
            rq_init(&q, mult[oc], shifts[oc]);
            out[oc] = rq_out(&q, a0);
            out1[oc] = rq_out(&q, a1);
            rq_init(&q, mult[oc2], shifts[oc2]);
            out[oc2] = rq_out(&q, b0);
            out1[oc2] = rq_out(&q, b1);
            #endif
        }
    }
}
#else // __ARM_FEATURE_MVE

// Requantizes 4 channels (multipliers and shifts `m`) of one pixel and
// stores them. Exact: VQRDMULH is (x * m + 2^30) >> 31 for m != INT32_MIN;
// VRSHL rounds half up, so negative values first step down by 1 (VQADD:
// INT32_MIN stays, same result) to round half away from zero.
static inline void rq_store4(int32x4_t acc, int32x4x2_t m, const rq_t *q, int8_t *o, mve_pred16_t lanes) {
    const int32x4_t zero = vdupq_n_s32(0);
    int32x4_t hm = vqrdmulhq_s32(vshlq_s32(acc, vmaxq_s32(m.val[1], zero)), m.val[0]);
    int32x4_t fix = vpselq_s32(vshrq_n_s32(hm, 31), zero, vcmpltq_n_s32(m.val[1], 0));
    int32x4_t v = vrshlq_s32(vqaddq_s32(hm, fix), vminq_s32(m.val[1], zero));
    v = vminq_s32(vmaxq_s32(v, vdupq_n_s32(q->q_min)), vdupq_n_s32(q->q_max));
    vstrbq_p_s32(o, vaddq_n_s32(v, q->out_offset), lanes);
}

// Scratch: the two pixels' interleaved int8 im2col rows (2 * K16 bytes;
// 1x1 filters copy the input pixels there too), then the weight sums (4
// bytes per channel).
static inline int32_t row_bytes(const conv_geom_t *g) {
    return 2 * ((g->f_h * g->f_w * g->in_c + 15) & ~15);
}

tflm_status_t tflm_conv_opt_prepare(tflm_interp_t *ip, tflm_node_t *node, conv_data_t *d,
    const conv_geom_t *g) {
    (void)ip;
    d->opt = 0;
    if (g->groups != 1 || d->q_min < -256 || d->q_max > 255) {
        return TFLM_OK;
    }
    uint64_t bytes = 2 * (((uint64_t)g->f_h * g->f_w * g->in_c + 15) & ~(uint64_t)15) + 4 * (uint64_t)g->out_c;
    if (bytes > (1u << 28)) {
        return TFLM_OK;
    }
    node->scratch_size = (uint32_t)(row_bytes(g) + 4 * g->out_c);
    d->opt = 1;
    return TFLM_OK;
}

void tflm_conv_opt_eval(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias,
    int8_t *out, uint8_t *scratch) {
    const int32_t K = g->f_h * g->f_w * g->in_c, OC = g->out_c, C = g->in_c;
    const int32_t npx = g->batches * g->out_h * g->out_w;
    const bool pw = is_pointwise(g);
    int8_t *col = (int8_t *)scratch;
    uint32_t *init = (uint32_t *)(void *)(scratch + row_bytes(g));
    // acc = sum(w * x) + in_offset * sum(w) + bias: padded taps hold the
    // zero point, w * zp + in_offset * w = 0 as the reference's skip.
    for (int32_t oc = 0; oc < OC; oc++) {
        const int8_t *wp = w + (size_t)oc * K;
        int32_t sum = 0;
        for (int32_t k = K; k > 0; k -= 16, wp += 16) {
            sum = vaddvaq_s8(sum, vldrbq_z_s8(wp, vctp8q((uint32_t)k)));
        }
        init[oc] = (uint32_t)sum * (uint32_t)d->in_offset + (bias ? (uint32_t)bias[oc] : 0);
    }
    pix_t p = { 0, 0, 0 };
    rq_t q;
    q.q_min = d->q_min;
    q.q_max = d->q_max;
    q.out_offset = d->out_offset;
    const int32_t *mult = d->mult;
    const int8_t *shifts = conv_shifts(d, g);
    const int8_t *x_end = col + 32 * (K >> 4);
    for (int32_t i = 0; i < npx; i += 2, out += 2 * OC) {
        // An odd last pixel fills both slots and writes its result twice.
        int8_t *out1 = i + 1 < npx ? out + OC : out;
        if (pw) {
            // 1x1 stride 1 unpadded: pixel i is input pixel i.
            const int8_t *src = in + (size_t)i * C;
            put_span(col, 0, src, C, 0);
            put_span(col + 16, 0, out1 != out ? src + C : src, C, 0);
        } else {
            im2col(d, g, in, &p, col);
            if (out1 != out) {
                next_pix(g, &p);
            }
            im2col(d, g, in, &p, col + 16);
            next_pix(g, &p);
        }
        for (int32_t oc = 0; oc < OC; oc += 4) {
            // 2 pixels x 4 channels; past the last channel, lanes repeat
            // it and are not stored.
            const mve_pred16_t lanes = vctp32q((uint32_t)(OC - oc));
            const int8_t *w0 = w + (size_t)oc * K, *w1 = w0 + K, *w2 = w1 + K, *w3 = w2 + K;
            if (oc + 4 > OC) {
                const int8_t *wl = w + (size_t)(OC - 1) * K;
                w1 = oc + 1 < OC ? w1 : wl;
                w2 = oc + 2 < OC ? w2 : wl;
                w3 = wl;
            }
            const int8_t *u = col;
            int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
            if (K >= 16) {
                // Whole vectors: VMLADAVA takes even accumulator registers
                // and gcc runs out of registers for this loop (it spills
                // two accumulators), so it is written out with the 8
                // accumulators in the even registers, the 6 pointers in
                // the odd ones.
                register int32_t r0 __asm__("r0") = 0, r2 __asm__("r2") = 0, r4 __asm__("r4") = 0;
                register int32_t r6 __asm__("r6") = 0, r8 __asm__("r8") = 0, r10 __asm__("r10") = 0;
                register int32_t r12 __asm__("r12") = 0, r14 __asm__("lr") = 0;
                register const int8_t *r1 __asm__("r1") = u, *r3 __asm__("r3") = w0, *r5 __asm__("r5") = w1;
                register const int8_t *r7 __asm__("r7") = w2, *r9 __asm__("r9") = w3;
                register const int8_t *r11 __asm__("r11") = x_end;
                __asm__ (
                    "1:\n\t"
                    "vldrb.8 q1, [r1, #16]\n\t"
                    "vldrb.8 q0, [r1], #32\n\t"
                    "vldrb.8 q2, [r3], #16\n\t"
                    "vmladava.s8 r0, q0, q2\n\t"
                    "vmladava.s8 r2, q1, q2\n\t"
                    "vldrb.8 q3, [r5], #16\n\t"
                    "vmladava.s8 r4, q0, q3\n\t"
                    "vmladava.s8 r6, q1, q3\n\t"
                    "vldrb.8 q2, [r7], #16\n\t"
                    "vmladava.s8 r8, q0, q2\n\t"
                    "vmladava.s8 r10, q1, q2\n\t"
                    "vldrb.8 q3, [r9], #16\n\t"
                    "vmladava.s8 r12, q0, q3\n\t"
                    "vmladava.s8 lr, q1, q3\n\t"
                    "cmp r1, r11\n\t"
                    "bne 1b"
                    : "+r" (r0), "+r" (r2), "+r" (r4), "+r" (r6), "+r" (r8), "+r" (r10), "+r" (r12), "+r" (r14),
                      "+r" (r1), "+r" (r3), "+r" (r5), "+r" (r7), "+r" (r9)
                    : "r" (r11)
                    : "q0", "q1", "q2", "q3", "cc", "memory");
                a0 = r0, b0 = r2, a1 = r4, b1 = r6, a2 = r8, b2 = r10, a3 = r12, b3 = r14;
                u = r1, w0 = r3, w1 = r5, w2 = r7, w3 = r9;
            }
            if (K & 15) {
                mve_pred16_t pr = vctp8q((uint32_t)K & 15);
                int8x16_t v0 = vldrbq_z_s8(u, pr), v1 = vldrbq_z_s8(u + 16, pr), c;
                c = vldrbq_z_s8(w0, pr);
                a0 = vmladavaq_s8(a0, v0, c);
                b0 = vmladavaq_s8(b0, v1, c);
                c = vldrbq_z_s8(w1, pr);
                a1 = vmladavaq_s8(a1, v0, c);
                b1 = vmladavaq_s8(b1, v1, c);
                c = vldrbq_z_s8(w2, pr);
                a2 = vmladavaq_s8(a2, v0, c);
                b2 = vmladavaq_s8(b2, v1, c);
                c = vldrbq_z_s8(w3, pr);
                a3 = vmladavaq_s8(a3, v0, c);
                b3 = vmladavaq_s8(b3, v1, c);
            }
            int32x4_t acc0 = vdupq_n_s32(a0), acc1 = vdupq_n_s32(b0);
            acc0 = vsetq_lane_s32(a1, acc0, 1);
            acc0 = vsetq_lane_s32(a2, acc0, 2);
            acc0 = vsetq_lane_s32(a3, acc0, 3);
            acc1 = vsetq_lane_s32(b1, acc1, 1);
            acc1 = vsetq_lane_s32(b2, acc1, 2);
            acc1 = vsetq_lane_s32(b3, acc1, 3);
            // Lanes past OC: multiplier and shift 0, never stored.
            int32x4_t base = vldrwq_z_s32((const int32_t *)&init[oc], lanes);
            int32x4x2_t m;
            m.val[0] = vldrwq_z_s32(&mult[oc], lanes);
            m.val[1] = vldrbq_z_s32(&shifts[oc], lanes);
            rq_store4(vaddq_s32(acc0, base), m, &q, out + oc, lanes);
            rq_store4(vaddq_s32(acc1, base), m, &q, out1 + oc, lanes);
        }
    }
}
#endif

#endif
