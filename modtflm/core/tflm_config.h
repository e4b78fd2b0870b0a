// Build-time selection of op families. Each defaults to on; a board can set
// e.g. -DMICROPY_TFLM_OP_QUANTIZE=0 to drop that family's code.
#ifndef TFLM_CORE_CONFIG_H
#define TFLM_CORE_CONFIG_H

#ifndef MICROPY_TFLM_OP_FULLY_CONNECTED
#define MICROPY_TFLM_OP_FULLY_CONNECTED (1)
#endif
#ifndef MICROPY_TFLM_OP_QUANTIZE
#define MICROPY_TFLM_OP_QUANTIZE (1)
#endif

#endif // TFLM_CORE_CONFIG_H
