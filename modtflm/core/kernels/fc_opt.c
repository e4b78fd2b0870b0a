// Optimized int8 FULLY_CONNECTED: four units per pass over the input row,
// so each input element is loaded (and offset) once per four units.
//
//   sum((x + in_off) * (w + w_off)) = sum((x + in_off) * w) + w_off * sum(x + in_off)
//
// holds modulo 2^32, so the inner loops use the raw weights and the weights
// zero point (per-tensor weights only) becomes one per-row constant. The
// inner loop per target:
//  - MVE: 16 depth per step, VMLADAVA for x*w and VADDVA for sum(w) (the
//    input offset does not fit int8 lanes); a predicated step for the tail.
//  - DSP: 4 depth per step, x and w sign-extended to 16-bit pairs (SXTB16,
//    SXTAB16 adds the input offset), two SMLAD per unit.
//  - portable: one depth per step, int32 multiply-accumulate.
// Fewer than four units: the reference. A unit count that is not a multiple
// of four redoes the last four units (same results, same bytes written).
// No scratch and no persistent data.
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_FULLY_CONNECTED && MICROPY_TFLM_OPT_KERNELS
#include <string.h>
#include "../quant.h"
#include "fully_connected.h"

#if defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>
#elif defined(__ARM_FEATURE_DSP)
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

static inline void fc_dot4(const int8_t *x, const int8_t *w, int32_t depth, int32_t in_off,
    uint32_t *acc) {
    const int8_t *w0 = w, *w1 = w0 + depth, *w2 = w1 + depth, *w3 = w2 + depth;
    const bool neg = in_off > 127;
    const int8x16_t flip = vdupq_n_s8(neg ? -1 : 0);
    const int8x16_t cv = vdupq_n_s8((int8_t)(neg ? -127 : in_off));
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
    uint32_t sign = neg ? ~0u : 0u;
    // -a as (a ^ ~0) + 1.
    acc[0] = ((uint32_t)a0 ^ sign) - sign;
    acc[1] = ((uint32_t)a1 ^ sign) - sign;
    acc[2] = ((uint32_t)a2 ^ sign) - sign;
    acc[3] = ((uint32_t)a3 ^ sign) - sign;
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
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
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
    uint32_t u0 = (uint32_t)a0, u1 = (uint32_t)a1, u2 = (uint32_t)a2, u3 = (uint32_t)a3;
    for (int32_t i = 0; i < (depth & 3); i++) {
        int32_t xi = x[i] + in_off;
        u0 += (uint32_t)(xi * w0[i]);
        u1 += (uint32_t)(xi * w1[i]);
        u2 += (uint32_t)(xi * w2[i]);
        u3 += (uint32_t)(xi * w3[i]);
    }
    acc[0] = u0;
    acc[1] = u1;
    acc[2] = u2;
    acc[3] = u3;
}

#else

static inline void fc_dot4(const int8_t *x, const int8_t *w, int32_t depth, int32_t in_off, uint32_t *acc) {
    const int8_t *w0 = w, *w1 = w0 + depth, *w2 = w1 + depth, *w3 = w2 + depth;
    uint32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
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

// tflm_requant in 32-bit steps after the 64-bit product. The rounding
// divide by 2^r (half away from zero) is floor((hm - neg + 2^(r-1)) / 2^r)
// = ((hm - neg) >> (r - 1)) + 1) >> 1 for r >= 1 (neg: hm < 0); no step
// overflows since |hm| < 2^31 - 1 for multipliers below 2^31.
static inline int32_t fc_requant(int32_t x, int32_t mult, int32_t shift) {
    // Branch-free max(shift, 0) and max(-shift, 0).
    int32_t left = (int32_t)((uint32_t)shift & ~(uint32_t)(shift >> 31));
    int32_t right = left - shift;
    // (p + 2^30) >> 31 from the halves of p (gcc's 64-bit shift on M55
    // goes through the stack).
    uint64_t p = (uint64_t)((int64_t)(int32_t)((uint32_t)x << left) * mult + (1ll << 30));
    int32_t hm = (int32_t)(((uint32_t)(p >> 32) << 1) | ((uint32_t)p >> 31));
    if (right == 0) {
        return hm;
    }
    return (((hm - (hm < 0)) >> (right - 1)) + 1) >> 1;
}

void tflm_fc_opt_eval(const fc_data_t *d, const int8_t *in, const int8_t *w, const int32_t *bias,
    int8_t *out, uint8_t *scratch) {
    (void)scratch;
    const int32_t depth = d->depth, units = d->units, in_off = d->in_offset;
    const int32_t act_min = d->act_min, act_max = d->act_max;
    const uint32_t out_off = (uint32_t)d->out_offset;
    // Per-tensor: the same multiplier and shift for every unit.
    const int32_t pt_mult = d->multiplier;
    const int8_t pt_shift = d->shift;
    const int32_t *mults = d->channel_mult ? d->channel_mult : &pt_mult;
    const int8_t *shifts = d->channel_mult ? fc_shifts(d) : &pt_shift;
    const int32_t cm_step = d->channel_mult ? 1 : 0;
    for (int32_t b = 0; b < d->batches; b++, in += depth, out += units) {
        uint32_t row = 0;
        if (d->filter_offset) {
            uint32_t sx = 0;
            for (int32_t i = 0; i < depth; i++) {
                sx += (uint32_t)(in[i] + in_off);
            }
            row = sx * (uint32_t)d->filter_offset;
        }
        for (int32_t u0 = 0; u0 < units; u0 += 4) {
            // The last block ends at the last unit, overlapping the one before.
            if (u0 > units - 4) {
                u0 = units - 4;
            }
            uint32_t acc[4];
            fc_dot4(in, w + u0 * depth, depth, in_off, acc);
            for (int k = 0; k < 4; k++) {
                int32_t u = u0 + k;
                uint32_t a = acc[k] + row + (bias ? (uint32_t)bias[u] : 0);
                int32_t v = (int32_t)((uint32_t)fc_requant((int32_t)a, mults[cm_step * u], shifts[cm_step * u])
                    + out_off);
                v = v < act_min ? act_min : v;
                v = v > act_max ? act_max : v;
                out[u] = (int8_t)v;
            }
        }
    }
}
#endif
