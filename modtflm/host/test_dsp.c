// The audio front end's arithmetic (core/dsp) against the mathematics it
// approximates, computed here in double: the real FFTs and inverses of
// every type against a direct DFT (fixed point: within a few of its last
// bits), the square root against exact integer roots, the log against
// log(), the filter bank against direct sums. Bit-exactness with TFLM is
// what python_tests/test_signal.py checks against the oracle.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/dsp/dsp.h"
#include "test_rand.h"

static const double pi = 3.14159265358979323846;

static int failures;

#define CHECK(cond, ...) do { \
        if (!(cond)) { \
            failures++; \
            if (failures < 20) { \
                printf("FAIL %s:%d: ", __FILE__, __LINE__); \
                printf(__VA_ARGS__); \
                printf("\n"); \
            } \
        } \
} while (0)

#define NMAX 1024
static double x[NMAX], re[NMAX / 2 + 1], im[NMAX / 2 + 1];
static uint32_t fft_state[NMAX * 2]; // 4-aligned, room for n/2 + n/4 float pairs

// Bins 0..n/2 of the DFT of x[0..n).
static void dft(int n) {
    for (int k = 0; k <= n / 2; k++) {
        double sr = 0, si = 0;
        for (int t = 0; t < n; t++) {
            double a = -2 * pi * (double)k * t / n;
            sr += x[t] * cos(a);
            si += x[t] * sin(a);
        }
        re[k] = sr, im[k] = si;
    }
}

// x[0..n) from bins re/im 0..n/2 (the real inverse, unnormalized).
static void idft(int n) {
    for (int t = 0; t < n; t++) {
        double s = 0;
        for (int k = 0; k < n; k++) {
            int kk = k <= n / 2 ? k : n - k;
            double r = re[kk], i = k <= n / 2 ? im[kk] : -im[kk];
            double a = 2 * pi * (double)k * t / n;
            s += r * cos(a) - i * sin(a);
        }
        x[t] = s;
    }
}

static void test_fft16(int n) {
    static int16_t in[NMAX], out16[NMAX];
    static dsp_cpx16_t out[NMAX / 2 + 1], work[NMAX / 2];
    CHECK(dsp_fft_state_bytes(n, DSP_FFT_INT16) <= sizeof(fft_state), "state size");
    dsp_fft_init(n, DSP_FFT_INT16, fft_state);
    for (int t = 0; t < n; t++) {
        in[t] = (int16_t)((int32_t)(next() % 65536) - 32768);
        x[t] = in[t];
    }
    dsp_rfft16(fft_state, n, in, out, work);
    dft(n);
    // Each stage rounds: the error grows with the stage count (log2 n).
    double tol = 2 + log2(n);
    for (int k = 0; k <= n / 2; k++) {
        CHECK(fabs(out[k].re - re[k] / n) <= tol && fabs(out[k].im - im[k] / n) <= tol,
            "rfft16 n=%d bin %d: (%d, %d) vs (%.1f, %.1f)", n, k, out[k].re, out[k].im, re[k] / n, im[k] / n);
    }
    // The inverse of random bins of moderate size: the plain inverse / n.
    for (int k = 0; k <= n / 2; k++) {
        out[k].re = (int16_t)((int32_t)(next() % 16384) - 8192);
        out[k].im = k == 0 || k == n / 2 ? 0 : (int16_t)((int32_t)(next() % 16384) - 8192);
        re[k] = out[k].re, im[k] = out[k].im;
    }
    dsp_irfft16(fft_state, n, out, out16, work);
    idft(n);
    for (int t = 0; t < n; t++) {
        CHECK(fabs(out16[t] - x[t] / n) <= tol, "irfft16 n=%d sample %d: %d vs %.1f", n, t, out16[t], x[t] / n);
    }
}

static void test_fft32(int n) {
    static int32_t in[NMAX], out32[NMAX];
    static dsp_cpx32_t out[NMAX / 2 + 1], work[NMAX / 2];
    dsp_fft_init(n, DSP_FFT_INT32, fft_state);
    for (int t = 0; t < n; t++) {
        in[t] = (int32_t)(next() % (1u << 31)) - (1 << 30);
        x[t] = in[t];
    }
    dsp_rfft32(fft_state, n, in, out, work);
    dft(n);
    double tol = 2 + log2(n);
    for (int k = 0; k <= n / 2; k++) {
        CHECK(fabs(out[k].re - re[k] / n) <= tol && fabs(out[k].im - im[k] / n) <= tol,
            "rfft32 n=%d bin %d: (%d, %d) vs (%.1f, %.1f)", n, k, out[k].re, out[k].im, re[k] / n, im[k] / n);
    }
    for (int k = 0; k <= n / 2; k++) {
        out[k].re = (int32_t)(next() % (1u << 30)) - (1 << 29);
        out[k].im = k == 0 || k == n / 2 ? 0 : (int32_t)(next() % (1u << 30)) - (1 << 29);
        re[k] = out[k].re, im[k] = out[k].im;
    }
    dsp_irfft32(fft_state, n, out, out32, work);
    idft(n);
    for (int t = 0; t < n; t++) {
        CHECK(fabs(out32[t] - x[t] / n) <= tol, "irfft32 n=%d sample %d: %d vs %.1f", n, t, out32[t], x[t] / n);
    }
}

static void test_fftf(int n) {
    static float in[NMAX], outf[NMAX];
    static dsp_cpxf_t out[NMAX / 2 + 1], work[NMAX / 2];
    dsp_fft_init(n, DSP_FFT_FLOAT, fft_state);
    for (int t = 0; t < n; t++) {
        in[t] = (float)((double)next() / 4294967296.0 * 2 - 1);
        x[t] = in[t];
    }
    dsp_rfftf(fft_state, n, in, out, work);
    dft(n);
    double tol = 1e-5 * n;
    for (int k = 0; k <= n / 2; k++) {
        CHECK(fabs((double)out[k].re - re[k]) <= tol && fabs((double)out[k].im - im[k]) <= tol,
            "rfftf n=%d bin %d: (%g, %g) vs (%g, %g)", n, k, (double)out[k].re, (double)out[k].im, re[k], im[k]);
    }
    dsp_irfftf(fft_state, n, out, outf, work);
    for (int t = 0; t < n; t++) {
        CHECK(fabs((double)outf[t] - (double)n * (double)in[t]) <= tol * n, "irfftf n=%d sample %d: %g vs %g", n, t,
            (double)outf[t], (double)n * (double)in[t]);
    }
}

// TFLM's root: round to nearest (up when the remainder exceeds the root),
// 16-bit saturating below 2^32.
static uint32_t root_ref(uint64_t v) {
    uint64_t r = (uint64_t)sqrtl((long double)v);
    r = r > 0xffffffffu ? 0xffffffffu : r;
    while (r * r > v) {
        r--;
    }
    while (r < 0xffffffffu && (r + 1) * (r + 1) <= v) {
        r++;
    }
    uint64_t cap = v >> 32 ? 0xffffffffu : 0xffff;
    return (uint32_t)(v - r * r > r && r != cap ? r + 1 : r);
}

static void test_sqrt(void) {
    for (int i = 0; i < 200000; i++) {
        uint64_t v = ((uint64_t)next() << 32 | next()) >> (next() % 64);
        CHECK(dsp_sqrt64(v) == root_ref(v), "sqrt(%llu) = %u, expected %u", (unsigned long long)v,
            dsp_sqrt64(v), root_ref(v));
    }
    const uint64_t edges[] = {0, 1, 2, 3, 4, 0xfffe0001u, 0xffff0000u, 0xffffffffu, 1ull << 32, ~0ull};
    for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
        CHECK(dsp_sqrt64(edges[i]) == root_ref(edges[i]), "sqrt(%llu)", (unsigned long long)edges[i]);
    }
}

static void test_log(void) {
    for (int i = 0; i < 100000; i++) {
        uint32_t v = next() >> (next() % 31);
        v = v < 2 ? 2 : v;
        double want = log((double)v) * 1600 / 65536 * 65536;
        // TFLM's table interpolation is good to about 4e-4 of the log.
        CHECK(fabs(dsp_log32(v, 1600) - want) <= 1 + want * 4e-4, "log(%u) = %u, expected %.1f", v,
            dsp_log32(v, 1600), want);
    }
}

static void test_filter_bank(void) {
    enum { BINS = 64, CH = 6 };
    static uint32_t e[BINS];
    static int16_t w[BINS], u[BINS], fs[CH + 1], ws[CH + 1], wd[CH + 1];
    uint64_t out[CH];
    for (int i = 0; i < BINS; i++) {
        e[i] = next();
        w[i] = (int16_t)(next() % 4097);
        u[i] = (int16_t)(4096 - w[i]);
    }
    for (int b = 0; b <= CH; b++) {
        fs[b] = (int16_t)(b * 8 + 1), ws[b] = (int16_t)(b * 8), wd[b] = (int16_t)(b == CH ? 3 : 8);
    }
    dsp_filter_bank(e, w, u, fs, ws, wd, CH, out);
    for (int c = 0; c < CH; c++) {
        // Channel c: band c + 1's rising edge plus band c's falling edge.
        uint64_t want = 0;
        for (int j = 0; j < wd[c + 1]; j++) {
            want += (uint64_t)w[ws[c + 1] + j] * e[fs[c + 1] + j];
        }
        for (int j = 0; j < wd[c]; j++) {
            want += (uint64_t)u[ws[c] + j] * e[fs[c] + j];
        }
        CHECK(out[c] == want, "filter bank channel %d", c);
    }
}

int main(void) {
    for (int n = 4; n <= NMAX; n *= 2) {
        test_fft16(n);
        test_fft32(n);
        test_fftf(n);
    }
    CHECK(!dsp_fft_length_ok(2) && !dsp_fft_length_ok(48) && dsp_fft_length_ok(512), "fft lengths");
    test_sqrt();
    test_log();
    test_filter_bank();
    if (failures) {
        printf("test_dsp: %d failures\n", failures);
        return 1;
    }
    printf("test_dsp: ok\n");
    return 0;
}
