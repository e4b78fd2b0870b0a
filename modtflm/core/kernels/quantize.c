// QUANTIZE and DEQUANTIZE, per-tensor, as TFLM's reference kernels.
//
// QUANTIZE
//  - float32 -> int8/int16 (and uint8, which TFLM's kernel refuses at
//    invoke; kept here with the same arithmetic): q = round(x / scale) half
//    away from zero, in float, then converted to int32 the way the x86 build
//    of TFLM (the oracle) converts: NaN and values outside the int32 range
//    become INT32_MIN. The zero point is added with int32 wrap-around and
//    the result clamped to the output type.
//  - requantization int8 -> int8/uint8/int16/int32, uint8 -> int8,
//    int16 -> int8/int16/int32, int32 -> int8/int16:
//    MultiplyByQuantizedMultiplier(x - in_zp, M(in_scale / out_scale)) +
//    out_zp, clamped. (TFLM's shortcut for int8 <-> uint8 with equal scales
//    flips bit 7, which gives the same numbers.)
// DEQUANTIZE: int8/uint8/int16 -> float32, out = scale * (float)(q - zp).
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_QUANTIZE
#include "../kernel.h"
#include "../support/quant.h"
#include "../support/elements.h"

enum { Q_FROM_FLOAT = 0, Q_REQUANT = 1 };

typedef struct {
    float scale;
    int32_t zero_point; // output's (quantize) or input's (dequantize)
    int32_t in_zero_point;
    int32_t count;
    int32_t act_min; // the output type's range (output zero point included)
    int32_t act_max;
    int32_t multiplier;
    int32_t shift;
    uint8_t kind;
    uint8_t in_type;
    uint8_t out_type;
} quant_data_t;

// One input, one output of as many elements.
static tflm_status_t quant_io(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t **in_out,
    const tflm_tensor_t **out_out) {
    const tflm_tensor_t *in = *in_out = tflm_node_input(ip, node, 0);
    const tflm_tensor_t *out = *out_out = tflm_node_output(ip, node, 0);
    if (tflm_elem_count(in) != tflm_elem_count(out)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input has %d elements, output %d",
            (int)tflm_elem_count(in), (int)tflm_elem_count(out));
    }
    return TFLM_OK;
}

// The integer conversions TFLM's QUANTIZE performs.
static inline bool requant_supported(int in, int out) {
    switch (in) {
        case TFLM_INT8:
            return out == TFLM_INT8 || out == TFLM_UINT8 || out == TFLM_INT16 || out == TFLM_INT32;
        case TFLM_UINT8:
            return out == TFLM_INT8;
        case TFLM_INT16:
            return out == TFLM_INT8 || out == TFLM_INT16 || out == TFLM_INT32;
        case TFLM_INT32:
            return out == TFLM_INT8 || out == TFLM_INT16;
        default:
            return false;
    }
}

static tflm_status_t quantize_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    quant_data_t *d = node->op_data;
    const tflm_tensor_t *in = NULL, *out = NULL;
    tflm_status_t s;
    if ((s = quant_io(ip, node, &in, &out)) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, out, "output")) != TFLM_OK) {
        return s;
    }
    if (out->flags & TFLM_T_PER_CHANNEL) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "per-channel output");
    }
    d->in_type = in->type;
    d->out_type = out->type;
    d->scale = out->scale;
    d->zero_point = out->zero_point;
    d->count = tflm_elem_count(in);
    if (in->type == TFLM_FLOAT32) {
        d->kind = Q_FROM_FLOAT;
        if (out->type != TFLM_INT8 && out->type != TFLM_UINT8 && out->type != TFLM_INT16) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "float32 to %s", tflm_type_name(out->type));
        }
        tflm_type_range(out->type, &d->act_min, &d->act_max);
        return TFLM_OK;
    }
    if (!requant_supported(in->type, out->type)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "%s to %s",
            tflm_type_name(in->type), tflm_type_name(out->type));
    }
    if ((s = tflm_check_quantized(ip, node, in, "input")) != TFLM_OK) {
        return s;
    }
    if (in->flags & TFLM_T_PER_CHANNEL) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "per-channel input");
    }
    d->kind = Q_REQUANT;
    d->in_zero_point = in->zero_point;
    tflm_type_range(out->type, &d->act_min, &d->act_max);
    int shift;
    // (An absurd ratio saturates at shift 30 there, as in the other kernels.)
    tflm_quantize_multiplier((double)in->scale / (double)out->scale, &d->multiplier, &shift);
    d->shift = shift;
    return TFLM_OK;
}

// float -> int32 as x86's cvttss2si: out-of-range and NaN give INT32_MIN.
static inline int32_t to_int32_x86(float q) {
    return (q >= -2147483648.0f && q < 2147483648.0f) ? (int32_t)q : INT32_MIN;
}

// float -> int8/uint8/int16 (`to`, a constant).
TFLM_INLINE_LOOP void quantize_run(const quant_data_t *d, const float *src, void *dst, const int to) {
    const float scale = d->scale;
    const int32_t zp = d->zero_point, act_min = d->act_min, act_max = d->act_max, n = d->count;
    for (int32_t i = 0; i < n; i++) {
        int32_t v = (int32_t)((uint32_t)to_int32_x86(tflm_roundf(src[i] / scale)) + (uint32_t)zp);
        tflm_store_int(dst, (size_t)i, tflm_clamp_i32(v, act_min, act_max), to);
    }
}

// Requantization from type `ti` to type `to` (constants).
TFLM_INLINE_LOOP void requant_run(const quant_data_t *d, const void *src, void *dst, const int ti, const int to) {
    const int32_t izp = d->in_zero_point, ozp = d->zero_point, mult = d->multiplier;
    const int shift = d->shift;
    const int32_t act_min = d->act_min, act_max = d->act_max, n = d->count;
    for (int32_t i = 0; i < n; i++) {
        int32_t x = (int32_t)((uint32_t)tflm_load_int(src, (size_t)i, ti) - (uint32_t)izp);
        int32_t v = (int32_t)((uint32_t)tflm_mul_by_quant_mul(x, mult, shift) + (uint32_t)ozp);
        tflm_store_int(dst, (size_t)i, tflm_clamp_i32(v, act_min, act_max), to);
    }
}

// Requantization from type `ti` (a constant) to the output's type, for the
// pairs requant_supported allows (no code for the others).
TFLM_INLINE_LOOP void requant_from(const quant_data_t *d, const void *src, void *dst, const int ti) {
    const int to = d->out_type;
    if (to == TFLM_INT8 && requant_supported(ti, TFLM_INT8)) {
        requant_run(d, src, dst, ti, TFLM_INT8);
    } else if (to == TFLM_UINT8 && requant_supported(ti, TFLM_UINT8)) {
        requant_run(d, src, dst, ti, TFLM_UINT8);
    } else if (to == TFLM_INT16 && requant_supported(ti, TFLM_INT16)) {
        requant_run(d, src, dst, ti, TFLM_INT16);
    } else if (requant_supported(ti, TFLM_INT32)) {
        requant_run(d, src, dst, ti, TFLM_INT32);
    }
}

static tflm_status_t quantize_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const quant_data_t *d = node->op_data;
    const void *in = tflm_node_input(ip, node, 0)->data;
    void *out = tflm_node_output(ip, node, 0)->data;
    if (d->kind == Q_FROM_FLOAT) {
        if (d->out_type == TFLM_INT8) {
            quantize_run(d, in, out, TFLM_INT8);
        } else if (d->out_type == TFLM_UINT8) {
            quantize_run(d, in, out, TFLM_UINT8);
        } else {
            quantize_run(d, in, out, TFLM_INT16);
        }
    } else if (d->in_type == TFLM_INT8) {
        requant_from(d, in, out, TFLM_INT8);
    } else if (d->in_type == TFLM_UINT8) {
        requant_from(d, in, out, TFLM_UINT8);
    } else if (d->in_type == TFLM_INT16) {
        requant_from(d, in, out, TFLM_INT16);
    } else {
        requant_from(d, in, out, TFLM_INT32);
    }
    return TFLM_OK;
}

static tflm_status_t dequantize_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    quant_data_t *d = node->op_data;
    const tflm_tensor_t *in = NULL, *out = NULL;
    tflm_status_t s;
    if ((s = quant_io(ip, node, &in, &out)) != TFLM_OK
        || (s = tflm_check_type(ip, node, out, "output", TFLM_FLOAT32)) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, in, "input")) != TFLM_OK) {
        return s;
    }
    if (in->type != TFLM_INT8 && in->type != TFLM_UINT8 && in->type != TFLM_INT16) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input type %s", tflm_type_name(in->type));
    }
    if (in->flags & TFLM_T_PER_CHANNEL) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "per-channel input");
    }
    d->in_type = in->type;
    d->scale = in->scale;
    d->zero_point = in->zero_point;
    d->count = tflm_elem_count(in);
    return TFLM_OK;
}

// int8/uint8/int16 (`ti`, a constant) -> float.
TFLM_INLINE_LOOP void dequantize_run(const quant_data_t *d, const void *src, float *dst, const int ti) {
    const float scale = d->scale;
    const int32_t zp = d->zero_point, n = d->count;
    for (int32_t i = 0; i < n; i++) {
        dst[i] = scale * (float)(tflm_load_int(src, (size_t)i, ti) - zp);
    }
}

static tflm_status_t dequantize_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const quant_data_t *d = node->op_data;
    const void *in = tflm_node_input(ip, node, 0)->data;
    float *out = (float *)tflm_node_output(ip, node, 0)->data;
    if (d->in_type == TFLM_INT8) {
        dequantize_run(d, in, out, TFLM_INT8);
    } else if (d->in_type == TFLM_UINT8) {
        dequantize_run(d, in, out, TFLM_UINT8);
    } else {
        dequantize_run(d, in, out, TFLM_INT16);
    }
    return TFLM_OK;
}

TFLM_KERNEL(quantize, QUANTIZE, 3, QuantizeOptions, 1, 1, 1,
    sizeof(quant_data_t), quantize_prepare, quantize_eval);
TFLM_KERNEL(dequantize, DEQUANTIZE, 6, DequantizeOptions, 1, 1, 1,
    sizeof(quant_data_t), dequantize_prepare, dequantize_eval);

#endif // MICROPY_TFLM_OP_QUANTIZE
