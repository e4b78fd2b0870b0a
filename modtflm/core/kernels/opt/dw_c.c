// Optimized int8 DEPTHWISE_CONV_2D, portable C (see dw_opt.c), also the
// RISC-V one: 4 (or 8) scalar accumulators per pass, one multiply-accumulate
// per tap and channel.
#include "dw_opt.h"
#if MICROPY_TFLM_OP_CONV && MICROPY_TFLM_OPT_KERNELS && (TFLM_CPU_C || TFLM_CPU_RV)

static TFLM_ALWAYS_INLINE void dw_mac4(uint32_t *a, const int8_t *p, const int8_t *q, int32_t off, bool border,
    bool bc) {
    int32_t x0, x1, x2, x3;
    if (bc) {
        x0 = x1 = x2 = x3 = p[0] + (border ? off : 0);
    } else {
        x0 = p[0] + (border ? off : 0);
        x1 = p[1] + (border ? off : 0);
        x2 = p[2] + (border ? off : 0);
        x3 = p[3] + (border ? off : 0);
    }
    a[0] += (uint32_t)(q[0] * x0);
    a[1] += (uint32_t)(q[1] * x1);
    a[2] += (uint32_t)(q[2] * x2);
    a[3] += (uint32_t)(q[3] * x3);
}

static TFLM_ALWAYS_INLINE void dw_mac8(uint32_t *a, int32_t xv, const int8_t *q) {
    a[0] += (uint32_t)(q[0] * xv);
    a[1] += (uint32_t)(q[1] * xv);
    a[2] += (uint32_t)(q[2] * xv);
    a[3] += (uint32_t)(q[3] * xv);
    a[4] += (uint32_t)(q[4] * xv);
    a[5] += (uint32_t)(q[5] * xv);
    a[6] += (uint32_t)(q[6] * xv);
    a[7] += (uint32_t)(q[7] * xv);
}

// When every channel of the pass takes opt_requant_r2 (DW_RQ_FAST), that;
// otherwise rq_apply.
static TFLM_ALWAYS_INLINE void dw_rq(const dw_pass_t *ps, const uint32_t *acc, int8_t *o, int n) {
    if (ps->mode == DW_RQ_EXACT) {
        dw_rq_exact(ps, acc, o, n);
        return;
    }
    const int32_t act_min = ps->act_min, act_max = ps->act_max;
    const opt_r2_consts_t k = opt_r2_consts();
    #pragma GCC unroll 8
    for (int i = 0; i < n; i++) {
        const int32_t v = opt_requant_r2k(acc[i], ps->rq[i].mult, (uint32_t)ps->hb[i], ps->rq[i].rs - 1, k.k31, k.k30);
        o[i] = (int8_t)opt_clamp_i32(v, act_min, act_max);
    }
}

// The shortcut's conditions and constants: hb[k] holds opt_requant_r2's khi.
static TFLM_ALWAYS_INLINE void dw_rq_setup(dw_pass_t *ps, int32_t n) {
    bool fast = true;
    for (int k = 0; k < n; k++) {
        const int32_t shift = ps->rq[k].ls - ps->rq[k].rs;
        fast = fast && opt_r2_ok(ps->rq[k].mult, shift);
        ps->hb[k] = (int32_t)opt_r2_khi(shift, ps->out_off);
    }
    ps->act_min = ps->q_min_raw + ps->out_off;
    ps->act_max = ps->q_max_raw + ps->out_off;
    ps->mode = fast ? DW_RQ_FAST : DW_RQ_EXACT;
}

#include "dw_scalar.h"

#endif
