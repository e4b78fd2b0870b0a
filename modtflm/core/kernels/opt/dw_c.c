// Optimized int8 DEPTHWISE_CONV_2D, portable C (see dw_opt.c): 4 (or 8)
// scalar accumulators per pass, one multiply-accumulate per tap and channel.
#include "dw_opt.h"
#if MICROPY_TFLM_OP_CONV && MICROPY_TFLM_OPT_KERNELS && TFLM_CPU_C

static TFLM_ALWAYS_INLINE void dw_taps4(uint32_t *acc, const int8_t *px, const int8_t *pw, int32_t ny, int32_t nx,
    int32_t x_step, int32_t w_step, int32_t x_row, int32_t w_row, int32_t off, bool border, bool bc) {
    uint32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    x_row += nx * x_step;
    w_row += nx * w_step;
    do {
        const int8_t *p = px, *q = pw, *end = px + nx * x_step;
        do {
            int32_t x0, x1, x2, x3;
            if (bc) {
                x0 = x1 = x2 = x3 = p[0] + (border ? off : 0);
            } else {
                x0 = p[0] + (border ? off : 0);
                x1 = p[1] + (border ? off : 0);
                x2 = p[2] + (border ? off : 0);
                x3 = p[3] + (border ? off : 0);
            }
            a0 += (uint32_t)(q[0] * x0);
            a1 += (uint32_t)(q[1] * x1);
            a2 += (uint32_t)(q[2] * x2);
            a3 += (uint32_t)(q[3] * x3);
            p += x_step;
            q += w_step;
        } while (p != end);
        px += x_row;
        pw += w_row;
    } while (--ny > 0);
    acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
}

static TFLM_ALWAYS_INLINE void dw_taps8(uint32_t *acc, const int8_t *px, const int8_t *pw, int32_t ny, int32_t nx,
    int32_t x_row, int32_t w_row, int32_t off, bool border) {
    uint32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], a4 = acc[4], a5 = acc[5], a6 = acc[6], a7 = acc[7];
    const int8_t *pr = px, *q = pw;
    int32_t y = ny;
    do {
        const int8_t *p = pr, *end = pr + nx;
        do {
            int32_t xv = *p++;
            if (border) {
                xv += off;
            }
            a0 += (uint32_t)(q[0] * xv);
            a1 += (uint32_t)(q[1] * xv);
            a2 += (uint32_t)(q[2] * xv);
            a3 += (uint32_t)(q[3] * xv);
            a4 += (uint32_t)(q[4] * xv);
            a5 += (uint32_t)(q[5] * xv);
            a6 += (uint32_t)(q[6] * xv);
            a7 += (uint32_t)(q[7] * xv);
            q += 8;
        } while (p != end);
        pr += x_row;
        q += w_row;
    } while (--y > 0);
    acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3, acc[4] = a4, acc[5] = a5, acc[6] = a6, acc[7] = a7;
}

// No shortcut: every channel takes rq_apply.
static TFLM_ALWAYS_INLINE void dw_rq(const dw_pass_t *ps, const uint32_t *acc, int8_t *o, int n) {
    dw_rq_exact(ps, acc, o, n);
}

static TFLM_ALWAYS_INLINE void dw_rq_setup(dw_pass_t *ps, int32_t n) {
    (void)ps;
    (void)n;
}

static void __attribute__((noinline)) dw_seg(const dw_pass_t *ps, const int8_t *px, const int8_t *pw, int8_t *o,
    int32_t n, int32_t ny, int32_t nx, bool border) {
    dw_seg4_body(ps, px, pw, o, n, ny, nx, border, dw_taps4, dw_rq);
}

static void __attribute__((noinline)) dw_seg8(const dw_pass_t *ps, const int8_t *px, const int8_t *pw, int8_t *o,
    int32_t n, int32_t ny, int32_t nx, bool border) {
    dw_seg8_body(ps, px, pw, o, n, ny, nx, border, dw_taps8, dw_rq);
}

static void dw_pass(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias, int8_t *out, int32_t ic, int32_t oc0, int32_t n, bool bc) {
    dw_pass_body(d, g, in, w, bias, out, ic, oc0, n, bc, dw_seg, dw_seg8, dw_rq_setup);
}

static TFLM_ALWAYS_INLINE void dw_pass_ch(const conv_data_t *d, const conv_geom_t *g, const int8_t *in,
    const int8_t *w, const int32_t *bias, int8_t *out, int32_t c, int32_t n) {
    dw_pass(d, g, in, w, bias, out, c, c, n, false);
}

static TFLM_ALWAYS_INLINE void dw_pass_bc(const conv_data_t *d, const conv_geom_t *g, const int8_t *in,
    const int8_t *w, const int32_t *bias, int8_t *out, int32_t ic, int32_t oc0, int32_t n) {
    dw_pass(d, g, in, w, bias, out, ic, oc0, n, true);
}

void tflm_dw_opt_eval(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias, int8_t *out, uint8_t *scratch) {
    (void)scratch;
    dw_eval_passes(d, g, in, w, bias, out, true, dw_pass_ch, dw_pass_bc);
}

#endif
