// Optimized int8 FULLY_CONNECTED, portable C (no DSP or Helium; see
// fc_opt.c): one depth per step, four units.
#include "fc_opt.h"
#if MICROPY_TFLM_OP_FULLY_CONNECTED && MICROPY_TFLM_OPT_KERNELS && TFLM_CPU_C

static inline void fc_dot4(const int8_t *x, const int8_t *w, int32_t depth, int32_t in_off, uint32_t *acc) {
    fc_mac4_c(x, w, w + depth, w + 2 * depth, w + 3 * depth, depth, in_off, acc);
}

void tflm_fc_opt_eval(const fc_data_t *d, const int8_t *in, const int8_t *w, const int32_t *bias,
    int8_t *out, uint8_t *scratch) {
    (void)scratch;
    fc_eval_scalar(d, in, w, bias, out, fc_dot4);
}

#endif
