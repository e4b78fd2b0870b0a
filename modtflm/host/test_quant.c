// Checks the optimized kernels' requantization (tflm_requant, and
// opt_requant, opt_requant_r2 and opt_requant_r3 of kernels/opt/requant.h) against the
// reference tflm_mul_by_quant_mul on edge values and a random sweep, for
// every multiplier form tflm_quantize_multiplier produces.
#include <stdio.h>
#include <stdint.h>
#include "../core/support/quant.h"
#include "../core/kernels/opt/requant.h"
#include "test_rand.h"

int main(void) {
    static const int32_t edges[] = {
        0, 1, -1, 2, -2, 3, -3, 127, -128, 255, -255, 1 << 15, -(1 << 15), 0x3fffffff, -0x40000000,
        0x40000000, INT32_MAX, INT32_MIN, INT32_MIN + 1, INT32_MAX - 1, (1 << 29) - 1, -(1 << 29) + 1,
    };
    const int n_edges = (int)(sizeof(edges) / sizeof(edges[0]));
    unsigned long checked = 0, bad = 0;
    for (int shift = -31; shift <= 30; shift++) {
        for (int k = 0; k < 4000; k++) {
            // Multipliers as prepare makes them: 0 or +-[2^30, 2^31) (negative
            // from a negative scale).
            int32_t m = k == 0 ? 0 : k == 1 ? (1 << 30) : k == 2 ? INT32_MAX : k == 3 ? -INT32_MAX
                : (int32_t)((1u << 30) | (next() >> 2));
            if (k > 3 && (k & 1)) {
                m = -m;
            }
            for (int e = 0; e < n_edges + 64; e++) {
                int32_t x;
                if (e < n_edges) {
                    x = edges[e];
                } else {
                    // Mostly accumulator-sized values, some full-range.
                    uint32_t r = next();
                    x = (e & 3) ? (int32_t)(r >> (r & 15)) * ((r & 16) ? -1 : 1) : (int32_t)(r << 1 | (next() & 1));
                }
                int32_t want = tflm_mul_by_quant_mul(x, m, shift);
                int32_t got = tflm_requant(x, m, shift);
                checked++;
                if (want != got) {
                    if (bad++ < 10) {
                        printf("x=%ld m=%ld shift=%d: reference %ld, fast %ld\n", (long)x, (long)m, shift,
                            (long)want, (long)got);
                    }
                }
                if (m < 0) {
                    continue; // opt_requant and opt_requant_r2: multipliers in [0, 2^31)
                }
                got = opt_requant(x, m, shift);
                checked++;
                if (want != got) {
                    if (bad++ < 10) {
                        printf("x=%ld m=%ld shift=%d: reference %ld, opt_requant %ld\n", (long)x, (long)m,
                            shift, (long)want, (long)got);
                    }
                }
                if (opt_r2_ok(m, shift)) {
                    // With the output offsets at both ends of int8 and 0.
                    static const int32_t offs[] = { -128, 0, 127 };
                    for (int o = 0; o < 3; o++) {
                        got = opt_requant_r2((uint32_t)x, m, opt_r2_khi(shift, offs[o]), -shift - 1) - offs[o];
                        checked++;
                        if (want != got) {
                            if (bad++ < 10) {
                                printf("x=%ld m=%ld shift=%d off=%ld: reference %ld, opt_requant_r2 %ld\n",
                                    (long)x, (long)m, shift, (long)offs[o], (long)want, (long)got);
                            }
                        }
                        // opt_requant_r3: accumulators below 2^29 in magnitude.
                        if (x >= (1 << 29) || x <= -(1 << 29)) {
                            continue;
                        }
                        got = opt_requant_r3(x, m, opt_r3_k2(shift, offs[o]), 1 - shift) - offs[o];
                        checked++;
                        if (want != got) {
                            if (bad++ < 10) {
                                printf("x=%ld m=%ld shift=%d off=%ld: reference %ld, opt_requant_r3 %ld\n",
                                    (long)x, (long)m, shift, (long)offs[o], (long)want, (long)got);
                            }
                        }
                    }
                }
            }
        }
    }
    // tflm_div_i64 / tflm_div_u64 (32-bit operations only) against C's
    // division, over magnitudes from 1 bit to 64.
    unsigned long div_bad = 0;
    for (int i = 0; i < 2000000; i++) {
        uint64_t a = (uint64_t)next() << 32 | next(), b = (uint64_t)next() << 32 | next();
        a >>= next() & 63;
        b >>= next() & 63;
        b += b == 0;
        int64_t sa = (int64_t)a * ((next() & 1) ? -1 : 1), sb = (int64_t)b * ((next() & 1) ? -1 : 1);
        if (sa == INT64_MIN) {
            sa = 0;
        }
        div_bad += tflm_div_u64(a, b) != a / b;
        div_bad += tflm_div_i64(sa, sb) != sa / sb;
        div_bad += tflm_mod_i64(sa, sb) != sa % sb;
    }
    checked += 6000000;
    bad += div_bad;
    printf("test_quant: %lu cases, %lu differ\n", checked, bad);
    return bad != 0;
}
