// Optimized int8 CONV_2D, Helium (see conv_opt.c): interleaved int8
// im2col pairs, 2 pixels x 4 channels per block by VMLADAVA, the weight
// sums times the input offset added once per channel.
#include "conv_opt.h"
#if MICROPY_TFLM_OP_CONV && MICROPY_TFLM_OPT_KERNELS && TFLM_CPU_MVE
#include <arm_mve.h>

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

// (The Helium layout has no special case.)
static TFLM_ALWAYS_INLINE bool im2col_special(const conv_data_t *d, const conv_geom_t *g, const int8_t *in,
    const pix_t *p, void *buf) {
    (void)d, (void)g, (void)in, (void)p, (void)buf;
    return false;
}

#include "conv_im2col.h"

// One channel's weights c against both pixels' values v0, v1.
static TFLM_ALWAYS_INLINE void mac_pair(int32_t *a, int32_t *b, int8x16_t v0, int8x16_t v1, int8x16_t c) {
    *a = vmladavaq_s8(*a, v0, c);
    *b = vmladavaq_s8(*b, v1, c);
}

// Requantizes 4 channels (multipliers and shifts `m`) of one pixel and
// stores them. Exact: VQRDMULH is (x * m + 2^30) >> 31 for m != INT32_MIN;
// VRSHL rounds half up, so negative values first step down by 1 (VQADD:
// INT32_MIN stays, same result) to round half away from zero.
// q_min_raw, q_max_raw: the bounds before the output offset is added.
static inline void rq_store4(int32x4_t acc, int32x4x2_t m, int32_t q_min_raw, int32_t q_max_raw, int32_t out_offset,
    int8_t *o, mve_pred16_t lanes) {
    const int32x4_t zero = vdupq_n_s32(0);
    int32x4_t hm = vqrdmulhq_s32(vshlq_s32(acc, vmaxq_s32(m.val[1], zero)), m.val[0]);
    int32x4_t fix = vpselq_s32(vshrq_n_s32(hm, 31), zero, vcmpltq_n_s32(m.val[1], 0));
    int32x4_t v = vrshlq_s32(vqaddq_s32(hm, fix), vminq_s32(m.val[1], zero));
    v = vminq_s32(vmaxq_s32(v, vdupq_n_s32(q_min_raw)), vdupq_n_s32(q_max_raw));
    vstrbq_p_s32(o, vaddq_n_s32(v, out_offset), lanes);
}

// Scratch (see tflm_conv_opt_prepare): the two pixels' interleaved int8
// im2col rows (2 * K16 bytes), then the weight sums (4 bytes per channel).
static inline int32_t row_bytes(const conv_geom_t *g) {
    return 2 * ((g->f_h * g->f_w * g->in_c + 15) & ~15);
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
    // Copies: int8 stores may alias d.
    const int32_t q_min_raw = d->q_min_raw, q_max_raw = d->q_max_raw, out_offset = d->out_offset;
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
                int8x16_t v0 = vldrbq_z_s8(u, pr), v1 = vldrbq_z_s8(u + 16, pr);
                mac_pair(&a0, &b0, v0, v1, vldrbq_z_s8(w0, pr));
                mac_pair(&a1, &b1, v0, v1, vldrbq_z_s8(w1, pr));
                mac_pair(&a2, &b2, v0, v1, vldrbq_z_s8(w2, pr));
                mac_pair(&a3, &b3, v0, v1, vldrbq_z_s8(w3, pr));
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
            rq_store4(vaddq_s32(acc0, base), m, q_min_raw, q_max_raw, out_offset, out + oc, lanes);
            rq_store4(vaddq_s32(acc1, base), m, q_min_raw, q_max_raw, out_offset, out1 + oc, lanes);
        }
    }
}

#endif
