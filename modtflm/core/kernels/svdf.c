// SVDF (singular value decomposition filter), as TFLM's reference kernel.
//
// Inputs: input [batch, input_size], weights_feature [num_filters,
// input_size], weights_time [num_filters, memory_size], bias [num_units]
// (optional for float), activation_state [batch, memory_size * num_filters]
// (a variable tensor: it keeps its contents across invokes and reset()
// clears it). num_units = num_filters / rank. Each invoke:
//  1. shifts the whole state left by one element (the oldest time step of
//     each filter drops out; the flat shift also moves one value across
//     filters, then overwritten by step 2, as TFLM does);
//  2. writes each filter's feature dot product (input . weights_feature row)
//     into that filter's newest slot, state[b][f * memory + memory - 1];
//  3. per filter, the dot product of its memory with its weights_time row;
//  4. output = bias + the sum of each unit's `rank` filters, then the fused
//     activation (float) or a rescale to int8 (integer; no activation).
// Integer form: int8 input and weights_feature, weights_time and state both
// int16 or both int8, int32 bias (required: TFLM reads its scale), int8
// output. The feature product is rescaled into the state's scale, clamped
// to the state type, then offset by its zero point (wrapping, as the
// oracle's build does); the time product is rescaled into the output's.
// Integer sums wrap as TFLM's int32 ones do on the oracle's host.
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_SVDF
#include <math.h>
#include "../kernel.h"
#include "../support/quant.h"
#include "../support/elements.h"

// SVDFOptions fields.
enum { SVDF_RANK = 0, SVDF_ACTIVATION = 1 };

// TFLM's input order.
enum { IN_INPUT = 0, IN_FEATURE = 1, IN_TIME = 2, IN_BIAS = 3, IN_STATE = 4 };

typedef struct {
    int32_t batch;
    int32_t input_size;
    int32_t filters;
    int32_t units;
    int32_t memory;
    int32_t rank;
    int32_t in_zp;
    int32_t state_zp;
    int32_t out_zp;
    int32_t mult1; // feature product -> state units
    int32_t mult2; // time product -> output units
    int8_t shift1;
    int8_t shift2;
    uint8_t activation;
} svdf_data_t;

static tflm_status_t check_rank2(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *t,
    const char *what) {
    if (t->rank != 2) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s must have 2 dimensions, not %d", what, (int)t->rank);
    }
    return TFLM_OK;
}

static tflm_status_t check_dim(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *t,
    const char *what, int dim, int64_t want) {
    if (t->dims[dim] != want) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s dimension %d is %d, expected %d", what, dim,
            (int)t->dims[dim], (int)want);
    }
    return TFLM_OK;
}

static tflm_status_t check_type_is(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *t,
    const char *what, int type) {
    if (t->type != type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s must be %s, not %s", what, tflm_type_name(type),
            tflm_type_name(t->type));
    }
    return TFLM_OK;
}

static tflm_status_t prepare_float(tflm_interp_t *ip, tflm_node_t *node, const svdf_data_t *d) {
    static const char *const what[] = { "input", "weights_feature", "weights_time", "bias", "activation_state" };
    tflm_status_t s;
    const tflm_tensor_t *feature = tflm_node_input(ip, node, IN_FEATURE);
    if (feature->type == TFLM_INT8 || feature->type == TFLM_UINT8) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "hybrid SVDF (float32 input, %s weights_feature)",
            tflm_type_name(feature->type));
    }
    for (int i = IN_FEATURE; i <= IN_STATE; i++) {
        const tflm_tensor_t *t = tflm_node_input(ip, node, i);
        if (t && (s = check_type_is(ip, node, t, what[i], TFLM_FLOAT32)) != TFLM_OK) {
            return s;
        }
    }
    if ((s = check_type_is(ip, node, tflm_node_output(ip, node, 0), "output", TFLM_FLOAT32)) != TFLM_OK) {
        return s;
    }
    node->scratch_size = (uint32_t)d->batch * (uint32_t)d->filters * sizeof(float);
    return tflm_check_type_built(ip, node, TFLM_FLOAT32);
}

// The op's tensors (NULL for an omitted one).
typedef struct {
    const tflm_tensor_t *in, *feature, *time, *bias, *state, *out;
} svdf_io_t;

static tflm_status_t prepare_int(tflm_interp_t *ip, tflm_node_t *node, svdf_data_t *d, const svdf_io_t *t) {
    const tflm_tensor_t *in = t->in, *feature = t->feature, *time = t->time, *bias = t->bias;
    const tflm_tensor_t *state = t->state, *out = t->out;
    tflm_status_t s;
    if ((s = check_type_is(ip, node, feature, "weights_feature", TFLM_INT8)) != TFLM_OK
        || (s = check_type_is(ip, node, out, "output", TFLM_INT8)) != TFLM_OK) {
        return s;
    }
    if (time->type != TFLM_INT16 && time->type != TFLM_INT8) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "weights_time must be int16 or int8, not %s",
            tflm_type_name(time->type));
    }
    // TFLM reads the state as the weights_time type.
    if ((s = check_type_is(ip, node, state, "activation_state", time->type)) != TFLM_OK) {
        return s;
    }
    if (bias == NULL) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "int8 SVDF without bias (TFLM needs its scale)");
    }
    if ((s = check_type_is(ip, node, bias, "bias", TFLM_INT32)) != TFLM_OK) {
        return s;
    }
    if ((s = tflm_check_quantized(ip, node, in, "input")) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, feature, "weights_feature")) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, time, "weights_time")) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, state, "activation_state")) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, out, "output")) != TFLM_OK) {
        return s;
    }
    // TFLM's products and quotient of scales are float, then widened.
    float state_scale = state->scale;
    double scale1 = (double)(in->scale * feature->scale / state_scale);
    double scale2 = (double)(state_scale * time->scale / out->scale);
    double bias_scale = (bias->flags & TFLM_T_QUANT) ? (double)bias->scale : 0;
    double product = (double)(state_scale * time->scale);
    double diff = bias_scale > product ? bias_scale - product : product - bias_scale;
    // 1e-5 as a ratio of integers: a double constant would turn float under
    // -fsingle-precision-constant.
    if (!(diff < (double)1 / 100000)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL,
            "bias scale does not match activation_state scale * weights_time scale");
    }
    int shift;
    tflm_quantize_multiplier(scale1, &d->mult1, &shift);
    d->shift1 = (int8_t)shift;
    tflm_quantize_multiplier(scale2, &d->mult2, &shift);
    d->shift2 = (int8_t)shift;
    d->in_zp = in->zero_point;
    d->state_zp = state->zero_point;
    d->out_zp = out->zero_point;
    // The time products, then the per-unit sums.
    node->scratch_size = ((uint32_t)d->batch * (uint32_t)d->filters + (uint32_t)d->batch * (uint32_t)d->units)
        * sizeof(int32_t);
    return TFLM_OK;
}

static tflm_status_t svdf_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    svdf_data_t *d = node->op_data;
    const svdf_io_t io = {
        tflm_node_input(ip, node, IN_INPUT), tflm_node_input(ip, node, IN_FEATURE),
        tflm_node_input(ip, node, IN_TIME), tflm_node_input(ip, node, IN_BIAS),
        tflm_node_input(ip, node, IN_STATE), tflm_node_output(ip, node, 0),
    };
    const tflm_tensor_t *in = io.in, *feature = io.feature, *time = io.time, *bias = io.bias;
    const tflm_tensor_t *state = io.state, *out = io.out;
    tflm_status_t s;
    if (in == NULL || feature == NULL || time == NULL || state == NULL) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "only the bias input may be omitted");
    }
    int32_t rank = tflm_opt_i32(node, SVDF_RANK, 0);
    int activation = tflm_opt_i8(node, SVDF_ACTIVATION, 0);
    if (activation < 0 || activation > TFLM_ACT_SIGN_BIT) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "fused activation %d out of range", activation);
    }
    if ((s = check_rank2(ip, node, in, "input")) != TFLM_OK
        || (s = check_rank2(ip, node, feature, "weights_feature")) != TFLM_OK
        || (s = check_rank2(ip, node, time, "weights_time")) != TFLM_OK
        || (s = check_rank2(ip, node, state, "activation_state")) != TFLM_OK
        || (s = check_rank2(ip, node, out, "output")) != TFLM_OK) {
        return s;
    }
    d->batch = in->dims[0];
    d->input_size = in->dims[1];
    d->filters = feature->dims[0];
    d->memory = time->dims[1];
    if (rank <= 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "rank option must be positive, not %d", (int)rank);
    }
    if (d->filters % rank != 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "weights_feature's %d filters are not a multiple of rank %d",
            (int)d->filters, (int)rank);
    }
    d->rank = rank;
    d->units = d->filters / rank;
    // An empty state would make TFLM's shift run past its end.
    if (d->batch == 0 || d->filters == 0 || d->memory == 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "empty batch, filters or memory (activation_state is empty)");
    }
    if ((s = check_dim(ip, node, out, "output", 0, d->batch)) != TFLM_OK
        || (s = check_dim(ip, node, out, "output", 1, d->units)) != TFLM_OK
        || (s = check_dim(ip, node, feature, "weights_feature", 1, d->input_size)) != TFLM_OK
        || (s = check_dim(ip, node, time, "weights_time", 0, d->filters)) != TFLM_OK
        || (s = check_dim(ip, node, state, "activation_state", 0, d->batch)) != TFLM_OK
        || (s = check_dim(ip, node, state, "activation_state", 1, (int64_t)d->memory * d->filters)) != TFLM_OK) {
        return s;
    }
    if (bias) {
        if (bias->rank == 0) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "bias must have at least one dimension");
        }
        if ((s = check_dim(ip, node, bias, "bias", 0, d->units)) != TFLM_OK) {
            return s;
        }
    }
    if (!(state->flags & TFLM_T_VARIABLE)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "activation_state tensor %d is not a variable tensor",
            (int)(state - ip->tensors));
    }
    // The oracle refuses a state with data in the model (ours would be
    // that constant data).
    if (state->flags & TFLM_T_CONST) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "activation_state tensor %d has data in the model",
            (int)(state - ip->tensors));
    }
    d->activation = (uint8_t)activation;
    if (in->type == TFLM_FLOAT32) {
        return prepare_float(ip, node, d);
    }
    if (in->type == TFLM_INT8) {
        return prepare_int(ip, node, d, &io);
    }
    return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input type %s", tflm_type_name(in->type));
}

// ---------------------------------------------------------------------------
// Eval

// TFLM's ActivationValFloat: std::max/std::min comparisons (a NaN gives the
// lower bound), libm tanh and exp.
static float activation_f32(float a, int activation) {
    switch (activation) {
        case TFLM_ACT_RELU:
            return 0.0f < a ? a : 0.0f;
        case TFLM_ACT_RELU_N1_TO_1:
            a = 1.0f < a ? 1.0f : a;
            return -1.0f < a ? a : -1.0f;
        case TFLM_ACT_RELU6:
            a = 6.0f < a ? 6.0f : a;
            return 0.0f < a ? a : 0.0f;
        case TFLM_ACT_TANH:
            return tanhf(a);
        case TFLM_ACT_SIGN_BIT:
            return signbit(a) ? 1.0f : 0.0f;
        default:
            return a;
    }
}

// Step 1: the whole state one element to the left.
TFLM_INLINE_LOOP void shift_state(void *state, int32_t n, const int type) {
    for (int32_t i = 0; i + 1 < n; i++) {
        tflm_store_int(state, (size_t)i, tflm_load_int(state, (size_t)i + 1, type), type);
    }
}

static void eval_float(const svdf_data_t *d, const float *in, const float *feature, const float *time,
    const float *bias, float *state, float *scratch, float *out) {
    const int32_t batch = d->batch, n_in = d->input_size, filters = d->filters, memory = d->memory;
    const int32_t n_state = batch * filters * memory;
    for (int32_t i = 0; i + 1 < n_state; i++) {
        state[i] = state[i + 1];
    }
    for (int32_t b = 0; b < batch; b++) {
        const float *x = in + b * n_in;
        const float *w = feature;
        float *slot = state + b * filters * memory + memory - 1;
        for (int32_t f = 0; f < filters; f++, slot += memory) {
            float acc = 0.0f;
            for (int32_t c = 0; c < n_in; c++) {
                acc += *w++ * x[c];
            }
            *slot = acc;
        }
    }
    for (int32_t b = 0; b < batch; b++) {
        const float *w = time;
        const float *m = state + b * filters * memory;
        for (int32_t f = 0; f < filters; f++) {
            float acc = 0.0f;
            for (int32_t j = 0; j < memory; j++) {
                acc += *w++ * *m++;
            }
            scratch[b * filters + f] = acc;
        }
    }
    const int32_t units = d->units, rank = d->rank;
    for (int32_t b = 0; b < batch; b++) {
        const float *sum = scratch + b * filters;
        for (int32_t u = 0; u < units; u++) {
            float acc = bias ? bias[u] : 0.0f;
            for (int32_t r = 0; r < rank; r++) {
                acc += *sum++;
            }
            out[b * units + u] = activation_f32(acc, d->activation);
        }
    }
}

// The integer form, for a state (and weights_time) of `type`.
TFLM_INLINE_LOOP void eval_int(const svdf_data_t *d, const int8_t *in, const int8_t *feature, const void *time,
    const int32_t *bias, void *state, int32_t *scratch, int8_t *out, const int type) {
    const int32_t batch = d->batch, n_in = d->input_size, filters = d->filters, memory = d->memory;
    shift_state(state, batch * filters * memory, type);
    int32_t lo, hi;
    tflm_type_range(type, &lo, &hi);
    for (int32_t b = 0; b < batch; b++) {
        const int8_t *x = in + b * n_in;
        const int8_t *w = feature;
        size_t slot = (size_t)(b * filters * memory + memory - 1);
        for (int32_t f = 0; f < filters; f++, slot += (size_t)memory) {
            uint32_t acc = 0;
            for (int32_t c = 0; c < n_in; c++) {
                acc += (uint32_t)(*w++ * (x[c] - d->in_zp));
            }
            int32_t v = tflm_clamp_i32(tflm_mul_by_quant_mul((int32_t)acc, d->mult1, d->shift1), lo, hi);
            // The oracle clamps first, then adds the zero point and narrows
            // (wrapping) to the state type. (Later TFLM sources add it
            // before the clamp; the oracle's build is what we match.)
            v = (int32_t)((uint32_t)v + (uint32_t)d->state_zp);
            tflm_store_int(state, slot, type == TFLM_INT8 ? (int8_t)v : (int16_t)v, type);
        }
    }
    int32_t *sums = scratch + batch * filters;
    for (int32_t b = 0; b < batch; b++) {
        size_t k = 0;
        size_t m = (size_t)(b * filters * memory);
        for (int32_t f = 0; f < filters; f++) {
            uint32_t acc = 0;
            for (int32_t j = 0; j < memory; j++, k++, m++) {
                // Unsigned: an int16 product may exceed int32.
                acc += (uint32_t)tflm_load_int(time, k, type) * (uint32_t)(tflm_load_int(state, m, type) - d->state_zp);
            }
            scratch[b * filters + f] = (int32_t)acc;
        }
    }
    const int32_t units = d->units, rank = d->rank;
    for (int32_t b = 0; b < batch; b++) {
        const int32_t *p = scratch + b * filters;
        for (int32_t u = 0; u < units; u++) {
            uint32_t acc = (uint32_t)bias[u];
            for (int32_t r = 0; r < rank; r++) {
                acc += (uint32_t)*p++;
            }
            sums[b * units + u] = (int32_t)acc;
        }
    }
    for (int32_t i = 0; i < batch * units; i++) {
        int32_t v = tflm_mul_by_quant_mul(sums[i], d->mult2, d->shift2);
        v = (int32_t)((uint32_t)v + (uint32_t)d->out_zp);
        out[i] = (int8_t)tflm_clamp_i32(v, -128, 127);
    }
}

static tflm_status_t svdf_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const svdf_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, IN_INPUT);
    const tflm_tensor_t *feature = tflm_node_input(ip, node, IN_FEATURE);
    const tflm_tensor_t *time = tflm_node_input(ip, node, IN_TIME);
    const tflm_tensor_t *bias = tflm_node_input(ip, node, IN_BIAS);
    tflm_tensor_t *state = tflm_node_input(ip, node, IN_STATE);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if (tflm_type_built(TFLM_FLOAT32) && in->type == TFLM_FLOAT32) {
        eval_float(d, (const float *)in->data, (const float *)feature->data, (const float *)time->data,
            bias ? (const float *)bias->data : NULL, (float *)state->data, (float *)node->scratch,
            (float *)out->data);
    } else if (time->type == TFLM_INT16) {
        eval_int(d, (const int8_t *)in->data, (const int8_t *)feature->data, time->data,
            (const int32_t *)bias->data, state->data, (int32_t *)node->scratch, (int8_t *)out->data, TFLM_INT16);
    } else {
        eval_int(d, (const int8_t *)in->data, (const int8_t *)feature->data, time->data,
            (const int32_t *)bias->data, state->data, (int32_t *)node->scratch, (int8_t *)out->data, TFLM_INT8);
    }
    return TFLM_OK;
}

TFLM_KERNEL(svdf, SVDF, 3, SVDFOptions, 3, 5, 1, sizeof(svdf_data_t), svdf_prepare, svdf_eval);

#endif // MICROPY_TFLM_OP_SVDF
