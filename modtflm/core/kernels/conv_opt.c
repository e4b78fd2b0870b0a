// Placeholder: optimized int8 CONV_2D (kept on the reference for now).
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_CONV && MICROPY_TFLM_OPT_KERNELS
#include "conv.h"

tflm_status_t tflm_conv_opt_prepare(tflm_interp_t *ip, tflm_node_t *node, conv_data_t *d,
    const conv_geom_t *g) {
    (void)ip;
    (void)g;
    (void)node;
    d->opt = 0;
    return TFLM_OK;
}

void tflm_conv_opt_eval(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w, const int32_t *bias,
    int8_t *out, uint8_t *scratch) {
    (void)d, (void)g, (void)in, (void)w, (void)bias, (void)out, (void)scratch;
}
#endif
