// Optimized int8 FULLY_CONNECTED, the parts its CPU variants share (see
// fc_opt.c for the method). The CPU files: fc_mve.c (Helium), fc_dsp.c
// (Armv7E-M DSP), fc_rv.c (RISC-V), fc_c.c (portable C); one of them is
// compiled (cpu.h). fc_dsp.c and fc_c.c differ only in the inner loop
// fc_dot4, which each defines before including fc_scalar.h, the rest of
// their kernel.
#ifndef TFLM_CORE_KERNELS_OPT_FC_OPT_H
#define TFLM_CORE_KERNELS_OPT_FC_OPT_H

#include "../../tflm_config.h"
#include "../../support/quant.h"
#include "../fully_connected.h"
#include "clamp.h"
#include "cpu.h"
#include "requant.h"

// The weights zero point's part of every unit's sum for one input row:
// w_off * sum(x + in_off) (per-tensor weights; 0 when w_off is 0).
static TFLM_ALWAYS_INLINE uint32_t fc_row_const(const fc_data_t *d, const int8_t *in) {
    uint32_t row = 0;
    if (d->filter_offset) {
        uint32_t sx = 0;
        for (int32_t i = 0; i < d->depth; i++) {
            sx += (uint32_t)(in[i] + d->in_offset);
        }
        row = sx * (uint32_t)d->filter_offset;
    }
    return row;
}

#if TFLM_CPU_RV
// Bytes of scratch fc_rv.c takes for the input row plus its offset (uint8
// for an offset of 128, else int16): when there is an offset and more than
// three blocks of eight units share the row (writing it costs up to four
// instructions an element, each block saves one).
// fc_data_t.opt when the outputs take opt_requant_r3 (tflm_fc_rv_r3).
#define FC_OPT_R3 (2)

// Whether the outputs take opt_requant_r3: per-tensor, opt_r2_ok and
// |accumulator| < 2^29 for every input (depth * 255^2 plus the largest
// constant bias; RISC-V, fc_rv.c).
bool tflm_fc_rv_r3(tflm_interp_t *ip, const tflm_node_t *node, const fc_data_t *d);

static inline uint32_t fc_rv_scratch(const fc_data_t *d) {
    if (d->in_offset == 0 || d->units <= 24) {
        return 0;
    }
    return (d->in_offset == 128 ? 1u : 2u) * (uint32_t)d->depth;
}
#endif

#if !TFLM_CPU_MVE
#if TFLM_CPU_SAT
#include <arm_acle.h>
#endif

// One depth per step: *a_k += sum_{i < n} (x[i] + in_off) * w_k[i] for the
// four units' weight rows w0 .. w3 (fc_c.c's loop, fc_dsp.c's tail). The
// accumulators are the caller's locals (registers).
static TFLM_ALWAYS_INLINE void fc_mac4_c(const int8_t *x, const int8_t *w0, const int8_t *w1, const int8_t *w2,
    const int8_t *w3, int32_t n, int32_t in_off, uint32_t *a0, uint32_t *a1, uint32_t *a2, uint32_t *a3) {
    for (int32_t i = 0; i < n; i++) {
        // |xi| <= 256 and |w| <= 128: the products fit int32.
        int32_t xi = x[i] + in_off;
        *a0 += (uint32_t)(xi * w0[i]);
        *a1 += (uint32_t)(xi * w1[i]);
        *a2 += (uint32_t)(xi * w2[i]);
        *a3 += (uint32_t)(xi * w3[i]);
    }
}

#endif // !TFLM_CPU_MVE

#endif // TFLM_CORE_KERNELS_OPT_FC_OPT_H
