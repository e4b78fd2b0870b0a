// IF, WHILE and CALL_ONCE: ops that run other subgraphs of the model.
//
// The core verified the calls when it built the tables (model.c: subgraph
// indices in range, no recursion, nesting at most TFLM_MAX_CALL_DEPTH) and
// planned every subgraph's tensors on one timeline (plan.c): a called
// subgraph's tensors never share memory with the calling op's inputs and
// outputs. So values pass between them by plain copies, where TFLM's IF
// copied through intermediate buffers when the plans could overlap.
//
// Prepare checks each call's signature: the subgraph's input and output
// counts, and each tensor's type and element count against the op's (TFLM
// compares types and byte sizes when it copies, in eval). A WHILE's
// condition must give a bool of one element.
//
// A WHILE runs until its condition subgraph says false, as in TFLM: there
// is no cap on the iterations (TFLM_WHILE_MAX_ITERATIONS sets one, for the
// fuzz build), so a model whose condition never turns false never returns
// from invoke, which Ctrl-C cannot interrupt (it runs in C).
#include <string.h>
#include "../kernel.h"

#if MICROPY_TFLM_OP_CONTROL_FLOW

// The call's subgraphs, in tflm_call_t's callee[] (from the options).
enum { IF_THEN = 0, IF_ELSE = 1, WHILE_COND = 0, WHILE_BODY = 1, CALL_ONCE_INIT = 0 };

static const tflm_subgraph_t *subgraph(tflm_interp_t *ip, const tflm_call_t *d, int which) {
    return &ip->graph->subgraphs[d->callee[which]];
}

// The op's data is its call record in the core's tables (which the planner
// also reads, and which keeps CALL_ONCE's has_run): no op data of its own.
static const tflm_call_t *find_calls(tflm_interp_t *ip, tflm_node_t *node) {
    const tflm_graph_t *g = ip->graph;
    tflm_call_t *c = &g->calls[tflm_call_at(g, (unsigned)(node - ip->nodes))];
    node->op_data = c;
    return c;
}

// n tensors `ours` (the op's; -1: omitted) against a subgraph's `theirs`:
// the same type and element count each.
static tflm_status_t check_tensors(tflm_interp_t *ip, const tflm_node_t *node, const char *what,
    const int16_t *ours, const int16_t *theirs, unsigned n) {
    for (unsigned i = 0; i < n; i++) {
        if (ours[i] < 0) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s %d is omitted", what, (int)i);
        }
        const tflm_tensor_t *a = &ip->tensors[ours[i]], *b = &ip->tensors[theirs[i]];
        if (a->type != b->type || tflm_elem_count(a) != tflm_elem_count(b)) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s %d is %s of %d elements, the subgraph's %s of %d",
                what, (int)i, tflm_type_name(a->type), tflm_elem_count(a), tflm_type_name(b->type),
                tflm_elem_count(b));
        }
    }
    return TFLM_OK;
}

// Subgraph `sg` takes n_in tensors like `ins` and gives n_out like `outs`
// (outs NULL: its outputs are not checked).
static tflm_status_t check_signature(tflm_interp_t *ip, const tflm_node_t *node, const tflm_subgraph_t *sg,
    const int16_t *ins, unsigned n_in, const int16_t *outs, unsigned n_out) {
    unsigned s = (unsigned)(sg - ip->graph->subgraphs);
    const int16_t *io = tflm_subgraph_io(ip, sg);
    n_out = outs ? n_out : sg->n_outputs;
    if (sg->n_inputs != n_in || sg->n_outputs != n_out) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "subgraph %u has %d inputs and %d outputs, expected %u and %u",
            s, sg->n_inputs, sg->n_outputs, n_in, n_out);
    }
    tflm_status_t st = check_tensors(ip, node, "input", ins, io, n_in);
    return st == TFLM_OK && outs ? check_tensors(ip, node, "output", outs, io + n_in, n_out) : st;
}

static const int16_t *node_outputs(const tflm_node_t *node) {
    return node->inputs + node->n_inputs;
}

// Copies tensors `from` into `to` (n each, sizes checked in prepare).
static void copy_tensors(tflm_interp_t *ip, const int16_t *to, const int16_t *from, unsigned n) {
    for (unsigned i = 0; i < n; i++) {
        tflm_tensor_t *dst = &ip->tensors[to[i]];
        const tflm_tensor_t *src = &ip->tensors[from[i]];
        if (dst->data != src->data) {
            memcpy(dst->data, src->data, tflm_tensor_bytes(dst));
        }
    }
}

// Inputs: the condition (bool, one element), then what the branch takes;
// outputs: what it gives.
static tflm_status_t if_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    const tflm_call_t *d = find_calls(ip, node);
    const tflm_tensor_t *cond = tflm_node_input(ip, node, 0);
    if (cond->type != TFLM_BOOL || tflm_elem_count(cond) != 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "condition is %s of %d elements, expected one bool",
            tflm_type_name(cond->type), tflm_elem_count(cond));
    }
    for (int which = IF_THEN; which <= IF_ELSE; which++) {
        tflm_status_t s = check_signature(ip, node, subgraph(ip, d, which), node->inputs + 1, node->n_inputs - 1u,
            node_outputs(node), node->n_outputs);
        if (s != TFLM_OK) {
            return s;
        }
    }
    return TFLM_OK;
}

static tflm_status_t if_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const tflm_call_t *d = node->op_data;
    int which = ip->tensors[node->inputs[0]].data[0] ? IF_THEN : IF_ELSE;
    const tflm_subgraph_t *sg = subgraph(ip, d, which);
    const int16_t *io = tflm_subgraph_io(ip, sg);
    copy_tensors(ip, io, node->inputs + 1, sg->n_inputs);
    tflm_status_t s = tflm_invoke_subgraph(ip, d->callee[which]);
    if (s == TFLM_OK) {
        copy_tensors(ip, node_outputs(node), io + sg->n_inputs, sg->n_outputs);
    }
    return s;
}

// The loop's values: n inputs, n outputs alike; the condition takes them
// and gives a bool first, the body takes them and gives their next values.
static tflm_status_t while_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    const tflm_call_t *d = find_calls(ip, node);
    unsigned n = node->n_inputs;
    if (node->n_outputs != n) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%d inputs but %d outputs", node->n_inputs, node->n_outputs);
    }
    const tflm_subgraph_t *cond = subgraph(ip, d, WHILE_COND);
    tflm_status_t s = check_tensors(ip, node, "input", node->inputs, node_outputs(node), n);
    if (s == TFLM_OK) {
        s = check_signature(ip, node, cond, node->inputs, n, NULL, 0);
    }
    if (s == TFLM_OK) {
        s = check_signature(ip, node, subgraph(ip, d, WHILE_BODY), node->inputs, n, node_outputs(node), n);
    }
    if (s != TFLM_OK) {
        return s;
    }
    const tflm_tensor_t *c = cond->n_outputs ? &ip->tensors[tflm_subgraph_io(ip, cond)[n]] : NULL;
    if (c == NULL || c->type != TFLM_BOOL || tflm_elem_count(c) != 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "condition subgraph %d does not give one bool",
            d->callee[WHILE_COND]);
    }
    return TFLM_OK;
}

// Copies the loop's values into the condition's inputs, runs it; *go is
// its answer.
static tflm_status_t while_test(tflm_interp_t *ip, const tflm_node_t *node, const int16_t *values, bool *go) {
    const tflm_call_t *d = node->op_data;
    const int16_t *io = tflm_subgraph_io(ip, subgraph(ip, d, WHILE_COND));
    copy_tensors(ip, io, values, node->n_inputs);
    tflm_status_t s = tflm_invoke_subgraph(ip, d->callee[WHILE_COND]);
    *go = s == TFLM_OK && ip->tensors[io[node->n_inputs]].data[0];
    return s;
}

// TFLM's order: the condition on the inputs, the inputs into the outputs;
// then while the condition holds: the outputs into the body, the body's
// results into the outputs, the condition on them.
static tflm_status_t while_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const tflm_call_t *d = node->op_data;
    const int16_t *body = tflm_subgraph_io(ip, subgraph(ip, d, WHILE_BODY));
    const int16_t *outs = node_outputs(node);
    unsigned n = node->n_inputs;
    bool go;
    tflm_status_t s = while_test(ip, node, node->inputs, &go);
    copy_tensors(ip, outs, node->inputs, n);
    for (uint32_t i = 0; s == TFLM_OK && go; i++) {
        #if TFLM_WHILE_MAX_ITERATIONS
        if (i >= (uint32_t)TFLM_WHILE_MAX_ITERATIONS) {
            return tflm_op_fail(ip, node, TFLM_ERR_VALUE, "more than %d iterations", TFLM_WHILE_MAX_ITERATIONS);
        }
        #endif
        copy_tensors(ip, body, outs, n);
        s = tflm_invoke_subgraph(ip, d->callee[WHILE_BODY]);
        if (s == TFLM_OK) {
            copy_tensors(ip, outs, body + n, n);
            s = while_test(ip, node, outs, &go);
        }
    }
    return s;
}

// No inputs or outputs; the subgraph takes none either (it would read
// whatever its inputs last held).
static tflm_status_t call_once_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    const tflm_call_t *d = find_calls(ip, node);
    return check_signature(ip, node, subgraph(ip, d, CALL_ONCE_INIT), NULL, 0, NULL, 0);
}

// The first invoke runs the subgraph; later ones, and those after a
// reset(), do nothing (TFLM's CALL_ONCE has no reset).
static tflm_status_t call_once_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    tflm_call_t *d = node->op_data;
    tflm_status_t s = TFLM_OK;
    if (!d->has_run) {
        s = tflm_invoke_subgraph(ip, d->callee[CALL_ONCE_INIT]);
        d->has_run = s == TFLM_OK;
    }
    return s;
}

TFLM_KERNEL(if, IF, 1, IfOptions, 1, TFLM_IO_ANY, TFLM_IO_ANY, 0, if_prepare, if_eval);
TFLM_KERNEL(while, WHILE, 1, WhileOptions, 0, TFLM_IO_ANY, TFLM_IO_ANY, 0, while_prepare, while_eval);
TFLM_KERNEL(call_once, CALL_ONCE, 1, CallOnceOptions, 0, 0, 0, 0, call_once_prepare, call_once_eval);

#endif // MICROPY_TFLM_OP_CONTROL_FLOW
