// The one table of built-in kernels, looked up by builtin code in init.
#include "../tflm_config.h"
#include "../kernel.h"

extern const tflm_kernel_t tflm_kernel_fully_connected;
extern const tflm_kernel_t tflm_kernel_quantize;
extern const tflm_kernel_t tflm_kernel_dequantize;

const tflm_kernel_t *const tflm_kernels[] = {
    #if MICROPY_TFLM_OP_FULLY_CONNECTED
    &tflm_kernel_fully_connected,
    #endif
    #if MICROPY_TFLM_OP_QUANTIZE
    &tflm_kernel_quantize,
    &tflm_kernel_dequantize,
    #endif
    NULL,
};

const size_t tflm_n_kernels = sizeof(tflm_kernels) / sizeof(tflm_kernels[0]) - 1;
