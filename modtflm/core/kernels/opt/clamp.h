// The clamp of the optimized kernels' scalar requantization.
#ifndef TFLM_CORE_KERNELS_OPT_CLAMP_H
#define TFLM_CORE_KERNELS_OPT_CLAMP_H

#include "../../support/quant.h"

// tflm_clamp_i32(v, lo, hi) written as a lower bound, then an upper one:
// the same value for lo <= hi (always so here), but gcc compiles the nested
// form of quant.h to a compare-and-branch where this one is two
// conditional moves, and in the kernels' inner loops (per output value)
// that costs instructions on every Cortex-M. The infinite bounds fold away.
static inline int32_t opt_clamp_i32(int32_t v, int32_t lo, int32_t hi) {
    return tflm_clamp_i32(tflm_clamp_i32(v, lo, INT32_MAX), INT32_MIN, hi);
}

#endif // TFLM_CORE_KERNELS_OPT_CLAMP_H
