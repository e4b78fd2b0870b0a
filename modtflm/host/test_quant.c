// Checks the optimized kernels' requantization (tflm_requant) against the
// reference tflm_mul_by_quant_mul on edge values and a random sweep, for
// every multiplier form tflm_quantize_multiplier produces.
#include <stdio.h>
#include <stdint.h>
#include "../core/support/quant.h"
#include "test_rand.h"

int main(void) {
    static const int32_t edges[] = {
        0, 1, -1, 2, -2, 3, -3, 127, -128, 255, -255, 1 << 15, -(1 << 15), 0x3fffffff, -0x40000000,
        0x40000000, INT32_MAX, INT32_MIN, INT32_MIN + 1, INT32_MAX - 1,
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
            }
        }
    }
    printf("test_quant: %lu cases, %lu differ\n", checked, bad);
    return bad != 0;
}
