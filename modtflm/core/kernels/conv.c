// CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV (NHWC).
//
//   CONV_2D            float32; int8 (int32 bias); int16 activations with int8
//                      weights and int64 or int32 bias. Grouped convolution
//                      (input channels a multiple of the filter's).
//   DEPTHWISE_CONV_2D  float32; int8 (int32 bias); int16 with int8 weights
//                      (int64 bias). Any depth multiplier, dilations.
//   TRANSPOSE_CONV     float32; int8 (int32 bias); int16 with int8 weights
//                      (int64 or int16 bias). Integer kernels accumulate in a
//                      scratch buffer (int32 / int64 per output element).
//
// Weights are per-tensor or per-channel quantized (zero point 0). Every
// channel gets its own multiplier, computed in double from the float scales
// as TFLite's PopulateConvolutionQuantizationParams does.
//
// Stricter than TFLM, which silently ignores these: nonzero weight zero
// points, nonzero int16 zero points (ValueError), fused TANH / SIGN_BIT
// (NotImplementedError), a depth_multiplier option that disagrees with the
// shapes and an output shape other than the computed one (ValueError).
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_CONV
#include <string.h>
#include "../kernel.h"
#include "../support/geometry.h"
#include "../support/quant.h"
#include "conv.h"

// Conv2DOptions / DepthwiseConv2DOptions / TransposeConvOptions fields.
enum { CONV_PADDING = 0, CONV_STRIDE_W = 1, CONV_STRIDE_H = 2, CONV_ACTIVATION = 3,
       CONV_DILATION_W = 4, CONV_DILATION_H = 5 };
// (Padding and strides: the same fields as CONV_*.)
enum { DW_DEPTH_MULTIPLIER = 3, DW_ACTIVATION = 4, DW_DILATION_W = 5, DW_DILATION_H = 6 };
enum { TC_ACTIVATION = 3 };  // padding and strides: as CONV_*




// ---------------------------------------------------------------------------
// Prepare helpers

static bool is_rank4(const tflm_tensor_t *t) {
    if (t->rank != 4) {
        return false;
    }
    for (int i = 0; i < 4; i++) {
        if (t->dims[i] < 1) {
            return false;
        }
    }
    return true;
}

static tflm_status_t check_window(tflm_interp_t *ip, const tflm_node_t *node, int padding,
    int32_t stride_h, int32_t stride_w, int32_t dil_h, int32_t dil_w) {
    if (padding != TFLM_PADDING_SAME && padding != TFLM_PADDING_VALID) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "padding %d is not SAME or VALID", padding);
    }
    if (stride_h < 1 || stride_w < 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "stride %dx%d must be positive",
            (int)stride_h, (int)stride_w);
    }
    if (dil_h < 1 || dil_w < 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "dilation %dx%d must be positive",
            (int)dil_h, (int)dil_w);
    }
    return TFLM_OK;
}

// The window options of every conv op (padding, strides: the same fields
// in all three; the activation at `act_field`; the dilations, when
// `dil_w_field` >= 0, there and at the next field, else 1), checked.
static tflm_status_t read_window(tflm_interp_t *ip, const tflm_node_t *node, int act_field, int dil_w_field,
    conv_geom_t *g, int *padding, int *activation) {
    *padding = tflm_opt_i8(node, CONV_PADDING, 0);
    g->stride_w = tflm_opt_i32(node, CONV_STRIDE_W, 0);
    g->stride_h = tflm_opt_i32(node, CONV_STRIDE_H, 0);
    *activation = tflm_opt_i8(node, act_field, 0);
    g->dil_w = dil_w_field < 0 ? 1 : tflm_opt_i32(node, dil_w_field, 1);
    g->dil_h = dil_w_field < 0 ? 1 : tflm_opt_i32(node, dil_w_field + 1, 1);
    return check_window(ip, node, *padding, g->stride_h, g->stride_w, g->dil_h, g->dil_w);
}

// Computes the output size and padding of a window sliding over `in` (conv
// and depthwise: the input; transpose conv: its output) and checks that
// every index the kernels form stays inside int32.
static tflm_status_t window_geometry(tflm_interp_t *ip, const tflm_node_t *node, int padding,
    int32_t in, int32_t filter, int32_t stride, int32_t dil, int32_t *out, int32_t *pad, const char *axis) {
    int64_t eff = tflm_dilated_size(filter, dil);
    if (eff + in + stride > INT32_MAX / 2) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s: filter, stride or dilation too large", axis);
    }
    int64_t o = tflm_window_out_size(padding, in, eff, stride);
    if (o < 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s: filter of %d (dilated) is larger than the input %d",
            axis, (int)eff, (int)in);
    }
    *out = (int32_t)o;
    *pad = tflm_window_pad(in, eff, stride, o);
    return TFLM_OK;
}

static tflm_status_t read_activation(tflm_interp_t *ip, const tflm_node_t *node, int activation,
    conv_data_t *d, const tflm_tensor_t *out) {
    if (activation < 0 || activation > TFLM_ACT_SIGN_BIT) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "fused activation %d out of range", activation);
    }
    if (d->type == TFLM_FLOAT32) {
        if (!tflm_activation_range_float(activation, &d->f_min, &d->f_max)) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "fused activation %d", activation);
        }
        return TFLM_OK;
    }
    int32_t lo, hi;
    tflm_status_t s = tflm_activation_range_quant(activation, out, &lo, &hi);
    if (s != TFLM_OK) {
        return tflm_op_fail(ip, node, s, "fused activation %d has no %s form", activation,
            tflm_type_name(out->type));
    }
    // Clamp before adding the output zero point: same result, no overflow.
    d->q_min_raw = lo - d->out_offset;
    d->q_max_raw = hi - d->out_offset;
    return TFLM_OK;
}

// Types of (input, weights, bias, output). Float, int8 (int32 bias) and int16
// with int8 weights; `int16_bias` lists the bias types the int16 form takes
// (bit per tflm_type_t).
static tflm_status_t check_types(tflm_interp_t *ip, const tflm_node_t *node, conv_data_t *d,
    const tflm_tensor_t *in, const tflm_tensor_t *filter, const tflm_tensor_t *bias,
    const tflm_tensor_t *out, unsigned int16_bias) {
    tflm_status_t s = tflm_check_type_built(ip, node, in->type);
    if (s != TFLM_OK) {
        return s;
    }
    d->type = in->type;
    d->bias_type = bias ? bias->type : 0;
    if ((s = tflm_check_type(ip, node, out, "output", in->type)) != TFLM_OK) {
        return s;
    }
    switch (in->type) {
        case TFLM_FLOAT32:
            if (filter->type != TFLM_FLOAT32) {
                return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED,
                    "hybrid float input with %s weights is not supported", tflm_type_name(filter->type));
            }
            if (bias && (s = tflm_check_type(ip, node, bias, "bias", TFLM_FLOAT32)) != TFLM_OK) {
                return s;
            }
            return TFLM_OK;
        case TFLM_INT8:
            if ((s = tflm_check_type(ip, node, filter, "weights", TFLM_INT8)) != TFLM_OK
                || (bias && (s = tflm_check_type(ip, node, bias, "bias", TFLM_INT32)) != TFLM_OK)) {
                return s;
            }
            return TFLM_OK;
        case TFLM_INT16:
            if ((s = tflm_check_type(ip, node, filter, "weights", TFLM_INT8)) != TFLM_OK) {
                return s;
            }
            if (bias && (bias->type >= 16 || !(int16_bias & (1u << bias->type)))) {
                return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "%s bias with int16 activations",
                    tflm_type_name(bias->type));
            }
            return TFLM_OK;
        default:
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input type %s", tflm_type_name(in->type));
    }
}

// Quantization of an integer op: per-channel multipliers (quantized
// dimension `qdim` of the weights, `channels` output channels), offsets and
// activation range. The int64-accumulator path needs a smaller shift range.
static tflm_status_t prepare_quant(tflm_interp_t *ip, tflm_node_t *node, conv_data_t *d,
    const tflm_tensor_t *in, const tflm_tensor_t *filter, const tflm_tensor_t *out,
    int32_t channels, int qdim, int activation, bool acc64) {
    tflm_status_t s;
    if ((s = tflm_check_quantized(ip, node, in, "input")) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, filter, "weights")) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, out, "output")) != TFLM_OK) {
        return s;
    }
    if ((in->flags | out->flags) & TFLM_T_PER_CHANNEL) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input and output must be quantized per tensor");
    }
    uint32_t n = 0;
    const uint8_t *scales = tflm_channel_scales(ip, filter, &n);
    if (scales == NULL || n == 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "weights have no scales");
    }
    if (filter->flags & TFLM_T_PER_CHANNEL) {
        if (filter->quant_dim != qdim || n != (uint32_t)channels) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL,
                "per-channel weights must have %d scales along dimension %d", (int)channels, qdim);
        }
    }
    if (filter->zero_point != 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "weights zero point %d, expected 0",
            (int)filter->zero_point);
    }
    if (in->type == TFLM_INT16 && (in->zero_point != 0 || out->zero_point != 0)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "int16 input and output need zero point 0");
    }
    d->in_offset = -in->zero_point;
    d->out_offset = out->zero_point;
    if ((s = read_activation(ip, node, activation, d, out)) != TFLM_OK) {
        return s;
    }
    d->mult = tflm_alloc_persistent(ip, (sizeof(int32_t) + 1) * (size_t)channels);
    if (d->mult == NULL) {
        return TFLM_ERR_ARENA;
    }
    const int max_shift = acc64 ? 14 : 30;
    for (int32_t c = 0; c < channels; c++) {
        float fs = fb_f32(scales + 4 * (n > 1 ? (uint32_t)c : 0));
        double eff = (double)in->scale * (double)fs / (double)out->scale;
        int shift;
        tflm_quantize_multiplier(eff, &d->mult[c], &shift);
        if (shift > max_shift) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL,
                "channel %d: input x weight / output scale ratio too large", (int)c);
        }
        ((int8_t *)(d->mult + channels))[c] = (int8_t)shift;
    }
    return TFLM_OK;
}

static tflm_status_t check_bias(tflm_interp_t *ip, const tflm_node_t *node,
    const tflm_tensor_t *bias, int32_t channels) {
    if (bias && tflm_elem_count(bias) != channels) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "bias has %d elements, expected %d",
            (int)tflm_elem_count(bias), (int)channels);
    }
    return TFLM_OK;
}

static tflm_status_t check_output_shape(tflm_interp_t *ip, const tflm_node_t *node,
    const tflm_tensor_t *out, const conv_geom_t *g) {
    if (!is_rank4(out) || out->dims[0] != g->batches || out->dims[1] != g->out_h
        || out->dims[2] != g->out_w || out->dims[3] != g->out_c) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape must be [%d,%d,%d,%d]",
            (int)g->batches, (int)g->out_h, (int)g->out_w, (int)g->out_c);
    }
    return TFLM_OK;
}

// Valid filter taps [lo, hi) along one axis: origin + dil * k in [0, size).
static inline void tap_range(int32_t origin, int32_t dil, int32_t size, int32_t taps,
    int32_t *lo, int32_t *hi) {
    int32_t l = origin < 0 ? (-origin + dil - 1) / dil : 0;
    int32_t h = size - origin <= 0 ? 0 : (size - origin - 1) / dil + 1;
    h = h < taps ? h : taps;
    *lo = l;
    *hi = h > l ? h : l;
}

static inline int32_t requant64(int64_t acc, int32_t mult, int shift) {
    acc = acc > ACC64_LIMIT ? ACC64_LIMIT : acc < -ACC64_LIMIT - 1 ? -ACC64_LIMIT - 1 : acc;
    return tflm_mul_by_quant_mul_64(acc, mult, shift);
}

// Bias of channel c as int64. Constant int64 data in a model is only
// 4-byte aligned (and Cortex-M faults on unaligned 64-bit loads): memcpy.
static inline int64_t bias64(const void *bias, int type, int32_t c) {
    int64_t b;
    switch (type) {
        case TFLM_INT64:
            memcpy(&b, (const uint8_t *)bias + 8 * (size_t)c, sizeof(b));
            break;
        case TFLM_INT32:
            b = ((const int32_t *)bias)[c];
            break;
        case TFLM_INT16:
            b = ((const int16_t *)bias)[c];
            break;
        default:
            return 0;
    }
    return b > ACC64_LIMIT ? ACC64_LIMIT : b < -ACC64_LIMIT - 1 ? -ACC64_LIMIT - 1 : b;
}

// Keeps the window in the op data (int16: larger strides, dilations or
// paddings are refused rather than silently truncated).
static tflm_status_t store_window(tflm_interp_t *ip, const tflm_node_t *node, conv_data_t *d,
    const conv_geom_t *g) {
    const int32_t v[6] = { g->stride_h, g->stride_w, g->dil_h, g->dil_w, g->pad_h, g->pad_w };
    for (int i = 0; i < 6; i++) {
        if (v[i] > INT16_MAX) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "stride, dilation or padding %d above 32767",
                (int)v[i]);
        }
    }
    d->stride_h = (int16_t)v[0];
    d->stride_w = (int16_t)v[1];
    d->dil_h = (int16_t)v[2];
    d->dil_w = (int16_t)v[3];
    d->pad_h = (int16_t)v[4];
    d->pad_w = (int16_t)v[5];
    return TFLM_OK;
}

// The input's and the filter's spatial sizes, as every window op reads them.
static inline void geom_input(conv_geom_t *g, const tflm_tensor_t *in, const tflm_tensor_t *filter) {
    g->batches = in->dims[0];
    g->in_h = in->dims[1];
    g->in_w = in->dims[2];
    g->in_c = in->dims[3];
    g->f_h = filter->dims[1];
    g->f_w = filter->dims[2];
}

void tflm_conv_geom(const conv_data_t *d, const tflm_tensor_t *in, const tflm_tensor_t *filter,
    const tflm_tensor_t *out, conv_geom_t *g) {
    geom_input(g, in, filter);
    g->f_c = filter->dims[3];
    g->out_h = out->dims[1];
    g->out_w = out->dims[2];
    g->out_c = out->dims[3];
    g->stride_h = d->stride_h;
    g->stride_w = d->stride_w;
    g->dil_h = d->dil_h;
    g->dil_w = d->dil_w;
    g->pad_h = d->pad_h;
    g->pad_w = d->pad_w;
    g->groups = g->in_c / g->f_c;
    g->depth_mult = g->out_c / g->in_c;
}

// ---------------------------------------------------------------------------
// CONV_2D and DEPTHWISE_CONV_2D

// The channels of a conv: groups of input channels (weights depth f_c),
// output channels split evenly among them.
static tflm_status_t conv_channels(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *filter,
    conv_geom_t *g) {
    g->out_c = filter->dims[0];
    g->f_c = filter->dims[3];
    if (g->in_c % g->f_c != 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input depth %d is not a multiple of the weights depth %d",
            (int)g->in_c, (int)g->f_c);
    }
    g->groups = g->in_c / g->f_c;
    if (g->out_c % g->groups != 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%d output channels do not split into %d groups",
            (int)g->out_c, (int)g->groups);
    }
    return TFLM_OK;
}

// The channels of a depthwise conv: weights [1, h, w, in_c * depth_mult].
static tflm_status_t dw_channels(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *filter,
    conv_geom_t *g) {
    int32_t depth_mult = tflm_opt_i32(node, DW_DEPTH_MULTIPLIER, 0);
    if (filter->dims[0] != 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "weights must have shape [1,h,w,channels]");
    }
    g->out_c = filter->dims[3];
    if (g->out_c % g->in_c != 0 || depth_mult != g->out_c / g->in_c) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL,
            "depth multiplier %d does not give %d output channels from %d input channels",
            (int)depth_mult, (int)g->out_c, (int)g->in_c);
    }
    g->depth_mult = depth_mult;
    return TFLM_OK;
}

// CONV_2D (dw false) and DEPTHWISE_CONV_2D (dw true) share everything but
// the channel layout and their options' field numbers.
static tflm_status_t conv_dw_prepare(tflm_interp_t *ip, tflm_node_t *node, bool dw) {
    tflm_status_t s;
    conv_data_t *d = node->op_data;
    conv_geom_t geom = {0}, *g = &geom;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *filter = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *bias = tflm_node_input(ip, node, 2), *out = tflm_node_output(ip, node, 0);
    int padding, activation;
    if ((s = read_window(ip, node, dw ? DW_ACTIVATION : CONV_ACTIVATION, dw ? DW_DILATION_W : CONV_DILATION_W,
             g, &padding, &activation)) != TFLM_OK) {
        return s;
    }
    if (!is_rank4(in) || !is_rank4(filter)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input and weights must be 4-D and non-empty");
    }
    geom_input(g, in, filter);
    // int16: conv takes an int64 or int32 bias, depthwise int64.
    const unsigned int16_bias = dw ? 1u << TFLM_INT64 : (1u << TFLM_INT64) | (1u << TFLM_INT32);
    if ((s = (dw ? dw_channels : conv_channels)(ip, node, filter, g)) != TFLM_OK
        || (s = window_geometry(ip, node, padding, g->in_h, g->f_h, g->stride_h, g->dil_h,
            &g->out_h, &g->pad_h, "height")) != TFLM_OK
        || (s = window_geometry(ip, node, padding, g->in_w, g->f_w, g->stride_w, g->dil_w,
            &g->out_w, &g->pad_w, "width")) != TFLM_OK
        || (s = check_output_shape(ip, node, out, g)) != TFLM_OK
        || (s = check_bias(ip, node, bias, g->out_c)) != TFLM_OK
        || (s = check_types(ip, node, d, in, filter, bias, out, int16_bias)) != TFLM_OK) {
        return s;
    }
    if ((s = store_window(ip, node, d, g)) != TFLM_OK) {
        return s;
    }
    if (d->type == TFLM_FLOAT32) {
        return read_activation(ip, node, activation, d, out);
    }
    // int16 with an int32 bias accumulates in 32 bits (conv only).
    d->acc64 = d->type == TFLM_INT16 && !(bias && bias->type == TFLM_INT32);
    // Per-channel weights are quantized along the output channels: the
    // first dimension for conv, the last for depthwise.
    if ((s = prepare_quant(ip, node, d, in, filter, out, g->out_c, dw ? 3 : 0, activation, d->acc64)) != TFLM_OK) {
        return s;
    }
#if MICROPY_TFLM_OPT_KERNELS
    if (d->type == TFLM_INT8) {
        return (dw ? tflm_dw_opt_prepare : tflm_conv_opt_prepare)(ip, node, d, g);
    }
#endif
    return TFLM_OK;
}

static tflm_status_t conv_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    return conv_dw_prepare(ip, node, false);
}

static tflm_status_t dw_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    return conv_dw_prepare(ip, node, true);
}

// ---------------------------------------------------------------------------
// The reference kernels: one routine per op for every type, specialised by
// the compiler for each constant `kind` (always inlined).

#define CONV_INLINE inline __attribute__((always_inline))

// The arithmetic forms: activations, accumulator, rescale.
enum { REF_F32, REF_I8, REF_I16_ACC32, REF_I16_ACC64 };

// One accumulator; a kernel uses the member of its kind only. The int32
// reference accumulators are emulated in uint32_t, which wraps instead of
// overflowing.
typedef union {
    float f;
    uint32_t u;
    int64_t l;
} ref_acc_t;

// Element i of an accumulator buffer (transpose conv) or 0 (buf NULL).
static CONV_INLINE ref_acc_t ref_load(int kind, const void *buf, size_t i) {
    ref_acc_t a;
    if (kind == REF_F32) {
        a.f = buf ? ((const float *)buf)[i] : 0.0f;
    } else if (kind == REF_I16_ACC64) {
        a.l = buf ? ((const int64_t *)buf)[i] : 0;
    } else {
        a.u = buf ? ((const uint32_t *)buf)[i] : 0;
    }
    return a;
}

static CONV_INLINE void ref_store(int kind, void *buf, size_t i, ref_acc_t a) {
    if (kind == REF_F32) {
        ((float *)buf)[i] = a.f;
    } else if (kind == REF_I16_ACC64) {
        ((int64_t *)buf)[i] = a.l;
    } else {
        ((uint32_t *)buf)[i] = a.u;
    }
}

// Bytes of one accumulator in a buffer.
static CONV_INLINE size_t ref_acc_size(int kind) {
    return kind == REF_F32 ? sizeof(float) : kind == REF_I16_ACC64 ? sizeof(int64_t) : sizeof(uint32_t);
}

// a += in[xi] * w[wi] (int8: the input offset added to the activation).
static CONV_INLINE void ref_mac(int kind, ref_acc_t *a, const void *in, size_t xi, const void *w, size_t wi,
    int32_t in_off) {
    switch (kind) {
        case REF_F32:
            a->f += ((const float *)in)[xi] * ((const float *)w)[wi];
            break;
        case REF_I8:
            a->u += (uint32_t)(((const int8_t *)w)[wi] * (((const int8_t *)in)[xi] + in_off));
            break;
        case REF_I16_ACC32:
            a->u += (uint32_t)(((const int8_t *)w)[wi] * ((const int16_t *)in)[xi]);
            break;
        default:
            a->l += (int64_t)(((const int8_t *)w)[wi] * ((const int16_t *)in)[xi]);
            break;
    }
}

// Output element oi of channel oc from its sum: bias, rescale, the clamp
// (bounds before the output offset) and the output offset. `bias0`: a
// float sum without a bias still gets + 0.0f, as TFLM's conv and depthwise
// conv do (-0 becomes +0); its transpose conv adds nothing.
static CONV_INLINE void ref_finish(int kind, const conv_data_t *d, const int8_t *shifts, const void *bias,
    int32_t oc, ref_acc_t a, void *out, size_t oi, bool bias0) {
    switch (kind) {
        case REF_F32: {
            const float *fb = bias;
            float v = bias0 ? a.f + (fb ? fb[oc] : 0.0f) : fb ? a.f + fb[oc] : a.f;
            ((float *)out)[oi] = tflm_clamp_f32(v, d->f_min, d->f_max);
            break;
        }
        case REF_I8:
        case REF_I16_ACC32: {
            uint32_t acc = a.u;
            if (bias) {
                acc += (uint32_t)((const int32_t *)bias)[oc];
            }
            int32_t v = tflm_clamp_i32(tflm_mul_by_quant_mul((int32_t)acc, d->mult[oc], shifts[oc]),
                d->q_min_raw, d->q_max_raw);
            if (kind == REF_I8) {
                ((int8_t *)out)[oi] = (int8_t)(v + d->out_offset);
            } else {
                ((int16_t *)out)[oi] = (int16_t)v;
            }
            break;
        }
        default: {
            int64_t acc = a.l;
            if (bias) {
                acc += bias64(bias, d->bias_type, oc);
            }
            ((int16_t *)out)[oi] = (int16_t)tflm_clamp_i32(requant64(acc, d->mult[oc], shifts[oc]),
                d->q_min_raw, d->q_max_raw);
            break;
        }
    }
}

// CONV_2D (dw false) and DEPTHWISE_CONV_2D (dw true). A depthwise conv is
// a grouped conv with one input channel per group (in_c groups of
// depth_mult outputs) whose weights are laid out [1, FH, FW, OC] instead of
// [OC, FH, FW, FC]: only the weight strides differ. The taps outside the
// input are skipped (tap_range), the others summed in the reference's
// order (filter row, column, channel).
static CONV_INLINE void conv_ref(int kind, bool dw, const conv_data_t *d, const conv_geom_t *g, const void *in,
    const void *w, const void *bias, void *out) {
    // (Float ops have no multipliers: no pointer arithmetic on NULL.)
    const int8_t *shifts = kind == REF_F32 ? NULL : conv_shifts(d, g);
    const int32_t in_off = d->in_offset;
    const int32_t H = g->in_h, W = g->in_w, C = g->in_c, FH = g->f_h, FW = g->f_w, OC = g->out_c;
    const int32_t FC = dw ? 1 : g->f_c;
    const int32_t groups = dw ? C : g->groups;
    const int32_t fpg = dw ? g->depth_mult : OC / groups;
    // Weight strides per output channel, filter row and filter column.
    const size_t w_oc = dw ? 1 : (size_t)FH * FW * FC;
    const size_t w_fy = dw ? (size_t)FW * OC : (size_t)FW * FC;
    const size_t w_fx = dw ? (size_t)OC : (size_t)FC;
    size_t oi = 0;
    for (int32_t b = 0; b < g->batches; b++) {
        const size_t in_b = (size_t)b * H * W * C;
        for (int32_t oy = 0; oy < g->out_h; oy++) {
            const int32_t iy0 = oy * g->stride_h - g->pad_h;
            int32_t fy0, fy1;
            tap_range(iy0, g->dil_h, H, FH, &fy0, &fy1);
            for (int32_t ox = 0; ox < g->out_w; ox++) {
                const int32_t ix0 = ox * g->stride_w - g->pad_w;
                int32_t fx0, fx1;
                tap_range(ix0, g->dil_w, W, FW, &fx0, &fx1);
                int32_t oc = 0;
                for (int32_t gi = 0; gi < groups; gi++) {
                    const size_t in_g = in_b + (size_t)gi * FC;
                    for (int32_t j = 0; j < fpg; j++, oc++) {
                        ref_acc_t acc = ref_load(kind, NULL, 0);
                        for (int32_t fy = fy0; fy < fy1; fy++) {
                            const size_t row = in_g + (size_t)(iy0 + g->dil_h * fy) * W * C;
                            const size_t w_row = (size_t)oc * w_oc + (size_t)fy * w_fy;
                            for (int32_t fx = fx0; fx < fx1; fx++) {
                                const size_t px = row + (size_t)(ix0 + g->dil_w * fx) * C;
                                const size_t wp = w_row + (size_t)fx * w_fx;
                                for (int32_t ic = 0; ic < FC; ic++) {
                                    ref_mac(kind, &acc, in, px + ic, w, wp + ic, in_off);
                                }
                            }
                        }
                        ref_finish(kind, d, shifts, bias, oc, acc, out, oi++, true);
                    }
                }
            }
        }
    }
}

#if MICROPY_TFLM_OP_TRANSPOSE_CONV
// Scatter each input pixel into the accumulators (buffer `acc`) of the
// outputs it touches, then finish them into `out` (float: acc is out). For
// one output element the contributions arrive in the reference's order
// (input row, column, channel), so float sums round the same way.
static CONV_INLINE void tc_ref(int kind, const conv_data_t *d, const conv_geom_t *g, const void *in, const void *w,
    const void *bias, void *out, void *acc_buf) {
    const int8_t *shifts = kind == REF_F32 ? NULL : conv_shifts(d, g);
    const int32_t in_off = d->in_offset;
    const int32_t H = g->in_h, W = g->in_w, C = g->in_c, FH = g->f_h, FW = g->f_w;
    const int32_t OH = g->out_h, OW = g->out_w, OC = g->out_c;
    const size_t n = (size_t)g->batches * OH * OW * OC;
    memset(acc_buf, 0, n * ref_acc_size(kind));
    for (int32_t b = 0; b < g->batches; b++) {
        const size_t acc_b = (size_t)b * OH * OW * OC;
        for (int32_t iy = 0; iy < H; iy++) {
            const int32_t oy0 = iy * g->stride_h - g->pad_h;
            int32_t fy0, fy1;
            tap_range(oy0, 1, OH, FH, &fy0, &fy1);
            for (int32_t ix = 0; ix < W; ix++) {
                const int32_t ox0 = ix * g->stride_w - g->pad_w;
                int32_t fx0, fx1;
                tap_range(ox0, 1, OW, FW, &fx0, &fx1);
                const size_t px = (((size_t)b * H + iy) * W + ix) * C;
                for (int32_t fy = fy0; fy < fy1; fy++) {
                    for (int32_t fx = fx0; fx < fx1; fx++) {
                        const size_t o = acc_b + ((size_t)(oy0 + fy) * OW + (ox0 + fx)) * OC;
                        size_t wp = ((size_t)fy * FW + fx) * C;
                        for (int32_t oc = 0; oc < OC; oc++) {
                            ref_acc_t acc = ref_load(kind, acc_buf, o + oc);
                            for (int32_t ic = 0; ic < C; ic++) {
                                ref_mac(kind, &acc, in, px + ic, w, wp + ic, in_off);
                            }
                            ref_store(kind, acc_buf, o + oc, acc);
                            wp += (size_t)FH * FW * C;
                        }
                    }
                }
            }
        }
    }
    for (size_t i = 0; i < n; i += (size_t)OC) {
        for (int32_t oc = 0; oc < OC; oc++) {
            ref_finish(kind, d, shifts, bias, oc, ref_load(kind, acc_buf, i + oc), out, i + oc, false);
        }
    }
}

#endif

enum { OP_CONV, OP_DW, OP_TC };

// The reference kernel of op `op` for one kind. Transpose conv sums in
// scratch (float: in the output itself).
static CONV_INLINE void ref_run(int kind, int op, const conv_data_t *d, const conv_geom_t *g, const void *in,
    const void *w, const void *bias, void *out, uint8_t *scratch) {
    #if MICROPY_TFLM_OP_TRANSPOSE_CONV
    if (op == OP_TC) {
        tc_ref(kind, d, g, in, w, bias, out, kind == REF_F32 ? out : (void *)scratch);
        return;
    }
    #endif
    (void)scratch;
    conv_ref(kind, op == OP_DW, d, g, in, w, bias, out);
}

// The eval of all three ops: int8 conv and depthwise conv take the
// optimized kernel when prepare chose one, everything else the reference.
static CONV_INLINE tflm_status_t conv_op_eval(tflm_interp_t *ip, const tflm_node_t *node, int op) {
    const conv_data_t *d = node->op_data;
    // Transpose conv's inputs: output shape, weights, input, bias.
    const tflm_tensor_t *in = tflm_node_input(ip, node, op == OP_TC ? 2 : 0);
    const tflm_tensor_t *w = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *bias = tflm_node_input(ip, node, op == OP_TC ? 3 : 2);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    conv_geom_t g;
    tflm_conv_geom(d, in, w, out, &g);
    const void *b = bias ? bias->data : NULL;
    switch (d->type) {
        case TFLM_FLOAT32:
            if (MICROPY_TFLM_TYPE_FLOAT32) {
                ref_run(REF_F32, op, d, &g, in->data, w->data, b, out->data, node->scratch);
            }
            break;
        case TFLM_INT8:
#if MICROPY_TFLM_OPT_KERNELS
            if (op != OP_TC && d->opt) {
                (op == OP_DW ? tflm_dw_opt_eval : tflm_conv_opt_eval)(d, &g, (const int8_t *)in->data,
                    (const int8_t *)w->data, b, (int8_t *)out->data, node->scratch);
                break;
            }
#endif
            ref_run(REF_I8, op, d, &g, in->data, w->data, b, out->data, node->scratch);
            break;
        default:
            if (!MICROPY_TFLM_TYPE_INT16) {
                break;
            }
            // (Only conv has the 32-bit int16 form.)
            if (op != OP_CONV || d->acc64) {
                ref_run(REF_I16_ACC64, op, d, &g, in->data, w->data, b, out->data, node->scratch);
            } else {
                ref_run(REF_I16_ACC32, op, d, &g, in->data, w->data, b, out->data, node->scratch);
            }
            break;
    }
    return TFLM_OK;
}

static tflm_status_t conv_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    return conv_op_eval(ip, node, OP_CONV);
}

TFLM_KERNEL(conv_2d, CONV_2D, 8, Conv2DOptions, 2, 3, 1, sizeof(conv_data_t), conv_prepare, conv_eval);

// ---------------------------------------------------------------------------
// DEPTHWISE_CONV_2D

static tflm_status_t dw_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    return conv_op_eval(ip, node, OP_DW);
}

TFLM_KERNEL(depthwise_conv_2d, DEPTHWISE_CONV_2D, 7, DepthwiseConv2DOptions, 2, 3, 1,
    sizeof(conv_data_t), dw_prepare, dw_eval);

#if MICROPY_TFLM_OP_TRANSPOSE_CONV
// ---------------------------------------------------------------------------
// TRANSPOSE_CONV: inputs (output_shape, weights, input, optional bias).

static tflm_status_t tc_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    conv_data_t *d = node->op_data;
    conv_geom_t geom = {0}, *g = &geom;
    const tflm_tensor_t *shape = tflm_node_input(ip, node, 0), *filter = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *in = tflm_node_input(ip, node, 2), *bias = tflm_node_input(ip, node, 3);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    int padding, activation;
    if ((s = read_window(ip, node, TC_ACTIVATION, -1, g, &padding, &activation)) != TFLM_OK) {
        return s;
    }
    if (!is_rank4(in) || !is_rank4(filter) || !is_rank4(out)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input, weights and output must be 4-D and non-empty");
    }
    if (shape->type != TFLM_INT32 || shape->rank != 1 || shape->dims[0] != 4) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape operand must be 4 int32 values");
    }
    if (shape->flags & TFLM_T_CONST) {
        const int32_t *v = (const int32_t *)shape->data;
        for (int i = 0; i < 4; i++) {
            if (v[i] != out->dims[i]) {
                return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape operand disagrees with the output tensor");
            }
        }
    }
    geom_input(g, in, filter);
    g->out_c = filter->dims[0];
    g->f_c = filter->dims[3];
    g->out_h = out->dims[1];
    g->out_w = out->dims[2];
    if (g->f_c != g->in_c) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "weights depth %d does not match input depth %d",
            (int)g->f_c, (int)g->in_c);
    }
    if (out->dims[0] != g->batches || out->dims[3] != g->out_c) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output must have %d batches and %d channels",
            (int)g->batches, (int)g->out_c);
    }
    // The input must be what a convolution of the output would produce.
    int32_t h, w;
    if ((s = window_geometry(ip, node, padding, g->out_h, g->f_h, g->stride_h, 1, &h, &g->pad_h,
             "height")) != TFLM_OK
        || (s = window_geometry(ip, node, padding, g->out_w, g->f_w, g->stride_w, 1, &w, &g->pad_w,
            "width")) != TFLM_OK) {
        return s;
    }
    if (h != g->in_h || w != g->in_w) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "a %dx%d output needs a %dx%d input, got %dx%d",
            (int)g->out_h, (int)g->out_w, (int)h, (int)w, (int)g->in_h, (int)g->in_w);
    }
    if ((s = check_bias(ip, node, bias, g->out_c)) != TFLM_OK
        || (s = check_types(ip, node, d, in, filter, bias, out,
            (1u << TFLM_INT64) | (1u << TFLM_INT16))) != TFLM_OK) {
        return s;
    }
    if ((s = store_window(ip, node, d, g)) != TFLM_OK) {
        return s;
    }
    if (d->type == TFLM_FLOAT32) {
        return read_activation(ip, node, activation, d, out);
    }
    d->acc64 = d->type == TFLM_INT16;
    if ((s = prepare_quant(ip, node, d, in, filter, out, g->out_c, 0, activation, d->acc64)) != TFLM_OK) {
        return s;
    }
    // One int32 (int8) or int64 (int16) accumulator per output element.
    uint64_t scratch = (uint64_t)tflm_elem_count(out) * (d->type == TFLM_INT8 ? 4u : 8u);
    if (scratch > UINT32_MAX) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output too large");
    }
    node->scratch_size = (uint32_t)scratch;
    return TFLM_OK;
}

static tflm_status_t tc_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    return conv_op_eval(ip, node, OP_TC);
}

TFLM_KERNEL(transpose_conv, TRANSPOSE_CONV, 5, TransposeConvOptions, 3, 4, 1,
    sizeof(conv_data_t), tc_prepare, tc_eval);

#endif // MICROPY_TFLM_OP_TRANSPOSE_CONV

#endif // MICROPY_TFLM_OP_CONV
