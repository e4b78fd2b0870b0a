// The Armv7E-M DSP instructions the *_dsp.c kernels use, one inline
// function each: ACLE intrinsics, and inline assembly where gcc does not
// emit the instruction form wanted (a rotated operand, a write-back load,
// a rounding multiply). With TFLM_EMULATE_DSP on a host, dsp_emul.h
// defines the same functions in plain C with identical results.
#ifndef TFLM_CORE_KERNELS_OPT_DSP_H
#define TFLM_CORE_KERNELS_OPT_DSP_H

#include "cpu.h"
#if TFLM_CPU_DSP
#include <stdint.h>
#include <string.h>

#if TFLM_DSP_EMULATED
#include "dsp_emul.h"
#else
#include <arm_acle.h>

// Halfword pairs: bytes 0 and 2 of x sign-extended (SXTB16).
static TFLM_ALWAYS_INLINE uint32_t dsp_sxtb16(uint32_t x) {
    return (uint32_t)__sxtb16((int32_t)x);
}

// Bytes 1 and 3 (SXTB16 of x rotated by 8): gcc does not fold a rotate
// into the instruction's operand.
static TFLM_ALWAYS_INLINE uint32_t dsp_sxtb16_r8(uint32_t x) {
    uint32_t r;
    __asm__ ("sxtb16 %0, %1, ror #8" : "=r" (r) : "r" (x));
    return r;
}

// a + dsp_sxtb16(x), halfword by halfword (SXTAB16).
static TFLM_ALWAYS_INLINE uint32_t dsp_sxtab16(uint32_t a, uint32_t x) {
    return (uint32_t)__sxtab16((int32_t)a, (int32_t)x);
}

// a + dsp_sxtb16_r8(x), halfword by halfword.
static TFLM_ALWAYS_INLINE uint32_t dsp_sxtab16_r8(uint32_t a, uint32_t x) {
    uint32_t r;
    __asm__ ("sxtab16 %0, %1, %2, ror #8" : "=r" (r) : "r" (a), "r" (x));
    return r;
}

// Halfword by halfword a + b (SADD16).
static TFLM_ALWAYS_INLINE uint32_t dsp_sadd16(uint32_t a, uint32_t b) {
    return (uint32_t)__sadd16((int32_t)a, (int32_t)b);
}

// acc + lo(x) * lo(y) + hi(x) * hi(y), wrapping (SMLAD).
static TFLM_ALWAYS_INLINE uint32_t dsp_smlad(uint32_t x, uint32_t y, uint32_t acc) {
    return (uint32_t)__smlad((int32_t)x, (int32_t)y, (int32_t)acc);
}

// acc + one halfword product, wrapping: bottom x bottom, top x bottom,
// top x top (SMLABB, SMLATB, SMLATT).
static TFLM_ALWAYS_INLINE uint32_t dsp_smlabb(uint32_t x, int32_t y, uint32_t acc) {
    return (uint32_t)__smlabb((int32_t)x, y, (int32_t)acc);
}
static TFLM_ALWAYS_INLINE uint32_t dsp_smlatb(uint32_t x, int32_t y, uint32_t acc) {
    return (uint32_t)__smlatb((int32_t)x, y, (int32_t)acc);
}
static TFLM_ALWAYS_INLINE uint32_t dsp_smlatt(uint32_t x, uint32_t y, uint32_t acc) {
    return (uint32_t)__smlatt((int32_t)x, (int32_t)y, (int32_t)acc);
}

// a + b saturated to int32 (QADD).
static TFLM_ALWAYS_INLINE int32_t dsp_qadd(int32_t a, int32_t b) {
    return __qadd(a, b);
}

// v saturated to int8 (SSAT #8).
static TFLM_ALWAYS_INLINE int32_t dsp_ssat8(int32_t v) {
    return __ssat(v, 8);
}

// (a * b + 2^31) >> 32: the rounded high word of the product (SMMULR).
static TFLM_ALWAYS_INLINE int32_t dsp_smmulr(int32_t a, int32_t b) {
    int32_t r;
    __asm__ ("smmulr %0, %1, %2" : "=r" (r) : "r" (a), "r" (b));
    return r;
}

// (a * 2^32 + x * y + 2^31) >> 32, exactly a + the rounded high product
// (SMMLAR).
static TFLM_ALWAYS_INLINE int32_t dsp_smmlar(int32_t x, int32_t y, int32_t a) {
    int32_t r;
    __asm__ ("smmlar %0, %1, %2, %3" : "=r" (r) : "r" (x), "r" (y), "r" (a));
    return r;
}

// *p as a word (unaligned), then p += 4: one LDR with write-back (gcc
// splits it into an offset load and an add when unrolled).
static TFLM_ALWAYS_INLINE uint32_t dsp_load32_inc(const int8_t **p) {
    uint32_t v;
    __asm__ ("ldr %0, [%1], #4" : "=r" (v), "+r" (*p) : : "memory");
    return v;
}

// The two words at *p (8-byte aligned), then p += 4 halfwords: one LDRD
// with write-back, where gcc would make two LDR and an ADD.
static TFLM_ALWAYS_INLINE void dsp_load64_inc(const int16_t **p, uint32_t *lo, uint32_t *hi) {
    __asm__ ("ldrd %0, %1, [%2], #8" : "=r" (*lo), "=r" (*hi), "+r" (*p) : : "memory");
}

// The inner loop of the DSP FULLY_CONNECTED kernel (fc_dsp.c): depth & ~3
// (depth >= 4) of 4 units, acc[k] += sum (x[i] + off) *
// w_k[i] wrapping, where w_0 = *w0, w_1 = *w1, w_2 = *w0 + d2, w_3 = *w1 +
// d2. Per 4 depth: the input bytes 0, 2 and 1, 3 plus the offset as 16-bit
// pairs (SXTAB16; off2 holds the offset in both halves), the same split of
// each unit's weights (SXTB16), two SMLAD per unit. Written out in assembly:
// gcc's allocation of the C form spilled pointers in the loop. Advances x,
// w0 and w1 past the depth done.
static TFLM_ALWAYS_INLINE void dsp_fc_mac4(const int8_t **x, const int8_t **w0, const int8_t **w1, int32_t d2,
    uint32_t off2, int32_t depth, uint32_t *a0, uint32_t *a1, uint32_t *a2, uint32_t *a3) {
    // 8 depth per iteration; with depth & 4 the first iteration enters
    // halfway (n < 0 says so).
    int32_t n = (depth & 4) ? -(depth >> 3) - 1 : depth >> 3;
    uint32_t xl, xh, wv, wt;
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
        : [x] "+r" (*x), [w0] "+r" (*w0), [w1] "+r" (*w1), [n] "+r" (n),
        [a0] "+r" (*a0), [a1] "+r" (*a1), [a2] "+r" (*a2), [a3] "+r" (*a3),
        [xl] "=&r" (xl), [xh] "=&r" (xh), [wv] "=&r" (wv), [wt] "=&r" (wt)
        : [d2] "r" (d2), [off] "r" (off2)
        : "cc", "memory");
    #undef FC_DSP_STEP
}

#endif // TFLM_DSP_EMULATED
#endif // TFLM_CPU_DSP
#endif // TFLM_CORE_KERNELS_OPT_DSP_H
