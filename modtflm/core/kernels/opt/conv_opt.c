// Optimized int8 CONV_2D (groups == 1, any window, stride, dilation and
// padding). Output pixels are taken two at a time (across rows and
// batches); their receptive fields are copied into scratch (im2col), then a
// register-blocked matrix kernel computes 2 pixels x 2 (Helium: 4) output
// channels. One file per CPU (cpu.h), the shared parts in conv_opt.h:
//
//   conv_mve.c  Helium: int8 im2col (padded taps hold the input zero point)
//     and acc = sum(w * x) + in_offset * sum(w), the weight sums made once
//     per eval in scratch; 1x1 stride-1 unpadded layers read the input in
//     place.
//   conv_dsp.c  Armv7E-M DSP, and conv_c.c portable: int16 im2col holding
//     x + in_offset (padded taps 0), each group of 4 values stored as
//     (x0, x2, x1, x3) so that SXTB16 of a word of weights lines up with the
//     pairs SMLAD takes. DSP, in_c not a multiple of 4 (first layers,
//     K <= 125): each pixel's row is first gathered as int8 on the stack
//     (filter rows copied by words, padded taps holding the zero point),
//     then widened 4 at a time.
//   conv_rv.c  RISC-V (RV32IM): int8 im2col of 3 pixels interleaved value by
//     value, the weight sums as Helium, blocks of 3 pixels x 4 channels
//     whose loop steps are asm statements (see there), fewer than 4 output
//     channels on the reference.
//
// Accumulators wrap in 32 bits like the reference (same sum modulo 2^32),
// then tflm_requant, the clamp and the output offset as conv_int8.
//
// This file: the path choice and the scratch size.
#include "conv_opt.h"
#if MICROPY_TFLM_OP_CONV && MICROPY_TFLM_OPT_KERNELS

tflm_status_t tflm_conv_opt_prepare(tflm_interp_t *ip, tflm_node_t *node, conv_data_t *d,
    const conv_geom_t *g) {
    (void)ip;
    d->opt = 0;
    if (g->groups != 1 || d->q_min_raw < -256 || d->q_max_raw > 255) {
        return TFLM_OK;
    }
    const uint64_t K = (uint64_t)g->f_h * g->f_w * g->in_c;
    #if TFLM_CPU_MVE
    // The two pixels' interleaved int8 im2col rows (16-value blocks; 1x1
    // filters copy the input pixels there too), then the weight sums (4
    // bytes per channel).
    const uint64_t bytes = 2 * ((K + 15) & ~(uint64_t)15) + 4 * (uint64_t)g->out_c;
    #elif TFLM_CPU_RV
    // The block's pixels' interleaved int8 im2col rows (K padded to 4),
    // then the weight sums (4 bytes per channel). Blocks of 4 channels:
    // fewer take the reference.
    if (g->out_c < 4) {
        return TFLM_OK;
    }
    const uint64_t bytes = CONV_RV_PIXELS * ((K + 3) & ~(uint64_t)3) + 4 * (uint64_t)g->out_c;
    #else
    // One int16 im2col row per pixel of the pair, padded to 4 values.
    const uint64_t bytes = 2 * 2 * ((K + 3) & ~(uint64_t)3);
    #endif
    if (bytes > (1u << 28)) {
        return TFLM_OK;
    }
    node->scratch_size = (uint32_t)bytes;
    d->opt = 1;
    return TFLM_OK;
}

#endif
