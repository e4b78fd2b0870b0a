// Prepare-time checks shared by kernels, beyond the ones kernel.h declares
// (defined in checks.c).
#ifndef TFLM_CORE_CHECKS_H
#define TFLM_CORE_CHECKS_H

#include "../kernel.h"

// An op's quantized input and output: both have quantization parameters
// (ValueError otherwise), one scale and zero point each (NotImplementedError
// for per-channel ones).
tflm_status_t tflm_check_per_tensor_quant(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *in,
    const tflm_tensor_t *out);

// Input and output of the same type, one of the plain types elements.h
// names (ValueError when the types differ, NotImplementedError for another
// type).
tflm_status_t tflm_check_plain_io(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *in,
    const tflm_tensor_t *out);

#endif // TFLM_CORE_CHECKS_H
