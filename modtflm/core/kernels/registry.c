// The one table of built-in kernels, looked up by builtin code in init.
// Each family's file defines its tflm_kernel_<op> objects under its flag.
#include "../tflm_config.h"
#include "../kernel.h"

#define K(name) extern const tflm_kernel_t tflm_kernel_##name;
#if MICROPY_TFLM_OP_FULLY_CONNECTED
K(fully_connected)
#endif
#if MICROPY_TFLM_OP_QUANTIZE
K(quantize) K(dequantize)
#endif
#if MICROPY_TFLM_OP_CONV
K(conv_2d) K(depthwise_conv_2d) K(transpose_conv)
#endif
#if MICROPY_TFLM_OP_POOLING
K(average_pool_2d) K(max_pool_2d)
#endif
#if MICROPY_TFLM_OP_ACTIVATIONS
K(logistic) K(tanh) K(relu) K(relu6) K(relu_n1_to_1) K(leaky_relu) K(hard_swish) K(prelu)
#endif
#if MICROPY_TFLM_OP_SOFTMAX
K(softmax)
#endif
#if MICROPY_TFLM_OP_ELEMENTWISE
K(add) K(sub) K(mul) K(div) K(squared_difference) K(maximum) K(minimum)
#endif
#if MICROPY_TFLM_OP_REDUCE
K(mean) K(sum) K(reduce_max) K(arg_max) K(arg_min)
#endif
#if MICROPY_TFLM_OP_RESHAPE
K(reshape) K(squeeze) K(expand_dims)
#endif
#if MICROPY_TFLM_OP_CONCAT
K(concatenation) K(pack) K(unpack) K(split) K(split_v)
#endif
#if MICROPY_TFLM_OP_SLICE
K(pad) K(padv2) K(strided_slice) K(slice) K(transpose) K(gather)
#endif
#if MICROPY_TFLM_OP_CAST
K(cast)
#endif
#if MICROPY_TFLM_OP_RESIZE
K(resize_nearest_neighbor) K(resize_bilinear)
#endif
#if MICROPY_TFLM_OP_L2NORM
K(l2_normalization)
#endif
#if MICROPY_TFLM_OP_BATCH_MATMUL
K(batch_matmul)
#endif
#undef K

#define K(name) &tflm_kernel_##name,
const tflm_kernel_t *const tflm_kernels[] = {
    #if MICROPY_TFLM_OP_FULLY_CONNECTED
    K(fully_connected)
    #endif
    #if MICROPY_TFLM_OP_QUANTIZE
    K(quantize) K(dequantize)
    #endif
    #if MICROPY_TFLM_OP_CONV
    K(conv_2d) K(depthwise_conv_2d) K(transpose_conv)
    #endif
    #if MICROPY_TFLM_OP_POOLING
    K(average_pool_2d) K(max_pool_2d)
    #endif
    #if MICROPY_TFLM_OP_ACTIVATIONS
    K(logistic) K(tanh) K(relu) K(relu6) K(relu_n1_to_1) K(leaky_relu) K(hard_swish) K(prelu)
    #endif
    #if MICROPY_TFLM_OP_SOFTMAX
    K(softmax)
    #endif
    #if MICROPY_TFLM_OP_ELEMENTWISE
    K(add) K(sub) K(mul) K(div) K(squared_difference) K(maximum) K(minimum)
    #endif
    #if MICROPY_TFLM_OP_REDUCE
    K(mean) K(sum) K(reduce_max) K(arg_max) K(arg_min)
    #endif
    #if MICROPY_TFLM_OP_RESHAPE
    K(reshape) K(squeeze) K(expand_dims)
    #endif
    #if MICROPY_TFLM_OP_CONCAT
    K(concatenation) K(pack) K(unpack) K(split) K(split_v)
    #endif
    #if MICROPY_TFLM_OP_SLICE
    K(pad) K(padv2) K(strided_slice) K(slice) K(transpose) K(gather)
    #endif
    #if MICROPY_TFLM_OP_CAST
    K(cast)
    #endif
    #if MICROPY_TFLM_OP_RESIZE
    K(resize_nearest_neighbor) K(resize_bilinear)
    #endif
    #if MICROPY_TFLM_OP_L2NORM
    K(l2_normalization)
    #endif
    #if MICROPY_TFLM_OP_BATCH_MATMUL
    K(batch_matmul)
    #endif
    NULL,
};

const size_t tflm_n_kernels = sizeof(tflm_kernels) / sizeof(tflm_kernels[0]) - 1;
