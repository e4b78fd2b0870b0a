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

enum { Q_FROM_FLOAT = 0, Q_REQUANT = 1 };

typedef struct {
    float scale;
    int32_t zero_point; // output's (quantize) or input's (dequantize)
    int32_t in_zero_point;
    int32_t count;
    int32_t qmin;
    int32_t qmax;
    int32_t multiplier;
    int32_t shift;
    uint8_t kind;
    uint8_t in_type;
    uint8_t out_type;
} quant_data_t;

static bool int_range(int type, int32_t *lo, int32_t *hi) {
    switch (type) {
        case TFLM_INT8:
            *lo = -128;
            *hi = 127;
            return true;
        case TFLM_UINT8:
            *lo = 0;
            *hi = 255;
            return true;
        case TFLM_INT16:
            *lo = -32768;
            *hi = 32767;
            return true;
        case TFLM_INT32:
            *lo = INT32_MIN;
            *hi = INT32_MAX;
            return true;
        default:
            return false;
    }
}

static tflm_status_t check_same_count(tflm_interp_t *ip, const tflm_node_t *node,
    const tflm_tensor_t *in, const tflm_tensor_t *out) {
    if (tflm_elem_count(in) != tflm_elem_count(out)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input has %d elements, output %d",
            (int)tflm_elem_count(in), (int)tflm_elem_count(out));
    }
    return TFLM_OK;
}

// The integer conversions TFLM's QUANTIZE performs.
static bool requant_supported(int in, int out) {
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
    tflm_status_t s = tflm_check_io(ip, node, 1, 1, 1);
    if (s != TFLM_OK) {
        return s;
    }
    quant_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if ((s = check_same_count(ip, node, in, out)) != TFLM_OK
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
        int_range(out->type, &d->qmin, &d->qmax);
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
    int_range(out->type, &d->qmin, &d->qmax);
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

#define QUANTIZE_LOOP(TO) do { \
        TO *dst = (TO *)out_data; \
        for (int32_t i = 0; i < n; i++) { \
            int32_t v = (int32_t)((uint32_t)to_int32_x86(tflm_roundf(src[i] / scale)) + (uint32_t)zp); \
            dst[i] = (TO)(v < lo ? lo : v > hi ? hi : v); \
        } \
} while (0)

static void quantize_float(const quant_data_t *d, const float *src, void *out_data) {
    const float scale = d->scale;
    const int32_t zp = d->zero_point, lo = d->qmin, hi = d->qmax, n = d->count;
    switch (d->out_type) {
        case TFLM_INT8:
            QUANTIZE_LOOP(int8_t);
            break;
        case TFLM_UINT8:
            QUANTIZE_LOOP(uint8_t);
            break;
        default:
            QUANTIZE_LOOP(int16_t);
            break;
    }
}

#define REQUANT_LOOP(TI, TO) do { \
        const TI *src = (const TI *)in_data; \
        TO *dst = (TO *)out_data; \
        for (int32_t i = 0; i < n; i++) { \
            int32_t x = (int32_t)((uint32_t)(int32_t)src[i] - (uint32_t)izp); \
            int32_t v = (int32_t)((uint32_t)tflm_mul_by_quant_mul(x, mult, shift) + (uint32_t)ozp); \
            dst[i] = (TO)(v < lo ? lo : v > hi ? hi : v); \
        } \
} while (0)

#define PAIR(a, b) ((a) * 16 + (b))

static void requantize(const quant_data_t *d, const void *in_data, void *out_data) {
    const int32_t izp = d->in_zero_point, ozp = d->zero_point, mult = d->multiplier;
    const int shift = d->shift;
    const int32_t lo = d->qmin, hi = d->qmax, n = d->count;
    switch (PAIR(d->in_type, d->out_type)) {
        case PAIR(TFLM_INT8, TFLM_INT8):
            REQUANT_LOOP(int8_t, int8_t);
            break;
        case PAIR(TFLM_INT8, TFLM_UINT8):
            REQUANT_LOOP(int8_t, uint8_t);
            break;
        case PAIR(TFLM_INT8, TFLM_INT16):
            REQUANT_LOOP(int8_t, int16_t);
            break;
        case PAIR(TFLM_INT8, TFLM_INT32):
            REQUANT_LOOP(int8_t, int32_t);
            break;
        case PAIR(TFLM_UINT8, TFLM_INT8):
            REQUANT_LOOP(uint8_t, int8_t);
            break;
        case PAIR(TFLM_INT16, TFLM_INT8):
            REQUANT_LOOP(int16_t, int8_t);
            break;
        case PAIR(TFLM_INT16, TFLM_INT16):
            REQUANT_LOOP(int16_t, int16_t);
            break;
        case PAIR(TFLM_INT16, TFLM_INT32):
            REQUANT_LOOP(int16_t, int32_t);
            break;
        case PAIR(TFLM_INT32, TFLM_INT8):
            REQUANT_LOOP(int32_t, int8_t);
            break;
        default: // PAIR(TFLM_INT32, TFLM_INT16), the last one prepare allows
            REQUANT_LOOP(int32_t, int16_t);
            break;
    }
}

static tflm_status_t quantize_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const quant_data_t *d = node->op_data;
    const void *in = tflm_node_input(ip, node, 0)->data;
    void *out = tflm_node_output(ip, node, 0)->data;
    if (d->kind == Q_FROM_FLOAT) {
        quantize_float(d, (const float *)in, out);
    } else {
        requantize(d, in, out);
    }
    return TFLM_OK;
}

static tflm_status_t dequantize_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s = tflm_check_io(ip, node, 1, 1, 1);
    if (s != TFLM_OK) {
        return s;
    }
    quant_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if ((s = check_same_count(ip, node, in, out)) != TFLM_OK
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

#define DEQUANTIZE_LOOP(TI) do { \
        const TI *src = (const TI *)in_data; \
        for (int32_t i = 0; i < n; i++) { \
            out[i] = scale * (float)((int32_t)src[i] - zp); \
        } \
} while (0)

static tflm_status_t dequantize_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const quant_data_t *d = node->op_data;
    const void *in_data = tflm_node_input(ip, node, 0)->data;
    float *out = (float *)tflm_node_output(ip, node, 0)->data;
    const float scale = d->scale;
    const int32_t zp = d->zero_point, n = d->count;
    switch (d->in_type) {
        case TFLM_INT8:
            DEQUANTIZE_LOOP(int8_t);
            break;
        case TFLM_UINT8:
            DEQUANTIZE_LOOP(uint8_t);
            break;
        default:
            DEQUANTIZE_LOOP(int16_t);
            break;
    }
    return TFLM_OK;
}

const tflm_kernel_t tflm_kernel_quantize = {
    .builtin = TFLM_OP_QUANTIZE,
    .max_version = 3,
    .options_type = TFLM_OPTIONS_QuantizeOptions,
    .op_data_size = sizeof(quant_data_t),
    .prepare = quantize_prepare,
    .eval = quantize_eval,
};

const tflm_kernel_t tflm_kernel_dequantize = {
    .builtin = TFLM_OP_DEQUANTIZE,
    .max_version = 6,
    .options_type = TFLM_OPTIONS_DequantizeOptions,
    .op_data_size = sizeof(quant_data_t),
    .prepare = dequantize_prepare,
    .eval = dequantize_eval,
};

#endif // MICROPY_TFLM_OP_QUANTIZE
