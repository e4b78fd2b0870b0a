// Fixed-point helpers for the integer activations and softmax, following the
// gemmlowp conventions TFLite's integer kernels are written against.
//
// A value "Qm" here is an int32 holding a real number x as round(x * 2^(31-m))
// (m integer bits, 31 - m fractional bits). Q0 covers [-1, 1), its "one" is
// INT32_MAX. Products of two fixed-point values use the saturating rounding
// doubling high multiply (Qa * Qb -> Q(a+b)). Additions wrap (they never
// overflow for the arguments these routines see, and wrapping keeps them
// defined when a model feeds them something odd).
#ifndef TFLM_CORE_KERNELS_FIXEDPOINT_H
#define TFLM_CORE_KERNELS_FIXEDPOINT_H

#include <stdint.h>
#include "quant.h"

static inline int32_t fxp_add(int32_t a, int32_t b) {
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

static inline int32_t fxp_sub(int32_t a, int32_t b) {
    return (int32_t)((uint32_t)a - (uint32_t)b);
}

static inline int32_t fxp_neg(int32_t a) {
    return (int32_t)(0u - (uint32_t)a);
}

static inline int32_t fxp_mul(int32_t a, int32_t b) {
    return tflm_sat_round_doubling_high_mul(a, b);
}

// x * 2^e: a saturating left shift for e > 0, a rounding (half away from
// zero) right shift for e < 0. |e| <= 31.
static inline int32_t fxp_mul_pot(int32_t x, int e) {
    if (e == 0) {
        return x;
    }
    if (e < 0) {
        return tflm_rounding_divide_by_pot(x, -e);
    }
    const int32_t threshold = (int32_t)((1u << (31 - e)) - 1u);
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return (int32_t)((uint32_t)x << e);
}

// Count of leading zero bits of a 32-bit value (32 for 0).
static inline int fxp_clz32(uint32_t x) {
    if (x == 0) {
        return 32;
    }
    #if defined(__GNUC__)
    return __builtin_clz(x);
    #else
    int n = 0;
    while (!(x & 0x80000000u)) {
        x <<= 1;
        n++;
    }
    return n;
    #endif
}

// exp(a) for a in [-1/4, 0), a and the result in Q0: the Taylor expansion
// around -1/8 up to the fourth-order term.
static inline int32_t fxp_exp_quarter(int32_t a) {
    const int32_t exp_minus_eighth = 1895147668; // exp(-1/8) in Q0
    const int32_t one_third = 715827883;         // 1/3 in Q0
    const int32_t x = fxp_add(a, 1 << 28);       // a + 1/8
    const int32_t x2 = fxp_mul(x, x);
    const int32_t x3 = fxp_mul(x2, x);
    const int32_t x4 = fxp_mul(x2, x2);
    const int32_t x4_over_4 = fxp_mul_pot(x4, -2);
    // x^4/24 + x^3/6 + x^2/2
    const int32_t poly = fxp_mul_pot(fxp_add(fxp_mul(fxp_add(x4_over_4, x3), one_third), x2), -1);
    return fxp_add(exp_minus_eighth, fxp_mul(exp_minus_eighth, fxp_add(x, poly)));
}

// exp(a) for a <= 0 given in Q(int_bits) (int_bits <= 29); result in Q0. The
// input splits into a part in [-1/4, 0) handled by the polynomial, and
// multiples of 1/4, 1/2, 1, ..., 16 applied as products with exp(-2^k).
static inline int32_t fxp_exp_on_negative_values(int32_t a, int int_bits) {
    static const int32_t exp_minus_pot[7] = {
        1672461947, // exp(-1/4) in Q0
        1302514674, // exp(-1/2)
        790015084,  // exp(-1)
        290630308,  // exp(-2)
        39332535,   // exp(-4)
        720401,     // exp(-8)
        242,        // exp(-16)
    };
    const int frac_bits = 31 - int_bits;
    const int32_t one_quarter = (int32_t)1 << (frac_bits - 2);
    const int32_t mask = one_quarter - 1;
    const int32_t a_mod_quarter_minus_quarter = fxp_sub(a & mask, one_quarter);
    int32_t result = fxp_exp_quarter(fxp_mul_pot(a_mod_quarter_minus_quarter, int_bits));
    const int32_t remainder = fxp_sub(a_mod_quarter_minus_quarter, a);
    for (int k = 0; k < 7; k++) {
        const int exponent = k - 2;
        if (int_bits > exponent && (remainder & ((int32_t)1 << (frac_bits + exponent)))) {
            result = fxp_mul(result, exp_minus_pot[k]);
        }
    }
    if (int_bits > 5 && a < -((int32_t)1 << (36 - int_bits))) { // a < -32
        result = 0;
    }
    if (a == 0) {
        result = INT32_MAX;
    }
    return result;
}

// Saturating a + b and a - b.
static inline int32_t fxp_add_sat(int32_t a, int32_t b) {
    const int64_t r = (int64_t)a + b;
    return r > INT32_MAX ? INT32_MAX : r < INT32_MIN ? INT32_MIN : (int32_t)r;
}

static inline int32_t fxp_sub_sat(int32_t a, int32_t b) {
    const int64_t r = (int64_t)a - b;
    return r > INT32_MAX ? INT32_MAX : r < INT32_MIN ? INT32_MIN : (int32_t)r;
}

// (a + b) / 2, rounded half away from zero.
static inline int32_t fxp_rounding_half_sum(int32_t a, int32_t b) {
    const int64_t sum = (int64_t)a + b;
    return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

// Newton-Raphson iterations for 1 / (1 + a), a in [0, 1) in Q0. Works on the
// half denominator (1 + a) / 2 with the estimate x in Q2; returns x (Q2).
static inline int32_t fxp_nr_reciprocal_q2(int32_t a) {
    const int64_t sum = (int64_t)a + INT32_MAX;
    const int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
    const int32_t c48_over_17 = 1515870810;      // 48/17 in Q2
    const int32_t c_neg32_over_17 = -1010580540; // -32/17 in Q2
    int32_t x = fxp_add(c48_over_17, fxp_mul(half_denominator, c_neg32_over_17));
    for (int i = 0; i < 3; i++) {
        const int32_t half_denominator_times_x = fxp_mul(half_denominator, x);
        const int32_t one_minus = fxp_sub(1 << 29, half_denominator_times_x);
        x = fxp_add(x, fxp_mul_pot(fxp_mul(x, one_minus), 2));
    }
    return x;
}

// 1 / (1 + a) for a in [0, 1), Q0 in and out.
static inline int32_t fxp_one_over_one_plus_x(int32_t a) {
    return fxp_mul_pot(fxp_nr_reciprocal_q2(a), 1);
}

// (1 - a) / (1 + a) for a in [0, 1), Q0 in and out.
static inline int32_t fxp_one_minus_x_over_one_plus_x(int32_t a) {
    return fxp_mul_pot(fxp_sub(fxp_nr_reciprocal_q2(a), 1 << 29), 2);
}

// logistic(a) = 1 / (1 + exp(-a)), a in Q(int_bits), result in Q0.
static inline int32_t fxp_logistic(int32_t a, int int_bits) {
    if (a == 0) {
        return 1 << 30;
    }
    const int32_t abs_a = a > 0 ? a : fxp_neg(a);
    const int32_t pos = fxp_one_over_one_plus_x(fxp_exp_on_negative_values(fxp_neg(abs_a), int_bits));
    return a > 0 ? pos : fxp_sub(INT32_MAX, pos);
}

// tanh(a) = (1 - exp(-2|a|)) / (1 + exp(-2|a|)) with a's sign, a in
// Q(int_bits), result in Q0.
static inline int32_t fxp_tanh(int32_t a, int int_bits) {
    if (a == 0) {
        return 0;
    }
    const int32_t neg_abs = a < 0 ? a : fxp_neg(a);
    // -2|a| is neg_abs read with one more integer bit.
    const int32_t t = fxp_one_minus_x_over_one_plus_x(fxp_exp_on_negative_values(neg_abs, int_bits + 1));
    return a < 0 ? fxp_neg(t) : t;
}

// 1/x for x > 0 in Q(int_bits): returns the reciprocal's mantissa in Q0 and
// in *bits_over_unit how many bits x has above 1.0.
static inline int32_t fxp_reciprocal(int32_t x, int int_bits, int *bits_over_unit) {
    const int headroom_plus_one = fxp_clz32((uint32_t)x);
    *bits_over_unit = int_bits - headroom_plus_one;
    const int32_t shifted_minus_one = (int32_t)(((uint32_t)x << headroom_plus_one) - (1u << 31));
    return fxp_one_over_one_plus_x(shifted_minus_one);
}

// log(x) for x given in Q(in_bits), x >= 1 (down to 1 / the largest value
// in practice), result in Q(out_bits), computed in Q(out_bits + 1): x is
// normalized two ways, to [1/sqrt2, 1) and to [1/2, 1/sqrt2), with the
// exponents as z_pow_2 +- 1/4 (the larger kept, its mantissa r the smaller);
// then log(r) comes from a rational approximation around 2^(-1/4).
static inline int32_t fxp_log_x_ge_1(int32_t x, int in_bits, int out_bits) {
    const int accum_bits = out_bits + 1;
    const int32_t log_2 = 1488522236;          // log(2) in Q0
    const int32_t sqrt_sqrt_half = 1805811301; // 2^(-1/4)
    const int32_t sqrt_half = 1518500250;      // 2^(-1/2)
    const int32_t alpha_n = 117049297;         // 11/240 * 2^(1/4)
    const int32_t alpha_d = 127690142;         // 1/20 * 2^(1/4)
    const int32_t alpha_i = 1057819769;        // 2 / 2^(1/4) - 2^(1/4)
    const int32_t alpha_f = 638450708;         // 1/4 * 2^(1/4)
    const int32_t quarter = tflm_rounding_divide_by_pot(1 << 29, accum_bits); // 1/4 in Q(accum_bits)
    // x read as Q0, normalized to [1/2, 1) and scaled by 1/sqrt2 (doubled
    // back: [1/sqrt2, 1)).
    const int a_headroom_plus_1 = fxp_clz32((uint32_t)x);
    const int32_t r_a = fxp_mul_pot(fxp_mul(fxp_mul_pot(x, a_headroom_plus_1 - 1), sqrt_half), 1);
    const int32_t a_pow_2_adj =
        fxp_add_sat(fxp_mul_pot(in_bits - a_headroom_plus_1, 31 - accum_bits), quarter);
    // x * 1/sqrt2 normalized: x itself shifted by that headroom.
    const int b_headroom = fxp_clz32((uint32_t)fxp_mul(x, sqrt_half)) - 1;
    const int32_t r_b = fxp_mul_pot(x, b_headroom);
    const int32_t b_pow_2_adj = fxp_sub_sat(fxp_mul_pot(in_bits - b_headroom, 31 - accum_bits), quarter);
    const int32_t r = r_a < r_b ? r_a : r_b;
    const int32_t pow_2_adj = a_pow_2_adj > b_pow_2_adj ? a_pow_2_adj : b_pow_2_adj;
    const int32_t p = fxp_rounding_half_sum(r, sqrt_sqrt_half);
    const int32_t q0 = fxp_sub(r, sqrt_sqrt_half);
    const int32_t q = fxp_add(q0, q0);
    const int32_t q_sq = fxp_mul(q, q);
    const int32_t num = fxp_add(fxp_mul(q, r), fxp_mul(fxp_mul(q, q_sq), alpha_n));
    const int32_t denom_minus_one =
        fxp_add(fxp_mul(p, fxp_add(fxp_add(alpha_i, q), fxp_mul(alpha_d, q_sq))), fxp_mul(alpha_f, q));
    const int32_t recip_denom = fxp_one_over_one_plus_x(denom_minus_one);
    const int32_t num_scaled = tflm_rounding_divide_by_pot(num, accum_bits);
    const int32_t log_accum = fxp_add(fxp_mul(pow_2_adj, log_2), fxp_mul(num_scaled, recip_denom));
    return fxp_mul_pot(log_accum, accum_bits - out_bits);
}

// 16-bit forms (Q0.15 values in int16), used by HARD_SWISH.

// Saturating rounding doubling high multiply on int16 values.
static inline int16_t fxp16_mul(int16_t a, int16_t b) {
    if (a == b && a == INT16_MIN) {
        return INT16_MAX;
    }
    const int32_t ab = (int32_t)a * (int32_t)b;
    const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
    return (int16_t)((ab + nudge) / (1 << 15));
}

// As fxp16_mul but truncating toward zero instead of rounding.
static inline int16_t fxp16_mul_trunc(int16_t a, int16_t b) {
    if (a == b && a == INT16_MIN) {
        return INT16_MAX;
    }
    return (int16_t)(((int32_t)a * (int32_t)b) / (1 << 15));
}

// Rounding divide by 2^e (0 <= e <= 31) of an int16 value, with the mask and
// threshold kept in 16 bits as the reference does (it matters for e >= 16).
static inline int16_t fxp16_rounding_divide_by_pot(int16_t x, int e) {
    const int16_t mask = (int16_t)(uint16_t)((1ull << e) - 1u);
    const int16_t remainder = (int16_t)(x & mask);
    const int16_t threshold = (int16_t)((mask >> 1) + (x < 0 ? 1 : 0));
    return (int16_t)((x >> e) + (remainder > threshold ? 1 : 0));
}

// Saturating left shift of an int16 value (amount >= 0).
static inline int16_t fxp16_shl_sat(int16_t v, int amount) {
    // Any shift past 40 saturates every nonzero value just the same.
    const int64_t r = (int64_t)v * ((int64_t)1 << (amount > 40 ? 40 : amount));
    return (int16_t)(r < -32768 ? -32768 : r > 32767 ? 32767 : r);
}

#endif // TFLM_CORE_KERNELS_FIXEDPOINT_H
