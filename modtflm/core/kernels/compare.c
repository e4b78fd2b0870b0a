// EQUAL, NOT_EQUAL, GREATER(_EQUAL), LESS(_EQUAL), LOGICAL_AND/OR/NOT, SELECT_V2.
//
// Comparisons and LOGICAL_AND / LOGICAL_OR broadcast like the binary
// element-wise ops (support/broadcast.h) and write bool (one byte, 0 or 1).
// The types are TFLM's: every comparison takes float32, int8, int32 and
// int64; EQUAL and NOT_EQUAL also bool, GREATER also int16. Quantized inputs
// compare as in TFLM: each is offset by its zero point, shifted left by 8 and
// rescaled by its own scale (a multiplier below 1), so inputs quantized
// differently compare by real value at that precision. int16 GREATER is
// rescaled the same way, as TFLM's source prepares it (the tflite_micro
// wheel used as the oracle leaves its int16 rescaling unset: all False).
//
// LESS and LESS_EQUAL run as GREATER and GREATER_EQUAL with the inputs
// swapped, NOT_EQUAL as EQUAL negated (exact for NaN as well: x != y is
// !(x == y) in IEEE arithmetic). Bool inputs count any non-zero byte as true.
//
// SELECT_V2 broadcasts its three inputs (condition, x, y) together and
// copies x or y element by element (float32, int8, int16, as TFLM; values
// are copied raw whatever their quantization, as TFLM does).
#include "../kernel.h"

#if MICROPY_TFLM_OP_COMPARE
#include "../support/quant.h"
#include "../support/broadcast.h"
#include "../support/elements.h"

// TFLM's left shift before rescaling quantized inputs.
enum { CMP_LEFT_SHIFT = 8 };

// What a row computes.
typedef enum { K_EQ, K_GT, K_GE, K_AND, K_OR } cmp_kind_t;

// Input types as bits of cmp_op_t.types; ROWS is indexed by the type too.
#define TB(t) (1u << (t))
enum {
    N_TYPES = TFLM_INT8 + 1, // the types the rows take are below this
    T_ORDERED = TB(TFLM_FLOAT32) | TB(TFLM_INT8) | TB(TFLM_INT32) | TB(TFLM_INT64),
    T_EQUALITY = T_ORDERED | TB(TFLM_BOOL),
};

typedef struct {
    uint16_t builtin;
    uint8_t kind;   // cmp_kind_t
    uint8_t swap;   // compare (input 2, input 1)
    uint8_t negate; // flip the result
    uint16_t types; // TB() of the input types TFLM runs
} cmp_op_t;

static const cmp_op_t CMP_OPS[] = {
    {TFLM_OP_EQUAL, K_EQ, 0, 0, T_EQUALITY},
    {TFLM_OP_NOT_EQUAL, K_EQ, 0, 1, T_EQUALITY},
    {TFLM_OP_GREATER, K_GT, 0, 0, T_ORDERED | TB(TFLM_INT16)},
    {TFLM_OP_GREATER_EQUAL, K_GE, 0, 0, T_ORDERED},
    {TFLM_OP_LESS, K_GT, 1, 0, T_ORDERED},
    {TFLM_OP_LESS_EQUAL, K_GE, 1, 0, T_ORDERED},
    {TFLM_OP_LOGICAL_AND, K_AND, 0, 0, TB(TFLM_BOOL)},
    {TFLM_OP_LOGICAL_OR, K_OR, 0, 0, TB(TFLM_BOOL)},
};

// The broadcast plan is not kept: eval makes it on the stack (a loop over at
// most 6 dimensions), which saves its 80 bytes per op.
typedef struct {
    tflm_bcast_row_fn row;
    // Quantized inputs, in the order the row sees them (after the swap).
    int32_t a_offset; // -zero point
    int32_t b_offset;
    int32_t a_mult;
    int32_t b_mult;
    int8_t a_shift; // in [-31, 0]
    int8_t b_shift;
    uint8_t swap;
    uint8_t negate;
} cmp_data_t;

// A quantized value on the common scale: zero points in the type's range
// keep (v + offset) << 8 within 25 bits.
static inline int32_t rescale(int32_t v, int32_t offset, int32_t mult, int32_t shift) {
    return tflm_mul_by_quant_mul((v + offset) * (1 << CMP_LEFT_SHIFT), mult, (int)shift);
}

static inline int32_t qa(const cmp_data_t *p, int32_t x) {
    return rescale(x, p->a_offset, p->a_mult, p->a_shift);
}

static inline int32_t qb(const cmp_data_t *p, int32_t y) {
    return rescale(y, p->b_offset, p->b_mult, p->b_shift);
}

TFLM_BCAST_ROW(eq_f32, float, uint8_t, cmp_data_t, (uint8_t)((x == y) ^ p->negate))
TFLM_BCAST_ROW(eq_i8, int8_t, uint8_t, cmp_data_t, (uint8_t)((qa(p, x) == qb(p, y)) ^ p->negate))
TFLM_BCAST_ROW(eq_i32, int32_t, uint8_t, cmp_data_t, (uint8_t)((x == y) ^ p->negate))
TFLM_BCAST_ROW(eq_i64, int64_t, uint8_t, cmp_data_t, (uint8_t)((x == y) ^ p->negate))
TFLM_BCAST_ROW(eq_bool, uint8_t, uint8_t, cmp_data_t, (uint8_t)((!x == !y) ^ p->negate))

TFLM_BCAST_ROW(gt_f32, float, uint8_t, cmp_data_t, x > y)
TFLM_BCAST_ROW(gt_i8, int8_t, uint8_t, cmp_data_t, qa(p, x) > qb(p, y))
TFLM_BCAST_ROW(gt_i16, int16_t, uint8_t, cmp_data_t, qa(p, x) > qb(p, y))
TFLM_BCAST_ROW(gt_i32, int32_t, uint8_t, cmp_data_t, x > y)
TFLM_BCAST_ROW(gt_i64, int64_t, uint8_t, cmp_data_t, x > y)

TFLM_BCAST_ROW(ge_f32, float, uint8_t, cmp_data_t, x >= y)
TFLM_BCAST_ROW(ge_i8, int8_t, uint8_t, cmp_data_t, qa(p, x) >= qb(p, y))
TFLM_BCAST_ROW(ge_i32, int32_t, uint8_t, cmp_data_t, x >= y)
TFLM_BCAST_ROW(ge_i64, int64_t, uint8_t, cmp_data_t, x >= y)

TFLM_BCAST_ROW(and_bool, uint8_t, uint8_t, cmp_data_t, x && y)
TFLM_BCAST_ROW(or_bool, uint8_t, uint8_t, cmp_data_t, x || y)

// Row per kind and input type (NULL where no op of the kind takes it).
static const tflm_bcast_row_fn ROWS[][N_TYPES] = {
    [K_EQ] = {[TFLM_FLOAT32] = eq_f32, [TFLM_INT8] = eq_i8, [TFLM_INT32] = eq_i32, [TFLM_INT64] = eq_i64,
              [TFLM_BOOL] = eq_bool},
    [K_GT] = {[TFLM_FLOAT32] = gt_f32, [TFLM_INT8] = gt_i8, [TFLM_INT16] = gt_i16, [TFLM_INT32] = gt_i32,
              [TFLM_INT64] = gt_i64},
    [K_GE] = {[TFLM_FLOAT32] = ge_f32, [TFLM_INT8] = ge_i8, [TFLM_INT32] = ge_i32, [TFLM_INT64] = ge_i64},
    [K_AND] = {[TFLM_BOOL] = and_bool},
    [K_OR] = {[TFLM_BOOL] = or_bool},
};

// TFLM's comparison prepare for a quantized input: the scale itself is the
// multiplier (below 1 or TFLM aborts).
static tflm_status_t prepare_quantized(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *t,
    const char *what, int32_t *offset, int32_t *mult, int8_t *shift) {
    tflm_status_t s;
    int32_t sh = 0;
    if ((s = tflm_check_quantized(ip, node, t, what)) != TFLM_OK
        || (s = tflm_check_zero_point(ip, node, t, what)) != TFLM_OK
        || (s = tflm_multiplier_below_one(ip, node, (double)t->scale, mult, &sh, what)) != TFLM_OK) {
        return s;
    }
    *offset = -t->zero_point;
    *shift = (int8_t)sh;
    return TFLM_OK;
}

static tflm_status_t cmp_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    // The node is one of these kernels, so the search ends.
    const cmp_op_t *op = CMP_OPS;
    while (op->builtin != node->builtin) {
        op++;
    }
    cmp_data_t *d = node->op_data;
    const tflm_tensor_t *in1 = tflm_node_input(ip, node, 0), *in2 = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if ((s = tflm_bcast_check_types(ip, node, in1, in2)) != TFLM_OK) {
        return s;
    }
    if (out->type != TFLM_BOOL) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output is %s, expected bool", tflm_type_name(out->type));
    }
    const int type = in1->type;
    if (type >= N_TYPES || !(op->types & TB(type))) {
        // Logical ops are defined on bool only; the comparisons on more types
        // than TFLM runs.
        bool logical = op->kind == K_AND || op->kind == K_OR;
        return tflm_op_fail(ip, node, logical ? TFLM_ERR_MODEL : TFLM_ERR_UNSUPPORTED, "inputs are %s",
            tflm_type_name(in1->type));
    }
    d->row = ROWS[op->kind][type];
    d->swap = op->swap;
    d->negate = op->negate;
    const tflm_tensor_t *a = op->swap ? in2 : in1;
    const tflm_tensor_t *b = op->swap ? in1 : in2;
    tflm_bcast_t bc;
    if ((s = tflm_bcast_prepare(ip, node, a, b, out, &bc)) != TFLM_OK) {
        return s;
    }
    if (type == TFLM_INT8 || type == TFLM_INT16) {
        if ((s = prepare_quantized(ip, node, a, op->swap ? "input 2" : "input 1", &d->a_offset, &d->a_mult,
            &d->a_shift)) != TFLM_OK
            || (s = prepare_quantized(ip, node, b, op->swap ? "input 1" : "input 2", &d->b_offset, &d->b_mult,
                &d->b_shift)) != TFLM_OK) {
            return s;
        }
    }
    return TFLM_OK;
}

static tflm_status_t cmp_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const cmp_data_t *d = node->op_data;
    const tflm_tensor_t *a = tflm_node_input(ip, node, d->swap);
    const tflm_tensor_t *b = tflm_node_input(ip, node, !d->swap);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    tflm_bcast_eval(a, b, out, d, tflm_type_size(a->type), 1, d->row);
    return TFLM_OK;
}

// Versions as the converter assigns them: 2 for int8 (int16 GREATER stays 1;
// the int16 versions of EQUAL (4), LESS and GREATER_EQUAL (3) and string
// version 3 are types TFLM does not run).
TFLM_KERNEL(equal, EQUAL, 2, EqualOptions, 2, 2, 1, sizeof(cmp_data_t), cmp_prepare, cmp_eval);
TFLM_KERNEL(not_equal, NOT_EQUAL, 2, NotEqualOptions, 2, 2, 1, sizeof(cmp_data_t), cmp_prepare, cmp_eval);
TFLM_KERNEL(greater, GREATER, 2, GreaterOptions, 2, 2, 1, sizeof(cmp_data_t), cmp_prepare, cmp_eval);
TFLM_KERNEL(greater_equal, GREATER_EQUAL, 2, GreaterEqualOptions, 2, 2, 1, sizeof(cmp_data_t), cmp_prepare,
    cmp_eval);
TFLM_KERNEL(less, LESS, 2, LessOptions, 2, 2, 1, sizeof(cmp_data_t), cmp_prepare, cmp_eval);
TFLM_KERNEL(less_equal, LESS_EQUAL, 2, LessEqualOptions, 2, 2, 1, sizeof(cmp_data_t), cmp_prepare, cmp_eval);
TFLM_KERNEL(logical_and, LOGICAL_AND, 1, LogicalAndOptions, 2, 2, 1, sizeof(cmp_data_t), cmp_prepare, cmp_eval);
TFLM_KERNEL(logical_or, LOGICAL_OR, 1, LogicalOrOptions, 2, 2, 1, sizeof(cmp_data_t), cmp_prepare, cmp_eval);

// ---------------------------------------------------------------------------
// LOGICAL_NOT: bool in, bool out, same shape.

static tflm_status_t not_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *out = tflm_node_output(ip, node, 0);
    if (in->type != TFLM_BOOL || out->type != TFLM_BOOL) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input is %s and output %s, expected bool",
            tflm_type_name(in->type), tflm_type_name(out->type));
    }
    if (!tflm_same_shape(in, out)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape differs from the input's");
    }
    return TFLM_OK;
}

static tflm_status_t not_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    const uint8_t *x = in->data;
    uint8_t *o = out->data;
    for (int32_t i = 0, n = tflm_elem_count(out); i < n; i++) {
        o[i] = !x[i];
    }
    return TFLM_OK;
}

TFLM_KERNEL(logical_not, LOGICAL_NOT, 1, LogicalNotOptions, 1, 1, 1, 0, not_prepare, not_eval);

// ---------------------------------------------------------------------------
// SELECT_V2. The plan is the binary one's for three inputs: dimensions
// aligned on the last, size-1 output dimensions dropped, neighbours that
// every input repeats (or not) alike merged; eval walks the outer
// dimensions with an odometer and the innermost one as a row. Prepare
// checks the shapes by planning; eval plans again on the stack, so the op
// keeps no data.

enum { SEL_IN = 3 };

typedef struct {
    int32_t n;                          // merged dimensions, >= 1
    int32_t count;                      // output elements
    int32_t dims[TFLM_MAX_RANK];        // merged output dimensions, outermost first
    int32_t st[SEL_IN][TFLM_MAX_RANK];  // element strides of condition, x, y (0: repeated)
} sel_plan_t;

// Dimension i of t with the shapes aligned on the last one, rank `rank`.
static inline int32_t aligned_dim(const tflm_tensor_t *t, int i, int rank) {
    return i + t->rank >= rank ? t->dims[i + t->rank - rank] : 1;
}

// A plan of one row of `count` elements (a single one, or none).
static tflm_bcast_status_t sel_one_row(sel_plan_t *d, int32_t count) {
    d->n = 1;
    d->count = count;
    d->dims[0] = count;
    for (int k = 0; k < SEL_IN; k++) {
        d->st[k][0] = 1;
    }
    return TFLM_BCAST_OK;
}

static tflm_bcast_status_t sel_plan(const tflm_tensor_t *const in[SEL_IN], const tflm_tensor_t *out,
    sel_plan_t *d) {
    // TFLM lets single-element tensors of any shapes through: one element.
    if (tflm_elem_count(in[0]) == 1 && tflm_elem_count(in[1]) == 1 && tflm_elem_count(in[2]) == 1
        && tflm_elem_count(out) == 1) {
        return sel_one_row(d, 1);
    }
    int rank = 0;
    for (int k = 0; k < SEL_IN; k++) {
        rank = in[k]->rank > rank ? in[k]->rank : rank;
    }
    int32_t od[TFLM_MAX_RANK];
    uint8_t present[TFLM_MAX_RANK][SEL_IN];
    for (int i = 0; i < rank; i++) {
        od[i] = 1;
        for (int k = 0; k < SEL_IN; k++) {
            int32_t dk = aligned_dim(in[k], i, rank);
            if (dk != 1 && od[i] != 1 && dk != od[i]) {
                return TFLM_BCAST_MISMATCH;
            }
            od[i] = dk != 1 ? dk : od[i];
        }
        for (int k = 0; k < SEL_IN; k++) {
            present[i][k] = aligned_dim(in[k], i, rank) == od[i];
        }
    }
    if (!tflm_has_dims(out, od, rank)) {
        return TFLM_BCAST_OUTPUT;
    }
    // Merge as tflm_bcast_plan does: keep dimensions > 1, join one to the
    // previous when every input is present (or repeated) in both.
    int n = 0;
    int64_t count = 1;
    uint8_t flags[TFLM_MAX_RANK][SEL_IN];
    for (int i = 0; i < rank; i++) {
        count *= od[i];
        if (od[i] == 1) {
            continue;
        }
        if (n > 0 && memcmp(flags[n - 1], present[i], SEL_IN) == 0) {
            d->dims[n - 1] *= od[i];
        } else {
            d->dims[n] = od[i];
            memcpy(flags[n], present[i], SEL_IN);
            n++;
        }
    }
    if (n == 0) {
        return sel_one_row(d, (int32_t)count);
    }
    d->count = (int32_t)count;
    d->n = n;
    for (int k = 0; k < SEL_IN; k++) {
        int32_t run = 1;
        for (int i = n - 1; i >= 0; i--) {
            d->st[k][i] = flags[i][k] ? run : 0;
            run *= flags[i][k] ? d->dims[i] : 1;
        }
    }
    return TFLM_BCAST_OK;
}

// The node's three inputs.
static inline void sel_inputs(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *in[SEL_IN]) {
    for (int k = 0; k < SEL_IN; k++) {
        in[k] = tflm_node_input(ip, node, k);
    }
}

static tflm_status_t sel_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    const tflm_tensor_t *in[SEL_IN];
    sel_inputs(ip, node, in);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if (in[0]->type != TFLM_BOOL) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "condition is %s, expected bool", tflm_type_name(in[0]->type));
    }
    if (in[1]->type != in[2]->type || out->type != in[1]->type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "x, y and output are %s, %s and %s",
            tflm_type_name(in[1]->type), tflm_type_name(in[2]->type), tflm_type_name(out->type));
    }
    if (in[1]->type != TFLM_FLOAT32 && in[1]->type != TFLM_INT8 && in[1]->type != TFLM_INT16) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "values are %s", tflm_type_name(in[1]->type));
    }
    sel_plan_t plan;
    return tflm_bcast_check(ip, node, sel_plan(in, out, &plan));
}

// One row: o[i] = c[i * sc] ? x[i * sx] : y[i * sy], elements of esz bytes.
TFLM_INLINE_LOOP void sel_row(const uint8_t *c, const uint8_t *x, const uint8_t *y, uint8_t *o, int32_t n,
    int32_t sc, int32_t sx, int32_t sy, const int esz) {
    for (int32_t i = 0; i < n; i++) {
        const uint8_t *src = c[i * sc] ? x + (size_t)(i * sx) * esz : y + (size_t)(i * sy) * esz;
        switch (esz) {
            case 1:
                o[i] = *src;
                break;
            case 2:
                ((uint16_t *)(void *)o)[i] = *(const uint16_t *)(const void *)src;
                break;
            default:
                ((uint32_t *)(void *)o)[i] = *(const uint32_t *)(const void *)src;
                break;
        }
    }
}

static tflm_status_t sel_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const tflm_tensor_t *in[SEL_IN];
    sel_inputs(ip, node, in);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    sel_plan_t d;
    (void)sel_plan(in, out, &d); // checked by prepare
    if (d.count == 0) {
        return TFLM_OK;
    }
    const uint8_t *c = in[0]->data;
    const uint8_t *x = in[1]->data;
    const uint8_t *y = in[2]->data;
    uint8_t *o = out->data;
    const int last = d.n - 1;
    const int32_t inner = d.dims[last];
    const size_t esz = tflm_type_size(out->type);
    const int32_t sc = d.st[0][last], sx = d.st[1][last], sy = d.st[2][last];
    int32_t idx[TFLM_MAX_RANK] = {0};
    int32_t oc = 0, ox = 0, oy = 0;
    for (int32_t rows = d.count / inner; rows > 0; rows--) {
        const uint8_t *xr = x + (size_t)ox * esz, *yr = y + (size_t)oy * esz;
        if (esz == 1) {
            sel_row(c + oc, xr, yr, o, inner, sc, sx, sy, 1);
        } else if (esz == 2) {
            sel_row(c + oc, xr, yr, o, inner, sc, sx, sy, 2);
        } else {
            sel_row(c + oc, xr, yr, o, inner, sc, sx, sy, 4);
        }
        o += (size_t)inner * esz;
        for (int k = last - 1; k >= 0; k--) {
            oc += d.st[0][k];
            ox += d.st[1][k];
            oy += d.st[2][k];
            if (++idx[k] < d.dims[k]) {
                break;
            }
            oc -= d.st[0][k] * d.dims[k];
            ox -= d.st[1][k] * d.dims[k];
            oy -= d.st[2][k] * d.dims[k];
            idx[k] = 0;
        }
    }
    return TFLM_OK;
}

// Version 2 is uint32 values.
TFLM_KERNEL(select_v2, SELECT_V2, 1, SelectV2Options, 3, 3, 1, 0, sel_prepare, sel_eval);

#endif // MICROPY_TFLM_OP_COMPARE
