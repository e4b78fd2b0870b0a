// The audio micro frontend (TensorFlow's audio_microfrontend op, which
// TFLM's micro_speech example and many keyword-spotting models were trained
// on), streaming: PCM samples in, one frame of uint16 filterbank features
// per window step out, bit-exact with the op for any chunking of the input.
//
// A frame: a Hann window over the last `window` samples, a fixed-point real
// FFT, the energy of each bin, a mel filterbank (square-rooted), noise
// reduction (spectral subtraction of a running estimate), optional PCAN
// automatic gain control, an optional log scale, then division by
// out_scale. The per-frame arithmetic is the signal library's (dsp/); this
// file derives its parameters from the configuration, as the op does once
// at construction, and buffers the stream.
//
// The caller owns the memory: one block of tflm_frontend_bytes() bytes
// (8-byte aligned), passed to every call with the state that describes it,
// so neither keeps a pointer into the other.
#ifndef TFLM_CORE_AUDIO_FRONTEND_H
#define TFLM_CORE_AUDIO_FRONTEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../tflm.h"

// The op's attributes (names as in tflm.AudioFrontend). The stacking ones
// (left_context, right_context, frame_stride, zero_padding) build a model's
// input from several frames and are left to the caller.
typedef struct {
    int32_t sample_rate;
    int32_t window_ms;
    int32_t step_ms;
    int32_t channels;
    float upper_band_limit;
    float lower_band_limit;
    int32_t smoothing_bits;
    float even_smoothing;
    float odd_smoothing;
    float min_signal_remaining;
    bool enable_pcan;
    float pcan_strength;
    float pcan_offset;
    int32_t gain_bits;
    bool enable_log;
    int32_t scale_shift;
    int32_t out_scale;
} tflm_frontend_config_t;

// TFLM micro_speech's settings: 30 ms windows every 20 ms, 40 channels; the
// rest are the op's defaults.
void tflm_frontend_defaults(tflm_frontend_config_t *cfg);

// Output element types of tflm_frontend_push.
typedef enum {
    TFLM_FRONTEND_UINT16 = 0, // the op's features
    TFLM_FRONTEND_INT8,       // micro_speech's int8 model input scaling
} tflm_frontend_out_t;

// Offsets (bytes into the caller's block) and sizes derived from the
// configuration; the per-stream state is in the block.
typedef struct {
    uint16_t window;      // samples per window
    uint16_t step;        // samples per step
    uint16_t fft_size;    // window rounded up to a power of two
    uint16_t channels;
    uint16_t used;        // samples in the window buffer
    uint16_t start_index; // first FFT bin the filterbank reads
    uint16_t end_index;   // one past the last
    uint16_t n_weights;
    uint8_t smoothing_bits;
    uint8_t enable_pcan;
    uint8_t enable_log;
    uint8_t scale_shift;
    int8_t correction_bits; // log2(fft_size) - 1 - 6: the FFT's scaling
    uint8_t snr_shift;
    uint16_t even_smoothing; // Q14
    uint16_t odd_smoothing;
    uint16_t min_signal_remaining;
    int32_t out_scale;
    uint32_t bytes;      // of the block
    // Block offsets.
    uint32_t o_coef;     // int16[window]: the window, Q12
    uint32_t o_input;    // int16[window]: the samples of the current window
    uint32_t o_fft_in;   // int16[fft_size]
    uint32_t o_fft_out;  // complex int16[fft_size / 2 + 1]: the bins
    uint32_t o_fft_work; // complex int16[fft_size / 2]: the FFT's scratch
    uint32_t o_energy;   // uint32[fft_size / 2 + 5]: the bins' energies
    uint32_t o_fft_state;// the FFT's tables
    uint32_t o_chan;     // int16[3][channels + 1]: bin start, weight start, width
    uint32_t o_weights;  // int16[n_weights]
    uint32_t o_unweights;
    uint32_t o_work;     // uint64[channels + 1]
    uint32_t o_estimate; // uint32[channels]: the noise estimate
    uint32_t o_feat;     // uint32[2][channels]: the stages' features
    uint32_t o_out;      // uint16[channels]: the frame's features
    uint32_t o_gain_lut; // int16[125]: PCAN's gain, piecewise quadratic
} tflm_frontend_t;

// Checks the configuration and sizes the block: TFLM_OK with *bytes set, or
// TFLM_ERR_VALUE with *msg naming the bad parameter.
tflm_status_t tflm_frontend_size(const tflm_frontend_config_t *cfg, size_t *bytes, const char **msg);

// Fills fe and the block (of tflm_frontend_size bytes); the stream starts
// empty.
void tflm_frontend_init(tflm_frontend_t *fe, void *block, const tflm_frontend_config_t *cfg);

// Restarts the stream: no samples buffered, noise estimates zero.
void tflm_frontend_reset(tflm_frontend_t *fe, void *block);

// How many frames n more samples complete.
size_t tflm_frontend_frames_for(const tflm_frontend_t *fe, size_t n);

// Consumes samples (16-bit little-endian PCM, n of them at pcm) until a
// frame completes or they run out; *used is how many it took. A completed
// frame's fe->channels features are written to out as `type`; returns
// whether one did.
bool tflm_frontend_push(tflm_frontend_t *fe, void *block, const uint8_t *pcm, size_t n,
    size_t *used, void *out, tflm_frontend_out_t type);

#endif // TFLM_CORE_AUDIO_FRONTEND_H
