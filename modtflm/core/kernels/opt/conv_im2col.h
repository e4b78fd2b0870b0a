// Optimized int8 CONV_2D: the im2col of every CPU variant (see
// conv_opt.c). Included by conv_c.c, conv_dsp.c and conv_mve.c (no include
// guard: once per file) after they define, for their scratch layout:
//
//   // Writes `n` values of a pixel's im2col row from value k on into
//   // `slot`: src[i] (+ in_offset where the layout holds offset values),
//   // or padding when src is NULL.
//   void put_span(void *slot, int32_t k, const int8_t *src, int32_t n, int32_t off);
//   // A CPU's own im2col for some shapes: true when it wrote the row.
//   bool im2col_special(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const pix_t *p, void *buf);

// The im2col row of pixel `p` into `buf` (its slot of the pair buffer),
// padded up to a multiple of 4 values.
static void im2col(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const pix_t *p, void *buf) {
    const int32_t C = g->in_c, W = g->in_w;
    // With no horizontal dilation a filter row reads one contiguous span.
    const int32_t taps = g->dil_w == 1 ? 1 : g->f_w;
    const int32_t tap_len = g->dil_w == 1 ? g->f_w * C : C;
    const int32_t iy0 = p->oy * g->stride_h - g->pad_h, ix0 = p->ox * g->stride_w - g->pad_w;
    const int8_t *in_b = in + (size_t)p->b * g->in_h * W * C;
    const int32_t off = d->in_offset;
    if (im2col_special(d, g, in, p, buf)) {
        return;
    }
    int32_t k = 0;
    for (int32_t fy = 0; fy < g->f_h; fy++) {
        const int32_t iy = iy0 + fy * g->dil_h;
        if (iy < 0 || iy >= g->in_h) {
            put_span(buf, k, NULL, g->f_w * C, off);
            k += g->f_w * C;
            continue;
        }
        const int8_t *row = in_b + (size_t)iy * W * C;
        for (int32_t t = 0; t < taps; t++, k += tap_len) {
            const int32_t ix = ix0 + t * g->dil_w;
            // Valid columns [lo, hi) of this tap (in filter columns).
            int32_t lo = 0, hi = taps == 1 ? g->f_w : 1;
            if (ix < 0) {
                lo = taps == 1 ? -ix : 1;
            }
            if (ix + hi > W) {
                hi = W - ix;
            }
            hi = hi > 0 ? hi : 0;
            lo = lo < hi ? lo : hi;
            put_span(buf, k, NULL, lo * C, off);
            if (hi > lo) {
                put_span(buf, k + lo * C, row + (ix + lo) * C, (hi - lo) * C, off);
            }
            put_span(buf, k + hi * C, NULL, tap_len - hi * C, off);
        }
    }
    put_span(buf, k, NULL, ((k + 3) & ~3) - k, off);
}
