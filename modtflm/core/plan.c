// Arena planner.
//
// Walkthrough. Every non-constant tensor that some op touches, and every
// scratch buffer an op asked for in prepare, is a buffer with a size and a
// lifetime [first op, last op] (graph inputs start at op 0, graph outputs and
// variable tensors live to the end). Buffers whose lifetimes overlap must not
// share bytes; the others may. Placement is greedy by size, largest first
// (ties by index, so plans are deterministic): each buffer goes to the lowest
// offset where it overlaps no already-placed buffer that is alive at the same
// time. When a candidate offset collides with such a buffer, any start below
// that buffer's end would collide too, so the search jumps straight there.
// Lifetimes and placements live in a workspace taken from the region being
// planned (it is free until invoke), so they cost no persistent memory; the
// arena must only be large enough to hold that workspace while planning.
//
// Several subgraphs share the one arena on a flattened timeline, as TFLM
// plans them: an op that runs subgraphs (IF, WHILE, CALL_ONCE) takes a
// position where it starts, then the subgraphs it runs take theirs (their
// inputs alive from their start, outputs to their end), then the op one
// where it ends. The op's own inputs and outputs are used at both ends, so
// they stay clear of everything the subgraphs use; what runs one after the
// other (a WHILE's condition and body, an IF's branches) may share memory.
// A subgraph is laid out where it is first called; another op calling it
// too stretches its tensors over that op's positions (the subgraph's
// `lo`..`hi`, passed on to the subgraphs it calls).
#include "model.h"

#define ALIGN (8u)
#define ALIGN_UP(x) (((x) + ALIGN - 1) & ~(size_t)(ALIGN - 1))

typedef struct {
    uint32_t size;
    uint16_t first;
    uint16_t last;
    uint32_t *offset; // where the placement is recorded (as offset + 1; 0 = unplaced)
} buf_ref_t;

typedef struct {
    uint16_t *first; // per tensor: first and last op using it (TFLM_NO_OP: none)
    uint16_t *last;
    uint32_t *slots; // per buffer: placement
    // Several subgraphs: per op, its first and last position on the
    // timeline (TFLM_NO_OP: never runs); else NULL, an op's position is its
    // index.
    uint16_t *start;
    uint16_t *end;
} work_t;

static void use(work_t *w, int16_t t, uint16_t op) {
    if (w->first[t] == TFLM_NO_OP || op < w->first[t]) {
        w->first[t] = op;
    }
    if (w->last[t] == TFLM_NO_OP || op > w->last[t]) {
        w->last[t] = op;
    }
}

// Lifetimes: graph inputs from before the first op, graph outputs and state
// (variable tensors) to after the last; the rest from producer to last reader.
static void lifetimes(tflm_interp_t *ip, work_t *w) {
    uint16_t end = ip->n_nodes;
    for (uint16_t t = 0; t < ip->n_tensors; t++) {
        w->first[t] = w->last[t] = TFLM_NO_OP;
        if (ip->tensors[t].flags & TFLM_T_VARIABLE) {
            use(w, (int16_t)t, 0);
            use(w, (int16_t)t, end);
        }
    }
    for (uint16_t i = 0; i < ip->n_inputs; i++) {
        use(w, ip->inputs[i], 0);
    }
    for (uint16_t n = 0; n < ip->n_nodes; n++) {
        const tflm_node_t *node = &ip->nodes[n];
        for (uint16_t i = 0; i < node->n_inputs; i++) {
            if (node->inputs[i] >= 0) {
                use(w, node->inputs[i], n);
            }
        }
        for (uint16_t i = 0; i < node->n_outputs; i++) {
            use(w, node->inputs[node->n_inputs + i], n);
        }
    }
    for (uint16_t i = 0; i < ip->n_outputs; i++) {
        use(w, ip->outputs[i], end);
    }
}

#if MICROPY_TFLM_OP_CONTROL_FLOW
// Lays out subgraph s from position t on (see the top); returns the next
// free position. Recurses once per call level (bounded: model.c).
static uint16_t place(tflm_interp_t *ip, work_t *w, unsigned s, uint16_t t) {
    const tflm_graph_t *g = ip->graph;
    tflm_subgraph_t *sg = &g->subgraphs[s];
    sg->begin = t;
    unsigned k = tflm_call_at(g, sg->first_node);
    for (uint16_t n = sg->first_node; n < sg->first_node + sg->n_nodes; n++) {
        w->start[n] = w->end[n] = t++;
        if (k < g->n_calls && g->calls[k].node == n) {
            for (int j = 0; j < 2 && g->calls[k].callee[j] != TFLM_NO_SUBGRAPH; j++) {
                if (g->subgraphs[g->calls[k].callee[j]].begin == TFLM_NO_OP) {
                    t = place(ip, w, g->calls[k].callee[j], t);
                }
            }
            w->end[n] = t++;
            k++;
        }
    }
    sg->end = t;
    return (uint16_t)(t + 1);
}

// Stretches subgraph c over positions lo..hi.
static bool stretch(tflm_subgraph_t *c, uint16_t lo, uint16_t hi) {
    bool more = lo < c->lo || hi > c->hi;
    c->lo = lo < c->lo ? lo : c->lo;
    c->hi = hi > c->hi ? hi : c->hi;
    return more;
}

static void use_span(work_t *w, int16_t t, uint16_t first, uint16_t last) {
    use(w, t, first);
    use(w, t, last);
}

// Lifetimes with several subgraphs: the timeline (place), each subgraph's
// stretch (`lo`..`hi`: the other ops calling it, and its callers'
// stretches, to a fixed point: one round per call level), then the ops'
// and subgraphs' inputs and outputs as in lifetimes().
static void lifetimes_several(tflm_interp_t *ip, work_t *w) {
    tflm_graph_t *g = ip->graph;
    for (uint16_t n = 0; n < ip->n_nodes; n++) {
        w->start[n] = w->end[n] = TFLM_NO_OP;
    }
    for (unsigned s = 0; s < g->n_subgraphs; s++) {
        g->subgraphs[s].begin = TFLM_NO_OP;
        g->subgraphs[s].lo = TFLM_NO_OP;
        g->subgraphs[s].hi = 0;
    }
    place(ip, w, 0, 0);
    for (bool more = true; more;) {
        more = false;
        unsigned caller = 0; // the subgraph of call k (both in node order)
        for (unsigned k = 0; k < g->n_calls; k++) {
            const tflm_call_t *c = &g->calls[k];
            while (c->node >= g->subgraphs[caller].first_node + g->subgraphs[caller].n_nodes) {
                caller++;
            }
            if (w->start[c->node] == TFLM_NO_OP) {
                continue; // in a subgraph nothing calls
            }
            for (int j = 0; j < 2 && c->callee[j] != TFLM_NO_SUBGRAPH; j++) {
                tflm_subgraph_t *callee = &g->subgraphs[c->callee[j]];
                if (callee->begin < w->start[c->node] || callee->end > w->end[c->node]) {
                    more |= stretch(callee, w->start[c->node], w->end[c->node]);
                }
                if (g->subgraphs[caller].lo <= g->subgraphs[caller].hi) {
                    more |= stretch(callee, g->subgraphs[caller].lo, g->subgraphs[caller].hi);
                }
            }
        }
    }
    uint16_t end = g->subgraphs[0].end;
    for (unsigned s = 0; s < g->n_subgraphs; s++) {
        const tflm_subgraph_t *sg = &g->subgraphs[s];
        if (sg->begin == TFLM_NO_OP) {
            continue;
        }
        bool stretched = sg->lo <= sg->hi;
        for (uint16_t n = sg->first_node; stretched && n < sg->first_node + sg->n_nodes; n++) {
            w->start[n] = sg->lo < w->start[n] ? sg->lo : w->start[n];
            w->end[n] = sg->hi > w->end[n] ? sg->hi : w->end[n];
        }
        for (uint16_t t = sg->first_tensor; t < sg->first_tensor + sg->n_tensors; t++) {
            if (ip->tensors[t].flags & TFLM_T_VARIABLE) {
                use_span(w, (int16_t)t, 0, end);
            }
        }
        for (uint16_t i = 0; i < sg->n_inputs + sg->n_outputs; i++) {
            use_span(w, sg->io[i], i < sg->n_inputs ? sg->begin : sg->end, i < sg->n_inputs ? sg->begin : sg->end);
            if (stretched) {
                use_span(w, sg->io[i], sg->lo, sg->hi);
            }
        }
    }
    for (uint16_t n = 0; n < ip->n_nodes; n++) {
        const tflm_node_t *node = &ip->nodes[n];
        for (uint16_t i = 0; w->start[n] != TFLM_NO_OP && i < node->n_inputs + node->n_outputs; i++) {
            if (node->inputs[i] >= 0) {
                use_span(w, node->inputs[i], w->start[n], w->end[n]);
            }
        }
    }
}
#endif

// Buffers are enumerated by index: tensors first, then one scratch per node.
static bool get_buf(tflm_interp_t *ip, work_t *w, size_t i, buf_ref_t *r) {
    if (i < ip->n_tensors) {
        tflm_tensor_t *t = &ip->tensors[i];
        if ((t->flags & TFLM_T_CONST) || w->first[i] == TFLM_NO_OP) {
            return false;
        }
        r->size = tflm_tensor_bytes(t);
        r->first = w->first[i];
        r->last = w->last[i];
    } else {
        size_t n = i - ip->n_tensors;
        tflm_node_t *node = &ip->nodes[n];
        if (node->scratch_size == 0 || (w->start && w->start[n] == TFLM_NO_OP)) {
            return false;
        }
        r->size = node->scratch_size;
        r->first = w->start ? w->start[n] : (uint16_t)n;
        r->last = w->end ? w->end[n] : (uint16_t)n;
    }
    r->offset = &w->slots[i];
    return true;
}

size_t tflm_plan_workspace(size_t n_tensors, size_t n_nodes, bool several) {
    // A slot per buffer, first and last use per tensor, with several
    // subgraphs each op's span (see work_t).
    return (n_tensors + n_nodes) * sizeof(uint32_t) + 2 * ALIGN_UP(n_tensors * sizeof(uint16_t))
           + (several ? 2 * ALIGN_UP(n_nodes * sizeof(uint16_t)) : 0);
}

static bool alive_together(const buf_ref_t *a, const buf_ref_t *b) {
    return !(a->last < b->first || a->first > b->last);
}

// The lowest offset at which `best` (`size` bytes) overlaps no placed buffer
// alive at the same time. A candidate that collides with such a buffer can
// only move past that buffer's end: any start below it collides too.
static size_t lowest_offset(tflm_interp_t *ip, work_t *w, size_t n_bufs, const buf_ref_t *best, size_t size) {
    size_t at = 0;
    bool moved = true;
    while (moved) {
        moved = false;
        for (size_t i = 0; i < n_bufs; i++) {
            buf_ref_t r;
            if (!get_buf(ip, w, i, &r) || *r.offset == 0 || r.offset == best->offset || !alive_together(&r, best)) {
                continue;
            }
            size_t r_at = *r.offset - 1;
            size_t r_end = r_at + ALIGN_UP((size_t)r.size);
            if (r_at < at + size && at < r_end) {
                at = r_end;
                moved = true;
            }
        }
    }
    return at;
}

// The same offset from the placed buffers in offset order (`order`): one
// pass, stopping at the first buffer that starts past the candidate's end.
static size_t lowest_offset_sorted(tflm_interp_t *ip, work_t *w, const uint16_t *order, size_t n_placed,
    const buf_ref_t *best, size_t size) {
    size_t at = 0;
    for (size_t k = 0; k < n_placed; k++) {
        buf_ref_t r;
        get_buf(ip, w, order[k], &r);
        if (!alive_together(&r, best)) {
            continue;
        }
        size_t r_at = *r.offset - 1;
        if (r_at >= at + size) {
            break;
        }
        size_t r_end = r_at + ALIGN_UP((size_t)r.size);
        at = r_end > at ? r_end : at;
    }
    return at;
}

tflm_status_t tflm_plan(tflm_interp_t *ip) {
    size_t n_bufs = (size_t)ip->n_tensors + ip->n_nodes;
    // The workspace follows what is written; the plan follows what the
    // persistent data needs (more, when init only measures; see interp.c).
    size_t base = ALIGN_UP(ip->persistent_used);
    size_t plan_base = ALIGN_UP(ip->arena_used);
    bool several = MICROPY_TFLM_OP_CONTROL_FLOW && ip->graph && ip->graph->subgraphs;
    size_t slots_bytes = tflm_plan_workspace(ip->n_tensors, ip->n_nodes, several);
    if (base > ip->arena_size || ip->arena_size - base < slots_bytes) {
        ip->err.needed = 0;
        return tflm_fail(&ip->err, TFLM_ERR_ARENA, "arena of %u bytes too small to plan the model",
            (unsigned)ip->arena_size);
    }
    work_t w;
    w.slots = (uint32_t *)(void *)(ip->arena + base);
    w.first = (uint16_t *)(void *)(ip->arena + base + n_bufs * sizeof(uint32_t));
    w.last = w.first + ALIGN_UP((size_t)ip->n_tensors * sizeof(uint16_t)) / sizeof(uint16_t);
    w.start = w.end = NULL;
    memset(w.slots, 0, n_bufs * sizeof(uint32_t));
    #if MICROPY_TFLM_OP_CONTROL_FLOW
    if (several) {
        w.start = w.last + ALIGN_UP((size_t)ip->n_tensors * sizeof(uint16_t)) / sizeof(uint16_t);
        w.end = w.start + ALIGN_UP((size_t)ip->n_nodes * sizeof(uint16_t)) / sizeof(uint16_t);
        for (uint16_t t = 0; t < ip->n_tensors; t++) {
            w.first[t] = w.last[t] = TFLM_NO_OP;
        }
        lifetimes_several(ip, &w);
    } else
    #endif
    {
        lifetimes(ip, &w);
    }
    // With room past the workspace (there usually is: the plan region is
    // free until invoke), placed buffers are also kept sorted by offset,
    // which finds each offset in one pass. The plan is the same either way,
    // so the room is not counted in what the arena needs.
    uint16_t *order = NULL;
    size_t n_placed = 0;
    if (ip->arena_size - base - slots_bytes >= n_bufs * sizeof(uint16_t)) {
        order = (uint16_t *)(void *)(ip->arena + base + slots_bytes);
    }

    size_t total = 0;
    for (;;) {
        // Largest unplaced buffer.
        buf_ref_t best = {0, 0, 0, NULL};
        for (size_t i = 0; i < n_bufs; i++) {
            buf_ref_t r;
            if (get_buf(ip, &w, i, &r) && *r.offset == 0 && (best.offset == NULL || r.size > best.size)) {
                best = r;
            }
        }
        if (best.offset == NULL) {
            break;
        }
        size_t size = ALIGN_UP((size_t)best.size);
        size_t at = order ? lowest_offset_sorted(ip, &w, order, n_placed, &best, size)
                          : lowest_offset(ip, &w, n_bufs, &best, size);
        if (at + size > 0x7fffffffu) {
            return tflm_fail(&ip->err, TFLM_ERR_UNSUPPORTED, "activations need over 2 GB");
        }
        *best.offset = (uint32_t)(at + 1);
        if (order) {
            // Keep `order` sorted by offset: insert after every buffer
            // starting at or below this one.
            size_t k = n_placed;
            while (k > 0 && w.slots[order[k - 1]] > *best.offset) {
                order[k] = order[k - 1];
                k--;
            }
            order[k] = (uint16_t)(best.offset - w.slots);
            n_placed++;
        }
        if (at + size > total) {
            total = at + size;
        }
    }

    // The slots themselves sit in the region being planned, so the arena must
    // hold whichever is larger.
    size_t needed = plan_base + (total > slots_bytes ? total : slots_bytes);
    if (needed > ip->arena_size) {
        ip->err.needed = needed;
        return tflm_fail(&ip->err, TFLM_ERR_ARENA, "arena of %u bytes too small, needs %u",
            (unsigned)ip->arena_size, (unsigned)needed);
    }
    uint8_t *region = ip->arena + base;
    for (size_t i = 0; i < n_bufs; i++) {
        buf_ref_t r;
        if (!get_buf(ip, &w, i, &r)) {
            continue;
        }
        uint8_t *p = region + (*r.offset - 1);
        if (i < ip->n_tensors) {
            ip->tensors[i].data = p;
        } else {
            ip->nodes[i - ip->n_tensors].scratch = p;
        }
    }
    // The slots are overwritten by activations from here on; the arena still
    // had to hold them, so they count.
    ip->arena_used = needed;
    return TFLM_OK;
}
