// Checks the double exp of the box decoding (exp_d in
// core/kernels/detection_postprocess.c, which boards without a double libm
// need) against the C library's exp, on the arguments the decoding sees
// (box encoding / scale) and wider ones: never more than one ulp away, and
// the floats the decoding rounds (0.5 * exp * anchor size) always equal.
#include <math.h>
#include <stdio.h>
#include "../core/kernels/detection_postprocess.c"
#include "test_rand.h"

// Uniform in [-half, half).
static double uniform(double half) {
    return ((double)next() / 4294967296.0 - 0.5) * 2 * half;
}

int main(void) {
    unsigned long n = 0, ulp_off = 0, far = 0, float_off = 0;
    for (int i = 0; i < 20000000; i++) {
        double x;
        switch (i % 4) {
            case 0:
                x = uniform(1);
                break;
            case 1:
                x = uniform(10);
                break;
            case 2:
                x = uniform(745);
                break;
            default:
                x = (double)(float)uniform(4) / (double)5.0f; // an encoding over h_scale 5
                break;
        }
        double got = exp_d(x), want = exp(x);
        float anchor = (float)(0.05 + fabs(uniform(0.4)));
        n++;
        if (got != want) {
            ulp_off++;
            far += fabs(got - want) > 1.01 * fabs(want) * 2.220446049250313e-16 && want > 1e-300;
        }
        float_off += (float)(0.5 * got * (double)anchor) != (float)(0.5 * want * (double)anchor);
    }
    static const double edges[] = {0, 1, -1, 709.78, 709.79, 710, 800, -745, -745.2, -800, 1e-300, -1e-20};
    for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
        double got = exp_d(edges[i]), want = exp(edges[i]);
        if (got != want && fabs(got - want) > fabs(want) * 2.220446049250313e-16) {
            printf("exp(%g): %.17g, want %.17g\n", edges[i], got, want);
            far++;
        }
    }
    printf("test_exp: %lu arguments, %lu one ulp off, %lu further, %lu floats differ\n", n, ulp_off, far, float_off);
    return far != 0 || float_off != 0;
}
