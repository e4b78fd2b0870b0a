// TFLM's signal library custom ops (signal/micro/kernels), the audio
// front end of its micro_speech preprocessor models: SignalWindow,
// SignalFftAutoScale, SignalRfft, SignalIrfft, SignalEnergy,
// SignalFilterBank, SignalFilterBankSquareRoot,
// SignalFilterBankSpectralSubtraction, SignalPCAN, SignalFilterBankLog.
//
// The arithmetic is core/dsp (plain C on arrays, shared with other
// callers); these kernels check what the model supplies (options from the
// custom options flexbuffer, shapes, types, counts against tensor sizes,
// the filter bank's index tables) and run it. Where TFLM would read or
// write outside a tensor for a malformed model, prepare refuses the model
// (ValueError); TFLM's own checks are kept. Type mismatches are ValueError
// as in TFLM (TF_LITE_ENSURE_TYPES_EQ); an FFT length that is not a power
// of two is NotImplementedError (kissfft's other radixes are not built).
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_SIGNAL
#include <string.h>
#include "signal_ops.h"
#include "../dsp/dsp.h"

// Tensor t has `type` and rank `rank` (-1: any rank of at least 1).
static tflm_status_t want(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *t, const char *what,
    int type, int rank) {
    if (t->type != type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s is %s, expected %s", what, tflm_type_name(t->type),
            tflm_type_name(type));
    }
    if (rank >= 0 ? t->rank != rank : t->rank < 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s has rank %d, expected %d", what, (int)t->rank,
            rank < 0 ? 1 : rank);
    }
    // Constant tables are read in place, element by element.
    if ((t->flags & TFLM_T_CONST) && ((uintptr_t)t->data & (tflm_type_size(type) - 1))) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "misaligned constant %s", what);
    }
    return TFLM_OK;
}

// An option `v` in [lo, hi].
static tflm_status_t in_range(tflm_interp_t *ip, const tflm_node_t *node, const char *what, int32_t v, int32_t lo,
    int32_t hi) {
    if (v < lo || v > hi) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s %d is outside [%d, %d]", what, v, lo, hi);
    }
    return TFLM_OK;
}

// Tensor t holds `n` elements (what TFLM reads or writes there).
static tflm_status_t holds(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *t, const char *what,
    int32_t n) {
    if (tflm_elem_count(t) != n) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s holds %d values, expected %d", what,
            tflm_elem_count(t), n);
    }
    return TFLM_OK;
}

// ---- SignalWindow: in * window >> shift, the window over each frame.
typedef struct {
    int32_t shift;
    int32_t frames;
    int32_t width;
} window_data_t;

static const tflm_flex_option_t window_opts[] = {OPT(window_data_t, "shift", shift, I32, 0.0f)};

static tflm_status_t window_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    window_data_t *d = node->op_data;
    TRY(tflm_custom_options_read(ip, node, window_opts, N_OPTS(window_opts), d));
    TRY(in_range(ip, node, "shift", d->shift, 0, 31));
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *w = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    TRY(want(ip, node, in, "input", TFLM_INT16, -1));
    TRY(want(ip, node, w, "window", TFLM_INT16, 1));
    TRY(want(ip, node, out, "output", TFLM_INT16, in->rank));
    int32_t n = tflm_elem_count(in);
    d->width = w->dims[0];
    if (d->width < 1 || n % d->width) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input of %d values is not whole windows of %d", n, d->width);
    }
    d->frames = n / d->width;
    return holds(ip, node, out, "output", n);
}

static tflm_status_t window_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const window_data_t *d = node->op_data;
    const int16_t *in = i16(tflm_node_input(ip, node, 0)), *w = i16(tflm_node_input(ip, node, 1));
    int16_t *out = (int16_t *)(void *)tflm_node_output(ip, node, 0)->data;
    for (int32_t f = 0; f < d->frames; f++) {
        dsp_window(in + f * d->width, w, d->width, d->shift, out + f * d->width);
    }
    return TFLM_OK;
}

// ---- SignalFftAutoScale: the frame shifted up to use 15 bits, and the shift.
static tflm_status_t auto_scale_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0), *shift = tflm_node_output(ip, node, 1);
    TRY(want(ip, node, in, "input", TFLM_INT16, 1));
    TRY(want(ip, node, out, "output", TFLM_INT16, 1));
    TRY(want(ip, node, shift, "scale output", TFLM_INT32, 0));
    return holds(ip, node, out, "output", tflm_elem_count(in));
}

static tflm_status_t auto_scale_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    int32_t *shift = (int32_t *)(void *)tflm_node_output(ip, node, 1)->data;
    *shift = dsp_fft_auto_scale(i16(in), in->dims[0], (int16_t *)(void *)out->data);
    return TFLM_OK;
}

// ---- SignalRfft / SignalIrfft: per frame (the last dimension), kissfft's
// real FFT of fft_length points (zero-padded input) or its inverse.
typedef struct {
    int32_t type;        // option T: the tensor type
    int32_t fft_length;
    int32_t frames;
    int32_t in_len;      // per frame: samples (rfft) or complex bins (irfft)
    int32_t out_len;     // per frame: complex bins (rfft) or samples (irfft)
    void *state;         // twiddles (persistent)
} fft_data_t;

static const tflm_flex_option_t fft_opts[] = {
    OPT(fft_data_t, "T", type, I32, 0.0f),
    OPT(fft_data_t, "fft_length", fft_length, I32, 0.0f),
};

static dsp_fft_type_t fft_type(int type) {
    return type == TFLM_INT16 ? DSP_FFT_INT16 : type == TFLM_INT32 ? DSP_FFT_INT32 : DSP_FFT_FLOAT;
}

static size_t sample_bytes(int type) {
    return type == TFLM_INT16 ? 2 : 4;
}

// What SignalRfft and SignalIrfft share: options, types, ranks, frames.
static tflm_status_t fft_prepare_common(tflm_interp_t *ip, tflm_node_t *node, bool inverse) {
    fft_data_t *d = node->op_data;
    TRY(tflm_custom_options_read(ip, node, fft_opts, N_OPTS(fft_opts), d));
    if (d->type != TFLM_INT16 && d->type != TFLM_INT32 && d->type != TFLM_FLOAT32) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "FFT of type %s", tflm_type_name(d->type));
    }
    if (!dsp_fft_length_ok(d->fft_length)) {
        return tflm_op_fail(ip, node, d->fft_length < 2 ? TFLM_ERR_MODEL : TFLM_ERR_UNSUPPORTED,
            "fft_length %d (a power of two from 4 to 32768 is supported)", d->fft_length);
    }
    // int16 is these ops' own type: only a build without float32 kernels
    // (MICROPY_TFLM_TYPE_FLOAT32=0) refuses an FFT type, the float one.
    if (d->type == TFLM_FLOAT32 && !tflm_type_built(TFLM_FLOAT32)) {
        return tflm_check_type_built(ip, node, d->type);
    }
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *out = tflm_node_output(ip, node, 0);
    TRY(want(ip, node, in, "input", d->type, -1));
    TRY(want(ip, node, out, "output", d->type, in->rank));
    const int32_t bins = d->fft_length / 2 + 1;
    // Complex values are (re, im) pairs along the last dimension.
    int32_t in_last = in->dims[in->rank - 1], out_last = out->dims[out->rank - 1];
    if ((inverse ? in_last : out_last) % 2) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "complex %s's last dimension %d is odd",
            inverse ? "input" : "output", inverse ? in_last : out_last);
    }
    d->in_len = inverse ? in_last / 2 : in_last;
    d->out_len = inverse ? out_last : out_last / 2;
    if (d->in_len < 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input's last dimension is empty");
    }
    if (inverse ? d->in_len < bins || d->out_len < d->fft_length
                : d->in_len > d->fft_length || d->out_len < bins) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "frames of %d in, %d out do not fit fft_length %d",
            d->in_len, d->out_len, d->fft_length);
    }
    d->frames = tflm_elem_count(in) / in_last;
    if (tflm_elem_count(out) / out_last != d->frames) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input has %d frames, output %d", d->frames,
            tflm_elem_count(out) / out_last);
    }
    dsp_fft_type_t t = fft_type(d->type);
    d->state = tflm_alloc_persistent(ip, dsp_fft_state_bytes(d->fft_length, t));
    if (d->state == NULL) {
        return TFLM_ERR_ARENA;
    }
    dsp_fft_init(d->fft_length, t, d->state);
    // Scratch: the complex FFT's n/2 values (and the rfft's padded frame).
    node->scratch_size = (uint32_t)(d->fft_length * sample_bytes(d->type) * (inverse ? 1 : 2));
    return TFLM_OK;
}

static tflm_status_t rfft_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    return fft_prepare_common(ip, node, false);
}

static tflm_status_t irfft_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    return fft_prepare_common(ip, node, true);
}

static tflm_status_t rfft_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const fft_data_t *d = node->op_data;
    const uint8_t *in = tflm_node_input(ip, node, 0)->data;
    uint8_t *out = tflm_node_output(ip, node, 0)->data;
    const size_t es = sample_bytes(d->type), n = (size_t)d->fft_length;
    uint8_t *frame = node->scratch, *work = node->scratch + n * es;
    for (int32_t f = 0; f < d->frames; f++) {
        memcpy(frame, in + (size_t)f * (size_t)d->in_len * es, (size_t)d->in_len * es);
        memset(frame + (size_t)d->in_len * es, 0, (n - (size_t)d->in_len) * es);
        void *o = out + (size_t)f * (size_t)d->out_len * 2 * es;
        switch (d->type) {
            case TFLM_INT16:
                dsp_rfft16(d->state, d->fft_length, (const int16_t *)(void *)frame, o, (dsp_cpx16_t *)(void *)work);
                break;
            case TFLM_INT32:
                dsp_rfft32(d->state, d->fft_length, (const int32_t *)(void *)frame, o, (dsp_cpx32_t *)(void *)work);
                break;
            default:
                if (tflm_type_built(TFLM_FLOAT32)) { // (else refused in prepare, the code left out)
                    dsp_rfftf(d->state, d->fft_length, (const float *)(void *)frame, o, (dsp_cpxf_t *)(void *)work);
                }
                break;
        }
    }
    return TFLM_OK;
}

static tflm_status_t irfft_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const fft_data_t *d = node->op_data;
    const uint8_t *in = tflm_node_input(ip, node, 0)->data;
    uint8_t *out = tflm_node_output(ip, node, 0)->data;
    const size_t es = sample_bytes(d->type);
    for (int32_t f = 0; f < d->frames; f++) {
        const void *i = in + (size_t)f * (size_t)d->in_len * 2 * es;
        void *o = out + (size_t)f * (size_t)d->out_len * es;
        switch (d->type) {
            case TFLM_INT16:
                dsp_irfft16(d->state, d->fft_length, i, o, (dsp_cpx16_t *)(void *)node->scratch);
                break;
            case TFLM_INT32:
                dsp_irfft32(d->state, d->fft_length, i, o, (dsp_cpx32_t *)(void *)node->scratch);
                break;
            default: {
                if (!tflm_type_built(TFLM_FLOAT32)) {
                    break; // refused in prepare, the code left out
                }
                dsp_irfftf(d->state, d->fft_length, i, o, (dsp_cpxf_t *)(void *)node->scratch);
                // TFLM's float inverse divides kissfft's result by the length.
                float *x = o;
                for (int32_t k = 0; k < d->fft_length; k++) {
                    x[k] /= (float)d->fft_length;
                }
                break;
            }
        }
    }
    return TFLM_OK;
}

// ---- SignalEnergy: |bin|^2 for bins [start_index, end_index).
typedef struct {
    int32_t end;
    int32_t start;
} energy_data_t;

static const tflm_flex_option_t energy_opts[] = {
    OPT(energy_data_t, "end_index", end, I32, 0.0f),
    OPT(energy_data_t, "start_index", start, I32, 0.0f),
};

static tflm_status_t energy_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    energy_data_t *d = node->op_data;
    TRY(tflm_custom_options_read(ip, node, energy_opts, N_OPTS(energy_opts), d));
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *out = tflm_node_output(ip, node, 0);
    TRY(want(ip, node, in, "input", TFLM_INT16, 1));
    TRY(want(ip, node, out, "output", TFLM_UINT32, 1));
    int32_t bins = in->dims[0] / 2, room = out->dims[0] < bins ? out->dims[0] : bins;
    TRY(in_range(ip, node, "end_index", d->end, 0, room));
    return in_range(ip, node, "start_index", d->start, 0, d->end);
}

static tflm_status_t energy_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const energy_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    dsp_energy((const dsp_cpx16_t *)(const void *)in->data, d->start, d->end,
        (uint32_t *)(void *)tflm_node_output(ip, node, 0)->data);
    return TFLM_OK;
}

// ---- SignalFilterBank: mel channels from the energy spectrum.
typedef struct {
    int32_t channels;
} filter_bank_data_t;

static const tflm_flex_option_t filter_bank_opts[] = {
    OPT(filter_bank_data_t, "num_channels", channels, I32, 0.0f),
};

static const char *const filter_bank_inputs[6] = {
    "energy", "weights", "unweights", "channel frequency starts", "channel weight starts", "channel widths",
};

static tflm_status_t filter_bank_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    filter_bank_data_t *d = node->op_data;
    TRY(tflm_custom_options_read(ip, node, filter_bank_opts, N_OPTS(filter_bank_opts), d));
    TRY(in_range(ip, node, "num_channels", d->channels, 1, INT16_MAX));
    const tflm_tensor_t *t[6];
    for (int i = 0; i < 6; i++) {
        t[i] = tflm_node_input(ip, node, i);
        TRY(want(ip, node, t[i], filter_bank_inputs[i], i ? TFLM_INT16 : TFLM_UINT32, 1));
        // The tables are read here to check every index: they must be data
        // in the model.
        if (i >= 1 && !(t[i]->flags & TFLM_T_CONST)) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "%s not constant", filter_bank_inputs[i]);
        }
    }
    for (int i = 3; i < 6; i++) {
        if (tflm_elem_count(t[i]) < d->channels + 1) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s hold %d values, num_channels %d needs %d",
                filter_bank_inputs[i], tflm_elem_count(t[i]), d->channels, d->channels + 1);
        }
    }
    const int32_t bins = t[0]->dims[0];
    const int32_t weights = tflm_elem_count(t[1]) < tflm_elem_count(t[2]) ? tflm_elem_count(t[1])
                                                                           : tflm_elem_count(t[2]);
    for (int32_t b = 0; b <= d->channels; b++) {
        int32_t f = i16(t[3])[b], w = i16(t[4])[b], n = i16(t[5])[b];
        if (n < 0 || f < 0 || w < 0 || f + n > bins || w + n > weights) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL,
                "band %d (start %d, weights from %d, width %d) reaches outside %d bins or %d weights", b, f, w,
                n, bins, weights);
        }
    }
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    TRY(want(ip, node, out, "output", TFLM_UINT64, 1));
    return holds(ip, node, out, "output", d->channels);
}

static tflm_status_t filter_bank_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const filter_bank_data_t *d = node->op_data;
    dsp_filter_bank(u32(tflm_node_input(ip, node, 0)), i16(tflm_node_input(ip, node, 1)),
        i16(tflm_node_input(ip, node, 2)), i16(tflm_node_input(ip, node, 3)), i16(tflm_node_input(ip, node, 4)),
        i16(tflm_node_input(ip, node, 5)), d->channels, (uint64_t *)(void *)tflm_node_output(ip, node, 0)->data);
    return TFLM_OK;
}

// ---- SignalFilterBankSquareRoot: sqrt(channel) >> scale_bits (an input:
// in TFLM's models the FFT auto scale's shift).
static tflm_status_t sqrt_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *bits = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    TRY(want(ip, node, in, "input", TFLM_UINT64, 1));
    TRY(want(ip, node, bits, "scale bits", TFLM_INT32, 0));
    TRY(want(ip, node, out, "output", TFLM_UINT32, 1));
    if (bits->flags & TFLM_T_CONST) {
        int32_t v;
        memcpy(&v, bits->data, 4);
        TRY(in_range(ip, node, "scale bits", v, 0, 31));
    }
    return holds(ip, node, out, "output", in->dims[0]);
}

static tflm_status_t sqrt_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    int32_t bits;
    memcpy(&bits, tflm_node_input(ip, node, 1)->data, 4);
    uint32_t *out = (uint32_t *)(void *)tflm_node_output(ip, node, 0)->data;
    const uint64_t *x = (const uint64_t *)(const void *)in->data;
    if (bits >= 0 && bits < 32) {
        dsp_filter_bank_sqrt(x, in->dims[0], bits, out);
    } else {
        // A computed shift outside a 32-bit word (C leaves it undefined): none
        // of the root's bits are left.
        memset(out, 0, (size_t)in->dims[0] * 4);
    }
    return TFLM_OK;
}

// ---- SignalFilterBankSpectralSubtraction: noise estimate (state) and the
// signal less it; the estimate is also an output.
typedef struct {
    int32_t alt_one_minus_smoothing;
    int32_t alt_smoothing;
    bool clamping;
    int32_t min_remaining;
    int32_t channels;
    int32_t one_minus_smoothing;
    int32_t smoothing;
    int32_t smoothing_bits;
    int32_t bits;
    dsp_spectral_sub_t cfg;
} spectral_data_t;

static const tflm_flex_option_t spectral_opts[] = {
    OPT(spectral_data_t, "alternate_one_minus_smoothing", alt_one_minus_smoothing, I32, 0.0f),
    OPT(spectral_data_t, "alternate_smoothing", alt_smoothing, I32, 0.0f),
    OPT(spectral_data_t, "clamping", clamping, BOOL, 0.0f),
    OPT(spectral_data_t, "min_signal_remaining", min_remaining, I32, 0.0f),
    OPT(spectral_data_t, "num_channels", channels, I32, 0.0f),
    OPT(spectral_data_t, "one_minus_smoothing", one_minus_smoothing, I32, 0.0f),
    OPT(spectral_data_t, "smoothing", smoothing, I32, 0.0f),
    OPT(spectral_data_t, "smoothing_bits", smoothing_bits, I32, 0.0f),
    OPT(spectral_data_t, "spectral_subtraction_bits", bits, I32, 0.0f),
};

static tflm_status_t spectral_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    spectral_data_t *d = node->op_data;
    TRY(tflm_custom_options_read(ip, node, spectral_opts, N_OPTS(spectral_opts), d));
    TRY(in_range(ip, node, "smoothing_bits", d->smoothing_bits, 0, 31));
    TRY(in_range(ip, node, "spectral_subtraction_bits", d->bits, 0, 63));
    TRY(in_range(ip, node, "num_channels", d->channels, 1, INT32_MAX / 4));
    static const char *const names[3] = {"input", "output", "noise estimate output"};
    for (int i = 0; i < 3; i++) {
        const tflm_tensor_t *t = i ? tflm_node_output(ip, node, i - 1) : tflm_node_input(ip, node, 0);
        TRY(want(ip, node, t, names[i], TFLM_UINT32, 1));
        TRY(holds(ip, node, t, names[i], d->channels));
    }
    // TFLM reads the options as int32 into uint32 fields.
    d->cfg.smoothing = (uint32_t)d->smoothing;
    d->cfg.one_minus_smoothing = (uint32_t)d->one_minus_smoothing;
    d->cfg.alt_smoothing = (uint32_t)d->alt_smoothing;
    d->cfg.alt_one_minus_smoothing = (uint32_t)d->alt_one_minus_smoothing;
    d->cfg.min_remaining = (uint32_t)d->min_remaining;
    d->cfg.smoothing_bits = d->smoothing_bits;
    d->cfg.bits = d->bits;
    d->cfg.clamping = d->clamping;
    // The noise estimate: state kept across invokes, zeroed by reset().
    node->scratch_size = (uint32_t)d->channels * 4 | TFLM_SCRATCH_STATE;
    return TFLM_OK;
}

static tflm_status_t spectral_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const spectral_data_t *d = node->op_data;
    uint32_t *noise = (uint32_t *)(void *)node->scratch;
    dsp_spectral_subtraction(&d->cfg, u32(tflm_node_input(ip, node, 0)), d->channels,
        (uint32_t *)(void *)tflm_node_output(ip, node, 0)->data, noise);
    memcpy(tflm_node_output(ip, node, 1)->data, noise, (size_t)d->channels * 4);
    return TFLM_OK;
}

// ---- SignalPCAN: per-channel gain from the noise estimate.
typedef struct {
    int32_t snr_shift;
} pcan_data_t;

static const tflm_flex_option_t pcan_opts[] = {OPT(pcan_data_t, "snr_shift", snr_shift, I32, 0.0f)};

static tflm_status_t pcan_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    pcan_data_t *d = node->op_data;
    TRY(tflm_custom_options_read(ip, node, pcan_opts, N_OPTS(pcan_opts), d));
    TRY(in_range(ip, node, "snr_shift", d->snr_shift, 0, 63));
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *noise = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *lut = tflm_node_input(ip, node, 2), *out = tflm_node_output(ip, node, 0);
    TRY(want(ip, node, in, "input", TFLM_UINT32, 1));
    TRY(want(ip, node, noise, "noise estimate", TFLM_UINT32, 1));
    TRY(want(ip, node, lut, "gain lut", TFLM_INT16, 1));
    TRY(want(ip, node, out, "output", TFLM_UINT32, 1));
    if (in->dims[0] < 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input is empty");
    }
    TRY(holds(ip, node, noise, "noise estimate", in->dims[0]));
    TRY(holds(ip, node, out, "output", in->dims[0]));
    // Any noise level reads up to entry 124 (TFLM does not check).
    if (lut->dims[0] < DSP_PCAN_LUT_LEN) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "gain lut holds %d values, needs %d", lut->dims[0],
            DSP_PCAN_LUT_LEN);
    }
    return TFLM_OK;
}

static tflm_status_t pcan_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const pcan_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    dsp_pcan(u32(in), u32(tflm_node_input(ip, node, 1)), i16(tflm_node_input(ip, node, 2)), in->dims[0],
        d->snr_shift, (uint32_t *)(void *)tflm_node_output(ip, node, 0)->data);
    return TFLM_OK;
}

// ---- SignalFilterBankLog: scaled natural log of each channel.
typedef struct {
    int32_t correction_bits;
    int32_t scale;
} log_data_t;

static const tflm_flex_option_t log_opts[] = {
    OPT(log_data_t, "input_correction_bits", correction_bits, I32, 0.0f),
    OPT(log_data_t, "output_scale", scale, I32, 0.0f),
};

static tflm_status_t log_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    log_data_t *d = node->op_data;
    TRY(tflm_custom_options_read(ip, node, log_opts, N_OPTS(log_opts), d));
    TRY(in_range(ip, node, "input_correction_bits", d->correction_bits, 0, 31));
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *out = tflm_node_output(ip, node, 0);
    TRY(want(ip, node, in, "input", TFLM_UINT32, 1));
    TRY(want(ip, node, out, "output", TFLM_INT16, 1));
    return holds(ip, node, out, "output", in->dims[0]);
}

static tflm_status_t log_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const log_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    dsp_filter_bank_log(u32(in), in->dims[0], (uint32_t)d->scale, d->correction_bits,
        (int16_t *)(void *)tflm_node_output(ip, node, 0)->data);
    return TFLM_OK;
}

TFLM_CUSTOM_KERNEL(signal_window, "SignalWindow", 1, 2, 2, 1, sizeof(window_data_t), window_prepare, window_eval);
TFLM_CUSTOM_KERNEL(signal_fft_auto_scale, "SignalFftAutoScale", 1, 1, 1, 2, 0, auto_scale_prepare,
    auto_scale_eval);
TFLM_CUSTOM_KERNEL(signal_rfft, "SignalRfft", 1, 1, 1, 1, sizeof(fft_data_t), rfft_prepare, rfft_eval);
TFLM_CUSTOM_KERNEL(signal_irfft, "SignalIrfft", 1, 1, 1, 1, sizeof(fft_data_t), irfft_prepare, irfft_eval);
TFLM_CUSTOM_KERNEL(signal_energy, "SignalEnergy", 1, 1, 1, 1, sizeof(energy_data_t), energy_prepare, energy_eval);
TFLM_CUSTOM_KERNEL(signal_filter_bank, "SignalFilterBank", 1, 6, 6, 1, sizeof(filter_bank_data_t),
    filter_bank_prepare, filter_bank_eval);
TFLM_CUSTOM_KERNEL(signal_filter_bank_sqrt, "SignalFilterBankSquareRoot", 1, 2, 2, 1, 0, sqrt_prepare, sqrt_eval);
TFLM_CUSTOM_KERNEL(signal_spectral_subtraction, "SignalFilterBankSpectralSubtraction", 1, 1, 1, 2,
    sizeof(spectral_data_t), spectral_prepare, spectral_eval);
TFLM_CUSTOM_KERNEL(signal_pcan, "SignalPCAN", 1, 3, 3, 1, sizeof(pcan_data_t), pcan_prepare, pcan_eval);
TFLM_CUSTOM_KERNEL(signal_filter_bank_log, "SignalFilterBankLog", 1, 1, 1, 1, sizeof(log_data_t), log_prepare,
    log_eval);

#endif // MICROPY_TFLM_OP_SIGNAL
