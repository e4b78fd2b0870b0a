// Optimized int8 DEPTHWISE_CONV_2D, Armv7E-M DSP (see dw_opt.c): 4 (or 8)
// scalar accumulators per pass, weights and inputs as halfword pairs
// (SXTB16), halfword multiply-accumulates, a short requantization (SMMLAR).
#include "dw_opt.h"
#if MICROPY_TFLM_OP_CONV && MICROPY_TFLM_OPT_KERNELS && TFLM_CPU_DSP
#include "dsp.h"

static TFLM_ALWAYS_INLINE uint32_t ld32(const int8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

// rq_out under the `fast` conditions (no left shift, right shift rs in
// 1..20, mult >= 2^30); hb = half + out_off * 2^rs.
// * hm = (2 acc * mult + 2^31) >> 32 is the doubling high multiply while
//   2 acc fits 32 bits; when QADD saturates (|acc| >= 2^30) both it and
//   the exact value exceed 2^29, so after a right shift of at most 20 both
//   saturate to the same int8 limit.
// * The reference adds half - (hm < 0) before the shift; acc's sign bit is
//   used instead: acc >= 0 gives hm >= 0, acc < 0 gives hm <= 0, and when
//   hm == 0 both (half - 1) >> rs and half >> rs are 0 (half < 2^rs).
// * Adding out_off * 2^rs before the arithmetic shift adds exactly out_off
//   after it. No overflow: |hm| <= 2^30, half <= 2^19, |out_off * 2^rs| <= 2^27.
// * SSAT to int8 then the [act_min, act_max] clamp equals the clamp alone,
//   as -128 <= act_min and act_max <= 127.
static TFLM_ALWAYS_INLINE int8_t rq_out_fast(uint32_t acc, int32_t mult, int32_t hb, int32_t rs, int32_t act_min,
    int32_t act_max, bool full) {
    int32_t t = hb + ((int32_t)acc >> 31);
    int32_t v = dsp_smmlar(dsp_qadd((int32_t)acc, (int32_t)acc), mult, t) >> rs;
    v = dsp_ssat8(v);
    if (!full) {
        v = opt_clamp_i32(v, act_min, act_max);
    }
    return (int8_t)v;
}

// Weights (and inputs) as halfword pairs: bytes 0, 2 and 1, 3 (SXTB16),
// one halfword multiply-accumulate per channel.
static TFLM_ALWAYS_INLINE void dw_mac4(uint32_t *a, const int8_t *p, const int8_t *q, int32_t off, bool border,
    bool bc) {
    uint32_t wv = ld32(q);
    uint32_t w02 = dsp_sxtb16(wv), w13 = dsp_sxtb16_r8(wv);
    if (bc) {
        // x in the bottom half (x + off fits 16 bits).
        int32_t xv = *p;
        if (border) {
            xv += off;
        }
        a[0] = dsp_smlabb(w02, xv, a[0]);
        a[1] = dsp_smlabb(w13, xv, a[1]);
        a[2] = dsp_smlatb(w02, xv, a[2]);
        a[3] = dsp_smlatb(w13, xv, a[3]);
    } else {
        uint32_t xv = ld32(p);
        uint32_t x02 = dsp_sxtb16(xv), x13 = dsp_sxtb16_r8(xv);
        if (border) {
            // The offset in both halves.
            const uint32_t offp = ((uint32_t)off & 0xffff) | ((uint32_t)off << 16);
            x02 = dsp_sadd16(x02, offp);
            x13 = dsp_sadd16(x13, offp);
        }
        a[0] = dsp_smlabb(w02, (int32_t)x02, a[0]);
        a[1] = dsp_smlabb(w13, (int32_t)x13, a[1]);
        a[2] = dsp_smlatt(w02, x02, a[2]);
        a[3] = dsp_smlatt(w13, x13, a[3]);
    }
}

static TFLM_ALWAYS_INLINE void dw_mac8(uint32_t *a, int32_t xv, const int8_t *q) {
    uint32_t wv = ld32(q), wu = ld32(q + 4);
    uint32_t w02 = dsp_sxtb16(wv), w13 = dsp_sxtb16_r8(wv);
    a[0] = dsp_smlabb(w02, xv, a[0]);
    a[1] = dsp_smlabb(w13, xv, a[1]);
    a[2] = dsp_smlatb(w02, xv, a[2]);
    a[3] = dsp_smlatb(w13, xv, a[3]);
    w02 = dsp_sxtb16(wu), w13 = dsp_sxtb16_r8(wu);
    a[4] = dsp_smlabb(w02, xv, a[4]);
    a[5] = dsp_smlabb(w13, xv, a[5]);
    a[6] = dsp_smlatb(w02, xv, a[6]);
    a[7] = dsp_smlatb(w13, xv, a[7]);
}

static TFLM_ALWAYS_INLINE void dw_rq(const dw_pass_t *ps, const uint32_t *acc, int8_t *o, int n) {
    if (ps->mode != DW_RQ_EXACT) {
        const bool full = ps->mode == DW_RQ_FULL;
        const int32_t act_min = ps->act_min, act_max = ps->act_max;
        #pragma GCC unroll 8
        for (int k = 0; k < n; k++) {
            o[k] = rq_out_fast(acc[k], ps->rq[k].mult, ps->hb[k], ps->rq[k].rs, act_min, act_max, full);
        }
        return;
    }
    dw_rq_exact(ps, acc, o, n);
}

// The short requantization: no left shift, a right shift of 1..20 and a
// multiplier of at least 2^30; DW_RQ_FULL: the clamp is the int8 range.
static TFLM_ALWAYS_INLINE void dw_rq_setup(dw_pass_t *ps, int32_t n) {
    bool fast = true;
    for (int k = 0; k < n; k++) {
        fast &= ps->rq[k].ls == 0 && ps->rq[k].rs >= 1 && ps->rq[k].rs <= 20 && ps->rq[k].mult >= (1 << 30);
        // Only channels on the short path read hb: there |out_off << rs| <=
        // 2^27, no overflow (see rq_out_fast). For the others (right shifts
        // up to 31) the product may wrap: unsigned, so it is defined.
        ps->hb[k] = (int32_t)((uint32_t)ps->rq[k].half + (uint32_t)ps->out_off * ((uint32_t)1 << ps->rq[k].rs));
    }
    ps->act_min = ps->q_min_raw + ps->out_off;
    ps->act_max = ps->q_max_raw + ps->out_off;
    ps->mode = !fast ? DW_RQ_EXACT : ps->act_min == -128 && ps->act_max == 127 ? DW_RQ_FULL : DW_RQ_FAST;
}

#include "dw_scalar.h"

#endif
