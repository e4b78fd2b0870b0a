// Error recording with a tiny formatter (%d %u %s): the core must not depend
// on a printf, which bare-metal ports often lack.
#include <stdarg.h>
#include "kernel.h"

static size_t put_str(char *buf, size_t pos, const char *s) {
    while (*s && pos < TFLM_ERR_MSG_LEN - 1) {
        buf[pos++] = *s++;
    }
    return pos;
}

static size_t put_num(char *buf, size_t pos, uint32_t v, bool neg) {
    char tmp[12];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (neg) {
        tmp[n++] = '-';
    }
    while (n && pos < TFLM_ERR_MSG_LEN - 1) {
        buf[pos++] = tmp[--n];
    }
    return pos;
}

static size_t vformat(char *buf, size_t pos, const char *fmt, va_list ap) {
    for (; *fmt && pos < TFLM_ERR_MSG_LEN - 1; fmt++) {
        if (*fmt != '%' || fmt[1] == 0) {
            buf[pos++] = *fmt;
            continue;
        }
        fmt++;
        if (*fmt == 'd') {
            int32_t v = va_arg(ap, int32_t);
            pos = put_num(buf, pos, v < 0 ? 0u - (uint32_t)v : (uint32_t)v, v < 0);
        } else if (*fmt == 'u') {
            pos = put_num(buf, pos, va_arg(ap, uint32_t), false);
        } else if (*fmt == 's') {
            const char *s = va_arg(ap, const char *);
            pos = put_str(buf, pos, s ? s : "?");
        } else {
            buf[pos++] = *fmt;
        }
    }
    buf[pos] = 0;
    return pos;
}

static char msg_buf[TFLM_ERR_MSG_LEN];

static tflm_status_t record(tflm_error_t *err, tflm_status_t status) {
    err->msg = msg_buf;
    err->status = status;
    return status;
}

// "op <index> (<NAME>): " at the start of the message buffer.
static size_t op_prefix(tflm_interp_t *ip, const tflm_node_t *node) {
    size_t pos = put_str(msg_buf, 0, "op ");
    pos = put_num(msg_buf, pos, (uint32_t)(node - ip->nodes), false);
    pos = put_str(msg_buf, pos, " (");
    const char *name = tflm_op_name(node->builtin);
    pos = put_str(msg_buf, pos, name ? name : "?");
    return put_str(msg_buf, pos, "): ");
}

tflm_status_t tflm_fail_text(tflm_error_t *err, tflm_status_t status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vformat(msg_buf, 0, fmt, ap);
    va_end(ap);
    return record(err, status);
}

tflm_status_t tflm_op_fail_text(tflm_interp_t *ip, const tflm_node_t *node, tflm_status_t status,
    const char *fmt, ...) {
    size_t pos = op_prefix(ip, node);
    va_list ap;
    va_start(ap, fmt);
    vformat(msg_buf, pos, fmt, ap);
    va_end(ap);
    return record(&ip->err, status);
}

#if !TFLM_ERROR_TEXT
// "E<status>.<line>": enough to find the check in the source.
static size_t put_code(size_t pos, tflm_status_t status, int line) {
    pos = put_str(msg_buf, pos, "E");
    pos = put_num(msg_buf, pos, (uint32_t)status, false);
    pos = put_str(msg_buf, pos, ".");
    pos = put_num(msg_buf, pos, (uint32_t)line, false);
    msg_buf[pos] = 0;
    return pos;
}

tflm_status_t tflm_fail_code(tflm_error_t *err, tflm_status_t status, int line) {
    put_code(0, status, line);
    return record(err, status);
}

tflm_status_t tflm_op_fail_code(tflm_interp_t *ip, const tflm_node_t *node, tflm_status_t status, int line) {
    put_code(op_prefix(ip, node), status, line);
    return record(&ip->err, status);
}
#endif

static const char *const type_names[] = {
    "float32", "float16", "int32", "uint8", "int64", "string", "bool", "int16",
    "complex64", "int8", "float64",
};

static const uint8_t type_sizes[] = {4, 2, 4, 1, 8, 0, 1, 2, 8, 1, 8};

uint32_t tflm_tensor_bytes(const tflm_tensor_t *t) {
    uint32_t n = (uint32_t)tflm_type_size(t->type);
    for (int i = 0; i < t->rank; i++) {
        n *= (uint32_t)t->dims[i];
    }
    return n;
}

size_t tflm_type_size(int type) {
    return type >= 0 && type < (int)sizeof(type_sizes) ? type_sizes[type] : 0;
}

const char *tflm_type_name(int type) {
    return type >= 0 && type < (int)(sizeof(type_names) / sizeof(type_names[0])) ? type_names[type] : "unknown";
}

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
