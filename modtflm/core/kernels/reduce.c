// Reductions: MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_ALL over a set of
// axes (keep_dims or not), ARG_MAX / ARG_MIN over one axis, CUMSUM along one
// axis.
//
// Matching TFLM: sums run in the input's row-major order starting from 0 (so
// float results agree bit for bit); the float mean divides the sum by the
// element count; quantized MEAN and SUM sum the raw values in int32, then
// requantize `sum - zero_point * count` with the input/output scale ratio,
// MEAN folding 1/count into that multiplier the way TFLM does.
// REDUCE_MAX (REDUCE_MIN) starts from the type's lowest (highest) value and
// keeps the held value unless a new one compares greater (less): a NaN never
// wins. REDUCE_ALL ands the bytes of the bool input into 1: for bytes other
// than 0 and 1 that reads bit 0, as the oracle's compiled `in && current`
// does.
// ARG_MAX/ARG_MIN keep the first index of equal values and compare with plain
// < and > (a NaN never wins, nor loses once held).
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_REDUCE
#include <float.h>
#include <stddef.h>
#include <string.h>
#include "../kernel.h"
#include "../support/quant.h"
#include "../support/checks.h"
#include "../support/elements.h"

// ReducerOptions fields.
enum { OPT_KEEP_DIMS = 0 };

// Also the accumulation step of red_run: RED_SUM for MEAN and SUM.
typedef enum { RED_MEAN, RED_SUM, RED_MAX, RED_MIN, RED_ALL } red_op_t;

// The input's dimensions with size-1 ones dropped and neighbours of the same
// kind (reduced or kept) merged.
typedef struct {
    int32_t n;
    int32_t dims[TFLM_MAX_RANK];
    int32_t ostr[TFLM_MAX_RANK]; // output stride per dimension, 0 when reduced
    int32_t in_count;
    int32_t out_count;
    int32_t red_count; // input elements per output element
} red_plan_t;

typedef struct {
    red_plan_t plan; // when the axes are constant
    int32_t mult;    // input scale / output scale
    int32_t shift;
    int32_t in_zp;
    int32_t out_zp;
    uint8_t op;
    uint8_t axes_const;
    uint8_t keep_dims;
} red_data_t;

// Why a plan could not be made (r: 1, axis `bad` out of range; 2, a wrong
// output shape), as `status`: a model error at prepare, a value error at
// eval (axes computed at run time).
static tflm_status_t plan_fail(tflm_interp_t *ip, const tflm_node_t *node, int r, int64_t bad, int rank,
    tflm_status_t status, bool arg) {
    if (r == 1) {
        return tflm_op_fail(ip, node, status, "axis %d out of range for rank %d", (int)bad, rank);
    }
    return tflm_op_fail(ip, node, status, arg ? "output shape does not match the input without the axis"
        : "output shape does not match the reduction");
}

// Builds the plan for `in` reduced over the axes in `axes` (int32 values,
// negative from the end, duplicates ignored) and checks `out` has the shape
// that gives. Returns 0, 1 for an axis out of range, 2 for a wrong output.
static int red_make_plan(const tflm_tensor_t *in, const int32_t *axes, int32_t n_axes, bool keep,
    const tflm_tensor_t *out, red_plan_t *p, int32_t *bad_axis) {
    const int rank = in->rank;
    bool red[TFLM_MAX_RANK] = {false};
    // Like TFLM, a scalar input ignores the axes.
    for (int32_t i = 0; rank > 0 && i < n_axes; i++) {
        int32_t a = axes[i];
        int32_t r = a < 0 ? a + rank : a;
        if (r < 0 || r >= rank) {
            *bad_axis = a;
            return 1;
        }
        red[r] = true;
    }
    int orank = 0;
    for (int i = 0; i < rank; i++) {
        if (red[i] && !keep) {
            continue;
        }
        int32_t want = red[i] ? 1 : in->dims[i];
        if (orank >= out->rank || out->dims[orank] != want) {
            return 2;
        }
        orank++;
    }
    if (orank != out->rank) {
        return 2;
    }
    p->in_count = tflm_elem_count(in);
    p->out_count = tflm_elem_count(out);
    p->red_count = 1;
    bool fr[TFLM_MAX_RANK];
    int n = 0;
    for (int i = 0; i < rank; i++) {
        if (red[i]) {
            p->red_count *= in->dims[i];
        }
        if (in->dims[i] == 1) {
            continue;
        }
        if (n > 0 && fr[n - 1] == red[i]) {
            p->dims[n - 1] *= in->dims[i];
        } else {
            p->dims[n] = in->dims[i];
            fr[n] = red[i];
            n++;
        }
    }
    if (n == 0) {
        p->dims[0] = 1;
        fr[0] = false;
        n = 1;
    }
    p->n = n;
    int32_t run = 1;
    for (int i = n - 1; i >= 0; i--) {
        p->ostr[i] = fr[i] ? 0 : run;
        run *= fr[i] ? 1 : p->dims[i];
    }
    return 0;
}

// One accumulation step: the maximum, or the sum (integers wrap).
TFLM_INLINE_LOOP float red_max_sum_f32(float acc, float v, const bool is_max) {
    return is_max ? (v > acc ? v : acc) : acc + v;
}
TFLM_INLINE_LOOP int32_t red_max_sum_int(int32_t acc, int32_t v, const bool is_max) {
    return is_max ? (v > acc ? v : acc) : (int32_t)((uint32_t)acc + (uint32_t)v);
}

// One accumulation step `step` (a constant): the minimum, the and of bools,
// or the above.
TFLM_INLINE_LOOP float red_step_f32(float acc, float v, const int step) {
    return step == RED_MIN ? (v < acc ? v : acc) : red_max_sum_f32(acc, v, step == RED_MAX);
}
TFLM_INLINE_LOOP int32_t red_step_int(int32_t acc, int32_t v, const int step) {
    return step == RED_MIN ? (v < acc ? v : acc) : step == RED_ALL ? (acc & v)
        : red_max_sum_int(acc, v, step == RED_MAX);
}

// Accumulates every input element into its output element, in the input's
// row-major order, with step `step` (a constant). `type` (a constant) is the
// input's (uint8 for bool); integer sums go to int32 outputs, the other
// steps to outputs of the input's type.
TFLM_INLINE_LOOP void red_run(const red_plan_t *p, const void *x, void *out, const int type, const int step) {
    const bool is_float = type == TFLM_FLOAT32;
    const int out_type = step != RED_SUM ? type : TFLM_INT32;
    const float *xf = x;
    float *of = out;
    const int last = p->n - 1;
    const int32_t inner = p->dims[last];
    const bool reduce_inner = p->ostr[last] == 0;
    int32_t idx[TFLM_MAX_RANK] = {0};
    int32_t o = 0;
    size_t xi = 0;
    for (int32_t rows = p->in_count / inner; rows > 0; rows--) {
        if (reduce_inner && is_float) {
            float acc = of[o];
            for (int32_t i = 0; i < inner; i++) {
                acc = red_step_f32(acc, xf[xi + (size_t)i], step);
            }
            of[o] = acc;
        } else if (reduce_inner) {
            int32_t acc = tflm_load_int(out, (size_t)o, out_type);
            for (int32_t i = 0; i < inner; i++) {
                acc = red_step_int(acc, tflm_load_int(x, xi + (size_t)i, type), step);
            }
            tflm_store_int(out, (size_t)o, acc, out_type);
        } else {
            for (int32_t i = 0; i < inner; i++) {
                const size_t k = (size_t)o + (size_t)i;
                if (is_float) {
                    of[k] = red_step_f32(of[k], xf[xi + (size_t)i], step);
                } else {
                    tflm_store_int(out, k, red_step_int(tflm_load_int(out, k, out_type),
                        tflm_load_int(x, xi + (size_t)i, type), step), out_type);
                }
            }
        }
        xi += (size_t)inner;
        for (int d = last - 1; d >= 0; d--) {
            o += p->ostr[d];
            if (++idx[d] < p->dims[d]) {
                break;
            }
            o -= p->ostr[d] * p->dims[d];
            idx[d] = 0;
        }
    }
}

static int floor_log2_u64(uint64_t v) {
    int r = -1;
    while (v) {
        v >>= 1;
        r++;
    }
    return r;
}

// Quantized MEAN/SUM from the int32 sums.
static void red_requantize(const red_data_t *d, const red_plan_t *p, const int32_t *sum, tflm_tensor_t *out) {
    int32_t mult = d->mult;
    int32_t shift = d->shift;
    const int64_t n = p->red_count;
    if (d->op == RED_MEAN) {
        int sh = floor_log2_u64((uint64_t)n);
        sh = sh < 32 ? sh : 32;
        sh = sh < 31 + shift ? sh : 31 + shift;
        mult = (int32_t)tflm_div_i64((int64_t)mult << sh, n);
        shift -= sh;
    }
    int32_t act_min, act_max; // the output type's range (output zero point included)
    tflm_type_range(out->type, &act_min, &act_max);
    const int64_t zp_n = (int64_t)d->in_zp * n;
    for (int32_t i = 0; i < p->out_count; i++) {
        int32_t v = (int32_t)(uint32_t)(uint64_t)((int64_t)sum[i] - zp_n);
        int32_t r = (int32_t)((uint32_t)tflm_mul_by_quant_mul(v, mult, (int)shift) + (uint32_t)d->out_zp);
        r = tflm_clamp_i32(r, act_min, act_max);
        if (out->type == TFLM_INT8) {
            ((int8_t *)out->data)[i] = (int8_t)r;
        } else {
            ((int16_t *)out->data)[i] = (int16_t)r;
        }
    }
}

static red_op_t red_op_of(int builtin) {
    switch (builtin) {
        case TFLM_OP_MEAN:
            return RED_MEAN;
        case TFLM_OP_SUM:
            return RED_SUM;
        case TFLM_OP_REDUCE_MAX:
            return RED_MAX;
        case TFLM_OP_REDUCE_MIN:
            return RED_MIN;
        default:
            return RED_ALL;
    }
}

static tflm_status_t red_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    const red_op_t op = red_op_of(node->builtin);
    // MAX and MIN select input values: the output keeps the quantization.
    const bool selects = op == RED_MAX || op == RED_MIN;
    tflm_status_t s;
    red_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *axis = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    d->op = (uint8_t)op;
    d->keep_dims = tflm_opt_i8(node, OPT_KEEP_DIMS, 0) != 0;
    if (axis->type != TFLM_INT32) {
        return tflm_op_fail(ip, node, axis->type == TFLM_INT64 ? TFLM_ERR_UNSUPPORTED : TFLM_ERR_MODEL,
            "axes are %s, expected int32", tflm_type_name(axis->type));
    }
    const bool quantized = in->type == TFLM_INT8 || in->type == TFLM_INT16;
    if (op == RED_ALL ? in->type != TFLM_BOOL : in->type != TFLM_FLOAT32 && !quantized) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "type %s", tflm_type_name(in->type));
    }
    if (out->type != in->type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output is %s, input is %s",
            tflm_type_name(out->type), tflm_type_name(in->type));
    }
    if (quantized) {
        if ((s = tflm_check_per_tensor_quant(ip, node, in, out)) != TFLM_OK) {
            return s;
        }
        int32_t type_min, type_max;
        tflm_type_range(in->type, &type_min, &type_max);
        if (in->zero_point < type_min || in->zero_point > type_max || out->zero_point < type_min
            || out->zero_point > type_max) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "zero point out of range");
        }
        if (selects && (in->scale != out->scale || in->zero_point != out->zero_point)) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input and output quantization differ");
        }
        d->in_zp = in->zero_point;
        d->out_zp = out->zero_point;
        int sh;
        tflm_quantize_multiplier((double)in->scale / (double)out->scale, &d->mult, &sh);
        d->shift = sh;
        if (!selects) {
            node->scratch_size = (uint32_t)tflm_elem_count(out) * sizeof(int32_t);
        }
    }
    d->axes_const = (axis->flags & TFLM_T_CONST) != 0;
    if (d->axes_const) {
        int32_t bad = 0;
        int r = red_make_plan(in, (const int32_t *)axis->data, tflm_elem_count(axis), d->keep_dims, out,
            &d->plan, &bad);
        if (r != 0) {
            return plan_fail(ip, node, r, bad, in->rank, TFLM_ERR_MODEL, false);
        }
    }
    return TFLM_OK;
}

// The reduction plan for this invoke: prepare's when the axes are constant,
// else built in *local from the axis tensor (ValueError when it is bad).
static tflm_status_t red_eval_plan(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *in,
    const tflm_tensor_t *out, red_plan_t *local, const red_plan_t **p) {
    const red_data_t *d = node->op_data;
    *p = &d->plan;
    if (d->axes_const) {
        return TFLM_OK;
    }
    const tflm_tensor_t *axis = tflm_node_input(ip, node, 1);
    int32_t bad = 0;
    int r = red_make_plan(in, (const int32_t *)axis->data, tflm_elem_count(axis), d->keep_dims, out, local, &bad);
    if (r != 0) {
        return plan_fail(ip, node, r, bad, in->rank, TFLM_ERR_VALUE, false);
    }
    *p = local;
    return TFLM_OK;
}

// REDUCE_MAX, REDUCE_MIN and REDUCE_ALL (`step`, a constant): every output
// starts at the step's identity (the type's lowest or highest value, true),
// kept for an empty reduction as in TFLM; then the input is reduced into it.
TFLM_INLINE_LOOP void red_select(const red_plan_t *p, const void *x, void *out, const int type, const int step) {
    const bool max = step == RED_MAX;
    if (type == TFLM_INT8 || type == TFLM_UINT8) {
        memset(out, type == TFLM_UINT8 ? 1 : max ? 0x80 : 0x7f, (size_t)p->out_count);
    } else {
        for (int32_t i = 0; i < p->out_count; i++) {
            if (type == TFLM_FLOAT32) {
                ((float *)out)[i] = max ? -FLT_MAX : FLT_MAX;
            } else {
                ((int16_t *)out)[i] = max ? INT16_MIN : INT16_MAX;
            }
        }
    }
    if (p->in_count != 0) {
        red_run(p, x, out, type, step);
    }
}

// REDUCE_MAX or REDUCE_MIN (`step`) for the input's type.
TFLM_INLINE_LOOP void red_select_typed(const red_plan_t *p, const tflm_tensor_t *in, void *out, const int step) {
    switch (in->type) {
        case TFLM_FLOAT32:
            red_select(p, in->data, out, TFLM_FLOAT32, step);
            break;
        case TFLM_INT8:
            red_select(p, in->data, out, TFLM_INT8, step);
            break;
        default: // int16
            red_select(p, in->data, out, TFLM_INT16, step);
            break;
    }
}

static tflm_status_t red_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const red_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    red_plan_t local;
    const red_plan_t *p;
    tflm_status_t s = red_eval_plan(ip, node, in, out, &local, &p);
    if (s != TFLM_OK) {
        return s;
    }
    switch (d->op) {
        case RED_MAX:
            red_select_typed(p, in, out->data, RED_MAX);
            return TFLM_OK;
        case RED_MIN:
            red_select_typed(p, in, out->data, RED_MIN);
            return TFLM_OK;
        case RED_ALL: // bool
            red_select(p, in->data, out->data, TFLM_UINT8, RED_ALL);
            return TFLM_OK;
        default:
            break;
    }
    // MEAN and SUM.
    if (in->type == TFLM_FLOAT32) {
        float *o = (float *)out->data;
        for (int32_t i = 0; i < p->out_count; i++) {
            o[i] = 0.0f;
        }
        if (p->in_count == 0) {
            return TFLM_OK;
        }
        red_run(p, in->data, o, TFLM_FLOAT32, RED_SUM);
        if (d->op == RED_MEAN && p->red_count > 0) {
            const float n = (float)p->red_count;
            for (int32_t i = 0; i < p->out_count; i++) {
                o[i] = o[i] / n;
            }
        }
        return TFLM_OK;
    }
    if (p->in_count == 0 || p->red_count == 0) {
        memset(out->data, 0, (size_t)p->out_count * tflm_type_size(out->type));
        return TFLM_OK;
    }
    int32_t *sum = (int32_t *)node->scratch;
    memset(sum, 0, (size_t)p->out_count * sizeof(int32_t));
    if (in->type == TFLM_INT8) {
        red_run(p, in->data, sum, TFLM_INT8, RED_SUM);
    } else {
        red_run(p, in->data, sum, TFLM_INT16, RED_SUM);
    }
    red_requantize(d, p, sum, out);
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// ARG_MAX / ARG_MIN

// A tensor seen as [outer, size, inner] around one of its dimensions.
typedef struct {
    int32_t outer; // elements before the axis (product of the dimensions)
    int32_t size; // the axis' size
    int32_t inner; // elements after the axis
} axis_view_t;

// Resolves the axis in the first value of `axis_t` (int32 or int64,
// negative from the end) against `in` and fills *v: returns the dimension,
// or -1 with the value in *bad when it is out of range.
static int axis_view(const tflm_tensor_t *in, const tflm_tensor_t *axis_t, axis_view_t *v, int64_t *bad) {
    const int64_t a = tflm_index_at(axis_t, 0);
    const int64_t r = a < 0 ? a + in->rank : a;
    if (r < 0 || r >= in->rank) {
        *bad = a;
        return -1;
    }
    v->outer = 1;
    v->inner = 1;
    for (int i = 0; i < r; i++) {
        v->outer *= in->dims[i];
    }
    for (int i = (int)r + 1; i < in->rank; i++) {
        v->inner *= in->dims[i];
    }
    v->size = in->dims[r];
    return (int)r;
}

// axis_view, and for ARG_MAX/MIN (`arg`) a check of the output shape (the
// input's without the axis). Returns the axis; -1 for one out of range (the
// value in *bad), -2 for a wrong output shape (plan_fail's 1, 2 negated).
static int axis_plan(const tflm_tensor_t *in, const tflm_tensor_t *axis_t, const tflm_tensor_t *out, bool arg,
    axis_view_t *v, int64_t *bad) {
    const int r = axis_view(in, axis_t, v, bad);
    if (r < 0 || !arg) {
        return r;
    }
    if (out->rank != in->rank - 1) {
        return -2;
    }
    for (int i = 0; i < in->rank; i++) {
        if (i != r && out->dims[i < r ? i : i - 1] != in->dims[i]) {
            return -2;
        }
    }
    return r;
}

// The axis input's value planned into *v (axis_plan), the axis in *axis;
// an error raised with `status` (in prepare a model error, in eval a
// value error).
static tflm_status_t axis_plan_node(tflm_interp_t *ip, const tflm_node_t *node, bool arg, tflm_status_t status,
    axis_view_t *v, int8_t *axis) {
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    int64_t bad = 0;
    const int r = axis_plan(in, tflm_node_input(ip, node, 1), tflm_node_output(ip, node, 0), arg, v, &bad);
    if (r < 0) {
        return plan_fail(ip, node, -r, bad, in->rank, status, arg);
    }
    *axis = (int8_t)r;
    return TFLM_OK;
}

// In eval: the view prepare planned (`axis` >= 0), or, for an axis input
// that was not constant, its value planned now into *now. NULL after
// reporting a value out of range (the status in *s).
static const axis_view_t *axis_view_eval(tflm_interp_t *ip, const tflm_node_t *node, int8_t axis, bool arg,
    const axis_view_t *planned, axis_view_t *now, tflm_status_t *s) {
    if (axis >= 0) {
        return planned;
    }
    *s = axis_plan_node(ip, node, arg, TFLM_ERR_VALUE, now, &axis);
    return *s == TFLM_OK ? now : NULL;
}

typedef struct {
    axis_view_t v;
    int8_t axis; // resolved, -1 until known (non-constant axis)
    uint8_t out64;
    uint8_t is_max;
} arg_data_t;

static tflm_status_t arg_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    arg_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *axis = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    d->is_max = node->builtin == TFLM_OP_ARG_MAX;
    d->axis = -1;
    if (in->type != TFLM_FLOAT32 && in->type != TFLM_INT8 && in->type != TFLM_INT16
        && in->type != TFLM_INT32) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input type %s", tflm_type_name(in->type));
    }
    if (out->type != TFLM_INT32 && out->type != TFLM_INT64) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output is %s, expected int32 or int64",
            tflm_type_name(out->type));
    }
    d->out64 = out->type == TFLM_INT64;
    if (axis->type != TFLM_INT32 && axis->type != TFLM_INT64) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "axis is %s, expected int32 or int64",
            tflm_type_name(axis->type));
    }
    if (tflm_elem_count(axis) != 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "axis has %d values, expected 1",
            (int)tflm_elem_count(axis));
    }
    if (in->rank == 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input is a scalar");
    }
    if (out->rank != in->rank - 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output rank %d, expected %d", (int)out->rank,
            (int)in->rank - 1);
    }
    if (axis->flags & TFLM_T_CONST) {
        return axis_plan_node(ip, node, true, TFLM_ERR_MODEL, &d->v, &d->axis);
    }
    return TFLM_OK;
}

// Index of the first best element along the axis for every (outer, inner)
// position; `type` (a constant) is the input's.
TFLM_INLINE_LOOP void arg_run(const arg_data_t *d, const axis_view_t *av, const void *x, void *out, const int type,
    const bool is_max) {
    const bool is_float = type == TFLM_FLOAT32;
    const float *xf = x;
    int32_t *o32 = (int32_t *)out;
    int64_t *o64 = (int64_t *)out;
    const int32_t inner = av->inner, size = av->size;
    for (int32_t outer = 0; outer < av->outer; outer++) {
        const size_t base = (size_t)outer * size * inner;
        for (int32_t k = 0; k < inner; k++) {
            float best_f = is_float ? xf[base + k] : 0.0f;
            int32_t best = is_float ? 0 : tflm_load_int(x, base + k, type);
            int32_t best_i = 0;
            for (int32_t i = 1; i < size; i++) {
                const size_t at = base + (size_t)i * inner + k;
                bool better;
                if (is_float) {
                    const float v = xf[at];
                    better = is_max ? v > best_f : v < best_f;
                    best_f = better ? v : best_f;
                } else {
                    const int32_t v = tflm_load_int(x, at, type);
                    better = is_max ? v > best : v < best;
                    best = better ? v : best;
                }
                best_i = better ? i : best_i;
            }
            if (d->out64) {
                o64[(size_t)outer * inner + k] = best_i;
            } else {
                o32[(size_t)outer * inner + k] = best_i;
            }
        }
    }
}

// ARG_MAX or ARG_MIN for one input type.
TFLM_INLINE_LOOP void arg_any(const arg_data_t *d, const axis_view_t *av, const void *x, void *out, const int type) {
    if (d->is_max) {
        arg_run(d, av, x, out, type, true);
    } else {
        arg_run(d, av, x, out, type, false);
    }
}

static tflm_status_t arg_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const arg_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    axis_view_t now;
    tflm_status_t s = TFLM_OK;
    const axis_view_t *v = axis_view_eval(ip, node, d->axis, true, &d->v, &now, &s);
    if (v == NULL) {
        return s;
    }
    if (v->size == 0) {
        return TFLM_OK; // empty input, empty output
    }
    if (in->type == TFLM_FLOAT32) {
        arg_any(d, v, in->data, out->data, TFLM_FLOAT32);
    } else if (in->type == TFLM_INT8) {
        arg_any(d, v, in->data, out->data, TFLM_INT8);
    } else if (in->type == TFLM_INT16) {
        arg_any(d, v, in->data, out->data, TFLM_INT16);
    } else {
        arg_any(d, v, in->data, out->data, TFLM_INT32);
    }
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// CUMSUM: float32 and int8 as TFLM, int32 and int64 (which TFLM refuses) as
// TFLite, wrapping.
//
// Matching TFLM: each line along the axis is summed from its first element
// (its last, reversed) in order, so float sums round the same way. int8 sums
// (x - input zero point) * 2^20 * 1/2 in int32 (wrapping) from a start of
// -input zero point scaled the same way (TFLM starts there, not at 0), and
// requantizes each partial sum with 2 * input scale / (2^20 * output scale).

// CumsumOptions fields.
enum { CUMSUM_EXCLUSIVE = 0, CUMSUM_REVERSE = 1 };

// TFLM's fixed left shift of the int8 differences.
#define CUMSUM_INT8_SHIFT (20)

typedef struct {
    axis_view_t v;
    // int8:
    int32_t in_offset; // -input zero point
    int32_t in_mult;
    int32_t out_mult;
    int32_t out_zp;
    int32_t acc_start;
    int8_t in_shift;
    int8_t out_shift;
    int8_t axis; // resolved, -1 until known (non-constant axis)
    uint8_t exclusive;
    uint8_t reverse;
} cumsum_data_t;

static tflm_status_t cumsum_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    cumsum_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *axis = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    d->axis = -1;
    d->exclusive = tflm_opt_i8(node, CUMSUM_EXCLUSIVE, 0) != 0;
    d->reverse = tflm_opt_i8(node, CUMSUM_REVERSE, 0) != 0;
    if (in->type != TFLM_FLOAT32 && in->type != TFLM_INT8 && in->type != TFLM_INT32 && in->type != TFLM_INT64) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "type %s", tflm_type_name(in->type));
    }
    if ((s = tflm_check_type_built(ip, node, in->type)) != TFLM_OK) {
        return s;
    }
    if (axis->type != TFLM_INT32) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "axis is %s, expected int32", tflm_type_name(axis->type));
    }
    if (tflm_elem_count(axis) != 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "axis has %d values, expected 1", (int)tflm_elem_count(axis));
    }
    if (in->rank == 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input is a scalar");
    }
    if (out->type != in->type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output is %s, input is %s",
            tflm_type_name(out->type), tflm_type_name(in->type));
    }
    if (!tflm_same_shape(in, out)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape differs from the input's");
    }
    if (in->type == TFLM_INT8) {
        if ((s = tflm_check_per_tensor_quant(ip, node, in, out)) != TFLM_OK) {
            return s;
        }
        // In TFLM's terms: both multipliers must be below 1 (the input's is
        // 1/2), the output's 2 * input scale / (2^20 * output scale).
        const double twice_in_scale = 2 * (double)in->scale;
        const double out_real = twice_in_scale / ((double)(1 << CUMSUM_INT8_SHIFT) * (double)out->scale);
        if (!(out_real < 1)) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "output scale too small for the input scale");
        }
        int shift;
        tflm_quantize_multiplier((double)in->scale / twice_in_scale, &d->in_mult, &shift);
        d->in_shift = (int8_t)shift;
        tflm_quantize_multiplier(out_real, &d->out_mult, &shift);
        d->out_shift = (int8_t)shift;
        d->in_offset = -in->zero_point;
        d->out_zp = out->zero_point;
        d->acc_start = tflm_mul_by_quant_mul(d->in_offset * (1 << CUMSUM_INT8_SHIFT), d->in_mult, d->in_shift);
    }
    if (axis->flags & TFLM_T_CONST) {
        return axis_plan_node(ip, node, false, TFLM_ERR_MODEL, &d->v, &d->axis);
    }
    return TFLM_OK;
}

// The cumulative sums of one element type (`type` a constant).
TFLM_INLINE_LOOP void cumsum_run(const cumsum_data_t *d, const axis_view_t *av, const void *x, void *y,
    const int type) {
    const ptrdiff_t inner = av->inner;
    const ptrdiff_t step = d->reverse ? -inner : inner;
    const ptrdiff_t first = d->reverse ? (ptrdiff_t)(av->size - 1) * inner : 0;
    const bool excl = d->exclusive;
    for (int32_t o = 0; o < av->outer; o++) {
        for (ptrdiff_t i = 0; i < inner; i++) {
            ptrdiff_t k = (ptrdiff_t)o * av->size * inner + first + i;
            float acc_f = 0.0f;
            uint32_t acc_32 = type == TFLM_INT8 ? (uint32_t)d->acc_start : 0;
            uint64_t acc_64 = 0;
            for (int32_t n = 0; n < av->size; n++, k += step) {
                if (type == TFLM_FLOAT32) {
                    const float v = ((const float *)x)[k];
                    const float before = acc_f;
                    acc_f += v;
                    ((float *)y)[k] = excl ? before : acc_f;
                } else if (type == TFLM_INT64) {
                    int64_t v; // a constant input may be only 4-byte aligned
                    memcpy(&v, (const int64_t *)x + k, sizeof(v));
                    const uint64_t before = acc_64;
                    acc_64 += (uint64_t)v;
                    ((int64_t *)y)[k] = (int64_t)(excl ? before : acc_64);
                } else if (type == TFLM_INT32) {
                    const uint32_t before = acc_32;
                    acc_32 += (uint32_t)((const int32_t *)x)[k];
                    ((int32_t *)y)[k] = (int32_t)(excl ? before : acc_32);
                } else {
                    const int32_t v = (d->in_offset + ((const int8_t *)x)[k]) * (1 << CUMSUM_INT8_SHIFT);
                    const uint32_t before = acc_32;
                    acc_32 += (uint32_t)tflm_mul_by_quant_mul(v, d->in_mult, d->in_shift);
                    const int32_t r = tflm_mul_by_quant_mul((int32_t)(excl ? before : acc_32), d->out_mult,
                        d->out_shift) + d->out_zp;
                    ((int8_t *)y)[k] = (int8_t)tflm_clamp_i32(r, INT8_MIN, INT8_MAX);
                }
            }
        }
    }
}

static tflm_status_t cumsum_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const cumsum_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    axis_view_t now;
    tflm_status_t s = TFLM_OK;
    const axis_view_t *v = axis_view_eval(ip, node, d->axis, false, &d->v, &now, &s);
    if (v == NULL) {
        return s;
    }
    switch (in->type) {
        case TFLM_FLOAT32:
            if (MICROPY_TFLM_TYPE_FLOAT32) {
                cumsum_run(d, v, in->data, out->data, TFLM_FLOAT32);
            }
            break;
        case TFLM_INT8:
            cumsum_run(d, v, in->data, out->data, TFLM_INT8);
            break;
        case TFLM_INT32:
            cumsum_run(d, v, in->data, out->data, TFLM_INT32);
            break;
        default:
            cumsum_run(d, v, in->data, out->data, TFLM_INT64);
            break;
    }
    return TFLM_OK;
}

TFLM_KERNEL(mean, MEAN, 3, ReducerOptions, 2, 2, 1, sizeof(red_data_t), red_prepare, red_eval);
TFLM_KERNEL(sum, SUM, 2, ReducerOptions, 2, 2, 1, sizeof(red_data_t), red_prepare, red_eval);
TFLM_KERNEL(reduce_max, REDUCE_MAX, 3, ReducerOptions, 2, 2, 1, sizeof(red_data_t), red_prepare, red_eval);
TFLM_KERNEL(reduce_min, REDUCE_MIN, 3, ReducerOptions, 2, 2, 1, sizeof(red_data_t), red_prepare, red_eval);
TFLM_KERNEL(reduce_all, REDUCE_ALL, 1, ReducerOptions, 2, 2, 1, sizeof(red_data_t), red_prepare, red_eval);
TFLM_KERNEL(arg_max, ARG_MAX, 2, ArgMaxOptions, 2, 2, 1, sizeof(arg_data_t), arg_prepare, arg_eval);
TFLM_KERNEL(arg_min, ARG_MIN, 2, ArgMinOptions, 2, 2, 1, sizeof(arg_data_t), arg_prepare, arg_eval);
TFLM_KERNEL(cumsum, CUMSUM, 1, CumsumOptions, 2, 2, 1, sizeof(cumsum_data_t), cumsum_prepare, cumsum_eval);

#endif // MICROPY_TFLM_OP_REDUCE
