// Activations: LOGISTIC, TANH, RELU, RELU6, RELU_N1_TO_1, LEAKY_RELU,
// HARD_SWISH, ELU (one input, same shape out) and PRELU (broadcast alpha).
//
// Types: float32 and int8 for all; int16 for LOGISTIC, TANH, RELU, RELU6,
// LEAKY_RELU and PRELU (int8 alpha). The integer forms follow TFLM's
// arithmetic: LOGISTIC/TANH int8 in gemmlowp fixed point (Q4 input), int16
// by interpolation in TFLM's sigmoid table (sigmoid16_table.c, measured from
// the oracle); HARD_SWISH in 16-bit fixed point; ELU through float. Every int8
// unary op depends on the input byte only, so prepare tabulates its 256
// results (in persistent memory: float and int16 ops keep no table) and eval
// is a table lookup.
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_ACTIVATIONS
#include <math.h>
#include "../kernel.h"
#include "../support/quant.h"
#include "../support/fixedpoint.h"
#include "../support/elements.h"
#include "sigmoid.h"

typedef struct {
    int32_t count;
    int32_t in_zp;
    int32_t out_zp;
    int32_t mult;  // identity / input multiplier
    int32_t shift;
    int32_t round; // int16 LOGISTIC/TANH: rounding term of the input rescaling
    int32_t mult2; // alpha multiplier (LEAKY_RELU)
    int32_t shift2;
    int32_t act_min; // output clamp, output zero point included
    int32_t act_max;
    float alpha;
    uint8_t neg_alpha;
    int8_t *lut;     // int8: result for input byte (uint8_t)x
} act_data_t;


// ---------------------------------------------------------------------------
// Shared prepare helpers

static tflm_status_t check_quant(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *t,
    const char *what) {
    tflm_status_t s = tflm_check_quantized(ip, node, t, what);
    if (s != TFLM_OK) {
        return s;
    }
    if (t->flags & TFLM_T_PER_CHANNEL) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "per-channel quantized %s", what);
    }
    return TFLM_OK;
}

// One input, one output of the same type and shape; for integer types both
// quantized per-tensor. `types` is a bit mask of the accepted tflm_type_t.
static tflm_status_t unary_prepare(tflm_interp_t *ip, tflm_node_t *node, uint32_t types) {
    tflm_status_t s;
    act_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *out = tflm_node_output(ip, node, 0);
    if (in->type >= 32 || !(types & (1u << in->type))) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input type %s", tflm_type_name(in->type));
    }
    if ((s = tflm_check_type_built(ip, node, in->type)) != TFLM_OK) {
        return s;
    }
    if (out->type != in->type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output is %s, input %s",
            tflm_type_name(out->type), tflm_type_name(in->type));
    }
    if (!tflm_same_shape(in, out)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape differs from the input's");
    }
    if (in->type != TFLM_FLOAT32) {
        if ((s = check_quant(ip, node, in, "input")) != TFLM_OK
            || (s = check_quant(ip, node, out, "output")) != TFLM_OK) {
            return s;
        }
        d->in_zp = in->zero_point;
        d->out_zp = out->zero_point;
    }
    d->count = tflm_elem_count(in);
    return TFLM_OK;
}

#define T_F32 (1u << TFLM_FLOAT32)
#define T_I8 (1u << TFLM_INT8)
#define T_I16 (1u << TFLM_INT16)

// value / scale rounded half away from zero plus the zero point, clamped to
// [lo, hi] (TFLM's FloatToQuantizedType and its activation-range rounding).
static int32_t quantize_clamped(float value, float scale, int32_t zp, int32_t lo, int32_t hi) {
    float r = tflm_roundf(value / scale) + (float)zp;
    if (!(r >= (float)lo)) { // also NaN
        return lo;
    }
    return r > (float)hi ? hi : (int32_t)r;
}

// Quantized multiplier for a real multiplier of either sign: the magnitude's
// multiplier and shift; *negative set when it was below zero.
static void quantize_signed(double m, int32_t *mult, int32_t *shift, uint8_t *negative) {
    int sh;
    *negative = m < 0;
    tflm_quantize_multiplier(m < 0 ? -m : m, mult, &sh);
    *shift = sh;
}

static void eval_lut8(const act_data_t *d, const int8_t *in, int8_t *out) {
    const int8_t *lut = d->lut;
    for (int32_t i = 0; i < d->count; i++) {
        out[i] = lut[(uint8_t)in[i]];
    }
}

// ---------------------------------------------------------------------------
// RELU, RELU_N1_TO_1 (requantize and clamp) and RELU6 (clamp in the input's
// quantization, as TFLM does)

// Multiplier input scale / output scale (the ratio taken in double, as
// TFLM's RELU, or in float, as TFLite's RELU_N1_TO_1) and the clamp of
// [real_min, real_max] quantized with the output's parameters (within the
// output type's range).
static void relu_params(act_data_t *d, const tflm_tensor_t *in, const tflm_tensor_t *out, bool float_ratio,
    float real_min, bool has_max, float real_max) {
    int shift;
    int32_t type_min, type_max;
    const double ratio = float_ratio ? (double)(in->scale / out->scale) : (double)in->scale / (double)out->scale;
    tflm_quantize_multiplier(ratio, &d->mult, &shift);
    d->shift = shift;
    tflm_type_range(out->type, &type_min, &type_max);
    d->act_min = quantize_clamped(real_min, out->scale, out->zero_point, type_min, type_max);
    d->act_max = has_max ? quantize_clamped(real_max, out->scale, out->zero_point, type_min, type_max) : type_max;
}

static int32_t relu_requant(const act_data_t *d, int32_t x) {
    return tflm_clamp_i32(d->out_zp + tflm_mul_by_quant_mul(x - d->in_zp, d->mult, d->shift), d->act_min, d->act_max);
}

static void fill_relu_lut(act_data_t *d) {
    for (int32_t x = -128; x < 128; x++) {
        d->lut[(uint8_t)x] = (int8_t)relu_requant(d, x);
    }
}

// The quantized prepares below run after unary_prepare, for int8 or int16
// inputs.

static tflm_status_t relu_prepare(tflm_interp_t *ip, const tflm_node_t *node, act_data_t *d, const tflm_tensor_t *in,
    const tflm_tensor_t *out) {
    if (in->type == TFLM_INT16 && (in->zero_point != 0 || out->zero_point != 0)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "int16 zero points must be 0");
    }
    // RELU_N1_TO_1 is int8 only.
    const bool n1 = node->builtin == TFLM_OP_RELU_N1_TO_1;
    relu_params(d, in, out, n1, n1 ? -1.0f : 0.0f, n1, 1.0f);
    if (in->type == TFLM_INT8) {
        fill_relu_lut(d);
    }
    return TFLM_OK;
}

static tflm_status_t relu6_prepare(tflm_interp_t *ip, const tflm_node_t *node, act_data_t *d, const tflm_tensor_t *in,
    const tflm_tensor_t *out) {
    // TFLM clamps to [zero, six] of the input's quantization and writes that
    // unchanged: the output's parameters do not enter.
    int32_t type_min, type_max;
    tflm_type_range(in->type, &type_min, &type_max);
    d->act_min = in->zero_point;
    d->act_max = quantize_clamped(6.0f, in->scale, in->zero_point, type_min, type_max);
    if (in->type == TFLM_INT8) {
        for (int32_t x = -128; x < 128; x++) {
            d->lut[(uint8_t)x] = (int8_t)tflm_clamp_i32(x, d->act_min, d->act_max);
        }
    }
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// LEAKY_RELU

enum { LEAKY_ALPHA = 0 };

static int32_t leaky_requant(const act_data_t *d, int32_t x) {
    const int32_t v = x - d->in_zp;
    int32_t r;
    if (v >= 0) {
        r = tflm_mul_by_quant_mul(v, d->mult, d->shift);
    } else {
        r = tflm_mul_by_quant_mul(v, d->mult2, d->shift2);
    }
    // In 64 bits: extreme multipliers may put r at the int32 limits.
    int64_t t = d->neg_alpha && v < 0 ? -(int64_t)r : (int64_t)r;
    t += d->out_zp;
    return tflm_clamp_i64(t, d->act_min, d->act_max);
}

static tflm_status_t leaky_relu_prepare(tflm_interp_t *ip, const tflm_node_t *node, act_data_t *d, const tflm_tensor_t *in,
    const tflm_tensor_t *out) {
    if (!isfinite(d->alpha)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "alpha is not a finite number");
    }
    // Both ratios are formed in double, as TFLM does (TFLite, whose outputs
    // are the golden data of TFLM's integration models, forms them in float
    // and differs by one now and then).
    const double alpha_ratio = (double)in->scale * (double)d->alpha / (double)out->scale;
    const double identity_ratio = (double)in->scale / (double)out->scale;
    quantize_signed(alpha_ratio, &d->mult2, &d->shift2, &d->neg_alpha);
    uint8_t unused;
    quantize_signed(identity_ratio, &d->mult, &d->shift, &unused);
    tflm_type_range(in->type, &d->act_min, &d->act_max);
    if (in->type == TFLM_INT8) {
        for (int32_t x = -128; x < 128; x++) {
            d->lut[(uint8_t)x] = (int8_t)leaky_requant(d, x);
        }
    }
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// LOGISTIC and TANH

static tflm_status_t sigmoid_prepare(tflm_interp_t *ip, const tflm_node_t *node, act_data_t *d, const tflm_tensor_t *in,
    const tflm_tensor_t *out) {
    // LOGISTIC's int8 output must have zero point -128; TFLM writes TANH in
    // Q7 (scale 1/128, zero point 0) whatever the output's parameters say.
    const bool is_tanh = node->builtin == TFLM_OP_TANH;
    if (!is_tanh && out->zero_point != -128) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "int8 output zero point must be -128");
    }
    // The input, less its zero point, is rescaled to Q4 (4 integer bits);
    // beyond +-radius the result saturates.
    int32_t mult, shift;
    uint8_t neg;
    quantize_signed((double)in->scale * (double)(1 << 27), &mult, &shift, &neg);
    if (shift < 0 || shift > 62) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input scale out of the supported range");
    }
    // floor(15 * 2^27 / 2^shift): the largest input magnitude below 16 in Q4
    // (>= 0, so the truncation is the floor).
    const int32_t radius = (int32_t)((double)15 * (double)(1 << 27) / (double)(1ll << shift));
    for (int32_t x = -128; x < 128; x++) {
        const int32_t v = x - d->in_zp;
        int32_t r;
        if (v <= -radius) {
            r = -128;
        } else if (v >= radius) {
            r = 127;
        } else {
            const int32_t q4 = tflm_mul_by_quant_mul(v, mult, shift);
            r = is_tanh ? tflm_rounding_divide_by_pot(fxp_tanh(q4, 4), 24)
                : tflm_rounding_divide_by_pot(fxp_logistic(q4, 4), 23) - 128;
            r = tflm_clamp_i32(r, -128, 127);
        }
        d->lut[(uint8_t)x] = (int8_t)r;
    }
    return TFLM_OK;
}

// int16: the input rescaling of tflm_sigmoid16 (sigmoid.h).
static tflm_status_t sigmoid16_prepare(tflm_interp_t *ip, const tflm_node_t *node, act_data_t *d,
    const tflm_tensor_t *in, const tflm_tensor_t *out) {
    int in_log2, out_log2;
    if (in->zero_point != 0 || out->zero_point != 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "int16 zero points must be 0");
    }
    if (!tflm_checked_log2(out->scale, &out_log2) || out_log2 != -15) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "int16 output scale must be 1/32768");
    }
    // Inputs in Q3.12 (and for TANH Q4.11), scale 2^-12 (2^-11) give or take
    // TFLM's tolerance, take a plain multiply by 3 (6); any other scale a
    // multiplier in [2^14, 2^15) and a rounding shift (or, for scales of 4/3
    // and up, the multiplier alone, up to 2^16, past which TFLM's int32
    // product overflows).
    const bool pot = tflm_checked_log2(in->scale, &in_log2);
    const int left = 12 + in_log2;
    int shift = 0;
    if (pot && (left == 0 || (left == 1 && node->builtin == TFLM_OP_TANH))) {
        d->mult = 3 << left;
    } else {
        double m = (double)in->scale * (double)12288;
        while (m * 2 <= (double)32767 && shift <= 30) {
            shift++;
            m *= 2;
        }
        if (!(m >= 1 && m <= (double)65536)) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "int16 input scale out of the supported range");
        }
        d->mult = (int32_t)m;
    }
    d->shift = shift;
    d->round = shift > 0 ? (int32_t)1 << (shift - 1) : 0;
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// ELU: x < 0 ? exp(x) - 1 : x

// int8: TFLM's table, through float (its rounding and conversion included).
static void elu_prepare(act_data_t *d, const tflm_tensor_t *in, const tflm_tensor_t *out) {
    const float inverse_scale = 1.0f / out->scale;
    for (int32_t x = -128; x < 128; x++) {
        const float v = in->scale * (float)(x - d->in_zp);
        const float e = v < 0.0f ? expf(v) - 1.0f : v;
        const int32_t q = tflm_f32_to_i32_x86(tflm_roundf(e * inverse_scale) + (float)d->out_zp);
        d->lut[(uint8_t)x] = (int8_t)tflm_clamp_i32(q, -128, 127);
    }
}

// ---------------------------------------------------------------------------
// HARD_SWISH: x * relu6(x + 3) / 6

static tflm_status_t hard_swish_prepare(tflm_interp_t *ip, const tflm_node_t *node, act_data_t *d, const tflm_tensor_t *in,
    const tflm_tensor_t *out) {
    // The input is first moved to a "high resolution" scale (x 128); the
    // "reluish" factor relu6(x + 3) / 6 maps [-3, 3] onto [-1, 1) in Q15.
    const float hires_scale = (1.0f / 128.0f) * in->scale;
    const float reluish_scale = 3.0f / 32768.0f;
    int32_t m32;
    int out_exp, relu_exp;
    tflm_quantize_multiplier((double)(hires_scale / out->scale), &m32, &out_exp);
    const int16_t out_mult = (int16_t)tflm_multiplier_to_q15(m32);
    if (out_exp > 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED,
            "int8 output scale below input scale / 128");
    }
    tflm_quantize_multiplier((double)(hires_scale / reluish_scale), &m32, &relu_exp);
    const int16_t relu_mult = (int16_t)tflm_multiplier_to_q15(m32);
    for (int32_t x = -128; x < 128; x++) {
        const int16_t v = (int16_t)(x - d->in_zp);
        const int16_t hires = (int16_t)(v * 128);
        const int16_t preshift_out = fxp16_mul(hires, out_mult);
        int16_t reluish = hires;
        if (relu_exp > 0) {
            reluish = fxp16_shl_sat(reluish, relu_exp - 1);
        }
        reluish = fxp16_mul(reluish, relu_mult);
        if (relu_exp > 0) {
            reluish = fxp16_shl_sat(reluish, 1);
        } else if (relu_exp < 0) {
            reluish = fxp16_rounding_divide_by_pot(reluish, -relu_exp);
        }
        reluish = (int16_t)((reluish + (1 << 15)) >> 1); // [-1, 1) -> [0, 1)
        const int16_t pre = fxp16_mul_trunc(reluish, preshift_out);
        int16_t r = fxp16_rounding_divide_by_pot(pre, -out_exp);
        // The zero point is added in 16 bits (wrapping) before the clamp.
        r = (int16_t)(uint16_t)((uint16_t)r + (uint16_t)d->out_zp);
        d->lut[(uint8_t)x] = (int8_t)tflm_clamp_i32(r, -128, 127);
    }
    return TFLM_OK;
}

// One prepare for all one-input activations: the checks all share, then the
// quantized parameters of the op.
static tflm_status_t act_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    const int op = node->builtin;
    const bool int16_ok = op != TFLM_OP_RELU_N1_TO_1 && op != TFLM_OP_HARD_SWISH && op != TFLM_OP_ELU;
    tflm_status_t s = unary_prepare(ip, node, T_F32 | T_I8 | (int16_ok ? T_I16 : 0));
    if (s != TFLM_OK) {
        return s;
    }
    act_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *out = tflm_node_output(ip, node, 0);
    if (op == TFLM_OP_LEAKY_RELU) {
        d->alpha = tflm_opt_f32(node, LEAKY_ALPHA, 0.0f);
    }
    if (in->type == TFLM_FLOAT32) {
        return TFLM_OK;
    }
    if (in->type == TFLM_INT8) {
        d->lut = tflm_alloc_persistent(ip, 256);
        if (d->lut == NULL) {
            return TFLM_ERR_ARENA;
        }
    }
    switch (op) {
        case TFLM_OP_RELU:
        case TFLM_OP_RELU_N1_TO_1:
            return relu_prepare(ip, node, d, in, out);
        case TFLM_OP_RELU6:
            return relu6_prepare(ip, node, d, in, out);
        case TFLM_OP_LEAKY_RELU:
            return leaky_relu_prepare(ip, node, d, in, out);
        case TFLM_OP_HARD_SWISH:
            return hard_swish_prepare(ip, node, d, in, out);
        case TFLM_OP_ELU:
            elu_prepare(d, in, out);
            return TFLM_OK;
        default: // LOGISTIC, TANH
            return in->type == TFLM_INT16 ? sigmoid16_prepare(ip, node, d, in, out)
                : sigmoid_prepare(ip, node, d, in, out);
    }
}

// ---------------------------------------------------------------------------
// Eval of the one-input activations: int8 by table lookup; float and int16
// by a loop per op (`op`, the builtin code, a constant in each; the types a
// build leaves out are refused in prepare and compiled out here).

TFLM_INLINE_LOOP float act_f32(float v, float alpha, const int op) {
    switch (op) {
        case TFLM_OP_RELU:
            return v < 0.0f ? 0.0f : v;
        case TFLM_OP_RELU6:
            return tflm_clamp_f32(v, 0.0f, 6.0f);
        case TFLM_OP_RELU_N1_TO_1:
            return tflm_clamp_f32(v, -1.0f, 1.0f);
        case TFLM_OP_LEAKY_RELU:
            return v > 0.0f ? v : v * alpha;
        case TFLM_OP_LOGISTIC:
            return tflm_logistic_f32(v);
        case TFLM_OP_TANH:
            return tanhf(v);
        case TFLM_OP_ELU:
            return v < 0.0f ? expm1f(v) : v;
        default: { // HARD_SWISH
            float m = v + 3.0f;
            m = 0.0f < m ? m : 0.0f;
            m = m < 6.0f ? m : 6.0f;
            return v * m / 6.0f;
        }
    }
}

TFLM_INLINE_LOOP void act_run(const act_data_t *d, const tflm_tensor_t *in, tflm_tensor_t *out, const int op) {
    if (in->type == TFLM_INT8) {
        eval_lut8(d, (const int8_t *)in->data, (int8_t *)out->data);
    } else if (tflm_type_built(TFLM_FLOAT32) && in->type == TFLM_FLOAT32) {
        const float *x = (const float *)in->data;
        float *y = (float *)out->data;
        const float alpha = d->alpha;
        for (int32_t i = 0; i < d->count; i++) {
            y[i] = act_f32(x[i], alpha, op);
        }
    } else if (tflm_type_built(TFLM_INT16) && op != TFLM_OP_RELU_N1_TO_1 && op != TFLM_OP_HARD_SWISH
               && op != TFLM_OP_ELU) {
        // int16 (RELU6 clamps in the input's quantization, see relu6_prepare)
        const int16_t *x = (const int16_t *)in->data;
        int16_t *y = (int16_t *)out->data;
        for (int32_t i = 0; i < d->count; i++) {
            int32_t v;
            if (op == TFLM_OP_LOGISTIC || op == TFLM_OP_TANH) {
                v = tflm_sigmoid16(x[i], d->mult, d->shift, d->round, op == TFLM_OP_TANH);
            } else {
                v = op == TFLM_OP_RELU ? relu_requant(d, x[i])
                    : op == TFLM_OP_RELU6 ? tflm_clamp_i32(x[i], d->act_min, d->act_max) : leaky_requant(d, x[i]);
            }
            y[i] = (int16_t)v;
        }
    }
}

static tflm_status_t act_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const act_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    switch (node->builtin) {
        case TFLM_OP_RELU: act_run(d, in, out, TFLM_OP_RELU); break;
        case TFLM_OP_RELU6: act_run(d, in, out, TFLM_OP_RELU6); break;
        case TFLM_OP_RELU_N1_TO_1: act_run(d, in, out, TFLM_OP_RELU_N1_TO_1); break;
        case TFLM_OP_LEAKY_RELU: act_run(d, in, out, TFLM_OP_LEAKY_RELU); break;
        case TFLM_OP_LOGISTIC: act_run(d, in, out, TFLM_OP_LOGISTIC); break;
        case TFLM_OP_TANH: act_run(d, in, out, TFLM_OP_TANH); break;
        case TFLM_OP_ELU: act_run(d, in, out, TFLM_OP_ELU); break;
        default: act_run(d, in, out, TFLM_OP_HARD_SWISH); break;
    }
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// PRELU: x >= 0 ? x : x * alpha, alpha broadcast against x

typedef struct {
    int32_t dims[TFLM_MAX_RANK]; // output shape, left-padded with 1s
    int32_t sx[TFLM_MAX_RANK];   // element strides of x and alpha (0: broadcast)
    int32_t sa[TFLM_MAX_RANK];
    int32_t outer;               // product of all but the last dimension
    int32_t in_offset;
    int32_t alpha_offset;
    int32_t out_zp;
    int32_t mult1; // x >= 0
    int32_t shift1;
    int32_t mult2; // x < 0, on x * alpha
    int32_t shift2;
    int32_t act_min; // the output type's range (output zero point included)
    int32_t act_max;
} prelu_data_t;

static tflm_status_t prelu_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    prelu_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *alpha = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    int alpha_type = in->type == TFLM_INT16 ? TFLM_INT8 : in->type;
    if (in->type != TFLM_FLOAT32 && in->type != TFLM_INT8 && in->type != TFLM_INT16) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input type %s", tflm_type_name(in->type));
    }
    if (out->type != in->type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output is %s, input %s",
            tflm_type_name(out->type), tflm_type_name(in->type));
    }
    if (alpha->type != alpha_type) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "alpha is %s with a %s input",
            tflm_type_name(alpha->type), tflm_type_name(in->type));
    }
    // Broadcast shape, aligned on the last dimension.
    const int rank = in->rank > alpha->rank ? in->rank : alpha->rank;
    if (out->rank != rank) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output rank %d, expected %d", (int)out->rank, rank);
    }
    int32_t stride_x = 1, stride_a = 1;
    for (int k = TFLM_MAX_RANK - 1; k >= 0; k--) {
        const int back = TFLM_MAX_RANK - 1 - k;
        const int32_t dx = back < in->rank ? in->dims[in->rank - 1 - back] : 1;
        const int32_t da = back < alpha->rank ? alpha->dims[alpha->rank - 1 - back] : 1;
        const int32_t dout = back < out->rank ? out->dims[out->rank - 1 - back] : 1;
        if ((dx != da && dx != 1 && da != 1) || dout != (dx == 1 ? da : dx)) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "shapes of input, alpha and output do not broadcast");
        }
        d->dims[k] = dout;
        d->sx[k] = dx == 1 ? 0 : stride_x;
        d->sa[k] = da == 1 ? 0 : stride_a;
        stride_x *= dx;
        stride_a *= da;
    }
    d->outer = 1;
    for (int k = 0; k < TFLM_MAX_RANK - 1; k++) {
        d->outer *= d->dims[k];
    }
    if (in->type == TFLM_FLOAT32) {
        return TFLM_OK;
    }
    if ((s = check_quant(ip, node, in, "input")) != TFLM_OK
        || (s = check_quant(ip, node, alpha, "alpha")) != TFLM_OK
        || (s = check_quant(ip, node, out, "output")) != TFLM_OK) {
        return s;
    }
    int shift;
    tflm_quantize_multiplier((double)in->scale / (double)out->scale, &d->mult1, &shift);
    d->shift1 = shift;
    tflm_quantize_multiplier((double)in->scale * (double)alpha->scale / (double)out->scale, &d->mult2, &shift);
    d->shift2 = shift;
    d->in_offset = -in->zero_point;
    d->alpha_offset = -alpha->zero_point;
    d->out_zp = out->zero_point;
    tflm_type_range(in->type, &d->act_min, &d->act_max);
    return TFLM_OK;
}

// The product (int16: up to 2^32) and the sum with the zero point (a
// crafted multiplier can bring r next to INT32_MIN) wrap as TFLM's int32
// arithmetic does on its targets, in unsigned arithmetic, so defined in C.
static inline int32_t prelu_q(const prelu_data_t *d, int32_t x, int32_t a) {
    const int32_t v = d->in_offset + x;
    int32_t r;
    if (v >= 0) {
        r = tflm_mul_by_quant_mul(v, d->mult1, d->shift1);
    } else {
        r = tflm_mul_by_quant_mul((int32_t)((uint32_t)v * (uint32_t)(d->alpha_offset + a)), d->mult2, d->shift2);
    }
    return tflm_clamp_i32((int32_t)((uint32_t)r + (uint32_t)d->out_zp), d->act_min, d->act_max);
}

static tflm_status_t prelu_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const prelu_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *alpha = tflm_node_input(ip, node, 1);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    const int last = TFLM_MAX_RANK - 1;
    const int32_t n = d->dims[last], sx = d->sx[last], sa = d->sa[last];
    int32_t idx[TFLM_MAX_RANK] = { 0 };
    int32_t ix = 0, ia = 0;
    uint8_t *o = out->data;
    for (int32_t outer = 0; outer < d->outer; outer++) {
        if (in->type == TFLM_FLOAT32) {
            const float *x = (const float *)in->data + ix;
            const float *a = (const float *)alpha->data + ia;
            float *y = (float *)o;
            for (int32_t i = 0; i < n; i++) {
                const float v = x[i * sx];
                y[i] = v >= 0.0f ? v : v * a[i * sa];
            }
            o += n * sizeof(float);
        } else if (in->type == TFLM_INT8) {
            const int8_t *x = (const int8_t *)in->data + ix;
            const int8_t *a = (const int8_t *)alpha->data + ia;
            int8_t *y = (int8_t *)o;
            for (int32_t i = 0; i < n; i++) {
                y[i] = (int8_t)prelu_q(d, x[i * sx], a[i * sa]);
            }
            o += n;
        } else {
            const int16_t *x = (const int16_t *)in->data + ix;
            const int8_t *a = (const int8_t *)alpha->data + ia;
            int16_t *y = (int16_t *)o;
            for (int32_t i = 0; i < n; i++) {
                y[i] = (int16_t)prelu_q(d, x[i * sx], a[i * sa]);
            }
            o += n * sizeof(int16_t);
        }
        // Next position over the outer dimensions (odometer).
        for (int k = last - 1; k >= 0; k--) {
            if (++idx[k] < d->dims[k]) {
                ix += d->sx[k];
                ia += d->sa[k];
                break;
            }
            ix -= d->sx[k] * (d->dims[k] - 1);
            ia -= d->sa[k] * (d->dims[k] - 1);
            idx[k] = 0;
        }
    }
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// Registrations

TFLM_KERNEL(relu, RELU, 3, NONE, 1, 1, 1, sizeof(act_data_t), act_prepare, act_eval);
TFLM_KERNEL(relu6, RELU6, 3, NONE, 1, 1, 1, sizeof(act_data_t), act_prepare, act_eval);
TFLM_KERNEL(relu_n1_to_1, RELU_N1_TO_1, 1, NONE, 1, 1, 1, sizeof(act_data_t), act_prepare, act_eval);
TFLM_KERNEL(leaky_relu, LEAKY_RELU, 2, LeakyReluOptions, 1, 1, 1, sizeof(act_data_t), act_prepare, act_eval);
TFLM_KERNEL(logistic, LOGISTIC, 3, NONE, 1, 1, 1, sizeof(act_data_t), act_prepare, act_eval);
TFLM_KERNEL(tanh, TANH, 3, NONE, 1, 1, 1, sizeof(act_data_t), act_prepare, act_eval);
TFLM_KERNEL(hard_swish, HARD_SWISH, 1, HardSwishOptions, 1, 1, 1, sizeof(act_data_t), act_prepare, act_eval);
TFLM_KERNEL(elu, ELU, 1, NONE, 1, 1, 1, sizeof(act_data_t), act_prepare, act_eval);
TFLM_KERNEL(prelu, PRELU, 1, NONE, 2, 2, 1, sizeof(prelu_data_t), prelu_prepare, prelu_eval);

#endif // MICROPY_TFLM_OP_ACTIVATIONS
