// Optimized int8 CONV_2D: the kernel of conv_dsp.c and conv_c.c (see
// conv_opt.c): pixels two at a time into the int16 pair buffer, 2 pixels x
// 2 channels per block. Included at the end of those files (no include
// guard: once per file), which first define:
//
//   GROUP_2X2(x, va, vb)  one group of 4 weights of channels a and b (words
//                         va, vb) times the pair's group at x (advanced
//                         past it), into the locals a0, a1, b0, b1 (a macro:
//                         as a function gcc allocates the loop's registers
//                         worse)
//   acc_t                 the accumulators' type
//   load32_inc(&p)        *p as a word, then p += 4
//   conv_rq_t             the layer's requantization parameters, with a
//                         member `full` (whether the CPU's shortcut may be
//                         taken), made by CONV_RQ_INIT(q_min_raw,
//                         q_max_raw, out_offset)
//   rq_pair(&rq, m, s, acc0, acc1, o0, o1)
//   rq_pair_fast(out_offset, m, s, acc0, acc1, o0, o1)
//                         one channel's two outputs, in general and with
//                         the shortcut (taken when `full` and every channel
//                         has a multiplier in [2^30, 2^31) and a right
//                         shift in [1, 21])
// (and put_span, im2col from conv_im2col.h).

void tflm_conv_opt_eval(const conv_data_t *d, const conv_geom_t *g, const int8_t *in, const int8_t *w,
    const int32_t *bias,
    int8_t *out, uint8_t *scratch) {
    const int32_t K = g->f_h * g->f_w * g->in_c, OC = g->out_c;
    const int32_t npx = g->batches * g->out_h * g->out_w;
    int16_t *buf = (int16_t *)(void *)scratch;
    const int16_t *x_end2 = buf + 16 * (K >> 3);
    // Written out, not behind helpers: the M4 code of the matrix loop below
    // depends on it (helpers here cost a reload per block).
    const int32_t q_min_raw = d->q_min_raw, q_max_raw = d->q_max_raw, out_offset = d->out_offset;
    const int32_t *mult = d->mult;
    const int8_t *shifts = conv_shifts(d, g);
    const conv_rq_t rq = CONV_RQ_INIT(q_min_raw, q_max_raw, out_offset);
    bool rq_fast = rq.full;
    for (int32_t oc = 0; oc < OC; oc++) {
        rq_fast = rq_fast && shifts[oc] < 0 && shifts[oc] >= -21 && mult[oc] >= (1 << 30);
    }
    const bool pw = is_pointwise(g);
    pix_t p = { 0, 0, 0 };
    for (int32_t i = 0; i < npx; i += 2, out += 2 * OC) {
        // An odd last pixel fills both slots and writes its result twice.
        int8_t *out1 = i + 1 < npx ? out + OC : out;
        if (pw) {
            // 1x1 stride 1 unpadded: pixel i is input pixel i.
            const int8_t *src = in + (size_t)i * K;
            put_span(buf, 0, src, K, d->in_offset);
            put_span(buf + 4, 0, out1 != out ? src + K : src, K, d->in_offset);
            put_span(buf, K, NULL, (-K) & 3, 0);
            put_span(buf + 4, K, NULL, (-K) & 3, 0);
        } else {
            im2col(d, g, in, &p, buf);
            if (out1 != out) {
                next_pix(g, &p);
            }
            im2col(d, g, in, &p, buf + 4);
            next_pix(g, &p);
        }
        const int8_t *wa = w;
        for (int32_t oc = 0; oc < OC; oc += 2, wa += 2 * K) {
            // An odd last channel is computed twice.
            const int32_t oc2 = oc + 1 < OC ? oc + 1 : oc;
            const int8_t *wb = w + (size_t)oc2 * K;
            acc_t a0 = 0, a1 = 0, b0 = 0, b1 = 0;
            if (bias) {
                a0 = a1 = (acc_t)bias[oc];
                b0 = b1 = (acc_t)bias[oc2];
            }
            const int16_t *x = buf;
            const int8_t *pa = wa, *pb = wb;
            // Two groups per iteration, then an odd one.
            while (x != x_end2) {
                uint32_t va = load32_inc(&pa), vb = load32_inc(&pb);
                GROUP_2X2(x, va, vb)
                va = load32_inc(&pa);
                vb = load32_inc(&pb);
                GROUP_2X2(x, va, vb)
            }
            if (K & 4) {
                uint32_t va = load32_inc(&pa), vb = load32_inc(&pb);
                GROUP_2X2(x, va, vb)
            }
            if (K & 3) {
                // The last partial group: its padded values are 0, so the
                // weights past the channel do not count. Before the last
                // channel they are the next channel's (read as a word);
                // the last channel's missing weights are made 0, nothing
                // is read past the tensor.
                uint32_t va, vb;
                if (oc2 + 1 < OC) {
                    va = conv_load32(pa);
                    vb = conv_load32(pb);
                } else {
                    va = vb = 0;
                    for (int32_t j = 0; j < (K & 3); j++) {
                        va |= (uint32_t)(uint8_t)pa[j] << (8 * j);
                        vb |= (uint32_t)(uint8_t)pb[j] << (8 * j);
                    }
                }
                GROUP_2X2(x, va, vb)
            }
            if (rq_fast) {
                rq_pair_fast(out_offset, mult[oc], shifts[oc], (uint32_t)a0, (uint32_t)a1, out + oc, out1 + oc);
                rq_pair_fast(out_offset, mult[oc2], shifts[oc2], (uint32_t)b0, (uint32_t)b1, out + oc2, out1 + oc2);
            } else {
                rq_pair(&rq, mult[oc], shifts[oc], (uint32_t)a0, (uint32_t)a1, out + oc, out1 + oc);
                rq_pair(&rq, mult[oc2], shifts[oc2], (uint32_t)b0, (uint32_t)b1, out + oc2, out1 + oc2);
            }
        }
    }
}
