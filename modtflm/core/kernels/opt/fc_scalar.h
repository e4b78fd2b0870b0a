// Optimized int8 FULLY_CONNECTED: the kernel of fc_c.c and fc_dsp.c (see
// fc_opt.c) around their inner loop. Included at the end of those files
// (no include guard: once per file), which first define it:
//
//   // acc[k] += sum_i (x[i] + in_off) * w[k * depth + i], k < 4 (wrapping)
//   void fc_dot4(const int8_t *x, const int8_t *w, int32_t depth, int32_t in_off, uint32_t *acc);

// tflm_requant in 32-bit steps after the 64-bit product. The rounding
// divide by 2^r (half away from zero) is floor((hm - neg + 2^(r-1)) / 2^r)
// = ((hm - neg) >> (r - 1)) + 1) >> 1 for r >= 1 (neg: hm < 0); no step
// overflows since |hm| < 2^31 - 1 for multipliers below 2^31.
static inline int32_t fc_requant(int32_t x, int32_t mult, int32_t shift) {
    // Branch-free max(shift, 0) and max(-shift, 0).
    int32_t left = (int32_t)((uint32_t)shift & ~(uint32_t)(shift >> 31));
    int32_t right = left - shift;
    // (p + 2^30) >> 31 from the halves of p.
    uint64_t p = (uint64_t)((int64_t)(int32_t)((uint32_t)x << left) * mult + (1ll << 30));
    int32_t hm = (int32_t)(((uint32_t)(p >> 32) << 1) | ((uint32_t)p >> 31));
    if (right == 0) {
        return hm;
    }
    return (((hm - (hm < 0)) >> (right - 1)) + 1) >> 1;
}

// The same plus the output offset, for a multiplier m >= 0, a right shift
// r in [2, 15] (no left shift) and |off| <= 2^15, in one multiply-accumulate
// and one shift. With p = x * m and hm = floor((p + 2^30) / 2^31), the
// result is floor((hm + 2^(r-1) - [hm < 0]) / 2^r) + off
//   = floor((p + 2^30 + 2^(30+r) - [hm < 0] * 2^31 + off * 2^(31+r)) / 2^(31+r))
// (floor((floor(y / A) + c) / B) = floor((y + c * A) / (A * B)) for integers
// y, c and A, B > 0). [hm < 0] may be replaced by [x < 0]: they differ only
// for x < 0 with hm = 0 (p in [-2^30, 0]), where both forms give off as
// r >= 1. The constant added to p is (khi - [x < 0]) * 2^32 + lo with
// khi = 2^(r-2) + off * 2^(r-1) (|khi| < 2^30) and lo = 2^30 ^ (x & 2^31);
// the sum q is below 2^63 in magnitude (|p| < 2^62, the rest below 2^62),
// so its top word is floor(q / 2^32) exactly and the result is that
// shifted right by r - 1. No int32 wrap: |result - off| < 2^30.
static inline int32_t fc_requant_r2(uint32_t x, int32_t m, uint32_t khi, int32_t rm1) {
    uint32_t lo = (x & 0x80000000u) ^ 0x40000000u;
    uint32_t hi = khi + (uint32_t)((int32_t)x >> 31);
    uint64_t q = (((uint64_t)hi << 32) | lo) + (uint64_t)((int64_t)(int32_t)x * m);
    return (int32_t)(uint32_t)(q >> 32) >> rm1;
}

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
    // fc_requant_r2's conditions (per-tensor).
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
                v0 = fc_sat8(fc_requant_r2(acc[0], mult, khi, rm1));
                v1 = fc_sat8(fc_requant_r2(acc[1], mult, khi, rm1));
                v2 = fc_sat8(fc_requant_r2(acc[2], mult, khi, rm1));
                v3 = fc_sat8(fc_requant_r2(acc[3], mult, khi, rm1));
            } else {
                // (A copy: indexing acc itself would keep it in memory.)
                int32_t t[4] = { (int32_t)acc[0], (int32_t)acc[1], (int32_t)acc[2], (int32_t)acc[3] };
                for (int k = 0; k < 4; k++) {
                    int32_t u = u0 + k;
                    t[k] = (int32_t)((uint32_t)fc_requant(t[k], cm ? cm[u] : mult,
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
