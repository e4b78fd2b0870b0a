// Binary element-wise ops with numpy broadcasting (up to 6-D): ADD, SUB, MUL,
// DIV, SQUARED_DIFFERENCE, MAXIMUM, MINIMUM, FLOOR_DIV, FLOOR_MOD; and ADD_N
// (any number of same-shape inputs).
//
// Quantized arithmetic follows TFLM's reference kernels: ADD/SUB rescale both
// inputs to twice the larger input scale after a left shift of 20 (int8) or
// 15 (int16), then rescale the sum; MUL rescales the product of the offset
// inputs; SQUARED_DIFFERENCE squares the difference of the rescaled inputs.
// Float ADD/SUB/MUL/DIV clamp to the fused activation range, which for NONE
// is [-FLT_MAX, FLT_MAX] (an infinite result saturates, as in TFLM).
// FLOOR_DIV and FLOOR_MOD are float32 only in TFLM: FLOOR_DIV divides in
// double and fails on a zero divisor, FLOOR_MOD is fmodf moved to the
// divisor's sign (NaN for a zero divisor).
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_ELEMENTWISE
#include <math.h>
#include "../kernel.h"
#include "../support/quant.h"
#include "../support/broadcast.h"
#include "../support/elements.h"

// Field 0 of AddOptions, SubOptions, MulOptions and DivOptions.
enum { OPT_ACTIVATION = 0 };

typedef enum { EW_ADD, EW_SUB, EW_MUL, EW_DIV, EW_SQDIFF, EW_MAX, EW_MIN } ew_op_t;

typedef struct {
    tflm_bcast_t bc;
    tflm_bcast_row_fn row;
    int32_t esz;        // element size of inputs and output
    int32_t div_count;  // int32 DIV: divisor elements to check for zero (0: no check)
    int32_t in1_offset; // -zero point
    int32_t in2_offset;
    int32_t out_offset; // +zero point
    int32_t in1_mult;
    int32_t in2_mult;
    int32_t out_mult;
    int32_t in1_shift;
    int32_t in2_shift;
    int32_t out_shift;
    int32_t left_shift;
    int32_t act_min;
    int32_t act_max;
    float f_min;
    float f_max;
} ew_data_t;

// ---------------------------------------------------------------------------
// Arithmetic helpers. Integer sums and products wrap like the reference
// kernels do on every target, without undefined behaviour.

static inline int32_t wadd(int32_t a, int32_t b) {
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

static inline int32_t wsub(int32_t a, int32_t b) {
    return (int32_t)((uint32_t)a - (uint32_t)b);
}

static inline int32_t wmul(int32_t a, int32_t b) {
    return (int32_t)((uint32_t)a * (uint32_t)b);
}

// The fused activation's clamp.
static inline float clampf(float v, const ew_data_t *p) {
    return tflm_clamp_f32(v, p->f_min, p->f_max);
}

static inline int32_t clampi(int32_t v, const ew_data_t *p) {
    return tflm_clamp_i32(v, p->act_min, p->act_max);
}

static inline int32_t div_i32(int32_t x, int32_t y) {
    // y == 0 never gets here (eval checks the divisor first).
    return y == -1 ? (int32_t)(0u - (uint32_t)x) : x / y;
}

// floor() of a double without libm (see quant.c): |d| >= 2^52 is integral
// already, as are NaN and infinities; an integral d is returned as is, which
// keeps -0.0.
static inline double floor_d(double d) {
    const double big = (double)(INT64_C(1) << 52);
    if (!(d > -big && d < big)) {
        return d;
    }
    double t = (double)(int64_t)d;
    return t == d ? d : d < 0 ? t - 1 : t;
}

// TFLM's FloorDiv<float>: the quotient in double, floored, back to float.
static inline float floor_div_f32(float x, float y) {
    return (float)floor_d((double)x / (double)y);
}

// TFLM's FloorMod<float>: the truncated remainder moved to the divisor's sign.
static inline float floor_mod_f32(float x, float y) {
    float r = fmodf(x, y);
    return r != 0 && ((y < 0) != (r < 0)) ? r + y : r;
}

// (v + offset) << left_shift, rescaled (multiplier < 1).
static inline int32_t scale_in(int32_t v, int32_t offset, int32_t left_shift, int32_t mult, int32_t shift) {
    return tflm_mul_by_quant_mul((int32_t)((uint32_t)wadd(v, offset) << left_shift), mult, (int)shift);
}

static inline int32_t add_q(const ew_data_t *p, int32_t x, int32_t y) {
    int32_t a = scale_in(x, p->in1_offset, p->left_shift, p->in1_mult, p->in1_shift);
    int32_t b = scale_in(y, p->in2_offset, p->left_shift, p->in2_mult, p->in2_shift);
    return clampi(wadd(tflm_mul_by_quant_mul(wadd(a, b), p->out_mult, (int)p->out_shift), p->out_offset), p);
}

static inline int32_t sub_q(const ew_data_t *p, int32_t x, int32_t y) {
    int32_t a = scale_in(x, p->in1_offset, p->left_shift, p->in1_mult, p->in1_shift);
    int32_t b = scale_in(y, p->in2_offset, p->left_shift, p->in2_mult, p->in2_shift);
    return clampi(wadd(tflm_mul_by_quant_mul(wsub(a, b), p->out_mult, (int)p->out_shift), p->out_offset), p);
}

static inline int32_t mul_q(const ew_data_t *p, int32_t x, int32_t y) {
    int32_t prod = wmul(wadd(x, p->in1_offset), wadd(y, p->in2_offset));
    return clampi(wadd(tflm_mul_by_quant_mul(prod, p->out_mult, (int)p->out_shift), p->out_offset), p);
}

static inline int32_t sqdiff_q(const ew_data_t *p, int32_t x, int32_t y) {
    int32_t a = scale_in(x, p->in1_offset, p->left_shift, p->in1_mult, p->in1_shift);
    int32_t b = scale_in(y, p->in2_offset, p->left_shift, p->in2_mult, p->in2_shift);
    int32_t d = wsub(a, b);
    return clampi(wadd(tflm_mul_by_quant_mul(wmul(d, d), p->out_mult, (int)p->out_shift), p->out_offset), p);
}

// ---------------------------------------------------------------------------
// Row functions.

TFLM_BCAST_ROW(add_f32, float, float, ew_data_t, clampf(x + y, p))
TFLM_BCAST_ROW(sub_f32, float, float, ew_data_t, clampf(x - y, p))
TFLM_BCAST_ROW(mul_f32, float, float, ew_data_t, clampf(x * y, p))
TFLM_BCAST_ROW(div_f32, float, float, ew_data_t, clampf(x / y, p))
TFLM_BCAST_ROW(sqd_f32, float, float, ew_data_t, (x - y) * (x - y))
TFLM_BCAST_ROW(max_f32, float, float, ew_data_t, x > y ? x : y)
TFLM_BCAST_ROW(min_f32, float, float, ew_data_t, x < y ? x : y)

TFLM_BCAST_ROW(add_i32, int32_t, int32_t, ew_data_t, wadd(x, y))
TFLM_BCAST_ROW(sub_i32, int32_t, int32_t, ew_data_t, clampi(wsub(x, y), p))
TFLM_BCAST_ROW(mul_i32, int32_t, int32_t, ew_data_t, clampi(wmul(x, y), p))
TFLM_BCAST_ROW(div_i32r, int32_t, int32_t, ew_data_t, clampi(div_i32(x, y), p))
TFLM_BCAST_ROW(sqd_i32, int32_t, int32_t, ew_data_t, wmul(wsub(x, y), wsub(x, y)))

TFLM_BCAST_ROW(max_i32, int32_t, int32_t, ew_data_t, x > y ? x : y)
TFLM_BCAST_ROW(min_i32, int32_t, int32_t, ew_data_t, x < y ? x : y)

TFLM_BCAST_ROW(max_i64, int64_t, int64_t, ew_data_t, x > y ? x : y)
TFLM_BCAST_ROW(min_i64, int64_t, int64_t, ew_data_t, x < y ? x : y)

#if !MICROPY_TFLM_OPT_KERNELS
TFLM_BCAST_ROW(add_i8, int8_t, int8_t, ew_data_t, (int8_t)add_q(p, x, y))
TFLM_BCAST_ROW(sub_i8, int8_t, int8_t, ew_data_t, (int8_t)sub_q(p, x, y))
TFLM_BCAST_ROW(mul_i8, int8_t, int8_t, ew_data_t, (int8_t)mul_q(p, x, y))
#endif
TFLM_BCAST_ROW(sqd_i8, int8_t, int8_t, ew_data_t, (int8_t)sqdiff_q(p, x, y))
TFLM_BCAST_ROW(max_i8, int8_t, int8_t, ew_data_t, x > y ? x : y)
TFLM_BCAST_ROW(min_i8, int8_t, int8_t, ew_data_t, x < y ? x : y)

TFLM_BCAST_ROW(add_i16, int16_t, int16_t, ew_data_t, (int16_t)add_q(p, x, y))
TFLM_BCAST_ROW(sub_i16, int16_t, int16_t, ew_data_t, (int16_t)sub_q(p, x, y))
TFLM_BCAST_ROW(mul_i16, int16_t, int16_t, ew_data_t, (int16_t)mul_q(p, x, y))
TFLM_BCAST_ROW(sqd_i16, int16_t, int16_t, ew_data_t, (int16_t)sqdiff_q(p, x, y))
TFLM_BCAST_ROW(max_i16, int16_t, int16_t, ew_data_t, x > y ? x : y)
TFLM_BCAST_ROW(min_i16, int16_t, int16_t, ew_data_t, x < y ? x : y)

#if MICROPY_TFLM_OPT_KERNELS
// Optimized int8 ADD, SUB and MUL rows: the parameters live in registers (an
// int8 store may alias them as far as the compiler knows, so the generic rows
// reload them per element) and requantize with the shorter tflm_requant,
// which equals tflm_mul_by_quant_mul for every multiplier prepare makes.
static inline int32_t scale_in_fast(int32_t v, int32_t offset, int32_t left_shift, int32_t mult, int32_t shift) {
    return tflm_requant((int32_t)((uint32_t)wadd(v, offset) << left_shift), mult, (int)shift);
}

#if defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>

// Helium int8 ADD / SUB row, 4 lanes of int32, bit-exact with add_q / sub_q.
// Proof of exactness, step by step, for the parameters mve_addsub_ok accepts
// (every shift in [-31, 0], left_shift in [0, 31], multipliers not INT32_MIN;
// prepare makes multipliers 0 or [2^30, 2^31) and shifts <= 0):
// - (x + off) << ls: VMLAS computes x * 2^ls + (off << ls) modulo 2^32, the
//   same value as the wrapping (uint32_t)(x + off) << ls.
// - VQRDMULH(v, m) = sat((2*v*m + 2^31) >> 32) = (v*m + 2^30) >> 31, which
//   only saturates for v == m == INT32_MIN (excluded); tflm_requant proves
//   this equals tflm_sat_round_doubling_high_mul.
// - Right shift r >= 1: VRSHL by -r gives (h + 2^(r-1)) >> r, computed
//   without overflow, i.e. round half up. The reference rounds half away from
//   zero: for h < 0 it rounds up only when the remainder exceeds 2^(r-1).
//   (h - 1 + 2^(r-1)) >> r does exactly that, so negative lanes get -1 first
//   (h > INT32_MIN always: |v*m| < 2^62, so h - 1 does not wrap). For r == 0
//   VRSHL is the identity and no lane is adjusted (fix == 0). The -1 is
//   (h >> 31) * fix, a multiply-accumulate, so no predicate is needed.
// - The sum / difference and the output offset wrap (VADD / VSUB), then
//   VMAX / VMIN clamp and VSTRB.32 stores the low byte, as (int8_t)v does.
static inline int32x4_t mve_rdiv(int32x4_t h, int32_t fix, int32_t nr) {
    // h + (h >> 31) * fix: h - 1 on negative lanes when fix == 1.
    h = vmlaq_n_s32(h, vshrq_n_s32(h, 31), fix);
    return vrshlq_n_s32(h, nr);
}

static bool mve_addsub_ok(const ew_data_t *p) {
    return p->left_shift >= 0 && p->left_shift <= 31
           && p->in1_shift <= 0 && p->in1_shift >= -31 && p->in1_mult != INT32_MIN
           && p->in2_shift <= 0 && p->in2_shift >= -31 && p->in2_mult != INT32_MIN
           && p->out_shift <= 0 && p->out_shift >= -31 && p->out_mult != INT32_MIN;
}

// The loop's constants, set up once per row.
typedef struct {
    int32x4_t k, m1v, m2v, xs, ys, lo, hi;
    int32_t c1, c2, f1, f2, n1, n2, mo, fo, no, oo;
} mve_addsub_t;

// Four lanes of the row from i on (lanes past the end of a tail, `pr`, are
// loaded as zero and not stored). A side that is a scalar (mode) is read
// only once, by the loop.
static inline __attribute__((always_inline)) void addsub_i8_vec_mve(const mve_addsub_t *q, const int8_t *a,
    const int8_t *b, int8_t *o, int32_t i, const int mode, const bool sub, const bool tail, mve_pred16_t pr) {
    int32x4_t x = q->xs, y = q->ys;
    if (mode != TFLM_ROW_A1) {
        const int32x4_t va = tail ? vldrbq_z_s32(a + i, pr) : vldrbq_s32(a + i);
        x = mve_rdiv(vqrdmulhq_s32(vmlasq_n_s32(va, q->k, q->c1), q->m1v), q->f1, q->n1);
    }
    if (mode != TFLM_ROW_B1) {
        const int32x4_t vb = tail ? vldrbq_z_s32(b + i, pr) : vldrbq_s32(b + i);
        y = mve_rdiv(vqrdmulhq_s32(vmlasq_n_s32(vb, q->k, q->c2), q->m2v), q->f2, q->n2);
    }
    int32x4_t v = sub ? vsubq_s32(x, y) : vaddq_s32(x, y);
    v = vaddq_n_s32(mve_rdiv(vqrdmulhq_n_s32(v, q->mo), q->fo, q->no), q->oo);
    v = vminq_s32(vmaxq_s32(v, q->lo), q->hi);
    if (tail) {
        vstrbq_p_s32(o + i, v, pr);
    } else {
        vstrbq_s32(o + i, v);
    }
}

// The loop, instantiated per mode and op so that neither is tested per vector.
static inline __attribute__((always_inline)) void addsub_i8_loop_mve(const ew_data_t *p, const int8_t *a,
    const int8_t *b, int8_t *o, int32_t n, const int mode, const bool sub) {
    mve_addsub_t q;
    const int32_t ls = p->left_shift;
    q.k = vdupq_n_s32((int32_t)(1u << ls));
    q.c1 = (int32_t)((uint32_t)p->in1_offset << ls);
    q.c2 = (int32_t)((uint32_t)p->in2_offset << ls);
    const int32_t m1 = p->in1_mult, m2 = p->in2_mult;
    q.mo = p->out_mult;
    q.n1 = p->in1_shift;
    q.n2 = p->in2_shift;
    q.no = p->out_shift;
    q.f1 = q.n1 < 0;
    q.f2 = q.n2 < 0;
    q.fo = q.no < 0;
    q.oo = p->out_offset;
    q.lo = vdupq_n_s32(p->act_min);
    q.hi = vdupq_n_s32(p->act_max);
    // Multipliers of the inputs in vectors: fewer scalars than registers.
    q.m1v = vdupq_n_s32(m1);
    q.m2v = vdupq_n_s32(m2);
    // A scalar input is rescaled once.
    q.xs = vdupq_n_s32(0);
    q.ys = vdupq_n_s32(0);
    if (mode == TFLM_ROW_A1) {
        q.xs = vdupq_n_s32(tflm_requant(wadd((int32_t)((uint32_t)*a << ls), q.c1), m1, (int)q.n1));
    } else if (mode == TFLM_ROW_B1) {
        q.ys = vdupq_n_s32(tflm_requant(wadd((int32_t)((uint32_t)*b << ls), q.c2), m2, (int)q.n2));
    }
    // Full vectors, then one predicated tail (vctp32q).
    for (int32_t i = 0; i < n >> 2; i++) {
        addsub_i8_vec_mve(&q, a, b, o, 4 * i, mode, sub, false, 0);
    }
    const int32_t done = n & ~3;
    if (n > done) {
        addsub_i8_vec_mve(&q, a, b, o, done, mode, sub, true, vctp32q((uint32_t)(n - done)));
    }
}

static void addsub_i8_row_mve(const ew_data_t *p, const int8_t *a, const int8_t *b, int8_t *o, int32_t n, int mode,
    bool sub) {
    if (mode == TFLM_ROW_BOTH) {
        if (sub) {
            addsub_i8_loop_mve(p, a, b, o, n, TFLM_ROW_BOTH, true);
        } else {
            addsub_i8_loop_mve(p, a, b, o, n, TFLM_ROW_BOTH, false);
        }
    } else if (mode == TFLM_ROW_A1) {
        if (sub) {
            addsub_i8_loop_mve(p, a, b, o, n, TFLM_ROW_A1, true);
        } else {
            addsub_i8_loop_mve(p, a, b, o, n, TFLM_ROW_A1, false);
        }
    } else if (sub) {
        addsub_i8_loop_mve(p, a, b, o, n, TFLM_ROW_B1, true);
    } else {
        addsub_i8_loop_mve(p, a, b, o, n, TFLM_ROW_B1, false);
    }
}
#endif

static void addsub_i8_row(const ew_data_t *p, const int8_t *a, const int8_t *b, int8_t *o, int32_t n, int mode,
    bool sub) {
#if defined(__ARM_FEATURE_MVE)
    if (mve_addsub_ok(p)) {
        addsub_i8_row_mve(p, a, b, o, n, mode, sub);
        return;
    }
#endif
    const int32_t off1 = p->in1_offset, off2 = p->in2_offset, ls = p->left_shift;
    const int32_t m1 = p->in1_mult, s1 = p->in1_shift, m2 = p->in2_mult, s2 = p->in2_shift;
    const int32_t mo = p->out_mult, so = p->out_shift, oo = p->out_offset;
    const int32_t act_min = p->act_min, act_max = p->act_max;
    const int32_t sa = mode != TFLM_ROW_A1, sb = mode != TFLM_ROW_B1;
    for (int32_t i = 0; i < n; i++, a += sa, b += sb) {
        int32_t x = scale_in_fast(*a, off1, ls, m1, s1);
        int32_t y = scale_in_fast(*b, off2, ls, m2, s2);
        int32_t v = wadd(tflm_requant(sub ? wsub(x, y) : wadd(x, y), mo, (int)so), oo);
        o[i] = tflm_clamp_to_i8(v, act_min, act_max);
    }
}

static void add_i8_fast(const void *p, const void *a, const void *b, void *o, int32_t n, int mode) {
    addsub_i8_row(p, a, b, o, n, mode, false);
}

static void sub_i8_fast(const void *p, const void *a, const void *b, void *o, int32_t n, int mode) {
    addsub_i8_row(p, a, b, o, n, mode, true);
}

static void mul_i8_fast(const void *pv, const void *av, const void *bv, void *ov, int32_t n, int mode) {
    const ew_data_t *p = pv;
    const int8_t *a = av, *b = bv;
    int8_t *o = ov;
    const int32_t off1 = p->in1_offset, off2 = p->in2_offset;
    const int32_t mo = p->out_mult, so = p->out_shift, oo = p->out_offset;
    const int32_t act_min = p->act_min, act_max = p->act_max;
    const int32_t sa = mode != TFLM_ROW_A1, sb = mode != TFLM_ROW_B1;
    for (int32_t i = 0; i < n; i++, a += sa, b += sb) {
        int32_t v = wadd(tflm_requant(wmul(wadd(*a, off1), wadd(*b, off2)), mo, (int)so), oo);
        o[i] = tflm_clamp_to_i8(v, act_min, act_max);
    }
}
#define ADD_I8 add_i8_fast
#define SUB_I8 sub_i8_fast
#define MUL_I8 mul_i8_fast
#else
#define ADD_I8 add_i8
#define SUB_I8 sub_i8
#define MUL_I8 mul_i8
#endif

// Row functions per op, indexed float32, int8, int16, int32, int64 (NULL:
// type not supported by the op).
enum { T_F32, T_I8, T_I16, T_I32, T_I64, T_COUNT };

static const tflm_bcast_row_fn ROWS[][T_COUNT] = {
    [EW_ADD] = {add_f32, ADD_I8, add_i16, add_i32, NULL},
    [EW_SUB] = {sub_f32, SUB_I8, sub_i16, sub_i32, NULL},
    [EW_MUL] = {mul_f32, MUL_I8, mul_i16, mul_i32, NULL},
    [EW_DIV] = {div_f32, NULL, NULL, div_i32r, NULL},
    [EW_SQDIFF] = {sqd_f32, sqd_i8, sqd_i16, sqd_i32, NULL},
    [EW_MAX] = {max_f32, max_i8, max_i16, max_i32, max_i64},
    [EW_MIN] = {min_f32, min_i8, min_i16, min_i32, min_i64},
};

static int type_slot(int type) {
    switch (type) {
        case TFLM_FLOAT32:
            return T_F32;
        case TFLM_INT8:
            return T_I8;
        case TFLM_INT16:
            return T_I16;
        case TFLM_INT32:
            return T_I32;
        case TFLM_INT64:
            return T_I64;
        default:
            return -1;
    }
}

// ---------------------------------------------------------------------------
// Prepare.

static void act_range_i32(int act, int32_t *lo, int32_t *hi) {
    *lo = INT32_MIN;
    *hi = INT32_MAX;
    if (act == TFLM_ACT_RELU) {
        *lo = 0;
    } else if (act == TFLM_ACT_RELU6) {
        *lo = 0;
        *hi = 6;
    } else if (act == TFLM_ACT_RELU_N1_TO_1) {
        *lo = -1;
        *hi = 1;
    }
}

TFLM_MESSAGE_HELPER static inline const char *act_name(int act) {
    return act == TFLM_ACT_TANH ? "TANH" : "SIGN_BIT";
}

// ADD / SUB / SQUARED_DIFFERENCE parameters (TFLM's general quantized path).
static tflm_status_t prepare_rescaled(tflm_interp_t *ip, const tflm_node_t *node, ew_op_t op, ew_data_t *d,
    const tflm_tensor_t *in1, const tflm_tensor_t *in2, const tflm_tensor_t *out) {
    tflm_status_t s;
    double r1, r2, ro;
    const bool is16 = out->type == TFLM_INT16;
    if (op == EW_SQDIFF) {
        d->left_shift = is16 ? 0 : 7;
        double twice = 2 * (double)(in1->scale > in2->scale ? in1->scale : in2->scale);
        r1 = (double)in1->scale / twice;
        r2 = (double)in2->scale / twice;
        ro = (twice * twice) / (double)((float)(1 << (2 * d->left_shift)) * out->scale);
    } else {
        // ADD and SUB alike (the oracle computes SUB's factors in double too).
        d->left_shift = is16 ? 15 : 20;
        double twice = 2 * (double)(in1->scale > in2->scale ? in1->scale : in2->scale);
        r1 = (double)in1->scale / twice;
        r2 = (double)in2->scale / twice;
        ro = twice / ((double)(1 << d->left_shift) * (double)out->scale);
    }
    if ((s = tflm_multiplier_below_one(ip, node, r1, &d->in1_mult, &d->in1_shift, "input 1")) != TFLM_OK
        || (s = tflm_multiplier_below_one(ip, node, r2, &d->in2_mult, &d->in2_shift, "input 2")) != TFLM_OK) {
        return s;
    }
    if (op == EW_SQDIFF) {
        int sh;
        tflm_quantize_multiplier(ro, &d->out_mult, &sh);
        d->out_shift = sh;
    } else if ((s = tflm_multiplier_below_one(ip, node, ro, &d->out_mult, &d->out_shift, "output")) != TFLM_OK) {
        return s;
    }
    return TFLM_OK;
}

// Builtin code of each op.
static const uint16_t EW_BUILTIN[] = {
    [EW_ADD] = TFLM_OP_ADD, [EW_SUB] = TFLM_OP_SUB, [EW_MUL] = TFLM_OP_MUL, [EW_DIV] = TFLM_OP_DIV,
    [EW_SQDIFF] = TFLM_OP_SQUARED_DIFFERENCE, [EW_MAX] = TFLM_OP_MAXIMUM, [EW_MIN] = TFLM_OP_MINIMUM,
};

// Both inputs and the output of one type (ValueError otherwise).
static tflm_status_t ew_check_types(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *in1,
    const tflm_tensor_t *in2, const tflm_tensor_t *out) {
    tflm_status_t s = tflm_bcast_check_types(ip, node, in1, in2);
    if (s == TFLM_OK && out->type != in1->type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output is %s, inputs are %s",
            tflm_type_name(out->type), tflm_type_name(in1->type));
    }
    return s;
}

static tflm_status_t ew_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    // The node is one of this file's kernels, so the search ends.
    ew_op_t op = EW_ADD;
    while (EW_BUILTIN[op] != node->builtin) {
        op++;
    }
    ew_data_t *d = node->op_data;
    const tflm_tensor_t *in1 = tflm_node_input(ip, node, 0), *in2 = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if ((s = ew_check_types(ip, node, in1, in2, out)) != TFLM_OK) {
        return s;
    }
    int slot = type_slot(in1->type);
    d->row = slot < 0 ? NULL : ROWS[op][slot];
    if (d->row == NULL) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "type %s", tflm_type_name(in1->type));
    }
    d->esz = (int32_t)tflm_type_size(in1->type);
    if ((s = tflm_bcast_prepare(ip, node, in1, in2, out, &d->bc)) != TFLM_OK) {
        return s;
    }
    int act = TFLM_ACT_NONE;
    if (op == EW_ADD || op == EW_SUB || op == EW_MUL || op == EW_DIV) {
        act = tflm_opt_i8(node, OPT_ACTIVATION, 0);
        if (act < 0 || act > TFLM_ACT_SIGN_BIT) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "fused activation %d out of range", act);
        }
        if (act == TFLM_ACT_TANH || act == TFLM_ACT_SIGN_BIT) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "fused activation %s", act_name(act));
        }
    }
    if (op == EW_MAX || op == EW_MIN) {
        return TFLM_OK; // raw comparisons, whatever the quantization
    }
    switch (in1->type) {
        case TFLM_FLOAT32:
            tflm_activation_range_float(act, &d->f_min, &d->f_max);
            return TFLM_OK;
        case TFLM_INT32:
            if (op != EW_MUL && op != EW_SQDIFF
                && ((in1->flags | in2->flags | out->flags) & TFLM_T_QUANT)) {
                return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "quantized int32");
            }
            act_range_i32(op == EW_ADD ? TFLM_ACT_NONE : act, &d->act_min, &d->act_max);
            if (op == EW_DIV) {
                d->div_count = tflm_elem_count(in2);
            }
            return TFLM_OK;
        default:
            break;
    }
    // int8 / int16
    if ((s = tflm_check_quantized(ip, node, in1, "input 1")) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, in2, "input 2")) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, out, "output")) != TFLM_OK
        || (s = tflm_check_zero_point(ip, node, in1, "input 1")) != TFLM_OK
        || (s = tflm_check_zero_point(ip, node, in2, "input 2")) != TFLM_OK
        || (s = tflm_check_zero_point(ip, node, out, "output")) != TFLM_OK) {
        return s;
    }
    if (in1->type == TFLM_INT16 && (op == EW_MUL || op == EW_SQDIFF)
        && (in1->zero_point != 0 || in2->zero_point != 0 || out->zero_point != 0)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "int16 zero points must be 0");
    }
    d->in1_offset = -in1->zero_point;
    d->in2_offset = -in2->zero_point;
    d->out_offset = out->zero_point;
    if (op == EW_SQDIFF) {
        // No fused activation: clamp to the type's range.
        tflm_type_range(in1->type, &d->act_min, &d->act_max);
    } else {
        s = tflm_activation_range_quant(act, out, &d->act_min, &d->act_max);
        if (s != TFLM_OK) {
            return tflm_op_fail(ip, node, s, "fused activation %d has no quantized form", act);
        }
    }
    if (op == EW_MUL) {
        double real = (double)in1->scale * (double)in2->scale / (double)out->scale;
        int sh;
        tflm_quantize_multiplier(real, &d->out_mult, &sh);
        d->out_shift = sh;
        return TFLM_OK;
    }
    return prepare_rescaled(ip, node, op, d, in1, in2, out);
}

// ---------------------------------------------------------------------------
// Eval.

static tflm_status_t ew_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const ew_data_t *d = node->op_data;
    const tflm_tensor_t *in1 = tflm_node_input(ip, node, 0), *in2 = tflm_node_input(ip, node, 1);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if (d->div_count) {
        const int32_t *y = (const int32_t *)in2->data;
        for (int32_t i = 0; i < d->div_count; i++) {
            if (y[i] == 0) {
                return tflm_op_fail(ip, node, TFLM_ERR_VALUE, "integer division by zero");
            }
        }
    }
    tflm_bcast_run(&d->bc, d, in1->data, in2->data, out->data, (size_t)d->esz, (size_t)d->esz, d->row);
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// FLOOR_DIV and FLOOR_MOD: float32 only, no parameters, so no op data (eval
// plans the broadcast on the stack).

TFLM_BCAST_ROW(floor_div_f32r, float, float, void, floor_div_f32(x, y))
TFLM_BCAST_ROW(floor_mod_f32r, float, float, void, floor_mod_f32(x, y))

static tflm_status_t floor_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    const tflm_tensor_t *in1 = tflm_node_input(ip, node, 0), *in2 = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if ((s = ew_check_types(ip, node, in1, in2, out)) != TFLM_OK) {
        return s;
    }
    if (in1->type != TFLM_FLOAT32) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "type %s", tflm_type_name(in1->type));
    }
    tflm_bcast_t bc;
    return tflm_bcast_prepare(ip, node, in1, in2, out, &bc);
}

// FLOOR_DIV: TFLM checks every divisor before dividing and fails the invoke
// on a zero (+0.0 or -0.0).
static tflm_status_t floor_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const tflm_tensor_t *in1 = tflm_node_input(ip, node, 0), *in2 = tflm_node_input(ip, node, 1);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    const bool div = node->builtin == TFLM_OP_FLOOR_DIV;
    if (div) {
        const float *y = (const float *)in2->data;
        for (int32_t i = 0, n = tflm_elem_count(in2); i < n; i++) {
            if (y[i] == 0.0f) {
                return tflm_op_fail(ip, node, TFLM_ERR_VALUE, "division by zero");
            }
        }
    }
    tflm_bcast_eval(in1, in2, out, NULL, sizeof(float), sizeof(float), div ? floor_div_f32r : floor_mod_f32r);
    return TFLM_OK;
}

// ---------------------------------------------------------------------------
// ADD_N: the sum of two or more inputs of one shape. int8 follows TFLM's
// reference: every input (all quantized alike) is rescaled to half its scale
// after a left shift of 20 and the sum starts from the rescaled input offset
// (TFLM's accumulator starts at -zero point, not 0), then one rescale to the
// output.

enum { ADDN_LEFT_SHIFT = 20 };

typedef struct {
    int32_t count;  // elements of each input and of the output
    int32_t offset; // -zero point of the inputs
    int32_t in_mult;
    int32_t in_shift;
    int32_t out_mult;
    int32_t out_shift;
    int32_t out_offset;
    int32_t act_min;
    int32_t act_max;
} addn_data_t;

static tflm_status_t add_n_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    addn_data_t *d = node->op_data;
    const tflm_tensor_t *first = tflm_node_input(ip, node, 0), *out = tflm_node_output(ip, node, 0);
    if ((s = tflm_check_same_type(ip, node, first, out)) != TFLM_OK) {
        return s;
    }
    if (!tflm_same_shape(first, out)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape differs from the inputs'");
    }
    for (int i = 1; i < node->n_inputs; i++) {
        const tflm_tensor_t *in = tflm_node_input(ip, node, i);
        if (in == NULL) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input %d is missing", i);
        }
        if (in->type != first->type) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input %d is %s, input 0 is %s", i,
                tflm_type_name(in->type), tflm_type_name(first->type));
        }
        if (!tflm_same_shape(in, first)) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input %d shape differs from input 0's", i);
        }
        if (first->type == TFLM_INT8 && (in->scale != first->scale || in->zero_point != first->zero_point)) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input %d quantized unlike input 0", i);
        }
    }
    d->count = tflm_elem_count(out);
    // The inputs' data pointers, gathered once per invoke.
    node->scratch_size = (uint32_t)node->n_inputs * (uint32_t)sizeof(void *);
    if (first->type == TFLM_FLOAT32) {
        return TFLM_OK;
    }
    if (first->type != TFLM_INT8) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "type %s", tflm_type_name(first->type));
    }
    if ((s = tflm_check_quantized(ip, node, first, "input 0")) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, out, "output")) != TFLM_OK
        || (s = tflm_check_zero_point(ip, node, first, "input 0")) != TFLM_OK
        || (s = tflm_check_zero_point(ip, node, out, "output")) != TFLM_OK) {
        return s;
    }
    d->offset = -first->zero_point;
    d->out_offset = out->zero_point;
    tflm_type_range(TFLM_INT8, &d->act_min, &d->act_max);
    double twice = 2 * (double)first->scale;
    double r_in = (double)first->scale / twice;
    double r_out = twice / ((double)(1 << ADDN_LEFT_SHIFT) * (double)out->scale);
    if ((s = tflm_multiplier_below_one(ip, node, r_in, &d->in_mult, &d->in_shift, "input")) != TFLM_OK
        || (s = tflm_multiplier_below_one(ip, node, r_out, &d->out_mult, &d->out_shift, "output")) != TFLM_OK) {
        return s;
    }
    return TFLM_OK;
}

static tflm_status_t add_n_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const addn_data_t *d = node->op_data;
    const int n_in = node->n_inputs;
    const void **ins = (const void **)(void *)node->scratch;
    for (int j = 0; j < n_in; j++) {
        ins[j] = tflm_node_input(ip, node, j)->data;
    }
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if (out->type == TFLM_FLOAT32) {
        float *o = (float *)out->data;
        for (int32_t i = 0; i < d->count; i++) {
            // From 0.0f and in input order, as TFLM sums.
            float acc = 0.0f;
            for (int j = 0; j < n_in; j++) {
                acc += ((const float *)ins[j])[i];
            }
            o[i] = acc;
        }
        return TFLM_OK;
    }
    int8_t *o = (int8_t *)out->data;
    const int32_t start = scale_in(0, d->offset, ADDN_LEFT_SHIFT, d->in_mult, d->in_shift);
    for (int32_t i = 0; i < d->count; i++) {
        int32_t acc = start;
        for (int j = 0; j < n_in; j++) {
            acc = wadd(acc, scale_in(((const int8_t *)ins[j])[i], d->offset, ADDN_LEFT_SHIFT, d->in_mult,
                d->in_shift));
        }
        int32_t v = wadd(tflm_mul_by_quant_mul(acc, d->out_mult, (int)d->out_shift), d->out_offset);
        o[i] = (int8_t)tflm_clamp_i32(v, d->act_min, d->act_max);
    }
    return TFLM_OK;
}

TFLM_KERNEL(add, ADD, 3, AddOptions, 2, 2, 1, sizeof(ew_data_t), ew_prepare, ew_eval);
TFLM_KERNEL(sub, SUB, 5, SubOptions, 2, 2, 1, sizeof(ew_data_t), ew_prepare, ew_eval);
TFLM_KERNEL(mul, MUL, 4, MulOptions, 2, 2, 1, sizeof(ew_data_t), ew_prepare, ew_eval);
TFLM_KERNEL(div, DIV, 2, DivOptions, 2, 2, 1, sizeof(ew_data_t), ew_prepare, ew_eval);
TFLM_KERNEL(squared_difference, SQUARED_DIFFERENCE, 2, SquaredDifferenceOptions, 2, 2, 1,
    sizeof(ew_data_t), ew_prepare, ew_eval);
TFLM_KERNEL(maximum, MAXIMUM, 4, MaximumMinimumOptions, 2, 2, 1, sizeof(ew_data_t), ew_prepare, ew_eval);
TFLM_KERNEL(minimum, MINIMUM, 4, MaximumMinimumOptions, 2, 2, 1, sizeof(ew_data_t), ew_prepare, ew_eval);
// FLOOR_DIV version 2 is float32 (version 1 int32, which TFLM does not run).
TFLM_KERNEL(floor_div, FLOOR_DIV, 2, FloorDivOptions, 2, 2, 1, 0, floor_prepare, floor_eval);
TFLM_KERNEL(floor_mod, FLOOR_MOD, 1, FloorModOptions, 2, 2, 1, 0, floor_prepare, floor_eval);
TFLM_KERNEL(add_n, ADD_N, 1, AddNOptions, 2, TFLM_IO_ANY, 1, sizeof(addn_data_t), add_n_prepare, add_n_eval);

#endif // MICROPY_TFLM_OP_ELEMENTWISE
