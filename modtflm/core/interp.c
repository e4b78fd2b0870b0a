// Interpreter: builds the tables in the arena, prepares every op, plans the
// activations, and runs the ops.
//
// Arena layout: [tensor table | op table | index pool | op data ... ] then the
// planned activations and scratch buffers. Everything before the plan is
// "persistent" and written once by init. The model itself (weights, shapes)
// is read in place and must not change while the interpreter lives.
#include "model.h"

#define ALIGN8(x) (((x) + 7) & ~(size_t)7)
// Tables and op data hold pointers, 32-bit values and floats, never 64-bit
// fields: word alignment is enough, and on 32-bit targets saves the padding.
#define PERSIST_ALIGN (sizeof(void *) > 4 ? sizeof(void *) : 4)

void *tflm_alloc_persistent(tflm_interp_t *ip, size_t size) {
    size_t at = (ip->persistent_used + PERSIST_ALIGN - 1) & ~(size_t)(PERSIST_ALIGN - 1);
    if (size > ip->arena_size || at > ip->arena_size - size) {
        ip->err.needed = 0;
        tflm_fail(&ip->err, TFLM_ERR_ARENA, "arena of %u bytes too small for the model's tables",
            (unsigned)ip->arena_size);
        return NULL;
    }
    ip->persistent_used = at + size;
    memset(ip->arena + at, 0, size);
    return ip->arena + at;
}

size_t tflm_arena_estimate(const uint8_t *model, size_t len) {
    tflm_model_t m;
    tflm_error_t err;
    if (tflm_model_open(&m, model, len, &err) != TFLM_OK) {
        return 0;
    }
    size_t n = 64 + m.n_tensors * (sizeof(tflm_tensor_t) + 8) + m.n_ops * (sizeof(tflm_node_t) + 8 + 96)
        + tflm_model_pool_count(&m) * sizeof(int16_t);
    // Activations: the planner typically needs well under the largest few
    // tensors; init reports the exact figure when this guess is short.
    size_t acts = 0;
    for (uint32_t i = 0; i < m.n_tensors; i++) {
        const uint8_t *t, *shape;
        uint32_t rank;
        fb_vector_table(&m.b, m.tensors, i, &t);
        fb_vector(&m.b, t, 0, 4, &shape, &rank);
        size_t count = 1;
        for (uint32_t d = 0; d < rank; d++) {
            count *= (uint32_t)fb_i32(shape + 4 * d);
        }
        acts = count > acts ? count : acts;
    }
    return n + 4 * acts;
}

tflm_status_t tflm_interp_init(tflm_interp_t *ip, const uint8_t *model, size_t len,
    uint8_t *arena, size_t arena_size) {
    memset(ip, 0, sizeof(*ip));
    tflm_model_t m;
    tflm_status_t s = tflm_model_open(&m, model, len, &ip->err);
    if (s != TFLM_OK) {
        return s;
    }
    // The verified view: past a size prefix, if the file had one.
    ip->model = m.b.base;
    ip->model_len = m.b.len;
    // Align the arena start; the skipped bytes count as used.
    size_t skip = (size_t)(-(uintptr_t)arena & 7);
    if (arena == NULL || arena_size < skip) {
        arena_size = skip = 0;
    }
    ip->arena = arena + skip;
    ip->arena_size = arena_size - skip;
    ip->n_tensors = (uint16_t)m.n_tensors;
    ip->n_nodes = (uint16_t)m.n_ops;

    ip->tensors = tflm_alloc_persistent(ip, m.n_tensors * sizeof(tflm_tensor_t));
    ip->nodes = ip->tensors ? tflm_alloc_persistent(ip, m.n_ops * sizeof(tflm_node_t) + 1) : NULL;
    int16_t *pool = ip->nodes ? tflm_alloc_persistent(ip, tflm_model_pool_count(&m) * sizeof(int16_t) + 1) : NULL;
    if (pool == NULL) {
        return TFLM_ERR_ARENA;
    }
    s = tflm_build_tables(ip, &m, pool);
    if (s != TFLM_OK) {
        return s;
    }
    for (uint16_t i = 0; i < ip->n_nodes; i++) {
        tflm_node_t *node = &ip->nodes[i];
        if (node->kernel->op_data_size) {
            node->op_data = tflm_alloc_persistent(ip, node->kernel->op_data_size);
            if (node->op_data == NULL) {
                return TFLM_ERR_ARENA;
            }
        }
        s = node->kernel->prepare(ip, node);
        if (s != TFLM_OK) {
            return s;
        }
        // Options live in the model; nothing reads them after prepare.
        node->options = NULL;
    }
    s = tflm_plan(ip);
    if (s != TFLM_OK) {
        return s;
    }
    ip->arena_used += skip;
    ip->ready = true;
    return tflm_interp_reset(ip);
}

tflm_status_t tflm_interp_invoke(tflm_interp_t *ip) {
    if (!ip->ready) {
        return tflm_fail(&ip->err, TFLM_ERR_STATE, "interpreter is not initialised");
    }
    for (uint16_t i = 0; i < ip->n_nodes; i++) {
        const tflm_node_t *node = &ip->nodes[i];
        uint32_t t0 = ip->profile ? ip->ticks() : 0;
        tflm_status_t s = node->kernel->eval(ip, node);
        if (ip->profile) {
            ip->profile[i] = ip->ticks() - t0;
        }
        if (s != TFLM_OK) {
            return s;
        }
    }
    return TFLM_OK;
}

tflm_status_t tflm_interp_reset(tflm_interp_t *ip) {
    if (!ip->ready) {
        return tflm_fail(&ip->err, TFLM_ERR_STATE, "interpreter is not initialised");
    }
    // Zero the whole planned region: variable tensors start from zero state,
    // and no output ever shows a previous model's bytes.
    size_t base = ALIGN8(ip->persistent_used);
    memset(ip->arena + base, 0, ip->arena_size - base);
    return TFLM_OK;
}

tflm_tensor_t *tflm_input(tflm_interp_t *ip, int index) {
    if (!ip->ready || index < 0 || index >= ip->n_inputs) {
        return NULL;
    }
    return &ip->tensors[ip->inputs[index]];
}

tflm_tensor_t *tflm_output(tflm_interp_t *ip, int index) {
    if (!ip->ready || index < 0 || index >= ip->n_outputs) {
        return NULL;
    }
    return &ip->tensors[ip->outputs[index]];
}

size_t tflm_kernel_count(void) {
    return tflm_n_kernels;
}

const tflm_kernel_t *tflm_kernel_at(size_t i) {
    return i < tflm_n_kernels ? tflm_kernels[i] : NULL;
}
