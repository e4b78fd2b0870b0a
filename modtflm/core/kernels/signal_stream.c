// The streaming custom ops of TFLM's signal library: SignalFramer,
// SignalOverlapAdd, SignalStacker, SignalDelay. Each keeps samples from one
// invoke to the next; as TFLM computes them (signal/micro/kernels/).
//
// State lives in a planned buffer asked for with TFLM_SCRATCH_STATE: alive
// over the whole timeline, and zeroed by init and reset(). Every op keeps
// its state so that all zero bytes are its initial state (TFLM's reset
// hooks restore the same thing): counts are kept relative to their start.
//
// Options come from the custom options flexbuffer map, read by key. (TFLM
// reads them by position in the map, i.e. in key order, so the two agree on
// every map holding exactly the op's keys; a key missing here is a
// ValueError.)
//
//  - SignalFramer (int16; frame_size, frame_step, prefill): each channel
//    (the innermost dimension, n_frames * frame_step samples an invoke)
//    goes through a FIFO of capacity frame_size rounded up to a multiple
//    of frame_step. Per step it takes frame_step samples; once it holds
//    frame_size or more, the oldest frame_size are a frame and frame_step
//    are dropped. A frame not complete yet is left as it was and the
//    `valid` output is false. `prefill` starts the FIFO with
//    frame_size - frame_step zeros. (So without prefill, when frame_step
//    does not divide frame_size, a frame is the oldest frame_size of the
//    last capacity samples, as in TFLM.)
//  - SignalOverlapAdd (int16 saturating, float32; T, frame_step): per
//    channel, each frame [frame_size] is added into an accumulator of
//    frame_size, whose first frame_step values are output and shifted out.
//  - SignalStacker (int16; num_channels, stacker_left_context,
//    stacker_right_context, stacker_step): a vector of num_channels an
//    invoke goes into a FIFO of (left + 1 + right) vectors; the first one
//    is written left + 1 times. Once full, the whole FIFO is the output
//    (valid true) and stacker_step vectors are dropped; until then the
//    output is left as it was (valid false).
//  - SignalDelay (int16; delay_length): each channel's sample stream
//    delayed by delay_length samples (zeros first).
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_SIGNAL_STREAM
#include <string.h>
#include "signal_ops.h"

// Channels and samples of a tensor split at its innermost dimension; fails
// on rank 0 or an empty tensor (TFLM divides by the innermost size).
static tflm_status_t split_channels(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *t,
    const char *what, int32_t *outer, int32_t *inner) {
    if (t->rank < 1 || tflm_elem_count(t) == 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s must have rank 1 or more and no empty dimension", what);
    }
    *inner = t->dims[t->rank - 1];
    *outer = tflm_elem_count(t) / *inner;
    return TFLM_OK;
}

// t's shape is `ref`'s first `keep` dimensions followed by `extra` (n of them).
static bool shape_is(const tflm_tensor_t *t, const tflm_tensor_t *ref, int keep, const int32_t *extra, int n) {
    if (t->rank != keep + n) {
        return false;
    }
    for (int i = 0; i < keep; i++) {
        if (t->dims[i] != ref->dims[i]) {
            return false;
        }
    }
    for (int i = 0; i < n; i++) {
        if (t->dims[keep + i] != extra[i]) {
            return false;
        }
    }
    return true;
}

// Prepare's start for every streaming op: its options (the `n` rows of `opts`; none
// when n is 0) read into op_data, and its input 0 and output 0.
static inline tflm_status_t signal_begin(tflm_interp_t *ip, tflm_node_t *node, const tflm_flex_option_t *opts,
    size_t n, const tflm_tensor_t **in, const tflm_tensor_t **out) {
    *in = tflm_node_input(ip, node, 0);
    *out = tflm_node_output(ip, node, 0);
    return n ? tflm_custom_options_read(ip, node, opts, n, node->op_data) : TFLM_OK;
}

// Prepare's start (signal_begin) for the int16-only ops: an int16 input,
// the output of its type, and with `valid`, output 1 (valid) a bool scalar
// as TFLM asks.
static tflm_status_t begin_int16(tflm_interp_t *ip, tflm_node_t *node, const tflm_flex_option_t *opts, size_t n,
    const tflm_tensor_t **in, const tflm_tensor_t **out, bool valid) {
    TRY(signal_begin(ip, node, opts, n, in, out));
    TRY(tflm_check_type(ip, node, *in, "input", TFLM_INT16));
    TRY(tflm_check_same_type(ip, node, *in, *out));
    TRY(tflm_check_type_built(ip, node, TFLM_INT16));
    const tflm_tensor_t *v = valid ? tflm_node_output(ip, node, 1) : NULL;
    if (v && (v->type != TFLM_BOOL || v->rank != 0)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output 1 (valid) must be a bool scalar");
    }
    return TFLM_OK;
}

// Asks for `bytes` of state (zeroed by init and reset).
static tflm_status_t request_state(tflm_interp_t *ip, tflm_node_t *node, uint64_t bytes) {
    if (bytes > INT32_MAX) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "options need over 2 GB of state");
    }
    node->scratch_size = bytes ? (uint32_t)bytes | TFLM_SCRATCH_STATE : 0;
    return TFLM_OK;
}

// A FIFO of int16 samples at the start of buf, `held` of them: `n` more.
static inline void fifo_push(int16_t *buf, int32_t *held, const int16_t *in, int32_t n) {
    memcpy(buf + *held, in, (size_t)n * sizeof(int16_t));
    *held += n;
}

// Drops the oldest `n` of the `held` samples.
static inline void fifo_drop(int16_t *buf, int32_t *held, int32_t n) {
    *held -= n;
    memmove(buf, buf + n, (size_t)*held * sizeof(int16_t));
}

// ---------------------------------------------------------------------------
// SignalFramer

typedef struct {
    int32_t frame_size;
    int32_t frame_step;
    bool prefill;
    int32_t outer;
    int32_t n_frames;
    int32_t capacity; // samples a channel's FIFO holds
    int32_t start;    // samples held initially (prefill)
} framer_t;

static const tflm_flex_option_t framer_options[] = {
    OPT(framer_t, "frame_size", frame_size, I32, TFLM_FLEX_REQUIRED),
    OPT(framer_t, "frame_step", frame_step, I32, TFLM_FLEX_REQUIRED),
    OPT(framer_t, "prefill", prefill, BOOL, TFLM_FLEX_REQUIRED),
};

static tflm_status_t framer_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    framer_t *d = node->op_data;
    const tflm_tensor_t *in, *out;
    int32_t inner;
    TRY(begin_int16(ip, node, framer_options, N_OPTS(framer_options), &in, &out, true));
    TRY(split_channels(ip, node, in, "input", &d->outer, &inner));
    if (d->frame_size < 1 || d->frame_step < 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "frame_size %d and frame_step %d must be positive",
            d->frame_size, d->frame_step);
    }
    if (inner % d->frame_step != 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL,
            "input's innermost dimension %d is not a multiple of frame_step %d", inner, d->frame_step);
    }
    // (TFLM writes frame_size - frame_step zeros: negative, it runs wild.)
    if (d->prefill && d->frame_size < d->frame_step) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "prefill needs frame_size %d >= frame_step %d",
            d->frame_size, d->frame_step);
    }
    d->n_frames = inner / d->frame_step;
    const int32_t extra[2] = {d->n_frames, d->frame_size};
    if (!shape_is(out, in, in->rank - 1, extra, 2)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output must be the input's shape with its last dimension "
            "replaced by [%d frames, %d]", d->n_frames, d->frame_size);
    }
    // (32-bit division: the core calls no libgcc 64-bit division.)
    int32_t steps = d->frame_size / d->frame_step + (d->frame_size % d->frame_step != 0);
    int64_t cap = (int64_t)steps * d->frame_step;
    if (cap > INT32_MAX) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "frame_size %d too large", d->frame_size);
    }
    d->capacity = (int32_t)cap;
    d->start = d->prefill ? d->frame_size - d->frame_step : 0;
    // The count of samples held (less `start`), then each channel's FIFO.
    return request_state(ip, node, 4 + 2 * (uint64_t)d->outer * (uint64_t)cap);
}

static tflm_status_t framer_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const framer_t *d = node->op_data;
    const int16_t *in = i16(tflm_node_input(ip, node, 0));
    int16_t *out = (int16_t *)(void *)tflm_node_output(ip, node, 0)->data;
    bool *valid = (bool *)tflm_node_output(ip, node, 1)->data;
    int32_t *count = (int32_t *)(void *)node->scratch;
    int16_t *fifo = (int16_t *)(void *)(node->scratch + 4);
    int32_t held = 0;
    *valid = true;
    // Every channel sees the same counts: each starts from the stored one.
    for (int32_t c = 0; c < d->outer; c++) {
        int16_t *buf = fifo + (size_t)c * (size_t)d->capacity;
        held = *count + d->start;
        for (int32_t f = 0; f < d->n_frames; f++) {
            size_t k = (size_t)c * (size_t)d->n_frames + (size_t)f;
            fifo_push(buf, &held, in + k * (size_t)d->frame_step, d->frame_step);
            if (held >= d->frame_size) {
                memcpy(out + k * (size_t)d->frame_size, buf, (size_t)d->frame_size * sizeof(int16_t));
                fifo_drop(buf, &held, d->frame_step);
            } else {
                *valid = false;
            }
        }
    }
    *count = held - d->start;
    return TFLM_OK;
}

TFLM_CUSTOM_KERNEL(signal_framer, "SignalFramer", 1, 1, 1, 2, sizeof(framer_t), framer_prepare, framer_eval);

// ---------------------------------------------------------------------------
// SignalOverlapAdd

typedef struct {
    int32_t type_code; // option T: the TFLite TensorType
    int32_t frame_step;
    int32_t frame_size;
    int32_t n_frames;
    int32_t outer;
    uint8_t type;
} overlap_add_t;

static const tflm_flex_option_t overlap_add_options[] = {
    OPT(overlap_add_t, "T", type_code, I32, TFLM_FLEX_REQUIRED),
    OPT(overlap_add_t, "frame_step", frame_step, I32, TFLM_FLEX_REQUIRED),
};

static tflm_status_t overlap_add_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    overlap_add_t *d = node->op_data;
    const tflm_tensor_t *in, *out;
    TRY(signal_begin(ip, node, overlap_add_options, N_OPTS(overlap_add_options), &in, &out));
    TRY(tflm_check_same_type(ip, node, in, out));
    if (in->type != TFLM_INT16 && in->type != TFLM_FLOAT32) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input of type %s (int16 or float32)",
            tflm_type_name(in->type));
    }
    // TFLM picks its kernel by T: the tensors must be of that type.
    if (d->type_code != in->type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "option T %d does not match the input type %s",
            d->type_code, tflm_type_name(in->type));
    }
    TRY(tflm_check_type_built(ip, node, in->type));
    d->type = in->type;
    if (in->rank < 2 || tflm_elem_count(in) == 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input must be [..., frames, frame_size], not empty");
    }
    d->frame_size = in->dims[in->rank - 1];
    d->n_frames = in->dims[in->rank - 2];
    d->outer = tflm_elem_count(in) / (d->frame_size * d->n_frames);
    // (A step over the frame size: TFLM's shift runs wild.)
    if (d->frame_step < 1 || d->frame_step > d->frame_size) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "frame_step %d must be in 1..frame_size %d",
            d->frame_step, d->frame_size);
    }
    const int32_t extra[1] = {d->n_frames * d->frame_step};
    if (!shape_is(out, in, in->rank - 2, extra, 1)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output must be the input's shape with its last two "
            "dimensions replaced by [%d] (frames * frame_step)", extra[0]);
    }
    // Each channel's accumulator.
    uint64_t elem = in->type == TFLM_FLOAT32 ? 4 : 2;
    return request_state(ip, node, elem * (uint64_t)d->outer * (uint64_t)d->frame_size);
}

static inline int16_t sat16(int32_t x) {
    return (int16_t)(x < INT16_MIN ? INT16_MIN : x > INT16_MAX ? INT16_MAX : x);
}

static tflm_status_t overlap_add_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const overlap_add_t *d = node->op_data;
    const uint8_t *in = tflm_node_input(ip, node, 0)->data;
    uint8_t *out = tflm_node_output(ip, node, 0)->data;
    const size_t size = (size_t)d->frame_size, step = (size_t)d->frame_step;
    const size_t elem = d->type == TFLM_FLOAT32 ? 4 : 2;
    for (int32_t c = 0; c < d->outer; c++) {
        uint8_t *acc = node->scratch + (size_t)c * size * elem;
        for (int32_t f = 0; f < d->n_frames; f++) {
            size_t k = (size_t)c * (size_t)d->n_frames + (size_t)f;
            if (MICROPY_TFLM_TYPE_FLOAT32 && d->type == TFLM_FLOAT32) {
                const float *x = (const float *)(const void *)in + k * size;
                float *a = (float *)(void *)acc;
                for (size_t i = 0; i < size; i++) {
                    a[i] += x[i];
                }
            } else {
                const int16_t *x = (const int16_t *)(const void *)in + k * size;
                int16_t *a = (int16_t *)(void *)acc;
                for (size_t i = 0; i < size; i++) {
                    a[i] = sat16((int32_t)a[i] + x[i]);
                }
            }
            memcpy(out + k * step * elem, acc, step * elem);
            memmove(acc, acc + step * elem, (size - step) * elem);
            memset(acc + (size - step) * elem, 0, step * elem);
        }
    }
    return TFLM_OK;
}

TFLM_CUSTOM_KERNEL(signal_overlap_add, "SignalOverlapAdd", 1, 1, 1, 1, sizeof(overlap_add_t), overlap_add_prepare,
    overlap_add_eval);

// ---------------------------------------------------------------------------
// SignalStacker

typedef struct {
    int32_t channels;
    int32_t left;
    int32_t right;
    int32_t step;
    int32_t window; // vectors in the output: left + 1 + right
} stacker_t;

// The state: vectors held, whether the first came (TFLM's
// stacker_has_first_frame), then the FIFO.
typedef struct {
    int32_t held;
    int32_t started;
} stacker_state_t;

static const tflm_flex_option_t stacker_options[] = {
    OPT(stacker_t, "num_channels", channels, I32, TFLM_FLEX_REQUIRED),
    OPT(stacker_t, "stacker_left_context", left, I32, TFLM_FLEX_REQUIRED),
    OPT(stacker_t, "stacker_right_context", right, I32, TFLM_FLEX_REQUIRED),
    OPT(stacker_t, "stacker_step", step, I32, TFLM_FLEX_REQUIRED),
};

static tflm_status_t stacker_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    stacker_t *d = node->op_data;
    const tflm_tensor_t *in, *out;
    TRY(begin_int16(ip, node, stacker_options, N_OPTS(stacker_options), &in, &out, true));
    if (d->channels < 1 || d->left < 0 || d->right < 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL,
            "num_channels %d must be positive, stacker_left_context %d and stacker_right_context %d not negative",
            d->channels, d->left, d->right);
    }
    int64_t window = (int64_t)d->left + d->right + 1;
    // (A step of 0 overfills TFLM's FIFO; one over the window drops more
    // than it holds.)
    if (d->step < 1 || d->step > window) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "stacker_step %d must be in 1..%d (the contexts + 1)",
            d->step, (int32_t)(window > INT32_MAX ? INT32_MAX : window));
    }
    int64_t out_len = window * d->channels;
    if (out_len > INT32_MAX) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "options need over 2 GB of state");
    }
    d->window = (int32_t)window;
    if (in->rank != 1 || in->dims[0] != d->channels || out->rank != 1 || out->dims[0] != (int32_t)out_len) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input must be [%d] (num_channels) and output [%d]",
            d->channels, (int32_t)out_len);
    }
    return request_state(ip, node, sizeof(stacker_state_t) + 2 * (uint64_t)out_len);
}

static tflm_status_t stacker_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const stacker_t *d = node->op_data;
    const int16_t *in = i16(tflm_node_input(ip, node, 0));
    int16_t *out = (int16_t *)(void *)tflm_node_output(ip, node, 0)->data;
    bool *valid = (bool *)tflm_node_output(ip, node, 1)->data;
    stacker_state_t *st = (stacker_state_t *)(void *)node->scratch;
    int16_t *buf = (int16_t *)(void *)(node->scratch + sizeof(stacker_state_t));
    const int32_t n = d->channels;
    int32_t held = st->held * n;
    fifo_push(buf, &held, in, n);
    // The first vector stands in for the left context before it.
    for (int32_t i = 0; !st->started && i < d->left; i++) {
        fifo_push(buf, &held, in, n);
    }
    st->started = 1;
    *valid = held == d->window * n;
    if (*valid) {
        memcpy(out, buf, (size_t)held * sizeof(int16_t));
        fifo_drop(buf, &held, d->step * n);
    }
    st->held = held / n;
    return TFLM_OK;
}

TFLM_CUSTOM_KERNEL(signal_stacker, "SignalStacker", 1, 1, 1, 2, sizeof(stacker_t), stacker_prepare, stacker_eval);

// ---------------------------------------------------------------------------
// SignalDelay

typedef struct {
    int32_t delay;
    int32_t outer;
    int32_t frame;
} delay_t;

static const tflm_flex_option_t delay_options[] = {OPT(delay_t, "delay_length", delay, I32, TFLM_FLEX_REQUIRED)};

static tflm_status_t delay_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    delay_t *d = node->op_data;
    const tflm_tensor_t *in, *out;
    TRY(begin_int16(ip, node, delay_options, N_OPTS(delay_options), &in, &out, false));
    TRY(split_channels(ip, node, in, "input", &d->outer, &d->frame));
    if (d->delay < 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "delay_length %d is negative", d->delay);
    }
    if (!shape_is(out, in, in->rank, NULL, 0)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape differs from the input's");
    }
    // Each channel's last delay_length samples (none: a copy).
    return request_state(ip, node, 2 * (uint64_t)d->outer * (uint64_t)d->delay);
}

static tflm_status_t delay_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const delay_t *d = node->op_data;
    const int16_t *in = i16(tflm_node_input(ip, node, 0));
    int16_t *out = (int16_t *)(void *)tflm_node_output(ip, node, 0)->data;
    const size_t n = (size_t)d->frame, delay = (size_t)d->delay;
    for (int32_t c = 0; c < d->outer; c++) {
        const int16_t *x = in + (size_t)c * n;
        int16_t *y = out + (size_t)c * n;
        if (delay == 0) {
            memcpy(y, x, n * sizeof(int16_t)); // (no state: scratch is NULL)
            continue;
        }
        int16_t *line = (int16_t *)(void *)node->scratch + (size_t)c * delay;
        if (delay <= n) {
            // The held samples, then the input's first n - delay; its last
            // delay are held.
            memcpy(y, line, delay * sizeof(int16_t));
            memcpy(y + delay, x, (n - delay) * sizeof(int16_t));
            memcpy(line, x + n - delay, delay * sizeof(int16_t));
        } else {
            memcpy(y, line, n * sizeof(int16_t));
            memmove(line, line + n, (delay - n) * sizeof(int16_t));
            memcpy(line + delay - n, x, n * sizeof(int16_t));
        }
    }
    return TFLM_OK;
}

TFLM_CUSTOM_KERNEL(signal_delay, "SignalDelay", 1, 1, 1, 1, sizeof(delay_t), delay_prepare, delay_eval);

#endif // MICROPY_TFLM_OP_SIGNAL_STREAM
