// FlexBuffers reader (see flexbuffer.h). Positions are offsets into the
// buffer (size_t), checked before every read, so no pointer is ever formed
// outside the bytes.
#include <math.h>
#include <string.h>
#include "flexbuffer.h"
#include "quant.h"

#if TFLM_CUSTOM_OPTIONS

// Little-endian unsigned of `width` bytes at buf[at]; the caller checked
// at + width <= len.
static uint64_t read_uint(const uint8_t *buf, size_t at, unsigned width) {
    uint64_t v = 0;
    for (unsigned i = width; i-- > 0;) {
        v = v << 8 | buf[at + i];
    }
    return v;
}

static bool valid_width(uint64_t w) {
    return w == 1 || w == 2 || w == 4 || w == 8;
}

// Where the offset in the `width`-byte slot at `slot` leads: offsets point
// back from the slot that holds them.
static tflm_flex_check_t follow(const uint8_t *buf, size_t slot, unsigned width, size_t *target) {
    uint64_t off = read_uint(buf, slot, width);
    if (off > slot) {
        return TFLM_FLEX_OUTSIDE;
    }
    *target = slot - (size_t)off;
    return TFLM_FLEX_OK;
}

// The value in the `width`-byte slot at `slot` (inside the buffer), of
// packed type `packed`.
static tflm_flex_check_t value_at(const uint8_t *buf, size_t len, size_t slot, unsigned width, uint8_t packed,
    tflm_flex_t *v) {
    unsigned type = packed >> 2;
    unsigned child = 1u << (packed & 3);
    v->buf = buf;
    v->len = len;
    v->at = slot;
    v->width = (uint8_t)width;
    v->type = (uint8_t)type;
    if (type == TFLM_FLEX_INDIRECT_INT || type == TFLM_FLEX_INDIRECT_UINT || type == TFLM_FLEX_INDIRECT_FLOAT
        || type == TFLM_FLEX_MAP) {
        size_t target;
        tflm_flex_check_t c = follow(buf, slot, width, &target);
        if (c != TFLM_FLEX_OK) {
            return c;
        }
        // A map's own fields are checked where it is read (map_find).
        if (type != TFLM_FLEX_MAP) {
            if (child > len - target) {
                return TFLM_FLEX_OUTSIDE;
            }
            v->type = (uint8_t)(type - (TFLM_FLEX_INDIRECT_INT - TFLM_FLEX_INT));
        }
        v->at = target;
        v->width = (uint8_t)child;
    }
    return TFLM_FLEX_OK;
}

tflm_flex_check_t tflm_flex_root(const uint8_t *buf, size_t len, tflm_flex_t *root) {
    // Value (at least one byte), its packed type, its byte width.
    if (buf == NULL || len < 3) {
        return TFLM_FLEX_OUTSIDE;
    }
    unsigned width = buf[len - 1];
    if (!valid_width(width)) {
        return TFLM_FLEX_BAD_WIDTH;
    }
    if (width > len - 2) {
        return TFLM_FLEX_OUTSIDE;
    }
    return value_at(buf, len, len - 2 - width, width, buf[len - 2], root);
}

tflm_flex_check_t tflm_flex_find(const tflm_flex_t *map, const char *key, tflm_flex_t *value) {
    const uint8_t *buf = map->buf;
    const size_t len = map->len, at = map->at;
    const unsigned w = map->width;
    value->buf = buf;
    value->len = len;
    value->at = value->width = 0;
    value->type = TFLM_FLEX_NULL;
    if (map->type != TFLM_FLEX_MAP) {
        return TFLM_FLEX_NOT_MAP;
    }
    // Before the values: keys offset, keys byte width, count.
    if (at > len || at < 3 * (size_t)w) {
        return TFLM_FLEX_OUTSIDE;
    }
    uint64_t n = read_uint(buf, at - w, w);
    // The values, then one type byte each.
    if (n > (len - at) / (w + 1)) {
        return TFLM_FLEX_OUTSIDE;
    }
    size_t keys;
    tflm_flex_check_t c = follow(buf, at - 3 * (size_t)w, w, &keys);
    if (c != TFLM_FLEX_OK) {
        return c;
    }
    uint64_t kw = read_uint(buf, at - 2 * (size_t)w, w);
    if (!valid_width(kw)) {
        return TFLM_FLEX_BAD_WIDTH;
    }
    if (keys > len || keys < kw || n > tflm_div_u64(len - keys, kw)) {
        return TFLM_FLEX_OUTSIDE;
    }
    if (read_uint(buf, keys - (size_t)kw, (unsigned)kw) != n) {
        return TFLM_FLEX_BAD_KEYS;
    }
    // Every key is checked (terminated, in strictly increasing order, as
    // the format requires for its binary search) whether or not it is the
    // one looked for: the answer must not depend on where the search stops.
    const char *prev = NULL;
    size_t found = (size_t)n;
    for (size_t i = 0; i < (size_t)n; i++) {
        size_t k;
        c = follow(buf, keys + i * (size_t)kw, (unsigned)kw, &k);
        if (c != TFLM_FLEX_OK) {
            return c;
        }
        if (k >= len || memchr(buf + k, 0, len - k) == NULL) {
            return TFLM_FLEX_BAD_KEYS;
        }
        const char *name = (const char *)buf + k;
        if (prev && strcmp(prev, name) >= 0) {
            return TFLM_FLEX_BAD_KEYS;
        }
        prev = name;
        if (strcmp(name, key) == 0) {
            found = i;
        }
    }
    if (found == n) {
        return TFLM_FLEX_OK; // absent: null
    }
    return value_at(buf, len, at + found * w, w, buf[at + (size_t)n * w + found], value);
}

// A FLOAT value as a double (4- or 8-byte floats; little-endian host).
static tflm_flex_check_t read_float(const tflm_flex_t *v, double *out) {
    if (v->width == 4) {
        float f;
        memcpy(&f, v->buf + v->at, 4);
        *out = (double)f;
    } else if (v->width == 8) {
        memcpy(out, v->buf + v->at, 8);
    } else {
        return TFLM_FLEX_BAD_WIDTH;
    }
    return TFLM_FLEX_OK;
}

tflm_flex_check_t tflm_flex_int(const tflm_flex_t *v, int64_t *out) {
    *out = 0;
    switch (v->type) {
        case TFLM_FLEX_NULL:
            return TFLM_FLEX_OK;
        case TFLM_FLEX_INT: {
            uint64_t u = read_uint(v->buf, v->at, v->width);
            unsigned bits = 8u * v->width;
            if (bits < 64 && (u >> (bits - 1)) & 1) {
                u |= ~(uint64_t)0 << bits; // sign-extend
            }
            *out = (int64_t)u;
            return TFLM_FLEX_OK;
        }
        case TFLM_FLEX_UINT:
        case TFLM_FLEX_BOOL: {
            uint64_t u = read_uint(v->buf, v->at, v->width);
            if (u > (uint64_t)INT64_MAX) {
                return TFLM_FLEX_RANGE;
            }
            *out = (int64_t)u;
            return TFLM_FLEX_OK;
        }
        case TFLM_FLEX_FLOAT: {
            double d;
            tflm_flex_check_t c = read_float(v, &d);
            if (c != TFLM_FLEX_OK) {
                return c;
            }
            // (double)INT64_MAX is 2^63; NaN fails both.
            if (!(d >= (double)INT64_MIN && d < (double)INT64_MAX)) {
                return TFLM_FLEX_RANGE;
            }
            *out = (int64_t)d;
            return TFLM_FLEX_OK;
        }
        default:
            return TFLM_FLEX_NOT_NUMBER;
    }
}

tflm_flex_check_t tflm_flex_float(const tflm_flex_t *v, double *out) {
    *out = 0;
    switch (v->type) {
        case TFLM_FLEX_NULL:
            return TFLM_FLEX_OK;
        case TFLM_FLEX_FLOAT:
            return read_float(v, out);
        case TFLM_FLEX_INT: {
            int64_t i;
            tflm_flex_int(v, &i);
            *out = (double)i;
            return TFLM_FLEX_OK;
        }
        case TFLM_FLEX_UINT:
        case TFLM_FLEX_BOOL:
            *out = (double)read_uint(v->buf, v->at, v->width);
            return TFLM_FLEX_OK;
        default:
            return TFLM_FLEX_NOT_NUMBER;
    }
}

tflm_flex_check_t tflm_flex_bool(const tflm_flex_t *v, bool *out) {
    *out = false;
    switch (v->type) {
        case TFLM_FLEX_NULL:
            return TFLM_FLEX_OK;
        case TFLM_FLEX_BOOL:
        case TFLM_FLEX_INT:
        case TFLM_FLEX_UINT:
            *out = read_uint(v->buf, v->at, v->width) != 0;
            return TFLM_FLEX_OK;
        case TFLM_FLEX_FLOAT: {
            double d;
            tflm_flex_check_t c = read_float(v, &d);
            // Nonzero once truncated to an integer.
            *out = d >= 1 || d <= -1;
            return c;
        }
        default:
            return TFLM_FLEX_NOT_NUMBER;
    }
}

const char *tflm_flex_check_str(tflm_flex_check_t c) {
    switch (c) {
        case TFLM_FLEX_OUTSIDE:
            return "an offset or count leads outside the flexbuffer";
        case TFLM_FLEX_BAD_WIDTH:
            return "invalid byte width";
        case TFLM_FLEX_NOT_MAP:
            return "not a flexbuffer map";
        case TFLM_FLEX_BAD_KEYS:
            return "map keys unterminated, unsorted or not one per value";
        case TFLM_FLEX_NOT_NUMBER:
            return "not a number";
        case TFLM_FLEX_RANGE:
            return "out of range";
        default:
            return "valid";
    }
}

tflm_status_t tflm_custom_options_read(tflm_interp_t *ip, const tflm_node_t *node,
    const tflm_flex_option_t *opts, size_t n, void *out) {
    uint32_t len;
    const uint8_t *buf = tflm_custom_options(node, &len);
    if (len == 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "custom options missing (a flexbuffer map expected)");
    }
    tflm_flex_t root;
    tflm_flex_check_t c = tflm_flex_root(buf, len, &root);
    if (c == TFLM_FLEX_OK && root.type != TFLM_FLEX_MAP) {
        c = TFLM_FLEX_NOT_MAP;
    }
    for (size_t i = 0; i < n && c == TFLM_FLEX_OK; i++) {
        const tflm_flex_option_t *o = &opts[i];
        tflm_flex_t v;
        c = tflm_flex_find(&root, o->key, &v);
        if (c != TFLM_FLEX_OK) {
            break; // the map itself is malformed
        }
        uint8_t *field = (uint8_t *)out + o->offset;
        bool absent = v.type == TFLM_FLEX_NULL;
        if (absent && isnan(o->def)) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "custom option '%s' missing", o->key);
        }
        if (o->kind == TFLM_FLEX_OPT_I32) {
            int64_t x;
            c = tflm_flex_int(&v, &x);
            if (c == TFLM_FLEX_OK && (x < INT32_MIN || x > INT32_MAX)) {
                c = TFLM_FLEX_RANGE;
            }
            int32_t y = absent ? (int32_t)o->def : (int32_t)x;
            memcpy(field, &y, sizeof(y));
        } else if (o->kind == TFLM_FLEX_OPT_F32) {
            double d;
            c = tflm_flex_float(&v, &d);
            float f = absent ? o->def : (float)d;
            memcpy(field, &f, sizeof(f));
        } else {
            bool b;
            c = tflm_flex_bool(&v, &b);
            b = absent ? o->def != 0.0f : b;
            memcpy(field, &b, sizeof(b));
        }
        if (c != TFLM_FLEX_OK) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "custom option '%s': %s", o->key, tflm_flex_check_str(c));
        }
    }
    if (c != TFLM_FLEX_OK) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "custom options: %s", tflm_flex_check_str(c));
    }
    return TFLM_OK;
}

#endif // TFLM_CUSTOM_OPTIONS
