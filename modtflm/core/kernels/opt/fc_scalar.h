// Optimized int8 FULLY_CONNECTED: the kernel of fc_c.c and fc_dsp.c (see
// fc_opt.c) around their inner loop. Included at the end of those files
// (no include guard: once per file), which first define it:
//
//   // acc[k] += sum_i (x[i] + in_off) * w[k * depth + i], k < 4 (wrapping)
//   void fc_dot4(const int8_t *x, const int8_t *w, int32_t depth, int32_t in_off, uint32_t *acc);

// Saturating to int8 changes nothing before clamping to [act_min, act_max],
// which is within int8; when that is all of int8 it is the clamp.
static inline int32_t fc_sat8(int32_t v) {
    #if TFLM_CPU_SAT
    return __ssat(v, 8);
    #else
    return tflm_clamp_i32(v, -128, 127);
    #endif
}

void tflm_fc_opt_eval(const fc_data_t *d, const int8_t *in, const int8_t *w, const int32_t *bias,
    int8_t *out, uint8_t *scratch) {
    (void)scratch;
    const int32_t depth = d->depth, units = d->units, in_off = d->in_offset;
    const int32_t last = units - 4;
    const int32_t act_min = d->act_min, act_max = d->act_max;
    const int32_t out_off = d->out_offset;
    const int32_t *cm = d->channel_mult;
    const int32_t mult = d->multiplier, shift = d->shift;
    // opt_requant_r2's conditions (per-tensor), written out for the shifts
    // 2..15: opt_r2_ok and opt_r2_khi (2..21) cost Arm instructions here.
    const bool r2 = !cm && shift <= -2 && shift >= -15 && mult >= 0;
    const uint32_t khi = (1u << ((-shift - 2) & 15)) + ((uint32_t)out_off << ((-shift - 1) & 15));
    const int32_t rm1 = -shift - 1;
    const bool full = act_min == -128 && act_max == 127;
    for (int32_t b = 0; b < d->batches; b++, in += depth, out += units) {
        uint32_t row = 0;
        if (d->filter_offset) {
            uint32_t sx = 0;
            for (int32_t i = 0; i < depth; i++) {
                sx += (uint32_t)(in[i] + in_off);
            }
            row = sx * (uint32_t)d->filter_offset;
        }
        // The last block ends at the last unit, overlapping the one before.
        for (int32_t u0 = 0;; u0 += 4) {
            if (u0 > last) {
                u0 = last;
            }
            uint32_t acc[4] = { row, row, row, row };
            if (bias) {
                acc[0] += (uint32_t)bias[u0];
                acc[1] += (uint32_t)bias[u0 + 1];
                acc[2] += (uint32_t)bias[u0 + 2];
                acc[3] += (uint32_t)bias[u0 + 3];
            }
            fc_dot4(in, w + u0 * depth, depth, in_off, acc);
            int8_t *o = out + u0;
            int32_t v0, v1, v2, v3;
            if (r2) {
                v0 = fc_sat8(opt_requant_r2(acc[0], mult, khi, rm1));
                v1 = fc_sat8(opt_requant_r2(acc[1], mult, khi, rm1));
                v2 = fc_sat8(opt_requant_r2(acc[2], mult, khi, rm1));
                v3 = fc_sat8(opt_requant_r2(acc[3], mult, khi, rm1));
            } else {
                // (A copy: indexing acc itself would keep it in memory.)
                int32_t t[4] = { (int32_t)acc[0], (int32_t)acc[1], (int32_t)acc[2], (int32_t)acc[3] };
                for (int k = 0; k < 4; k++) {
                    int32_t u = u0 + k;
                    t[k] = (int32_t)((uint32_t)opt_requant(t[k], cm ? cm[u] : mult,
                        cm ? fc_shifts(d)[u] : shift) + (uint32_t)out_off);
                    t[k] = fc_sat8(t[k]);
                }
                v0 = t[0];
                v1 = t[1];
                v2 = t[2];
                v3 = t[3];
            }
            if (!full) {
                v0 = opt_clamp_i32(v0, act_min, act_max);
                v1 = opt_clamp_i32(v1, act_min, act_max);
                v2 = opt_clamp_i32(v2, act_min, act_max);
                v3 = opt_clamp_i32(v3, act_min, act_max);
            }
            o[0] = (int8_t)v0;
            o[1] = (int8_t)v1;
            o[2] = (int8_t)v2;
            o[3] = (int8_t)v3;
            if (u0 == last) {
                break;
            }
        }
    }
}
