// Resource variables: VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE, after
// TFLM's micro_resource_variable.cc.
//
// A variable lives in ip->graph->vars (room for one per VAR_HANDLE op, made
// with the tables). VAR_HANDLE finds it by container and shared name (the
// same names in any subgraph are the same variable), or makes it; its output,
// a resource tensor, holds the variable's int32 id. As in TFLM, that output
// points at the id itself (in the tables) and is not planned, so the id is
// known in prepare. The variable's storage is sized by the first
// ASSIGN_VARIABLE prepared (subgraph 0's ops first, then subgraph 1's, ...,
// TFLM's order) from the value it assigns, and taken from persistent memory:
// it keeps its value across invokes, nothing is allocated in invoke. It
// starts from, and reset() restores, a fill byte: the zero point of that
// first value when it is quantized, else 0 (TFLM's default value).
//
// A later assignment or read of another size is refused (TFLM only checks it
// in debug builds). Where the id is only known at run time (a resource
// tensor passed into a subgraph), eval checks it before copying.
#include <string.h>
#include "../kernel.h"

#if MICROPY_TFLM_OP_VARIABLES

enum { VAR_CONTAINER = 0, VAR_SHARED_NAME = 1 };

static bool same(const char *a, const char *b) {
    return strcmp(a, b) == 0;
}

// Output: the handle (a resource tensor of one element).
static tflm_status_t var_handle_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_graph_t *g = ip->graph;
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if (out->type != TFLM_RESOURCE || tflm_elem_count(out) != 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output is %s of %d elements, expected one resource",
            tflm_type_name(out->type), tflm_elem_count(out));
    }
    fb_buf_t b = {ip->model, ip->model_len};
    const char *container = NULL, *name = NULL;
    uint32_t len;
    if (node->options && (fb_string(&b, node->options, VAR_CONTAINER, &container, &len) != FB_OK
                          || fb_string(&b, node->options, VAR_SHARED_NAME, &name, &len) != FB_OK)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "malformed variable name");
    }
    name = name ? name : "";
    // An absent container matches any (TFLM's look-up).
    tflm_var_t *v = g->vars;
    while (v < g->vars + g->n_vars && !((container == NULL || same(container, v->container)) && same(name, v->name))) {
        v++;
    }
    if (v == g->vars + g->n_vars) {
        // New: room was made for one per VAR_HANDLE op.
        v->container = container ? container : "";
        v->name = name;
        v->id = g->n_vars++;
    }
    out->data = (uint8_t *)&v->id;
    out->flags |= TFLM_T_CONST;
    return TFLM_OK;
}

static tflm_status_t var_handle_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    (void)ip;
    (void)node;
    return TFLM_OK;
}

// The variable `handle` names, for a value of `bytes` bytes; NULL (an error
// recorded) when there is none or it holds another size. In prepare, a
// handle known only at run time and a variable not yet sized pass (`*v`
// NULL, TFLM_OK); in eval (`running`) neither does.
static tflm_status_t find_var(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *handle,
    uint32_t bytes, bool running, tflm_var_t **v) {
    *v = NULL;
    tflm_status_t s = running ? TFLM_ERR_VALUE : TFLM_ERR_MODEL;
    if (handle->data == NULL) {
        // Prepare: a subgraph's input, eval will know. (Eval: a subgraph
        // that never runs.)
        return running ? tflm_op_fail(ip, node, s, "no resource handle") : TFLM_OK;
    }
    int32_t id;
    memcpy(&id, handle->data, sizeof(id));
    if (id < 0 || ip->graph == NULL || id >= ip->graph->n_vars) {
        return tflm_op_fail(ip, node, s, "no resource variable %d", id);
    }
    tflm_var_t *var = &ip->graph->vars[id];
    if (var->allocated && var->bytes != bytes) {
        return tflm_op_fail(ip, node, s, "variable '%s' holds %u bytes, not %u", var->name, (unsigned)var->bytes,
            (unsigned)bytes);
    }
    if (running && !var->allocated) {
        return tflm_op_fail(ip, node, s, "variable '%s' is never assigned", var->name);
    }
    *v = var;
    return TFLM_OK;
}

// The handle: a resource (or TFLM's other form, an int32 id) of one element.
static tflm_status_t check_handle(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *handle) {
    if ((handle->type != TFLM_RESOURCE && handle->type != TFLM_INT32) || tflm_elem_count(handle) != 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "handle is %s of %d elements, expected one resource",
            tflm_type_name(handle->type), tflm_elem_count(handle));
    }
    return TFLM_OK;
}

// Inputs: the handle, the value.
static tflm_status_t assign_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    const tflm_tensor_t *handle = tflm_node_input(ip, node, 0), *value = tflm_node_input(ip, node, 1);
    uint32_t bytes = tflm_tensor_bytes(value);
    tflm_var_t *v;
    tflm_status_t s = check_handle(ip, node, handle);
    if (s == TFLM_OK) {
        s = find_var(ip, node, handle, bytes, false, &v);
    }
    if (s != TFLM_OK || v == NULL || v->allocated) {
        return s;
    }
    v->data = tflm_alloc_persistent(ip, bytes);
    if (v->data == NULL) {
        return TFLM_ERR_ARENA;
    }
    v->bytes = bytes;
    v->fill = (value->flags & TFLM_T_QUANT) ? (uint8_t)value->zero_point : 0;
    v->allocated = true;
    return TFLM_OK;
}

static tflm_status_t assign_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const tflm_tensor_t *value = tflm_node_input(ip, node, 1);
    tflm_var_t *v;
    tflm_status_t s = find_var(ip, node, tflm_node_input(ip, node, 0), tflm_tensor_bytes(value), true, &v);
    if (s == TFLM_OK) {
        memcpy(v->data, value->data, v->bytes);
    }
    return s;
}

// Input: the handle; output: the value.
static tflm_status_t read_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    const tflm_tensor_t *handle = tflm_node_input(ip, node, 0);
    tflm_var_t *v;
    tflm_status_t s = check_handle(ip, node, handle);
    return s == TFLM_OK ? find_var(ip, node, handle, tflm_tensor_bytes(tflm_node_output(ip, node, 0)), false, &v) : s;
}

static tflm_status_t read_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    tflm_var_t *v;
    tflm_status_t s = find_var(ip, node, tflm_node_input(ip, node, 0), tflm_tensor_bytes(out), true, &v);
    if (s == TFLM_OK) {
        memcpy(out->data, v->data, v->bytes);
    }
    return s;
}

TFLM_KERNEL(var_handle, VAR_HANDLE, 1, VarHandleOptions, 0, 0, 1, 0, var_handle_prepare, var_handle_eval);
// (Both options tables are empty in the schema.)
TFLM_KERNEL(read_variable, READ_VARIABLE, 1, ReadVariableOptions, 1, 1, 1, 0, read_prepare, read_eval);
TFLM_KERNEL(assign_variable, ASSIGN_VARIABLE, 1, AssignVariableOptions, 2, 2, 0, 0, assign_prepare, assign_eval);

#endif // MICROPY_TFLM_OP_VARIABLES
