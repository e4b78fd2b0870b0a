// DEPTH_TO_SPACE, SPACE_TO_DEPTH, BATCH_TO_SPACE_ND, SPACE_TO_BATCH_ND,
// REVERSE_V2, MIRROR_PAD: data movement only, so every element type is moved
// as raw bytes of its size (quantized values keep their bytes, as in TFLM).
//
// The output is always written in order, one block of bytes at a time, from
// where the op says the block comes from:
// - DEPTH_TO_SPACE, SPACE_TO_DEPTH and REVERSE_V2 are a "walk": up to 6
//   nested output dims, each moving the input position by a fixed (possibly
//   negative) step, copying one block (a pixel's depth, or whatever trailing
//   dims stay contiguous) per step.
// - BATCH_TO_SPACE_ND and SPACE_TO_BATCH_ND copy one pixel (all of its depth)
//   at a time; SPACE_TO_BATCH_ND fills the padding.
// - MIRROR_PAD writes the input into the middle of the output, then every
//   padding block as a copy of an output block already written, reversed.
//
// Parameters in constant tensors are checked and planned once in prepare;
// those given at run time (TFLM reads them at every invoke too) are planned
// at every eval, a bad value then being a ValueError of that invoke.
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_LAYOUT
#include <string.h>
#include "../kernel.h"
#include "../support/quant.h"
#include "../support/elements.h"

#define R TFLM_MAX_RANK

// DepthToSpaceOptions / SpaceToDepthOptions and MirrorPadOptions fields.
enum { OPT_BLOCK_SIZE = 0 };
enum { OPT_MIRROR_MODE = 0 };
enum { MIRROR_REFLECT = 0, MIRROR_SYMMETRIC = 1 };

// ---------------------------------------------------------------------------
// Helpers

// For messages: clamps a 64-bit value into int range.
TFLM_MESSAGE_HELPER static inline int small(int64_t v) {
    return (int)tflm_clamp_i64(v, -1000000000, 1000000000);
}

// The data input and the output of every op here: of one type, which the op
// moves as bytes.
static tflm_status_t data_io(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t **in,
    const tflm_tensor_t **out) {
    *in = tflm_node_input(ip, node, 0);
    *out = tflm_node_output(ip, node, 0);
    tflm_status_t s = tflm_check_same_type(ip, node, *in, *out);
    if (s == TFLM_OK && !tflm_plain_type((*in)->type)) {
        s = tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "type %s", tflm_type_name((*in)->type));
    }
    return s;
}

// An int32/int64 parameter tensor of rank `rank` whose first dim is `n` (and
// second 2 for rank 2).
static tflm_status_t check_param(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *t,
    const char *what, int rank, int n) {
    if (t->type != TFLM_INT32 && t->type != TFLM_INT64) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s is %s, expected int32", what, tflm_type_name(t->type));
    }
    if (t->rank != rank || t->dims[0] != n || (rank == 2 && t->dims[1] != 2)) {
        return rank == 1 ? tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s must be a vector of %d values", what, n)
            : tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s must be %d x 2", what, n);
    }
    return TFLM_OK;
}

// The output's shape is dims[0..n) (64-bit: computed from model values).
static tflm_status_t check_out_dims(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *out,
    const int64_t *dims, int n, tflm_status_t bad) {
    if (out->rank != n) {
        return tflm_op_fail(ip, node, bad, "output rank %d, expected %d", (int)out->rank, n);
    }
    for (int i = 0; i < n; i++) {
        if (out->dims[i] != dims[i]) {
            return tflm_op_fail(ip, node, bad, "output dim %d is %d, expected %d", i, (int)out->dims[i],
                small(dims[i]));
        }
    }
    return TFLM_OK;
}

// Element strides of a tensor's dims.
static void elem_strides(const tflm_tensor_t *t, int64_t *strides) {
    int64_t s = 1;
    for (int i = t->rank - 1; i >= 0; i--) {
        strides[i] = s;
        s *= t->dims[i];
    }
}

// Copies `n` blocks of `size` bytes to consecutive places at `dst` from
// `src`, `src + step`, `src + 2 * step`... (step in bytes, may be negative).
TFLM_INLINE_LOOP void copy_row_as(uint8_t *dst, const uint8_t *src, ptrdiff_t step, int32_t n, const size_t size) {
    for (int32_t k = 0; k < n; k++) {
        memcpy(dst + (size_t)k * size, src + (ptrdiff_t)k * step, size);
    }
}

// copy_row_as with the element sizes as constants: one load and store each.
static void copy_row(uint8_t *dst, const uint8_t *src, ptrdiff_t step, int32_t n, size_t size) {
    if (size == 1) {
        copy_row_as(dst, src, step, n, 1);
    } else if (size == 2) {
        copy_row_as(dst, src, step, n, 2);
    } else if (size == 4) {
        copy_row_as(dst, src, step, n, 4);
    } else if (size == 8) {
        copy_row_as(dst, src, step, n, 8);
    } else {
        copy_row_as(dst, src, step, n, size);
    }
}

// Parameters in tensors (REVERSE_V2, BATCH_TO_SPACE_ND, SPACE_TO_BATCH_ND,
// MIRROR_PAD): each op's plan function checks their values and fills its op
// data, reporting a bad value with status `bad` (TFLM_ERR_MODEL in prepare,
// TFLM_ERR_VALUE in eval). Prepare plans constant parameters; planned_eval
// plans at every invoke those known only then, then runs the op. Every op
// data struct using this starts with a planned_t.
typedef struct {
    bool dynamic; // planned at every eval
} planned_t;

typedef tflm_status_t (*plan_fn)(tflm_interp_t *ip, const tflm_node_t *node, void *data, tflm_status_t bad);
// The data movement of a planned op.
typedef void (*run_fn)(const void *data, const uint8_t *in, uint8_t *out);

static tflm_status_t plan_in_prepare(tflm_interp_t *ip, tflm_node_t *node, bool constant, plan_fn plan) {
    if (constant) {
        return plan(ip, node, node->op_data, TFLM_ERR_MODEL);
    }
    ((planned_t *)node->op_data)->dynamic = true;
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// Walk: output blocks in order, input position moved by fixed steps

typedef struct {
    int32_t count[R];  // output extent per dim, outermost first (leading 1s)
    ptrdiff_t step[R]; // input bytes per index of each dim
    ptrdiff_t base;    // input byte offset of the first block
    uint32_t block;    // bytes per block
    bool empty;        // some extent is 0
} walk_t;

// Builds the walk from `n` dims (outermost first; counts, steps in bytes),
// simplified: size-1 dims dropped, dims that are one run in the input merged,
// and innermost dims contiguous in the input folded into the block.
static void walk_init(walk_t *w, int n, const int64_t *count, const int64_t *step, int64_t base, size_t block) {
    int32_t c[R];
    int64_t s[R];
    int m = 0;
    w->empty = false;
    for (int i = 0; i < n; i++) {
        if (count[i] == 0) {
            w->empty = true;
        }
        if (count[i] == 1) {
            continue;
        }
        if (m > 0 && s[m - 1] == step[i] * count[i]) {
            c[m - 1] *= (int32_t)count[i];
            s[m - 1] = step[i];
        } else {
            c[m] = (int32_t)count[i];
            s[m] = step[i];
            m++;
        }
    }
    while (m > 0 && s[m - 1] == (int64_t)block) {
        block *= (size_t)c[m - 1];
        m--;
    }
    for (int i = 0; i < R; i++) {
        int k = i - (R - m);
        w->count[i] = k < 0 ? 1 : c[k];
        w->step[i] = k < 0 ? 0 : (ptrdiff_t)s[k];
    }
    w->base = (ptrdiff_t)base;
    w->block = (uint32_t)block;
}

static void walk_run(const walk_t *w, const uint8_t *in, uint8_t *out) {
    if (w->empty) {
        return;
    }
    const size_t block = w->block;
    const int32_t n = w->count[R - 1];
    const size_t row = (size_t)n * block;
    int32_t idx[R - 1] = {0};
    ptrdiff_t off = w->base;
    for (;;) {
        copy_row(out, in + off, w->step[R - 1], n, block);
        out += row;
        // Next row: an odometer over the outer dims.
        int d = R - 2;
        while (d >= 0 && ++idx[d] == w->count[d]) {
            idx[d] = 0;
            off -= w->step[d] * (w->count[d] - 1);
            d--;
        }
        if (d < 0) {
            return;
        }
        off += w->step[d];
    }
}

static tflm_status_t walk_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    walk_run(node->op_data, tflm_node_input(ip, node, 0)->data, tflm_node_output(ip, node, 0)->data);
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// DEPTH_TO_SPACE, SPACE_TO_DEPTH

static tflm_status_t depth_space_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    const bool to_space = node->builtin == TFLM_OP_DEPTH_TO_SPACE;
    const tflm_tensor_t *in, *out;
    tflm_status_t s = data_io(ip, node, &in, &out);
    if (s != TFLM_OK) {
        return s;
    }
    if (in->rank != 4) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input rank %d, expected 4", (int)in->rank);
    }
    int64_t bs = tflm_opt_i32(node, OPT_BLOCK_SIZE, 0);
    if (bs < 1 || bs > 46340) {
        // (46340^2 still fits an int32: a larger block makes a dim that cannot.)
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "block_size %d, must be in [1, 46340]", (int)bs);
    }
    const int64_t b = in->dims[0], h = in->dims[1], w = in->dims[2], c = in->dims[3];
    const int64_t es = (int64_t)tflm_type_size(in->type);
    if (to_space) {
        if (tflm_mod_i64(c, bs * bs) != 0) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input depth %d is not a multiple of block_size^2",
                (int)c);
        }
        const int64_t depth = tflm_div_i64(c, bs * bs); // of the output
        const int64_t want[4] = {b, h * bs, w * bs, depth};
        if ((s = check_out_dims(ip, node, out, want, 4, TFLM_ERR_MODEL)) != TFLM_OK) {
            return s;
        }
        // Output (b, y, dy, x, dx) is input (b, y, x) at depth (dy * bs + dx) * depth.
        const int64_t count[5] = {b, h, bs, w, bs};
        const int64_t step[5] = {h * w * c * es, w * c * es, bs * depth * es, c * es, depth * es};
        walk_init(node->op_data, 5, count, step, 0, (size_t)(depth * es));
    } else {
        if (tflm_mod_i64(h, bs) != 0 || tflm_mod_i64(w, bs) != 0) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input height %d and width %d are not multiples of "
                "block_size %d", (int)h, (int)w, (int)bs);
        }
        const int64_t want[4] = {b, tflm_div_i64(h, bs), tflm_div_i64(w, bs), c * bs * bs};
        if ((s = check_out_dims(ip, node, out, want, 4, TFLM_ERR_MODEL)) != TFLM_OK) {
            return s;
        }
        // Output (b, y, x, dy, dx) is input (b, y * bs + dy, x * bs + dx).
        const int64_t count[5] = {b, tflm_div_i64(h, bs), tflm_div_i64(w, bs), bs, bs};
        const int64_t step[5] = {h * w * c * es, bs * w * c * es, bs * c * es, w * c * es, c * es};
        walk_init(node->op_data, 5, count, step, 0, (size_t)(c * es));
    }
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// REVERSE_V2

typedef struct {
    planned_t hdr;
    walk_t walk;
} reverse_data_t;

static tflm_status_t reverse_plan(tflm_interp_t *ip, const tflm_node_t *node, void *data, tflm_status_t bad) {
    reverse_data_t *d = data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *axes = tflm_node_input(ip, node, 1);
    const int rank = in->rank;
    bool flip[R] = {false};
    for (int i = 0; i < axes->dims[0]; i++) {
        int64_t a = tflm_index_at(axes, (size_t)i);
        if (a < -rank || a >= rank) {
            return tflm_op_fail(ip, node, bad, "axis %d out of range for rank %d", small(a), rank);
        }
        a = a < 0 ? a + rank : a;
        if (flip[a]) {
            return tflm_op_fail(ip, node, bad, "axis %d given twice", (int)a);
        }
        flip[a] = true;
    }
    // A reversed dim starts at its last index and steps back.
    const int64_t es = (int64_t)tflm_type_size(in->type);
    int64_t strides[R], count[R], step[R], base = 0;
    elem_strides(in, strides);
    for (int i = 0; i < rank; i++) {
        count[i] = in->dims[i];
        step[i] = (flip[i] ? -strides[i] : strides[i]) * es;
        if (flip[i] && count[i] > 0) {
            base += (count[i] - 1) * strides[i] * es;
        }
    }
    walk_init(&d->walk, rank, count, step, base, (size_t)es);
    return TFLM_OK;
}

static void reverse_run(const void *data, const uint8_t *in, uint8_t *out) {
    walk_run(&((const reverse_data_t *)data)->walk, in, out);
}

static tflm_status_t reverse_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    const tflm_tensor_t *in, *out, *axes = tflm_node_input(ip, node, 1);
    tflm_status_t s = data_io(ip, node, &in, &out);
    if (s != TFLM_OK) {
        return s;
    }
    if (axes->rank != 1 || axes->dims[0] > in->rank) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "axis must be a vector of at most %d values",
            (int)in->rank);
    }
    if ((s = check_param(ip, node, axes, "axis", 1, axes->dims[0])) != TFLM_OK) {
        return s;
    }
    if (!tflm_same_shape(in, out)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape differs from the input's");
    }
    return plan_in_prepare(ip, node, axes->flags & TFLM_T_CONST, reverse_plan);
}

// ---------------------------------------------------------------------------
// BATCH_TO_SPACE_ND, SPACE_TO_BATCH_ND
//
// 4-D tensors [batch, height, width, depth], 3-D ones [batch, height, depth]
// taken as width 1. The batch index of the batch side is
// (shift_y * block_w + shift_x) * space_batch + b for the pixel
// (b, y * block_h + shift_y, x * block_w + shift_x) of the space side.

typedef struct {
    planned_t hdr;
    int32_t in_b, in_h, in_w;    // input dims
    int32_t out_b, out_h, out_w; // output dims
    int32_t block_h, block_w;
    int32_t before_h, before_w;  // crops (to space) or paddings (to batch) at the start
    uint32_t pixel;              // bytes per pixel (depth * element size)
} nd_data_t;

// Reads block_shape and crops / paddings into `d`; checks them against the
// input and output shapes.
static tflm_status_t nd_plan(tflm_interp_t *ip, const tflm_node_t *node, void *data, tflm_status_t bad) {
    const bool to_space = node->builtin == TFLM_OP_BATCH_TO_SPACE_ND;
    nd_data_t *d = data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *block = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *pads = tflm_node_input(ip, node, 2), *out = tflm_node_output(ip, node, 0);
    const char *what = to_space ? "crops" : "paddings";
    const int spatial = in->rank - 2;
    int64_t want[4] = {0, 1, 1, in->dims[in->rank - 1]};
    int64_t blk[2] = {1, 1}, before[2] = {0, 0};
    int64_t blocks = 1;
    for (int i = 0; i < spatial; i++) {
        int64_t bs = tflm_index_at(block, (size_t)i);
        int64_t p0 = tflm_index_at(pads, 2 * (size_t)i), p1 = tflm_index_at(pads, 2 * (size_t)i + 1);
        int64_t size = in->dims[i + 1];
        if (bs < 1 || bs > INT32_MAX) {
            return tflm_op_fail(ip, node, bad, "block_shape[%d] is %d, must be at least 1", i, small(bs));
        }
        if (p0 < 0 || p1 < 0 || p0 > INT32_MAX || p1 > INT32_MAX) {
            return tflm_op_fail(ip, node, bad, "%s (%d, %d) of dim %d are invalid", what, small(p0), small(p1),
                i + 1);
        }
        if ((to_space ? size * bs : size + p0 + p1) > INT32_MAX) {
            return tflm_op_fail(ip, node, bad, "dim %d is too large with its block_shape and %s", i + 1, what);
        }
        if (to_space) {
            if (p0 + p1 > size * bs) {
                return tflm_op_fail(ip, node, bad, "crops (%d, %d) of dim %d exceed its size %d", small(p0),
                    small(p1), i + 1, small(size * bs));
            }
            want[i + 1] = size * bs - p0 - p1;
        } else {
            if (tflm_mod_i64(size + p0 + p1, bs) != 0) {
                return tflm_op_fail(ip, node, bad, "padded dim %d (%d) is not a multiple of block_shape[%d] %d",
                    i + 1, small(size + p0 + p1), i, small(bs));
            }
            want[i + 1] = tflm_div_i64(size + p0 + p1, bs);
        }
        blk[i] = bs;
        before[i] = p0;
        blocks *= bs;
    }
    if (blocks > INT32_MAX) {
        return tflm_op_fail(ip, node, bad, "block_shape makes more than 2^31 - 1 batches per image");
    }
    if (to_space) {
        if (tflm_mod_i64(in->dims[0], blocks) != 0) {
            return tflm_op_fail(ip, node, bad, "input batch %d is not a multiple of the block size %d",
                (int)in->dims[0], small(blocks));
        }
        want[0] = tflm_div_i64(in->dims[0], blocks);
    } else {
        want[0] = in->dims[0] * blocks;
    }
    // A 3-D shape is the 4-D one without width.
    if (spatial == 1) {
        want[2] = want[3];
    }
    tflm_status_t s = check_out_dims(ip, node, out, want, in->rank, bad);
    if (s != TFLM_OK) {
        return s;
    }
    d->in_b = in->dims[0];
    d->in_h = in->dims[1];
    d->in_w = spatial == 2 ? in->dims[2] : 1;
    d->out_b = out->dims[0];
    d->out_h = out->dims[1];
    d->out_w = spatial == 2 ? out->dims[2] : 1;
    d->block_h = (int32_t)blk[0];
    d->block_w = (int32_t)blk[1];
    d->before_h = (int32_t)before[0];
    d->before_w = (int32_t)before[1];
    d->pixel = (uint32_t)((size_t)in->dims[in->rank - 1] * tflm_type_size(in->type));
    return TFLM_OK;
}

static tflm_status_t nd_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    const bool to_space = node->builtin == TFLM_OP_BATCH_TO_SPACE_ND;
    const tflm_tensor_t *in, *out, *block = tflm_node_input(ip, node, 1), *pads = tflm_node_input(ip, node, 2);
    tflm_status_t s = data_io(ip, node, &in, &out);
    if (s != TFLM_OK) {
        return s;
    }
    if (in->rank < 3) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input rank %d, expected 3 or 4", (int)in->rank);
    }
    if (in->rank > 4) {
        // TFLM (and TFLite) stop at 2 spatial dims.
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input rank %d (more than 2 spatial dims)",
            (int)in->rank);
    }
    const int spatial = in->rank - 2;
    if ((s = check_param(ip, node, block, "block_shape", 1, spatial)) != TFLM_OK
        || (s = check_param(ip, node, pads, to_space ? "crops" : "paddings", 2, spatial)) != TFLM_OK) {
        return s;
    }
    return plan_in_prepare(ip, node, block->flags & pads->flags & TFLM_T_CONST, nd_plan);
}

static void batch_to_space_run(const void *data, const uint8_t *in, uint8_t *out) {
    const nd_data_t *d = data;
    const size_t pixel = d->pixel;
    const size_t image = (size_t)d->in_h * (size_t)d->in_w * pixel;
    const int32_t bh = d->block_h, bw = d->block_w;
    for (int32_t b = 0; b < d->out_b; b++) {
        // Output row y is row (y + crop) / bh of the input batches with
        // shift_y (y + crop) % bh; likewise for columns.
        for (int32_t y = 0, iy = d->before_h / bh, sy = d->before_h % bh; y < d->out_h; y++) {
            for (int32_t x = 0, ix = d->before_w / bw, sx = d->before_w % bw; x < d->out_w; x++) {
                size_t batch = ((size_t)sy * (size_t)bw + (size_t)sx) * (size_t)d->out_b + (size_t)b;
                memcpy(out, in + batch * image + ((size_t)iy * (size_t)d->in_w + (size_t)ix) * pixel, pixel);
                out += pixel;
                if (++sx == bw) {
                    sx = 0;
                    ix++;
                }
            }
            if (++sy == bh) {
                sy = 0;
                iy++;
            }
        }
    }
}

// First index i in [0, n) with 0 <= i * block + shift - before, and the end
// of those with i * block + shift - before < size (end >= start).
static void inside(int32_t n, int32_t block, int32_t shift, int32_t before, int32_t size, int32_t *start,
    int32_t *end) {
    int64_t lo = before - shift, hi = (int64_t)before + size - shift; // i * block in [lo, hi)
    int64_t s = lo <= 0 ? 0 : tflm_div_i64(lo + block - 1, block);
    int64_t e = hi <= 0 ? 0 : tflm_div_i64(hi + block - 1, block); // >= s: hi >= lo
    *start = (int32_t)(s < n ? s : n);
    *end = (int32_t)(e < n ? e : n);
}

static void space_to_batch_run(const void *data, const uint8_t *in, uint8_t *out) {
    const nd_data_t *d = data;
    const size_t pixel = d->pixel;
    const size_t row = (size_t)d->out_w * pixel;
    const int32_t bh = d->block_h, bw = d->block_w;
    for (int32_t ob = 0; ob < d->out_b; ob++) {
        int32_t b = ob % d->in_b, shift = ob / d->in_b;
        int32_t sy = shift / bw, sx = shift % bw;
        int32_t y0, y1, x0, x1;
        inside(d->out_h, bh, sy, d->before_h, d->in_h, &y0, &y1);
        inside(d->out_w, bw, sx, d->before_w, d->in_w, &x0, &x1);
        // Padding is zero bytes, whatever the zero point (as in TFLM).
        memset(out, 0, (size_t)y0 * row);
        out += (size_t)y0 * row;
        for (int32_t y = y0; y < y1; y++) {
            memset(out, 0, (size_t)x0 * pixel);
            if (x1 > x0) {
                int32_t iy = y * bh + sy - d->before_h, ix = x0 * bw + sx - d->before_w;
                const uint8_t *src = in + (((size_t)b * (size_t)d->in_h + (size_t)iy) * (size_t)d->in_w
                    + (size_t)ix) * pixel;
                copy_row(out + (size_t)x0 * pixel, src, (ptrdiff_t)bw * (ptrdiff_t)pixel, x1 - x0, pixel);
            }
            memset(out + (size_t)x1 * pixel, 0, (size_t)(d->out_w - x1) * pixel);
            out += row;
        }
        memset(out, 0, (size_t)(d->out_h - y1) * row);
        out += (size_t)(d->out_h - y1) * row;
    }
}

// ---------------------------------------------------------------------------
// MIRROR_PAD

typedef struct {
    planned_t hdr;
    int32_t size[R];   // input dims (trailing unpadded dims folded into the block)
    int32_t left[R];   // padding before, per dim
    int32_t right[R];  // padding after
    uint32_t ostep[R]; // output bytes per index of each dim
    uint32_t istep[R]; // input bytes per index of each dim
    uint8_t rank;
    uint8_t offset;    // 1 for REFLECT (the edge is not repeated), 0 for SYMMETRIC
} mirror_data_t;

static tflm_status_t mirror_pad_plan(tflm_interp_t *ip, const tflm_node_t *node, void *data, tflm_status_t bad) {
    mirror_data_t *d = data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *pads = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    int rank = in->rank;
    int64_t want[R] = {0};
    int32_t size[R], left[R], right[R];
    for (int i = 0; i < rank; i++) {
        int64_t l = tflm_index_at(pads, 2 * (size_t)i), r = tflm_index_at(pads, 2 * (size_t)i + 1);
        int64_t n = in->dims[i];
        // Every padded index mirrors one inside the input (REFLECT leaves the
        // edge out, so it has one fewer to mirror).
        if (l < 0 || r < 0) {
            return tflm_op_fail(ip, node, bad, "paddings (%d, %d) of dim %d are negative", small(l), small(r), i);
        }
        if ((l > 0 && l > n - d->offset) || (r > 0 && r > n - d->offset)) {
            return tflm_op_fail(ip, node, bad, "paddings (%d, %d) of dim %d exceed what %s allows for size %d",
                small(l), small(r), i, d->offset ? "REFLECT" : "SYMMETRIC", (int)n);
        }
        want[i] = n + l + r;
        size[i] = (int32_t)n;
        left[i] = (int32_t)l;
        right[i] = (int32_t)r;
    }
    tflm_status_t s = check_out_dims(ip, node, out, want, rank, bad);
    if (s != TFLM_OK) {
        return s;
    }
    // Trailing dims without padding are copied whole: they join the block.
    size_t block = tflm_type_size(in->type);
    while (rank > 0 && left[rank - 1] == 0 && right[rank - 1] == 0) {
        block *= (size_t)size[rank - 1];
        rank--;
    }
    if (rank == 0) {
        // Nothing padded: one plain copy.
        size[0] = 1;
        left[0] = right[0] = 0;
        rank = 1;
    }
    size_t os = block, is = block;
    for (int i = rank - 1; i >= 0; i--) {
        d->size[i] = size[i];
        d->left[i] = left[i];
        d->right[i] = right[i];
        d->ostep[i] = (uint32_t)os;
        d->istep[i] = (uint32_t)is;
        os *= (size_t)(size[i] + left[i] + right[i]);
        is *= (size_t)size[i];
    }
    d->rank = (uint8_t)rank;
    return TFLM_OK;
}

// Pads dim `dim` of the block at `src` into `dst`: the input's part first,
// then each padding index as a copy of the mirrored output block.
static void mirror_rec(const mirror_data_t *d, int dim, const uint8_t *src, uint8_t *dst) {
    const size_t os = d->ostep[dim];
    const int32_t n = d->size[dim], l = d->left[dim], r = d->right[dim], off = d->offset;
    uint8_t *mid = dst + (size_t)l * os;
    if (dim == d->rank - 1) {
        memcpy(mid, src, (size_t)n * os);
    } else {
        for (int32_t i = 0; i < n; i++) {
            mirror_rec(d, dim + 1, src + (size_t)i * d->istep[dim], mid + (size_t)i * os);
        }
    }
    // Padding index k before the input mirrors input index l - 1 + off - k;
    // index k after it mirrors n - 1 - off - k.
    if (l > 0) {
        copy_row(dst, mid + (size_t)(l - 1 + off) * os, -(ptrdiff_t)os, l, os);
    }
    if (r > 0) {
        copy_row(mid + (size_t)n * os, mid + (size_t)(n - 1 - off) * os, -(ptrdiff_t)os, r, os);
    }
}

static tflm_status_t mirror_pad_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    mirror_data_t *d = node->op_data;
    const tflm_tensor_t *in, *out, *pads = tflm_node_input(ip, node, 1);
    tflm_status_t s = data_io(ip, node, &in, &out);
    if (s != TFLM_OK || (s = check_param(ip, node, pads, "paddings", 2, in->rank)) != TFLM_OK) {
        return s;
    }
    int mode = tflm_opt_i8(node, OPT_MIRROR_MODE, MIRROR_REFLECT);
    if (mode != MIRROR_REFLECT && mode != MIRROR_SYMMETRIC) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "mode %d is neither REFLECT nor SYMMETRIC", mode);
    }
    // Kept across evals (a run-time plan starts from a copy of this).
    d->offset = mode == MIRROR_REFLECT;
    return plan_in_prepare(ip, node, pads->flags & TFLM_T_CONST, mirror_pad_plan);
}

static void mirror_pad_run(const void *data, const uint8_t *in, uint8_t *out) {
    mirror_rec(data, 0, in, out);
}

// ---------------------------------------------------------------------------
// Eval of the planned ops

static tflm_status_t planned_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    plan_fn plan;
    run_fn run;
    switch (node->builtin) {
        case TFLM_OP_REVERSE_V2:
            plan = reverse_plan;
            run = reverse_run;
            break;
        case TFLM_OP_BATCH_TO_SPACE_ND:
            plan = nd_plan;
            run = batch_to_space_run;
            break;
        case TFLM_OP_SPACE_TO_BATCH_ND:
            plan = nd_plan;
            run = space_to_batch_run;
            break;
        default:
            plan = mirror_pad_plan;
            run = mirror_pad_run;
            break;
    }
    const void *d = node->op_data;
    union {
        reverse_data_t reverse;
        nd_data_t nd;
        mirror_data_t mirror;
    } local;
    if (((const planned_t *)d)->dynamic) {
        // This invoke's parameter values, planned from what prepare set.
        memcpy(&local, d, node->kernel->op_data_size);
        tflm_status_t s = plan(ip, node, &local, TFLM_ERR_VALUE);
        if (s != TFLM_OK) {
            return s;
        }
        d = &local;
    }
    run(d, tflm_node_input(ip, node, 0)->data, tflm_node_output(ip, node, 0)->data);
    return TFLM_OK;
}

// ---------------------------------------------------------------------------

TFLM_KERNEL(depth_to_space, DEPTH_TO_SPACE, 2, DepthToSpaceOptions, 1, 1, 1, sizeof(walk_t),
    depth_space_prepare, walk_eval);
TFLM_KERNEL(space_to_depth, SPACE_TO_DEPTH, 2, SpaceToDepthOptions, 1, 1, 1, sizeof(walk_t),
    depth_space_prepare, walk_eval);
TFLM_KERNEL(batch_to_space_nd, BATCH_TO_SPACE_ND, 4, BatchToSpaceNDOptions, 3, 3, 1, sizeof(nd_data_t),
    nd_prepare, planned_eval);
TFLM_KERNEL(space_to_batch_nd, SPACE_TO_BATCH_ND, 4, SpaceToBatchNDOptions, 3, 3, 1, sizeof(nd_data_t),
    nd_prepare, planned_eval);
TFLM_KERNEL(reverse_v2, REVERSE_V2, 3, ReverseV2Options, 2, 2, 1, sizeof(reverse_data_t),
    reverse_prepare, planned_eval);
TFLM_KERNEL(mirror_pad, MIRROR_PAD, 3, MirrorPadOptions, 2, 2, 1, sizeof(mirror_data_t),
    mirror_pad_prepare, planned_eval);

#endif // MICROPY_TFLM_OP_LAYOUT
