// Optimized int8 FULLY_CONNECTED, Armv7E-M DSP (see fc_opt.c): 4 depth per
// step of four units, the input and weights as 16-bit pairs, SMLAD.
#include "fc_opt.h"
#if MICROPY_TFLM_OP_FULLY_CONNECTED && MICROPY_TFLM_OPT_KERNELS && TFLM_CPU_DSP
#include "dsp.h"

static inline void fc_dot4(const int8_t *x, const int8_t *w, int32_t depth, int32_t in_off,
    uint32_t *acc) {
    // Units 2 and 3 are addressed from units 0 and 1 (+ 2 * depth): with
    // one register fewer all 14 fit, where gcc's allocation of the C form
    // spilled pointers in the loop.
    const int8_t *w0 = w, *w1 = w0 + depth;
    const int32_t d2 = 2 * depth;
    // The offset in both halves; x + in_off fits 16 bits.
    const uint32_t off2 = (uint32_t)(uint16_t)in_off * 0x10001u;
    uint32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    if (depth >= 4) {
        dsp_fc_mac4(&x, &w0, &w1, d2, off2, depth, &a0, &a1, &a2, &a3);
    }
    const int8_t *w2 = w0 + d2, *w3 = w1 + d2;
    for (int32_t i = 0; i < (depth & 3); i++) {
        int32_t xi = x[i] + in_off;
        a0 += (uint32_t)(xi * w0[i]);
        a1 += (uint32_t)(xi * w1[i]);
        a2 += (uint32_t)(xi * w2[i]);
        a3 += (uint32_t)(xi * w3[i]);
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

#include "fc_scalar.h"

#endif
