// SOFTMAX over the last dimension, with beta: float32, int8 -> int8,
// int8 -> int16 and int16 -> int16, as TFLM computes them.
//
// int8: exp of (x - row max) * beta * scale in gemmlowp fixed point (Q5 in,
// Q0 out), summed in Q12, scaled by the fixed-point reciprocal of the sum.
// The input difference takes only 256 values, so for larger tensors prepare
// tabulates the exp (1 KB); small ones (a few classes) compute it in place.
// int16: exp and 1/(1+x) through two 513-entry interpolated tables built in
// prepare (in float, the way TFLM builds them).
//
// LOG_SOFTMAX over the last dimension: float32 and int8, as TFLM. int8: the
// output has scale 16/256 and zero point 127 (TFLM requires them); the sum of
// the exps of the row's differences (Q5 in, Q12 sum; computed or tabulated
// as SOFTMAX's) goes through the fixed-point log (Q5), subtracted from each
// difference in Q5 and narrowed to Q4 (the output's units). Differences too
// negative for Q5 after the log is subtracted give the lowest output.
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_SOFTMAX
#include <float.h>
#include <math.h>
#include "../kernel.h"
#include "../support/quant.h"
#include "../support/checks.h"
#include "../support/fixedpoint.h"
#include "../support/elements.h"

enum { SOFTMAX_BETA = 0 };

#define LUT16_SIZE (513)

typedef struct {
    int32_t outer;
    int32_t depth;
    float beta;
    int32_t mult;
    int32_t shift;
    int32_t radius;         // int8: differences beyond it give exp 0
    int32_t *exp_q0;        // int8: exp of the difference -d (d = 0..255) in Q0, or NULL
    int16_t *exp_lut;       // int16: exp on [-10, 0]
    int16_t *recip_lut;     // int16: 1 / (1 + x) on [0, 1]
} softmax_data_t;

static float lut_exp(float x) {
    return expf(x);
}

static float lut_one_over_one_plus_x(float x) {
    return 1.0f / (1.0f + x);
}

// A 513-entry int16 table of f over the real range the int16 input covers
// (input scale/zero point), values quantized with the output's parameters;
// 512 segments, each entry biased by half the interpolation error at the
// segment's midpoint. Float arithmetic throughout, in TFLM's order.
static void lut16_populate(float (*f)(float), float in_scale, int32_t in_zp, float out_scale,
    int32_t out_zp, int16_t *lut) {
    const float input_min = in_scale * (float)(-32768 - in_zp);
    const float input_max = in_scale * (float)(32767 - in_zp);
    const float output_min = out_scale * (float)(-32768 - out_zp);
    const float output_max = out_scale * (float)(32767 - out_zp);
    const int steps = 512;
    const float step = (input_max - input_min) / (float)steps;
    const float half_step = step / 2.0f;
    const float scaling_inv = 65536.0f / (output_max - output_min);
    for (int i = 0; i < steps; i++) {
        const float val = f(input_min + (float)i * step);
        const float val_mid = f(input_min + (float)i * step + half_step);
        const float val_next = f(input_min + (float)(i + 1) * step);
        const float sample = tflm_roundf(val * scaling_inv);
        const float mid_interp = tflm_roundf((val_next * scaling_inv + tflm_roundf(val * scaling_inv)) / 2.0f);
        const float mid = tflm_roundf(val_mid * scaling_inv);
        const float bias = tflm_roundf((mid_interp - mid) / 2.0f);
        float v = sample - bias;
        v = v < -32768.0f ? -32768.0f : v;
        v = v > 32767.0f ? 32767.0f : v;
        lut[i] = (int16_t)v;
    }
    float v = tflm_roundf(f(input_max) * scaling_inv);
    v = v < -32768.0f ? -32768.0f : v;
    v = v > 32767.0f ? 32767.0f : v;
    lut[steps] = (int16_t)v;
}

// Interpolated lookup: the top 9 bits pick the segment, the low 7 the
// position in it.
static inline int16_t lut16_lookup(int16_t value, const int16_t *lut) {
    const uint16_t index = (uint16_t)(256 + (value >> 7));
    const int16_t offset = (int16_t)(value & 0x7f);
    const int16_t base = lut[index];
    const int16_t slope = (int16_t)(lut[index + 1] - lut[index]);
    const int32_t delta = (slope * offset + 64) >> 7;
    return (int16_t)(base + delta);
}

static bool near(float a, float b, float eps) {
    const float diff = a > b ? a - b : b - a;
    return !(diff > eps);
}

// exp(-k * beta * scale) in Q0 for an input difference k in [0, 255].
static inline int32_t exp_diff(const softmax_data_t *d, int32_t k) {
    if (k > d->radius) {
        return 0; // below the Q5 range: exp underflows
    }
    return fxp_exp_on_negative_values(tflm_mul_by_quant_mul(-k, d->mult, d->shift), 5);
}

static inline int32_t exp_at(const softmax_data_t *d, int32_t k) {
    return d->exp_q0 ? d->exp_q0[k] : exp_diff(d, k);
}

// exp_diff in one out-of-line copy, for the table and for LOG_SOFTMAX (one
// call per element, beside the log). SOFTMAX's eval inlines its own: one
// more inlined copy in this file would make the compiler stop inlining there.
static __attribute__((noinline)) int32_t exp_diff_call(const softmax_data_t *d, int32_t k) {
    return exp_diff(d, k);
}

// The shapes both ops accept: the output's is the input's, of rank >= 1.
// Rows: *depth elements of the last dimension, *outer of them.
static tflm_status_t softmax_check_shapes(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *in,
    const tflm_tensor_t *out, int32_t *outer, int32_t *depth) {
    if (in->rank < 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input must have at least one dimension");
    }
    if (!tflm_same_shape(in, out)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape differs from the input's");
    }
    *depth = in->dims[in->rank - 1];
    *outer = *depth > 0 ? tflm_elem_count(in) / *depth : 0;
    return TFLM_OK;
}

// int8 input: beta * input scale as the multiplier (> 1, capped as TFLM caps
// it) taking a difference to Q5 and the radius beyond which exp underflows;
// for tensors big enough for it to pay, the exps of the 256 differences. A
// model error when beta * scale (`what`) is too small.
static tflm_status_t softmax_int8_exps(tflm_interp_t *ip, const tflm_node_t *node, softmax_data_t *d,
    double beta_scale, const char *what) {
    double real = beta_scale * (double)(1 << 26);
    const double max_real = (double)((1ll << 31) - 1);
    real = real < max_real ? real : max_real;
    if (!(real > 1)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s too small", what);
    }
    int shift;
    tflm_quantize_multiplier(real, &d->mult, &shift);
    d->shift = shift;
    // Differences below -radius contribute nothing (exp underflows in Q5).
    d->radius = (int32_t)((double)31 * (double)(1 << 26) / (double)(1ll << shift));
    // Below this many elements the table costs more memory than it saves time.
    if ((int64_t)d->outer * d->depth < 256) {
        return TFLM_OK;
    }
    d->exp_q0 = tflm_alloc_persistent(ip, 256 * sizeof(int32_t));
    if (d->exp_q0 == NULL) {
        return TFLM_ERR_ARENA;
    }
    for (int32_t k = 0; k < 256; k++) {
        d->exp_q0[k] = exp_diff_call(d, k);
    }
    return TFLM_OK;
}

static tflm_status_t softmax_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    softmax_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *out = tflm_node_output(ip, node, 0);
    if ((s = softmax_check_shapes(ip, node, in, out, &d->outer, &d->depth)) != TFLM_OK) {
        return s;
    }
    const bool types_ok = (in->type == TFLM_FLOAT32 && out->type == TFLM_FLOAT32)
        || (in->type == TFLM_INT8 && (out->type == TFLM_INT8 || out->type == TFLM_INT16))
        || (in->type == TFLM_INT16 && out->type == TFLM_INT16);
    if (!types_ok) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "%s input with %s output",
            tflm_type_name(in->type), tflm_type_name(out->type));
    }
    if ((s = tflm_check_type_built(ip, node, in->type)) != TFLM_OK
        || (s = tflm_check_type_built(ip, node, out->type)) != TFLM_OK) {
        return s;
    }
    d->beta = tflm_opt_f32(node, SOFTMAX_BETA, 0.0f);
    if (in->type == TFLM_FLOAT32) {
        return TFLM_OK;
    }
    if ((s = tflm_check_per_tensor_quant(ip, node, in, out)) != TFLM_OK) {
        return s;
    }
    if (!(d->beta >= 0.0f) || !isfinite(d->beta)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "beta must be a non-negative number");
    }
    if (MICROPY_TFLM_TYPE_INT16 && in->type == TFLM_INT16) {
        if (in->zero_point != 0 || out->zero_point != 0) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "int16 zero points must be 0");
        }
        if (!near(out->scale, 1.0f / 32768.0f, 0.001f / 32768.0f)) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "int16 output scale must be 1/32768");
        }
        if (d->depth > 65536) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "int16 softmax over more than 65536 values");
        }
        // Scale the difference so that [-65535, 0] covers [-10, 0].
        int shift;
        tflm_quantize_multiplier((double)in->scale * (double)d->beta / ((double)10 / (double)65535),
            &d->mult, &shift);
        d->shift = shift;
        d->exp_lut = tflm_alloc_persistent(ip, LUT16_SIZE * sizeof(int16_t));
        d->recip_lut = tflm_alloc_persistent(ip, LUT16_SIZE * sizeof(int16_t));
        if (d->exp_lut == NULL || d->recip_lut == NULL) {
            return TFLM_ERR_ARENA;
        }
        const float range = 65535.0f;
        lut16_populate(lut_exp, 10.0f / range, 32767, 2.0f / range, 0, d->exp_lut);
        lut16_populate(lut_one_over_one_plus_x, 1.0f / range, -32768, 2.0f / range, 0, d->recip_lut);
        return TFLM_OK;
    }
    // int8 input.
    if (out->type == TFLM_INT8) {
        if (out->zero_point != -128 || out->scale != 1.0f / 256.0f) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "int8 output must have scale 1/256, zero point -128");
        }
    } else if (out->zero_point != -32768 || !near(out->scale, 1.0f / 65536.0f, 0.001f / 65536.0f)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "int16 output must have scale 1/65536, zero point -32768");
    }
    return softmax_int8_exps(ip, node, d, (double)d->beta * (double)in->scale, "beta * input scale");
}

// The largest of a float row (a NaN never is: it fails every comparison).
static inline float row_max_f32(const float *in, int32_t depth) {
    float max = -FLT_MAX;
    for (int32_t c = 0; c < depth; c++) {
        max = max < in[c] ? in[c] : max;
    }
    return max;
}

static void softmax_float(const softmax_data_t *d, const float *in, float *out) {
    const int32_t depth = d->depth;
    const float beta = d->beta;
    for (int32_t i = 0; i < d->outer; i++, in += depth, out += depth) {
        const float max = row_max_f32(in, depth);
        float sum = 0.0f;
        for (int32_t c = 0; c < depth; c++) {
            const float e = expf((in[c] - max) * beta);
            out[c] = e;
            sum += e;
        }
        for (int32_t c = 0; c < depth; c++) {
            out[c] = out[c] / sum;
        }
    }
}

// Rounding shift right by e, for results of a Q0 product (|x| < 2^31):
// beyond 31 bits every such value rounds to 0.
static inline int32_t shift_round(int32_t x, int e) {
    return e > 31 ? 0 : tflm_rounding_divide_by_pot(x, e);
}

static void softmax_int8(const softmax_data_t *d, const int8_t *in, uint8_t *out_bytes, bool out16) {
    const int32_t depth = d->depth;
    // The output type's range (output zero point included); TFLM's output
    // zero point is the type's minimum, offsetting the result in [0, 1).
    const int32_t act_min = out16 ? INT16_MIN : INT8_MIN;
    const int32_t act_max = out16 ? INT16_MAX : INT8_MAX;
    const int32_t out_zp = act_min;
    // The clamps below are written out: with tflm_clamp_i32 GCC compiles
    // this function to a few more instructions per invoke.
    for (int32_t i = 0; i < d->outer; i++, in += depth) {
        int32_t max = -128;
        for (int32_t c = 0; c < depth; c++) {
            max = max < in[c] ? in[c] : max;
        }
        int32_t sum = 0; // Q12
        for (int32_t c = 0; c < depth; c++) {
            sum = fxp_add(sum, tflm_rounding_divide_by_pot(exp_at(d, max - in[c]), 12));
        }
        int bits_over_unit;
        const int32_t scale = fxp_reciprocal(sum, 12, &bits_over_unit);
        const int exponent = bits_over_unit + 31 - (out16 ? 16 : 8);
        if (out16) {
            int16_t *out = (int16_t *)out_bytes + i * depth;
            for (int32_t c = 0; c < depth; c++) {
                const int32_t v = shift_round(fxp_mul(scale, exp_at(d, max - in[c])), exponent) + out_zp;
                out[c] = (int16_t)(v > act_max ? act_max : v < act_min ? act_min : v);
            }
        } else {
            int8_t *out = (int8_t *)out_bytes + i * depth;
            for (int32_t c = 0; c < depth; c++) {
                const int32_t v = shift_round(fxp_mul(scale, exp_at(d, max - in[c])), exponent) + out_zp;
                out[c] = (int8_t)(v > act_max ? act_max : v < act_min ? act_min : v);
            }
        }
    }
}

static void softmax_int16(const softmax_data_t *d, const int16_t *in, int16_t *out) {
    const int32_t depth = d->depth;
    for (int32_t i = 0; i < d->outer; i++, in += depth, out += depth) {
        int32_t max = -32768;
        for (int32_t c = 0; c < depth; c++) {
            max = max < in[c] ? in[c] : max;
        }
        // exp(x - max) in Q15, kept in the output until the sum is known.
        int32_t sum = 0;
        for (int32_t c = 0; c < depth; c++) {
            int32_t v = tflm_mul_by_quant_mul(in[c] - max, d->mult, d->shift) + 32767;
            v = tflm_clamp_i32(v, INT16_MIN, INT16_MAX);
            out[c] = lut16_lookup((int16_t)v, d->exp_lut);
            sum += out[c];
        }
        // 1 / sum: the sum normalized to [1, 2) in Q14 less 1, recentred
        // to the table's [-32768, 32767].
        const int headroom_plus_one = fxp_clz32((uint32_t)sum);
        const int32_t shifted_sum =
            (int32_t)((((int64_t)sum << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
        int32_t sym = shifted_sum - ((1 << 15) + (1 << 16));
        sym = tflm_clamp_i32(sym, INT16_MIN, INT16_MAX);
        const int32_t recip = lut16_lookup((int16_t)sym, d->recip_lut);
        const int right_shift = 31 - headroom_plus_one;
        const int64_t round = (int64_t)1 << (right_shift - 1);
        for (int32_t c = 0; c < depth; c++) {
            int32_t r = (int32_t)(((int64_t)out[c] * recip + round) >> right_shift);
            out[c] = (int16_t)(r < 0 ? 0 : r > 32767 ? 32767 : r); // written out, as in softmax_int8
        }
    }
}

static tflm_status_t softmax_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const softmax_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    switch (in->type) {
        case TFLM_FLOAT32:
            if (MICROPY_TFLM_TYPE_FLOAT32) {
                softmax_float(d, (const float *)in->data, (float *)out->data);
            }
            break;
        case TFLM_INT8:
            softmax_int8(d, (const int8_t *)in->data, out->data, out->type == TFLM_INT16);
            break;
        default:
            if (!MICROPY_TFLM_TYPE_INT16) {
                break;
            }
            softmax_int16(d, (const int16_t *)in->data, (int16_t *)out->data);
            break;
    }
    return TFLM_OK;
}

TFLM_KERNEL(softmax, SOFTMAX, 3, SoftmaxOptions, 1, 1, 1,
    sizeof(softmax_data_t), softmax_prepare, softmax_eval);

#if MICROPY_TFLM_OP_LOG_SOFTMAX
// ---------------------------------------------------------------------------
// LOG_SOFTMAX

typedef struct {
    softmax_data_t sm; // beta 1; int8: the Q5 multiplier (and the exp table, if any)
    int32_t rev_mult;  // int8: Q5 back to input units
    int32_t rev_shift;
} log_softmax_data_t;

static tflm_status_t log_softmax_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    log_softmax_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *out = tflm_node_output(ip, node, 0);
    if (in->type != TFLM_FLOAT32 && in->type != TFLM_INT8) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "type %s", tflm_type_name(in->type));
    }
    if ((s = tflm_check_type_built(ip, node, in->type)) != TFLM_OK) {
        return s;
    }
    if (out->type != in->type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output is %s, input %s",
            tflm_type_name(out->type), tflm_type_name(in->type));
    }
    if ((s = softmax_check_shapes(ip, node, in, out, &d->sm.outer, &d->sm.depth)) != TFLM_OK) {
        return s;
    }
    if (in->type == TFLM_FLOAT32) {
        return TFLM_OK;
    }
    if ((s = tflm_check_per_tensor_quant(ip, node, in, out)) != TFLM_OK) {
        return s;
    }
    if (out->scale != 16.0f / 256.0f || out->zero_point != 127) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "int8 output must have scale 16/256, zero point 127");
    }
    // The exps are SOFTMAX's with beta 1, computed in place as TFLM does, or
    // from the same table for tensors as large as it.
    d->sm.beta = 1.0f;
    if ((s = softmax_int8_exps(ip, node, &d->sm, (double)in->scale, "input scale")) != TFLM_OK) {
        return s;
    }
    // The multiplier's inverse, 2^(31 - shift) / mult: below 1 unless the
    // multiplier rounded to exactly 1 (TFLM then fails a check).
    const double rev = (double)(1ll << (31 - d->sm.shift)) / (double)d->sm.mult;
    if (!(rev < 1)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input scale too small");
    }
    int shift;
    tflm_quantize_multiplier(rev, &d->rev_mult, &shift);
    d->rev_shift = shift;
    return TFLM_OK;
}

static void log_softmax_float(const softmax_data_t *d, const float *in, float *out) {
    const int32_t depth = d->depth;
    for (int32_t i = 0; i < d->outer; i++, in += depth, out += depth) {
        const float max = row_max_f32(in, depth);
        float sum = 0.0f;
        for (int32_t c = 0; c < depth; c++) {
            sum += expf(in[c] - max);
        }
        const float log_sum = logf(sum);
        for (int32_t c = 0; c < depth; c++) {
            out[c] = in[c] - max - log_sum;
        }
    }
}

static void log_softmax_int8(const log_softmax_data_t *ld, const int8_t *in, int8_t *out) {
    const softmax_data_t *d = &ld->sm;
    const int32_t depth = d->depth;
    for (int32_t i = 0; i < d->outer; i++, in += depth, out += depth) {
        int32_t max = INT8_MIN;
        for (int32_t c = 0; c < depth; c++) {
            max = max < in[c] ? in[c] : max;
        }
        // The exp is 0 beyond the radius, where TFLM skips the term.
        int32_t sum = 0; // Q12
        for (int32_t c = 0; c < depth; c++) {
            const int32_t k = max - in[c];
            sum = fxp_add(sum, tflm_rounding_divide_by_pot(d->exp_q0 ? d->exp_q0[k] : exp_diff_call(d, k), 12));
        }
        // The sum holds exp(0) of the maximum: at least 1.
        const int32_t log_sum = fxp_log_x_ge_1(sum, 12, 5); // Q5
        // Differences down to -radius, and whose Q5 value less log_sum stays
        // within Q5: the limit is the Q5 floor plus log_sum in input units.
        const int32_t floor_diff = tflm_mul_by_quant_mul(fxp_add(log_sum, INT32_MIN), ld->rev_mult, ld->rev_shift);
        const int32_t limit = -d->radius - 1 > floor_diff ? -d->radius - 1 : floor_diff;
        for (int32_t c = 0; c < depth; c++) {
            const int32_t diff = in[c] - max;
            if (diff > limit) {
                const int32_t diff_q5 = tflm_mul_by_quant_mul(diff, d->mult, d->shift);
                // Q5 to the output's Q4 units (scale 16/256): 31 - 5 - 4 bits.
                const int32_t v = tflm_rounding_divide_by_pot(fxp_sub(diff_q5, log_sum), 22) + INT8_MAX;
                out[c] = (int8_t)tflm_clamp_i32(v, INT8_MIN, INT8_MAX);
            } else {
                out[c] = INT8_MIN;
            }
        }
    }
}

static tflm_status_t log_softmax_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const log_softmax_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if (in->type == TFLM_INT8) {
        log_softmax_int8(d, (const int8_t *)in->data, (int8_t *)out->data);
    } else if (MICROPY_TFLM_TYPE_FLOAT32) {
        log_softmax_float(&d->sm, (const float *)in->data, (float *)out->data);
    }
    return TFLM_OK;
}

TFLM_KERNEL(log_softmax, LOG_SOFTMAX, 2, LogSoftmaxOptions, 1, 1, 1,
    sizeof(log_softmax_data_t), log_softmax_prepare, log_softmax_eval);
#endif // MICROPY_TFLM_OP_LOG_SOFTMAX

#endif // MICROPY_TFLM_OP_SOFTMAX
