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
    if (depth >= 4) {
        dsp_fc_mac4(&x, &w0, &w1, d2, off2, depth, &acc[0], &acc[1], &acc[2], &acc[3]);
    }
    fc_mac4_c(x, w0, w1, w0 + d2, w1 + d2, depth & 3, in_off, acc);
}

void tflm_fc_opt_eval(const fc_data_t *d, const int8_t *in, const int8_t *w, const int32_t *bias,
    int8_t *out, uint8_t *scratch) {
    (void)scratch;
    fc_eval_scalar(d, in, w, bias, out, fc_dot4);
}

#endif
