// Integer quantization arithmetic, matching TFLite's reference kernels bit
// for bit (the double-rounding variant that TFLM builds by default).
#ifndef TFLM_CORE_QUANT_H
#define TFLM_CORE_QUANT_H

#include <stdint.h>
#include <stdbool.h>
#include "../tflm.h"

// real_multiplier ~= multiplier * 2^(shift - 31), multiplier in [2^30, 2^31).
void tflm_quantize_multiplier(double real_multiplier, int32_t *multiplier, int *shift);

// sqrt(s) of a positive finite float, correctly rounded to double (what
// TFLM's std::sqrt on the widened value gives), without a double math
// library: the ports built for single-precision floats have none.
double tflm_sqrt_to_double(float s);

static inline int32_t tflm_sat_round_doubling_high_mul(int32_t a, int32_t b) {
    if (a == b && a == INT32_MIN) {
        return INT32_MAX;
    }
    int64_t ab = (int64_t)a * (int64_t)b;
    int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    // Division, not a shift: rounds toward zero like gemmlowp.
    return (int32_t)((ab + nudge) / (1ll << 31));
}

static inline int32_t tflm_rounding_divide_by_pot(int32_t x, int exponent) {
    int32_t mask = (int32_t)((1ll << exponent) - 1);
    int32_t remainder = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

static inline int32_t tflm_mul_by_quant_mul(int32_t x, int32_t multiplier, int shift) {
    int left = shift > 0 ? shift : 0;
    int right = shift > 0 ? 0 : -shift;
    return tflm_rounding_divide_by_pot(
        tflm_sat_round_doubling_high_mul((int32_t)((uint32_t)x << left), multiplier), right);
}

// tflm_mul_by_quant_mul for multipliers other than INT32_MIN (prepare never
// makes one: tflm_quantize_multiplier returns 0 or +-[2^30, 2^31)), in fewer
// instructions for the optimized kernels: the doubling high multiply rounds
// half away from zero, which for a 64-bit product p is exactly
// (p + 2^30) >> 31 (arithmetic shift) on both signs, so it needs no sign
// test; the rounding divide stays in 32 bits (a variable 64-bit shift costs
// a branch on Cortex-M).
static inline int32_t tflm_requant(int32_t x, int32_t multiplier, int shift) {
    int left = shift > 0 ? shift : 0;
    int right = shift > 0 ? 0 : -shift;
    int64_t p = (int64_t)(int32_t)((uint32_t)x << left) * multiplier;
    int32_t hm = (int32_t)((p + (1ll << 30)) >> 31);
    int32_t mask = (int32_t)((1u << right) - 1);
    int32_t threshold = (mask >> 1) + (hm < 0);
    return (hm >> right) + ((hm & mask) > threshold);
}

// A multiplier in [0, 2^31) reduced to 16 bits with rounding, saturating at
// INT16_MAX (TFLite's DownScaleInt32ToInt16Multiplier).
static inline int32_t tflm_multiplier_to_q15(int32_t multiplier) {
    return multiplier < 0x7fff0000 ? (multiplier + (1 << 15)) >> 16 : 0x7fff;
}

// The int64-accumulator form TFLite uses for int16 activations: the
// multiplier is first reduced to 16 bits, then one rounding shift.
static inline int32_t tflm_mul_by_quant_mul_64(int64_t x, int32_t multiplier, int shift) {
    // tflm_multiplier_to_q15 written out: the call compiles the convolutions
    // (which inline this) slightly differently.
    int32_t reduced = multiplier < 0x7fff0000 ? (multiplier + (1 << 15)) >> 16 : 0x7fff;
    // TFLite allows shift < 8; clamping keeps the shifts defined otherwise.
    int total_shift = shift > 14 ? 1 : 15 - shift;
    // Wraps instead of overflowing on crafted inputs (unsigned arithmetic).
    int64_t acc = (int64_t)((uint64_t)x * (uint64_t)(int64_t)reduced + ((uint64_t)1 << (total_shift - 1)));
    return (int32_t)(acc >> total_shift);
}

// v limited to [lo, hi]. For quantized outputs the bounds are "act_min" and
// "act_max": the fused activation's range in output units, the output zero
// point already added (what tflm_activation_range_quant returns).
static inline int32_t tflm_clamp_i32(int32_t v, int32_t lo, int32_t hi) {
    return v < lo ? lo : v > hi ? hi : v;
}
static inline int32_t tflm_clamp_i64(int64_t v, int32_t lo, int32_t hi) {
    return v < lo ? lo : v > hi ? hi : (int32_t)v;
}
// tflm_clamp_i32 stored to int8 (lo <= hi, within the type): each arm is
// narrowed, which in the Cortex-M3 int8 ADD row leaves GCC a register more
// than the clamp followed by a cast (a spill less per element).
static inline int8_t tflm_clamp_to_i8(int32_t v, int32_t lo, int32_t hi) {
    return (int8_t)(v < lo ? lo : v > hi ? hi : v);
}
// Float form: compares exactly as TFLM's ActivationFunctionWithMinMax
// (a NaN passes through unchanged).
static inline float tflm_clamp_f32(float v, float lo, float hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

// float -> int32 truncating as the oracle's x86 host does (cvttss2si): NaN
// and values out of the int32 range give INT32_MIN, where C leaves the
// conversion undefined.
static inline int32_t tflm_f32_to_i32_x86(float v) {
    return (v >= -2147483648.0f && v < 2147483648.0f) ? (int32_t)v : INT32_MIN;
}

// Range of an integer element type (int8, uint8, int16, int32; int16's for
// any other): where a requantized value is clamped when no fused activation
// narrows it.
static inline void tflm_type_range(int type, int32_t *min, int32_t *max) {
    int64_t lo, hi;
    if (type == TFLM_INT64 || !tflm_type_limits(type, &lo, &hi)) {
        lo = INT16_MIN;
        hi = INT16_MAX;
    }
    *min = (int32_t)lo;
    *max = (int32_t)hi;
}

// Output range of a fused activation on a quantized output tensor; fails
// (TFLM_ERR_UNSUPPORTED) on activations that have no integer form.
tflm_status_t tflm_activation_range_quant(int activation, const tflm_tensor_t *out,
    int32_t *act_min, int32_t *act_max);
bool tflm_activation_range_float(int activation, float *act_min, float *act_max);

// round() half away from zero, as TfLiteRound.
float tflm_roundf(float x);

// TFLM's QuantizeMultiplierSmallerThanOneExp: `real` as a multiplier and a
// shift <= 0. TFLM aborts unless 0 < real < 1, so any other factor fails
// (NotImplementedError naming `what`).
tflm_status_t tflm_multiplier_below_one(tflm_interp_t *ip, const tflm_node_t *node, double real,
    int32_t *mult, int32_t *shift, const char *what);
// A quantized tensor's zero point lies in its type's range (ValueError) and
// its quantization is per-tensor (NotImplementedError).
tflm_status_t tflm_check_zero_point(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *t,
    const char *what);

// 1 / sqrt(input) as a multiplier and shift for tflm_mul_by_quant_mul
// (TFLite's GetInvSqrtQuantizedMultiplierExp with reverse_shift = -1:
// gemmlowp's 5 Newton-Raphson steps in Q3.28, times sqrt(2)/2). input <= 1
// gives INT32_MAX and 0.
void tflm_inv_sqrt_multiplier(int32_t input, int32_t *mult, int *shift);

// 64-bit division (d != 0), truncating as C's: built from 32-bit operations,
// because libgcc's 64-bit division brings unwind tables (.ARM.exidx) that
// some ports' linker scripts do not place. For load-time arithmetic.
uint64_t tflm_div_u64(uint64_t n, uint64_t d);
int64_t tflm_div_i64(int64_t a, int64_t b);
static inline int64_t tflm_mod_i64(int64_t a, int64_t b) {
    return a - tflm_div_i64(a, b) * b;
}

#endif // TFLM_CORE_QUANT_H
