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

tflm_status_t tflm_fail(tflm_error_t *err, tflm_status_t status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vformat(msg_buf, 0, fmt, ap);
    va_end(ap);
    err->msg = msg_buf;
    err->status = status;
    return status;
}

tflm_status_t tflm_op_fail(tflm_interp_t *ip, const tflm_node_t *node, tflm_status_t status,
    const char *fmt, ...) {
    char *buf = msg_buf;
    ip->err.msg = buf;
    size_t pos = put_str(buf, 0, "op ");
    pos = put_num(buf, pos, (uint32_t)(node - ip->nodes), false);
    pos = put_str(buf, pos, " (");
    const char *name = tflm_op_name(node->builtin);
    pos = put_str(buf, pos, name ? name : "?");
    pos = put_str(buf, pos, "): ");
    va_list ap;
    va_start(ap, fmt);
    vformat(buf, pos, fmt, ap);
    va_end(ap);
    ip->err.status = status;
    return status;
}

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
