#include <float.h>
#include <math.h>
#include <string.h>
#include "quant.h"
#include "fixedpoint.h"
#include "../kernel.h"

float tflm_roundf(float x) {
    // Half away from zero, like TfLiteRound. Adding 0.5f first would round
    // 0.49999997f up, so compare the exact fractional part instead.
    float a = x < 0 ? -x : x;
    if (!(a < 8388608.0f)) {
        return x; // integral already, or NaN/Inf
    }
    float r = (float)(int32_t)a;
    if (a - r >= 0.5f) {
        r += 1.0f;
    }
    return x < 0 ? -r : r;
}

// frexp() without libm: ports built for single-precision floats (the qemu and
// many MCU ports) ship no double math library.
static double frexp_d(double x, int *exp) {
    uint64_t bits;
    memcpy(&bits, &x, 8);
    int e = (int)((bits >> 52) & 0x7ff);
    int bias = 0;
    if (e == 0) {
        if ((bits << 1) == 0) {
            *exp = 0;
            return x;
        }
        x *= (double)(1ll << 54); // brings a subnormal into range
        memcpy(&bits, &x, 8);
        e = (int)((bits >> 52) & 0x7ff);
        bias = 54;
    }
    if (e == 0x7ff) {
        *exp = 0;
        return x;
    }
    *exp = e - 1022 - bias;
    bits = (bits & ~(0x7ffull << 52)) | (1022ull << 52);
    memcpy(&x, &bits, 8);
    return x;
}

// Bit by bit on the integer m * 4^k, where s = m * 2^e (e even): the
// 54-bit root, rounded to 53 bits (never a tie: sqrt(m) is an integer or
// irrational).
double tflm_sqrt_to_double(float s) {
    uint32_t bits;
    memcpy(&bits, &s, 4);
    const int field = (int)(bits >> 23);
    uint64_t m = bits & 0x7fffff;
    int e = -149; // subnormal
    if (field != 0) {
        m |= 0x800000;
        e = field - 150;
    }
    if (e & 1) {
        m <<= 1;
        e -= 1;
    }
    int len = 0;
    while ((m >> len) != 0) {
        len++;
    }
    // N = m * 4^k in [2^106, 2^108): a root in [2^53, 2^54), 54 pairs of bits.
    const int k = (108 - len) / 2;
    uint64_t root = 0, rem = 0;
    for (int i = 53; i >= 0; i--) {
        const uint64_t pair = i >= k ? (m >> (2 * (i - k))) & 3 : 0;
        rem = (rem << 2) | pair;
        root <<= 1;
        if (rem >= 2 * root + 1) {
            rem -= 2 * root + 1;
            root |= 1;
        }
    }
    // sqrt(s) = root * 2^(e/2 - k); 2^(e/2 - k + 1) is within the double range.
    const uint64_t pow_bits = (uint64_t)(1023 + e / 2 - k + 1) << 52;
    double scale;
    memcpy(&scale, &pow_bits, 8);
    return (double)((root >> 1) + (root & 1)) * scale;
}

void tflm_quantize_multiplier(double real_multiplier, int32_t *multiplier, int *shift) {
    if (real_multiplier == 0 || real_multiplier != real_multiplier) {
        *multiplier = 0; // zero, or NaN from a nonsensical option value
        *shift = 0;
        return;
    }
    if (real_multiplier > DBL_MAX || real_multiplier < -DBL_MAX) {
        *multiplier = real_multiplier > 0 ? INT32_MAX : -INT32_MAX;
        *shift = 30;
        return;
    }
    int exp;
    double q = frexp_d(real_multiplier, &exp);
    double scaled = q * (double)(1ll << 31);
    // Half away from zero; |scaled| < 2^31 leaves a double spare precision,
    // so adding 0.5 is exact.
    const double half = (double)0.5f; // written so: boards build with -fsingle-precision-constant
    int64_t q_fixed = scaled >= 0 ? (int64_t)(scaled + half) : -(int64_t)(half - scaled);
    if (q_fixed == (1ll << 31) || q_fixed == -(1ll << 31)) {
        q_fixed /= 2;
        exp++;
    }
    if (exp < -31) {
        exp = 0;
        q_fixed = 0;
    }
    // Only absurd scale ratios get here; saturating keeps every later shift
    // defined (TFLM would shift by more than the word size).
    if (exp > 30) {
        exp = 30;
        q_fixed = q_fixed < 0 ? -INT32_MAX : INT32_MAX;
    }
    *multiplier = (int32_t)q_fixed;
    *shift = exp;
}

static int32_t quantize_one(const tflm_tensor_t *t, float f, bool *ok) {
    float tmp = tflm_roundf(f / t->scale);
    if (!(tmp >= -2147483648.0f && tmp <= 2147483520.0f)) {
        *ok = false;
        return 0;
    }
    return t->zero_point + (int32_t)tmp;
}

tflm_status_t tflm_activation_range_quant(int activation, const tflm_tensor_t *out,
    int32_t *act_min, int32_t *act_max) {
    if (out->type != TFLM_INT8 && out->type != TFLM_UINT8 && out->type != TFLM_INT16) {
        return TFLM_ERR_UNSUPPORTED;
    }
    // The activation's bounds, quantized (output zero point included), within
    // the type's range.
    int32_t type_min, type_max;
    tflm_type_range(out->type, &type_min, &type_max);
    bool ok = true;
    int32_t lo = type_min, hi = type_max;
    switch (activation) {
        case TFLM_ACT_NONE:
            break;
        case TFLM_ACT_RELU:
            lo = quantize_one(out, 0.0f, &ok);
            break;
        case TFLM_ACT_RELU6:
            lo = quantize_one(out, 0.0f, &ok);
            hi = quantize_one(out, 6.0f, &ok);
            break;
        case TFLM_ACT_RELU_N1_TO_1:
            lo = quantize_one(out, -1.0f, &ok);
            hi = quantize_one(out, 1.0f, &ok);
            break;
        default:
            return TFLM_ERR_UNSUPPORTED;
    }
    if (!ok) {
        return TFLM_ERR_MODEL;
    }
    *act_min = lo > type_min ? lo : type_min;
    *act_max = hi < type_max ? hi : type_max;
    return TFLM_OK;
}

bool tflm_activation_range_float(int activation, float *act_min, float *act_max) {
    // TFLite clamps even "no activation" to the finite float range.
    *act_min = -FLT_MAX;
    *act_max = FLT_MAX;
    switch (activation) {
        case TFLM_ACT_NONE:
            return true;
        case TFLM_ACT_RELU:
            *act_min = 0.0f;
            return true;
        case TFLM_ACT_RELU6:
            *act_min = 0.0f;
            *act_max = 6.0f;
            return true;
        case TFLM_ACT_RELU_N1_TO_1:
            *act_min = -1.0f;
            *act_max = 1.0f;
            return true;
        default:
            return false;
    }
}

tflm_status_t tflm_multiplier_below_one(tflm_interp_t *ip, const tflm_node_t *node, double real,
    int32_t *mult, int32_t *shift, const char *what) {
    int s = 0;
    if (real > 0 && real < 1) {
        tflm_quantize_multiplier(real, mult, &s);
    }
    // A factor just below 1 can round up to 2^31 and come out with shift 1:
    // TFLM aborts on that too.
    if (!(real > 0 && real < 1) || s > 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "%s rescale factor is not below 1", what);
    }
    *shift = s;
    return TFLM_OK;
}

tflm_status_t tflm_check_zero_point(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *t,
    const char *what) {
    int32_t type_min, type_max;
    tflm_type_range(t->type, &type_min, &type_max);
    if (t->zero_point < type_min || t->zero_point > type_max) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s zero point %d out of range", what, (int)t->zero_point);
    }
    if (t->flags & TFLM_T_PER_CHANNEL) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "per-channel quantized %s", what);
    }
    return TFLM_OK;
}

void tflm_inv_sqrt_multiplier(int32_t input, int32_t *mult, int *shift) {
    if (input <= 1) {
        *mult = INT32_MAX;
        *shift = 0;
        return;
    }
    int sh = 11;
    while (input >= (1 << 29)) {
        input /= 4;
        ++sh;
    }
    int pairs = (fxp_clz32((uint32_t)input) - 1) / 2 - 1;
    sh -= pairs;
    input <<= 2 * pairs;
    // Fixed point with 3 integer bits: raw = value * 2^28.
    const int32_t half_input = tflm_rounding_divide_by_pot(input >> 1, 1);
    const int32_t half_three = (1 << 28) + (1 << 27);
    int32_t x = 1 << 28;
    for (int i = 0; i < 5; i++) {
        // x^3 has 9 integer bits; rescale to 3.
        int32_t x3 = fxp_mul_pot(fxp_mul(fxp_mul(x, x), x), 6);
        // Both products have 6 integer bits; their difference wraps as
        // gemmlowp's does, then rescales to 3.
        x = fxp_mul_pot(fxp_sub(fxp_mul(half_three, x), fxp_mul(half_input, x3)), 3);
    }
    x = fxp_mul(x, 1518500250); // * sqrt(2)/2
    if (sh < 0) {
        x = (int32_t)((uint32_t)x << -sh);
        sh = 0;
    }
    *mult = x;
    *shift = -sh;
}

uint64_t tflm_div_u64(uint64_t n, uint64_t d) {
    if ((n >> 32) == 0 && (d >> 32) == 0) {
        return d ? (uint32_t)n / (uint32_t)d : 0;
    }
    if (d == 0) {
        return 0; // never asked; no endless loop either
    }
    // Shift and subtract: d aligned below n's top bit, then one quotient bit
    // per step.
    int s = 0;
    while (d < n && !(d >> 63)) {
        d <<= 1;
        s++;
    }
    uint64_t q = 0;
    for (; s >= 0; s--) {
        q <<= 1;
        if (n >= d) {
            n -= d;
            q |= 1;
        }
        d >>= 1;
    }
    return q;
}

int64_t tflm_div_i64(int64_t a, int64_t b) {
    const uint64_t ua = a < 0 ? 0 - (uint64_t)a : (uint64_t)a;
    const uint64_t ub = b < 0 ? 0 - (uint64_t)b : (uint64_t)b;
    const uint64_t q = tflm_div_u64(ua, ub);
    return (a < 0) != (b < 0) ? -(int64_t)q : (int64_t)q;
}
