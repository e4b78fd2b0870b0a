// Optimized int8 FULLY_CONNECTED, RISC-V (RV32IM; see fc_opt.c): eight
// units per pass over the input row (four when there are fewer than eight),
// one depth per step.
//
// With batch 1 every weight is used once: a product costs its byte load, a
// mul and an add, and the input value (loaded and offset once per step) and
// the pointer increments are shared by the block's units. 8 accumulators
// and 9 pointers fit the registers with the step's values.
#include "fc_opt.h"
#if MICROPY_TFLM_OP_FULLY_CONNECTED && MICROPY_TFLM_OPT_KERNELS && TFLM_CPU_RV

// The per-tensor requantization (copied to a local in each block: the
// int8 stores could alias it, gcc would reload it after each).
typedef struct {
    int32_t mult, shift;
    uint32_t khi;            // opt_requant_r2's
    int32_t act_min, act_max, out_off;
    bool r2;                 // per-tensor and opt_r2_ok
} fc_rq_t;

// What every block of a row shares.
typedef struct {
    const int8_t *x;         // the input row
    const int8_t *w;
    const int32_t *bias;     // or NULL
    int8_t *out;             // the output row
    int32_t depth, in_off;
    uint32_t row;            // fc_row_const
    const int32_t *cm;       // per-channel multipliers, or NULL
    const int8_t *shifts;    // per-channel shifts
    fc_rq_t rq;
} fc_blk_t;

// Unit u's accumulator before the products.
static TFLM_ALWAYS_INLINE uint32_t fc_init(const fc_blk_t *b, int32_t u) {
    return b->row + (b->bias ? (uint32_t)b->bias[u] : 0);
}

// Unit u's output from its accumulator, any multiplier and shift. Out of
// line: rare (see fc_rq_t.r2).
static void __attribute__((noinline)) fc_out_exact(const fc_blk_t *b, int32_t u, uint32_t acc) {
    const fc_rq_t *q = &b->rq;
    const int32_t v = (int32_t)((uint32_t)tflm_requant((int32_t)acc, b->cm ? b->cm[u] : q->mult,
        b->cm ? b->shifts[u] : q->shift) + (uint32_t)q->out_off);
    b->out[u] = (int8_t)opt_clamp_i32(v, q->act_min, q->act_max);
}

// Unit u's output from its accumulator, stored at o (q: the block's copy
// of b->rq).
static TFLM_ALWAYS_INLINE void fc_out(const fc_blk_t *b, const fc_rq_t *q, const opt_r2_consts_t *k, int8_t *o,
    int32_t u, uint32_t acc) {
    if (!q->r2) {
        fc_out_exact(b, u, acc);
        return;
    }
    const int32_t v = opt_requant_r2k(acc, q->mult, q->khi, -q->shift - 1, k->k31, k->k30);
    *o = (int8_t)opt_clamp_i32(v, q->act_min, q->act_max);
}

// On RISC-V a step is an asm statement, volatile so that the steps stay in
// order: gcc's own schedule of the C form loads an iteration's weights
// first and spills (as in conv_rv.c). The statement computes what the C
// below it does; elsewhere (the host builds) that C is compiled.
#if defined(__riscv)
#define RV_X "lb %[v], %[x]\n\tadd %[v], %[v], %[off]\n\t"
#define RV_UNIT(u) "lb %[w], %[m" #u "]\n\tmul %[t], %[v], %[w]\n\tadd %[a" #u "], %[a" #u "], %[t]\n\t"
#endif

// A block's accumulators and weight pointers (named fields: gcc keeps them
// in registers).
typedef struct {
    uint32_t a0, a1, a2, a3, a4, a5, a6, a7;
} acc8_t;

typedef struct {
    const int8_t *p0, *p1, *p2, *p3, *p4, *p5, *p6, *p7;
} rows8_t;

// One depth step of n units (8 or 4): a_u += (x[j] + off) * p_u[j].
static TFLM_ALWAYS_INLINE void fc_step(acc8_t *a, const int8_t *x, const rows8_t *r, int j, int32_t off,
    const int n) {
    #if defined(__riscv)
    int32_t v, w, t;
    if (n == 8) {
        __asm__ volatile (RV_X RV_UNIT(0) RV_UNIT(1) RV_UNIT(2) RV_UNIT(3) RV_UNIT(4) RV_UNIT(5) RV_UNIT(6)
            RV_UNIT(7)
            : [a0] "+r" (a->a0), [a1] "+r" (a->a1), [a2] "+r" (a->a2), [a3] "+r" (a->a3),
            [a4] "+r" (a->a4), [a5] "+r" (a->a5), [a6] "+r" (a->a6), [a7] "+r" (a->a7),
            [v] "=&r" (v), [w] "=&r" (w), [t] "=&r" (t)
            : [x] "m" (x[j]), [off] "r" (off), [m0] "m" (r->p0[j]), [m1] "m" (r->p1[j]), [m2] "m" (r->p2[j]),
            [m3] "m" (r->p3[j]), [m4] "m" (r->p4[j]), [m5] "m" (r->p5[j]), [m6] "m" (r->p6[j]),
            [m7] "m" (r->p7[j]));
    } else {
        __asm__ volatile (RV_X RV_UNIT(0) RV_UNIT(1) RV_UNIT(2) RV_UNIT(3)
            : [a0] "+r" (a->a0), [a1] "+r" (a->a1), [a2] "+r" (a->a2), [a3] "+r" (a->a3),
            [v] "=&r" (v), [w] "=&r" (w), [t] "=&r" (t)
            : [x] "m" (x[j]), [off] "r" (off), [m0] "m" (r->p0[j]), [m1] "m" (r->p1[j]), [m2] "m" (r->p2[j]),
            [m3] "m" (r->p3[j]));
    }
    #else
    const int32_t v = x[j] + off;
    a->a0 += (uint32_t)(v * r->p0[j]);
    a->a1 += (uint32_t)(v * r->p1[j]);
    a->a2 += (uint32_t)(v * r->p2[j]);
    a->a3 += (uint32_t)(v * r->p3[j]);
    if (n == 8) {
        a->a4 += (uint32_t)(v * r->p4[j]);
        a->a5 += (uint32_t)(v * r->p5[j]);
        a->a6 += (uint32_t)(v * r->p6[j]);
        a->a7 += (uint32_t)(v * r->p7[j]);
    }
    #endif
}

// Depth j0 .. j0 + 7 (x[j], r_u[j]).
static TFLM_ALWAYS_INLINE void fc_steps8(acc8_t *a, const int8_t *x, const rows8_t *r, int j0, int32_t off,
    const int n) {
    fc_step(a, x, r, j0, off, n);
    fc_step(a, x, r, j0 + 1, off, n);
    fc_step(a, x, r, j0 + 2, off, n);
    fc_step(a, x, r, j0 + 3, off, n);
    fc_step(a, x, r, j0 + 4, off, n);
    fc_step(a, x, r, j0 + 5, off, n);
    fc_step(a, x, r, j0 + 6, off, n);
    fc_step(a, x, r, j0 + 7, off, n);
}

static TFLM_ALWAYS_INLINE void rows_advance(rows8_t *r, int32_t n) {
    r->p0 += n, r->p1 += n, r->p2 += n, r->p3 += n, r->p4 += n, r->p5 += n, r->p6 += n, r->p7 += n;
}

// Units u0 .. u0 + n - 1 (n: 8 or 4, a constant after inlining).
static TFLM_ALWAYS_INLINE void fc_block(const fc_blk_t *b, int32_t u0, const int n) {
    const int32_t depth = b->depth, off = b->in_off;
    acc8_t a = { 0, 0, 0, 0, 0, 0, 0, 0 };
    a.a0 = fc_init(b, u0);
    a.a1 = fc_init(b, u0 + 1);
    a.a2 = fc_init(b, u0 + 2);
    a.a3 = fc_init(b, u0 + 3);
    rows8_t r;
    r.p0 = b->w + (size_t)u0 * depth;
    r.p1 = r.p0 + depth;
    r.p2 = r.p1 + depth;
    r.p3 = r.p2 + depth;
    r.p4 = r.p5 = r.p6 = r.p7 = r.p3;
    if (n == 8) {
        a.a4 = fc_init(b, u0 + 4);
        a.a5 = fc_init(b, u0 + 5);
        a.a6 = fc_init(b, u0 + 6);
        a.a7 = fc_init(b, u0 + 7);
        r.p4 = r.p3 + depth;
        r.p5 = r.p4 + depth;
        r.p6 = r.p5 + depth;
        r.p7 = r.p6 + depth;
    }
    // Steps of 8 depth (8 units: 16 first, the fewer pointer increments
    // count there), then single ones.
    const int8_t *x = b->x;
    if (n == 8) {
        for (const int8_t *x_end = x + (depth & ~15); x != x_end; x += 16) {
            fc_steps8(&a, x, &r, 0, off, n);
            fc_steps8(&a, x, &r, 8, off, n);
            rows_advance(&r, 16);
        }
        if (depth & 8) {
            fc_steps8(&a, x, &r, 0, off, n);
            x += 8;
            rows_advance(&r, 8);
        }
    } else {
        for (const int8_t *x_end = x + (depth & ~7); x != x_end; x += 8) {
            fc_steps8(&a, x, &r, 0, off, n);
            rows_advance(&r, 8);
        }
    }
    for (const int8_t *x_end = x + (depth & 7); x != x_end; x++) {
        fc_step(&a, x, &r, 0, off, n);
        rows_advance(&r, 1);
    }
    const fc_rq_t q = b->rq;
    const opt_r2_consts_t k = opt_r2_consts();
    int8_t *o = b->out + u0;
    fc_out(b, &q, &k, o, u0, a.a0);
    fc_out(b, &q, &k, o + 1, u0 + 1, a.a1);
    fc_out(b, &q, &k, o + 2, u0 + 2, a.a2);
    fc_out(b, &q, &k, o + 3, u0 + 3, a.a3);
    if (n == 8) {
        fc_out(b, &q, &k, o + 4, u0 + 4, a.a4);
        fc_out(b, &q, &k, o + 5, u0 + 5, a.a5);
        fc_out(b, &q, &k, o + 6, u0 + 6, a.a6);
        fc_out(b, &q, &k, o + 7, u0 + 7, a.a7);
    }
}

// Every block of a row: blocks of n units from unit 0 on, the last one
// ending at unit `last` + n - 1 (overlapping the one before). Out of line,
// once per row: the loops have the registers to themselves.
static TFLM_ALWAYS_INLINE void fc_blocks(const fc_blk_t *b, int32_t last, const int n) {
    for (int32_t u0 = 0;; u0 += n) {
        u0 = u0 < last ? u0 : last;
        fc_block(b, u0, n);
        if (u0 == last) {
            break;
        }
    }
}

static void __attribute__((noinline)) fc_blocks8(const fc_blk_t *b, int32_t last) {
    fc_blocks(b, last, 8);
}

static void __attribute__((noinline)) fc_blocks4(const fc_blk_t *b, int32_t last) {
    fc_blocks(b, last, 4);
}

void tflm_fc_opt_eval(const fc_data_t *d, const int8_t *in, const int8_t *w, const int32_t *bias,
    int8_t *out, uint8_t *scratch) {
    (void)scratch;
    fc_blk_t b;
    b.x = in;
    b.w = w;
    b.bias = bias;
    b.out = out;
    b.depth = d->depth;
    b.in_off = d->in_offset;
    b.cm = d->channel_mult;
    b.shifts = b.cm ? fc_shifts(d) : NULL;
    b.rq.mult = d->multiplier;
    b.rq.shift = d->shift;
    b.rq.r2 = !b.cm && opt_r2_ok(b.rq.mult, b.rq.shift);
    b.rq.khi = opt_r2_khi(b.rq.shift, d->out_offset);
    b.rq.act_min = d->act_min;
    b.rq.act_max = d->act_max;
    b.rq.out_off = d->out_offset;
    // Blocks of 8 units (of 4 when there are fewer; prepare: at least 4).
    const int32_t units = d->units;
    for (int32_t r = 0; r < d->batches; r++, b.x += b.depth, b.out += units) {
        b.row = fc_row_const(d, b.x);
        if (units >= 8) {
            fc_blocks8(&b, units - 8);
        } else {
            fc_blocks4(&b, units - 4);
        }
    }
}

#endif
