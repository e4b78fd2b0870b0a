// Verified view of a .tflite model (internal to the core).
#ifndef TFLM_CORE_MODEL_H
#define TFLM_CORE_MODEL_H

#include "kernel.h"


typedef struct {
    fb_buf_t b;
    const uint8_t *root;
    const uint8_t *opcodes;
    const uint8_t *buffers;
    const uint8_t *subgraph;
    const uint8_t *tensors;
    const uint8_t *ops;
    const uint8_t *inputs;
    const uint8_t *outputs;
    uint32_t n_opcodes;
    uint32_t n_buffers;
    uint32_t n_tensors;
    uint32_t n_ops;
    uint32_t n_inputs;
    uint32_t n_outputs;
} tflm_model_t;

tflm_status_t tflm_model_open(tflm_model_t *m, const uint8_t *data, size_t len, tflm_error_t *err);
tflm_status_t tflm_build_tables(tflm_interp_t *ip, const tflm_model_t *m, int16_t *pool);
size_t tflm_model_pool_count(const tflm_model_t *m);
int32_t tflm_model_op_code(const tflm_model_t *m, const uint8_t *op, const char **custom, int *version);

// Plans activations and scratch into the arena after the persistent part.
tflm_status_t tflm_plan(tflm_interp_t *ip);

#endif // TFLM_CORE_MODEL_H
