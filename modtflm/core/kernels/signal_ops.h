// What the kernels of TFLM's signal library (signal.c, signal_stream.c)
// share: the rows of their custom options tables, TRY, and typed views of
// input data. Private to those two files.
#ifndef TFLM_CORE_KERNELS_SIGNAL_OPS_H
#define TFLM_CORE_KERNELS_SIGNAL_OPS_H
#include <stddef.h>
#include "../kernel.h"
#include "../support/flexbuffer.h"

// A row of an op's options table: the custom option `key` into `field` of
// the op data struct `type`, read as kind I32, F32 or BOOL; `def` when the
// key is absent (TFLM_FLEX_REQUIRED: a ValueError naming it).
#define OPT(type, key, field, kind, def) { key, offsetof(type, field), TFLM_FLEX_OPT_##kind, def }
#define N_OPTS(table) (sizeof(table) / sizeof((table)[0]))

// Returns x's status unless it is TFLM_OK.
#define TRY(x) do { tflm_status_t s_ = (x); if (s_ != TFLM_OK) return s_; } while (0)

// An input's data as the values the ops read.
static inline const int16_t *i16(const tflm_tensor_t *t) {
    return (const int16_t *)(const void *)t->data;
}
static inline const uint32_t *u32(const tflm_tensor_t *t) {
    return (const uint32_t *)(const void *)t->data;
}

#endif // TFLM_CORE_KERNELS_SIGNAL_OPS_H
