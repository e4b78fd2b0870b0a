// Verified view of a .tflite model (internal to the core).
#ifndef TFLM_CORE_MODEL_H
#define TFLM_CORE_MODEL_H

#include "kernel.h"


// The sections below `subgraph` are those of one subgraph, subgraph 0's
// unless tflm_model_select picked another.
typedef struct {
    fb_buf_t b;
    const uint8_t *root;
    const uint8_t *opcodes;
    const uint8_t *buffers;
    const uint8_t *subgraphs;
    const uint8_t *subgraph;
    const uint8_t *tensors;
    const uint8_t *ops;
    const uint8_t *inputs;
    const uint8_t *outputs;
    uint32_t n_opcodes;
    uint32_t n_buffers;
    uint32_t n_subgraphs;
    uint32_t n_tensors;
    uint32_t n_ops;
    uint32_t n_inputs;
    uint32_t n_outputs;
    uint32_t selected; // the subgraph the sections above are of
} tflm_model_t;

// Verifies the whole model (see model.c); on success m is its verified view
// and *n_tensors, *n_ops count those of every subgraph.
tflm_status_t tflm_model_open(tflm_model_t *m, const uint8_t *data, size_t len, tflm_error_t *err,
    uint32_t *n_tensors, uint32_t *n_ops);
// The view of a model tflm_model_open accepted, found again without checks.
void tflm_model_view(tflm_model_t *m, const uint8_t *data, size_t len);
// Points m's subgraph sections at subgraph s of a verified model.
void tflm_model_select(tflm_model_t *m, uint32_t s);
// The model's subgraphs (1 without the control-flow family: it refuses more,
// and the loops over them compile to one pass).
static inline uint32_t tflm_model_subgraphs(const tflm_model_t *m) {
    return MICROPY_TFLM_OP_CONTROL_FLOW ? m->n_subgraphs : 1;
}
// The kernel registered for a builtin code (and for TFLM_OP_CUSTOM, the
// custom op's name), NULL when none is built in.
const tflm_kernel_t *tflm_find_kernel(int32_t code, const char *custom);
tflm_status_t tflm_build_tables(tflm_interp_t *ip, tflm_model_t *m, int16_t *pool);
// Trusted readers of a verified model.
const uint8_t *tflm_model_op(const tflm_model_t *m, uint32_t i);
uint32_t tflm_model_op_io_count(const tflm_model_t *m, const uint8_t *op);
// Bytes of tensor i's data when it is not a constant, else 0.
uint32_t tflm_model_activation_bytes(const tflm_model_t *m, uint32_t i);
int32_t tflm_model_op_code(const tflm_model_t *m, const uint8_t *op, const char **custom, int *version);

// The host model check (modtflm/host/tflm_check.c) builds the core with
// TFLM_CHECK_ALL_OPS=1: init then goes on past every op this build cannot
// run (no kernel, version, types), handing each to the checker, so that one
// pass names them all. 0 on every port: none of this is compiled in.
#ifndef TFLM_CHECK_ALL_OPS
#define TFLM_CHECK_ALL_OPS (0)
#endif
#if TFLM_CHECK_ALL_OPS
// Op `node` (index in ip->nodes) has no usable kernel (`status`, ip->err
// says why): the checker records it and gives a stand-in taking any inputs,
// outputs and options of `options_type`, so that the graph checks and the
// other ops' prepare still run.
const tflm_kernel_t *tflm_check_stub(tflm_interp_t *ip, unsigned node, tflm_status_t status, unsigned options_type);
// Op `node`'s checks or prepare failed (ip->err says why).
void tflm_check_failed(tflm_interp_t *ip, unsigned node);
// The status of the first op handed to the two above (TFLM_OK: none): init
// returns it before planning.
tflm_status_t tflm_check_result(const tflm_interp_t *ip);
#endif

// Plans activations and scratch into the arena after the persistent part.
tflm_status_t tflm_plan(tflm_interp_t *ip);
// Bytes of the planner's workspace, which the arena must hold while planning
// (n_scratch: ops with a scratch buffer, at most; n_subgraphs: the model's).
size_t tflm_plan_workspace(size_t n_tensors, size_t n_scratch, size_t n_subgraphs);

#endif // TFLM_CORE_MODEL_H
