// PAD, PADV2, STRIDED_SLICE, SLICE, TRANSPOSE, GATHER: data movement only, so
// every element type is handled as raw bytes of its size.
//
// STRIDED_SLICE, SLICE and TRANSPOSE all reduce to one "strided copy": the
// output is written in order while the input is read at
// base + sum(i_d * step_d) for output index (i_0, ..., i_5). Prepare turns the
// op's parameters into that plan (dropping size-1 dims and merging dims that
// are contiguous in the input, so a plain slice becomes a few memcpy); eval
// walks it.
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_SLICE
#include <string.h>
#include "../kernel.h"
#include "../support/quant.h"
#include "../support/checks.h"
#include "../support/elements.h"

#define R TFLM_MAX_RANK

// StridedSliceOptions / GatherOptions fields.
enum { SS_BEGIN_MASK = 0, SS_END_MASK = 1, SS_ELLIPSIS_MASK = 2, SS_NEW_AXIS_MASK = 3,
       SS_SHRINK_AXIS_MASK = 4, SS_OFFSET = 5 };
enum { GATHER_AXIS = 0, GATHER_BATCH_DIMS = 1 };

// ---------------------------------------------------------------------------
// Helpers

// A 1-D int32/int64 index tensor of `n` elements (n < 0: any length).
static tflm_status_t check_index_vector(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *t,
    const char *what, int n) {
    if (t->type != TFLM_INT32 && t->type != TFLM_INT64) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s is %s, expected int32", what, tflm_type_name(t->type));
    }
    if (t->rank != 1 || (n >= 0 && t->dims[0] != n)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s must be a vector of %d values", what, n);
    }
    return TFLM_OK;
}

// For messages: clamps a 64-bit value into int range.
TFLM_MESSAGE_HELPER static inline int small(int64_t v) {
    return (int)tflm_clamp_i64(v, -1000000000, 1000000000);
}

// Fills `n` elements of `es` bytes (a constant) with the value at `v`.
TFLM_INLINE_LOOP void fill_as(uint8_t *dst, const uint8_t *v, size_t n, const size_t es) {
    uint64_t x; // the value, read once: `v` may be any byte as far as the compiler knows
    memcpy(&x, v, es);
    for (size_t i = 0; i < n; i++) {
        memcpy(dst + es * i, &x, es);
    }
}

// Fills `n` elements of `es` bytes (1, 2, 4 or 8) with the value at `v`.
static void fill(uint8_t *dst, const uint8_t *v, size_t es, size_t n) {
    if (es == 1) {
        memset(dst, v[0], n);
    } else if (es == 2) {
        fill_as(dst, v, n, 2);
    } else if (es == 4) {
        fill_as(dst, v, n, 4);
    } else {
        fill_as(dst, v, n, 8);
    }
}

// ---------------------------------------------------------------------------
// Strided copy

typedef struct {
    int32_t base;     // first input element
    int32_t count[R]; // output extent per dim, outermost first (padded with 1s)
    int32_t step[R];  // input element step per dim
    uint8_t es;       // element size in bytes
    bool empty;       // some extent is 0
} plan_t;

// Builds the plan from `n` dims (outermost first), simplified.
static void plan_init(plan_t *p, size_t es, int32_t base, const int32_t *count, const int32_t *step, int n) {
    int32_t c[R], s[R];
    int m = 0;
    p->empty = false;
    for (int i = 0; i < n; i++) {
        if (count[i] == 0) {
            p->empty = true;
        }
        if (count[i] == 1) {
            continue; // contributes nothing to the walk
        }
        // Merge into the previous dim when both are one contiguous run.
        if (m > 0 && (int64_t)s[m - 1] == (int64_t)step[i] * count[i]) {
            c[m - 1] *= count[i];
            s[m - 1] = step[i];
            continue;
        }
        c[m] = count[i];
        s[m] = step[i];
        m++;
    }
    int pad = R - m;
    for (int i = 0; i < R; i++) {
        p->count[i] = i < pad ? 1 : c[i - pad];
        p->step[i] = i < pad ? 0 : s[i - pad];
    }
    p->base = base;
    p->es = (uint8_t)es;
}

static void plan_run(const plan_t *p, const uint8_t *in, uint8_t *out) {
    if (p->empty) {
        return;
    }
    const size_t es = p->es;
    const int32_t *c = p->count, *st = p->step;
    const int32_t n = c[R - 1], s5 = st[R - 1];
    const size_t run = (size_t)n * es;
    // Constant inputs live in the model, which need not be aligned.
    const bool aligned = (((uintptr_t)in | (uintptr_t)out) & (es - 1)) == 0;
    for (int32_t i0 = 0, o0 = p->base; i0 < c[0]; i0++, o0 += st[0]) {
        for (int32_t i1 = 0, o1 = o0; i1 < c[1]; i1++, o1 += st[1]) {
            for (int32_t i2 = 0, o2 = o1; i2 < c[2]; i2++, o2 += st[2]) {
                for (int32_t i3 = 0, o3 = o2; i3 < c[3]; i3++, o3 += st[3]) {
                    for (int32_t i4 = 0, o4 = o3; i4 < c[4]; i4++, o4 += st[4]) {
                        const uint8_t *src = in + (ptrdiff_t)o4 * (ptrdiff_t)es;
                        if (s5 == 1) {
                            memcpy(out, src, run);
                        } else if (es == 1) {
                            for (int32_t k = 0; k < n; k++) {
                                out[k] = src[(ptrdiff_t)k * s5];
                            }
                        } else if (es == 2 && aligned) {
                            const uint16_t *s = (const uint16_t *)(const void *)src;
                            uint16_t *o = (uint16_t *)(void *)out;
                            for (int32_t k = 0; k < n; k++) {
                                o[k] = s[(ptrdiff_t)k * s5];
                            }
                        } else if (es == 4 && aligned) {
                            const uint32_t *s = (const uint32_t *)(const void *)src;
                            uint32_t *o = (uint32_t *)(void *)out;
                            for (int32_t k = 0; k < n; k++) {
                                o[k] = s[(ptrdiff_t)k * s5];
                            }
                        } else {
                            for (int32_t k = 0; k < n; k++) {
                                memcpy(out + es * (size_t)k, src + (ptrdiff_t)k * s5 * (ptrdiff_t)es, es);
                            }
                        }
                        out += run;
                    }
                }
            }
        }
    }
}

// Element strides of a tensor's dims.
static void elem_strides(const tflm_tensor_t *t, int32_t *strides) {
    int32_t s = 1;
    for (int i = t->rank - 1; i >= 0; i--) {
        strides[i] = s;
        s *= t->dims[i];
    }
}

static tflm_status_t plan_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const plan_t *p = node->op_data;
    plan_run(p, tflm_node_input(ip, node, 0)->data, tflm_node_output(ip, node, 0)->data);
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// PAD, PADV2

typedef struct {
    int32_t in[R];     // input dims (simplified, outermost first)
    int32_t left[R];   // padding before, per dim
    int32_t right[R];  // padding after
    int32_t ostride[R]; // output elements per index of each dim
    uint8_t value[8];  // pad value when there is no constant_values input
    uint8_t rank;
    uint8_t es;
    bool value_input;  // PADV2 with a constant_values tensor
} pad_data_t;

static tflm_status_t pad_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    pad_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *paddings = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *value = tflm_node_input(ip, node, 2), *out = tflm_node_output(ip, node, 0);
    if ((s = tflm_check_plain_io(ip, node, in, out)) != TFLM_OK) {
        return s;
    }
    int rank = in->rank;
    if (paddings->type != TFLM_INT32 && paddings->type != TFLM_INT64) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "paddings are %s, expected int32",
            tflm_type_name(paddings->type));
    }
    if (tflm_elem_count(paddings) != 2 * rank || (paddings->rank == 2 && paddings->dims[1] != 2)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "paddings must be %d x 2 for a rank %d input", rank, rank);
    }
    if (!(paddings->flags & TFLM_T_CONST)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "non-constant paddings");
    }
    if (out->rank != rank) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output rank %d, expected %d", (int)out->rank, rank);
    }
    // Padded shape, checked against the output.
    int32_t dims[R], left[R], right[R];
    for (int i = 0; i < rank; i++) {
        int64_t l = tflm_index_at(paddings, 2 * i), r = tflm_index_at(paddings, 2 * i + 1);
        if (l < 0 || r < 0 || l > INT32_MAX || r > INT32_MAX) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "padding (%d, %d) of dim %d is invalid", small(l), small(r), i);
        }
        if (out->dims[i] != in->dims[i] + l + r) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output dim %d is %d, padding makes %d",
                i, (int)out->dims[i], small(in->dims[i] + l + r));
        }
        dims[i] = in->dims[i];
        left[i] = (int32_t)l;
        right[i] = (int32_t)r;
    }
    if (rank == 0) {
        dims[0] = 1;
        left[0] = right[0] = 0;
        rank = 1;
    }
    // Trailing dims without padding join the dim before them.
    while (rank > 1 && left[rank - 1] == 0 && right[rank - 1] == 0) {
        int32_t k = dims[rank - 1];
        dims[rank - 2] *= k;
        left[rank - 2] *= k;
        right[rank - 2] *= k;
        rank--;
    }
    int32_t os = 1;
    for (int i = rank - 1; i >= 0; i--) {
        d->in[i] = dims[i];
        d->left[i] = left[i];
        d->right[i] = right[i];
        d->ostride[i] = os;
        os *= dims[i] + left[i] + right[i];
    }
    d->rank = (uint8_t)rank;
    d->es = (uint8_t)tflm_type_size(in->type);

    if (value != NULL) {
        if (value->type != in->type) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "constant value is %s, input %s",
                tflm_type_name(value->type), tflm_type_name(in->type));
        }
        if (tflm_elem_count(value) != 1) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "constant value must be a scalar");
        }
        if ((in->type == TFLM_INT8 || in->type == TFLM_UINT8)
            && ((value->flags & TFLM_T_QUANT) != (out->flags & TFLM_T_QUANT)
                || value->zero_point != out->zero_point || value->scale != out->scale)) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "constant value is not quantized like the output");
        }
        d->value_input = true;
    } else {
        // Zero, which for int8/uint8 is the output's zero point (int16, as in
        // TFLM, pads with 0).
        memset(d->value, 0, sizeof(d->value));
        if (in->type == TFLM_INT8) {
            d->value[0] = (uint8_t)(int8_t)out->zero_point;
        } else if (in->type == TFLM_UINT8) {
            d->value[0] = (uint8_t)out->zero_point;
        }
    }
    return TFLM_OK;
}

static void pad_rec(const pad_data_t *d, int dim, const uint8_t *v, const uint8_t **src, uint8_t **dst) {
    const size_t es = d->es;
    const size_t before = (size_t)d->left[dim] * (size_t)d->ostride[dim];
    const size_t after = (size_t)d->right[dim] * (size_t)d->ostride[dim];
    fill(*dst, v, es, before);
    *dst += before * es;
    if (dim == d->rank - 1) {
        size_t n = (size_t)d->in[dim] * es;
        if (n) {
            memcpy(*dst, *src, n);
        }
        *dst += n;
        *src += n;
    } else {
        for (int32_t i = 0; i < d->in[dim]; i++) {
            pad_rec(d, dim + 1, v, src, dst);
        }
    }
    fill(*dst, v, es, after);
    *dst += after * es;
}

static tflm_status_t pad_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const pad_data_t *d = node->op_data;
    const uint8_t *src = tflm_node_input(ip, node, 0)->data;
    uint8_t *dst = tflm_node_output(ip, node, 0)->data;
    uint8_t v[8];
    if (d->value_input) {
        memcpy(v, tflm_node_input(ip, node, 2)->data, d->es);
    } else {
        memcpy(v, d->value, sizeof(v));
    }
    pad_rec(d, 0, v, &src, &dst);
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// STRIDED_SLICE

static tflm_status_t strided_slice_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *begin = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *end = tflm_node_input(ip, node, 2), *strides = tflm_node_input(ip, node, 3);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if ((s = tflm_check_plain_io(ip, node, in, out)) != TFLM_OK
        || (s = check_index_vector(ip, node, begin, "begin", -1)) != TFLM_OK
        || (s = check_index_vector(ip, node, end, "end", begin->dims[0])) != TFLM_OK
        || (s = check_index_vector(ip, node, strides, "strides", begin->dims[0])) != TFLM_OK) {
        return s;
    }
    if (!(begin->flags & end->flags & strides->flags & TFLM_T_CONST)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "non-constant begin, end or strides");
    }
    uint32_t begin_mask = (uint32_t)tflm_opt_i32(node, SS_BEGIN_MASK, 0);
    uint32_t end_mask = (uint32_t)tflm_opt_i32(node, SS_END_MASK, 0);
    uint32_t ellipsis_mask = (uint32_t)tflm_opt_i32(node, SS_ELLIPSIS_MASK, 0);
    uint32_t new_axis_mask = (uint32_t)tflm_opt_i32(node, SS_NEW_AXIS_MASK, 0);
    uint32_t shrink_mask = (uint32_t)tflm_opt_i32(node, SS_SHRINK_AXIS_MASK, 0);
    bool offset = tflm_opt_i8(node, SS_OFFSET, 0) != 0;
    int n = begin->dims[0];
    int rank = in->rank;
    if (n > 32) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%d slice entries", n);
    }

    // The sparse spec (one entry per begin value) against the input's dims:
    // an ellipsis stands for every dim no other entry names (one at the end
    // when there is none), a new axis names no input dim.
    int named = 0, ellipses = 0;
    for (int i = 0; i < n; i++) {
        uint32_t bit = 1u << i;
        if (ellipsis_mask & bit) {
            ellipses++;
        } else if (!(new_axis_mask & bit)) {
            named++;
        }
    }
    if (ellipses > 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "more than one ellipsis");
    }
    if (named > rank) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%d sliced dims for a rank %d input", named, rank);
    }
    int32_t in_strides[R];
    elem_strides(in, in_strides);
    int32_t count[R], step[R];
    int64_t base = 0;
    int32_t out_dims[2 * R + 32];
    int n_out = 0, dim = 0;
    for (int i = 0; i <= n; i++) {
        uint32_t bit = i < n ? 1u << i : 0;
        if (i == n || (ellipsis_mask & bit)) {
            // Whole dims: those an ellipsis stands for, or the trailing ones
            // when the spec has no ellipsis.
            int full = i < n ? rank - named : ellipses ? 0 : rank - dim;
            for (int k = 0; k < full; k++, dim++) {
                count[dim] = in->dims[dim];
                step[dim] = in_strides[dim];
                out_dims[n_out++] = in->dims[dim];
            }
            continue;
        }
        if (new_axis_mask & bit) {
            out_dims[n_out++] = 1;
            continue;
        }
        // A named dim: begin/end/stride with TFLite's clamping rules.
        int32_t size = in->dims[dim];
        int64_t st = tflm_index_at(strides, i);
        if (st == 0) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "stride %d is zero", i);
        }
        if (st > INT32_MAX || st < -INT32_MAX) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "stride %d is out of range", i);
        }
        int64_t b = tflm_index_at(begin, i);
        int32_t start, cnt;
        if (shrink_mask & bit) {
            // One element, at begin (negative counts from the end).
            if (st < 0) {
                return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "shrinking dim %d with a negative stride", i);
            }
            int64_t x = (begin_mask & bit) ? 0 : b < 0 ? b + size : b;
            if (x < 0 || x >= size) {
                return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "index %d out of range for dim %d of size %d",
                    small(b), dim, (int)size);
            }
            start = (int32_t)x;
            cnt = 1;
        } else {
            int64_t x = b < 0 ? b + size : b;
            start = st > 0 ? tflm_clamp_i64(x, 0, size) : tflm_clamp_i64(x, -1, size - 1);
            if (begin_mask & bit) {
                start = st > 0 ? 0 : size - 1;
            }
            int64_t e = tflm_index_at(end, i);
            if (offset) {
                e += start;
            }
            e = e < 0 ? e + size : e;
            int32_t stop = st > 0 ? tflm_clamp_i64(e, 0, size) : tflm_clamp_i64(e, -1, size - 1);
            if (end_mask & bit) {
                stop = st > 0 ? size : -1;
            }
            int64_t span = st > 0 ? (int64_t)stop - start : (int64_t)start - stop;
            int64_t ast = st > 0 ? st : -st;
            cnt = span <= 0 ? 0 : (int32_t)tflm_div_i64(span + ast - 1, ast);
            out_dims[n_out++] = cnt;
        }
        count[dim] = cnt;
        // Within the tensor whenever more than one element is taken.
        step[dim] = cnt > 1 ? (int32_t)(st * in_strides[dim]) : 0;
        if (cnt > 0) {
            base += (int64_t)start * in_strides[dim];
        }
        dim++;
    }
    if (!tflm_has_dims(out, out_dims, n_out)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape does not match the slice");
    }
    if (rank == 0) {
        count[0] = 1;
        step[0] = 1;
        rank = 1;
    }
    plan_init(node->op_data, tflm_type_size(in->type), (int32_t)base, count, step, rank);
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// SLICE

typedef struct {
    plan_t plan;
    bool dynamic; // begin/size known only at run time
} slice_data_t;

// Resolves begin/size into `p`; 0 on success, else the failing dim + 1.
static int slice_plan(const tflm_tensor_t *in, const tflm_tensor_t *begin, const tflm_tensor_t *size,
    const tflm_tensor_t *out, plan_t *p) {
    int32_t strides[R], count[R], step[R];
    int rank = in->rank;
    elem_strides(in, strides);
    int64_t base = 0;
    for (int i = 0; i < rank; i++) {
        int64_t b = tflm_index_at(begin, i), n = tflm_index_at(size, i);
        int32_t dim = in->dims[i];
        if (b < 0 || b > dim) {
            return i + 1;
        }
        if (n == -1) {
            n = dim - b;
        }
        if (n < 0 || n > dim - b || n != out->dims[i]) {
            return i + 1;
        }
        count[i] = (int32_t)n;
        step[i] = strides[i];
        base += b * strides[i];
    }
    if (rank == 0) {
        count[0] = step[0] = 1;
        rank = 1;
    }
    plan_init(p, tflm_type_size(in->type), (int32_t)base, count, step, rank);
    return 0;
}

static tflm_status_t slice_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    slice_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *begin = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *size = tflm_node_input(ip, node, 2), *out = tflm_node_output(ip, node, 0);
    if ((s = tflm_check_plain_io(ip, node, in, out)) != TFLM_OK
        || (s = check_index_vector(ip, node, begin, "begin", in->rank)) != TFLM_OK
        || (s = check_index_vector(ip, node, size, "size", in->rank)) != TFLM_OK) {
        return s;
    }
    if (begin->type != size->type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "begin and size have different types");
    }
    if (out->rank != in->rank) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output rank %d, expected %d", (int)out->rank, (int)in->rank);
    }
    if (!(begin->flags & size->flags & TFLM_T_CONST)) {
        d->dynamic = true;
        return TFLM_OK;
    }
    int bad = slice_plan(in, begin, size, out, &d->plan);
    if (bad) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "begin %d / size %d of dim %d do not fit the input or output",
            small(tflm_index_at(begin, bad - 1)), small(tflm_index_at(size, bad - 1)), bad - 1);
    }
    return TFLM_OK;
}

static tflm_status_t slice_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const slice_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if (!d->dynamic) {
        plan_run(&d->plan, in->data, out->data);
        return TFLM_OK;
    }
    plan_t p;
    const tflm_tensor_t *begin = tflm_node_input(ip, node, 1), *size = tflm_node_input(ip, node, 2);
    int bad = slice_plan(in, begin, size, out, &p);
    if (bad) {
        return tflm_op_fail(ip, node, TFLM_ERR_VALUE, "begin %d / size %d of dim %d do not fit the input or output",
            small(tflm_index_at(begin, bad - 1)), small(tflm_index_at(size, bad - 1)), bad - 1);
    }
    plan_run(&p, in->data, out->data);
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// TRANSPOSE

static tflm_status_t transpose_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *perm = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    int rank = in->rank;
    if ((s = tflm_check_plain_io(ip, node, in, out)) != TFLM_OK
        || (s = check_index_vector(ip, node, perm, "perm", rank)) != TFLM_OK) {
        return s;
    }
    if (!(perm->flags & TFLM_T_CONST)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "non-constant perm");
    }
    int32_t strides[R], count[R] = {0}, step[R];
    elem_strides(in, strides);
    bool seen[R] = {false};
    for (int i = 0; i < rank; i++) {
        int64_t p = tflm_index_at(perm, i);
        if (p < 0 || p >= rank || seen[p]) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "perm is not a permutation of 0..%d", rank - 1);
        }
        seen[p] = true;
        count[i] = in->dims[p];
        step[i] = strides[p];
    }
    if (!tflm_has_dims(out, count, rank)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape is not the permuted input shape");
    }
    if (rank == 0) {
        count[0] = step[0] = 1;
        rank = 1;
    }
    plan_init(node->op_data, tflm_type_size(in->type), 0, count, step, rank);
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// GATHER

typedef struct {
    int32_t batches;    // product of the batch dims
    int32_t outer;      // dims between batch dims and axis
    int32_t coords;     // indices per batch
    int32_t axis_size;
    uint32_t inner;     // bytes per gathered slice
} gather_data_t;

static tflm_status_t gather_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    gather_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *idx = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if ((s = tflm_check_plain_io(ip, node, in, out)) != TFLM_OK) {
        return s;
    }
    if (idx->type != TFLM_INT32 && idx->type != TFLM_INT64 && idx->type != TFLM_INT16) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "indices of type %s", tflm_type_name(idx->type));
    }
    int rank = in->rank, irank = idx->rank;
    int32_t axis = tflm_opt_i32(node, GATHER_AXIS, 0);
    int32_t batch_dims = tflm_opt_i32(node, GATHER_BATCH_DIMS, 0);
    if (axis < -rank || axis >= rank) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "axis %d out of range for rank %d", (int)axis, rank);
    }
    axis = axis < 0 ? axis + rank : axis;
    if (batch_dims < -irank || batch_dims > irank) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "batch_dims %d out of range for indices of rank %d",
            (int)batch_dims, irank);
    }
    batch_dims = batch_dims < 0 ? batch_dims + irank : batch_dims;
    if (batch_dims > axis) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "batch_dims %d greater than axis %d", (int)batch_dims, (int)axis);
    }
    for (int i = 0; i < batch_dims; i++) {
        if (in->dims[i] != idx->dims[i]) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "batch dim %d differs between params and indices", i);
        }
    }
    int32_t want[2 * R];
    int n = 0;
    for (int i = 0; i < axis; i++) {
        want[n++] = in->dims[i];
    }
    for (int i = batch_dims; i < irank; i++) {
        want[n++] = idx->dims[i];
    }
    for (int i = axis + 1; i < rank; i++) {
        want[n++] = in->dims[i];
    }
    if (n > R || !tflm_has_dims(out, want, n)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape does not match the gather");
    }
    d->batches = 1;
    for (int i = 0; i < batch_dims; i++) {
        d->batches *= in->dims[i];
    }
    d->outer = 1;
    for (int i = batch_dims; i < axis; i++) {
        d->outer *= in->dims[i];
    }
    d->coords = 1;
    for (int i = batch_dims; i < irank; i++) {
        d->coords *= idx->dims[i];
    }
    int32_t inner = 1;
    for (int i = axis + 1; i < rank; i++) {
        inner *= in->dims[i];
    }
    d->axis_size = in->dims[axis];
    d->inner = (uint32_t)((size_t)inner * tflm_type_size(in->type));
    return TFLM_OK;
}

static tflm_status_t gather_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const gather_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *idx = tflm_node_input(ip, node, 1);
    uint8_t *dst = tflm_node_output(ip, node, 0)->data;
    const size_t inner = d->inner;
    const size_t slab = (size_t)d->axis_size * inner;
    const int32_t coords = d->coords;
    const size_t isz = tflm_type_size(idx->type);
    for (int32_t b = 0; b < d->batches; b++) {
        const uint8_t *ib = idx->data + (size_t)b * (size_t)coords * isz;
        for (int32_t o = 0; o < d->outer; o++) {
            const uint8_t *src = in->data + ((size_t)b * (size_t)d->outer + (size_t)o) * slab;
            for (int32_t c = 0; c < coords; c++) {
                int64_t k;
                if (isz == 4) {
                    int32_t v;
                    memcpy(&v, ib + 4 * (size_t)c, 4);
                    k = v;
                } else if (isz == 8) {
                    memcpy(&k, ib + 8 * (size_t)c, 8);
                } else {
                    int16_t v;
                    memcpy(&v, ib + 2 * (size_t)c, 2);
                    k = v;
                }
                if (k < 0 || k >= d->axis_size) {
                    return tflm_op_fail(ip, node, TFLM_ERR_VALUE, "index %d out of range [0, %d)",
                        small(k), (int)d->axis_size);
                }
                if (inner) {
                    memcpy(dst, src + (size_t)k * inner, inner);
                }
                dst += inner;
            }
        }
    }
    return TFLM_OK;
}

// ---------------------------------------------------------------------------

TFLM_KERNEL(pad, PAD, 4, PadOptions, 2, 2, 1, sizeof(pad_data_t), pad_prepare, pad_eval);
TFLM_KERNEL(padv2, PADV2, 4, PadV2Options, 2, 3, 1, sizeof(pad_data_t), pad_prepare, pad_eval);
TFLM_KERNEL(strided_slice, STRIDED_SLICE, 8, StridedSliceOptions, 4, 4, 1,
    sizeof(plan_t), strided_slice_prepare, plan_eval);
TFLM_KERNEL(slice, SLICE, 5, SliceOptions, 3, 3, 1, sizeof(slice_data_t), slice_prepare, slice_eval);
TFLM_KERNEL(transpose, TRANSPOSE, 6, TransposeOptions, 2, 2, 1, sizeof(plan_t), transpose_prepare, plan_eval);
TFLM_KERNEL(gather, GATHER, 6, GatherOptions, 2, 2, 1, sizeof(gather_data_t), gather_prepare, gather_eval);

#endif // MICROPY_TFLM_OP_SLICE
