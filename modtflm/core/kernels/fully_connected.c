// FULLY_CONNECTED: float32; int8 (per-tensor or per-channel int8 weights,
// int32 bias); int16 activations with int8 weights (per-tensor or
// per-channel) and an int64 or int32 bias. Optional bias, keep_num_dims,
// any number of batches and a multi-dimensional input. Weights may be
// constant or computed.
//
// Arithmetic as TFLM's reference kernels:
//  - int8: int32 accumulator of (w + w_off) * (x + x_off) (w_off only for
//    per-tensor weights), + bias, 32-bit MultiplyByQuantizedMultiplier
//    (double rounding), + output zero point, clamp.
//  - int16 with an int64 bias (or none): int64 accumulator and the 64-bit
//    MultiplyByQuantizedMultiplier (16-bit reduced multiplier, one rounding
//    shift); with an int32 bias: int32 accumulator and the 32-bit form. The
//    input and output zero points are applied as for int8.
//  - multiplier: (double)in_scale * (double)w_scale[c] / (double)out_scale,
//    per tensor or per channel.
// Accumulators wrap (two's complement) instead of overflowing, so crafted
// models cannot reach undefined behaviour.
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_FULLY_CONNECTED
#include <string.h>
#include "../kernel.h"
#include "../support/quant.h"
#include "fully_connected.h"

// FullyConnectedOptions fields.
enum { FC_ACTIVATION = 0, FC_WEIGHTS_FORMAT = 1, FC_KEEP_NUM_DIMS = 2 };

// tflm_quantize_multiplier saturates at shift 30; the 64-bit rescale needs a
// right shift of at least one bit, so shift <= 14 there.
static tflm_status_t check_shift(tflm_interp_t *ip, const tflm_node_t *node, int shift, int max_shift) {
    if (shift > max_shift) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL,
            "output scale too small for the input and weights scales (shift %d)", shift);
    }
    return TFLM_OK;
}

static tflm_status_t fc_prepare_quant(tflm_interp_t *ip, tflm_node_t *node, fc_data_t *d, int activation) {
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *filter = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *bias = tflm_node_input(ip, node, 2), *out = tflm_node_output(ip, node, 0);
    tflm_status_t s;
    if (in->type == TFLM_INT8) {
        d->kind = FC_I8;
        if (bias && bias->type != TFLM_INT32) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "int8 bias must be int32, not %s",
                tflm_type_name(bias->type));
        }
    } else {
        d->kind = FC_I16_ACC64;
        if (bias && bias->type == TFLM_INT32) {
            d->kind = FC_I16_ACC32;
        } else if (bias && bias->type != TFLM_INT64) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "int16 bias must be int64 or int32, not %s",
                tflm_type_name(bias->type));
        }
    }
    if (filter->type != TFLM_INT8) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "%s input with %s weights",
            tflm_type_name(in->type), tflm_type_name(filter->type));
    }
    if ((s = tflm_check_quantized(ip, node, in, "input")) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, filter, "weights")) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, out, "output")) != TFLM_OK) {
        return s;
    }
    if ((in->flags | out->flags) & TFLM_T_PER_CHANNEL) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "per-channel quantized activations");
    }
    d->in_offset = -in->zero_point;
    d->out_offset = (int16_t)out->zero_point; // in the output type's range (verified)
    int32_t act_min, act_max;
    s = tflm_activation_range_quant(activation, out, &act_min, &act_max);
    d->act_min = (int16_t)act_min;
    d->act_max = (int16_t)act_max;
    if (s != TFLM_OK) {
        return tflm_op_fail(ip, node, s, "fused activation %d has no %s form", activation,
            tflm_type_name(out->type));
    }
    int max_shift = d->kind == FC_I16_ACC64 ? 14 : 30;
    if (filter->flags & TFLM_T_PER_CHANNEL) {
        uint32_t n;
        const uint8_t *scales = tflm_channel_scales(ip, filter, &n);
        if (filter->quant_dim != 0 || n != (uint32_t)d->units) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "per-channel weights must be quantized along units");
        }
        d->filter_offset = 0;
        d->channel_mult = tflm_alloc_persistent(ip, (sizeof(int32_t) + 1) * n);
        if (d->channel_mult == NULL) {
            return TFLM_ERR_ARENA;
        }
        for (uint32_t c = 0; c < n; c++) {
            double eff = (double)in->scale * (double)fb_f32(scales + 4 * c) / (double)out->scale;
            int shift;
            tflm_quantize_multiplier(eff, &d->channel_mult[c], &shift);
            if ((s = check_shift(ip, node, shift, max_shift)) != TFLM_OK) {
                return s;
            }
            ((int8_t *)(d->channel_mult + n))[c] = (int8_t)shift;
        }
    } else {
        d->filter_offset = (int16_t)-filter->zero_point;
        // The bias scale must be close to in_scale * w_scale, relative to the
        // output scale (TFLite's GetQuantizedConvolutionMultipler).
        double product = (double)in->scale * (double)filter->scale;
        if (bias) {
            double bias_scale = (bias->flags & TFLM_T_QUANT) ? (double)bias->scale : 0;
            double diff = product > bias_scale ? product - bias_scale : bias_scale - product;
            // 0.02 as a ratio of integers: a double constant would turn float under
            // -fsingle-precision-constant (some ports build with it).
            if (!(diff / (double)out->scale <= (double)2 / 100)) {
                return tflm_op_fail(ip, node, TFLM_ERR_MODEL,
                    "bias scale does not match input scale * weights scale");
            }
        }
        // The scales' product in double, as TFLM's per-channel path (the
        // oracle's build does so too; older sources multiplied in float).
        double eff = product / (double)out->scale;
        int shift;
        tflm_quantize_multiplier(eff, &d->multiplier, &shift);
        if ((s = check_shift(ip, node, shift, max_shift)) != TFLM_OK) {
            return s;
        }
        d->shift = (int8_t)shift;
    }
    return TFLM_OK;
}

static tflm_status_t fc_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    fc_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *filter = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *bias = tflm_node_input(ip, node, 2), *out = tflm_node_output(ip, node, 0);
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
    bool keep_dims = tflm_opt_i8(node, FC_KEEP_NUM_DIMS, 0) != 0;

    // Shapes: weights [units, depth]; the input's elements form batches of
    // `depth`; the output is [batches, units], or with keep_num_dims the
    // input's shape with the last dim replaced by units.
    if (filter->rank != 2) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "weights must be 2-D, not %d-D", (int)filter->rank);
    }
    d->units = filter->dims[0];
    d->depth = filter->dims[1];
    int32_t in_count = tflm_elem_count(in);
    if (d->depth <= 0 || d->units <= 0 || in->rank == 0 || in_count % d->depth != 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input of %d elements does not match weights depth %d",
            (int)in_count, (int)d->depth);
    }
    d->batches = in_count / d->depth;
    bool shape_ok;
    if (keep_dims) {
        shape_ok = out->rank == in->rank && in->dims[in->rank - 1] == d->depth
            && out->dims[out->rank - 1] == d->units;
        for (int i = 0; shape_ok && i < in->rank - 1; i++) {
            shape_ok = out->dims[i] == in->dims[i];
        }
    } else {
        shape_ok = out->rank == 2 && out->dims[0] == d->batches && out->dims[1] == d->units;
    }
    if (!shape_ok) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape does not match %d batches x %d units%s",
            (int)d->batches, (int)d->units, keep_dims ? " (keep_num_dims)" : "");
    }
    if (bias && tflm_elem_count(bias) != d->units) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "bias has %d elements, expected %d",
            (int)tflm_elem_count(bias), (int)d->units);
    }

    if ((s = tflm_check_type_built(ip, node, in->type)) != TFLM_OK) {
        return s;
    }
    if (out->type != in->type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output is %s, input %s",
            tflm_type_name(out->type), tflm_type_name(in->type));
    }
    if (in->type == TFLM_FLOAT32) {
        d->kind = FC_F32;
        if (filter->type != TFLM_FLOAT32) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED,
                "hybrid float32 input with %s weights", tflm_type_name(filter->type));
        }
        if (bias && bias->type != TFLM_FLOAT32) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "float32 bias is %s", tflm_type_name(bias->type));
        }
        if (!tflm_activation_range_float(activation, &d->f_min, &d->f_max)) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "fused activation %d", activation);
        }
        return TFLM_OK;
    }
    if (in->type != TFLM_INT8 && in->type != TFLM_INT16) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input type %s", tflm_type_name(in->type));
    }
    if ((s = fc_prepare_quant(ip, node, d, activation)) != TFLM_OK) {
        return s;
    }
#if MICROPY_TFLM_OPT_KERNELS
    if (d->kind == FC_I8) {
        return tflm_fc_opt_prepare(ip, node, d);
    }
#endif
    return TFLM_OK;
}

// RISC-V: the eval loops out of line, so that fc_eval saves no registers
// on the optimized int8 path (with the loops inlined it saves all twelve,
// on every path). On the Arm cores that saves only a few instructions and
// the float and reference int8 layers (vww's, trained_lstm's) would pay a
// call.
#if defined(__riscv)
#define FC_LOOP_NOINLINE __attribute__((noinline))
#else
#define FC_LOOP_NOINLINE
#endif

static FC_LOOP_NOINLINE void fc_eval_float(const fc_data_t *d, const float *in, const float *w, const float *bias,
    float *out) {
    const int32_t depth = d->depth, units = d->units;
    const float lo = d->f_min, hi = d->f_max;
    for (int32_t b = 0; b < d->batches; b++, in += depth) {
        const float *wu = w;
        for (int32_t u = 0; u < units; u++, wu += depth) {
            float total = 0.0f;
            for (int32_t i = 0; i < depth; i++) {
                total += in[i] * wu[i];
            }
            *out++ = tflm_clamp_f32(total + (bias ? bias[u] : 0.0f), lo, hi);
        }
    }
}

static inline int32_t fc_requant(const fc_data_t *d, int32_t acc, int32_t u) {
    if (d->channel_mult) {
        return tflm_mul_by_quant_mul(acc, d->channel_mult[u], fc_shifts(d)[u]);
    }
    return tflm_mul_by_quant_mul(acc, d->multiplier, d->shift);
}

// TFLite's 64-bit MultiplyByQuantizedMultiplier, computed in unsigned
// arithmetic so an out-of-range accumulator wraps rather than overflows.
static inline int32_t fc_mul_by_quant_mul_64(int64_t x, int32_t multiplier, int shift) {
    int32_t reduced = multiplier < 0x7fff0000 ? (multiplier + (1 << 15)) >> 16 : 0x7fff;
    int total_shift = 15 - shift;
    uint64_t r = (uint64_t)x * (uint64_t)(int64_t)reduced + ((uint64_t)1 << (total_shift - 1));
    return (int32_t)((int64_t)r >> total_shift);
}

static FC_LOOP_NOINLINE void fc_eval_int8(const fc_data_t *d, const int8_t *in, const int8_t *w,
    const int32_t *bias, int8_t *out) {
    const int32_t in_off = d->in_offset, w_off = d->filter_offset, depth = d->depth, units = d->units;
    for (int32_t b = 0; b < d->batches; b++, in += depth) {
        const int8_t *wu = w;
        for (int32_t u = 0; u < units; u++, wu += depth) {
            uint32_t acc = 0;
            for (int32_t i = 0; i < depth; i++) {
                acc += (uint32_t)((in[i] + in_off) * (wu[i] + w_off));
            }
            if (bias) {
                acc += (uint32_t)bias[u];
            }
            int32_t v = (int32_t)((uint32_t)fc_requant(d, (int32_t)acc, u) + (uint32_t)d->out_offset);
            *out++ = (int8_t)tflm_clamp_i32(v, d->act_min, d->act_max);
        }
    }
}

static FC_LOOP_NOINLINE void fc_eval_int16(const fc_data_t *d, const int16_t *in, const int8_t *w,
    const void *bias, int16_t *out) {
    const int32_t in_off = d->in_offset, w_off = d->filter_offset, depth = d->depth, units = d->units;
    const bool acc64 = d->kind == FC_I16_ACC64;
    for (int32_t b = 0; b < d->batches; b++, in += depth) {
        const int8_t *wu = w;
        for (int32_t u = 0; u < units; u++, wu += depth) {
            int32_t v;
            if (acc64) {
                uint64_t acc = 0;
                for (int32_t i = 0; i < depth; i++) {
                    acc += (uint64_t)(int64_t)((in[i] + in_off) * (wu[i] + w_off));
                }
                if (bias) {
                    // memcpy: an int64 load of model data that is only
                    // 4-byte aligned would fault on Cortex-M (LDRD).
                    int64_t bv;
                    memcpy(&bv, (const uint8_t *)bias + 8 * (size_t)u, sizeof(bv));
                    acc += (uint64_t)bv;
                }
                if (d->channel_mult) {
                    v = fc_mul_by_quant_mul_64((int64_t)acc, d->channel_mult[u], fc_shifts(d)[u]);
                } else {
                    v = fc_mul_by_quant_mul_64((int64_t)acc, d->multiplier, d->shift);
                }
            } else {
                uint32_t acc = 0;
                for (int32_t i = 0; i < depth; i++) {
                    acc += (uint32_t)((in[i] + in_off) * (wu[i] + w_off));
                }
                acc += (uint32_t)((const int32_t *)bias)[u];
                v = fc_requant(d, (int32_t)acc, u);
            }
            // Wraps like TFLM's int32 arithmetic on an extreme result.
            v = (int32_t)((uint32_t)v + (uint32_t)d->out_offset);
            *out++ = (int16_t)tflm_clamp_i32(v, d->act_min, d->act_max);
        }
    }
}

static tflm_status_t fc_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const fc_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *w = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *bias = tflm_node_input(ip, node, 2);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    const void *bias_data = bias ? (const void *)bias->data : NULL;
    switch (d->kind) {
        case FC_F32:
            if (MICROPY_TFLM_TYPE_FLOAT32) {
                fc_eval_float(d, (const float *)in->data, (const float *)w->data, bias_data, (float *)out->data);
            }
            break;
        case FC_I8:
#if MICROPY_TFLM_OPT_KERNELS
            if (d->opt) {
                tflm_fc_opt_eval(d, (const int8_t *)in->data, (const int8_t *)w->data, bias_data,
                    (int8_t *)out->data, node->scratch);
                break;
            }
#endif
            fc_eval_int8(d, (const int8_t *)in->data, (const int8_t *)w->data, bias_data, (int8_t *)out->data);
            break;
        default:
            if (!MICROPY_TFLM_TYPE_INT16) {
                break;
            }
            fc_eval_int16(d, (const int16_t *)in->data, (const int8_t *)w->data, bias_data, (int16_t *)out->data);
            break;
    }
    return TFLM_OK;
}

TFLM_KERNEL(fully_connected, FULLY_CONNECTED, 13, FullyConnectedOptions, 2, 3, 1,
    sizeof(fc_data_t), fc_prepare, fc_eval);

#endif // MICROPY_TFLM_OP_FULLY_CONNECTED
