// Optimized int8 FULLY_CONNECTED, portable C (no DSP or Helium; see
// fc_opt.c): one depth per step, four units.
#include "fc_opt.h"
#if MICROPY_TFLM_OP_FULLY_CONNECTED && MICROPY_TFLM_OPT_KERNELS && TFLM_CPU_C

static inline void fc_dot4(const int8_t *x, const int8_t *w, int32_t depth, int32_t in_off, uint32_t *acc) {
    const int8_t *w0 = w, *w1 = w0 + depth, *w2 = w1 + depth, *w3 = w2 + depth;
    uint32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    for (int32_t i = 0; i < depth; i++) {
        // |xi| <= 256 and |w| <= 128: the products fit int32.
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

void tflm_fc_opt_eval(const fc_data_t *d, const int8_t *in, const int8_t *w, const int32_t *bias,
    int8_t *out, uint8_t *scratch) {
    (void)scratch;
    fc_eval_scalar(d, in, w, bias, out, fc_dot4);
}

#endif
