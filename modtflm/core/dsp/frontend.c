// The front end's stages other than the FFT (see dsp.h), TFLM's signal
// library arithmetic to the bit.
#include "dsp.h"

// Bits needed for x (0 for 0): TFLM's MostSignificantBit32/64 for x > 0.
static inline int bits32(uint32_t x) {
    return x ? 32 - __builtin_clz(x) : 0;
}
static inline int bits64(uint64_t x) {
    return x ? 64 - __builtin_clzll(x) : 0;
}

void dsp_window(const int16_t *in, const int16_t *window, int32_t n, int shift, int16_t *out) {
    for (int32_t i = 0; i < n; i++) {
        int32_t v = ((int32_t)in[i] * window[i]) >> shift;
        out[i] = (int16_t)(v < INT16_MIN ? INT16_MIN : v > INT16_MAX ? INT16_MAX : v);
    }
}

int dsp_fft_auto_scale(const int16_t *in, int32_t n, int16_t *out) {
    // The largest magnitude as TFLM finds it: compared in int, kept in
    // int16, where 32768 (from -32768) wraps to -32768.
    int16_t max = 0;
    for (int32_t i = 0; i < n; i++) {
        int v = in[i];
        if (v > max) {
            max = (int16_t)v;
        } else if (-v > max) {
            max = (int16_t)-v;
        }
    }
    // TFLM's MostSignificantBit32 of 0 is 32, and a negative max converts
    // to a 32-bit value: no shift for either.
    int shift = max > 0 ? 15 - bits32((uint32_t)max) : 0;
    for (int32_t i = 0; i < n; i++) {
        out[i] = (int16_t)(in[i] * (1 << shift));
    }
    return shift;
}

int dsp_fft_auto_scale_frontend(const int16_t *in, int32_t n, int16_t *out) {
    int16_t max = 0;
    for (int32_t i = 0; i < n; i++) {
        int16_t v = in[i] < 0 && in[i] != INT16_MIN ? (int16_t)-in[i] : in[i];
        if (v > max) {
            max = v;
        }
    }
    int shift = 15 - bits32((uint32_t)max);
    for (int32_t i = 0; i < n; i++) {
        out[i] = (int16_t)(uint16_t)((uint32_t)(uint16_t)in[i] << shift);
    }
    return shift;
}

void dsp_energy(const dsp_cpx16_t *in, int32_t start, int32_t end, uint32_t *out) {
    for (int32_t i = start; i < end; i++) {
        int32_t re = in[i].re, im = in[i].im;
        // Each square is at most 2^30: the sum fits in uint32.
        out[i] = (uint32_t)(re * re) + (uint32_t)(im * im);
    }
}

void dsp_filter_bank(const uint32_t *energy, const int16_t *weights, const int16_t *unweights,
    const int16_t *freq_starts, const int16_t *weight_starts, const int16_t *widths, int32_t channels,
    uint64_t *out) {
    // Band b's rising edge completes channel b - 1 (band 0's is dropped);
    // its falling edge starts channel b.
    uint64_t rising = 0;
    for (int32_t b = 0; b <= channels; b++) {
        const uint32_t *e = energy + freq_starts[b];
        const int16_t *w = weights + weight_starts[b], *u = unweights + weight_starts[b];
        uint64_t falling = 0;
        for (int32_t j = 0; j < widths[b]; j++) {
            // TFLM multiplies the int16 weight, converted to uint64, by the
            // energy: a negative weight wraps modulo 2^64.
            rising += (uint64_t)(int64_t)w[j] * e[j];
            falling += (uint64_t)(int64_t)u[j] * e[j];
        }
        if (b > 0) {
            out[b - 1] = rising;
        }
        rising = falling;
    }
}

// TFLM's Sqrt32 and Sqrt64 (one `width` bits wide): the root bit by bit,
// then rounded up when the remainder exceeds it (unless that would pass the
// largest root of the width, where it saturates). In 64-bit arithmetic for
// both: the 32-bit one's sums stay below 2^32, so nothing differs.
static uint32_t root(uint64_t x, int width) {
    uint64_t res = 0;
    int top = (width - bits64(x)) | 1;
    uint64_t bit = (uint64_t)1 << (width - 1 - top);
    for (int i = (width - 1 - top) / 2 + 1; i > 0; i--) {
        if (x >= res + bit) {
            x -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    const uint64_t cap = width == 32 ? 0xffff : 0xffffffffu;
    return (uint32_t)(x > res && res != cap ? res + 1 : res);
}

uint32_t dsp_sqrt64(uint64_t x) {
    // TFLM's shortcut: values below 2^32 take the 32-bit root (0 for 0).
    return x == 0 ? 0 : root(x, (x >> 32) ? 64 : 32);
}

void dsp_filter_bank_sqrt(const uint64_t *in, int32_t n, int shift, uint32_t *out) {
    for (int32_t i = 0; i < n; i++) {
        out[i] = dsp_sqrt64(in[i]) >> shift;
    }
}

void dsp_spectral_subtraction(const dsp_spectral_sub_t *cfg, const uint32_t *in, int32_t n, uint32_t *out,
    uint32_t *noise) {
    for (int32_t i = 0; i < n; i++) {
        uint32_t smooth = i & 1 ? cfg->alt_smoothing : cfg->smoothing;
        uint32_t keep = i & 1 ? cfg->alt_one_minus_smoothing : cfg->one_minus_smoothing;
        uint32_t signal = in[i] << cfg->smoothing_bits;
        noise[i] = (uint32_t)(((uint64_t)signal * smooth + (uint64_t)noise[i] * keep) >> cfg->bits);
        uint32_t estimate = noise[i];
        if (estimate > signal) {
            estimate = signal;
            if (cfg->clamping) {
                noise[i] = signal;
            }
        }
        uint32_t floor = (uint32_t)(((uint64_t)in[i] * cfg->min_remaining) >> cfg->bits);
        uint32_t sub = (signal - estimate) >> cfg->smoothing_bits;
        out[i] = sub > floor ? sub : floor;
    }
}

// PCAN's fixed point: the snr has 12 fraction bits, the output 6.
enum { PCAN_SNR_BITS = 12, PCAN_OUT_BITS = 6 };

// The gain for a noise level: TFLM's WideDynamicFunction, a quadratic per
// octave of x from the table (three coefficients per octave, 4 apart).
static inline int16_t pcan_gain(uint32_t x, const int16_t *lut) {
    if (x <= 2) {
        return lut[x];
    }
    int octave = bits32(x);
    lut += 4 * octave - 6;
    int32_t frac = (int32_t)((octave < 11 ? x << (11 - octave) : x >> (octave - 11)) & 0x3ff);
    int32_t r = (lut[2] * frac) >> 5;
    r += (int32_t)((uint32_t)lut[1] << 5);
    // (wrapping as TFLM's int32 arithmetic does on its targets)
    r = (int32_t)((uint32_t)r * (uint32_t)frac);
    r = (int32_t)((uint32_t)r + (1u << 14)) >> 15;
    return (int16_t)(r + lut[0]);
}

static inline uint32_t pcan_shrink(uint32_t x) {
    if (x < (2u << PCAN_SNR_BITS)) {
        return (x * x) >> (2 + 2 * PCAN_SNR_BITS - PCAN_OUT_BITS);
    }
    return (x >> (PCAN_SNR_BITS - PCAN_OUT_BITS)) - (1u << PCAN_OUT_BITS);
}

void dsp_pcan(const uint32_t *in, const uint32_t *noise, const int16_t *lut, int32_t n, int snr_shift,
    uint32_t *out) {
    for (int32_t i = 0; i < n; i++) {
        // The gain converts to uint32 as TFLM's does (a negative one wraps).
        uint32_t gain = (uint32_t)(int32_t)pcan_gain(noise[i], lut);
        uint32_t snr = (uint32_t)(((uint64_t)in[i] * gain) >> snr_shift);
        out[i] = pcan_shrink(snr);
    }
}

// TFLM's log: log2 from the bit count and a 128-segment correction table
// (Q16), times ln 2 (45426 / 2^16), then the output scale.
static const uint16_t log_lut[130] = {
    0, 224, 442, 654, 861, 1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329, 2490, 2646, 2797, 2944, 3087,
    3224, 3358, 3487, 3611, 3732, 3848, 3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633, 4714, 4791, 4864,
    4934, 5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507, 5533, 5557, 5578, 5595,
    5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633, 5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498, 5470,
    5439, 5406, 5370, 5332, 5291, 5249, 5203, 5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762, 4697, 4630,
    4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848, 3759, 3668, 3575, 3481, 3384, 3286, 3186,
    3084, 2981, 2875, 2768, 2659, 2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605, 1480, 1353, 1224,
    1094, 963, 830, 695, 559, 421, 282, 142, 0, 0,
};

uint32_t dsp_log32(uint32_t x, uint32_t scale) {
    const uint32_t integer = (uint32_t)bits32(x) - 1;
    // The fraction of log2 in Q16: x's bits below its top one, aligned to
    // 16 bits, plus the table's interpolated correction.
    int32_t frac = (int32_t)(x - (1u << integer));
    frac = integer < 16 ? frac << (16 - integer) : frac >> (integer - 16);
    const uint32_t seg = (uint32_t)frac >> 9;
    const int32_t c0 = log_lut[seg], c1 = log_lut[seg + 1];
    const int32_t rel = ((c1 - c0) * (frac - (int32_t)(seg << 9))) >> 16;
    const uint32_t log2 = (integer << 16) + (uint32_t)(frac + c0 + rel);
    const uint32_t loge = (uint32_t)(((uint64_t)45426 * log2 + 32768) >> 16);
    return (scale * loge + 32768) >> 16;
}

void dsp_filter_bank_log(const uint32_t *in, int32_t n, uint32_t scale, int correction_bits, int16_t *out) {
    for (int32_t i = 0; i < n; i++) {
        uint32_t x = in[i] << correction_bits;
        uint32_t v = x > 1 ? dsp_log32(x, scale) : 0;
        out[i] = (int16_t)(v < 32767 ? v : 32767);
    }
}
