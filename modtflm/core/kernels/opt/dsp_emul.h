// Plain-C definitions of the DSP instructions in dsp.h, for a host build
// of the DSP kernels (TFLM_EMULATE_DSP): every function returns what the
// instruction computes, bit for bit, so the sanitizer and fuzz builds run
// the *_dsp.c kernels as the Cortex-M4 does. Only included by dsp.h.
#ifndef TFLM_CORE_KERNELS_OPT_DSP_EMUL_H
#define TFLM_CORE_KERNELS_OPT_DSP_EMUL_H

#include <stdint.h>
#include <string.h>

// Halfword h (0: bottom, 1: top) of x, signed.
static inline int32_t dsp_half(uint32_t x, int h) {
    return (int16_t)(uint16_t)(x >> (16 * h));
}

// Two halfwords into a word (each taken modulo 2^16).
static inline uint32_t dsp_pack(int32_t lo, int32_t hi) {
    return ((uint32_t)lo & 0xffffu) | ((uint32_t)hi << 16);
}

static inline uint32_t dsp_sxtb16(uint32_t x) {
    return dsp_pack((int8_t)(uint8_t)x, (int8_t)(uint8_t)(x >> 16));
}

static inline uint32_t dsp_sxtb16_r8(uint32_t x) {
    return dsp_sxtb16(x >> 8);
}

static inline uint32_t dsp_sadd16(uint32_t a, uint32_t b) {
    return dsp_pack(dsp_half(a, 0) + dsp_half(b, 0), dsp_half(a, 1) + dsp_half(b, 1));
}

static inline uint32_t dsp_sxtab16(uint32_t a, uint32_t x) {
    return dsp_sadd16(a, dsp_sxtb16(x));
}

static inline uint32_t dsp_sxtab16_r8(uint32_t a, uint32_t x) {
    return dsp_sadd16(a, dsp_sxtb16_r8(x));
}

// The halfword products fit int32; their sum and the accumulation wrap
// (unsigned arithmetic), as SMLAD's result.
static inline uint32_t dsp_smlad(uint32_t x, uint32_t y, uint32_t acc) {
    return acc + (uint32_t)(dsp_half(x, 0) * dsp_half(y, 0)) + (uint32_t)(dsp_half(x, 1) * dsp_half(y, 1));
}

static inline uint32_t dsp_smlabb(uint32_t x, int32_t y, uint32_t acc) {
    return acc + (uint32_t)(dsp_half(x, 0) * dsp_half((uint32_t)y, 0));
}

static inline uint32_t dsp_smlatb(uint32_t x, int32_t y, uint32_t acc) {
    return acc + (uint32_t)(dsp_half(x, 1) * dsp_half((uint32_t)y, 0));
}

static inline uint32_t dsp_smlatt(uint32_t x, uint32_t y, uint32_t acc) {
    return acc + (uint32_t)(dsp_half(x, 1) * dsp_half(y, 1));
}

static inline int32_t dsp_qadd(int32_t a, int32_t b) {
    int64_t s = (int64_t)a + b;
    return s > INT32_MAX ? INT32_MAX : s < INT32_MIN ? INT32_MIN : (int32_t)s;
}

static inline int32_t dsp_ssat8(int32_t v) {
    return v < -128 ? -128 : v > 127 ? 127 : v;
}

// The 64-bit sums are taken modulo 2^64 (unsigned), as the instruction's;
// the arithmetic right shift of the signed result is then exact.
static inline int32_t dsp_smmlar(int32_t x, int32_t y, int32_t a) {
    uint64_t s = ((uint64_t)(uint32_t)a << 32) + (uint64_t)((int64_t)x * y) + 0x80000000u;
    return (int32_t)(uint32_t)(s >> 32);
}

static inline int32_t dsp_smmulr(int32_t a, int32_t b) {
    return dsp_smmlar(a, b, 0);
}

static inline uint32_t dsp_load32_inc(const int8_t **p) {
    uint32_t v;
    memcpy(&v, *p, 4);
    *p += 4;
    return v;
}

static inline void dsp_load64_inc(const int16_t **p, uint32_t *lo, uint32_t *hi) {
    memcpy(lo, *p, 4);
    memcpy(hi, *p + 2, 4);
    *p += 4;
}

// dsp.h's assembly loop, step by step in the same order.
static inline void dsp_fc_mac4(const int8_t **x, const int8_t **w0, const int8_t **w1, int32_t d2,
    uint32_t off2, int32_t depth, uint32_t *a0, uint32_t *a1, uint32_t *a2, uint32_t *a3) {
    const int8_t *w[4] = { *w0, *w1, *w0 + d2, *w1 + d2 };
    uint32_t *a[4] = { a0, a1, a2, a3 };
    for (int32_t n = depth >> 2; n > 0; n--) {
        uint32_t xv = dsp_load32_inc(x);
        uint32_t xl = dsp_sxtab16(off2, xv), xh = dsp_sxtab16_r8(off2, xv);
        for (int k = 0; k < 4; k++) {
            uint32_t wv = dsp_load32_inc(&w[k]);
            *a[k] = dsp_smlad(dsp_sxtb16(wv), xl, *a[k]);
            *a[k] = dsp_smlad(dsp_sxtb16_r8(wv), xh, *a[k]);
        }
    }
    *w0 = w[0];
    *w1 = w[1];
}

#endif // TFLM_CORE_KERNELS_OPT_DSP_EMUL_H
