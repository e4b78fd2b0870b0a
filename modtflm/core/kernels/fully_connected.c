// FULLY_CONNECTED: float32, and int8 with per-tensor or per-channel weights.
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_FULLY_CONNECTED
#include "../kernel.h"
#include "../quant.h"

// FullyConnectedOptions fields.
enum { FC_ACTIVATION = 0, FC_WEIGHTS_FORMAT = 1, FC_KEEP_NUM_DIMS = 2 };

typedef struct {
    int32_t depth;   // accumulation depth (filter's last dim)
    int32_t units;   // output channels (filter's first dim)
    int32_t batches;
    int32_t in_offset;
    int32_t filter_offset;
    int32_t out_offset;
    int32_t act_min;
    int32_t act_max;
    int32_t multiplier; // per-tensor
    int32_t shift;
    int32_t *channel_mult; // per-channel pairs (multiplier, shift), or NULL
    float f_min;
    float f_max;
} fc_data_t;

static tflm_status_t fc_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s = tflm_check_io(ip, node, 2, 3, 1);
    if (s != TFLM_OK) {
        return s;
    }
    fc_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    const tflm_tensor_t *filter = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *bias = tflm_node_input(ip, node, 2);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    int activation = tflm_opt_i8(node, FC_ACTIVATION, 0);
    if (activation < 0 || activation > TFLM_ACT_SIGN_BIT) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "fused activation %d out of range", activation);
    }
    int format = tflm_opt_i8(node, FC_WEIGHTS_FORMAT, 0);
    if (format < 0 || format > 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "weights format %d out of range", format);
    }
    if (format != 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "shuffled weights are not supported");
    }
    if (filter->rank != 2 || !(filter->flags & TFLM_T_CONST)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "weights must be a constant 2-D tensor");
    }
    d->units = filter->dims[0];
    d->depth = filter->dims[1];
    int32_t in_count = tflm_elem_count(in);
    if (d->depth == 0 || d->units == 0 || in_count % d->depth != 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input of %d elements does not match weights depth %d",
            in_count, d->depth);
    }
    d->batches = in_count / d->depth;
    if (out->rank == 0 || out->dims[out->rank - 1] != d->units
        || tflm_elem_count(out) != d->batches * d->units) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape does not match %d batches x %d units",
            d->batches, d->units);
    }
    if (bias && (bias->rank == 0 || tflm_elem_count(bias) != d->units)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "bias has %d elements, expected %d",
            tflm_elem_count(bias), d->units);
    }
    if (in->type == TFLM_FLOAT32) {
        if ((s = tflm_check_type(ip, node, filter, "weights", TFLM_FLOAT32)) != TFLM_OK
            || (s = tflm_check_type(ip, node, out, "output", TFLM_FLOAT32)) != TFLM_OK
            || (bias && (s = tflm_check_type(ip, node, bias, "bias", TFLM_FLOAT32)) != TFLM_OK)) {
            if (filter->type == TFLM_INT8) {
                return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED,
                    "hybrid float/int8 weights are not supported");
            }
            return s;
        }
        if (!tflm_activation_range_float(activation, &d->f_min, &d->f_max)) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "fused activation %d", activation);
        }
        return TFLM_OK;
    }
    if (in->type != TFLM_INT8) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input type %s", tflm_type_name(in->type));
    }
    if ((s = tflm_check_type(ip, node, filter, "weights", TFLM_INT8)) != TFLM_OK
        || (s = tflm_check_type(ip, node, out, "output", TFLM_INT8)) != TFLM_OK
        || (bias && (s = tflm_check_type(ip, node, bias, "bias", TFLM_INT32)) != TFLM_OK)
        || (s = tflm_check_quantized(ip, node, in, "input")) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, filter, "weights")) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, out, "output")) != TFLM_OK) {
        return s;
    }
    d->in_offset = -in->zero_point;
    d->filter_offset = -filter->zero_point;
    d->out_offset = out->zero_point;
    s = tflm_activation_range_quant(activation, out, &d->act_min, &d->act_max);
    if (s != TFLM_OK) {
        return tflm_op_fail(ip, node, s, "fused activation %d has no int8 form", activation);
    }
    if (filter->flags & TFLM_T_PER_CHANNEL) {
        uint32_t n;
        const uint8_t *scales = tflm_channel_scales(ip, filter, &n);
        if (filter->quant_dim != 0 || n != (uint32_t)d->units) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "per-channel weights must be quantized along units");
        }
        d->channel_mult = tflm_alloc_persistent(ip, 2 * sizeof(int32_t) * n);
        if (d->channel_mult == NULL) {
            return TFLM_ERR_ARENA;
        }
        for (uint32_t c = 0; c < n; c++) {
            double eff = (double)in->scale * (double)fb_f32(scales + 4 * c) / (double)out->scale;
            int shift;
            tflm_quantize_multiplier(eff, &d->channel_mult[2 * c], &shift);
            d->channel_mult[2 * c + 1] = shift;
        }
    } else {
        // TFLite multiplies the two scales in float before widening.
        double eff = (double)(in->scale * filter->scale) / (double)out->scale;
        int shift;
        tflm_quantize_multiplier(eff, &d->multiplier, &shift);
        d->shift = shift;
    }
    return TFLM_OK;
}

static tflm_status_t fc_eval_float(const fc_data_t *d, const float *in, const float *w, const float *bias, float *out) {
    for (int32_t b = 0; b < d->batches; b++) {
        const float *x = in + b * d->depth;
        for (int32_t u = 0; u < d->units; u++) {
            const float *wu = w + u * d->depth;
            float total = 0.0f;
            for (int32_t i = 0; i < d->depth; i++) {
                total += x[i] * wu[i];
            }
            float v = total + (bias ? bias[u] : 0.0f);
            v = v < d->f_min ? d->f_min : v;
            v = d->f_max < v ? d->f_max : v;
            *out++ = v;
        }
    }
    return TFLM_OK;
}

static tflm_status_t fc_eval_int8(const fc_data_t *d, const int8_t *in, const int8_t *w, const int32_t *bias, int8_t *out) {
    const int32_t in_off = d->in_offset, w_off = d->filter_offset;
    for (int32_t b = 0; b < d->batches; b++) {
        const int8_t *x = in + b * d->depth;
        for (int32_t u = 0; u < d->units; u++) {
            const int8_t *wu = w + u * d->depth;
            int32_t acc = 0;
            for (int32_t i = 0; i < d->depth; i++) {
                acc += (x[i] + in_off) * (wu[i] + w_off);
            }
            if (bias) {
                acc += bias[u];
            }
            if (d->channel_mult) {
                acc = tflm_mul_by_quant_mul(acc, d->channel_mult[2 * u], d->channel_mult[2 * u + 1]);
            } else {
                acc = tflm_mul_by_quant_mul(acc, d->multiplier, d->shift);
            }
            acc += d->out_offset;
            acc = acc < d->act_min ? d->act_min : acc > d->act_max ? d->act_max : acc;
            *out++ = (int8_t)acc;
        }
    }
    return TFLM_OK;
}

static tflm_status_t fc_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const fc_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    const tflm_tensor_t *w = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *bias = tflm_node_input(ip, node, 2);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if (in->type == TFLM_FLOAT32) {
        return fc_eval_float(d, (const float *)in->data, (const float *)w->data,
            bias ? (const float *)bias->data : NULL, (float *)out->data);
    }
    return fc_eval_int8(d, (const int8_t *)in->data, (const int8_t *)w->data,
        bias ? (const int32_t *)bias->data : NULL, (int8_t *)out->data);
}

const tflm_kernel_t tflm_kernel_fully_connected = {
    .builtin = TFLM_OP_FULLY_CONNECTED,
    .max_version = 13,
    .options_type = 8, // FullyConnectedOptions
    .op_data_size = sizeof(fc_data_t),
    .prepare = fc_prepare,
    .eval = fc_eval,
};

#endif // MICROPY_TFLM_OP_FULLY_CONNECTED
