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

// Not static: in the native module (natmod/) mpy_ld can place a variable
// of .bss only when the code reaches it through the GOT, which it does for
// an external one.
char tflm_msg_buf[TFLM_ERR_MSG_LEN];

static tflm_status_t record(tflm_error_t *err, tflm_status_t status) {
    err->msg = tflm_msg_buf;
    err->status = status;
    return status;
}

// "op <index> (<NAME>): " at the start of the message buffer; for an op of
// another subgraph than the model's, "subgraph <s> op <index in it> ...".
static size_t op_prefix(tflm_interp_t *ip, const tflm_node_t *node) {
    uint32_t n = (uint32_t)(node - ip->nodes);
    size_t pos = 0;
    const tflm_subgraph_t *sg = MICROPY_TFLM_OP_CONTROL_FLOW && ip->graph ? ip->graph->subgraphs : NULL;
    if (sg && n >= ip->n_main_nodes) {
        while (sg + 1 < ip->graph->subgraphs + ip->graph->n_subgraphs && n >= (uint32_t)sg[1].first_node) {
            sg++;
        }
        pos = put_str(tflm_msg_buf, pos, "subgraph ");
        pos = put_num(tflm_msg_buf, pos, (uint32_t)(sg - ip->graph->subgraphs), false);
        pos = put_str(tflm_msg_buf, pos, " ");
        n -= sg->first_node;
    }
    pos = put_str(tflm_msg_buf, pos, "op ");
    pos = put_num(tflm_msg_buf, pos, n, false);
    pos = put_str(tflm_msg_buf, pos, " (");
    const char *name = node->kernel ? tflm_kernel_name(node->kernel) : tflm_op_name(node->builtin);
    pos = put_str(tflm_msg_buf, pos, name ? name : "?");
    return put_str(tflm_msg_buf, pos, "): ");
}

tflm_status_t tflm_fail_text(tflm_error_t *err, tflm_status_t status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vformat(tflm_msg_buf, 0, fmt, ap);
    va_end(ap);
    return record(err, status);
}

tflm_status_t tflm_op_fail_text(tflm_interp_t *ip, const tflm_node_t *node, tflm_status_t status,
    const char *fmt, ...) {
    size_t pos = op_prefix(ip, node);
    va_list ap;
    va_start(ap, fmt);
    vformat(tflm_msg_buf, pos, fmt, ap);
    va_end(ap);
    return record(&ip->err, status);
}

#if !TFLM_ERROR_TEXT
// "E<status>.<line>": enough to find the check in the source.
static size_t put_code(size_t pos, tflm_status_t status, int line) {
    pos = put_str(tflm_msg_buf, pos, "E");
    pos = put_num(tflm_msg_buf, pos, (uint32_t)status, false);
    pos = put_str(tflm_msg_buf, pos, ".");
    pos = put_num(tflm_msg_buf, pos, (uint32_t)line, false);
    tflm_msg_buf[pos] = 0;
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

const char *tflm_kernel_name(const tflm_kernel_t *k) {
    return k->custom ? k->custom : tflm_op_name(k->builtin);
}

static const char *const type_names[] = {
    "float32", "float16", "int32", "uint8", "int64", "string", "bool", "int16",
    "complex64", "int8", "float64", "complex128", "uint64", "resource", "variant", "uint32",
};

// A resource tensor holds its variable's int32 id (kernels/variables.c).
static const uint8_t type_sizes[] = {4, 2, 4, 1, 8, 0, 1, 2, 8, 1, 8, 0, 8, 4, 0, 4};

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
