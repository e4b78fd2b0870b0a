// CAST between float32, int8, uint8, int16, int32, uint32, int64 and bool.
//
// Conversions as TFLM (static_cast) with its defined outcomes:
//   float -> integer  truncates toward zero, saturates to the target range,
//                     NaN gives 0 (what the TFLM build does; plain C leaves
//                     out-of-range conversions undefined, so this is explicit);
//   integer -> integer keeps the low bits (two's complement wrap; uint32
//                     widens without sign);
//   float -> uint32   truncates to int64 as above, then keeps the low bits
//                     (what static_cast compiles to on TFLM's x86-64 build);
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
    cast_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0), *out = tflm_node_output(ip, node, 0);
    if (!tflm_plain_type(in->type) && in->type != TFLM_UINT32) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input type %s", tflm_type_name(in->type));
    }
    if (!tflm_plain_type(out->type) && out->type != TFLM_UINT32) {
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

// Stores element i of an `out` array of type `to` (a constant) converted
// from a float, an int64 or an int32 (all narrower integers and bool read as
// int32). Integers wrap to the target width (two's complement, through
// unsigned); anything -> bool is `value != 0`.
TFLM_INLINE_LOOP void store_from_f32(uint8_t *out, size_t i, float v, const int to) {
    switch (to) {
        case TFLM_FLOAT32: ((float *)(void *)out)[i] = v; break;
        case TFLM_INT8: ((int8_t *)out)[i] = (int8_t)f2i32(v, -128.0f, 127.0f, -128, 127); break;
        case TFLM_UINT8: out[i] = (uint8_t)f2i32(v, 0.0f, 255.0f, 0, 255); break;
        case TFLM_INT16: ((int16_t *)(void *)out)[i] = (int16_t)f2i32(v, -32768.0f, 32767.0f, -32768, 32767); break;
        case TFLM_INT32:
            ((int32_t *)(void *)out)[i] = f2i32(v, -2147483648.0f, 2147483648.0f, INT32_MIN, INT32_MAX);
            break;
        case TFLM_INT64: ((int64_t *)(void *)out)[i] = f2i64(v); break;
        case TFLM_UINT32: ((uint32_t *)(void *)out)[i] = (uint32_t)(uint64_t)f2i64(v); break;
        default: out[i] = (uint8_t)(v != 0.0f); break;
    }
}

TFLM_INLINE_LOOP void store_from_i64(uint8_t *out, size_t i, int64_t v, const int to) {
    switch (to) {
        case TFLM_FLOAT32: ((float *)(void *)out)[i] = (float)v; break;
        case TFLM_INT64: ((int64_t *)(void *)out)[i] = v; break;
        case TFLM_BOOL: out[i] = (uint8_t)(v != 0); break;
        default: tflm_store_int(out, i, (int32_t)(uint32_t)(uint64_t)v, to); break;
    }
}

TFLM_INLINE_LOOP void store_from_i32(uint8_t *out, size_t i, int32_t v, const int to) {
    switch (to) {
        case TFLM_FLOAT32: ((float *)(void *)out)[i] = (float)v; break;
        case TFLM_INT64: ((int64_t *)(void *)out)[i] = v; break;
        case TFLM_BOOL: out[i] = (uint8_t)(v != 0); break;
        default: tflm_store_int(out, i, v, to); break;
    }
}

// n elements from type `ti` to type `to` (constants: one loop per pair).
TFLM_INLINE_LOOP void cast_loop(const uint8_t *in, uint8_t *out, int32_t n, const int ti, const int to) {
    for (int32_t i = 0; i < n; i++) {
        if (ti == TFLM_FLOAT32) {
            store_from_f32(out, (size_t)i, ((const float *)(const void *)in)[i], to);
        } else if (ti == TFLM_INT64) {
            store_from_i64(out, (size_t)i, ((const int64_t *)(const void *)in)[i], to);
        } else if (ti == TFLM_UINT32) {
            store_from_i64(out, (size_t)i, ((const uint32_t *)(const void *)in)[i], to);
        } else if (ti == TFLM_BOOL) {
            store_from_i32(out, (size_t)i, in[i] != 0, to); // any non-zero byte is true
        } else {
            store_from_i32(out, (size_t)i, tflm_load_int(in, (size_t)i, ti), to);
        }
    }
}

// From type `ti` (a constant) to the output's type.
TFLM_INLINE_LOOP void cast_from(const uint8_t *in, uint8_t *out, int32_t n, const int ti, int to) {
    switch (to) {
        case TFLM_FLOAT32: cast_loop(in, out, n, ti, TFLM_FLOAT32); break;
        case TFLM_INT8: cast_loop(in, out, n, ti, TFLM_INT8); break;
        case TFLM_UINT8: cast_loop(in, out, n, ti, TFLM_UINT8); break;
        case TFLM_INT16: cast_loop(in, out, n, ti, TFLM_INT16); break;
        case TFLM_INT32: cast_loop(in, out, n, ti, TFLM_INT32); break;
        case TFLM_INT64: cast_loop(in, out, n, ti, TFLM_INT64); break;
        case TFLM_UINT32: cast_loop(in, out, n, ti, TFLM_UINT32); break;
        default: cast_loop(in, out, n, ti, TFLM_BOOL); break;
    }
}

static void cast_run(int in_type, int out_type, const uint8_t *in, uint8_t *out, int32_t n) {
    switch (in_type) {
        case TFLM_FLOAT32: cast_from(in, out, n, TFLM_FLOAT32, out_type); break;
        case TFLM_INT8: cast_from(in, out, n, TFLM_INT8, out_type); break;
        case TFLM_UINT8: cast_from(in, out, n, TFLM_UINT8, out_type); break;
        case TFLM_INT16: cast_from(in, out, n, TFLM_INT16, out_type); break;
        case TFLM_INT32: cast_from(in, out, n, TFLM_INT32, out_type); break;
        case TFLM_INT64: cast_from(in, out, n, TFLM_INT64, out_type); break;
        case TFLM_UINT32: cast_from(in, out, n, TFLM_UINT32, out_type); break;
        default: cast_from(in, out, n, TFLM_BOOL, out_type); break;
    }
}

static tflm_status_t cast_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const cast_data_t *d = node->op_data;
    const tflm_tensor_t *in = tflm_node_input(ip, node, 0);
    tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    cast_run(in->type, out->type, in->data, out->data, d->count);
    return TFLM_OK;
}

TFLM_KERNEL(cast, CAST, 3, CastOptions, 1, 1, 1, sizeof(cast_data_t), cast_prepare, cast_eval);

#endif // MICROPY_TFLM_OP_CAST
