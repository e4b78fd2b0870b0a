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
// Placements live in a workspace taken from the region being planned (it is
// free until invoke), lifetimes in the tensor and op tables' pointer fields
// that get their value only when planning ends (a tensor's `data`, an op's
// `scratch`), so they cost no persistent memory; the arena must only be large
// enough to hold that workspace while planning.
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
// `lo`..`hi`, passed on to the subgraphs it calls). The calls are checked
// here first, where the workspace is: no recursion (invoke would never end),
// nesting at most TFLM_MAX_CALL_DEPTH deep (invoke recurses in C once per
// level; laying out the timeline too).
#include "model.h"

#define ALIGN (8u)
#define ALIGN_UP(x) (((x) + ALIGN - 1) & ~(size_t)(ALIGN - 1))

// A lifetime or span, packed: first position in the low half, last in the
// high half; TFLM_NO_OP in both halves: none.
#define NO_LIFE (0xffffffffu)
#define LIFE_FIRST(l) ((uint16_t)((l) & 0xffffu))
#define LIFE_LAST(l) ((uint16_t)((l) >> 16))

typedef struct {
    uint32_t size;
    uint16_t first;
    uint16_t last;
    uint32_t *offset; // where the placement is recorded (as offset + 1; 0 = unplaced)
} buf_ref_t;

// Several subgraphs: per subgraph, first the call check's mark and height
// (the longest chain of calls below it), then its start and end on the
// timeline (TFLM_NO_OP: not laid out: nothing calls it) and its stretch
// (lo > hi: none).
typedef union {
    struct {
        uint8_t mark;
        uint8_t height;
    } check;
    struct {
        uint16_t begin;
        uint16_t end;
        uint16_t lo;
        uint16_t hi;
    } t;
} sg_plan_t;

// Buffers: the tensors, then the scratch buffers (one per op that asked
// for one, in op order).
typedef struct {
    uint32_t *slots;          // per buffer: placement
    uint16_t *scratch_nodes;  // per scratch buffer: its op
    size_t n_scratch;
    sg_plan_t *sg;            // several subgraphs: per subgraph (else NULL;
                              // an op's position is its index)
} work_t;

static uint32_t widen(uint32_t life, uint16_t first, uint16_t last) {
    uint16_t f = LIFE_FIRST(life), l = LIFE_LAST(life);
    f = f == TFLM_NO_OP || first < f ? first : f;
    l = l == TFLM_NO_OP || last > l ? last : l;
    return f | (uint32_t)l << 16;
}

// Tensor t is used from position first to last (constants are not planned).
static void use_span(tflm_interp_t *ip, int16_t t, uint16_t first, uint16_t last) {
    tflm_tensor_t *tensor = &ip->tensors[t];
    if (!(tensor->flags & TFLM_T_CONST)) {
        tensor->life = widen(tensor->life, first, last);
    }
}

static void use(tflm_interp_t *ip, int16_t t, uint16_t op) {
    use_span(ip, t, op, op);
}

static void clear_lifetimes(tflm_interp_t *ip) {
    for (uint16_t t = 0; t < ip->n_tensors; t++) {
        if (!(ip->tensors[t].flags & TFLM_T_CONST)) {
            ip->tensors[t].life = NO_LIFE;
        }
    }
}

// Lifetimes: graph inputs from before the first op, graph outputs and state
// (variable tensors) to after the last; the rest from producer to last reader.
static void lifetimes(tflm_interp_t *ip) {
    uint16_t end = ip->n_nodes;
    clear_lifetimes(ip);
    for (uint16_t t = 0; t < ip->n_tensors; t++) {
        if (ip->tensors[t].flags & TFLM_T_VARIABLE) {
            use_span(ip, (int16_t)t, 0, end);
        }
    }
    for (uint16_t i = 0; i < ip->n_inputs; i++) {
        use(ip, ip->inputs[i], 0);
    }
    for (uint16_t n = 0; n < ip->n_nodes; n++) {
        const tflm_node_t *node = &ip->nodes[n];
        for (uint16_t i = 0; i < node->n_inputs + node->n_outputs; i++) {
            if (node->inputs[i] >= 0) {
                use(ip, node->inputs[i], n);
            }
        }
    }
    for (uint16_t i = 0; i < ip->n_outputs; i++) {
        use(ip, ip->outputs[i], end);
    }
}

#if MICROPY_TFLM_OP_CONTROL_FLOW
// The calls of subgraph s's ops: g->calls[*k] to [*end - 1].
static void calls_of(const tflm_graph_t *g, const tflm_subgraph_t *sg, unsigned *k, unsigned *end) {
    *k = tflm_call_at(g, sg->first_node);
    *end = tflm_call_at(g, sg->first_node + sg->n_nodes);
}

// Depth-first search of the calls below subgraph s, reached `depth` calls
// below where the search started: a call into a subgraph still being
// searched is recursion, a chain of calls deeper than TFLM_MAX_CALL_DEPTH is
// refused (both a malformed model). A subgraph is searched once and keeps
// its height, so the time is linear in the calls however many ops share a
// subgraph; the search's own recursion is bounded by the depth limit.
static tflm_status_t check_calls(tflm_interp_t *ip, work_t *w, unsigned s, unsigned depth) {
    const tflm_graph_t *g = ip->graph;
    w->sg[s].check.mark = 1;
    unsigned height = 0, k, end;
    for (calls_of(g, &g->subgraphs[s], &k, &end); k < end; k++) {
        const tflm_call_t *c = &g->calls[k];
        for (int j = 0; j < 2 && c->callee[j] != TFLM_NO_SUBGRAPH; j++) {
            sg_plan_t *callee = &w->sg[c->callee[j]];
            if (callee->check.mark == 1) {
                return tflm_op_fail(ip, &ip->nodes[c->node], TFLM_ERR_MODEL,
                    "calls subgraph %d, which is already running (recursion)", c->callee[j]);
            }
            if (callee->check.mark == 0 && depth < TFLM_MAX_CALL_DEPTH) {
                tflm_status_t st = check_calls(ip, w, c->callee[j], depth + 1);
                if (st != TFLM_OK) {
                    return st;
                }
            }
            if (callee->check.mark == 0 || depth + 1 + callee->check.height > TFLM_MAX_CALL_DEPTH) {
                return tflm_op_fail(ip, &ip->nodes[c->node], TFLM_ERR_MODEL,
                    "subgraph calls nest deeper than %d", TFLM_MAX_CALL_DEPTH);
            }
            height = callee->check.height + 1u > height ? callee->check.height + 1u : height;
        }
    }
    w->sg[s].check.height = (uint8_t)height;
    w->sg[s].check.mark = 2;
    return TFLM_OK;
}

// Lays out subgraph s from position t on (see the top); returns the next
// free position. Recurses once per call level (bounded: check_calls).
static uint16_t place(tflm_interp_t *ip, work_t *w, unsigned s, uint16_t t) {
    const tflm_graph_t *g = ip->graph;
    const tflm_subgraph_t *sg = &g->subgraphs[s];
    unsigned k, end;
    calls_of(g, sg, &k, &end);
    w->sg[s].t.begin = t;
    for (uint16_t n = sg->first_node; n < sg->first_node + sg->n_nodes; n++) {
        uint16_t start = t++;
        if (k < end && g->calls[k].node == n) {
            for (int j = 0; j < 2 && g->calls[k].callee[j] != TFLM_NO_SUBGRAPH; j++) {
                if (w->sg[g->calls[k].callee[j]].t.begin == TFLM_NO_OP) {
                    t = place(ip, w, g->calls[k].callee[j], t);
                }
            }
            k++;
            t++;
        }
        ip->nodes[n].span = start | (uint32_t)(t - 1) << 16;
    }
    w->sg[s].t.end = t;
    return (uint16_t)(t + 1);
}

// Stretches subgraph c over positions lo..hi; whether it grew.
static bool stretch(sg_plan_t *c, uint16_t lo, uint16_t hi) {
    bool more = lo < c->t.lo || hi > c->t.hi;
    c->t.lo = lo < c->t.lo ? lo : c->t.lo;
    c->t.hi = hi > c->t.hi ? hi : c->t.hi;
    return more;
}

// Every subgraph's stretch: the ops calling it other than where it was laid
// out, and its callers' stretches, to a fixed point (a round per call level).
static void stretch_all(tflm_interp_t *ip, work_t *w) {
    const tflm_graph_t *g = ip->graph;
    for (bool more = true; more;) {
        more = false;
        unsigned caller = 0; // the subgraph of call k (both in node order)
        for (unsigned k = 0; k < g->n_calls; k++) {
            const tflm_call_t *c = &g->calls[k];
            while (c->node >= g->subgraphs[caller].first_node + g->subgraphs[caller].n_nodes) {
                caller++;
            }
            uint32_t span = ip->nodes[c->node].span;
            if (span == NO_LIFE) {
                continue; // in a subgraph nothing calls
            }
            for (int j = 0; j < 2 && c->callee[j] != TFLM_NO_SUBGRAPH; j++) {
                sg_plan_t *callee = &w->sg[c->callee[j]];
                if (callee->t.begin < LIFE_FIRST(span) || callee->t.end > LIFE_LAST(span)) {
                    more |= stretch(callee, LIFE_FIRST(span), LIFE_LAST(span));
                }
                if (w->sg[caller].t.lo <= w->sg[caller].t.hi) {
                    more |= stretch(callee, w->sg[caller].t.lo, w->sg[caller].t.hi);
                }
            }
        }
    }
}

// Lifetimes with several subgraphs: the call checks, the timeline, the
// stretches; then every op's inputs and outputs over its span, every laid
// out subgraph's inputs from its start and outputs to its end, state over
// everything, as in lifetimes().
static tflm_status_t lifetimes_several(tflm_interp_t *ip, work_t *w) {
    const tflm_graph_t *g = ip->graph;
    for (unsigned s = 0; s < g->n_subgraphs; s++) {
        w->sg[s].check.mark = 0;
    }
    for (unsigned s = 0; s < g->n_subgraphs; s++) {
        tflm_status_t st = w->sg[s].check.mark ? TFLM_OK : check_calls(ip, w, s, 0);
        if (st != TFLM_OK) {
            return st;
        }
    }
    for (unsigned s = 0; s < g->n_subgraphs; s++) {
        w->sg[s].t.begin = w->sg[s].t.end = w->sg[s].t.lo = TFLM_NO_OP;
        w->sg[s].t.hi = 0;
    }
    for (uint16_t n = 0; n < ip->n_nodes; n++) {
        ip->nodes[n].span = NO_LIFE;
    }
    place(ip, w, 0, 0);
    stretch_all(ip, w);
    clear_lifetimes(ip);
    uint16_t end = w->sg[0].t.end;
    for (unsigned s = 0; s < g->n_subgraphs; s++) {
        const tflm_subgraph_t *sg = &g->subgraphs[s];
        const sg_plan_t *p = &w->sg[s];
        if (p->t.begin == TFLM_NO_OP) {
            continue;
        }
        // Stretched: each op's span and the subgraph's inputs and outputs
        // widen over the stretch.
        bool stretched = p->t.lo <= p->t.hi;
        for (uint16_t n = sg->first_node; stretched && n < sg->first_node + sg->n_nodes; n++) {
            ip->nodes[n].span = widen(ip->nodes[n].span, p->t.lo, p->t.hi);
        }
        for (uint16_t t = sg->first_tensor; t < sg->first_tensor + sg->n_tensors; t++) {
            if (ip->tensors[t].flags & TFLM_T_VARIABLE) {
                use_span(ip, (int16_t)t, 0, end);
            }
        }
        const int16_t *io = tflm_subgraph_io(ip, sg);
        for (uint16_t i = 0; i < sg->n_inputs + sg->n_outputs; i++) {
            use(ip, io[i], i < sg->n_inputs ? p->t.begin : p->t.end);
            if (stretched) {
                use_span(ip, io[i], p->t.lo, p->t.hi);
            }
        }
    }
    for (uint16_t n = 0; n < ip->n_nodes; n++) {
        const tflm_node_t *node = &ip->nodes[n];
        for (uint16_t i = 0; node->span != NO_LIFE && i < node->n_inputs + node->n_outputs; i++) {
            if (node->inputs[i] >= 0) {
                use_span(ip, node->inputs[i], LIFE_FIRST(node->span), LIFE_LAST(node->span));
            }
        }
    }
    return TFLM_OK;
}
#endif

// Buffers are enumerated by index: tensors first, then one scratch per node.
static bool get_buf(tflm_interp_t *ip, work_t *w, size_t i, buf_ref_t *r) {
    if (i < ip->n_tensors) {
        tflm_tensor_t *t = &ip->tensors[i];
        if ((t->flags & TFLM_T_CONST) || t->life == NO_LIFE) {
            return false;
        }
        r->size = tflm_tensor_bytes(t);
        r->first = LIFE_FIRST(t->life);
        r->last = LIFE_LAST(t->life);
    } else {
        uint16_t n = w->scratch_nodes[i - ip->n_tensors];
        const tflm_node_t *node = &ip->nodes[n];
        if (w->sg && node->span == NO_LIFE) {
            return false;
        }
        r->size = node->scratch_size & ~TFLM_SCRATCH_STATE;
        r->first = w->sg ? LIFE_FIRST(node->span) : n;
        r->last = w->sg ? LIFE_LAST(node->span) : n;
        if (node->scratch_size & TFLM_SCRATCH_STATE) {
            // State: alive over everything, as a variable tensor.
            r->first = 0;
            r->last = w->sg ? w->sg[0].t.end : ip->n_nodes;
        }
    }
    r->offset = &w->slots[i];
    return true;
}

size_t tflm_plan_workspace(size_t n_tensors, size_t n_scratch, size_t n_subgraphs) {
    // A slot per buffer, the op of each scratch buffer; with several
    // subgraphs, a record each (see work_t).
    return (n_tensors + n_scratch) * sizeof(uint32_t) + ALIGN_UP(n_scratch * sizeof(uint16_t))
           + (n_subgraphs > 1 ? n_subgraphs * sizeof(sg_plan_t) : 0);
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
    work_t w;
    w.n_scratch = 0;
    for (uint16_t n = 0; n < ip->n_nodes; n++) {
        w.n_scratch += ip->nodes[n].scratch_size != 0;
    }
    size_t n_bufs = ip->n_tensors + w.n_scratch;
    // The workspace follows what is written; the plan follows what the
    // persistent data needs (more, when init only measures; see interp.c).
    size_t base = ALIGN_UP(ip->persistent_used);
    size_t plan_base = ALIGN_UP(ip->arena_used);
    size_t n_subgraphs = ip->graph && ip->graph->subgraphs ? ip->graph->n_subgraphs : 1;
    size_t slots_bytes = tflm_plan_workspace(ip->n_tensors, w.n_scratch, n_subgraphs);
    if (base > ip->arena_size || ip->arena_size - base < slots_bytes) {
        ip->err.needed = 0;
        return tflm_fail(&ip->err, TFLM_ERR_ARENA, "arena of %u bytes too small to plan the model",
            (unsigned)ip->arena_size);
    }
    w.slots = (uint32_t *)(void *)(ip->arena + base);
    w.scratch_nodes = (uint16_t *)(void *)(ip->arena + base + n_bufs * sizeof(uint32_t));
    w.sg = NULL;
    memset(w.slots, 0, n_bufs * sizeof(uint32_t));
    for (uint16_t n = 0, k = 0; n < ip->n_nodes; n++) {
        if (ip->nodes[n].scratch_size) {
            w.scratch_nodes[k++] = n;
        }
    }
    #if MICROPY_TFLM_OP_CONTROL_FLOW
    if (n_subgraphs > 1) {
        w.sg = (sg_plan_t *)(void *)((uint8_t *)w.scratch_nodes + ALIGN_UP(w.n_scratch * sizeof(uint16_t)));
        tflm_status_t st = lifetimes_several(ip, &w);
        if (st != TFLM_OK) {
            return st;
        }
    } else
    #endif
    {
        lifetimes(ip);
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
    // Each buffer's address replaces its lifetime; a tensor or op that got
    // none has no data (NULL) again.
    uint8_t *region = ip->arena + base;
    for (size_t i = 0; i < n_bufs; i++) {
        buf_ref_t r;
        bool placed = get_buf(ip, &w, i, &r);
        uint8_t *p = placed ? region + (*r.offset - 1) : NULL;
        if (i < ip->n_tensors) {
            if (!(ip->tensors[i].flags & TFLM_T_CONST)) {
                ip->tensors[i].data = p;
            }
        } else {
            ip->nodes[w.scratch_nodes[i - ip->n_tensors]].scratch = p;
        }
    }
    // Ops without scratch: the span they held while planning goes.
    for (uint16_t n = 0; w.sg && n < ip->n_nodes; n++) {
        if (ip->nodes[n].scratch_size == 0) {
            ip->nodes[n].scratch = NULL;
        }
    }
    // The slots are overwritten by activations from here on; the arena still
    // had to hold them, so they count.
    ip->arena_used = needed;
    return TFLM_OK;
}
