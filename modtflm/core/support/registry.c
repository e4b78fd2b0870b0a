// The one table of built-in kernels, looked up by builtin code in init.
// Each family's file defines its tflm_kernel_<op> objects under its flag;
// FAMILY_<NAME>(K) expands K(name, OP) over the family's kernels (name:
// tflm_kernel_<name>, OP: its TFLM_OP_<OP> code), or to nothing.
#include "../tflm_config.h"
#include "../kernel.h"

#if MICROPY_TFLM_OP_FULLY_CONNECTED
#define FAMILY_FULLY_CONNECTED(K) K(fully_connected, FULLY_CONNECTED)
#else
#define FAMILY_FULLY_CONNECTED(K)
#endif
#if MICROPY_TFLM_OP_QUANTIZE
#define FAMILY_QUANTIZE(K) K(quantize, QUANTIZE) K(dequantize, DEQUANTIZE)
#else
#define FAMILY_QUANTIZE(K)
#endif
#if MICROPY_TFLM_OP_CONV
#if MICROPY_TFLM_OP_TRANSPOSE_CONV
#define FAMILY_CONV(K) K(conv_2d, CONV_2D) K(depthwise_conv_2d, DEPTHWISE_CONV_2D) K(transpose_conv, TRANSPOSE_CONV)
#else
#define FAMILY_CONV(K) K(conv_2d, CONV_2D) K(depthwise_conv_2d, DEPTHWISE_CONV_2D)
#endif
#else
#define FAMILY_CONV(K)
#endif
#if MICROPY_TFLM_OP_POOLING
#define FAMILY_POOLING(K) K(average_pool_2d, AVERAGE_POOL_2D) K(max_pool_2d, MAX_POOL_2D) K(l2_pool_2d, L2_POOL_2D)
#else
#define FAMILY_POOLING(K)
#endif
#if MICROPY_TFLM_OP_ACTIVATIONS
#define FAMILY_ACTIVATIONS(K) K(logistic, LOGISTIC) K(tanh, TANH) K(relu, RELU) K(relu6, RELU6) K(relu_n1_to_1, RELU_N1_TO_1) K(leaky_relu, LEAKY_RELU) K(hard_swish, HARD_SWISH) K(elu, ELU) K(prelu, PRELU)
#else
#define FAMILY_ACTIVATIONS(K)
#endif
#if MICROPY_TFLM_OP_SOFTMAX && MICROPY_TFLM_OP_LOG_SOFTMAX
#define FAMILY_SOFTMAX(K) K(softmax, SOFTMAX) K(log_softmax, LOG_SOFTMAX)
#elif MICROPY_TFLM_OP_SOFTMAX
#define FAMILY_SOFTMAX(K) K(softmax, SOFTMAX)
#else
#define FAMILY_SOFTMAX(K)
#endif
#if MICROPY_TFLM_OP_ELEMENTWISE
#define FAMILY_ELEMENTWISE(K) K(add, ADD) K(sub, SUB) K(mul, MUL) K(div, DIV) K(squared_difference, SQUARED_DIFFERENCE) K(maximum, MAXIMUM) K(minimum, MINIMUM) K(floor_div, FLOOR_DIV) K(floor_mod, FLOOR_MOD) K(add_n, ADD_N)
#else
#define FAMILY_ELEMENTWISE(K)
#endif
#if MICROPY_TFLM_OP_REDUCE
#define FAMILY_REDUCE(K) K(mean, MEAN) K(sum, SUM) K(reduce_max, REDUCE_MAX) K(reduce_min, REDUCE_MIN) K(reduce_all, REDUCE_ALL) K(arg_max, ARG_MAX) K(arg_min, ARG_MIN) K(cumsum, CUMSUM)
#else
#define FAMILY_REDUCE(K)
#endif
#if MICROPY_TFLM_OP_RESHAPE
#define FAMILY_RESHAPE(K) K(reshape, RESHAPE) K(squeeze, SQUEEZE) K(expand_dims, EXPAND_DIMS)
#else
#define FAMILY_RESHAPE(K)
#endif
#if MICROPY_TFLM_OP_CONCAT
#define FAMILY_CONCAT(K) K(concatenation, CONCATENATION) K(pack, PACK) K(unpack, UNPACK) K(split, SPLIT) K(split_v, SPLIT_V)
#else
#define FAMILY_CONCAT(K)
#endif
#if MICROPY_TFLM_OP_SLICE
#define FAMILY_SLICE(K) K(pad, PAD) K(padv2, PADV2) K(strided_slice, STRIDED_SLICE) K(slice, SLICE) K(transpose, TRANSPOSE) K(gather, GATHER)
#else
#define FAMILY_SLICE(K)
#endif
#if MICROPY_TFLM_OP_CAST
#define FAMILY_CAST(K) K(cast, CAST)
#else
#define FAMILY_CAST(K)
#endif
#if MICROPY_TFLM_OP_RESIZE
#define FAMILY_RESIZE(K) K(resize_nearest_neighbor, RESIZE_NEAREST_NEIGHBOR) K(resize_bilinear, RESIZE_BILINEAR)
#else
#define FAMILY_RESIZE(K)
#endif
#if MICROPY_TFLM_OP_L2NORM
#define FAMILY_L2NORM(K) K(l2_normalization, L2_NORMALIZATION)
#else
#define FAMILY_L2NORM(K)
#endif
#if MICROPY_TFLM_OP_BATCH_MATMUL
#define FAMILY_BATCH_MATMUL(K) K(batch_matmul, BATCH_MATMUL)
#else
#define FAMILY_BATCH_MATMUL(K)
#endif
#if MICROPY_TFLM_OP_UNARY
#define FAMILY_UNARY(K) K(abs, ABS) K(ceil, CEIL) K(cos, COS) K(exp, EXP) K(floor, FLOOR) K(log, LOG) K(neg, NEG) K(round, ROUND) K(rsqrt, RSQRT) K(sin, SIN) K(sqrt, SQRT) \
    K(square, SQUARE)
#else
#define FAMILY_UNARY(K)
#endif
#if MICROPY_TFLM_OP_COMPARE
#define FAMILY_COMPARE(K) K(equal, EQUAL) K(not_equal, NOT_EQUAL) K(greater, GREATER) K(greater_equal, GREATER_EQUAL) K(less, LESS) K(less_equal, LESS_EQUAL) \
    K(logical_and, LOGICAL_AND) K(logical_or, LOGICAL_OR) K(logical_not, LOGICAL_NOT) K(select_v2, SELECT_V2)
#else
#define FAMILY_COMPARE(K)
#endif
#if MICROPY_TFLM_OP_SHAPE
#define FAMILY_SHAPE(K) K(shape, SHAPE) K(fill, FILL) K(zeros_like, ZEROS_LIKE) K(broadcast_args, BROADCAST_ARGS) K(broadcast_to, BROADCAST_TO)
#else
#define FAMILY_SHAPE(K)
#endif
#if MICROPY_TFLM_OP_INDEX
#define FAMILY_INDEX(K) K(gather_nd, GATHER_ND) K(embedding_lookup, EMBEDDING_LOOKUP) K(dynamic_update_slice, DYNAMIC_UPDATE_SLICE)
#else
#define FAMILY_INDEX(K)
#endif
#if MICROPY_TFLM_OP_LAYOUT
#define FAMILY_LAYOUT(K) K(depth_to_space, DEPTH_TO_SPACE) K(space_to_depth, SPACE_TO_DEPTH) K(batch_to_space_nd, BATCH_TO_SPACE_ND) K(space_to_batch_nd, SPACE_TO_BATCH_ND) \
    K(reverse_v2, REVERSE_V2) K(mirror_pad, MIRROR_PAD)
#else
#define FAMILY_LAYOUT(K)
#endif
#if MICROPY_TFLM_OP_DETECTION_POSTPROCESS
#define FAMILY_DETECTION_POSTPROCESS(K) K(detection_postprocess, CUSTOM)
#else
#define FAMILY_DETECTION_POSTPROCESS(K)
#endif
#if MICROPY_TFLM_OP_SIGNAL
#define FAMILY_SIGNAL(K) K(signal_window, CUSTOM) K(signal_fft_auto_scale, CUSTOM) K(signal_rfft, CUSTOM) \
    K(signal_irfft, CUSTOM) K(signal_energy, CUSTOM) K(signal_filter_bank, CUSTOM) K(signal_filter_bank_sqrt, CUSTOM) \
    K(signal_spectral_subtraction, CUSTOM) K(signal_pcan, CUSTOM) K(signal_filter_bank_log, CUSTOM)
#else
#define FAMILY_SIGNAL(K)
#endif
#if MICROPY_TFLM_OP_SVDF
#define FAMILY_SVDF(K) K(svdf, SVDF)
#else
#define FAMILY_SVDF(K)
#endif
#if MICROPY_TFLM_OP_LSTM
#define FAMILY_LSTM(K) K(unidirectional_sequence_lstm, UNIDIRECTIONAL_SEQUENCE_LSTM)
#else
#define FAMILY_LSTM(K)
#endif
#if MICROPY_TFLM_OP_CONTROL_FLOW
#define FAMILY_CONTROL_FLOW(K) K(if, IF) K(while, WHILE) K(call_once, CALL_ONCE)
#else
#define FAMILY_CONTROL_FLOW(K)
#endif
#if MICROPY_TFLM_OP_VARIABLES
#define FAMILY_VARIABLES(K) K(var_handle, VAR_HANDLE) K(read_variable, READ_VARIABLE) K(assign_variable, ASSIGN_VARIABLE)
#else
#define FAMILY_VARIABLES(K)
#endif

#define ALL_KERNELS(K) \
    FAMILY_FULLY_CONNECTED(K) \
    FAMILY_QUANTIZE(K) \
    FAMILY_CONV(K) \
    FAMILY_POOLING(K) \
    FAMILY_ACTIVATIONS(K) \
    FAMILY_SOFTMAX(K) \
    FAMILY_ELEMENTWISE(K) \
    FAMILY_REDUCE(K) \
    FAMILY_RESHAPE(K) \
    FAMILY_CONCAT(K) \
    FAMILY_SLICE(K) \
    FAMILY_CAST(K) \
    FAMILY_RESIZE(K) \
    FAMILY_L2NORM(K) \
    FAMILY_BATCH_MATMUL(K) \
    FAMILY_UNARY(K) \
    FAMILY_COMPARE(K) \
    FAMILY_SHAPE(K) \
    FAMILY_INDEX(K) \
    FAMILY_LAYOUT(K) \
    FAMILY_SVDF(K) \
    FAMILY_LSTM(K) \
    FAMILY_CONTROL_FLOW(K) \
    FAMILY_VARIABLES(K)

// Custom ops: found by name.
#define ALL_CUSTOM_KERNELS(K) \
    FAMILY_DETECTION_POSTPROCESS(K) \
    FAMILY_SIGNAL(K)

#define DECLARE(name, op) extern const tflm_kernel_t tflm_kernel_##name;
ALL_KERNELS(DECLARE)
ALL_CUSTOM_KERNELS(DECLARE)

// The builtins first, then the custom ops.
#define ENTRY(name, op) &tflm_kernel_##name,
const tflm_kernel_t *const tflm_kernels[] = {
    ALL_KERNELS(ENTRY)
    ALL_CUSTOM_KERNELS(ENTRY)
    NULL,
};

const size_t tflm_n_kernels = sizeof(tflm_kernels) / sizeof(tflm_kernels[0]) - 1;

// Each builtin's position in tflm_kernels, plus one (0: no kernel), by
// builtin code: init looks a kernel up once per op, so a direct index (210
// bytes) beats a walk over ~95 entries. A code registered twice is a
// compile error (-Woverride-init, in -Wextra).
#define POSITION(name, op) KERNEL_POS_##name,
enum { ALL_KERNELS(POSITION) KERNEL_POS_BUILTINS };
#define BY_CODE(name, op) [TFLM_OP_##op] = KERNEL_POS_##name + 1,
const uint8_t tflm_kernel_by_code[TFLM_BUILTIN_MAX + 1] = {
    ALL_KERNELS(BY_CODE)
};
const size_t tflm_n_builtin_kernels = KERNEL_POS_BUILTINS;
