// Optimized int8 DEPTHWISE_CONV_2D (dilation 1; other shapes stay on the
// reference kernel).
//
// Every output channel oc = ic * depth_mult + m is a separate dot product
// over the filter taps. Two forms walk the output in passes of 4 channels
// (the outer loop), each pass over every output pixel with the 4 channels'
// requantization values hoisted:
//   DW_CH  depth multiplier 1: the 4 channels are contiguous in the input
//          pixel and in the weights, one 32-bit load each per tap.
//   DW_BC  depth multiplier >= 4: one input value per tap is broadcast to 4
//          output channels whose weights are contiguous.
// A count of channels that is not a multiple of 4 ends with a pass that
// overlaps the previous one (the same outputs are written twice); the
// Helium form also takes fewer than 4 channels, with predicated lanes.
//
// Pixels whose window lies inside the input (the interior) start from
// bias + in_offset * sum(w) and accumulate w * x: exact modulo 2^32. Border
// pixels skip the taps outside the input and add in_offset to every x, as
// the reference does.
//
// One file per CPU (cpu.h), the shared parts in dw_opt.h:
//   dw_mve.c  Helium: passes of 8 channels in int16 lanes for depth
//             multiplier 1, a repacked-weights form for one input channel
//             with depth multiplier 8, else 4 int32 lanes per pass.
//   dw_dsp.c  Armv7E-M DSP: halfword multiply-accumulates (SMLABB...) and
//             a requantization in 32-bit steps (SMMLAR).
//   dw_c.c    portable C (also RISC-V), with a one-multiply requantization
//             (opt_requant_r2) for passes that allow it.
//
// This file: the form choice, the same for every CPU.
#include "dw_opt.h"
#if MICROPY_TFLM_OP_CONV && MICROPY_TFLM_OPT_KERNELS

// Channels a pass needs at least (Helium: predicated lanes take fewer).
#define DW_MIN_LANES (TFLM_CPU_MVE ? 1 : 4)

tflm_status_t tflm_dw_opt_prepare(tflm_interp_t *ip, tflm_node_t *node, conv_data_t *d,
    const conv_geom_t *g) {
    (void)ip;
    (void)node;
    d->opt = 0;
    if (g->dil_h != 1 || g->dil_w != 1) {
        return TFLM_OK;
    }
    if (g->depth_mult == 1 && g->in_c >= DW_MIN_LANES) {
        d->opt = DW_CH;
    } else if (g->depth_mult >= DW_MIN_LANES && g->depth_mult > 1) {
        d->opt = DW_BC;
    }
    return TFLM_OK;
}

#endif
