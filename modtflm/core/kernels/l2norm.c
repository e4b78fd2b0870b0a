// L2_NORMALIZATION over the last dimension: float32 and int8.
//
// float32 (as TFLM's reference): sum of squares in float, in order;
// norm = max(sqrtf(sum), 1e-6f); out = x / norm.
// int8: sum of (x - zp)^2 in int32; gemmlowp's fixed-point inverse square
// root (TFLite's GetInvSqrtQuantizedMultiplierExp: 5 Newton-Raphson steps in
// Q3.28, times sqrt(2)/2); out = MultiplyByQuantizedMultiplier(x - zp,
// inv, shift + 7) clamped to int8, i.e. in units of 1/128. The output must
// be quantized with scale 1/128 and zero point 0, as TFLite requires.
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_L2NORM
#include <math.h>
#include "../kernel.h"
#include "../support/quant.h"
#include "../support/elements.h"

// L2NormOptions fields.
enum { L2_ACTIVATION = 0 };

typedef struct {
    int32_t outer;
    int32_t depth;
    int32_t in_zero_point;
} l2_data_t;

static tflm_status_t l2_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    l2_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *out = tflm_node_output(ip, node, 0);
    int activation = tflm_opt_i8(node, L2_ACTIVATION, 0);
    if (activation < 0 || activation > TFLM_ACT_SIGN_BIT) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "fused activation %d out of range", activation);
    }
    if (activation != TFLM_ACT_NONE) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "fused activation %d", activation);
    }
    if (in->rank == 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input must have at least one dimension");
    }
    if (!tflm_same_shape(out, in)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape differs from the input's");
    }
    if (out->type != in->type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output is %s, input %s",
            tflm_type_name(out->type), tflm_type_name(in->type));
    }
    d->depth = in->dims[in->rank - 1];
    d->outer = d->depth ? tflm_elem_count(in) / d->depth : 0;
    if (in->type == TFLM_FLOAT32) {
        return TFLM_OK;
    }
    if (in->type != TFLM_INT8) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input type %s", tflm_type_name(in->type));
    }
    if ((s = tflm_check_quantized(ip, node, in, "input")) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, out, "output")) != TFLM_OK) {
        return s;
    }
    if ((in->flags | out->flags) & TFLM_T_PER_CHANNEL) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "per-channel quantization");
    }
    if (out->scale != 1.0f / 128.0f || out->zero_point != 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "int8 output must have scale 1/128 and zero point 0");
    }
    d->in_zero_point = in->zero_point;
    return TFLM_OK;
}

static void l2_eval_float(const l2_data_t *d, const float *in, float *out) {
    const int32_t depth = d->depth;
    for (int32_t o = 0; o < d->outer; o++, in += depth, out += depth) {
        float sum = 0.0f;
        for (int32_t c = 0; c < depth; c++) {
            sum += in[c] * in[c];
        }
        float norm = sqrtf(sum);
        norm = norm < 1e-6f ? 1e-6f : norm;
        for (int32_t c = 0; c < depth; c++) {
            out[c] = in[c] / norm;
        }
    }
}

static void l2_eval_int8(const l2_data_t *d, const int8_t *in, int8_t *out) {
    const int32_t depth = d->depth, zp = d->in_zero_point;
    for (int32_t o = 0; o < d->outer; o++, in += depth, out += depth) {
        // Wraps (as TFLM's int32 sum would) past about 33000 elements.
        uint32_t acc = 0;
        for (int32_t c = 0; c < depth; c++) {
            int32_t v = in[c] - zp;
            acc += (uint32_t)(v * v);
        }
        int32_t mult;
        int shift;
        tflm_inv_sqrt_multiplier((int32_t)acc, &mult, &shift);
        shift += 7;
        for (int32_t c = 0; c < depth; c++) {
            int32_t v = tflm_mul_by_quant_mul(in[c] - zp, mult, shift);
            out[c] = (int8_t)tflm_clamp_i32(v, -128, 127);
        }
    }
}

static tflm_status_t l2_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const l2_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if (in->type == TFLM_FLOAT32) {
        l2_eval_float(d, (const float *)in->data, (float *)out->data);
    } else {
        l2_eval_int8(d, (const int8_t *)in->data, (int8_t *)out->data);
    }
    return TFLM_OK;
}

TFLM_KERNEL(l2_normalization, L2_NORMALIZATION, 2, L2NormOptions, 1, 1, 1,
    sizeof(l2_data_t), l2_prepare, l2_eval);

#endif // MICROPY_TFLM_OP_L2NORM
