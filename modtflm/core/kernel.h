// What kernels see of the runtime: tensor access, persistent memory, scratch
// requests and error reporting. Prepare does every check; eval trusts it.
#ifndef TFLM_CORE_KERNEL_H
#define TFLM_CORE_KERNEL_H

#include "tflm_config.h"
#include "tflm.h"
#include "fb.h"

#include "schema/opcodes.h"
#include "schema/options.h"

static inline tflm_tensor_t *tflm_node_input(tflm_interp_t *ip, const tflm_node_t *node, int i) {
    int16_t t = i < node->n_inputs ? node->inputs[i] : -1;
    return t < 0 ? NULL : &ip->tensors[t];
}

static inline tflm_tensor_t *tflm_node_output(tflm_interp_t *ip, const tflm_node_t *node, int i) {
    return &ip->tensors[node->inputs[node->n_inputs + i]];
}

// A model's subgraphs beyond the first, its control-flow calls and its
// resource variables: ip->graph, in the arena's tables (NULL for a model of
// one subgraph without variables, which pays nothing for them).
//
// Every subgraph's tensors and ops sit in ip->tensors and ip->nodes, one
// block each, subgraph 0's first: node inputs hold these global indices, so
// kernels read any subgraph's tensors the usual way.
typedef struct tflm_subgraph {
    uint32_t io;           // its inputs' tensor indices, then its outputs', at
                           // ip->inputs + io (the index pool; see tflm_subgraph_io)
    uint16_t first_tensor;
    uint16_t n_tensors;
    uint16_t first_node;
    uint16_t n_nodes;
    uint16_t n_inputs;
    uint16_t n_outputs;
} tflm_subgraph_t;

#define TFLM_NO_SUBGRAPH (0xffff)

// A control-flow op (IF, WHILE, CALL_ONCE) and the subgraphs it runs
// (TFLM_NO_SUBGRAPH when only one), from its options; the op's op_data.
typedef struct {
    uint16_t node;
    uint16_t callee[2];
    bool has_run;          // CALL_ONCE: its subgraph ran
} tflm_call_t;

// A resource variable: found by name by VAR_HANDLE, its storage sized by the
// first ASSIGN_VARIABLE prepared (persistent: it keeps its value across
// invokes); a resource tensor holds its id (the index in ip->graph->vars).
typedef struct tflm_var {
    const char *container; // NUL-terminated strings in the model ("" if none)
    const char *name;
    uint8_t *data;         // `bytes` bytes once allocated, else NULL
    uint32_t bytes;
    int32_t id;
    uint8_t fill;          // byte it starts from and reset() restores
    bool allocated;
} tflm_var_t;

typedef struct tflm_graph {
    tflm_subgraph_t *subgraphs; // n_subgraphs records, or NULL for one
    tflm_call_t *calls;         // by node index
    tflm_var_t *vars;           // room for max_vars (one per VAR_HANDLE op)
    uint16_t n_subgraphs;
    uint16_t n_calls;
    uint16_t n_vars;
    uint16_t max_vars;
} tflm_graph_t;

static inline const int16_t *tflm_subgraph_io(const tflm_interp_t *ip, const tflm_subgraph_t *sg) {
    return ip->inputs + sg->io;
}

// The index of the first call of node n or a later one (g->calls is sorted
// by node; g->n_calls when none).
static inline unsigned tflm_call_at(const tflm_graph_t *g, unsigned n) {
    unsigned lo = 0, hi = g->n_calls;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (g->calls[mid].node < n) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

// Runs subgraph s's ops (a control-flow op's eval); fails only as an op does.
tflm_status_t tflm_invoke_subgraph(tflm_interp_t *ip, int s);

static inline int32_t tflm_elem_count(const tflm_tensor_t *t) {
    int32_t n = 1;
    for (int i = 0; i < t->rank; i++) {
        n *= t->dims[i];
    }
    return n;
}

// Records an error for op `node` (message prefixed with the op's index and
// name) and returns `status`. Formats: %d %u %s. With TFLM_ERROR_TEXT 0
// (a terse build) the format strings are not compiled in at all: the
// message is the status and the source line, e.g. "op 3 (CONV_2D): E1.212".
tflm_status_t tflm_op_fail_text(tflm_interp_t *ip, const tflm_node_t *node, tflm_status_t status,
    const char *fmt, ...);
tflm_status_t tflm_fail_text(tflm_error_t *err, tflm_status_t status, const char *fmt, ...);
// Marks a helper used only to build messages (unused in a terse build).
#define TFLM_MESSAGE_HELPER __attribute__((unused))
#if TFLM_ERROR_TEXT
#define tflm_op_fail(ip, node, status, ...) tflm_op_fail_text((ip), (node), (status), __VA_ARGS__)
#define tflm_fail(err, status, ...) tflm_fail_text((err), (status), __VA_ARGS__)
#else
tflm_status_t tflm_op_fail_code(tflm_interp_t *ip, const tflm_node_t *node, tflm_status_t status, int line);
tflm_status_t tflm_fail_code(tflm_error_t *err, tflm_status_t status, int line);
// Never defined: the message's arguments sit in sizeof (not evaluated, no
// code, no string kept) only so that helpers used just for messages still
// count as used.
int tflm_message_args(const char *fmt, ...);
#define tflm_op_fail(ip, node, status, ...) \
    ((void)sizeof(tflm_message_args(__VA_ARGS__)), tflm_op_fail_code((ip), (node), (status), __LINE__))
#define tflm_fail(err, status, ...) \
    ((void)sizeof(tflm_message_args(__VA_ARGS__)), tflm_fail_code((err), (status), __LINE__))
#endif

// Persistent memory from the arena's front (pointer-aligned, at least 4
// bytes; zeroed), for op data that depends on the model (per-channel
// multipliers). NULL and an arena error recorded when it does not fit.
void *tflm_alloc_persistent(tflm_interp_t *ip, size_t size);
// The same for an op's state kept across invokes (a noise estimate, a
// delay line): zeroed now and by every reset(), as TFLM's kernels reset
// theirs from their Reset callback.
void *tflm_alloc_state(tflm_interp_t *ip, size_t size);

// Common prepare checks. Each returns TFLM_OK or records why not.
tflm_status_t tflm_check_io(tflm_interp_t *ip, const tflm_node_t *node, int min_in, int max_in, int n_out);
// The output's type is the input's (ValueError otherwise).
tflm_status_t tflm_check_same_type(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *in,
    const tflm_tensor_t *out);
tflm_status_t tflm_check_type(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *t,
    const char *what, int type);
tflm_status_t tflm_check_quantized(tflm_interp_t *ip, const tflm_node_t *node,
    const tflm_tensor_t *t, const char *what);
// Per-channel scales of a quantized tensor (pointer into the model, checked);
// *count is 1 for per-tensor.
const uint8_t *tflm_channel_scales(tflm_interp_t *ip, const tflm_tensor_t *t, uint32_t *count);

// A builtin-options field, or `def` when absent; options_type must match.
static inline int32_t tflm_opt_i32(const tflm_node_t *node, unsigned id, int32_t def) {
    return node->options ? fb_field_i32(node->options, id, def) : def;
}
static inline int8_t tflm_opt_i8(const tflm_node_t *node, unsigned id, int8_t def) {
    return node->options ? fb_field_i8(node->options, id, def) : def;
}
static inline float tflm_opt_f32(const tflm_node_t *node, unsigned id, float def) {
    return node->options ? fb_field_f32(node->options, id, def) : def;
}

// A custom op's options: the model's custom_options bytes (FlexBuffers for
// TFLite's custom ops: see support/flexbuffer.h), bounds-checked by the
// verifier. Prepare only; NULL and 0 when the op has none.
static inline const uint8_t *tflm_custom_options(const tflm_node_t *node, uint32_t *len) {
    *len = node->options ? fb_u32(node->options) : 0;
    return node->options ? node->options + 4 : NULL;
}

// Whether this build has kernels for activations of `type`
// (MICROPY_TFLM_TYPE_*); a constant where `type` is, so code for the types
// left out is dropped by the compiler.
static inline bool tflm_type_built(int type) {
    return (type != TFLM_FLOAT32 || MICROPY_TFLM_TYPE_FLOAT32) && (type != TFLM_INT16 || MICROPY_TFLM_TYPE_INT16);
}
// Fails with NotImplementedError for a type whose kernels are left out.
tflm_status_t tflm_check_type_built(tflm_interp_t *ip, const tflm_node_t *node, int type);

// Defines kernel tflm_kernel_<name> for builtin TFLM_OP_<op> up to version
// `version`, taking BuiltinOptions TFLM_OPTIONS_<options>, min_in..max_in
// inputs and n_out outputs (TFLM_IO_ANY: any count), `data_size` bytes of
// op data; registered in support/registry.c.
#define TFLM_KERNEL(name, op, version, options, min_in, max_in, n_out, data_size, prepare_fn, eval_fn) \
    const tflm_kernel_t tflm_kernel_##name = { \
        .builtin = TFLM_OP_##op, .max_version = (version), .options_type = TFLM_OPTIONS_##options, \
        .op_data_size = (data_size), .min_inputs = (min_in), .max_inputs = (max_in), .n_outputs = (n_out), \
        .prepare = (prepare_fn), .eval = (eval_fn) }

// Defines kernel tflm_kernel_<name> for the custom op named `custom` (a
// string, matched exactly with the model's operator code) up to version
// `version`; no builtin options (prepare reads tflm_custom_options).
#define TFLM_CUSTOM_KERNEL(name, custom_name, version, min_in, max_in, n_out, data_size, prepare_fn, eval_fn) \
    const tflm_kernel_t tflm_kernel_##name = { \
        .builtin = TFLM_OP_CUSTOM, .max_version = (version), .options_type = TFLM_OPTIONS_NONE, \
        .op_data_size = (data_size), .min_inputs = (min_in), .max_inputs = (max_in), .n_outputs = (n_out), \
        .prepare = (prepare_fn), .eval = (eval_fn), .custom = (custom_name) }

// support/registry.c: every kernel compiled in (builtins, then custom ops),
// and tflm_kernels' index plus one of each builtin code's kernel.
extern const tflm_kernel_t *const tflm_kernels[];
extern const size_t tflm_n_kernels;
extern const uint8_t tflm_kernel_by_code[];
extern const size_t tflm_n_builtin_kernels;

#endif // TFLM_CORE_KERNEL_H
