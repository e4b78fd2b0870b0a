// Build-time selection of op families. A board can set e.g.
// -DMICROPY_TFLM_OP_CONV=0 to drop that family's code and table entries.
#ifndef TFLM_CORE_CONFIG_H
#define TFLM_CORE_CONFIG_H

// Optimized kernels (Arm DSP, Helium or the portable fast C path, chosen
// by the compiler's target) beside the reference ones. 0 builds the
// reference kernels only.
#ifndef MICROPY_TFLM_OPT_KERNELS
#define MICROPY_TFLM_OPT_KERNELS (1)
#endif

#ifndef MICROPY_TFLM_OP_FULLY_CONNECTED
#define MICROPY_TFLM_OP_FULLY_CONNECTED (1)
#endif
#ifndef MICROPY_TFLM_OP_QUANTIZE
#define MICROPY_TFLM_OP_QUANTIZE (1)
#endif
#ifndef MICROPY_TFLM_OP_CONV
#define MICROPY_TFLM_OP_CONV (1)
#endif
#ifndef MICROPY_TFLM_OP_POOLING
#define MICROPY_TFLM_OP_POOLING (1)
#endif
#ifndef MICROPY_TFLM_OP_ACTIVATIONS
#define MICROPY_TFLM_OP_ACTIVATIONS (1)
#endif
#ifndef MICROPY_TFLM_OP_SOFTMAX
#define MICROPY_TFLM_OP_SOFTMAX (1)
#endif
#ifndef MICROPY_TFLM_OP_ELEMENTWISE
#define MICROPY_TFLM_OP_ELEMENTWISE (1)
#endif
#ifndef MICROPY_TFLM_OP_REDUCE
#define MICROPY_TFLM_OP_REDUCE (1)
#endif
#ifndef MICROPY_TFLM_OP_RESHAPE
#define MICROPY_TFLM_OP_RESHAPE (1)
#endif
#ifndef MICROPY_TFLM_OP_CONCAT
#define MICROPY_TFLM_OP_CONCAT (1)
#endif
#ifndef MICROPY_TFLM_OP_SLICE
#define MICROPY_TFLM_OP_SLICE (1)
#endif
#ifndef MICROPY_TFLM_OP_CAST
#define MICROPY_TFLM_OP_CAST (1)
#endif
#ifndef MICROPY_TFLM_OP_RESIZE
#define MICROPY_TFLM_OP_RESIZE (1)
#endif
#ifndef MICROPY_TFLM_OP_L2NORM
#define MICROPY_TFLM_OP_L2NORM (1)
#endif
#ifndef MICROPY_TFLM_OP_BATCH_MATMUL
#define MICROPY_TFLM_OP_BATCH_MATMUL (1)
#endif

#endif // TFLM_CORE_CONFIG_H
