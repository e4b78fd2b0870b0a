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
// The plan needs no memory of its own: a buffer's placement is its data
// pointer, NULL while unplaced; offsets are relative to a fake base so
// nothing is written until the total is known to fit.
#include "model.h"

#define ALIGN (8u)
#define ALIGN_UP(x) (((x) + ALIGN - 1) & ~(size_t)(ALIGN - 1))

typedef struct {
    uint32_t size;
    uint16_t first;
    uint16_t last;
    uint32_t *offset; // where the placement is recorded (as offset + 1; 0 = unplaced)
} buf_ref_t;

// Buffers are enumerated by index: tensors first, then one scratch per node.
static bool get_buf(tflm_interp_t *ip, uint32_t *slots, size_t i, buf_ref_t *r) {
    if (i < ip->n_tensors) {
        tflm_tensor_t *t = &ip->tensors[i];
        if ((t->flags & TFLM_T_CONST) || t->first_op == TFLM_NO_OP) {
            return false;
        }
        r->size = t->nbytes;
        r->first = t->first_op;
        r->last = t->last_op;
    } else {
        tflm_node_t *n = &ip->nodes[i - ip->n_tensors];
        if (n->scratch_size == 0) {
            return false;
        }
        r->size = n->scratch_size;
        r->first = r->last = (uint16_t)(i - ip->n_tensors);
    }
    r->offset = &slots[i];
    return true;
}

tflm_status_t tflm_plan(tflm_interp_t *ip) {
    size_t n_bufs = (size_t)ip->n_tensors + ip->n_nodes;
    // One word per buffer for the placements, taken from the free space
    // after the persistent part; needed only while planning.
    size_t base = ALIGN_UP(ip->persistent_used);
    size_t slots_bytes = n_bufs * sizeof(uint32_t);
    uint32_t *slots = NULL;
    if (base + slots_bytes <= ip->arena_size) {
        slots = (uint32_t *)(void *)(ip->arena + base);
    } else {
        ip->err.needed = 0;
        return tflm_fail(&ip->err, TFLM_ERR_ARENA, "arena of %u bytes too small to plan the model",
            (unsigned)ip->arena_size);
    }
    memset(slots, 0, slots_bytes);

    size_t total = 0;
    for (;;) {
        // Largest unplaced buffer.
        buf_ref_t best = {0, 0, 0, NULL};
        for (size_t i = 0; i < n_bufs; i++) {
            buf_ref_t r;
            if (get_buf(ip, slots, i, &r) && *r.offset == 0 && (best.offset == NULL || r.size > best.size)) {
                best = r;
            }
        }
        if (best.offset == NULL) {
            break;
        }
        size_t size = ALIGN_UP((size_t)best.size);
        size_t at = 0;
        bool moved = true;
        while (moved) {
            moved = false;
            for (size_t i = 0; i < n_bufs; i++) {
                buf_ref_t r;
                if (!get_buf(ip, slots, i, &r) || *r.offset == 0 || r.offset == best.offset) {
                    continue;
                }
                if (r.last < best.first || r.first > best.last) {
                    continue; // never alive together
                }
                size_t r_at = *r.offset - 1;
                size_t r_end = r_at + ALIGN_UP((size_t)r.size);
                if (r_at < at + size && at < r_end) {
                    at = r_end;
                    moved = true;
                }
            }
        }
        if (at + size > 0x7fffffffu) {
            return tflm_fail(&ip->err, TFLM_ERR_UNSUPPORTED, "activations need over 2 GB");
        }
        *best.offset = (uint32_t)(at + 1);
        if (at + size > total) {
            total = at + size;
        }
    }

    // The slots themselves sit in the region being planned, so the arena must
    // hold whichever is larger.
    size_t needed = base + (total > slots_bytes ? total : slots_bytes);
    if (needed > ip->arena_size) {
        ip->err.needed = needed;
        return tflm_fail(&ip->err, TFLM_ERR_ARENA, "arena of %u bytes too small, needs %u",
            (unsigned)ip->arena_size, (unsigned)needed);
    }
    uint8_t *region = ip->arena + base;
    for (size_t i = 0; i < n_bufs; i++) {
        buf_ref_t r;
        if (!get_buf(ip, slots, i, &r)) {
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
