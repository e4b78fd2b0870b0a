// CONV_2D / DEPTHWISE_CONV_2D op data, shared by the reference kernels
// (conv.c) and the optimized int8 ones (opt/conv_*.c, opt/dw_*.c).
#ifndef TFLM_CORE_KERNELS_CONV_H
#define TFLM_CORE_KERNELS_CONV_H

#include "../tflm_config.h"
#include "../kernel.h"

// The int64 accumulator path (int16 activations) rescales values inside
// +-2^47 (TFLite's stated range for MultiplyByQuantizedMultiplier).
#define ACC64_LIMIT (((int64_t)1 << 47) - 1)

// The shape of one op's work. Rebuilt on the stack at every eval from the
// tensors' shapes and the window kept in conv_data_t, so the persistent op
// data stays small (it is RAM for as long as the model is loaded).
typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t f_h, f_w, f_c;   // f_c: the filter's last dim (input depth for conv)
    int32_t out_h, out_w, out_c;
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_h, pad_w;
    int32_t groups;          // conv: input channels / filter depth
    int32_t depth_mult;      // depthwise: output channels / input channels
} conv_geom_t;

typedef struct {
    int32_t *mult;           // per output channel: multiplier; then the shifts (int8)
    int32_t in_offset;       // -input zero point (int8)
    int32_t out_offset;      // output zero point (int8)
    // The fused activation's bounds minus out_offset: the clamp is applied
    // before the output offset is added (no int32 overflow), act_min -
    // out_offset and act_max - out_offset in the other kernels' terms.
    int32_t q_min_raw, q_max_raw;
    float f_min, f_max;
    int16_t stride_h, stride_w;
    int16_t dil_h, dil_w;
    int16_t pad_h, pad_w;
    uint8_t type;            // activations' tflm_type_t
    uint8_t bias_type;       // bias tflm_type_t (when there is a bias)
    bool acc64;              // int16: int64 accumulator and 64-bit rescale
    uint8_t opt;             // optimized int8 form chosen in prepare, 0: reference
} conv_data_t;

// The per-channel shifts stored after the multipliers (5 bytes a channel).
static inline const int8_t *conv_shifts(const conv_data_t *d, const conv_geom_t *g) {
    return (const int8_t *)(d->mult + g->out_c);
}

// Fills `g` for an op whose input, weights and output are given.
void tflm_conv_geom(const conv_data_t *d, const tflm_tensor_t *in, const tflm_tensor_t *filter,
    const tflm_tensor_t *out, conv_geom_t *g);

#if MICROPY_TFLM_OPT_KERNELS
// Optimized int8 kernels. Prepare runs after the reference prepare has
// checked everything and filled `d`; it may pick a form (d->opt != 0),
// request scratch (node->scratch_size). It leaves d->opt at 0 for shapes it does not handle. Eval runs only when
// d->opt != 0; `bias` may be NULL.
tflm_status_t tflm_conv_opt_prepare(tflm_interp_t *ip, tflm_node_t *node, conv_data_t *d,
    const conv_geom_t *g);
void tflm_conv_opt_eval(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w, const int32_t *bias,
    int8_t *out, uint8_t *scratch);
tflm_status_t tflm_dw_opt_prepare(tflm_interp_t *ip, tflm_node_t *node, conv_data_t *d,
    const conv_geom_t *g);
void tflm_dw_opt_eval(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w, const int32_t *bias,
    int8_t *out, uint8_t *scratch);
#endif

#endif // TFLM_CORE_KERNELS_CONV_H
