// Optimized int8 FULLY_CONNECTED, Helium (see fc_opt.c): 16 depth per
// step of four units (VMLADAVA), the four units requantized as one vector.
#include "fc_opt.h"
#if MICROPY_TFLM_OP_FULLY_CONNECTED && MICROPY_TFLM_OPT_KERNELS && TFLM_CPU_MVE
#include <arm_mve.h>

// One unit's step: acc += x . w + c . w. VMLADAVA accumulates into even
// registers only: 4 units x (dot, sum of weights) would need 8 with lr as
// the loop counter. So the offset goes into the same accumulator, as
// (x + c) * w = x * w + c * w with c in an int8 vector; in_off = 128 does
// not fit int8, but (x + 128) * w = -(~x * w + (-127) * w).
static TFLM_ALWAYS_INLINE int32_t fc_mve_unit(int32_t acc, int8x16_t xv, int8x16_t cv, int8x16_t w) {
    acc = vmladavaq_s8(acc, xv, w);
    return vmladavaq_s8(acc, cv, w);
}

// The four sums as lanes, still negated when flip is all ones.
static inline int32x4_t fc_dot4(const int8_t *x, const int8_t *w, int32_t depth, int8x16_t flip,
    int8x16_t cv) {
    const int8_t *w0 = w, *w1 = w0 + depth, *w2 = w1 + depth, *w3 = w2 + depth;
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (int32_t n = depth >> 4; n > 0; n--) {
        int8x16_t xv = veorq_s8(vldrbq_s8(x), flip);
        x += 16;
        a0 = fc_mve_unit(a0, xv, cv, vldrbq_s8(w0));
        a1 = fc_mve_unit(a1, xv, cv, vldrbq_s8(w1));
        a2 = fc_mve_unit(a2, xv, cv, vldrbq_s8(w2));
        a3 = fc_mve_unit(a3, xv, cv, vldrbq_s8(w3));
        w0 += 16;
        w1 += 16;
        w2 += 16;
        w3 += 16;
    }
    if (depth & 15) {
        // Lanes past the row load as zero weights and add nothing.
        mve_pred16_t p = vctp8q((uint32_t)depth & 15);
        int8x16_t xv = veorq_s8(vldrbq_z_s8(x, p), flip);
        a0 = fc_mve_unit(a0, xv, cv, vldrbq_z_s8(w0, p));
        a1 = fc_mve_unit(a1, xv, cv, vldrbq_z_s8(w1, p));
        a2 = fc_mve_unit(a2, xv, cv, vldrbq_z_s8(w2, p));
        a3 = fc_mve_unit(a3, xv, cv, vldrbq_z_s8(w3, p));
    }
    int32x4_t v = vdupq_n_s32(a0);
    v = vsetq_lane_s32(a1, v, 1);
    v = vsetq_lane_s32(a2, v, 2);
    return vsetq_lane_s32(a3, v, 3);
}

void tflm_fc_opt_eval(const fc_data_t *d, const int8_t *in, const int8_t *w, const int32_t *bias,
    int8_t *out, uint8_t *scratch) {
    (void)scratch;
    const int32_t depth = d->depth, units = d->units, in_off = d->in_offset, last = units - 4;
    const int32_t *cm = d->channel_mult;
    const int32_t act_min = d->act_min, act_max = d->act_max, out_off = d->out_offset;
    const bool neg = in_off > 127;
    const int8x16_t flip = vdupq_n_s8(neg ? -1 : 0);
    const int8x16_t cv = vdupq_n_s8((int8_t)(neg ? -127 : in_off));
    const int32_t sgn = neg ? -1 : 1;
    // Per-tensor: the shift vectors once.
    int32x4_t sv = vdupq_n_s32(d->shift), mv = vdupq_n_s32(d->multiplier);
    const int32x4_t zero = vdupq_n_s32(0);
    for (int32_t b = 0; b < d->batches; b++, in += depth, out += units) {
        const uint32_t row = fc_row_const(d, in);
        // The last block ends at the last unit, overlapping the one before.
        for (int32_t u0 = 0;; u0 += 4) {
            if (u0 > last) {
                u0 = last;
            }
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
            if (u0 == last) {
                break;
            }
        }
    }
}

#endif
