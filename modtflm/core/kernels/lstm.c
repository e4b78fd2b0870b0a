// UNIDIRECTIONAL_SEQUENCE_LSTM, as TFLM's kernel (the standard LSTM of the
// Keras layer: no peephole, projection, layer normalization or CIFG; TFLM
// refuses those tensors and so do we).
//
// Inputs (TFLM's order, 24, omitted ones -1): 0 input [batch, time, in]
// (time_major: [time, batch, in]); 1-4 input weights and 5-8 recurrent
// weights of the input, forget, cell and output gates, [state, in] and
// [state, state]; 9-11 peephole; 12-15 the gates' biases [state]; 16-17
// projection; 18 the output (hidden) state and 19 the cell state, variable
// tensors of batch x state elements kept across invokes and cleared by
// reset(); 20-23 layer norm. Output [batch, time, state] (or time-major).
//
// Each time step of each batch row, with h the hidden state, c the cell:
//   gate_k = act_k(FC(x, W_k) + b_k + FC(h, R_k))  (sigmoid; the cell gate
//                                                    tanh)
//   c = forget * c + input * cell   (clipped to +-cell_clip when set)
//   h = output * tanh(c), also the step's output.
// Batch rows are independent, so time-major and batch-major inputs run the
// same loop with different offsets.
//
// Integer forms (int8 activations with int16 cell state, as the converter
// makes them; int16 activations "16x8"): each gate's two FCs are requantized
// separately to int16 in Q3.12 (clamped), added with saturation, then go
// through TFLM's int16 sigmoid/tanh (sigmoid.h, shared with LOGISTIC/TANH);
// the products are TFLM's integer MUL (int16 x int16 -> int16 cell, or the
// hidden state's type with its zero point); the cell's tanh reads the cell
// with its power-of-two scale. The FCs apply the input's (or hidden
// state's) and the weights' zero points; int8 ones accumulate in int32
// (wrapping), 16x8 ones in int64 with an int64 bias.
// Float: TFLM's float FC (clamped to +-FLT_MAX), sigmoid with its cut-offs,
// libm tanhf, products clamped likewise.
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_LSTM
#include <float.h>
#include <string.h>
#include "../kernel.h"
#include "../support/quant.h"
#include "../support/elements.h"
#include "sigmoid.h"
#include "opt/cpu.h"
#if TFLM_CPU_SAT
#include <arm_acle.h>
#endif
#if MICROPY_TFLM_OPT_KERNELS
#if TFLM_CPU_DSP
#include "opt/dsp.h"
#define LSTM_DSP (1)
#endif
#endif
#ifndef LSTM_DSP
#define LSTM_DSP (0)
#endif

// UnidirectionalSequenceLSTMOptions fields.
enum {
    OPT_ACTIVATION = 0, OPT_CELL_CLIP = 1, OPT_PROJ_CLIP = 2, OPT_TIME_MAJOR = 3, OPT_ASYMMETRIC = 4,
    OPT_DIAGONAL = 5
};

// TFLM's input order (lstm_shared.h); the gates in their tensors' order.
enum { GATE_INPUT = 0, GATE_FORGET = 1, GATE_CELL = 2, GATE_OUTPUT = 3, N_GATES = 4 };
enum {
    IN_X = 0, IN_W = 1, IN_R = 5, IN_PEEPHOLE = 9, IN_BIAS = 12, IN_PROJECTION = 16, IN_H = 18, IN_C = 19,
    IN_LAYER_NORM = 20, N_IN = 24
};

enum { LSTM_F32 = 0, LSTM_I8, LSTM_I16 };

typedef struct {
    int32_t batch;
    int32_t steps;
    int32_t n_in;
    int32_t n_state;
    float cell_clip;           // float: > 0 clips
    // Integer forms. FC k (gate k's input FC, N_GATES + k its recurrent
    // one): multiplier and shift into Q3.12, -weights zero point.
    int32_t fc_mult[2 * N_GATES];
    int8_t fc_shift[2 * N_GATES];
    int16_t w_off[2 * N_GATES];
    int32_t in_off;            // -input zero point
    int32_t h_off;             // -hidden state zero point
    int16_t q_clip;            // cell clip in cell units, when clip
    int32_t forget_mult;       // forget gate x cell -> cell
    int32_t input_mult;        // input gate x cell gate -> cell
    int32_t hidden_mult;       // output gate x tanh(cell) -> hidden
    int8_t forget_shift;
    int8_t input_shift;
    int8_t hidden_shift;
    int8_t tanh_shift;         // the cell's tanh input rescaling
    int32_t tanh_mult;
    int32_t tanh_round;
    int32_t h_zp;              // hidden state zero point
    int32_t h_min;             // its type range less h_zp
    int32_t h_max;
    uint8_t kind;
    uint8_t time_major;
    uint8_t clip;              // integer: cell clip on
    uint8_t any_w_off;         // some weights zero point is not 0
} lstm_data_t;

// Tensor names, for messages.
static const char *const TFLM_MESSAGE_HELPER tensor_name[N_IN] = {
    "input",
    "input_to_input_weights", "input_to_forget_weights", "input_to_cell_weights", "input_to_output_weights",
    "recurrent_to_input_weights", "recurrent_to_forget_weights", "recurrent_to_cell_weights",
    "recurrent_to_output_weights",
    "cell_to_input_weights", "cell_to_forget_weights", "cell_to_output_weights",
    "input_gate_bias", "forget_gate_bias", "cell_gate_bias", "output_gate_bias",
    "projection_weights", "projection_bias",
    "output_state", "cell_state",
    "input_layer_norm_coefficients", "forget_layer_norm_coefficients", "cell_layer_norm_coefficients",
    "output_layer_norm_coefficients",
};

// ---------------------------------------------------------------------------
// Prepare

static tflm_status_t check_dims(tflm_interp_t *ip, const tflm_node_t *node, int i, int rank, int32_t d0,
    int32_t d1) {
    const tflm_tensor_t *t = tflm_node_input(ip, node, i);
    if (t->rank != rank || t->dims[0] != d0 || (rank == 2 && t->dims[1] != d1)) {
        if (rank == 1) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s must be [%d]", tensor_name[i], (int)d0);
        }
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s must be [%d, %d]", tensor_name[i], (int)d0, (int)d1);
    }
    return TFLM_OK;
}

// Which tensors must be there, which TFLM refuses, and the states.
static tflm_status_t check_presence(tflm_interp_t *ip, const tflm_node_t *node) {
    static const uint8_t variants[] = { 9, 10, 11, 16, 17, 20, 21, 22, 23 };
    for (size_t k = 0; k < sizeof(variants); k++) {
        if (tflm_node_input(ip, node, variants[k])) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "%s (%s LSTM)", tensor_name[variants[k]],
                variants[k] < IN_BIAS ? "peephole" : variants[k] < IN_H ? "projection" : "layer norm");
        }
    }
    if (!tflm_node_input(ip, node, IN_W + GATE_INPUT) && !tflm_node_input(ip, node, IN_R + GATE_INPUT)
        && !tflm_node_input(ip, node, IN_BIAS + GATE_INPUT)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "CIFG LSTM (no input gate)");
    }
    for (int i = 0; i < N_IN; i++) {
        bool required = i < IN_PEEPHOLE || (i >= IN_BIAS && i < IN_PROJECTION) || i == IN_H || i == IN_C;
        if (required && !tflm_node_input(ip, node, i)) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s is omitted", tensor_name[i]);
        }
    }
    const tflm_tensor_t *h = tflm_node_input(ip, node, IN_H), *c = tflm_node_input(ip, node, IN_C);
    for (int i = IN_H; i <= IN_C; i++) {
        const tflm_tensor_t *t = i == IN_H ? h : c;
        // The oracle refuses a state with data in the model.
        if ((t->flags & (TFLM_T_VARIABLE | TFLM_T_CONST)) != TFLM_T_VARIABLE) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s tensor %d must be a variable tensor without data",
                tensor_name[i], (int)(t - ip->tensors));
        }
    }
    if (h == c) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output_state and cell_state are the same tensor");
    }
    return TFLM_OK;
}

// Sizes from the input and the hidden state (as TFLM), then every shape.
static tflm_status_t check_shapes(tflm_interp_t *ip, const tflm_node_t *node, lstm_data_t *d) {
    const tflm_tensor_t *x = tflm_node_input(ip, node, IN_X), *h = tflm_node_input(ip, node, IN_H);
    const tflm_tensor_t *c = tflm_node_input(ip, node, IN_C), *out = tflm_node_output(ip, node, 0);
    tflm_status_t s;
    if (x->rank != 3) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input must have 3 dimensions, not %d", (int)x->rank);
    }
    if (h->rank != 2) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output_state must have 2 dimensions, not %d", (int)h->rank);
    }
    d->batch = x->dims[d->time_major ? 1 : 0];
    d->steps = x->dims[d->time_major ? 0 : 1];
    d->n_in = x->dims[2];
    d->n_state = h->dims[1];
    for (int k = 0; k < N_GATES; k++) {
        if ((s = check_dims(ip, node, IN_W + k, 2, d->n_state, d->n_in)) != TFLM_OK
            || (s = check_dims(ip, node, IN_R + k, 2, d->n_state, d->n_state)) != TFLM_OK
            || (s = check_dims(ip, node, IN_BIAS + k, 1, d->n_state, 0)) != TFLM_OK) {
            return s;
        }
    }
    int64_t states = (int64_t)d->batch * d->n_state;
    if (tflm_elem_count(h) != states || tflm_elem_count(c) != states) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output_state and cell_state must have %d elements",
            (int)states);
    }
    if (out->rank != 3 || out->dims[0] != x->dims[0] || out->dims[1] != x->dims[1] || out->dims[2] != d->n_state) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output must be [%d, %d, %d]", (int)x->dims[0],
            (int)x->dims[1], (int)d->n_state);
    }
    return TFLM_OK;
}

// Every tensor i in [first, last] is of `type` (ValueError naming it).
static tflm_status_t check_types(tflm_interp_t *ip, const tflm_node_t *node, int first, int last, int type) {
    for (int i = first; i <= last; i++) {
        const tflm_tensor_t *t = tflm_node_input(ip, node, i);
        if (t->type != type) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s must be %s, not %s", tensor_name[i],
                tflm_type_name(type), tflm_type_name(t->type));
        }
    }
    return TFLM_OK;
}

static tflm_status_t check_types_all(tflm_interp_t *ip, const tflm_node_t *node, lstm_data_t *d) {
    const tflm_tensor_t *x = tflm_node_input(ip, node, IN_X);
    const int wtype = tflm_node_input(ip, node, IN_W + GATE_FORGET)->type;
    tflm_status_t s;
    if (x->type == TFLM_FLOAT32) {
        d->kind = LSTM_F32;
        if (wtype == TFLM_INT8 || wtype == TFLM_UINT8) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "hybrid LSTM (float32 input, %s weights)",
                tflm_type_name(wtype));
        }
        if ((s = check_types(ip, node, IN_W, IN_R + 3, TFLM_FLOAT32)) != TFLM_OK
            || (s = check_types(ip, node, IN_BIAS, IN_BIAS + 3, TFLM_FLOAT32)) != TFLM_OK
            || (s = check_types(ip, node, IN_H, IN_C, TFLM_FLOAT32)) != TFLM_OK) {
            return s;
        }
    } else if (x->type == TFLM_INT8 || x->type == TFLM_INT16) {
        d->kind = x->type == TFLM_INT8 ? LSTM_I8 : LSTM_I16;
        if (wtype != TFLM_INT8) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "%s input with %s weights",
                tflm_type_name(x->type), tflm_type_name(wtype));
        }
        const tflm_tensor_t *c = tflm_node_input(ip, node, IN_C);
        if (c->type != TFLM_INT16) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "cell_state type %s (integer LSTMs: int16)",
                tflm_type_name(c->type));
        }
        if ((s = check_types(ip, node, IN_W, IN_R + 3, TFLM_INT8)) != TFLM_OK
            || (s = check_types(ip, node, IN_BIAS, IN_BIAS + 3, x->type == TFLM_INT8 ? TFLM_INT32 : TFLM_INT64))
               != TFLM_OK
            || (s = check_types(ip, node, IN_H, IN_H, x->type)) != TFLM_OK) {
            return s;
        }
    } else {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input type %s", tflm_type_name(x->type));
    }
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if (out->type != x->type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output is %s, input %s", tflm_type_name(out->type),
            tflm_type_name(x->type));
    }
    return tflm_check_type_built(ip, node, x->type);
}

// The multiplier and shift of a real rescaling factor (computed in double,
// as TFLM); a shift above `max_shift` (14 for the 16x8 FCs' 64-bit
// rescale) is refused, naming `what`.
static tflm_status_t multiplier(tflm_interp_t *ip, const tflm_node_t *node, double real, int32_t *mult, int8_t *shift,
    int max_shift, const char *what) {
    int sh;
    tflm_quantize_multiplier(real, mult, &sh);
    if (sh > max_shift) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s scale too large (shift %d)", what, sh);
    }
    *shift = (int8_t)sh;
    return TFLM_OK;
}

static tflm_status_t prepare_int(tflm_interp_t *ip, tflm_node_t *node, lstm_data_t *d) {
    const tflm_tensor_t *x = tflm_node_input(ip, node, IN_X), *h = tflm_node_input(ip, node, IN_H);
    const tflm_tensor_t *c = tflm_node_input(ip, node, IN_C);
    tflm_status_t s;
    static const uint8_t quantized[] = { IN_X, 1, 2, 3, 4, 5, 6, 7, 8, IN_H, IN_C };
    for (size_t k = 0; k < sizeof(quantized); k++) {
        const tflm_tensor_t *t = tflm_node_input(ip, node, quantized[k]);
        if ((s = tflm_check_quantized(ip, node, t, tensor_name[quantized[k]])) != TFLM_OK) {
            return s;
        }
        if (t->flags & TFLM_T_PER_CHANNEL) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "per-channel quantized %s",
                tensor_name[quantized[k]]);
        }
    }
    // The FCs: into Q3.12 (scale 2^-12, an exact double divisor), clamped
    // to int16. The 64-bit rescale of 16x8 needs a shift <= 14.
    const int max_shift = d->kind == LSTM_I16 ? 14 : 30;
    for (int k = 0; k < 2 * N_GATES; k++) {
        const tflm_tensor_t *w = tflm_node_input(ip, node, IN_W + k);
        const double in_scale = (double)(k < N_GATES ? x : h)->scale;
        if ((s = multiplier(ip, node, in_scale * (double)w->scale * 4096, &d->fc_mult[k], &d->fc_shift[k],
                 max_shift, tensor_name[IN_W + k])) != TFLM_OK) {
            return s;
        }
        d->w_off[k] = (int16_t)-w->zero_point;
        d->any_w_off |= w->zero_point != 0;
    }
    d->in_off = -x->zero_point;
    d->h_off = -h->zero_point;
    // The products (TFLM's CreateInterGateMulParams): gates in Q0.15.
    const double q15 = (double)1 / 32768, cell_scale = (double)c->scale;
    if ((s = multiplier(ip, node, q15 * cell_scale / cell_scale, &d->forget_mult, &d->forget_shift, 30,
             "cell_state")) != TFLM_OK
        || (s = multiplier(ip, node, q15 * q15 / cell_scale, &d->input_mult, &d->input_shift, 30, "cell_state"))
           != TFLM_OK
        || (s = multiplier(ip, node, q15 * q15 / (double)h->scale, &d->hidden_mult, &d->hidden_shift, 30,
                "output_state")) != TFLM_OK) {
        return s;
    }
    d->h_zp = h->zero_point;
    // The type range less the zero point: update_int clamps before adding
    // it (a model's hidden multiplier can take the product to the int32
    // limits, where adding first would overflow).
    d->h_min = (d->kind == LSTM_I8 ? INT8_MIN : INT16_MIN) - d->h_zp;
    d->h_max = (d->kind == LSTM_I8 ? INT8_MAX : INT16_MAX) - d->h_zp;
    // tanh(cell): the cell's scale as a power of two 2^p (rounded, as TFLM,
    // even when it is not one); TFLM's input rescaling by 3 * 2^(p + 12),
    // a left shift folded into the multiplier or a rounding right shift.
    int p;
    (void)tflm_checked_log2(c->scale, &p);
    const int left = 15 + p - 3;
    if (left > 14 || left < -30) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "cell_state scale 2^%d out of the supported range", p);
    }
    d->tanh_mult = left >= 0 ? 3 << left : 3;
    d->tanh_shift = (int8_t)(left >= 0 ? 0 : -left);
    d->tanh_round = left >= 0 ? 0 : (int32_t)1 << (-left - 1);
    // TFLM's quantized clip: cell_clip / scale in double, clamped to int16
    // and truncated.
    if (d->cell_clip > 0.0f) {
        double q = (double)d->cell_clip / cell_scale;
        q = q < -32768 ? -32768 : q > 32767 ? 32767 : q;
        d->q_clip = (int16_t)q;
        d->clip = 1;
    }
    return TFLM_OK;
}

static tflm_status_t lstm_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    lstm_data_t *d = node->op_data;
    tflm_status_t s;
    // All 24 inputs, the optional ones given as -1 (checked here: the
    // kernel table's minimum count means the first ones all present).
    if (node->n_inputs != N_IN) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%d inputs, expected %d", (int)node->n_inputs, N_IN);
    }
    int activation = tflm_opt_i8(node, OPT_ACTIVATION, 0);
    if (activation < 0 || activation > TFLM_ACT_SIGN_BIT) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "fused activation %d out of range", activation);
    }
    // TFLM's kernel applies TANH (the Keras layer's) and aborts on others.
    if (activation != TFLM_ACT_TANH) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "cell activation %d (TANH only)", activation);
    }
    d->cell_clip = tflm_opt_f32(node, OPT_CELL_CLIP, 0.0f);
    if (!(d->cell_clip >= 0.0f)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "cell_clip must not be negative");
    }
    if (tflm_opt_i8(node, OPT_DIAGONAL, 0)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "diagonal recurrent weights");
    }
    d->time_major = tflm_opt_i8(node, OPT_TIME_MAJOR, 0) != 0;
    if ((s = check_presence(ip, node)) != TFLM_OK
        || (s = check_shapes(ip, node, d)) != TFLM_OK
        || (s = check_types_all(ip, node, d)) != TFLM_OK) {
        return s;
    }
    // A time step's eight FCs (Q3.12 int16 or float).
    node->scratch_size = (uint32_t)(2 * N_GATES * d->n_state) * (d->kind == LSTM_F32 ? 4u : 2u);
    return d->kind == LSTM_F32 ? TFLM_OK : prepare_int(ip, node, d);
}

// ---------------------------------------------------------------------------
// Eval

// The op's weights and biases, by gate.
typedef struct {
    const void *w[2 * N_GATES]; // input FCs, then recurrent FCs
    const void *bias[N_GATES];
} lstm_weights_t;

// Each time step first computes the eight FCs (four gates, input and
// recurrent) for all units into the scratch buffer, a matrix of 8 rows of
// n_state, four units at a time sharing the loads of x; then one pass over
// the units combines them into the gates and updates the cell and hidden
// state. (TFLM computes gate after gate; every value is the same.)

static inline float clamp_f32(float v) {
    return tflm_clamp_f32(v, -FLT_MAX, FLT_MAX);
}

// A float FC of `units` rows of n weights: TFLM's order of additions per
// unit, then the bias (0 for the recurrent FCs, which have none), clamped
// to +-FLT_MAX as TFLM's activation range for "none".
static void fc_f32(const float *w, const float *x, int32_t n, int32_t units, const float *bias, float *out) {
    int32_t u = 0;
    for (; u + 4 <= units; u += 4, w += 4 * n) {
        float t0 = 0.0f, t1 = 0.0f, t2 = 0.0f, t3 = 0.0f;
        for (int32_t i = 0; i < n; i++) {
            const float xi = x[i];
            t0 += xi * w[i];
            t1 += xi * w[n + i];
            t2 += xi * w[2 * n + i];
            t3 += xi * w[3 * n + i];
        }
        out[u] = clamp_f32(t0 + (bias ? bias[u] : 0.0f));
        out[u + 1] = clamp_f32(t1 + (bias ? bias[u + 1] : 0.0f));
        out[u + 2] = clamp_f32(t2 + (bias ? bias[u + 2] : 0.0f));
        out[u + 3] = clamp_f32(t3 + (bias ? bias[u + 3] : 0.0f));
    }
    for (; u < units; u++, w += n) {
        float t = 0.0f;
        for (int32_t i = 0; i < n; i++) {
            t += x[i] * w[i];
        }
        out[u] = clamp_f32(t + (bias ? bias[u] : 0.0f));
    }
}

// One time step of one batch row (float); fc: 8 x n_state scratch.
static void step_f32(const lstm_data_t *d, const lstm_weights_t *wt, const float *x, float *h, float *c,
    float *out, float *fc) {
    const int32_t n_in = d->n_in, n_state = d->n_state;
    for (int f = 0; f < 2 * N_GATES; f++) {
        fc_f32((const float *)wt->w[f], f < N_GATES ? x : h, f < N_GATES ? n_in : n_state, n_state,
            f < N_GATES ? (const float *)wt->bias[f] : NULL, fc + f * n_state);
    }
    const float clip = d->cell_clip;
    for (int32_t r = 0; r < n_state; r++, fc++) {
        float g[N_GATES];
        for (int k = 0; k < N_GATES; k++) {
            const float v = fc[k * n_state] + fc[(N_GATES + k) * n_state];
            g[k] = k == GATE_CELL ? tanhf(v) : tflm_logistic_f32(v);
        }
        float cell = clamp_f32(g[GATE_FORGET] * c[r]) + clamp_f32(g[GATE_INPUT] * g[GATE_CELL]);
        if (clip > 0.0f) {
            // std::max(std::min(clip, cell), -clip): a NaN becomes clip.
            cell = cell < clip ? cell : clip;
            cell = cell < -clip ? -clip : cell;
        }
        c[r] = cell;
        out[r] = clamp_f32(tanhf(cell) * g[GATE_OUTPUT]);
    }
    memcpy(h, out, (size_t)n_state * sizeof(float));
}

// acc[k] = sum_i (x[i] + off) * w[k * n + i] for four units k < 4 of int8
// weights, wrapping (|x + off| < 2^16).
static inline void dot4_i8(const int8_t *x, const int8_t *w, int32_t n, int32_t off, uint32_t *acc) {
    uint32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    // Units 2 and 3 addressed from units 0 and 1 (+ 2n), as the DSP
    // FULLY_CONNECTED kernel's loop takes them.
    const int8_t *w0 = w, *w1 = w + n;
    const int32_t d2 = 2 * n;
    #if LSTM_DSP
    if (n >= 4) {
        // Advances x, w0 and w1 past n & ~3.
        dsp_fc_mac4(&x, &w0, &w1, d2, (uint32_t)(uint16_t)off * 0x10001u, n, &a0, &a1, &a2, &a3);
        n &= 3;
    }
    #endif
    for (int32_t i = 0; i < n; i++) {
        const int32_t xi = x[i] + off;
        a0 += (uint32_t)(xi * w0[i]);
        a1 += (uint32_t)(xi * w1[i]);
        a2 += (uint32_t)(xi * w0[d2 + i]);
        a3 += (uint32_t)(xi * w1[d2 + i]);
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

// v saturated to int16 (one SSAT where the CPU has it).
static inline int32_t clamp16(int32_t v) {
    #if TFLM_CPU_SAT
    return __ssat(v, 16);
    #else
    return tflm_clamp_i32(v, INT16_MIN, INT16_MAX);
    #endif
}

// One int8 FC (d's FC f) of n_state units into Q3.12: acc + row (the
// weights zero point's part) + bias, rescaled and clamped to int16.
static void fc_i8(const lstm_data_t *d, int f, const int8_t *w, const int8_t *x, int32_t n, int32_t off, uint32_t row,
    const int32_t *bias, int16_t *out) {
    const int32_t units = d->n_state, mult = d->fc_mult[f], shift = d->fc_shift[f];
    int32_t u = 0;
    if (units >= 4) {
        // The last block ends at the last unit, overlapping the one before.
        for (;; u += 4) {
            u = u > units - 4 ? units - 4 : u;
            uint32_t acc[4];
            dot4_i8(x, w + u * n, n, off, acc);
            for (int k = 0; k < 4; k++) {
                const uint32_t a = acc[k] + row + (bias ? (uint32_t)bias[u + k] : 0u);
                out[u + k] = (int16_t)clamp16(tflm_requant((int32_t)a, mult, shift));
            }
            if (u == units - 4) {
                return;
            }
        }
    }
    for (; u < units; u++, w += n) {
        uint32_t a = row + (bias ? (uint32_t)bias[u] : 0u);
        for (int32_t i = 0; i < n; i++) {
            a += (uint32_t)((x[i] + off) * w[i]);
        }
        out[u] = (int16_t)clamp16(tflm_requant((int32_t)a, mult, shift));
    }
}

// One 16x8 FC into Q3.12: int64 sums as TFLM's, an int64 bias.
static void fc_i16(const lstm_data_t *d, int f, const int8_t *w, const int16_t *x, int32_t n, int32_t off,
    int64_t row, const uint8_t *bias, int16_t *out) {
    for (int32_t u = 0; u < d->n_state; u++, w += n) {
        int64_t a = row;
        for (int32_t i = 0; i < n; i++) {
            a += w[i] * (x[i] + off);
        }
        if (bias) {
            // memcpy: model data may be only 4-byte aligned.
            int64_t b;
            memcpy(&b, bias + 8 * (size_t)u, sizeof(b));
            a += b;
        }
        out[u] = (int16_t)clamp16(tflm_mul_by_quant_mul_64(a, d->fc_mult[f], d->fc_shift[f]));
    }
}

// TFLM's integer MUL of two int16 values (no input offsets).
static inline int32_t mul16(int32_t a, int32_t b, int32_t mult, int shift) {
    return tflm_requant(a * b, mult, shift);
}

// The gates from the FCs (fc: 8 x n_state, Q3.12; the gates in Q0.15 by
// TFLM's sigmoid and tanh at multiplier 3), then the cell and hidden state
// of each unit, stored to out as `type` (one copy for both types: the
// store's test costs little beside the rest).
static __attribute__((noinline)) void update_int(const lstm_data_t *d, const int16_t *fc, int16_t *c, void *out,
    int type) {
    const int32_t n_state = d->n_state;
    for (int32_t r = 0; r < n_state; r++, fc++) {
        int32_t g[N_GATES];
        for (int k = 0; k < N_GATES; k++) {
            g[k] = clamp16(fc[k * n_state] + fc[(N_GATES + k) * n_state]);
        }
        g[GATE_INPUT] = tflm_sigmoid16(g[GATE_INPUT], 3, 0, 0, false);
        g[GATE_FORGET] = tflm_sigmoid16(g[GATE_FORGET], 3, 0, 0, false);
        g[GATE_CELL] = tflm_sigmoid16(g[GATE_CELL], 3, 0, 0, true);
        g[GATE_OUTPUT] = tflm_sigmoid16(g[GATE_OUTPUT], 3, 0, 0, false);
        int32_t cell = clamp16(clamp16(mul16(g[GATE_FORGET], c[r], d->forget_mult, d->forget_shift))
            + clamp16(mul16(g[GATE_INPUT], g[GATE_CELL], d->input_mult, d->input_shift)));
        if (d->clip) {
            cell = tflm_clamp_i32(cell, -d->q_clip, d->q_clip);
        }
        c[r] = (int16_t)cell;
        const int32_t t = tflm_sigmoid16(cell, d->tanh_mult, d->tanh_shift, d->tanh_round, true);
        // Clamped before the zero point is added (the same value, no overflow).
        const int32_t v = tflm_clamp_i32(mul16(t, g[GATE_OUTPUT], d->hidden_mult, d->hidden_shift), d->h_min, d->h_max)
            + d->h_zp;
        if (type == TFLM_INT8) {
            ((int8_t *)out)[r] = (int8_t)v;
        } else {
            ((int16_t *)out)[r] = (int16_t)v;
        }
    }
}

// sum (w + w_off) * (x + off) = sum w * (x + off) + w_off * sum (x + off):
// the sums of x + off and of h + off, when some weights zero point is not 0.
TFLM_INLINE_LOOP void offset_sums(const lstm_data_t *d, const void *x, const void *h, int64_t *sum, const int type) {
    sum[0] = sum[1] = 0;
    if (d->any_w_off) {
        for (int32_t i = 0; i < d->n_in; i++) {
            sum[0] += tflm_load_int(x, (size_t)i, type) + d->in_off;
        }
        for (int32_t i = 0; i < d->n_state; i++) {
            sum[1] += tflm_load_int(h, (size_t)i, type) + d->h_off;
        }
    }
}

// One time step of one batch row, integer activations of `type` (int8; int16
// for 16x8); fc: 8 x n_state.
TFLM_INLINE_LOOP void step_int(const lstm_data_t *d, const lstm_weights_t *wt, const void *x, void *h, int16_t *c,
    void *out, int16_t *fc, const int type) {
    int64_t sum[2];
    offset_sums(d, x, h, sum, type);
    for (int f = 0; f < 2 * N_GATES; f++) {
        const int j = f >= N_GATES;
        const void *v = j ? h : x;
        const int32_t n = j ? d->n_state : d->n_in, off = j ? d->h_off : d->in_off;
        if (type == TFLM_INT8) {
            fc_i8(d, f, (const int8_t *)wt->w[f], (const int8_t *)v, n, off, (uint32_t)d->w_off[f] * (uint32_t)sum[j],
                j ? NULL : (const int32_t *)wt->bias[f], fc + f * d->n_state);
        } else {
            fc_i16(d, f, (const int8_t *)wt->w[f], (const int16_t *)v, n, off, d->w_off[f] * sum[j],
                j ? NULL : (const uint8_t *)wt->bias[f], fc + f * d->n_state);
        }
    }
    update_int(d, fc, c, out, type);
    memcpy(h, out, (size_t)d->n_state * (type == TFLM_INT8 ? 1 : 2));
}

static tflm_status_t lstm_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const lstm_data_t *d = node->op_data;
    lstm_weights_t wt;
    for (int k = 0; k < 2 * N_GATES; k++) {
        wt.w[k] = tflm_node_input(ip, node, IN_W + k)->data;
    }
    for (int k = 0; k < N_GATES; k++) {
        wt.bias[k] = tflm_node_input(ip, node, IN_BIAS + k)->data;
    }
    const uint8_t *x = tflm_node_input(ip, node, IN_X)->data;
    uint8_t *h = tflm_node_input(ip, node, IN_H)->data;
    uint8_t *c = tflm_node_input(ip, node, IN_C)->data;
    uint8_t *out = tflm_node_output(ip, node, 0)->data;
    const size_t size = d->kind == LSTM_F32 ? 4 : d->kind == LSTM_I8 ? 1 : 2;
    const size_t cell_size = d->kind == LSTM_F32 ? 4 : 2;
    const int32_t batch = d->batch, steps = d->steps, n_in = d->n_in, n_state = d->n_state;
    // Batch rows evolve independently: each runs its time steps in turn.
    for (int32_t b = 0; b < batch; b++) {
        uint8_t *hb = h + (size_t)(b * n_state) * size, *cb = c + (size_t)(b * n_state) * cell_size;
        for (int32_t t = 0; t < steps; t++) {
            const int32_t row = d->time_major ? t * batch + b : b * steps + t;
            const uint8_t *xr = x + (size_t)(row * n_in) * size;
            uint8_t *o = out + (size_t)(row * n_state) * size;
            if (tflm_type_built(TFLM_FLOAT32) && d->kind == LSTM_F32) {
                step_f32(d, &wt, (const float *)xr, (float *)hb, (float *)cb, (float *)o, (float *)node->scratch);
            } else if (d->kind == LSTM_I8) {
                step_int(d, &wt, xr, hb, (int16_t *)cb, o, (int16_t *)node->scratch, TFLM_INT8);
            } else if (tflm_type_built(TFLM_INT16)) {
                step_int(d, &wt, xr, hb, (int16_t *)cb, o, (int16_t *)node->scratch, TFLM_INT16);
            }
        }
    }
    return TFLM_OK;
}

TFLM_KERNEL(unidirectional_sequence_lstm, UNIDIRECTIONAL_SEQUENCE_LSTM, 5, UnidirectionalSequenceLSTMOptions,
    1, N_IN, 1, sizeof(lstm_data_t), lstm_prepare, lstm_eval);

#endif // MICROPY_TFLM_OP_LSTM
