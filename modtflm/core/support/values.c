// Single values in and out of tensors for the binding (and any other
// caller of the API): type ranges, checked integer stores, quantizing and
// dequantizing one element. The kernels' own type ranges read the same table
// (quant.h's tflm_type_range).
#include <string.h>
#include "../tflm.h"

bool tflm_type_limits(int type, int64_t *lo, int64_t *hi) {
    switch (type) {
        case TFLM_INT8:
            *lo = -128, *hi = 127;
            return true;
        case TFLM_UINT8:
        case TFLM_BOOL:
            *lo = 0, *hi = 255;
            return true;
        case TFLM_INT16:
            *lo = -32768, *hi = 32767;
            return true;
        case TFLM_INT32:
            *lo = INT32_MIN, *hi = INT32_MAX;
            return true;
        case TFLM_UINT32:
            *lo = 0, *hi = UINT32_MAX;
            return true;
        case TFLM_INT64:
            *lo = INT64_MIN, *hi = INT64_MAX;
            return true;
        default:
            return false;
    }
}

bool tflm_set_int(const tflm_tensor_t *t, size_t i, int64_t v) {
    int64_t lo, hi;
    if (!tflm_type_limits(t->type, &lo, &hi) || v < lo || v > hi) {
        return false;
    }
    switch (tflm_type_size(t->type)) {
        case 1:
            t->data[i] = (uint8_t)v;
            break;
        case 2:
            ((int16_t *)(void *)t->data)[i] = (int16_t)v;
            break;
        case 4:
            ((int32_t *)(void *)t->data)[i] = (int32_t)v;
            break;
        default:
            memcpy(t->data + 8 * i, &v, 8);
            break;
    }
    return true;
}

int32_t tflm_quantize_value(const tflm_tensor_t *t, float v) {
    int64_t lo, hi;
    if (!tflm_type_limits(t->type, &lo, &hi) || t->type == TFLM_INT64) {
        lo = INT32_MIN, hi = INT32_MAX;
    }
    // Round half away from zero, then clamp in float before converting (a
    // float beyond int32 must not reach the conversion).
    float q = v / t->scale;
    q = q < 0 ? -(float)(int64_t)(-q + 0.5f) : (float)(int64_t)(q + 0.5f);
    float x = q + (float)t->zero_point;
    return x < (float)lo ? (int32_t)lo : x > (float)hi ? (int32_t)hi : (int32_t)x;
}

bool tflm_dequantize_value(const tflm_tensor_t *t, size_t i, float *out) {
    float scale = (t->flags & TFLM_T_QUANT) ? t->scale : 1.0f;
    int32_t zp = (t->flags & TFLM_T_QUANT) ? t->zero_point : 0;
    int32_t q;
    switch (t->type) {
        case TFLM_FLOAT32:
            *out = ((const float *)(const void *)t->data)[i];
            return true;
        case TFLM_INT8:
            q = ((const int8_t *)t->data)[i];
            break;
        case TFLM_UINT8:
            q = t->data[i];
            break;
        case TFLM_INT16:
            q = ((const int16_t *)(const void *)t->data)[i];
            break;
        case TFLM_INT32:
            q = ((const int32_t *)(const void *)t->data)[i];
            break;
        default:
            return false;
    }
    *out = scale * (float)((int64_t)q - zp);
    return true;
}
