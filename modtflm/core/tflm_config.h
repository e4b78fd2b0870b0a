// Build-time selection of op families. A board can set e.g.
// -DMICROPY_TFLM_OP_CONV=0 to drop that family's code and table entries.
#ifndef TFLM_CORE_CONFIG_H
#define TFLM_CORE_CONFIG_H

// A port's settings for the core (the MicroPython binding's derive them from
// mpconfig.h: see modtflm/tflm_mp_config.h, named by the build files).
#ifdef TFLM_CONFIG_FILE
#include TFLM_CONFIG_FILE
#endif

// Error messages in full (1), or only a status and source line (0) to save
// the flash their texts take.
#ifndef TFLM_ERROR_TEXT
#define TFLM_ERROR_TEXT (1)
#endif

// Optimized kernels (Arm DSP, Helium or the portable fast C path, chosen
// by the compiler's target) beside the reference ones. 0 builds the
// reference kernels only.
#ifndef MICROPY_TFLM_OPT_KERNELS
#define MICROPY_TFLM_OPT_KERNELS (1)
#endif

// Activation types with kernels built in. A board that runs only int8
// models can set MICROPY_TFLM_TYPE_FLOAT32=0 and MICROPY_TFLM_TYPE_INT16=0
// to drop the float32 and int16 variants of the kernels that have them
// (ops on those types then raise NotImplementedError at load).
#ifndef MICROPY_TFLM_TYPE_FLOAT32
#define MICROPY_TFLM_TYPE_FLOAT32 (1)
#endif
#ifndef MICROPY_TFLM_TYPE_INT16
#define MICROPY_TFLM_TYPE_INT16 (1)
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
// TRANSPOSE_CONV (in the CONV family's file; needs MICROPY_TFLM_OP_CONV).
#ifndef MICROPY_TFLM_OP_TRANSPOSE_CONV
#define MICROPY_TFLM_OP_TRANSPOSE_CONV (MICROPY_TFLM_OP_CONV)
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
// LOG_SOFTMAX (in the SOFTMAX family's file; needs MICROPY_TFLM_OP_SOFTMAX).
#ifndef MICROPY_TFLM_OP_LOG_SOFTMAX
#define MICROPY_TFLM_OP_LOG_SOFTMAX (MICROPY_TFLM_OP_SOFTMAX)
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
#ifndef MICROPY_TFLM_OP_UNARY
#define MICROPY_TFLM_OP_UNARY (1)
#endif
#ifndef MICROPY_TFLM_OP_COMPARE
#define MICROPY_TFLM_OP_COMPARE (1)
#endif
#ifndef MICROPY_TFLM_OP_SHAPE
#define MICROPY_TFLM_OP_SHAPE (1)
#endif
#ifndef MICROPY_TFLM_OP_INDEX
#define MICROPY_TFLM_OP_INDEX (1)
#endif
#ifndef MICROPY_TFLM_OP_LAYOUT
#define MICROPY_TFLM_OP_LAYOUT (1)
#endif
#ifndef MICROPY_TFLM_OP_DETECTION_POSTPROCESS
#define MICROPY_TFLM_OP_DETECTION_POSTPROCESS (1)
#endif
// The signal library's streaming custom ops: SignalFramer,
// SignalOverlapAdd, SignalStacker, SignalDelay.
#ifndef MICROPY_TFLM_OP_SIGNAL_STREAM
#define MICROPY_TFLM_OP_SIGNAL_STREAM (1)
#endif

// TFLM's signal library custom ops (the audio front end: SignalWindow ...
// SignalFilterBankLog, kernels/signal.c on core/dsp).
#ifndef MICROPY_TFLM_OP_SIGNAL
#define MICROPY_TFLM_OP_SIGNAL (1)
#endif
#ifndef MICROPY_TFLM_OP_SVDF
#define MICROPY_TFLM_OP_SVDF (1)
#endif
#ifndef MICROPY_TFLM_OP_LSTM
#define MICROPY_TFLM_OP_LSTM (1)
#endif
// IF, WHILE, CALL_ONCE, and with them models of several subgraphs (0: such
// models are refused, and the core leaves out what plans and runs them).
#ifndef MICROPY_TFLM_OP_CONTROL_FLOW
#define MICROPY_TFLM_OP_CONTROL_FLOW (1)
#endif
// Resource variables: VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE.
#ifndef MICROPY_TFLM_OP_VARIABLES
#define MICROPY_TFLM_OP_VARIABLES (1)
#endif
// tflm.AudioFrontend: TensorFlow's audio micro frontend (core/dsp/audio_frontend.c).
#ifndef MICROPY_TFLM_FRONTEND
#define MICROPY_TFLM_FRONTEND (1)
#endif

// A cap on one WHILE's iterations, failing the invoke past it (0: none,
// as in TFLM, where only the model's condition ends a loop). The fuzz
// build sets one so that a model looping forever ends.
#ifndef TFLM_WHILE_MAX_ITERATIONS
#define TFLM_WHILE_MAX_ITERATIONS (0)
#endif

// The FlexBuffers reader (support/flexbuffer.c), built when a custom-op
// family that reads its options is.
#define TFLM_CUSTOM_OPTIONS (MICROPY_TFLM_OP_DETECTION_POSTPROCESS || MICROPY_TFLM_OP_SIGNAL || MICROPY_TFLM_OP_SIGNAL_STREAM)

#endif // TFLM_CORE_CONFIG_H
