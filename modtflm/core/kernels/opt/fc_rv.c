// Optimized int8 FULLY_CONNECTED, RISC-V (RV32IM; see fc_opt.c): eight
// units per pass over the input row (four when there are fewer than eight,
// one at a time below four; ten with the offset row below), one depth per
// step.
//
// With batch 1 every weight is used once: a product costs its byte load, a
// mul and an add, and the input value (loaded once per step) and the
// pointer increments are shared by the block's units. 8 accumulators and 9
// pointers fit the registers with the step's values.
//
// The input offset: a block adds it to each input value it loads, one add
// per step. With many blocks to a row (more than 24 units, fc_rv_scratch)
// the row plus its offset is written once to scratch, as uint8 for an
// offset of 128 (x ^ 0x80, a word at a time) and as int16 for any other
// (about four instructions an element), and the blocks load those: no add,
// and two registers freed, so ten units a pass. Scratch: depth or
// 2 * depth bytes while the op runs.
//
// Requantization: when every accumulator stays below 2^29 (checked in
// prepare, tflm_fc_rv_r3) one high multiply (opt_requant_r3), else
// fc_out_any out of line.
#include <string.h>

#include "fc_opt.h"
#if MICROPY_TFLM_OP_FULLY_CONNECTED && MICROPY_TFLM_OPT_KERNELS && TFLM_CPU_RV

// The per-tensor requantization (copied to a local in each block: the
// int8 stores could alias it, gcc would reload it after each).
// (The other forms, rare, read fc_data_t: fc_out_any.)
typedef struct {
    int32_t mult, k2, r1;    // opt_requant_r3's
    int32_t act_min, act_max;
    bool r3;                 // opt_requant_r3 applies (FC_OPT_R3)
} fc_rq_t;

// What every block of a row shares.
typedef struct {
    const int8_t *x;         // the input row
    void *xs;                // the row plus the offset in scratch (X8U, X16), or NULL
    const int8_t *w;
    const int32_t *bias;     // or NULL
    int8_t *out;             // the output row
    int32_t depth, in_off;
    uint32_t row;            // fc_row_const
    const fc_data_t *d;
    fc_rq_t rq;
} fc_blk_t;

// Input kinds of a block (a constant after inlining): the int8 row (its
// offset added at each load), the row plus an offset of 128 as uint8
// (x ^ 0x80), the row plus any other offset as int16; both in scratch.
enum { X8, X8U, X16 };

static TFLM_ALWAYS_INLINE int32_t x_size(const int xk) {
    return xk == X16 ? 2 : 1;
}

// Unit u's accumulator before the products.
static TFLM_ALWAYS_INLINE uint32_t fc_init(const fc_blk_t *b, int32_t u) {
    return b->row + (b->bias ? (uint32_t)b->bias[u] : 0);
}

// Unit u's output from its accumulator, any multiplier and shift. Out of
// line: rare (see fc_rq_t.r3): the other forms, from fc_data_t.
static void __attribute__((noinline)) fc_out_any(const fc_blk_t *b, int32_t u, uint32_t acc) {
    const fc_data_t *d = b->d;
    const int32_t *cm = d->channel_mult;
    int32_t v;
    if (!cm && opt_r2_ok(d->multiplier, d->shift)) {
        v = opt_requant_r2(acc, d->multiplier, opt_r2_khi(d->shift, d->out_offset), -d->shift - 1);
    } else {
        v = (int32_t)((uint32_t)tflm_requant((int32_t)acc, cm ? cm[u] : d->multiplier,
            cm ? fc_shifts(d)[u] : d->shift) + (uint32_t)d->out_offset);
    }
    b->out[u] = (int8_t)opt_clamp_i32(v, d->act_min, d->act_max);
}

// Unit u's output from its accumulator, stored at o (q: the block's copy
// of b->rq).
static TFLM_ALWAYS_INLINE void fc_out(const fc_blk_t *b, const fc_rq_t *q, int8_t *o, int32_t u, uint32_t acc) {
    if (!q->r3) {
        fc_out_any(b, u, acc);
        return;
    }
    const int32_t v = opt_requant_r3((int32_t)acc, q->mult, q->k2, q->r1);
    *o = (int8_t)opt_clamp_i32(v, q->act_min, q->act_max);
}

// On RISC-V a step is an asm statement, volatile so that the steps stay in
// order: gcc's own schedule of the C form loads an iteration's weights
// first and spills (as in conv_rv.c). The statement computes what the C
// below it does; elsewhere (the host builds) that C is compiled. The
// product goes to the weight's register (one register fewer).
#if defined(__riscv)
#define RV_X8 "lb %[v], %[x]\n\tadd %[v], %[v], %[off]\n\t"
#define RV_X16 "lh %[v], %[x]\n\t"
#define RV_X8U "lbu %[v], %[x]\n\t"
#define RV_UNIT(u) "lb %[w], %[m" #u "]\n\tmul %[w], %[v], %[w]\n\tadd %[a" #u "], %[a" #u "], %[w]\n\t"
#define RV_UNITS4 RV_UNIT(0) RV_UNIT(1) RV_UNIT(2) RV_UNIT(3)
#define RV_UNITS8 RV_UNITS4 RV_UNIT(4) RV_UNIT(5) RV_UNIT(6) RV_UNIT(7)
#define RV_UNITS5(a, b, c, d, e) RV_UNIT(a) RV_UNIT(b) RV_UNIT(c) RV_UNIT(d) RV_UNIT(e)
#endif

// A block's accumulators and weight pointers (named fields: gcc keeps them
// in registers).
typedef struct {
    uint32_t a0, a1, a2, a3, a4, a5, a6, a7, a8, a9;
} acc_t;

typedef struct {
    const int8_t *p0, *p1, *p2, *p3, *p4, *p5, *p6, *p7, *p8, *p9;
} rows_t;

// Input value j of a row of kind xk.
static TFLM_ALWAYS_INLINE int32_t fc_xval(const void *x, int j, int32_t off, const int xk) {
    return xk == X16 ? ((const int16_t *)x)[j] : xk == X8U ? ((const uint8_t *)x)[j] : ((const int8_t *)x)[j] + off;
}

// One depth step of n units (10, 8, 4 or 1): a_u += x_j * p_u[j] (x_j:
// fc_xval).
static TFLM_ALWAYS_INLINE void fc_step(acc_t *a, const void *x, const rows_t *r, int j, int32_t off,
    const int n, const int xk) {
    #if defined(__riscv)
    int32_t v, w;
    const int8_t *x8 = x;
    const uint8_t *xu = x;
    const int16_t *x16 = x;
    if (n == 10) {
        // Two statements (an asm takes at most 30 operands), the second
        // using the first's input value.
        if (xk == X8U) {
            __asm__ volatile (RV_X8U RV_UNITS5(0, 1, 2, 3, 4)
                : [a0] "+r" (a->a0), [a1] "+r" (a->a1), [a2] "+r" (a->a2), [a3] "+r" (a->a3),
                [a4] "+r" (a->a4), [v] "=&r" (v), [w] "=&r" (w)
                : [x] "m" (xu[j]), [m0] "m" (r->p0[j]), [m1] "m" (r->p1[j]), [m2] "m" (r->p2[j]),
                [m3] "m" (r->p3[j]), [m4] "m" (r->p4[j]));
        } else {
            __asm__ volatile (RV_X16 RV_UNITS5(0, 1, 2, 3, 4)
                : [a0] "+r" (a->a0), [a1] "+r" (a->a1), [a2] "+r" (a->a2), [a3] "+r" (a->a3),
                [a4] "+r" (a->a4), [v] "=&r" (v), [w] "=&r" (w)
                : [x] "m" (x16[j]), [m0] "m" (r->p0[j]), [m1] "m" (r->p1[j]), [m2] "m" (r->p2[j]),
                [m3] "m" (r->p3[j]), [m4] "m" (r->p4[j]));
        }
        __asm__ volatile (RV_UNITS5(5, 6, 7, 8, 9)
            : [a5] "+r" (a->a5), [a6] "+r" (a->a6), [a7] "+r" (a->a7), [a8] "+r" (a->a8),
            [a9] "+r" (a->a9), [w] "=&r" (w)
            : [v] "r" (v), [m5] "m" (r->p5[j]), [m6] "m" (r->p6[j]), [m7] "m" (r->p7[j]),
            [m8] "m" (r->p8[j]), [m9] "m" (r->p9[j]));
    } else if (n == 8) {
        __asm__ volatile (RV_X8 RV_UNITS8
            : [a0] "+r" (a->a0), [a1] "+r" (a->a1), [a2] "+r" (a->a2), [a3] "+r" (a->a3),
            [a4] "+r" (a->a4), [a5] "+r" (a->a5), [a6] "+r" (a->a6), [a7] "+r" (a->a7),
            [v] "=&r" (v), [w] "=&r" (w)
            : [x] "m" (x8[j]), [off] "r" (off), [m0] "m" (r->p0[j]), [m1] "m" (r->p1[j]), [m2] "m" (r->p2[j]),
            [m3] "m" (r->p3[j]), [m4] "m" (r->p4[j]), [m5] "m" (r->p5[j]), [m6] "m" (r->p6[j]),
            [m7] "m" (r->p7[j]));
    } else if (n == 4) {
        __asm__ volatile (RV_X8 RV_UNITS4
            : [a0] "+r" (a->a0), [a1] "+r" (a->a1), [a2] "+r" (a->a2), [a3] "+r" (a->a3),
            [v] "=&r" (v), [w] "=&r" (w)
            : [x] "m" (x8[j]), [off] "r" (off), [m0] "m" (r->p0[j]), [m1] "m" (r->p1[j]), [m2] "m" (r->p2[j]),
            [m3] "m" (r->p3[j]));
    } else {
        __asm__ volatile (RV_X8 RV_UNIT(0)
            : [a0] "+r" (a->a0), [v] "=&r" (v), [w] "=&r" (w)
            : [x] "m" (x8[j]), [off] "r" (off), [m0] "m" (r->p0[j]));
    }
    #else
    const int32_t v = fc_xval(x, j, off, xk);
    a->a0 += (uint32_t)(v * r->p0[j]);
    if (n >= 4) {
        a->a1 += (uint32_t)(v * r->p1[j]);
        a->a2 += (uint32_t)(v * r->p2[j]);
        a->a3 += (uint32_t)(v * r->p3[j]);
    }
    if (n >= 8) {
        a->a4 += (uint32_t)(v * r->p4[j]);
        a->a5 += (uint32_t)(v * r->p5[j]);
        a->a6 += (uint32_t)(v * r->p6[j]);
        a->a7 += (uint32_t)(v * r->p7[j]);
    }
    if (n == 10) {
        a->a8 += (uint32_t)(v * r->p8[j]);
        a->a9 += (uint32_t)(v * r->p9[j]);
    }
    #endif
}

static TFLM_ALWAYS_INLINE void rows_advance(rows_t *r, int32_t k, const int n) {
    r->p0 += k;
    if (n >= 4) {
        r->p1 += k, r->p2 += k, r->p3 += k;
    }
    if (n >= 8) {
        r->p4 += k, r->p5 += k, r->p6 += k, r->p7 += k;
    }
    if (n == 10) {
        r->p8 += k, r->p9 += k;
    }
}

// The products of a block's units over the whole depth: iterations of 16
// steps, then the depth % 16 last ones: with 8 units as a jump into a
// chain of 15 steps (the last r of them run: a tail loop's pointer copies
// gcc spilled there), else a loop (less code).
static TFLM_ALWAYS_INLINE void fc_dot(acc_t *a, const fc_blk_t *b, rows_t *r, const int n, const int xk) {
    const int32_t off = b->in_off;
    const uint8_t *x = xk == X8 ? (const void *)b->x : b->xs;
    for (const uint8_t *x_end = x + (b->depth & ~15) * x_size(xk); x != x_end; x += 16 * x_size(xk)) {
        fc_step(a, x, r, 0, off, n, xk);
        fc_step(a, x, r, 1, off, n, xk);
        fc_step(a, x, r, 2, off, n, xk);
        fc_step(a, x, r, 3, off, n, xk);
        fc_step(a, x, r, 4, off, n, xk);
        fc_step(a, x, r, 5, off, n, xk);
        fc_step(a, x, r, 6, off, n, xk);
        fc_step(a, x, r, 7, off, n, xk);
        fc_step(a, x, r, 8, off, n, xk);
        fc_step(a, x, r, 9, off, n, xk);
        fc_step(a, x, r, 10, off, n, xk);
        fc_step(a, x, r, 11, off, n, xk);
        fc_step(a, x, r, 12, off, n, xk);
        fc_step(a, x, r, 13, off, n, xk);
        fc_step(a, x, r, 14, off, n, xk);
        fc_step(a, x, r, 15, off, n, xk);
        rows_advance(r, 16, n);
    }
    if ((b->depth & 15) == 0) {
        return;
    }
    if (n != 8) {
        // A loop (less code; with fewer or offset-free units no spills).
        for (const uint8_t *x_end = x + (b->depth & 15) * x_size(xk); x != x_end; x += x_size(xk)) {
            fc_step(a, x, r, 0, off, n, xk);
            rows_advance(r, 1, n);
        }
        return;
    }
    switch (b->depth & 15) {
        case 15: fc_step(a, x, r, 14, off, n, xk); // fallthrough
        case 14: fc_step(a, x, r, 13, off, n, xk); // fallthrough
        case 13: fc_step(a, x, r, 12, off, n, xk); // fallthrough
        case 12: fc_step(a, x, r, 11, off, n, xk); // fallthrough
        case 11: fc_step(a, x, r, 10, off, n, xk); // fallthrough
        case 10: fc_step(a, x, r, 9, off, n, xk); // fallthrough
        case 9: fc_step(a, x, r, 8, off, n, xk); // fallthrough
        case 8: fc_step(a, x, r, 7, off, n, xk); // fallthrough
        case 7: fc_step(a, x, r, 6, off, n, xk); // fallthrough
        case 6: fc_step(a, x, r, 5, off, n, xk); // fallthrough
        case 5: fc_step(a, x, r, 4, off, n, xk); // fallthrough
        case 4: fc_step(a, x, r, 3, off, n, xk); // fallthrough
        case 3: fc_step(a, x, r, 2, off, n, xk); // fallthrough
        case 2: fc_step(a, x, r, 1, off, n, xk); // fallthrough
        case 1: fc_step(a, x, r, 0, off, n, xk); // fallthrough
        default: break;
    }
}

// Unit u's accumulator and weight row (the one after `prev`).
static TFLM_ALWAYS_INLINE void fc_unit_start(const fc_blk_t *b, int32_t u, uint32_t *acc, const int8_t **p,
    const int8_t *prev) {
    *acc = fc_init(b, u);
    *p = prev + b->depth;
}

// Units u0 .. u0 + n - 1 (n: 10, 8, 4 or 1, a constant after inlining).
static TFLM_ALWAYS_INLINE void fc_block(const fc_blk_t *b, int32_t u0, const int n, const int xk) {
    const int32_t depth = b->depth;
    acc_t a = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    rows_t r;
    a.a0 = fc_init(b, u0);
    r.p0 = b->w + (size_t)u0 * depth;
    r.p1 = r.p2 = r.p3 = r.p4 = r.p5 = r.p6 = r.p7 = r.p8 = r.p9 = r.p0;
    if (n >= 4) {
        fc_unit_start(b, u0 + 1, &a.a1, &r.p1, r.p0);
        fc_unit_start(b, u0 + 2, &a.a2, &r.p2, r.p1);
        fc_unit_start(b, u0 + 3, &a.a3, &r.p3, r.p2);
    }
    if (n >= 8) {
        fc_unit_start(b, u0 + 4, &a.a4, &r.p4, r.p3);
        fc_unit_start(b, u0 + 5, &a.a5, &r.p5, r.p4);
        fc_unit_start(b, u0 + 6, &a.a6, &r.p6, r.p5);
        fc_unit_start(b, u0 + 7, &a.a7, &r.p7, r.p6);
    }
    if (n == 10) {
        fc_unit_start(b, u0 + 8, &a.a8, &r.p8, r.p7);
        fc_unit_start(b, u0 + 9, &a.a9, &r.p9, r.p8);
    }
    fc_dot(&a, b, &r, n, xk);
    const fc_rq_t q = b->rq;
    int8_t *o = b->out + u0;
    fc_out(b, &q, o, u0, a.a0);
    if (n >= 4) {
        fc_out(b, &q, o + 1, u0 + 1, a.a1);
        fc_out(b, &q, o + 2, u0 + 2, a.a2);
        fc_out(b, &q, o + 3, u0 + 3, a.a3);
    }
    if (n >= 8) {
        fc_out(b, &q, o + 4, u0 + 4, a.a4);
        fc_out(b, &q, o + 5, u0 + 5, a.a5);
        fc_out(b, &q, o + 6, u0 + 6, a.a6);
        fc_out(b, &q, o + 7, u0 + 7, a.a7);
    }
    if (n == 10) {
        fc_out(b, &q, o + 8, u0 + 8, a.a8);
        fc_out(b, &q, o + 9, u0 + 9, a.a9);
    }
}

// Blocks of n units from unit `first` on, the last one starting at unit
// `last` (overlapping the one before: the same results written again), in
// `rows` rows (at least one) from b->x, b->out on (left at the last).
// Out of line: the loops have the registers to themselves.
static TFLM_ALWAYS_INLINE void fc_blocks(fc_blk_t *b, int32_t first, int32_t last, int32_t rows, const int n,
    const int xk) {
    for (;;) {
        b->row = fc_row_const(b->d, b->x);
        for (int32_t u0 = first;; u0 += n) {
            u0 = u0 < last ? u0 : last;
            fc_block(b, u0, n, xk);
            if (u0 == last) {
                break;
            }
        }
        if (--rows == 0) {
            break;
        }
        b->x += b->depth;
        b->out += b->d->units;
    }
}

static void __attribute__((noinline)) fc_blocks8(fc_blk_t *b, int32_t first, int32_t last, int32_t rows) {
    fc_blocks(b, first, last, rows, 8, X8);
}

static void __attribute__((noinline)) fc_blocks4(fc_blk_t *b, int32_t first, int32_t last, int32_t rows) {
    fc_blocks(b, first, last, rows, 4, X8);
}

static void __attribute__((noinline)) fc_blocks1(fc_blk_t *b, int32_t first, int32_t last, int32_t rows) {
    fc_blocks(b, first, last, rows, 1, X8);
}

// With the offset row in scratch: 10 units a block (two more registers
// free without the offset: the input value is loaded once per ten
// products).
static void __attribute__((noinline)) fc_blocks10_x8u(fc_blk_t *b, int32_t first, int32_t last) {
    fc_blocks(b, first, last, 1, 10, X8U);
}

static void __attribute__((noinline)) fc_blocks10_x16(fc_blk_t *b, int32_t first, int32_t last) {
    fc_blocks(b, first, last, 1, 10, X16);
}

// xu[i] = x[i] + 128 = x[i] ^ 0x80 as uint8, a word a step where aligned.
static void fc_offset_row_u8(void *xs, const int8_t *x, int32_t depth) {
    uint8_t *xu = xs;
    int32_t i = 0;
    if (((uintptr_t)x & 3) == 0) {
        // Word copies (lw, sw: both ends aligned, the scratch by the planner).
        const uint8_t *xa = __builtin_assume_aligned(x, 4);
        uint8_t *xua = __builtin_assume_aligned(xu, 4);
        for (; i + 4 <= depth; i += 4) {
            uint32_t v;
            memcpy(&v, xa + i, 4);
            v ^= 0x80808080u;
            memcpy(xua + i, &v, 4);
        }
    }
    for (; i < depth; i++) {
        xu[i] = (uint8_t)((uint8_t)x[i] ^ 0x80u);
    }
}

// x16[i] = x[i] + off, four elements a step.
static void fc_offset_row(void *xs, const int8_t *x, int32_t depth, int32_t off) {
    int16_t *x16 = xs;
    int32_t i = 0;
    for (; i + 4 <= depth; i += 4) {
        x16[i] = (int16_t)(x[i] + off);
        x16[i + 1] = (int16_t)(x[i + 1] + off);
        x16[i + 2] = (int16_t)(x[i + 2] + off);
        x16[i + 3] = (int16_t)(x[i + 3] + off);
    }
    for (; i < depth; i++) {
        x16[i] = (int16_t)(x[i] + off);
    }
}

// Rows with the offset row in scratch: blocks of 10 on it, and for the
// last units % 10 (when not 9: then a block of 10 redoing one) a block of
// 8 on the int8 row.
static void __attribute__((noinline)) fc_blocks_scratch(fc_blk_t *b, int32_t rows) {
    const int32_t units = b->d->units;
    const int32_t rest = units % 10, last10 = rest == 9 ? units - 10 : units - rest - 10;
    for (;;) {
        if (b->in_off == 128) {
            fc_offset_row_u8(b->xs, b->x, b->depth);
            fc_blocks10_x8u(b, 0, last10);
        } else {
            fc_offset_row(b->xs, b->x, b->depth, b->in_off);
            fc_blocks10_x16(b, 0, last10);
        }
        if (rest != 0 && rest != 9) {
            fc_blocks8(b, units - 8, units - 8, 1);
        }
        if (--rows == 0) {
            break;
        }
        b->x += b->depth;
        b->out += units;
    }
}

bool tflm_fc_rv_r3(tflm_interp_t *ip, const tflm_node_t *node, const fc_data_t *d) {
    // Per-tensor, a multiplier and shift opt_requant_r2 takes, and every
    // accumulator below 2^29 in magnitude: |x + in_off| and |w + w_off| are
    // at most 255 (int8 data, offsets the negated int8 zero points), a
    // computed bias has no bound.
    const tflm_tensor_t *bias = tflm_node_input(ip, node, 2);
    if (d->channel_mult || !opt_r2_ok(d->multiplier, d->shift) || (bias && !(bias->flags & TFLM_T_CONST))) {
        return false;
    }
    uint32_t max_bias = 0;
    for (int32_t u = 0; bias && u < d->units; u++) {
        const int32_t v = ((const int32_t *)bias->data)[u];
        const uint32_t mag = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
        max_bias = mag > max_bias ? mag : max_bias;
    }
    return (uint64_t)d->depth * 255 * 255 + max_bias < (1u << 29);
}

void tflm_fc_opt_eval(const fc_data_t *d, const int8_t *in, const int8_t *w, const int32_t *bias,
    int8_t *out, uint8_t *scratch) {
    if (d->batches <= 0) {
        return;
    }
    fc_blk_t b;
    b.x = in;
    b.w = w;
    b.bias = bias;
    b.out = out;
    b.xs = scratch;
    b.depth = d->depth;
    b.in_off = d->in_offset;
    b.d = d;
    b.rq.mult = d->multiplier;
    b.rq.r3 = d->opt == FC_OPT_R3;
    b.rq.k2 = opt_r3_k2(d->shift, d->out_offset);
    b.rq.r1 = 1 - d->shift;
    b.rq.act_min = d->act_min;
    b.rq.act_max = d->act_max;
    // Blocks of 8 units (of 4 when there are fewer, of 1 below 4); with scratch
    // (fc_rv_scratch: more than 24 units) fc_blocks_scratch. Each does all
    // rows (nothing here stays live across the call: no registers saved).
    if (scratch) {
        fc_blocks_scratch(&b, d->batches);
    } else if (d->units >= 8) {
        fc_blocks8(&b, 0, d->units - 8, d->batches);
    } else if (d->units >= 4) {
        fc_blocks4(&b, 0, d->units - 4, d->batches);
    } else {
        fc_blocks1(&b, 0, d->units - 1, d->batches);
    }
}

#endif
