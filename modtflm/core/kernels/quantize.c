// QUANTIZE (float32 -> int8/uint8/int16) and DEQUANTIZE (int8/uint8/int16 ->
// float32), per-tensor.
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_QUANTIZE
#include "../kernel.h"
#include "../quant.h"

typedef struct {
    float scale;
    int32_t zero_point;
    int32_t count;
    int32_t qmin;
    int32_t qmax;
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
        default:
            return false;
    }
}

static tflm_status_t check_same_count(tflm_interp_t *ip, const tflm_node_t *node,
    const tflm_tensor_t *in, const tflm_tensor_t *out) {
    if (tflm_elem_count(in) != tflm_elem_count(out)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input has %d elements, output %d",
            tflm_elem_count(in), tflm_elem_count(out));
    }
    return TFLM_OK;
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
        || (s = tflm_check_type(ip, node, in, "input", TFLM_FLOAT32)) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, out, "output")) != TFLM_OK) {
        return s;
    }
    if (!int_range(out->type, &d->qmin, &d->qmax)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "output type %s", tflm_type_name(out->type));
    }
    if (out->flags & TFLM_T_PER_CHANNEL) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "per-channel output");
    }
    d->scale = out->scale;
    d->zero_point = out->zero_point;
    d->count = tflm_elem_count(in);
    return TFLM_OK;
}

static tflm_status_t quantize_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const quant_data_t *d = node->op_data;
    const float *in = (const float *)tflm_node_input(ip, node, 0)->data;
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    for (int32_t i = 0; i < d->count; i++) {
        float q = tflm_roundf(in[i] / d->scale);
        // Clamp in float first: the int conversion of an out-of-range float
        // is undefined.
        int32_t v = q < -2147483648.0f ? INT32_MIN : q >= 2147483648.0f ? INT32_MAX : (int32_t)q;
        v = v > INT32_MAX - 65536 ? INT32_MAX - 65536 : v < INT32_MIN + 65536 ? INT32_MIN + 65536 : v;
        v += d->zero_point;
        v = v < d->qmin ? d->qmin : v > d->qmax ? d->qmax : v;
        switch (out->type) {
            case TFLM_INT8:
                ((int8_t *)out->data)[i] = (int8_t)v;
                break;
            case TFLM_UINT8:
                out->data[i] = (uint8_t)v;
                break;
            default:
                ((int16_t *)out->data)[i] = (int16_t)v;
                break;
        }
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
    if (!int_range(in->type, &d->qmin, &d->qmax)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input type %s", tflm_type_name(in->type));
    }
    if (in->flags & TFLM_T_PER_CHANNEL) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "per-channel input");
    }
    d->scale = in->scale;
    d->zero_point = in->zero_point;
    d->count = tflm_elem_count(in);
    return TFLM_OK;
}

static tflm_status_t dequantize_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const quant_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    float *out = (float *)tflm_node_output(ip, node, 0)->data;
    for (int32_t i = 0; i < d->count; i++) {
        int32_t v = in->type == TFLM_INT8 ? ((const int8_t *)in->data)[i]
            : in->type == TFLM_UINT8 ? in->data[i] : ((const int16_t *)in->data)[i];
        out[i] = d->scale * (float)(v - d->zero_point);
    }
    return TFLM_OK;
}

const tflm_kernel_t tflm_kernel_quantize = {
    .builtin = TFLM_OP_QUANTIZE,
    .max_version = 3,
    .options_type = 89, // QuantizeOptions
    .op_data_size = sizeof(quant_data_t),
    .prepare = quantize_prepare,
    .eval = quantize_eval,
};

const tflm_kernel_t tflm_kernel_dequantize = {
    .builtin = TFLM_OP_DEQUANTIZE,
    .max_version = 6,
    .options_type = 38, // DequantizeOptions
    .op_data_size = sizeof(quant_data_t),
    .prepare = dequantize_prepare,
    .eval = dequantize_eval,
};

#endif // MICROPY_TFLM_OP_QUANTIZE
