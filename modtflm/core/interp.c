// Interpreter: builds the tables in the arena, prepares every op, plans the
// activations, and runs the ops.
//
// Arena layout: [tensor table | op table | index pool | (graph: subgraphs,
// calls, variables) | op data and variables' values ... ] then the planned
// activations and scratch buffers. Everything before the plan is
// "persistent" and written by init (later only a resource variable's value
// and CALL_ONCE's mark change). The model itself (weights, shapes) is read in
// place and must not change while the interpreter lives.
#include "model.h"

#define ALIGN8(x) (((x) + 7) & ~(size_t)7)
// Tables and op data hold pointers, 32-bit values and floats, never 64-bit
// fields: word alignment is enough, and on 32-bit targets saves the padding.
#define PERSIST_ALIGN (sizeof(void *) > 4 ? sizeof(void *) : 4)
#define PERSIST_UP(x) (((x) + PERSIST_ALIGN - 1) & ~(size_t)(PERSIST_ALIGN - 1))
// Room for one op's persistent data beyond its fixed op data (per-channel
// multipliers, lookup tables) when an arena too small for the model is only
// being measured; see tflm_interp_arena_bounds. A board with little RAM may
// set less (an op needing more is then measured in a doubled block).
#ifndef TFLM_MEASURE_SLACK
#define TFLM_MEASURE_SLACK (2048)
#endif
#define MEASURE_SLACK (TFLM_MEASURE_SLACK)

// Persistent memory is taken from the arena's front. ip->arena_used counts
// what the model's persistent data needs; it equals ip->persistent_used
// except while an arena too small for the model is being measured: then
// each op's data is written at the same place (ip->persistent_used is wound
// back before every op, see tflm_interp_init) and only the count goes on.
void *tflm_alloc_persistent(tflm_interp_t *ip, size_t size) {
    size_t at = PERSIST_UP(ip->persistent_used);
    if (size > ip->arena_size || at > ip->arena_size - size) {
        ip->err.needed = 0;
        tflm_fail(&ip->err, TFLM_ERR_ARENA, "arena of %u bytes too small for the model's tables",
            (unsigned)ip->arena_size);
        return NULL;
    }
    ip->persistent_used = at + size;
    ip->arena_used = PERSIST_UP(ip->arena_used) + size;
    memset(ip->arena + at, 0, size);
    return ip->arena + at;
}

// A state block's header: the next block in ip->states, then its size.
typedef struct tflm_state {
    struct tflm_state *next;
    size_t size;
} tflm_state_t;

void *tflm_alloc_state(tflm_interp_t *ip, size_t size) {
    tflm_state_t *s = tflm_alloc_persistent(ip, sizeof(tflm_state_t) + size);
    if (s == NULL) {
        return NULL;
    }
    s->next = ip->states;
    s->size = size;
    ip->states = s;
    return s + 1;
}

tflm_status_t tflm_interp_open(tflm_interp_t *ip, const uint8_t *model, size_t len) {
    memset(ip, 0, sizeof(*ip));
    tflm_model_t m;
    uint32_t n_tensors, n_ops;
    tflm_status_t s = tflm_model_open(&m, model, len, &ip->err, &n_tensors, &n_ops);
    if (s != TFLM_OK) {
        return s;
    }
    // The verified view: past a size prefix, if the file had one. Later
    // stages find its sections again with tflm_model_view, unchecked.
    ip->model = m.b.base;
    ip->model_len = m.b.len;
    ip->n_tensors = (uint16_t)n_tensors;
    ip->n_nodes = (uint16_t)n_ops;
    return TFLM_OK;
}

// Index pool entries: every subgraph's inputs/outputs and every op's inputs
// and outputs.
static size_t pool_count(tflm_model_t *m) {
    size_t n = 0;
    for (uint32_t s = 0; s < tflm_model_subgraphs(m); s++) {
        tflm_model_select(m, s);
        n += m->n_inputs + m->n_outputs;
        for (uint32_t i = 0; i < m->n_ops; i++) {
            const uint8_t *op = tflm_model_op(m, i);
            n += tflm_model_op_io_count(m, op);
        }
    }
    tflm_model_select(m, 0);
    return n;
}

void tflm_interp_arena_bounds(const tflm_interp_t *ip, size_t *measure, size_t *upper) {
    tflm_model_t m;
    tflm_model_view(&m, ip->model, ip->model_len);
    size_t op_data = 0, op_data_max = 0, acts = 0, largest = 0;
    // Tables: tensors, ops, the index pool; with several subgraphs or
    // resource variables also ip->graph and its records (model.c).
    size_t tables = PERSIST_UP(ip->n_tensors * sizeof(tflm_tensor_t))
                    + PERSIST_UP(ip->n_nodes * sizeof(tflm_node_t) + 1)
                    + PERSIST_UP(pool_count(&m) * sizeof(int16_t) + 1);
    size_t graph = m.n_subgraphs > 1 ? m.n_subgraphs * sizeof(tflm_subgraph_t) : 0, calls = 0;
    for (uint32_t s = 0; s < tflm_model_subgraphs(&m); s++) {
        tflm_model_select(&m, s);
        for (uint32_t i = 0; i < m.n_ops; i++) {
            const char *custom;
            int version;
            int32_t code = tflm_model_op_code(&m, tflm_model_op(&m, i), &custom, &version);
            const tflm_kernel_t *k = tflm_find_kernel(code, custom);
            size_t d = k ? PERSIST_UP(k->op_data_size) : 0;
            op_data += d;
            op_data_max = d > op_data_max ? d : op_data_max;
            // At most one call record or variable each.
            calls += code == TFLM_OP_IF || code == TFLM_OP_WHILE || code == TFLM_OP_CALL_ONCE
                     || code == TFLM_OP_VAR_HANDLE;
        }
        for (uint32_t i = 0; i < m.n_tensors; i++) {
            size_t b = tflm_model_activation_bytes(&m, i);
            acts += ALIGN8(b);
            largest = b > largest ? b : largest;
        }
    }
    if (graph || calls) {
        graph = PERSIST_UP(sizeof(tflm_graph_t) + graph) + PERSIST_UP(calls * sizeof(tflm_call_t) + 1)
                + PERSIST_UP(calls * sizeof(tflm_var_t) + 1);
    }
    // 8: the arena start is aligned to 8 bytes.
    size_t base = 8 + tables + graph;
    size_t work = tflm_plan_workspace(ip->n_tensors, ip->n_nodes, m.n_subgraphs);
    size_t slot = op_data_max + MEASURE_SLACK;
    // Enough to measure the exact figure: tables, one op's data at a time,
    // the planner's workspace.
    *measure = base + (work > slot ? work : slot);
    // Enough, as a rule, to load the model: all op data, room for the plan
    // (every activation end to end, or when less, four times the largest:
    // the planner reuses memory, and more room only costs the time the heap
    // takes to clear the block) and as much again as the largest activation
    // for scratch buffers and per-channel data. When it falls short, init
    // has measured the exact size, and the caller tries once more.
    size_t plan = acts < 4 * ALIGN8(largest) ? acts : 4 * ALIGN8(largest);
    *upper = base + op_data + ALIGN8(largest) + MEASURE_SLACK + (plan > work ? plan : work);
}

tflm_status_t tflm_interp_init(tflm_interp_t *ip, uint8_t *arena, size_t arena_size) {
    tflm_model_t m;
    tflm_model_view(&m, ip->model, ip->model_len);
    ip->ready = false;
    ip->persistent_used = ip->arena_used = 0;
    ip->states = NULL;
    ip->err.status = TFLM_OK;
    ip->err.needed = 0;
    // Align the arena start; the skipped bytes count as used.
    size_t skip = (size_t)(-(uintptr_t)arena & 7);
    if (arena == NULL || arena_size < skip) {
        arena_size = skip = 0;
    }
    ip->arena = arena + skip;
    ip->arena_size = arena_size - skip;

    ip->tensors = tflm_alloc_persistent(ip, ip->n_tensors * sizeof(tflm_tensor_t));
    ip->nodes = ip->tensors ? tflm_alloc_persistent(ip, ip->n_nodes * sizeof(tflm_node_t) + 1) : NULL;
    int16_t *pool = ip->nodes ? tflm_alloc_persistent(ip, pool_count(&m) * sizeof(int16_t) + 1) : NULL;
    if (pool == NULL) {
        return TFLM_ERR_ARENA;
    }
    tflm_status_t s = tflm_build_tables(ip, &m, pool);
    if (s != TFLM_OK) {
        return s;
    }
    // Once the arena is short, the rest of the ops are prepared one at a
    // time in the same place right after the tables (`measure_at`; the op
    // data already written there is lost, init fails anyway), only to count
    // what they need: prepare runs once and the error still names the exact
    // size.
    size_t tables_end = ip->persistent_used, measure_at = 0;
    for (uint16_t i = 0; i < ip->n_nodes; i++) {
        tflm_node_t *node = &ip->nodes[i];
        const uint8_t *options = node->options;
        size_t counted = ip->arena_used;
        for (;;) {
            if (measure_at) {
                ip->persistent_used = measure_at;
            }
            const tflm_kernel_t *k = node->kernel;
            s = tflm_check_io(ip, node, k->min_inputs, k->max_inputs == TFLM_IO_ANY ? TFLM_MAX_OP_IO : k->max_inputs,
                k->n_outputs == TFLM_IO_ANY ? node->n_outputs : k->n_outputs);
            if (s == TFLM_OK && node->kernel->op_data_size) {
                node->op_data = tflm_alloc_persistent(ip, node->kernel->op_data_size);
                s = node->op_data ? TFLM_OK : TFLM_ERR_ARENA;
            }
            if (s == TFLM_OK) {
                s = node->kernel->prepare(ip, node);
            }
            if (s != TFLM_ERR_ARENA || measure_at || ip->err.needed) {
                break;
            }
            // Out of persistent memory: measure from here on, this op again.
            measure_at = tables_end;
            ip->arena_used = counted;
            node->options = options;
            node->scratch_size = 0;
        }
        if (s != TFLM_OK) {
            if (s == TFLM_ERR_ARENA && measure_at) {
                ip->err.needed = 0; // even one op's data does not fit
            }
            return s;
        }
        // Options live in the model; nothing reads them after prepare.
        node->options = NULL;
    }
    if (measure_at) {
        ip->persistent_used = measure_at; // the planner's workspace goes there
    }
    s = tflm_plan(ip);
    if (s == TFLM_OK && measure_at) {
        s = TFLM_ERR_ARENA; // the planner reported nothing: cannot happen
    }
    if (s == TFLM_ERR_ARENA && ip->err.needed) {
        ip->err.needed += skip;
        return tflm_fail(&ip->err, TFLM_ERR_ARENA, "arena of %u bytes too small, needs %u",
            (unsigned)arena_size, (unsigned)ip->err.needed);
    }
    if (s != TFLM_OK) {
        return s;
    }
    ip->arena_used += skip;
    ip->ready = true;
    return tflm_interp_reset(ip);
}

void tflm_interp_release(tflm_interp_t *ip) {
    // Forget every pointer into the arena; the verified model stays.
    ip->ready = false;
    ip->arena = NULL;
    ip->arena_size = ip->persistent_used = ip->arena_used = 0;
    ip->tensors = NULL;
    ip->nodes = NULL;
    ip->inputs = ip->outputs = NULL;
    ip->model_tensors = NULL;
    ip->graph = NULL;
    ip->states = NULL;
    ip->n_inputs = ip->n_outputs = ip->n_main_nodes = 0;
}

// Runs ops first..end-1 (with per-op ticks when profiling). Inlined in
// both callers: invoke's loop stays as lean as a loop of its own.
__attribute__((always_inline))
static inline tflm_status_t run_nodes(tflm_interp_t *ip, uint16_t first, uint16_t end) {
    for (uint16_t i = first; i < end; i++) {
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

tflm_status_t tflm_interp_invoke(tflm_interp_t *ip) {
    if (!ip->ready) {
        return tflm_fail(&ip->err, TFLM_ERR_STATE, "interpreter is not initialised");
    }
    return run_nodes(ip, 0, ip->n_main_nodes);
}

#if MICROPY_TFLM_OP_CONTROL_FLOW
tflm_status_t tflm_invoke_subgraph(tflm_interp_t *ip, int s) {
    const tflm_subgraph_t *sg = &ip->graph->subgraphs[s];
    return run_nodes(ip, sg->first_node, (uint16_t)(sg->first_node + sg->n_nodes));
}
#endif

tflm_status_t tflm_interp_reset(tflm_interp_t *ip) {
    if (!ip->ready) {
        return tflm_fail(&ip->err, TFLM_ERR_STATE, "interpreter is not initialised");
    }
    // Zero the whole planned region: variable tensors start from zero state,
    // and no output ever shows a previous model's bytes.
    // Only what the plan uses: the block may still be larger (the binding
    // shrinks it to the plan after init).
    size_t base = ALIGN8(ip->persistent_used);
    size_t end = ip->arena_used < ip->arena_size ? ip->arena_used : ip->arena_size;
    memset(ip->arena + base, 0, end > base ? end - base : 0);
    // TFLM resets an int8 variable tensor to its zero point (each byte).
    // (One with data in the model stays there, constant: no kernel takes it.)
    for (uint16_t t = 0; t < ip->n_tensors; t++) {
        tflm_tensor_t *v = &ip->tensors[t];
        if ((v->flags & (TFLM_T_VARIABLE | TFLM_T_CONST)) == TFLM_T_VARIABLE && v->type == TFLM_INT8 && v->data) {
            memset(v->data, (int)(uint8_t)v->zero_point, tflm_tensor_bytes(v));
        }
    }
    for (tflm_state_t *st = ip->states; st; st = st->next) {
        memset(st + 1, 0, st->size);
    }
    // Resource variables go back to their fill byte, as TFLM's do. (TFLM
    // does not run a CALL_ONCE subgraph again after a reset: the values its
    // init subgraph assigned are gone until the interpreter is made anew.)
    for (uint16_t i = 0; MICROPY_TFLM_OP_VARIABLES && ip->graph && i < ip->graph->n_vars; i++) {
        tflm_var_t *v = &ip->graph->vars[i];
        if (v->allocated) {
            memset(v->data, v->fill, v->bytes);
        }
    }
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
