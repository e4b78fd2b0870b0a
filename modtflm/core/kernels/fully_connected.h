// FULLY_CONNECTED op data, shared by the reference kernels
// (fully_connected.c) and the optimized int8 ones (opt/fc_*.c).
#ifndef TFLM_CORE_KERNELS_FULLY_CONNECTED_H
#define TFLM_CORE_KERNELS_FULLY_CONNECTED_H

#include "../tflm_config.h"
#include "../kernel.h"

enum { FC_F32 = 0, FC_I8, FC_I16_ACC64, FC_I16_ACC32 };

// Persistent op data, kept small (RAM for as long as the model is loaded).
typedef struct {
    int32_t *channel_mult; // per-channel: multipliers, then the shifts (int8); or NULL
    int32_t depth;         // accumulation depth (filter's last dim)
    int32_t units;         // output channels (filter's first dim)
    int32_t batches;
    int32_t in_offset;     // -input zero point (int16 inputs may need 32768)
    union {
        struct {           // quantized
            int32_t multiplier; // per-tensor
            int16_t act_min;    // clamp, after adding out_offset
            int16_t act_max;
        };
        struct {           // float32
            float f_min;
            float f_max;
        };
    };
    int16_t filter_offset; // 0 for per-channel weights (as TFLM)
    int16_t out_offset;
    int8_t shift;          // per-tensor
    uint8_t kind;
    uint8_t opt;           // optimized int8 form chosen in prepare, 0: reference
} fc_data_t;

// The per-channel shifts stored after the multipliers (5 bytes a channel).
static inline const int8_t *fc_shifts(const fc_data_t *d) {
    return (const int8_t *)(d->channel_mult + d->units);
}

#if MICROPY_TFLM_OPT_KERNELS
// Optimized int8 kernel. Prepare runs after the reference prepare has
// checked everything and filled `d` (kind FC_I8 only); it may pick a form
// (d->opt != 0) and request scratch (node->scratch_size). The weights may be a computed tensor (no TFLM_T_CONST
// flag): then nothing may be precomputed from them. Eval runs only when
// d->opt != 0; `bias` may be NULL.
tflm_status_t tflm_fc_opt_prepare(tflm_interp_t *ip, tflm_node_t *node, fc_data_t *d);
void tflm_fc_opt_eval(const fc_data_t *d, const int8_t *in, const int8_t *w, const int32_t *bias,
    int8_t *out, uint8_t *scratch);
#endif

#endif // TFLM_CORE_KERNELS_FULLY_CONNECTED_H
