// The real FFT's body for one sample type, included by fft.c once per type
// with these defined:
//   T, CPX         the sample and complex types
//   NAME(x)        x with the type's suffix
//   ADD, SUB, NEG  wrapping add, subtract, negate of samples
//   CMUL(a, b)     kissfft's C_MUL (rounded in fixed point)
//   FIXDIV(x, k)   kissfft's DIVSCALAR: x / k rounded (fixed point) or x
//   HALF_SUM(a, b), HALF_DIFF(a, b)  kissfft's HALF_OF(a + b), HALF_OF(a - b)
//                  (in int16 the sum is not wrapped first: C promotes it to int)
// (all of them #undef'd at the end, for the next type).
// The order of operations is kissfft's (kf_work, kf_bfly2, kf_bfly4,
// kiss_fftr, kiss_fftri): that is what makes the fixed-point results equal.

static inline CPX NAME(cadd)(CPX a, CPX b) {
    CPX r = {ADD(a.re, b.re), ADD(a.im, b.im)};
    return r;
}

static inline CPX NAME(csub)(CPX a, CPX b) {
    CPX r = {SUB(a.re, b.re), SUB(a.im, b.im)};
    return r;
}

static inline CPX NAME(cfixdiv)(CPX a, int k) {
    CPX r = {FIXDIV(a.re, k), FIXDIV(a.im, k)};
    return r;
}

static inline CPX NAME(twiddle)(const CPX *tw, size_t i, bool inverse) {
    CPX w = tw[i];
    if (inverse) {
        w.im = NEG(w.im);
    }
    return w;
}

// One radix-2 stage on a block: m butterflies, twiddle stride `stride`.
static void NAME(bfly2)(CPX *f, size_t stride, size_t m, const CPX *tw, bool inverse) {
    for (size_t k = 0; k < m; k++) {
        CPX a = NAME(cfixdiv)(f[k], 2);
        CPX b = NAME(cfixdiv)(f[k + m], 2);
        CPX t = CMUL(b, NAME(twiddle)(tw, k * stride, inverse));
        f[k + m] = NAME(csub)(a, t);
        f[k] = NAME(cadd)(a, t);
    }
}

// One radix-4 stage on a block.
static void NAME(bfly4)(CPX *f, size_t stride, size_t m, const CPX *tw, bool inverse) {
    for (size_t k = 0; k < m; k++) {
        CPX f0 = NAME(cfixdiv)(f[k], 4);
        CPX f1 = NAME(cfixdiv)(f[k + m], 4);
        CPX f2 = NAME(cfixdiv)(f[k + 2 * m], 4);
        CPX f3 = NAME(cfixdiv)(f[k + 3 * m], 4);
        CPX s0 = CMUL(f1, NAME(twiddle)(tw, k * stride, inverse));
        CPX s1 = CMUL(f2, NAME(twiddle)(tw, 2 * k * stride, inverse));
        CPX s2 = CMUL(f3, NAME(twiddle)(tw, 3 * k * stride, inverse));
        CPX s5 = NAME(csub)(f0, s1);
        f0 = NAME(cadd)(f0, s1);
        CPX s3 = NAME(cadd)(s0, s2);
        CPX s4 = NAME(csub)(s0, s2);
        f[k + 2 * m] = NAME(csub)(f0, s3);
        f[k] = NAME(cadd)(f0, s3);
        // Multiplying s4 by -i (forward) or +i (inverse).
        CPX r1, r3;
        if (inverse) {
            r1.re = SUB(s5.re, s4.im), r1.im = ADD(s5.im, s4.re);
            r3.re = ADD(s5.re, s4.im), r3.im = SUB(s5.im, s4.re);
        } else {
            r1.re = ADD(s5.re, s4.im), r1.im = SUB(s5.im, s4.re);
            r3.re = SUB(s5.re, s4.im), r3.im = ADD(s5.im, s4.re);
        }
        f[k + m] = r1;
        f[k + 3 * m] = r3;
    }
}

// The complex FFT of nc points (a power of two) from `in` to `out`
// (distinct): kissfft's factor order (radix 4 while it divides, then 2),
// its input permutation, then the stages innermost first.
static void NAME(cfft)(const CPX *tw, size_t nc, const CPX *in, CPX *out, bool inverse) {
    int radix[16];
    int stages = 0;
    for (size_t rest = nc; rest > 1; rest /= (size_t)radix[stages++]) {
        radix[stages] = rest % 4 == 0 ? 4 : 2;
    }
    // out[j] = in[digit-reversed j]: j's digit q_s (weight nc / (r_0..r_s))
    // moves to weight r_0..r_{s-1}.
    for (size_t j = 0; j < nc; j++) {
        size_t src = 0, rest = j, m = nc, stride = 1;
        for (int s = 0; s < stages; s++) {
            m /= (size_t)radix[s];
            src += rest / m * stride;
            rest %= m;
            stride *= (size_t)radix[s];
        }
        out[j] = in[src];
    }
    size_t stride = nc; // r_0..r_s: twiddle stride of stage s, times its radix
    for (int s = stages - 1; s >= 0; s--) {
        stride /= (size_t)radix[s];
        size_t block = nc / stride, m = block / (size_t)radix[s];
        for (size_t b = 0; b < stride; b++) {
            if (radix[s] == 4) {
                NAME(bfly4)(out + b * block, stride, m, tw, inverse);
            } else {
                NAME(bfly2)(out + b * block, stride, m, tw, inverse);
            }
        }
    }
}

// a[k] and the conjugate of a[nc - k], each halved (kissfft's scaling),
// and their sum and difference: the split step of the real FFT and of its
// inverse.
static inline void NAME(split_pair)(const CPX *a, size_t k, size_t nc, CPX *sum, CPX *diff) {
    CPX p = NAME(cfixdiv)(a[k], 2);
    CPX q = {a[nc - k].re, NEG(a[nc - k].im)};
    q = NAME(cfixdiv)(q, 2);
    *sum = NAME(cadd)(p, q);
    *diff = NAME(csub)(p, q);
}

void NAME(dsp_rfft)(const void *state, int32_t n, const T *in, CPX *out, CPX *work) {
    const size_t nc = (size_t)n / 2;
    const CPX *tw = state, *super = tw + nc;
    NAME(cfft)(tw, nc, (const CPX *)(const void *)in, work, false);
    CPX dc = NAME(cfixdiv)(work[0], 2);
    out[0].re = ADD(dc.re, dc.im);
    out[nc].re = SUB(dc.re, dc.im);
    out[0].im = out[nc].im = 0;
    for (size_t k = 1; k <= nc / 2; k++) {
        CPX f1, f2;
        NAME(split_pair)(work, k, nc, &f1, &f2);
        CPX t = CMUL(f2, super[k - 1]);
        out[k].re = HALF_SUM(f1.re, t.re);
        out[k].im = HALF_SUM(f1.im, t.im);
        out[nc - k].re = HALF_DIFF(f1.re, t.re);
        out[nc - k].im = HALF_DIFF(t.im, f1.im);
    }
}

void NAME(dsp_irfft)(const void *state, int32_t n, const CPX *in, T *out, CPX *work) {
    const size_t nc = (size_t)n / 2;
    const CPX *tw = state, *super = tw + nc;
    CPX dc = {ADD(in[0].re, in[nc].re), SUB(in[0].re, in[nc].re)};
    work[0] = NAME(cfixdiv)(dc, 2);
    for (size_t k = 1; k <= nc / 2; k++) {
        CPX fek, tmp;
        NAME(split_pair)(in, k, nc, &fek, &tmp);
        CPX fok = CMUL(tmp, NAME(twiddle)(super, k - 1, true));
        work[k] = NAME(cadd)(fek, fok);
        work[nc - k] = NAME(csub)(fek, fok);
        work[nc - k].im = NEG(work[nc - k].im);
    }
    NAME(cfft)(tw, nc, work, (CPX *)(void *)out, true);
}

#undef T
#undef CPX
#undef NAME
#undef ADD
#undef SUB
#undef NEG
#undef CMUL
#undef FIXDIV
#undef HALF_SUM
#undef HALF_DIFF
