// Broadcasting for binary element-wise kernels (numpy rules, up to 6-D).
//
// Prepare builds a plan: the two input shapes are aligned on their last
// dimension, size-1 output dimensions are dropped and neighbouring dimensions
// that broadcast the same way are merged, so a plain same-shape op becomes
// one row and "tensor + per-channel vector" becomes rows of channels. Eval
// walks the rows with an odometer over the outer dimensions and hands each
// row to a row function, which knows whether one side is a single value
// repeated along the row.
#ifndef TFLM_CORE_KERNELS_BROADCAST_H
#define TFLM_CORE_KERNELS_BROADCAST_H

#include "../kernel.h"

typedef struct {
    int32_t n;                    // merged dimensions, >= 1
    int32_t count;                // output elements
    int32_t dims[TFLM_MAX_RANK];  // merged output dimensions, outermost first
    int32_t s1[TFLM_MAX_RANK];    // element strides of input 1 (0: repeated)
    int32_t s2[TFLM_MAX_RANK];    // element strides of input 2
} tflm_bcast_t;

typedef enum {
    TFLM_BCAST_OK = 0,
    TFLM_BCAST_MISMATCH, // the inputs do not broadcast together
    TFLM_BCAST_OUTPUT,   // the output shape is not the broadcast shape
} tflm_bcast_status_t;

// Row modes handed to row functions.
enum {
    TFLM_ROW_BOTH = 0, // a[i] op b[i]
    TFLM_ROW_A1 = 1,   // a[0] op b[i]
    TFLM_ROW_B1 = 2,   // a[i] op b[0]
};

typedef void (*tflm_bcast_row_fn)(const void *params, const void *a, const void *b, void *out,
    int32_t n, int mode);

static inline tflm_bcast_status_t tflm_bcast_plan(const tflm_tensor_t *a, const tflm_tensor_t *b,
    const tflm_tensor_t *out, tflm_bcast_t *p) {
    int rank = a->rank > b->rank ? a->rank : b->rank;
    if (out->rank != rank) {
        // Still report a mismatch of the inputs first.
        for (int i = 0; i < rank; i++) {
            int32_t da = i < a->rank ? a->dims[a->rank - 1 - i] : 1;
            int32_t db = i < b->rank ? b->dims[b->rank - 1 - i] : 1;
            if (da != db && da != 1 && db != 1) {
                return TFLM_BCAST_MISMATCH;
            }
        }
        return TFLM_BCAST_OUTPUT;
    }
    int32_t od[TFLM_MAX_RANK];
    uint8_t pa[TFLM_MAX_RANK], pb[TFLM_MAX_RANK];
    bool empty = false;
    for (int i = 0; i < rank; i++) {
        int32_t da = i + a->rank >= rank ? a->dims[i + a->rank - rank] : 1;
        int32_t db = i + b->rank >= rank ? b->dims[i + b->rank - rank] : 1;
        if (da != db && da != 1 && db != 1) {
            return TFLM_BCAST_MISMATCH;
        }
        od[i] = da == 1 ? db : da;
        pa[i] = da == od[i];
        pb[i] = db == od[i];
        empty |= od[i] == 0;
    }
    for (int i = 0; i < rank; i++) {
        if (out->dims[i] != od[i]) {
            return TFLM_BCAST_OUTPUT;
        }
    }
    p->n = 1;
    p->dims[0] = 1;
    p->s1[0] = p->s2[0] = 1;
    p->count = 0;
    if (empty) {
        p->dims[0] = 0;
        return TFLM_BCAST_OK;
    }
    // Merge: keep dims > 1, join a dim to the previous one when both
    // inputs are present (or repeated) in both.
    int n = 0;
    uint8_t fa[TFLM_MAX_RANK], fb[TFLM_MAX_RANK];
    for (int i = 0; i < rank; i++) {
        if (od[i] == 1) {
            continue;
        }
        if (n > 0 && fa[n - 1] == pa[i] && fb[n - 1] == pb[i]) {
            p->dims[n - 1] *= od[i];
        } else {
            p->dims[n] = od[i];
            fa[n] = pa[i];
            fb[n] = pb[i];
            n++;
        }
    }
    if (n == 0) {
        p->count = 1;
        return TFLM_BCAST_OK;
    }
    p->n = n;
    int32_t ra = 1, rb = 1, count = 1;
    for (int i = n - 1; i >= 0; i--) {
        p->s1[i] = fa[i] ? ra : 0;
        p->s2[i] = fb[i] ? rb : 0;
        ra *= fa[i] ? p->dims[i] : 1;
        rb *= fb[i] ? p->dims[i] : 1;
        count *= p->dims[i];
    }
    p->count = count;
    return TFLM_BCAST_OK;
}

// The two inputs of a binary op share one type (ValueError otherwise).
static inline tflm_status_t tflm_bcast_check_types(tflm_interp_t *ip, const tflm_node_t *node,
    const tflm_tensor_t *a, const tflm_tensor_t *b) {
    if (a->type != b->type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input types %s and %s differ",
            tflm_type_name(a->type), tflm_type_name(b->type));
    }
    return TFLM_OK;
}

// A planning status as the op's result in prepare: a shape problem fails the
// op (ValueError).
static inline tflm_status_t tflm_bcast_check(tflm_interp_t *ip, const tflm_node_t *node,
    tflm_bcast_status_t status) {
    switch (status) {
        case TFLM_BCAST_MISMATCH:
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input shapes do not broadcast");
        case TFLM_BCAST_OUTPUT:
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape is not the broadcast shape");
        default:
            return TFLM_OK;
    }
}

// tflm_bcast_plan for a kernel's prepare (see tflm_bcast_check).
static inline tflm_status_t tflm_bcast_prepare(tflm_interp_t *ip, const tflm_node_t *node,
    const tflm_tensor_t *a, const tflm_tensor_t *b, const tflm_tensor_t *out, tflm_bcast_t *p) {
    return tflm_bcast_check(ip, node, tflm_bcast_plan(a, b, out, p));
}

// Runs `fn` over every row of the plan. Input elements are `esz_in` bytes,
// output elements `esz_out`.
static inline void tflm_bcast_run(const tflm_bcast_t *p, const void *params, const void *a,
    const void *b, void *out, size_t esz_in, size_t esz_out, tflm_bcast_row_fn fn) {
    if (p->count == 0) {
        return;
    }
    const int last = p->n - 1;
    const int32_t inner = p->dims[last];
    const int mode = p->s1[last] == 0 ? TFLM_ROW_A1 : p->s2[last] == 0 ? TFLM_ROW_B1 : TFLM_ROW_BOTH;
    const uint8_t *pa = (const uint8_t *)a;
    const uint8_t *pb = (const uint8_t *)b;
    uint8_t *po = (uint8_t *)out;
    const size_t row_out = (size_t)inner * esz_out;
    int32_t idx[TFLM_MAX_RANK] = {0};
    int32_t oa = 0, ob = 0;
    for (int32_t rows = p->count / inner; rows > 0; rows--) {
        fn(params, pa + (size_t)oa * esz_in, pb + (size_t)ob * esz_in, po, inner, mode);
        po += row_out;
        for (int d = last - 1; d >= 0; d--) {
            oa += p->s1[d];
            ob += p->s2[d];
            if (++idx[d] < p->dims[d]) {
                break;
            }
            oa -= p->s1[d] * p->dims[d];
            ob -= p->s2[d] * p->dims[d];
            idx[d] = 0;
        }
    }
}

// Plans and runs in one step, for kernels that keep no plan in their op data
// (it costs a loop over at most TFLM_MAX_RANK dimensions per invoke, and
// saves the plan's bytes per op). Prepare has checked the shapes with
// tflm_bcast_prepare, so planning cannot fail here.
static inline void tflm_bcast_eval(const tflm_tensor_t *a, const tflm_tensor_t *b, tflm_tensor_t *out,
    const void *params, size_t esz_in, size_t esz_out, tflm_bcast_row_fn fn) {
    tflm_bcast_t p;
    (void)tflm_bcast_plan(a, b, out, &p);
    tflm_bcast_run(&p, params, a->data, b->data, out->data, esz_in, esz_out, fn);
}

// Defines a row function `name` computing EXPR from `x` (input 1), `y`
// (input 2) and `p` (the op's parameters, of type PT).
#define TFLM_BCAST_ROW(name, TI, TO, PT, EXPR) \
    static void name(const void *pv, const void *av, const void *bv, void *ov, int32_t n, int mode) { \
        const PT *p = (const PT *)pv; \
        const TI *a = (const TI *)av; \
        const TI *b = (const TI *)bv; \
        TO *o = (TO *)ov; \
        (void)p; \
        if (mode == TFLM_ROW_BOTH) { \
            for (int32_t i = 0; i < n; i++) { \
                const TI x = a[i], y = b[i]; \
                o[i] = (EXPR); \
            } \
        } else if (mode == TFLM_ROW_A1) { \
            const TI x = a[0]; \
            for (int32_t i = 0; i < n; i++) { \
                const TI y = b[i]; \
                o[i] = (EXPR); \
            } \
        } else { \
            const TI y = b[0]; \
            for (int32_t i = 0; i < n; i++) { \
                const TI x = a[i]; \
                o[i] = (EXPR); \
            } \
        } \
    }

#endif // TFLM_CORE_KERNELS_BROADCAST_H
