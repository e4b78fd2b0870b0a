// Optimized int8 FULLY_CONNECTED, portable C (no DSP or Helium; see
// fc_opt.c): one depth per step, four units.
#include "fc_opt.h"
#if MICROPY_TFLM_OP_FULLY_CONNECTED && MICROPY_TFLM_OPT_KERNELS && TFLM_CPU_C

static inline void fc_dot4(const int8_t *x, const int8_t *w, int32_t depth, int32_t in_off, uint32_t *acc) {
    const int8_t *w0 = w, *w1 = w0 + depth, *w2 = w1 + depth, *w3 = w2 + depth;
    uint32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    fc_mac4_c(x, w0, w1, w2, w3, depth, in_off, &a0, &a1, &a2, &a3);
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

#include "fc_scalar.h"

#endif
