// Real FFT and its inverse with kissfft's arithmetic (see dsp.h), for int16,
// int32 and float samples; the body is fft_tmpl.h, once per type.
#include "dsp.h"
#include "../support/fixedpoint.h"

bool dsp_fft_length_ok(int32_t n) {
    return n >= 4 && n <= 32768 && (n & (n - 1)) == 0;
}

static size_t elem_bytes(dsp_fft_type_t type) {
    return type == DSP_FFT_INT16 ? sizeof(dsp_cpx16_t) : type == DSP_FFT_INT32 ? sizeof(dsp_cpx32_t)
                                                                                : sizeof(dsp_cpxf_t);
}

size_t dsp_fft_state_bytes(int32_t n, dsp_fft_type_t type) {
    // n/2 twiddles of the complex FFT, then n/4 of the real split.
    return ((size_t)n / 2 + (size_t)n / 4) * elem_bytes(type);
}

const uint64_t dsp_inv_fact_bits[DSP_INV_FACT_N] = {
    0x3ff0000000000000u, 0x3ff0000000000000u, 0x3fe0000000000000u, 0x3fc5555555555555u,
    0x3fa5555555555555u, 0x3f81111111111111u, 0x3f56c16c16c16c17u, 0x3f2a01a01a01a01au,
    0x3efa01a01a01a01au, 0x3ec71de3a556c734u, 0x3e927e4fb7789f5cu, 0x3e5ae64567f544e4u,
    0x3e21eed8eff8d898u, 0x3de6124613a86d09u, 0x3da93974a8c07c9du, 0x3d6ae7f3e733b81fu,
    0x3d2ae7f3e733b81fu, 0x3ce952c77030ad4au, 0x3ca6827863b97d97u, 0x3c62f49b46814157u,
    0x3c1e542ba4020225u, 0x3bd71b8ef6dcf572u, 0x3b90ce396db7f853u, 0x3b4761b413163819u,
    0x3aff2cf01972f578u, 0x3ab3f3ccdd165fa9u,
};

// cos and sin of 2*pi*num/den (den > 0) to about 1e-16: the angle is
// reduced exactly, in integers, to +-[0, pi/4] about a multiple of pi/2
// (where cos and sin are exact), then Taylor series. Stands in for libm's
// double cos/sin, which kissfft calls: the twiddles it rounds come out the
// same unless a value sits within ~1e-12 of a rounding boundary, which no
// power-of-two length's do (the tests compare the results with TFLM's).
// In 32 bits (den <= 65536 for the lengths supported: 8 * r fits), so that
// no libgcc 64-bit division is linked.
static void cos_sin_turns(int32_t num, int32_t den, double *c, double *s) {
    int32_t r = num % den;
    r = r < 0 ? r + den : r;          // [0, den): the angle in turns * den
    int32_t octant = 8 * r / den;     // [0, 8)
    int32_t t = 8 * r - octant * den; // [0, den): position in the octant
    int32_t quarter = (octant + 1) / 2;
    // angle = quarter * pi/2 + a: a = t/den * pi/4 for an even octant,
    // -(den - t)/den * pi/4 for an odd one.
    double a = (double)(octant % 2 ? t - den : t) / (double)den * dsp_double_from_bits(0x3fe921fb54442d18ull);
    // sin: a - a^3/3! + ... + a^17/17!; cos: 1 - a^2/2! + ... + a^18/18!
    // (|a| <= pi/4: the first terms left out are below 1e-19).
    double a2 = a * a, sa = 0, ca = 0;
    for (int k = 17; k >= 1; k -= 2) {
        // a^k/k! has sign (-1)^(k/2); a^(k+1)/(k+1)! the opposite one.
        const double fk = dsp_double_from_bits(dsp_inv_fact_bits[k]);
        const double fk1 = dsp_double_from_bits(dsp_inv_fact_bits[k + 1]);
        sa = sa * a2 + ((k / 2) % 2 ? -fk : fk);
        ca = ca * a2 + ((k / 2) % 2 ? fk1 : -fk1);
    }
    sa *= a;
    ca = ca * a2 + 1;
    switch (quarter % 4) {
        case 0: *c = ca, *s = sa; break;
        case 1: *c = -sa, *s = ca; break;
        case 2: *c = -ca, *s = -sa; break;
        default: *c = sa, *s = -ca; break;
    }
}

// kissfft's fixed-point twiddle: floor(0.5 + max * v).
static inline int64_t round_q(double v, double max) {
    double x = (double)0.5f + max * v;
    int64_t i = (int64_t)x;
    return (double)i > x ? i - 1 : i;
}

static void set_twiddle(void *state, size_t i, dsp_fft_type_t type, int32_t num, int32_t den) {
    double c, s;
    cos_sin_turns(num, den, &c, &s);
    switch (type) {
        case DSP_FFT_INT16: {
            dsp_cpx16_t *w = (dsp_cpx16_t *)state + i;
            w->re = (int16_t)round_q(c, 32767), w->im = (int16_t)round_q(s, 32767);
            break;
        }
        case DSP_FFT_INT32: {
            dsp_cpx32_t *w = (dsp_cpx32_t *)state + i;
            w->re = (int32_t)round_q(c, 2147483647), w->im = (int32_t)round_q(s, 2147483647);
            break;
        }
        default: {
            dsp_cpxf_t *w = (dsp_cpxf_t *)state + i;
            w->re = (float)c, w->im = (float)s;
            break;
        }
    }
}

void dsp_fft_init(int32_t n, dsp_fft_type_t type, void *state) {
    const int32_t nc = n / 2;
    // The complex FFT's: exp(-2 pi i k / nc).
    for (int32_t k = 0; k < nc; k++) {
        set_twiddle(state, (size_t)k, type, -k, nc);
    }
    // The split's: exp(-pi i ((k + 1) / nc + 1/2)).
    for (int32_t k = 0; k < nc / 2; k++) {
        set_twiddle(state, (size_t)(nc + k), type, -(k + 1 + nc / 2), 2 * nc);
    }
}

// int16, Q15 (kissfft FIXED_POINT 16).
static inline int16_t add16(int16_t a, int16_t b) {
    return (int16_t)(a + b);
}
static inline int16_t sub16(int16_t a, int16_t b) {
    return (int16_t)(a - b);
}
static inline int16_t neg16(int16_t a) {
    return (int16_t)-a;
}
static inline int16_t round15(int32_t x) {
    return (int16_t)((x + (1 << 14)) >> 15);
}
static inline int16_t fixdiv16(int16_t x, int k) {
    return round15(x * (32767 / k));
}
static inline dsp_cpx16_t cmul16(dsp_cpx16_t a, dsp_cpx16_t b) {
    dsp_cpx16_t r = {round15(a.re * b.re - a.im * b.im), round15(a.re * b.im + a.im * b.re)};
    return r;
}
static inline int16_t half_sum16(int16_t a, int16_t b) {
    return (int16_t)((a + b) >> 1);
}
static inline int16_t half_diff16(int16_t a, int16_t b) {
    return (int16_t)((a - b) >> 1);
}

#define T int16_t
#define CPX dsp_cpx16_t
#define NAME(x) x##16
#define ADD add16
#define SUB sub16
#define NEG neg16
#define CMUL cmul16
#define FIXDIV fixdiv16
#define HALF_SUM half_sum16
#define HALF_DIFF half_diff16
#include "fft_tmpl.h"

// int32, Q31 (FIXED_POINT 32): sums wrap (fixedpoint.h's fxp_add and
// friends, through unsigned, where kissfft's would overflow), products in
// 64 bits.
#define add32 fxp_add
#define sub32 fxp_sub
#define neg32 fxp_neg
static inline int32_t round31(int64_t x) {
    return (int32_t)((x + (INT64_C(1) << 30)) >> 31);
}
static inline int32_t fixdiv32(int32_t x, int k) {
    return round31((int64_t)x * (INT32_MAX / k));
}
static inline dsp_cpx32_t cmul32(dsp_cpx32_t a, dsp_cpx32_t b) {
    dsp_cpx32_t r = {round31((int64_t)a.re * b.re - (int64_t)a.im * b.im),
                     round31((int64_t)a.re * b.im + (int64_t)a.im * b.re)};
    return r;
}
static inline int32_t half_sum32(int32_t a, int32_t b) {
    return add32(a, b) >> 1;
}
static inline int32_t half_diff32(int32_t a, int32_t b) {
    return sub32(a, b) >> 1;
}

#define T int32_t
#define CPX dsp_cpx32_t
#define NAME(x) x##32
#define ADD add32
#define SUB sub32
#define NEG neg32
#define CMUL cmul32
#define FIXDIV fixdiv32
#define HALF_SUM half_sum32
#define HALF_DIFF half_diff32
#include "fft_tmpl.h"

// float: no scaling.
static inline float addf(float a, float b) {
    return a + b;
}
static inline float subf(float a, float b) {
    return a - b;
}
static inline float negf(float a) {
    return -a;
}
static inline float fixdivf(float x, int k) {
    (void)k;
    return x;
}
static inline dsp_cpxf_t cmulf(dsp_cpxf_t a, dsp_cpxf_t b) {
    dsp_cpxf_t r = {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
    return r;
}
static inline float half_sumf(float a, float b) {
    return (a + b) * 0.5f;
}
static inline float half_difff(float a, float b) {
    return (a - b) * 0.5f;
}

#define T float
#define CPX dsp_cpxf_t
#define NAME(x) x##f
#define ADD addf
#define SUB subf
#define NEG negf
#define CMUL cmulf
#define FIXDIV fixdivf
#define HALF_SUM half_sumf
#define HALF_DIFF half_difff
#include "fft_tmpl.h"
