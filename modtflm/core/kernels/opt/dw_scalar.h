// Optimized int8 DEPTHWISE_CONV_2D: the passes of dw_c.c and dw_dsp.c (see
// dw_opt.c), 4 (or 8) output channels per pass in scalar accumulators. Each
// output row is cut into runs of pixels with the same taps (the interior
// run, single border pixels), one call each.
//
// Included at the end of those files (no include guard: once per file),
// which first define these, inlined here:
//
// One tap of 4 channels: a[k] += q[k] * x_k, x_k = p[k] (bc: p[0] for
// every k), plus `off` when `border`:
//   void dw_mac4(uint32_t *a, const int8_t *p, const int8_t *q, int32_t off, bool border, bool bc);
// One tap of 8 channels of one input value xv: a[k] += q[k] * xv:
//   void dw_mac8(uint32_t *a, int32_t xv, const int8_t *q);
// Requantizes lanes 0 .. n - 1 of acc into o.
//   void dw_rq(const dw_pass_t *ps, const uint32_t *acc, int8_t *o, int n);
// Fills the requantization shortcut of a pass (ps->rq set):
//   void dw_rq_setup(dw_pass_t *ps, int32_t n);

// The taps of one pixel: ny rows of nx taps, px / pw at the first tap.
// x_step / w_step: bytes between taps along a row (input / weights);
// x_row / w_row: from the end of a row to the start of the next. The
// accumulators are copied to locals (registers) for the loops.
static TFLM_ALWAYS_INLINE void dw_taps4(uint32_t *acc, const int8_t *px, const int8_t *pw, int32_t ny, int32_t nx,
    int32_t x_step, int32_t w_step, int32_t x_row, int32_t w_row, int32_t off, bool border, bool bc) {
    uint32_t a[4] = { acc[0], acc[1], acc[2], acc[3] };
    x_row += nx * x_step;
    w_row += nx * w_step;
    do {
        const int8_t *p = px, *q = pw, *end = px + nx * x_step;
        do {
            dw_mac4(a, p, q, off, border, bc);
            p += x_step;
            q += w_step;
        } while (p != end);
        px += x_row;
        pw += w_row;
    } while (--ny > 0);
    acc[0] = a[0], acc[1] = a[1], acc[2] = a[2], acc[3] = a[3];
}

// The same for 8 output channels of a one-channel input (depth multiplier
// 8): the taps' input values are consecutive bytes and their 8 weights
// consecutive words, one input load per tap.
static TFLM_ALWAYS_INLINE void dw_taps8(uint32_t *acc, const int8_t *px, const int8_t *pw, int32_t ny, int32_t nx,
    int32_t x_row, int32_t w_row, int32_t off, bool border) {
    uint32_t a[8];
    memcpy(a, acc, sizeof(a));
    const int8_t *pr = px, *q = pw;
    int32_t y = ny;
    do {
        const int8_t *p = pr, *end = pr + nx;
        do {
            int32_t xv = *p++;
            if (border) {
                xv += off;
            }
            dw_mac8(a, xv, q);
            q += 8;
        } while (p != end);
        pr += x_row;
        q += w_row;
    } while (--y > 0);
    memcpy(acc, a, sizeof(a));
}

// `n` pixels in a row that have the same taps (ny rows of nx), the first
// one's first tap at px / pw; `border`: taps outside the input were left
// out, the offset is added per tap. Requantized into o. Out of line: one
// copy of the tap loops per form.
static void __attribute__((noinline)) dw_seg(const dw_pass_t *ps, const int8_t *px, const int8_t *pw, int8_t *o,
    int32_t n, int32_t ny, int32_t nx, bool border) {
    const int32_t x_row = ps->s.x_rowlen - nx * ps->s.x_step, w_row = ps->s.w_rowlen - nx * ps->s.w_step;
    const uint32_t *b = border ? ps->b_bord : ps->b_int;
    do {
        uint32_t acc[4] = { b[0], b[1], b[2], b[3] };
        if (ps->bc) {
            if (border) {
                dw_taps4(acc, px, pw, ny, nx, ps->s.x_step, ps->s.w_step, x_row, w_row, ps->s.off, true, true);
            } else {
                dw_taps4(acc, px, pw, ny, nx, ps->s.x_step, ps->s.w_step, x_row, w_row, 0, false, true);
            }
        } else {
            if (border) {
                dw_taps4(acc, px, pw, ny, nx, ps->s.x_step, ps->s.w_step, x_row, w_row, ps->s.off, true, false);
            } else {
                dw_taps4(acc, px, pw, ny, nx, ps->s.x_step, ps->s.w_step, x_row, w_row, 0, false, false);
            }
        }
        dw_rq(ps, acc, o, 4);
        o += ps->s.o_step;
        px += ps->s.sx;
    } while (--n > 0);
}

// dw_seg for 8 output channels of a one-channel input.
static void __attribute__((noinline)) dw_seg8(const dw_pass_t *ps, const int8_t *px, const int8_t *pw, int8_t *o,
    int32_t n, int32_t ny, int32_t nx, bool border) {
    const int32_t x_row = ps->s.x_rowlen, w_row = ps->s.w_rowlen - nx * 8;
    const uint32_t *b = border ? ps->b_bord : ps->b_int;
    do {
        uint32_t acc[8];
        memcpy(acc, b, sizeof(acc));
        if (border) {
            dw_taps8(acc, px, pw, ny, nx, x_row, w_row, ps->s.off, true);
        } else {
            dw_taps8(acc, px, pw, ny, nx, x_row, w_row, 0, false);
        }
        dw_rq(ps, acc, o, 8);
        o += 8;
        px += ps->s.sx;
    } while (--n > 0);
}


// One pass: output channels oc0 .. oc0 + n - 1 (n: 4, or 8 for dw_seg8) of
// every pixel, reading input channel `ic` (bc) or channels ic .. ic + 3.
static void dw_pass(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias, int8_t *out, int32_t ic, int32_t oc0, int32_t n, bool bc) {
    void (*seg)(const dw_pass_t *, const int8_t *, const int8_t *, int8_t *, int32_t, int32_t, int32_t, bool) =
        n == 8 ? dw_seg8 : dw_seg;
    const int32_t H = g->in_h, W = g->in_w, C = g->in_c, FH = g->f_h, FW = g->f_w, OC = g->out_c;
    const int32_t SW = g->stride_w, PW = g->pad_w;
    dw_pass_t ps;
    dw_steps_init(&ps.s, d, g);
    ps.q_min_raw = d->q_min_raw;
    ps.q_max_raw = d->q_max_raw;
    ps.out_off = d->out_offset;
    ps.bc = bc;
    for (int32_t k = 0; k < n; k++) {
        int32_t oc = oc0 + k;
        chan_rq_init(&ps.rq[k], d->mult[oc], conv_shifts(d, g)[oc]);
        dw_chan_bias(w + oc, FH * FW, OC, bias, oc, ps.s.off, &ps.b_bord[k], &ps.b_int[k]);
    }
    dw_rq_setup(&ps, n);
    int32_t ox_a, ox_b;
    dw_inside_cols(g, &ox_a, &ox_b);
    int8_t *o = out + oc0;
    for (int32_t b = 0; b < g->batches; b++) {
        const int8_t *in_b = in + (size_t)b * H * W * C + ic;
        for (int32_t oy = 0; oy < g->out_h; oy++) {
            const dw_rows_t row = dw_rows(oy * g->stride_h - g->pad_h, H, FH, in_b, W, C, w + oc0, FW, OC);
            for (int32_t ox = 0; ox < g->out_w; ox++) {
                if (ox == ox_a && ox_b > ox_a) {
                    // The run of pixels with every column inside.
                    int32_t m = ox_b - ox_a;
                    if (row.n > 0) {
                        seg(&ps, row.in + (ox * SW - PW) * C, row.w, o, m, row.n, FW, row.n != FH);
                    } else {
                        for (int32_t i = 0; i < m; i++) {
                            dw_rq_exact(&ps, ps.b_bord, o + (size_t)i * OC, n);
                        }
                    }
                    o += (size_t)m * OC;
                    ox = ox_b - 1;
                    continue;
                }
                const int32_t ix0 = ox * SW - PW;
                int32_t fx0;
                const int32_t nx = dw_taps_inside(ix0, W, FW, &fx0);
                if (row.n > 0 && nx > 0) {
                    seg(&ps, row.in + (ix0 + fx0) * C, row.w + fx0 * OC, o, 1, row.n, nx, true);
                } else {
                    dw_rq_exact(&ps, ps.b_bord, o, n);
                }
                o += OC;
            }
        }
    }
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
