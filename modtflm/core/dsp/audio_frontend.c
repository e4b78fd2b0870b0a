// The audio micro frontend: configuration and stream buffering (see
// audio_frontend.h). The op computes its tables once, with double-precision cos
// and log1p and single-precision powf; a board's libm may lack the double
// ones or round differently, so the few functions needed here are computed
// in double with plain arithmetic (IEEE double is the same everywhere,
// software or not), accurate to about 1e-16, so the float and integer
// results they are rounded to equal those of the host's libm.
#include <string.h>

#include "audio_frontend.h"
#include "dsp.h"
#include "../support/fixedpoint.h"
#include "../tflm_config.h"

#if MICROPY_TFLM_FRONTEND

// Bit widths fixed by the micro frontend.
#define WINDOW_BITS (12)       // window coefficients, Q12
#define FILTERBANK_BITS (12)   // filterbank weights, Q12
#define NOISE_BITS (14)        // smoothing coefficients, Q14
#define PCAN_SNR_BITS (12)
#define PCAN_LUT_BITS (32)     // the gain LUT spans inputs of up to 32 bits
#define PCAN_LUT_SIZE (4 * PCAN_LUT_BITS - 3)
#define CHANNEL_BLOCK (4)      // filterbank channel widths are padded to this
#define INDEX_ALIGN (2)        // and their starts aligned to this (4 bytes of int16)

// Limits that keep every table index in 16 bits.
#define MAX_WINDOW (4096)
#define MAX_CHANNELS (256)

// Doubles from their exact binary form: with -fsingle-precision-constant a
// literal would be a float.
static double dbl_pi(void) {
    return (double)INT64_C(7074237752028440) / (double)(INT64_C(1) << 51);
}
static double dbl_ln2(void) {
    return (double)INT64_C(6243314768165359) / (double)(INT64_C(1) << 53);
}

static uint64_t dbl_bits(double d) {
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

// Whether adding term no longer changes sum (below a quarter of its last
// bit): the series below stop there.
static bool negligible(double term, double sum) {
    double scale = (double)1.0f / (double)(INT64_C(1) << 55);
    return (term < 0 ? -term : term) <= (sum < 0 ? -sum : sum) * scale;
}

// floor for |x| < 2^31.
static int32_t dbl_floor(double x) {
    int32_t t = (int32_t)x;
    return (double)t > x ? t - 1 : t;
}

// Series coefficients as the bits of their correctly rounded doubles (a
// literal would be a float): 1/k for odd k (1/n!: dsp_inv_fact_bits).
static const uint64_t inv_odd_bits[20] = {
    0x3ff0000000000000u, 0x3fd5555555555555u, 0x3fc999999999999au, 0x3fc2492492492492u,
    0x3fbc71c71c71c71cu, 0x3fb745d1745d1746u, 0x3fb3b13b13b13b14u, 0x3fb1111111111111u,
    0x3fae1e1e1e1e1e1eu, 0x3faaf286bca1af28u, 0x3fa8618618618618u, 0x3fa642c8590b2164u,
    0x3fa47ae147ae147bu, 0x3fa2f684bda12f68u, 0x3fa1a7b9611a7b96u, 0x3fa0842108421084u,
    0x3f9f07c1f07c1f08u, 0x3f9d41d41d41d41du, 0x3f9bacf914c1bad0u, 0x3f9a41a41a41a41au,
};

// Natural log of u > 0 (finite): u = m * 2^e with m in [0.707, 1.414),
// log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172.
static double dbl_log(double u) {
    uint64_t b = dbl_bits(u);
    int e = (int)((b >> 52) & 0x7ff) - 1023;
    double m = dsp_double_from_bits((b & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1023) << 52));
    if (m > (double)1.4142135f) {
        m *= (double)0.5f;
        e++;
    }
    double s = (m - 1) / (m + 1);
    double s2 = s * s;
    double term = s;
    double sum = 0;
    for (int k = 0; k < 20; k++) {
        double t = term * dsp_double_from_bits(inv_odd_bits[k]);
        sum += t;
        if (negligible(t, sum)) {
            break;
        }
        term *= s2;
    }
    return (double)e * dbl_ln2() + 2 * sum;
}

// log(1 + x) for x >= 0, the rounding of 1 + x corrected.
static double dbl_log1p(double x) {
    double u = 1 + x;
    if (u == 1) {
        return x;
    }
    return dbl_log(u) * (x / (u - 1));
}

// e^t for |t| < 700: t = k ln2 + r, |r| <= ln2 / 2.
static double dbl_exp(double t) {
    double kd = t / dbl_ln2();
    int k = (int)(kd < 0 ? kd - (double)0.5f : kd + (double)0.5f);
    double r = t - (double)k * dbl_ln2();
    double sum = 1, p = 1;
    for (int n = 1; n < 26; n++) {
        p *= r;
        double term = p * dsp_double_from_bits(dsp_inv_fact_bits[n]);
        sum += term;
        if (negligible(term, sum)) {
            break;
        }
    }
    // Scale by 2^k in the exponent field (no subnormals: |k| < 1010).
    return sum * dsp_double_from_bits((uint64_t)(1023 + k) << 52);
}

// cos(x) for 0 <= x <= 2 pi, from Taylor series on [0, pi/4].
static double dbl_cos(double x) {
    double pi = dbl_pi();
    if (x > pi) {
        x = 2 * pi - x;
    }
    double sign = 1;
    if (x > pi / 2) {
        x = pi - x;
        sign = -1;
    }
    // cos(x) on [0, pi/4], else sin(pi/2 - x): the terms y^n / n! of even
    // (cos) or odd (sin) n, alternating in sign.
    bool use_sin = x > pi / 4;
    double y = use_sin ? pi / 2 - x : x;
    double y2 = y * y;
    double p = use_sin ? y : 1;
    double sum = 0;
    for (int n = use_sin ? 1 : 0; n < 26; n += 2) {
        double term = p * dsp_double_from_bits(dsp_inv_fact_bits[n]);
        sum += (n / 2) & 1 ? -term : term;
        if (negligible(term, sum)) {
            break;
        }
        p *= y2;
    }
    return sign * sum;
}

// The op's helpers, each with its own mix of float and double arithmetic.
static float freq_to_mel(float freq) {
    return (float)(1127 * dbl_log1p((double)freq / 700));
}

// powf rounded from the exact power (the host's powf is correctly rounded
// for these arguments).
static float pow_f(float x, float p) {
    return (float)dbl_exp((double)p * dbl_log((double)x));
}

// Bits needed for x (0 for 0).
static int msb32(uint32_t x) {
    return 32 - fxp_clz32(x);
}

static inline int16_t *block16(void *block, uint32_t off) {
    return (int16_t *)((uint8_t *)block + off);
}

void tflm_frontend_defaults(tflm_frontend_config_t *cfg) {
    cfg->sample_rate = 16000;
    cfg->window_ms = 30;
    cfg->step_ms = 20;
    cfg->channels = 40;
    cfg->upper_band_limit = 7500.0f;
    cfg->lower_band_limit = 125.0f;
    cfg->smoothing_bits = 10;
    cfg->even_smoothing = 0.025f;
    cfg->odd_smoothing = 0.06f;
    cfg->min_signal_remaining = 0.05f;
    cfg->enable_pcan = true;
    cfg->pcan_strength = 0.95f;
    cfg->pcan_offset = 80.0f;
    cfg->gain_bits = 21;
    cfg->enable_log = true;
    cfg->scale_shift = 6;
    cfg->out_scale = 1;
}

// The filterbank's channel layout (the op's): channel c (of channels + 1;
// the first only feeds the second's unweighted half) takes the FFT bins
// whose mel frequency is at most its centre, from where the previous one
// stopped. Each channel's run of weights is widened to start on an aligned
// bin and to a multiple of CHANNEL_BLOCK; a channel with no bins reads
// CHANNEL_BLOCK zero weights at the front. Fills the three int16 tables
// (bin start, weight start, width) if chan is given, the bins each channel
// really has if actual is given (int16[2 * (channels + 1)]: start, count),
// and returns the number of weights, or -1 if the bins run past the
// spectrum. The three tables are consecutive, channels + 1 entries each.
typedef struct {
    float hz_per_bin;
    int start_index;
    float mel_low;
    float mel_spacing;
} bank_geom_t;

static float center_mel(const bank_geom_t *g, int c) {
    return g->mel_low + g->mel_spacing * (float)(c + 1);
}

static bank_geom_t bank_geometry(const tflm_frontend_config_t *cfg, int spectrum_size) {
    bank_geom_t g;
    g.mel_low = freq_to_mel(cfg->lower_band_limit);
    float mel_span = freq_to_mel(cfg->upper_band_limit) - g.mel_low;
    g.mel_spacing = mel_span / (float)(cfg->channels + 1);
    g.hz_per_bin = (float)((double)0.5f * (double)cfg->sample_rate / (double)((float)spectrum_size - 1.0f));
    g.start_index = (int)((double)1.5f + (double)(cfg->lower_band_limit / g.hz_per_bin));
    return g;
}

static int32_t bank_layout(const tflm_frontend_config_t *cfg, const bank_geom_t *g, int spectrum_size,
    int16_t *chan, int16_t *actual, int *end_index) {
    int n = cfg->channels + 1;
    int start = g->start_index;
    int32_t weights = 0;
    bool zeros = false;
    *end_index = 0;
    for (int c = 0; c < n; c++) {
        int f = start;
        float center = center_mel(g, c);
        // Bounded: the bins past the spectrum fail below.
        while (f <= spectrum_size && freq_to_mel((float)f * g->hz_per_bin) <= center) {
            f++;
        }
        int width = f - start;
        if (actual) {
            actual[2 * c] = (int16_t)start;
            actual[2 * c + 1] = (int16_t)width;
        }
        int16_t bin = 0, wstart = 0, wwidth = CHANNEL_BLOCK;
        if (width == 0) {
            if (!zeros) {
                // The zero weights go first: the earlier channels move up.
                zeros = true;
                if (chan) {
                    for (int j = 0; j < c; j++) {
                        chan[n + j] += CHANNEL_BLOCK;
                    }
                }
                weights += CHANNEL_BLOCK;
            }
        } else {
            int aligned = start / INDEX_ALIGN * INDEX_ALIGN;
            int padded = ((start - aligned + width - 1) / CHANNEL_BLOCK + 1) * CHANNEL_BLOCK;
            bin = (int16_t)aligned;
            wstart = (int16_t)weights;
            wwidth = (int16_t)padded;
            weights += padded;
        }
        if (f > *end_index) {
            *end_index = f;
        }
        if (chan) {
            chan[c] = bin;
            chan[n + c] = wstart;
            chan[2 * n + c] = wwidth;
        }
        start = f;
    }
    // The op also requires the aligned runs to stay in the spectrum (they
    // read up to 3 bins before a channel's first and past its last).
    return *end_index >= spectrum_size ? -1 : weights;
}

// The op's PCAN gain at x (noise estimate with input_bits fraction bits).
static int16_t pcan_gain(const tflm_frontend_config_t *cfg, int input_bits, uint32_t x) {
    float xf = (float)x / (float)((uint32_t)1 << input_bits);
    float gain = (float)((uint32_t)1 << cfg->gain_bits) * pow_f(xf + cfg->pcan_offset, -cfg->pcan_strength);
    if (gain > 32767.0f) {
        return 32767;
    }
    return (int16_t)(gain + 0.5f);
}

static bool in_unit(float x) {
    return x >= 0.0f && x <= 1.0f;
}

static uint32_t align8(uint32_t n) {
    return (n + 7u) & ~7u;
}

static int fft_size_for(int window) {
    int n = 1;
    while (n < window) {
        n <<= 1;
    }
    return n;
}

// Lays out the block into fe; returns its size, or 0 with *msg set.
static uint32_t layout(const tflm_frontend_config_t *cfg, tflm_frontend_t *fe, const char **msg) {
    memset(fe, 0, sizeof(*fe));
    *msg = NULL;
    // (so window_ms * sample_rate stays in 32 bits, as in the op)
    if (cfg->sample_rate <= 0 || cfg->sample_rate > 192000) {
        *msg = "sample_rate must be 1..192000";
        return 0;
    }
    if (cfg->window_ms <= 0 || cfg->step_ms <= 0 || cfg->window_ms > 10000 || cfg->step_ms > cfg->window_ms) {
        *msg = "need 0 < step_ms <= window_ms";
        return 0;
    }
    int window = (int)(cfg->window_ms * cfg->sample_rate / 1000);
    int step = (int)(cfg->step_ms * cfg->sample_rate / 1000);
    if (window < 3 || step < 1 || window > MAX_WINDOW) {
        *msg = "window must be 3..4096 samples, step at least 1";
        return 0;
    }
    if (cfg->channels < 1 || cfg->channels > MAX_CHANNELS) {
        *msg = "channels must be 1..256";
        return 0;
    }
    if (!(cfg->lower_band_limit >= 0.0f) || !(cfg->upper_band_limit > cfg->lower_band_limit)
        || !(cfg->upper_band_limit <= (float)cfg->sample_rate)) {
        *msg = "need 0 <= lower_band_limit < upper_band_limit";
        return 0;
    }
    if (cfg->smoothing_bits < 0 || cfg->smoothing_bits > 16) {
        *msg = "smoothing_bits must be 0..16";
        return 0;
    }
    if (!in_unit(cfg->even_smoothing) || !in_unit(cfg->odd_smoothing) || !in_unit(cfg->min_signal_remaining)) {
        *msg = "smoothing and min_signal_remaining must be in [0, 1]";
        return 0;
    }
    if (cfg->scale_shift < 0 || cfg->scale_shift > 16) {
        *msg = "scale_shift must be 0..16";
        return 0;
    }
    if (cfg->out_scale < 1) {
        *msg = "out_scale must be at least 1";
        return 0;
    }
    int fft = fft_size_for(window);
    int correction = msb32((uint32_t)fft) - 1 - FILTERBANK_BITS / 2;
    if (cfg->enable_pcan) {
        int input_bits = cfg->smoothing_bits - correction;
        int snr_shift = cfg->gain_bits - correction - PCAN_SNR_BITS;
        if (cfg->gain_bits < 0 || cfg->gain_bits > 31 || input_bits < 0 || snr_shift < 0 || snr_shift > 63) {
            *msg = "gain_bits or smoothing_bits out of range for this window";
            return 0;
        }
        // Finite positive bases and exponents keep the gains finite.
        if (!(cfg->pcan_offset > 0.0f && cfg->pcan_offset < 1e30f) || !(cfg->pcan_strength >= 0.0f && cfg->pcan_strength < 1e3f)) {
            *msg = "need pcan_offset > 0 and 0 <= pcan_strength";
            return 0;
        }
        fe->snr_shift = (uint8_t)snr_shift;
    }
    int spectrum = fft / 2 + 1;
    bank_geom_t g = bank_geometry(cfg, spectrum);
    int end_index;
    int32_t n_weights = bank_layout(cfg, &g, spectrum, NULL, NULL, &end_index);
    if (n_weights < 0) {
        *msg = "upper_band_limit is above the spectrum";
        return 0;
    }
    fe->window = (uint16_t)window;
    fe->step = (uint16_t)step;
    fe->fft_size = (uint16_t)fft;
    fe->channels = (uint16_t)cfg->channels;
    fe->start_index = (uint16_t)g.start_index;
    fe->end_index = (uint16_t)end_index;
    fe->n_weights = (uint16_t)n_weights;
    fe->smoothing_bits = (uint8_t)cfg->smoothing_bits;
    fe->enable_pcan = cfg->enable_pcan;
    fe->enable_log = cfg->enable_log;
    fe->scale_shift = (uint8_t)cfg->scale_shift;
    fe->correction_bits = (int8_t)correction;
    // The op truncates these products to integers.
    fe->even_smoothing = (uint16_t)(cfg->even_smoothing * (float)(1 << NOISE_BITS));
    fe->odd_smoothing = (uint16_t)(cfg->odd_smoothing * (float)(1 << NOISE_BITS));
    fe->min_signal_remaining = (uint16_t)(cfg->min_signal_remaining * (float)(1 << NOISE_BITS));
    fe->out_scale = cfg->out_scale;

    uint32_t n = cfg->channels + 1;
    uint32_t off = 0;
    fe->o_work = off;
    off = align8(off + n * 8);
    fe->o_estimate = off;
    off = align8(off + (n - 1) * 4);
    fe->o_feat = off;
    off = align8(off + (n - 1) * 8);
    fe->o_out = off;
    off = align8(off + (n - 1) * 2);
    fe->o_coef = off;
    off = align8(off + window * 2);
    fe->o_input = off;
    off = align8(off + window * 2);
    fe->o_fft_in = off;
    off = align8(off + fft * 2);
    fe->o_fft_out = off;
    off = align8(off + (fft / 2 + 1) * (uint32_t)sizeof(dsp_cpx16_t));
    fe->o_fft_work = off;
    off = align8(off + (fft / 2) * (uint32_t)sizeof(dsp_cpx16_t));
    // The filterbank's padded runs read up to CHANNEL_BLOCK - 1 bins past
    // the last one computed (with zero weights): kept zero.
    fe->o_energy = off;
    off = align8(off + (fft / 2 + 1 + CHANNEL_BLOCK) * 4);
    fe->o_fft_state = off;
    off = align8(off + (uint32_t)dsp_fft_state_bytes(fft, DSP_FFT_INT16));
    fe->o_chan = off;
    off = align8(off + 3 * n * 2);
    fe->o_weights = off;
    off = align8(off + n_weights * 2);
    fe->o_unweights = off;
    off = align8(off + n_weights * 2);
    fe->o_gain_lut = off;
    off = align8(off + (cfg->enable_pcan ? PCAN_LUT_SIZE * 2 : 0));
    fe->bytes = off;
    return off;
}

tflm_status_t tflm_frontend_size(const tflm_frontend_config_t *cfg, size_t *bytes, const char **msg) {
    tflm_frontend_t fe;
    *bytes = layout(cfg, &fe, msg);
    return *bytes ? TFLM_OK : TFLM_ERR_VALUE;
}

static void init_window(const tflm_frontend_t *fe, int16_t *coef) {
    // The op: arg in float, the rest in double, then float, then rounded.
    float arg = (float)(2 * dbl_pi() / (double)(float)fe->window);
    for (int i = 0; i < fe->window; i++) {
        float v = (float)((double)0.5f - (double)0.5f * dbl_cos((double)arg * ((double)i + (double)0.5f)));
        coef[i] = (int16_t)dbl_floor((double)v * (double)(1 << WINDOW_BITS) + (double)0.5f);
    }
}

static void init_weights(const tflm_frontend_t *fe, void *block, const tflm_frontend_config_t *cfg) {
    int n = cfg->channels + 1;
    int spectrum = fe->fft_size / 2 + 1;
    bank_geom_t g = bank_geometry(cfg, spectrum);
    int16_t *chan = block16(block, fe->o_chan);
    int16_t *w = block16(block, fe->o_weights);
    int16_t *uw = block16(block, fe->o_unweights);
    // The bins each channel really has, in the weights' place until they
    // are written (the weights array is never shorter: each channel's run
    // is at least its width).
    int16_t actual[2 * (MAX_CHANNELS + 1)];
    int end_index;
    bank_layout(cfg, &g, spectrum, chan, actual, &end_index);
    memset(w, 0, fe->n_weights * 2u);
    memset(uw, 0, fe->n_weights * 2u);
    for (int c = 0; c < n; c++) {
        int f = actual[2 * c];
        int count = actual[2 * c + 1];
        int base = chan[n + c] + (f - chan[c]);
        float center = center_mel(&g, c);
        float lower = c == 0 ? g.mel_low : center_mel(&g, c - 1);
        for (int j = 0; j < count; j++, f++) {
            float weight = (center - freq_to_mel((float)f * g.hz_per_bin)) / (center - lower);
            w[base + j] = (int16_t)dbl_floor((double)(weight * (float)(1 << FILTERBANK_BITS)) + (double)0.5f);
            uw[base + j] = (int16_t)dbl_floor((1 - (double)weight) * (double)(1 << FILTERBANK_BITS) + (double)0.5f);
        }
    }
}

// PCAN's gain LUT: gain(0), gain(1), then for each power-of-two interval
// [2^(i-1), 2^i) a quadratic through its start, middle and end.
static void init_gain_lut(const tflm_frontend_t *fe, void *block, const tflm_frontend_config_t *cfg) {
    int16_t *lut = block16(block, fe->o_gain_lut);
    int input_bits = cfg->smoothing_bits - fe->correction_bits;
    lut[0] = pcan_gain(cfg, input_bits, 0);
    lut[1] = pcan_gain(cfg, input_bits, 1);
    for (int i = 2; i <= PCAN_LUT_BITS; i++) {
        uint32_t x0 = (uint32_t)1 << (i - 1);
        uint32_t x1 = x0 + (x0 >> 1);
        uint32_t x2 = i == PCAN_LUT_BITS ? x0 + (x0 - 1) : 2 * x0;
        int32_t y0 = pcan_gain(cfg, input_bits, x0);
        int32_t y1 = pcan_gain(cfg, input_bits, x1);
        int32_t y2 = pcan_gain(cfg, input_bits, x2);
        int32_t a1 = 4 * (y1 - y0) - (y2 - y0);
        int32_t a2 = (y2 - y0) - a1;
        int16_t *seg = lut + 4 * i - 6;
        seg[0] = (int16_t)y0;
        seg[1] = (int16_t)a1;
        seg[2] = (int16_t)a2;
        if (i < PCAN_LUT_BITS) {
            seg[3] = 0;
        }
    }
}

void tflm_frontend_init(tflm_frontend_t *fe, void *block, const tflm_frontend_config_t *cfg) {
    const char *msg;
    layout(cfg, fe, &msg);
    memset(block, 0, fe->bytes);
    init_window(fe, block16(block, fe->o_coef));
    dsp_fft_init(fe->fft_size, DSP_FFT_INT16, (uint8_t *)block + fe->o_fft_state);
    init_weights(fe, block, cfg);
    if (fe->enable_pcan) {
        init_gain_lut(fe, block, cfg);
    }
    tflm_frontend_reset(fe, block);
}

void tflm_frontend_reset(tflm_frontend_t *fe, void *block) {
    fe->used = 0;
    memset(block16(block, fe->o_input), 0, fe->window * 2u);
    memset((uint8_t *)block + fe->o_estimate, 0, fe->channels * 4u);
}

size_t tflm_frontend_frames_for(const tflm_frontend_t *fe, size_t n) {
    size_t have = fe->used + n;
    return have < fe->window ? 0 : (have - fe->window) / fe->step + 1;
}

// micro_speech's int8 input: feature * 256 / 666 rounded, less 128 (666 is
// 25.6 * 26.0 rounded: its features were divided by 25.6 in training and
// quantized over [0, 26]).
static int8_t to_int8(uint32_t v) {
    int32_t q = (int32_t)((v * 256 + 333) / 666) - 128;
    return (int8_t)(q > 127 ? 127 : q);
}

// One frame from the window's samples (the op's FrontendProcessSamples once
// the window is full): its features, `channels` values, in the work array.
static uint16_t *frame(tflm_frontend_t *fe, void *block) {
    int16_t *fft_in = block16(block, fe->o_fft_in);
    dsp_cpx16_t *bins = (dsp_cpx16_t *)((uint8_t *)block + fe->o_fft_out);
    uint32_t *energy = (uint32_t *)((uint8_t *)block + fe->o_energy);
    uint64_t *work = (uint64_t *)((uint8_t *)block + fe->o_work);
    uint32_t *root = (uint32_t *)((uint8_t *)block + fe->o_feat);
    uint32_t *feat = root + fe->channels;
    uint16_t *out = (uint16_t *)((uint8_t *)block + fe->o_out);
    const int16_t *chan = block16(block, fe->o_chan);
    int n = fe->channels;

    dsp_window(block16(block, fe->o_input), block16(block, fe->o_coef), fe->window, WINDOW_BITS, fft_in);
    int shift = dsp_fft_auto_scale_frontend(fft_in, fe->window, fft_in);
    // (the zero padding past the window stays zero from init)
    dsp_rfft16((uint8_t *)block + fe->o_fft_state, fe->fft_size, fft_in, bins,
        (dsp_cpx16_t *)((uint8_t *)block + fe->o_fft_work));
    dsp_energy(bins, fe->start_index, fe->end_index, energy);
    dsp_filter_bank(energy, block16(block, fe->o_weights), block16(block, fe->o_unweights),
        chan, chan + n + 1, chan + 2 * (n + 1), n, work);
    dsp_filter_bank_sqrt(work, n, shift, root);
    uint32_t *noise = (uint32_t *)((uint8_t *)block + fe->o_estimate);
    dsp_spectral_sub_t sub = {
        .smoothing = fe->even_smoothing,
        .one_minus_smoothing = (1u << NOISE_BITS) - fe->even_smoothing,
        .alt_smoothing = fe->odd_smoothing,
        .alt_one_minus_smoothing = (1u << NOISE_BITS) - fe->odd_smoothing,
        .min_remaining = fe->min_signal_remaining,
        .smoothing_bits = fe->smoothing_bits,
        .bits = NOISE_BITS,
        .clamping = false, // the op clamps the estimate it subtracts, not the one it keeps
    };
    dsp_spectral_subtraction(&sub, root, n, feat, noise);
    if (fe->enable_pcan) {
        dsp_pcan(feat, noise, block16(block, fe->o_gain_lut), n, fe->snr_shift, feat);
    }
    // The log of the features rescaled to undo the FFT's 1/fft_size;
    // uint16 out (the signal library's log stops at int16).
    int corr = fe->correction_bits;
    for (int c = 0; c < n; c++) {
        uint32_t v = feat[c];
        if (fe->enable_log) {
            v = corr < 0 ? v >> -corr : v << corr;
            v = v > 1 ? dsp_log32(v, (uint32_t)1 << fe->scale_shift) : 0;
        }
        out[c] = (uint16_t)(v < 0xffff ? v : 0xffff);
    }
    return out;
}

bool tflm_frontend_push(tflm_frontend_t *fe, void *block, const uint8_t *pcm, size_t n,
    size_t *used, void *out, tflm_frontend_out_t type) {
    int16_t *input = block16(block, fe->o_input);
    size_t take = fe->window - fe->used;
    if (take > n) {
        take = n;
    }
    for (size_t i = 0; i < take; i++) {
        input[fe->used + i] = (int16_t)(pcm[2 * i] | (pcm[2 * i + 1] << 8));
    }
    fe->used += take;
    *used = take;
    if (fe->used < fe->window) {
        return false;
    }
    const uint16_t *features = frame(fe, block);
    // The window moves on by one step.
    memmove(input, input + fe->step, (fe->window - fe->step) * 2u);
    fe->used -= fe->step;
    for (int c = 0; c < fe->channels; c++) {
        uint32_t v = features[c] / (uint32_t)fe->out_scale;
        if (type == TFLM_FRONTEND_INT8) {
            ((int8_t *)out)[c] = to_int8(v);
        } else {
            ((uint16_t *)out)[c] = (uint16_t)v;
        }
    }
    return true;
}

#endif // MICROPY_TFLM_FRONTEND
