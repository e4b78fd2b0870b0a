// Element-wise math on one tensor: ABS, CEIL, COS, EXP, FLOOR, LOG, NEG,
// ROUND, RSQRT, SIN, SQRT, SQUARE. The output has the input's type and shape.
//
// float32 (every op): the C library's single-precision functions, as TFLM
// calls them (std::sin on a float is sinf, ...); RSQRT is 1.0f / sqrtf(x) and
// ROUND is TFLM's round-half-to-even written with floorf.
// int8 and int16 (ABS and RSQRT): TFLM's quantized arithmetic.
//   ABS:   |x - in_zp| times in_scale / out_scale, plus out_zp, clamped.
//          int16 without quantization is a plain |x| (wrapping at -32768).
//   RSQRT: gemmlowp's fixed-point 1/sqrt(x - in_zp), scaled to 2^20, times
//          1 / (sqrt(in_scale) * out_scale), plus out_zp, clamped; 0 gives
//          the type's maximum. An input below the zero point (a negative
//          value) fails at invoke, as in TFLM.
// int8 results depend on the input byte only: for tensors of at least 256
// elements prepare tabulates them (256 bytes of persistent memory, no more
// than the tensor) and eval is a lookup; smaller ones compute each element,
// as TFLM does for every size.
#include "../kernel.h"

#if MICROPY_TFLM_OP_UNARY
#include <math.h>
#include "../support/quant.h"
#include "../support/elements.h"

typedef float (*unary_f32_fn)(float);

typedef struct {
    int32_t count;
    unary_f32_fn fn;    // float32
    const int8_t *lut;  // int8: result per input byte, or NULL
    int32_t min_valid;  // RSQRT: inputs below the zero point are refused
    int32_t in_zp;
    int32_t out_zp;
    int32_t mult;       // ABS: in / out scale; RSQRT: 1 / (sqrt(in) * out)
    int32_t shift;
    int32_t act_min;    // clamp of the result (the type's range)
    int32_t act_max;
    bool rsqrt;
} unary_data_t;

// ---------------------------------------------------------------------------
// float32: one function per op, called from one loop. Wrappers even for the
// C library's: some are compiler builtins (fabsf, sqrtf) with no address of
// their own on every port.

#define UNARY_F32(name, expr) static float name(float x) { return expr; }
UNARY_F32(f_abs, fabsf(x))
UNARY_F32(f_ceil, ceilf(x))
UNARY_F32(f_cos, cosf(x))
UNARY_F32(f_exp, expf(x))
UNARY_F32(f_floor, floorf(x))
UNARY_F32(f_log, logf(x))
UNARY_F32(f_neg, -x)
UNARY_F32(f_rsqrt, 1.0f / sqrtf(x))
UNARY_F32(f_sin, sinf(x))
UNARY_F32(f_sqrt, sqrtf(x))
UNARY_F32(f_square, x * x)

// Half to even through the fractional part, as TFLM's RoundToNearest (which
// gives +0 for -0.5 < x < 0, where rintf would keep the sign). The parity
// test only runs on ties, where |x| < 2^23 so the cast is exact.
static float f_round(float x) {
    const float f = floorf(x);
    const float diff = x - f;
    if (diff < 0.5f || (diff == 0.5f && ((int32_t)f & 1) == 0)) {
        return f;
    }
    return f + 1.0f;
}

static unary_f32_fn float_fn(int op) {
    switch (op) {
        case TFLM_OP_ABS: return f_abs;
        case TFLM_OP_CEIL: return f_ceil;
        case TFLM_OP_COS: return f_cos;
        case TFLM_OP_EXP: return f_exp;
        case TFLM_OP_FLOOR: return f_floor;
        case TFLM_OP_LOG: return f_log;
        case TFLM_OP_NEG: return f_neg;
        case TFLM_OP_ROUND: return f_round;
        case TFLM_OP_RSQRT: return f_rsqrt;
        case TFLM_OP_SIN: return f_sin;
        case TFLM_OP_SQRT: return f_sqrt;
        default: return f_square;
    }
}

// ---------------------------------------------------------------------------
// Quantized ABS and RSQRT

// The result for one input value, before the store: the eval of int16 and
// the table of int8.
static int32_t quant_value(const unary_data_t *d, int32_t x) {
    const int32_t v = x - d->in_zp;
    int32_t r;
    if (d->rsqrt) {
        if (v == 0) {
            return d->act_max;
        }
        int32_t inv;
        int inv_shift;
        tflm_inv_sqrt_multiplier(v, &inv, &inv_shift);
        // 1 / sqrt(v) in units of 2^-20, then rescaled.
        const int32_t scaled = tflm_mul_by_quant_mul(1, inv, inv_shift + 20);
        r = tflm_mul_by_quant_mul(scaled, d->mult, (int)d->shift - 20);
    } else {
        r = tflm_mul_by_quant_mul(v < 0 ? -v : v, d->mult, (int)d->shift);
    }
    // The zero point is added in wrapping int32, as TFLM's sum.
    return tflm_clamp_i32((int32_t)((uint32_t)r + (uint32_t)d->out_zp), d->act_min, d->act_max);
}

static tflm_status_t quant_prepare(tflm_interp_t *ip, tflm_node_t *node, unary_data_t *d,
    const tflm_tensor_t *in, const tflm_tensor_t *out) {
    tflm_status_t s;
    d->rsqrt = node->builtin == TFLM_OP_RSQRT;
    d->min_valid = INT32_MIN;
    tflm_type_range(in->type, &d->act_min, &d->act_max);
    if (in->type == TFLM_INT16 && !d->rsqrt && !(in->flags & TFLM_T_QUANT)) {
        // TFLM's plain int16 ABS: |x| cast back to int16, which wraps
        // |-32768| to -32768. An identity multiplier and no clamp give that.
        d->mult = 1 << 30;
        d->shift = 1;
        d->act_min = INT32_MIN;
        d->act_max = INT32_MAX;
        return TFLM_OK;
    }
    if ((s = tflm_check_quantized(ip, node, in, "input")) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, out, "output")) != TFLM_OK) {
        return s;
    }
    if ((in->flags | out->flags) & TFLM_T_PER_CHANNEL) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "per-channel quantized input or output");
    }
    if (in->type == TFLM_INT16 && (in->zero_point != 0 || out->zero_point != 0)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "int16 zero points must be 0");
    }
    d->in_zp = in->zero_point;
    d->out_zp = out->zero_point;
    // Both factors in double, as TFLM forms them.
    const double real = d->rsqrt ? (double)1 / (tflm_sqrt_to_double(in->scale) * (double)out->scale)
        : (double)in->scale / (double)out->scale;
    int shift;
    tflm_quantize_multiplier(real, &d->mult, &shift);
    d->shift = shift;
    // Past these bounds TFLM shifts by more than the word size (undefined,
    // so no result to match); scales that far apart are no real model's.
    if (real > (double)(1 << 29) || (d->rsqrt && shift < -11)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input / output scale ratio out of range");
    }
    if (d->rsqrt) {
        d->min_valid = in->zero_point;
    }
    if (in->type == TFLM_INT8 && d->count >= 256) {
        int8_t *lut = tflm_alloc_persistent(ip, 256);
        if (lut == NULL) {
            return TFLM_ERR_ARENA;
        }
        for (int32_t x = d->min_valid > -128 ? d->min_valid : -128; x < 128; x++) {
            lut[(uint8_t)x] = (int8_t)quant_value(d, x);
        }
        d->lut = lut;
    }
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// Prepare and eval

static tflm_status_t unary_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    unary_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *out = tflm_node_output(ip, node, 0);
    if (out->type != in->type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output is %s, input %s",
            tflm_type_name(out->type), tflm_type_name(in->type));
    }
    if (!tflm_same_shape(in, out)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape differs from the input's");
    }
    d->count = tflm_elem_count(in);
    const int op = node->builtin;
    const bool quantized_op = op == TFLM_OP_ABS || op == TFLM_OP_RSQRT;
    if (in->type == TFLM_FLOAT32 || (quantized_op && (in->type == TFLM_INT8 || in->type == TFLM_INT16))) {
        if ((s = tflm_check_type_built(ip, node, in->type)) != TFLM_OK) {
            return s;
        }
    } else {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input type %s", tflm_type_name(in->type));
    }
    if (in->type == TFLM_FLOAT32) {
        // A constant false when float32 is left out: the functions go too.
        if (tflm_type_built(TFLM_FLOAT32)) {
            d->fn = float_fn(op);
        }
        return TFLM_OK;
    }
    return quant_prepare(ip, node, d, in, out);
}

// int8 (from the table, if any) and int16 (computed) in one loop, `type` a
// constant.
TFLM_INLINE_LOOP tflm_status_t quant_run(tflm_interp_t *ip, const tflm_node_t *node, const unary_data_t *d,
    const void *in, void *out, const int type) {
    const int32_t min_valid = d->min_valid;
    for (int32_t i = 0; i < d->count; i++) {
        const int32_t x = tflm_load_int(in, (size_t)i, type);
        if (x < min_valid) {
            return tflm_op_fail(ip, node, TFLM_ERR_VALUE, "negative input (%d, below the zero point %d)",
                (int)x, (int)min_valid);
        }
        tflm_store_int(out, (size_t)i, type == TFLM_INT8 && d->lut ? d->lut[(uint8_t)x] : quant_value(d, x), type);
    }
    return TFLM_OK;
}

static tflm_status_t unary_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const unary_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if (in->type == TFLM_INT8) {
        return quant_run(ip, node, d, in->data, out->data, TFLM_INT8);
    }
    if (tflm_type_built(TFLM_INT16) && in->type == TFLM_INT16) {
        return quant_run(ip, node, d, in->data, out->data, TFLM_INT16);
    }
    if (tflm_type_built(TFLM_FLOAT32)) {
        const float *x = (const float *)in->data;
        float *y = (float *)out->data;
        const unary_f32_fn fn = d->fn;
        for (int32_t i = 0; i < d->count; i++) {
            y[i] = fn(x[i]);
        }
    }
    return TFLM_OK;
}

// Versions: ABS 2 int8, 3 quantized int16, 4 plain int16; RSQRT 2 int8,
// 3 int16; the others are float32 only (version 1).
TFLM_KERNEL(abs, ABS, 4, AbsOptions, 1, 1, 1, sizeof(unary_data_t), unary_prepare, unary_eval);
TFLM_KERNEL(ceil, CEIL, 1, NONE, 1, 1, 1, sizeof(unary_data_t), unary_prepare, unary_eval);
TFLM_KERNEL(cos, COS, 1, CosOptions, 1, 1, 1, sizeof(unary_data_t), unary_prepare, unary_eval);
TFLM_KERNEL(exp, EXP, 1, ExpOptions, 1, 1, 1, sizeof(unary_data_t), unary_prepare, unary_eval);
TFLM_KERNEL(floor, FLOOR, 1, NONE, 1, 1, 1, sizeof(unary_data_t), unary_prepare, unary_eval);
TFLM_KERNEL(log, LOG, 1, NONE, 1, 1, 1, sizeof(unary_data_t), unary_prepare, unary_eval);
TFLM_KERNEL(neg, NEG, 1, NegOptions, 1, 1, 1, sizeof(unary_data_t), unary_prepare, unary_eval);
TFLM_KERNEL(round, ROUND, 1, NONE, 1, 1, 1, sizeof(unary_data_t), unary_prepare, unary_eval);
TFLM_KERNEL(rsqrt, RSQRT, 3, NONE, 1, 1, 1, sizeof(unary_data_t), unary_prepare, unary_eval);
TFLM_KERNEL(sin, SIN, 1, NONE, 1, 1, 1, sizeof(unary_data_t), unary_prepare, unary_eval);
TFLM_KERNEL(sqrt, SQRT, 1, NONE, 1, 1, 1, sizeof(unary_data_t), unary_prepare, unary_eval);
TFLM_KERNEL(square, SQUARE, 1, SquareOptions, 1, 1, 1, sizeof(unary_data_t), unary_prepare, unary_eval);

#endif // MICROPY_TFLM_OP_UNARY
