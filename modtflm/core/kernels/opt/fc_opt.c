// Optimized int8 FULLY_CONNECTED: four units per pass over the input row,
// so each input element is loaded (and offset) once per four units.
//
//   sum((x + in_off) * (w + w_off)) = sum((x + in_off) * w) + w_off * sum(x + in_off)
//
// holds modulo 2^32, so the inner loops use the raw weights and the weights
// zero point (per-tensor weights only) becomes one per-row constant. The
// inner loop per target:
//  - MVE: 16 depth per step, VMLADAVA for x*w and for in_off*w (the input
//    offset does not fit int8 lanes); a predicated step for the tail.
//  - DSP: 4 depth per step, x and w sign-extended to 16-bit pairs (SXTB16,
//    SXTAB16 adds the input offset), two SMLAD per unit.
//  - portable: one depth per step, int32 multiply-accumulate.
// The accumulators start at bias + row constant. Requantization: MVE does
// the four units as one vector (VQRDMULH, VRSHL); elsewhere a per-tensor
// multiplier with a right shift of 2..15 takes one multiply-accumulate
// and one shift per unit (fc_requant_r2), other cases tflm_requant's steps.
// Fewer than four units: the reference. A unit count that is not a multiple
// of four redoes the last four units (same results, same bytes written).
// No scratch and no persistent data.
#include "../../tflm_config.h"
#if MICROPY_TFLM_OP_FULLY_CONNECTED && MICROPY_TFLM_OPT_KERNELS
#include <string.h>
#include "../../support/quant.h"
#include "../fully_connected.h"

#if defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>
#elif defined(__ARM_FEATURE_DSP) || defined(__ARM_FEATURE_SAT)
#include <arm_acle.h>
#endif

tflm_status_t tflm_fc_opt_prepare(tflm_interp_t *ip, tflm_node_t *node, fc_data_t *d) {
    (void)ip;
    (void)node;
    d->opt = d->units >= 4;
    return TFLM_OK;
}

// acc[k] = sum_i (x[i] + in_off) * w[k * depth + i], k < 4 (wrapping).
#if defined(__ARM_FEATURE_MVE)

// VMLADAVA accumulates into even registers only: 4 units x (dot, sum of
// weights) would need 8 with lr as the loop counter. So the offset goes
// into the same accumulator, as (x + c) * w = x * w + c * w with c in an
// int8 vector; in_off = 128 does not fit int8, but
// (x + 128) * w = -(~x * w + (-127) * w).
#define FC_MVE_UNIT(a, wp, load) do { \
        int8x16_t v = load; \
        a = vmladavaq_s8(a, xv, v); \
        a = vmladavaq_s8(a, cv, v); \
} while (0)

// The four sums as lanes, still negated when flip is all ones.
static inline int32x4_t fc_dot4(const int8_t *x, const int8_t *w, int32_t depth, int8x16_t flip,
    int8x16_t cv) {
    const int8_t *w0 = w, *w1 = w0 + depth, *w2 = w1 + depth, *w3 = w2 + depth;
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (int32_t n = depth >> 4; n > 0; n--) {
        int8x16_t xv = veorq_s8(vldrbq_s8(x), flip);
        x += 16;
        FC_MVE_UNIT(a0, w0, vldrbq_s8(w0));
        FC_MVE_UNIT(a1, w1, vldrbq_s8(w1));
        FC_MVE_UNIT(a2, w2, vldrbq_s8(w2));
        FC_MVE_UNIT(a3, w3, vldrbq_s8(w3));
        w0 += 16;
        w1 += 16;
        w2 += 16;
        w3 += 16;
    }
    if (depth & 15) {
        // Lanes past the row load as zero weights and add nothing.
        mve_pred16_t p = vctp8q((uint32_t)depth & 15);
        int8x16_t xv = veorq_s8(vldrbq_z_s8(x, p), flip);
        FC_MVE_UNIT(a0, w0, vldrbq_z_s8(w0, p));
        FC_MVE_UNIT(a1, w1, vldrbq_z_s8(w1, p));
        FC_MVE_UNIT(a2, w2, vldrbq_z_s8(w2, p));
        FC_MVE_UNIT(a3, w3, vldrbq_z_s8(w3, p));
    }
    int32x4_t v = vdupq_n_s32(a0);
    v = vsetq_lane_s32(a1, v, 1);
    v = vsetq_lane_s32(a2, v, 2);
    return vsetq_lane_s32(a3, v, 3);
}

#elif defined(__ARM_FEATURE_DSP)

static inline void fc_dot4(const int8_t *x, const int8_t *w, int32_t depth, int32_t in_off,
    uint32_t *acc) {
    // Units 2 and 3 are addressed from units 0 and 1 (+ 2 * depth): with
    // one register fewer all 14 fit, where gcc's allocation of the C form
    // spilled pointers in the loop.
    const int8_t *w0 = w, *w1 = w0 + depth;
    const int32_t d2 = 2 * depth;
    // The offset in both halves; x + in_off fits 16 bits.
    const uint32_t off2 = (uint32_t)(uint16_t)in_off * 0x10001u;
    uint32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    // 8 depth per iteration; with depth & 4 the first iteration enters
    // halfway (n < 0 says so).
    int32_t n = (depth & 4) ? -(depth >> 3) - 1 : depth >> 3;
    if (depth >= 4) {
        uint32_t xl, xh, wv, wt;
        // Per 4 depth: x bytes 0, 2 and 1, 3 plus the offset as 16-bit
        // pairs (SXTAB16), the same split of each unit's weights (SXTB16),
        // two SMLAD per unit.
        #define FC_DSP_STEP \
            "ldr %[wv], [%[x]], #4\n" \
            "sxtab16 %[xl], %[off], %[wv]\n" \
            "sxtab16 %[xh], %[off], %[wv], ror #8\n" \
            "ldr %[wv], [%[w0], %[d2]]\n" \
            "sxtb16 %[wt], %[wv]\n" \
            "smlad %[a2], %[wt], %[xl], %[a2]\n" \
            "sxtb16 %[wv], %[wv], ror #8\n" \
            "smlad %[a2], %[wv], %[xh], %[a2]\n" \
            "ldr %[wv], [%[w0]], #4\n" \
            "sxtb16 %[wt], %[wv]\n" \
            "smlad %[a0], %[wt], %[xl], %[a0]\n" \
            "sxtb16 %[wv], %[wv], ror #8\n" \
            "smlad %[a0], %[wv], %[xh], %[a0]\n" \
            "ldr %[wv], [%[w1], %[d2]]\n" \
            "sxtb16 %[wt], %[wv]\n" \
            "smlad %[a3], %[wt], %[xl], %[a3]\n" \
            "sxtb16 %[wv], %[wv], ror #8\n" \
            "smlad %[a3], %[wv], %[xh], %[a3]\n" \
            "ldr %[wv], [%[w1]], #4\n" \
            "sxtb16 %[wt], %[wv]\n" \
            "smlad %[a1], %[wt], %[xl], %[a1]\n" \
            "sxtb16 %[wv], %[wv], ror #8\n" \
            "smlad %[a1], %[wv], %[xh], %[a1]\n"
        __asm__ volatile (
            "cmp %[n], #0\n"
            "bgt 1f\n"
            "rsbs %[n], %[n], #0\n"
            "b 2f\n"
            "1:\n"
            FC_DSP_STEP
            "2:\n"
            FC_DSP_STEP
            "subs %[n], %[n], #1\n"
            "bgt 1b\n"
            : [x] "+r" (x), [w0] "+r" (w0), [w1] "+r" (w1), [n] "+r" (n),
            [a0] "+r" (a0), [a1] "+r" (a1), [a2] "+r" (a2), [a3] "+r" (a3),
            [xl] "=&r" (xl), [xh] "=&r" (xh), [wv] "=&r" (wv), [wt] "=&r" (wt)
            : [d2] "r" (d2), [off] "r" (off2)
            : "cc", "memory");
        #undef FC_DSP_STEP
    }
    const int8_t *w2 = w0 + d2, *w3 = w1 + d2;
    for (int32_t i = 0; i < (depth & 3); i++) {
        int32_t xi = x[i] + in_off;
        a0 += (uint32_t)(xi * w0[i]);
        a1 += (uint32_t)(xi * w1[i]);
        a2 += (uint32_t)(xi * w2[i]);
        a3 += (uint32_t)(xi * w3[i]);
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

#else

static inline void fc_dot4(const int8_t *x, const int8_t *w, int32_t depth, int32_t in_off, uint32_t *acc) {
    const int8_t *w0 = w, *w1 = w0 + depth, *w2 = w1 + depth, *w3 = w2 + depth;
    uint32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    for (int32_t i = 0; i < depth; i++) {
        // |xi| <= 256 and |w| <= 128: the products fit int32.
        int32_t xi = x[i] + in_off;
        a0 += (uint32_t)(xi * w0[i]);
        a1 += (uint32_t)(xi * w1[i]);
        a2 += (uint32_t)(xi * w2[i]);
        a3 += (uint32_t)(xi * w3[i]);
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

#endif

#if !defined(__ARM_FEATURE_MVE)
// tflm_requant in 32-bit steps after the 64-bit product. The rounding
// divide by 2^r (half away from zero) is floor((hm - neg + 2^(r-1)) / 2^r)
// = ((hm - neg) >> (r - 1)) + 1) >> 1 for r >= 1 (neg: hm < 0); no step
// overflows since |hm| < 2^31 - 1 for multipliers below 2^31.
static inline int32_t fc_requant(int32_t x, int32_t mult, int32_t shift) {
    // Branch-free max(shift, 0) and max(-shift, 0).
    int32_t left = (int32_t)((uint32_t)shift & ~(uint32_t)(shift >> 31));
    int32_t right = left - shift;
    // (p + 2^30) >> 31 from the halves of p.
    uint64_t p = (uint64_t)((int64_t)(int32_t)((uint32_t)x << left) * mult + (1ll << 30));
    int32_t hm = (int32_t)(((uint32_t)(p >> 32) << 1) | ((uint32_t)p >> 31));
    if (right == 0) {
        return hm;
    }
    return (((hm - (hm < 0)) >> (right - 1)) + 1) >> 1;
}

// The same plus the output offset, for a multiplier m >= 0, a right shift
// r in [2, 15] (no left shift) and |off| <= 2^15, in one multiply-accumulate
// and one shift. With p = x * m and hm = floor((p + 2^30) / 2^31), the
// result is floor((hm + 2^(r-1) - [hm < 0]) / 2^r) + off
//   = floor((p + 2^30 + 2^(30+r) - [hm < 0] * 2^31 + off * 2^(31+r)) / 2^(31+r))
// (floor((floor(y / A) + c) / B) = floor((y + c * A) / (A * B)) for integers
// y, c and A, B > 0). [hm < 0] may be replaced by [x < 0]: they differ only
// for x < 0 with hm = 0 (p in [-2^30, 0]), where both forms give off as
// r >= 1. The constant added to p is (khi - [x < 0]) * 2^32 + lo with
// khi = 2^(r-2) + off * 2^(r-1) (|khi| < 2^30) and lo = 2^30 ^ (x & 2^31);
// the sum q is below 2^63 in magnitude (|p| < 2^62, the rest below 2^62),
// so its top word is floor(q / 2^32) exactly and the result is that
// shifted right by r - 1. No int32 wrap: |result - off| < 2^30.
static inline int32_t fc_requant_r2(uint32_t x, int32_t m, uint32_t khi, int32_t rm1) {
    uint32_t lo = (x & 0x80000000u) ^ 0x40000000u;
    uint32_t hi = khi + (uint32_t)((int32_t)x >> 31);
    uint64_t q = (((uint64_t)hi << 32) | lo) + (uint64_t)((int64_t)(int32_t)x * m);
    return (int32_t)(uint32_t)(q >> 32) >> rm1;
}

// Saturating to int8 changes nothing before clamping to [lo, hi], which
// is within int8; when [lo, hi] is all of int8 it is the clamp.
static inline int32_t fc_sat8(int32_t v) {
#if defined(__ARM_FEATURE_SAT)
    return __ssat(v, 8);
#else
    return v < -128 ? -128 : v > 127 ? 127 : v;
#endif
}

static inline int32_t fc_clamp(int32_t v, int32_t lo, int32_t hi) {
    v = v < lo ? lo : v;
    return v > hi ? hi : v;
}
#endif

void tflm_fc_opt_eval(const fc_data_t *d, const int8_t *in, const int8_t *w, const int32_t *bias,
    int8_t *out, uint8_t *scratch) {
    (void)scratch;
    const int32_t depth = d->depth, units = d->units, in_off = d->in_offset;
    const int32_t last = units - 4;
    const int32_t act_min = d->act_min, act_max = d->act_max;
    const int32_t out_off = d->out_offset;
    const int32_t *cm = d->channel_mult;
#if defined(__ARM_FEATURE_MVE)
    const bool neg = in_off > 127;
    const int8x16_t flip = vdupq_n_s8(neg ? -1 : 0);
    const int8x16_t cv = vdupq_n_s8((int8_t)(neg ? -127 : in_off));
    const int32_t sgn = neg ? -1 : 1;
    // Per-tensor: the shift vectors once.
    int32x4_t sv = vdupq_n_s32(d->shift), mv = vdupq_n_s32(d->multiplier);
    const int32x4_t zero = vdupq_n_s32(0);
#else
    const int32_t mult = d->multiplier, shift = d->shift;
    // fc_requant_r2's conditions (per-tensor).
    const bool r2 = !cm && shift <= -2 && shift >= -15 && mult >= 0;
    const uint32_t khi = (1u << ((-shift - 2) & 15)) + ((uint32_t)out_off << ((-shift - 1) & 15));
    const int32_t rm1 = -shift - 1;
    const bool full = act_min == -128 && act_max == 127;
#endif
    for (int32_t b = 0; b < d->batches; b++, in += depth, out += units) {
        uint32_t row = 0;
        if (d->filter_offset) {
            uint32_t sx = 0;
            for (int32_t i = 0; i < depth; i++) {
                sx += (uint32_t)(in[i] + in_off);
            }
            row = sx * (uint32_t)d->filter_offset;
        }
        // The last block ends at the last unit, overlapping the one before.
        for (int32_t u0 = 0;; u0 += 4) {
            if (u0 > last) {
                u0 = last;
            }
#if defined(__ARM_FEATURE_MVE)
            // acc * sgn + row (+ bias), wrapping.
            int32x4_t a = vmlasq_n_s32(fc_dot4(in, w + u0 * depth, depth, flip, cv), vdupq_n_s32(sgn),
                (int32_t)row);
            if (bias) {
                a = vaddq_s32(a, vldrwq_s32(bias + u0));
            }
            if (cm) {
                mv = vldrwq_s32(cm + u0);
                sv = vldrbq_s32(fc_shifts(d) + u0);
            }
            // tflm_mul_by_quant_mul lane-wise: VQRDMULH is the doubling
            // high multiply with its rounding and saturation exactly
            // (floor((a * m + 2^30) / 2^31), INT32_MAX for INT32_MIN^2);
            // VRSHL by -r is floor((t + 2^(r-1)) / 2^r) without overflow,
            // the rounding divide when t = hm - [hm < 0] for r >= 1.
            a = vshlq_s32(a, vmaxq_s32(sv, zero));
            a = vqrdmulhq_s32(a, mv);
            a = vaddq_s32(a, vandq_s32(vshrq_n_s32(a, 31), vshrq_n_s32(sv, 31)));
            a = vrshlq_s32(a, vminq_s32(sv, zero));
            a = vaddq_n_s32(a, out_off);
            a = vmaxq_s32(a, vdupq_n_s32(act_min));
            a = vminq_s32(a, vdupq_n_s32(act_max));
            vstrbq_s32(out + u0, a);
#else
            uint32_t acc[4] = { row, row, row, row };
            if (bias) {
                acc[0] += (uint32_t)bias[u0];
                acc[1] += (uint32_t)bias[u0 + 1];
                acc[2] += (uint32_t)bias[u0 + 2];
                acc[3] += (uint32_t)bias[u0 + 3];
            }
            fc_dot4(in, w + u0 * depth, depth, in_off, acc);
            int8_t *o = out + u0;
            int32_t v0, v1, v2, v3;
            if (r2) {
                v0 = fc_sat8(fc_requant_r2(acc[0], mult, khi, rm1));
                v1 = fc_sat8(fc_requant_r2(acc[1], mult, khi, rm1));
                v2 = fc_sat8(fc_requant_r2(acc[2], mult, khi, rm1));
                v3 = fc_sat8(fc_requant_r2(acc[3], mult, khi, rm1));
            } else {
                // (A copy: indexing acc itself would keep it in memory.)
                int32_t t[4] = { (int32_t)acc[0], (int32_t)acc[1], (int32_t)acc[2], (int32_t)acc[3] };
                for (int k = 0; k < 4; k++) {
                    int32_t u = u0 + k;
                    t[k] = (int32_t)((uint32_t)fc_requant(t[k], cm ? cm[u] : mult,
                        cm ? fc_shifts(d)[u] : shift) + (uint32_t)out_off);
                    t[k] = fc_sat8(t[k]);
                }
                v0 = t[0];
                v1 = t[1];
                v2 = t[2];
                v3 = t[3];
            }
            if (!full) {
                v0 = fc_clamp(v0, act_min, act_max);
                v1 = fc_clamp(v1, act_min, act_max);
                v2 = fc_clamp(v2, act_min, act_max);
                v3 = fc_clamp(v3, act_min, act_max);
            }
            o[0] = (int8_t)v0;
            o[1] = (int8_t)v1;
            o[2] = (int8_t)v2;
            o[3] = (int8_t)v3;
#endif
            if (u0 == last) {
                break;
            }
        }
    }
}
#endif
