// The one table of built-in kernels, looked up by builtin code in init.
// Each family's file defines its tflm_kernel_<op> objects under its flag;
// FAMILY_<NAME>(K) expands K over the family's kernels, or to nothing.
#include "../tflm_config.h"
#include "../kernel.h"

#if MICROPY_TFLM_OP_FULLY_CONNECTED
#define FAMILY_FULLY_CONNECTED(K) K(fully_connected)
#else
#define FAMILY_FULLY_CONNECTED(K)
#endif
#if MICROPY_TFLM_OP_QUANTIZE
#define FAMILY_QUANTIZE(K) K(quantize) K(dequantize)
#else
#define FAMILY_QUANTIZE(K)
#endif
#if MICROPY_TFLM_OP_CONV
#if MICROPY_TFLM_OP_TRANSPOSE_CONV
#define FAMILY_CONV(K) K(conv_2d) K(depthwise_conv_2d) K(transpose_conv)
#else
#define FAMILY_CONV(K) K(conv_2d) K(depthwise_conv_2d)
#endif
#else
#define FAMILY_CONV(K)
#endif
#if MICROPY_TFLM_OP_POOLING
#define FAMILY_POOLING(K) K(average_pool_2d) K(max_pool_2d) K(l2_pool_2d)
#else
#define FAMILY_POOLING(K)
#endif
#if MICROPY_TFLM_OP_ACTIVATIONS
#define FAMILY_ACTIVATIONS(K) K(logistic) K(tanh) K(relu) K(relu6) K(relu_n1_to_1) K(leaky_relu) K(hard_swish) K(elu) K(prelu)
#else
#define FAMILY_ACTIVATIONS(K)
#endif
#if MICROPY_TFLM_OP_SOFTMAX && MICROPY_TFLM_OP_LOG_SOFTMAX
#define FAMILY_SOFTMAX(K) K(softmax) K(log_softmax)
#elif MICROPY_TFLM_OP_SOFTMAX
#define FAMILY_SOFTMAX(K) K(softmax)
#else
#define FAMILY_SOFTMAX(K)
#endif
#if MICROPY_TFLM_OP_ELEMENTWISE
#define FAMILY_ELEMENTWISE(K) K(add) K(sub) K(mul) K(div) K(squared_difference) K(maximum) K(minimum) K(floor_div) K(floor_mod) K(add_n)
#else
#define FAMILY_ELEMENTWISE(K)
#endif
#if MICROPY_TFLM_OP_REDUCE
#define FAMILY_REDUCE(K) K(mean) K(sum) K(reduce_max) K(reduce_min) K(reduce_all) K(arg_max) K(arg_min) K(cumsum)
#else
#define FAMILY_REDUCE(K)
#endif
#if MICROPY_TFLM_OP_RESHAPE
#define FAMILY_RESHAPE(K) K(reshape) K(squeeze) K(expand_dims)
#else
#define FAMILY_RESHAPE(K)
#endif
#if MICROPY_TFLM_OP_CONCAT
#define FAMILY_CONCAT(K) K(concatenation) K(pack) K(unpack) K(split) K(split_v)
#else
#define FAMILY_CONCAT(K)
#endif
#if MICROPY_TFLM_OP_SLICE
#define FAMILY_SLICE(K) K(pad) K(padv2) K(strided_slice) K(slice) K(transpose) K(gather)
#else
#define FAMILY_SLICE(K)
#endif
#if MICROPY_TFLM_OP_CAST
#define FAMILY_CAST(K) K(cast)
#else
#define FAMILY_CAST(K)
#endif
#if MICROPY_TFLM_OP_RESIZE
#define FAMILY_RESIZE(K) K(resize_nearest_neighbor) K(resize_bilinear)
#else
#define FAMILY_RESIZE(K)
#endif
#if MICROPY_TFLM_OP_L2NORM
#define FAMILY_L2NORM(K) K(l2_normalization)
#else
#define FAMILY_L2NORM(K)
#endif
#if MICROPY_TFLM_OP_BATCH_MATMUL
#define FAMILY_BATCH_MATMUL(K) K(batch_matmul)
#else
#define FAMILY_BATCH_MATMUL(K)
#endif
#if MICROPY_TFLM_OP_UNARY
#define FAMILY_UNARY(K) K(abs) K(ceil) K(cos) K(exp) K(floor) K(log) K(neg) K(round) K(rsqrt) K(sin) K(sqrt) \
    K(square)
#else
#define FAMILY_UNARY(K)
#endif
#if MICROPY_TFLM_OP_COMPARE
#define FAMILY_COMPARE(K) K(equal) K(not_equal) K(greater) K(greater_equal) K(less) K(less_equal) \
    K(logical_and) K(logical_or) K(logical_not) K(select_v2)
#else
#define FAMILY_COMPARE(K)
#endif
#if MICROPY_TFLM_OP_SHAPE
#define FAMILY_SHAPE(K) K(shape) K(fill) K(zeros_like) K(broadcast_args) K(broadcast_to)
#else
#define FAMILY_SHAPE(K)
#endif
#if MICROPY_TFLM_OP_INDEX
#define FAMILY_INDEX(K) K(gather_nd) K(embedding_lookup) K(dynamic_update_slice)
#else
#define FAMILY_INDEX(K)
#endif
#if MICROPY_TFLM_OP_LAYOUT
#define FAMILY_LAYOUT(K) K(depth_to_space) K(space_to_depth) K(batch_to_space_nd) K(space_to_batch_nd) \
    K(reverse_v2) K(mirror_pad)
#else
#define FAMILY_LAYOUT(K)
#endif
#if MICROPY_TFLM_OP_DETECTION_POSTPROCESS
#define FAMILY_DETECTION_POSTPROCESS(K) K(detection_postprocess)
#else
#define FAMILY_DETECTION_POSTPROCESS(K)
#endif
#if MICROPY_TFLM_OP_SVDF
#define FAMILY_SVDF(K) K(svdf)
#else
#define FAMILY_SVDF(K)
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
    FAMILY_DETECTION_POSTPROCESS(K) \
    FAMILY_SVDF(K)

#define DECLARE(name) extern const tflm_kernel_t tflm_kernel_##name;
ALL_KERNELS(DECLARE)

#define ENTRY(name) &tflm_kernel_##name,
const tflm_kernel_t *const tflm_kernels[] = {
    ALL_KERNELS(ENTRY)
    NULL,
};

const size_t tflm_n_kernels = sizeof(tflm_kernels) / sizeof(tflm_kernels[0]) - 1;
