// CAST between float32, int8, uint8, int16, int32, int64 and bool.
//
// Conversions as TFLM (static_cast) with its defined outcomes:
//   float -> integer  truncates toward zero, saturates to the target range,
//                     NaN gives 0 (what the TFLM build does; plain C leaves
//                     out-of-range conversions undefined, so this is explicit);
//   integer -> integer keeps the low bits (two's complement wrap);
//   integer -> float  rounds to nearest;
//   anything -> bool  is `value != 0` (NaN is true); bool reads as 0 or 1.
// Quantization parameters are ignored, as in TFLite.
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_CAST
#include <string.h>
#include "../kernel.h"
#include "../support/elements.h"

typedef struct {
    int32_t count;
} cast_data_t;

static tflm_status_t cast_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s = tflm_check_io(ip, node, 1, 1, 1);
    if (s != TFLM_OK) {
        return s;
    }
    cast_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    if (!tflm_plain_type(in->type)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input type %s", tflm_type_name(in->type));
    }
    if (!tflm_plain_type(out->type)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "output type %s", tflm_type_name(out->type));
    }
    if ((in->flags & TFLM_T_CONST) && ((uintptr_t)in->data & (tflm_type_size(in->type) - 1))) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "misaligned constant input");
    }
    d->count = tflm_elem_count(in);
    if (d->count != tflm_elem_count(out)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input has %d elements, output %d",
            (int)d->count, (int)tflm_elem_count(out));
    }
    return TFLM_OK;
}

// float -> integer in [lo, hi]: truncation, saturation, NaN -> 0. The bounds
// are exact in float (powers of two or small), so the comparisons are exact.
static inline int32_t f2i32(float x, float lo, float hi_excl, int32_t ilo, int32_t ihi) {
    if (!(x == x)) {
        return 0;
    }
    if (x <= lo) {
        return ilo;
    }
    if (x >= hi_excl) {
        return ihi;
    }
    return (int32_t)x;
}

static inline int64_t f2i64(float x) {
    if (!(x == x)) {
        return 0;
    }
    if (x <= -9223372036854775808.0f) {
        return INT64_MIN;
    }
    if (x >= 9223372036854775808.0f) {
        return INT64_MAX;
    }
    return (int64_t)x;
}

// Integers wrap to the target width (two's complement), through unsigned.
#define LOOP(IN_T, OUT_T, EXPR) do { \
        const IN_T *src = (const IN_T *)(const void *)in; \
        OUT_T *dst = (OUT_T *)(void *)out; \
        for (int32_t i = 0; i < n; i++) { \
            IN_T v = src[i]; \
            dst[i] = (EXPR); \
        } \
} while (0)

// One source type (int8/uint8/int16/int32/int64/bool) to every target.
#define FROM_INT(IN_T) do { \
        switch (out_type) { \
            case TFLM_FLOAT32: LOOP(IN_T, float, (float)v); break; \
            case TFLM_INT8: LOOP(IN_T, int8_t, (int8_t)(uint8_t)(uint64_t)(int64_t)v); break; \
            case TFLM_UINT8: LOOP(IN_T, uint8_t, (uint8_t)(uint64_t)(int64_t)v); break; \
            case TFLM_INT16: LOOP(IN_T, int16_t, (int16_t)(uint16_t)(uint64_t)(int64_t)v); break; \
            case TFLM_INT32: LOOP(IN_T, int32_t, (int32_t)(uint32_t)(uint64_t)(int64_t)v); break; \
            case TFLM_INT64: LOOP(IN_T, int64_t, (int64_t)v); break; \
            default: LOOP(IN_T, uint8_t, (uint8_t)(v != 0)); break; \
        } \
} while (0)

static void cast_run(int in_type, int out_type, const uint8_t *in, uint8_t *out, int32_t n) {
    switch (in_type) {
        case TFLM_FLOAT32:
            switch (out_type) {
                case TFLM_FLOAT32: LOOP(float, float, v); break;
                case TFLM_INT8: LOOP(float, int8_t, (int8_t)f2i32(v, -128.0f, 127.0f, -128, 127)); break;
                case TFLM_UINT8: LOOP(float, uint8_t, (uint8_t)f2i32(v, 0.0f, 255.0f, 0, 255)); break;
                case TFLM_INT16:
                    LOOP(float, int16_t, (int16_t)f2i32(v, -32768.0f, 32767.0f, -32768, 32767));
                    break;
                case TFLM_INT32:
                    LOOP(float, int32_t, f2i32(v, -2147483648.0f, 2147483648.0f, INT32_MIN, INT32_MAX));
                    break;
                case TFLM_INT64: LOOP(float, int64_t, f2i64(v)); break;
                default: LOOP(float, uint8_t, (uint8_t)(v != 0.0f)); break;
            }
            break;
        case TFLM_INT8: FROM_INT(int8_t); break;
        case TFLM_UINT8: FROM_INT(uint8_t); break;
        case TFLM_INT16: FROM_INT(int16_t); break;
        case TFLM_INT32: FROM_INT(int32_t); break;
        case TFLM_INT64: FROM_INT(int64_t); break;
        default: {
            // bool: any non-zero byte is true.
            const uint8_t *b = in;
            uint8_t t[8];
            size_t es = tflm_type_size(out_type);
            for (int32_t i = 0; i < n; i++) {
                memset(t, 0, sizeof(t));
                if (out_type == TFLM_FLOAT32) {
                    float f = b[i] ? 1.0f : 0.0f;
                    memcpy(t, &f, 4);
                } else {
                    t[0] = b[i] ? 1 : 0; // little-endian: the low byte
                }
                memcpy(out + es * (size_t)i, t, es);
            }
            break;
        }
    }
}

static tflm_status_t cast_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const cast_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    cast_run(in->type, out->type, in->data, out->data, d->count);
    return TFLM_OK;
}

const tflm_kernel_t tflm_kernel_cast = {
    .builtin = TFLM_OP_CAST,
    .max_version = 3,
    .options_type = TFLM_OPTIONS_CastOptions,
    .op_data_size = sizeof(cast_data_t),
    .prepare = cast_prepare,
    .eval = cast_eval,
};

#endif // MICROPY_TFLM_OP_CAST
