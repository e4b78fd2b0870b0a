// Soft-float division for the armv6m native module (Cortex-M0: no FPU).
//
// libgcc's __aeabi_fdiv and __aeabi_ddiv for Armv6-M read a table through
// an absolute address, which mpy_ld cannot relocate in code, so the module
// brings its own (natmod/Makefile links a libgcc without them). IEEE 754
// division rounded to nearest-even has exactly one correct result, so these
// give the very bits libgcc's give (NaN payloads aside). Integer arithmetic
// only: a float operation here would call these functions again.
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

// Shared by both widths, in 64-bit integers: the bits of a / b with sign
// bit `sign` (in place), where a = ma * 2^ea and b = mb * 2^eb with mantissas normalized to
// [2^(mbits), 2^(mbits+1)) (mbits = stored mantissa bits), exponents
// unbiased; `bias` and `emax` (the all-ones exponent) of the format.
static uint64_t div_finite(uint64_t sign, uint64_t ma, int ea, uint64_t mb, int eb, int mbits, int bias, int emax) {
    int e = ea - eb + bias;
    if (ma < mb) {
        ma <<= 1;
        e -= 1;
    }
    // mbits + 3 quotient bits (the leading 1, the stored bits, guard and
    // round), by long division; the remainder makes the sticky bit.
    uint64_t q = 0, r = ma;
    for (int i = 0; i < mbits + 3; i++) {
        q <<= 1;
        if (r >= mb) {
            r -= mb;
            q |= 1;
        }
        r <<= 1;
    }
    uint64_t sticky = r != 0;
    if (e >= emax) {
        return sign | ((uint64_t)emax << mbits);
    }
    if (e < 1) {
        // Subnormal: shift the quotient down to exponent 1.
        int shift = 1 - e;
        if (shift > mbits + 3) {
            sticky |= q != 0;
            q = 0;
        } else {
            sticky |= (q & (((uint64_t)1 << shift) - 1)) != 0;
            q >>= shift;
        }
        e = 1;
    }
    uint64_t mant = q >> 2;
    unsigned low = (unsigned)((q & 3) << 1 | sticky);  // half way = 4
    if (low > 4 || (low == 4 && (mant & 1))) {
        mant++;
    }
    // The leading bit of mant adds one to the exponent field, and a carry
    // out of rounding another one (up to infinity, whose mantissa is 0).
    return sign + ((uint64_t)(e - 1) << mbits) + mant;
}

// Unpacks a finite nonzero value: mantissa with its leading bit, exponent.
static uint64_t unpack(uint64_t m, int *e, int mbits) {
    if (*e == 0) {
        // Subnormal: normalize.
        *e = 1;
        while (!(m >> mbits)) {
            m <<= 1;
            *e -= 1;
        }
        return m;
    }
    return m | ((uint64_t)1 << mbits);
}

// Division of two values of a format with `mbits` stored mantissa bits and
// `ebits` exponent bits, as bit patterns.
static uint64_t div_bits(uint64_t a, uint64_t b, int mbits, int ebits) {
    int emax = (1 << ebits) - 1;
    uint64_t s = ((a ^ b) >> (mbits + ebits)) & 1;
    uint64_t mmask = ((uint64_t)1 << mbits) - 1;
    int ea = (int)((a >> mbits) & (uint64_t)emax), eb = (int)((b >> mbits) & (uint64_t)emax);
    uint64_t ma = a & mmask, mb = b & mmask;
    uint64_t sign = s << (mbits + ebits);
    uint64_t inf = sign | ((uint64_t)emax << mbits);
    uint64_t qnan = ((uint64_t)emax << mbits) | ((uint64_t)1 << (mbits - 1));
    bool a_nan = ea == emax && ma, b_nan = eb == emax && mb;
    bool a_inf = ea == emax && !ma, b_inf = eb == emax && !mb;
    bool a_zero = ea == 0 && !ma, b_zero = eb == 0 && !mb;
    if (a_nan || b_nan || (a_inf && b_inf) || (a_zero && b_zero)) {
        return qnan;
    }
    if (a_inf || b_zero) {
        return inf;
    }
    if (a_zero || b_inf) {
        return sign;
    }
    ma = unpack(ma, &ea, mbits);
    mb = unpack(mb, &eb, mbits);
    return div_finite(sign, ma, ea, mb, eb, mbits, (1 << (ebits - 1)) - 1, emax);
}

float __aeabi_fdiv(float a, float b) {
    uint32_t x, y;
    memcpy(&x, &a, 4);
    memcpy(&y, &b, 4);
    uint32_t r = (uint32_t)div_bits(x, y, 23, 8);
    float f;
    memcpy(&f, &r, 4);
    return f;
}

double __aeabi_ddiv(double a, double b) {
    uint64_t x, y;
    memcpy(&x, &a, 8);
    memcpy(&y, &b, 8);
    uint64_t r = div_bits(x, y, 52, 11);
    double d;
    memcpy(&d, &r, 8);
    return d;
}
