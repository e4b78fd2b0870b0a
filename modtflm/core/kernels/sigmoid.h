// The sigmoid and tanh of TFLM's LOGISTIC and TANH kernels, shared by
// activations.c and the LSTM (lstm.c), which calls the same functions for
// its gates: float with TFLM's cut-offs, and int16 by linear interpolation in
// TFLM's sigmoid table (sigmoid16_table.c, measured from the oracle).
#ifndef TFLM_CORE_KERNELS_SIGMOID_H
#define TFLM_CORE_KERNELS_SIGMOID_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include "../support/quant.h"
#include "../support/elements.h"

// Entry k is close to sigmoid(k / 24) in units of 2^-16.
extern const uint16_t tflm_sigmoid16_table[256];

// log2(x) rounded to an integer, and whether x is within 1e-3 (in log2) of
// that power of two: TFLM's CheckedLog2, in float as there.
static inline bool tflm_checked_log2(float x, int *log2_rounded) {
    const float l = logf(x) * (1.0f / logf(2.0f));
    const float r = tflm_roundf(l);
    *log2_rounded = (int)r;
    return fabsf(l - r) < 1e-3f;
}

// TFLM's float logistic: beyond its cut-offs the result is 1 or exp(v).
static inline float tflm_logistic_f32(float v) {
    if (v > 16.619047164916992188f) {
        return 1.0f;
    }
    return v < -9.0f ? expf(v) : 1.0f / (1.0f + expf(-v));
}

// One int16 LOGISTIC (tanh false) or TANH result, output scale 2^-15. The
// input is first rescaled to units of 1/12288 (so that +-2^17 spans +-10.7,
// the table's range): (x * mult + round) >> shift, with |x * mult| <= 2^31
// (mult <= 2^16) and round = 2^(shift - 1) or 0 for shift 0. The table's
// entry k is about sigmoid(k / 24) in units of 2^-16: LOGISTIC steps every
// 2^9 units, TANH, read as 2 sigmoid(2x) - 1, every 2^8.
TFLM_INLINE_LOOP int16_t tflm_sigmoid16(int32_t x, int32_t mult, int shift, int32_t round, const bool tanh) {
    const int bits = tanh ? 8 : 9;
    const int32_t v = (x * mult + round) >> shift;
    const uint32_t a = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
    const uint32_t k = a >> bits;
    uint32_t r;
    if (k >= 255) {
        r = tanh ? 0xffffu << 8 : 0x7fffu << 10;
    } else {
        // Unsigned, as TFLM: a (never seen) decreasing step wraps around and
        // back.
        const uint32_t lo = tflm_sigmoid16_table[k], hi = tflm_sigmoid16_table[k + 1];
        r = (lo << bits) + (a & ((1u << bits) - 1u)) * (hi - lo);
    }
    if (tanh) {
        // r < 2^24: 2 r - 1 in Q8.23 back to Q0.15, rounded.
        const int32_t t = (int32_t)r;
        return (int16_t)((v >= 0 ? t - (1 << 23) + (1 << 7) : (1 << 23) + (1 << 7) - 1 - t) >> 8);
    }
    // r < 2^25; 1 - r for negative inputs; Q16.9 to Q0.15, rounded.
    r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1u;
    return (int16_t)(r >> 10);
}

#endif // TFLM_CORE_KERNELS_SIGMOID_H
