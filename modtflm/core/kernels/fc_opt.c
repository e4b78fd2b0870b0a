// Placeholder: optimized int8 FULLY_CONNECTED (kept on the reference for now).
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_FULLY_CONNECTED && MICROPY_TFLM_OPT_KERNELS
#include "fully_connected.h"

tflm_status_t tflm_fc_opt_prepare(tflm_interp_t *ip, tflm_node_t *node, fc_data_t *d) {
    (void)ip;
    (void)node;
    d->opt = 0;
    return TFLM_OK;
}

void tflm_fc_opt_eval(const fc_data_t *d, const int8_t *in, const int8_t *w, const int32_t *bias,
    int8_t *out, uint8_t *scratch) {
    (void)d, (void)in, (void)w, (void)bias, (void)out, (void)scratch;
}
#endif
