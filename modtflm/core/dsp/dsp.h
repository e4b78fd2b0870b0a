// The audio front end's per-frame arithmetic as plain C on arrays: what
// TFLM's signal library (signal/src) computes, to the bit, with no tensor
// or kernel types, so the signal custom ops (kernels/signal.c) and any
// other caller run the same code.
//
// Conventions: `n` counts elements; no function allocates; a function that
// needs working memory takes it as an argument of the stated size; inputs
// and outputs may not overlap unless a comment says so. Nothing here checks
// its arguments: the caller (a kernel's prepare) has.
#ifndef TFLM_CORE_DSP_DSP_H
#define TFLM_CORE_DSP_DSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

// ---------------------------------------------------------------------------
// Real FFT with kissfft's arithmetic (the version TFLM builds, 1.3.0): a
// complex FFT of n/2 points (radix 4 stages, then one radix 2 when n/2 is
// not a power of 4) over the even/odd samples packed as (re, im), then the
// split into n/2 + 1 bins.
//
// int16 (Q15, kissfft FIXED_POINT 16): every butterfly stage divides by its
// radix, and the split by 2, with rounding (x * (32767 / radix) + 2^14) >>
// 15, so the output is the DFT scaled by 1/n (no overflow for any input);
// sums wrap to int16 as kissfft's do. int32 (Q31, FIXED_POINT 32): the same
// with 64-bit products. float: no scaling (the plain DFT).
//
// n: the real length, a power of two from 4 to 2^15 (dsp_fft_length_ok).
// state: dsp_fft_state_bytes(n, elem) bytes, 4-aligned, filled once by
// dsp_fft_init (the twiddles: n/2 + n/4 complex values of the type); read
// only afterwards, so one state serves any number of transforms.
// work: n/2 complex values of the type, scratch (contents not kept).
typedef struct {
    int16_t re, im;
} dsp_cpx16_t;
typedef struct {
    int32_t re, im;
} dsp_cpx32_t;
typedef struct {
    float re, im;
} dsp_cpxf_t;

typedef enum {
    DSP_FFT_INT16,
    DSP_FFT_INT32,
    DSP_FFT_FLOAT,
} dsp_fft_type_t;

bool dsp_fft_length_ok(int32_t n);
size_t dsp_fft_state_bytes(int32_t n, dsp_fft_type_t type);
void dsp_fft_init(int32_t n, dsp_fft_type_t type, void *state);

// Forward: n real samples -> n/2 + 1 bins (bin 0 and bin n/2 have a zero
// imaginary part). Inverse (kiss_fftri): n/2 + 1 bins -> n real samples,
// unnormalized (float: n times the signal; int16/int32: the scalings of the
// forward transform, i.e. the signal itself for a forward transform's
// output, up to rounding).
void dsp_rfft16(const void *state, int32_t n, const int16_t *in, dsp_cpx16_t *out, dsp_cpx16_t *work);
void dsp_irfft16(const void *state, int32_t n, const dsp_cpx16_t *in, int16_t *out, dsp_cpx16_t *work);
void dsp_rfft32(const void *state, int32_t n, const int32_t *in, dsp_cpx32_t *out, dsp_cpx32_t *work);
void dsp_irfft32(const void *state, int32_t n, const dsp_cpx32_t *in, int32_t *out, dsp_cpx32_t *work);
void dsp_rfftf(const void *state, int32_t n, const float *in, dsp_cpxf_t *out, dsp_cpxf_t *work);
void dsp_irfftf(const void *state, int32_t n, const dsp_cpxf_t *in, float *out, dsp_cpxf_t *work);

// ---------------------------------------------------------------------------
// Window: out[i] = saturate_int16((in[i] * window[i]) >> shift), shift in
// [0, 31] (the window is in Q`shift`; TFLM's models: Q12). `out` may be `in`.
void dsp_window(const int16_t *in, const int16_t *window, int32_t n, int shift, int16_t *out);

// FFT auto scale: shifts every sample left by the largest amount that keeps
// the largest magnitude within 15 bits and returns that amount (0 to 14; 0
// for all-zero input, and as TFLM's, 0 or less than it could be when a
// sample is -32768); out = in * 2^shift. `out` may be `in`.
int dsp_fft_auto_scale(const int16_t *in, int32_t n, int16_t *out);
// The same as TensorFlow's audio micro frontend (tflm.AudioFrontend) scales:
// -32768 samples do not count towards the largest magnitude (its int16
// negation wraps), and all-zero input shifts by 15.
int dsp_fft_auto_scale_frontend(const int16_t *in, int32_t n, int16_t *out);

// Energy: out[i] = re^2 + im^2 of bin i for i in [start, end); the rest of
// `out` is not written.
void dsp_energy(const dsp_cpx16_t *in, int32_t start, int32_t end, uint32_t *out);

// Filter bank (mel): for each of channels + 1 bands b, `widths[b]` energy
// bins from `freq_starts[b]` weighted by weights[weight_starts[b] + j] (the
// band's rising edge into channel b) and unweights[...] (its falling edge
// into channel b + 1), Q12 in TFLM's models; 64-bit sums, wrapping.
// out: `channels` sums (band 0's weighted sum, a padding band, is dropped).
// The caller has checked every index against its array.
void dsp_filter_bank(const uint32_t *energy, const int16_t *weights, const int16_t *unweights,
    const int16_t *freq_starts, const int16_t *weight_starts, const int16_t *widths, int32_t channels,
    uint64_t *out);

// Square root: out[i] = round(sqrt(in[i])) >> shift, TFLM's bitwise integer
// square root (values below 2^32 take its 16-bit path, which saturates at
// 65535); shift in [0, 31].
uint32_t dsp_sqrt64(uint64_t x);
void dsp_filter_bank_sqrt(const uint64_t *in, int32_t n, int shift, uint32_t *out);

// Spectral subtraction: a per-channel noise estimate, low-pass filtered
// with `smoothing` (even channels) or `alt_smoothing` (odd) and their one
// minus in Q`bits`, `smoothing_bits` extra fraction bits in the estimate;
// out = signal - estimate, at least signal * min_remaining (Q`bits`).
// `noise` (n values) is the state, zero at start, updated in place.
typedef struct {
    uint32_t smoothing;
    uint32_t one_minus_smoothing;
    uint32_t alt_smoothing;
    uint32_t alt_one_minus_smoothing;
    uint32_t min_remaining;
    int32_t smoothing_bits;  // [0, 31]
    int32_t bits;            // spectral_subtraction_bits, [0, 63]
    bool clamping;           // the estimate never exceeds the signal
} dsp_spectral_sub_t;
void dsp_spectral_subtraction(const dsp_spectral_sub_t *cfg, const uint32_t *in, int32_t n, uint32_t *out,
    uint32_t *noise);

// PCAN (per-channel amplitude normalization, auto gain): gain =
// lut-interpolated wide dynamic function of noise[i]; snr = (in * gain) >>
// snr_shift; out = shrink(snr) (x^2/4 below 2, x - 1 above, 12 fraction
// bits in, 6 out). lut: TFLM's gain table, DSP_PCAN_LUT_LEN entries (any
// uint32 noise level reads within them). `out` may be `in`.
#define DSP_PCAN_LUT_LEN (125)
void dsp_pcan(const uint32_t *in, const uint32_t *noise, const int16_t *lut, int32_t n, int snr_shift,
    uint32_t *out);

// Log: out[i] = min(32767, log(in[i] << correction_bits) * scale / 2^16)
// with TFLM's fixed-point log (0 when the shifted value is 0 or 1).
uint32_t dsp_log32(uint32_t x, uint32_t scale);
void dsp_filter_bank_log(const uint32_t *in, int32_t n, uint32_t scale, int correction_bits, int16_t *out);

// Doubles from their exact binary form: the core builds with
// -fsingle-precision-constant, which would make a written 0.785... a float.
static inline double dsp_double_from_bits(uint64_t bits) {
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

// 1/n! for n = 0 .. 25 as the bits of their correctly rounded doubles: the
// Taylor series of the FFT's twiddles (fft.c) and of AudioFrontend's
// window and PCAN tables (audio_frontend.c).
#define DSP_INV_FACT_N (26)
extern const uint64_t dsp_inv_fact_bits[DSP_INV_FACT_N];

#endif // TFLM_CORE_DSP_DSP_H
