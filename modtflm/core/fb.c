// Flatbuffer primitives; see fb.h. All position arithmetic is done on offsets
// (size_t) from the buffer base, never by forming out-of-range pointers.
#include "fb.h"

static inline size_t pos_of(const fb_buf_t *b, const uint8_t *p) {
    return (size_t)(p - b->base);
}

fb_check_t fb_check_table(const fb_buf_t *b, const uint8_t *table) {
    size_t pos = pos_of(b, table);
    if (pos > b->len || b->len - pos < 4) {
        return FB_OUT_OF_BOUNDS;
    }
    if (pos & 3) {
        return FB_MISALIGNED;
    }
    // The vtable sits at table - soffset; soffset may be either sign.
    int64_t vt = (int64_t)pos - (int64_t)fb_i32(table);
    if (vt < 0 || (uint64_t)vt > b->len || b->len - (size_t)vt < 4) {
        return FB_BAD_VTABLE;
    }
    if (vt & 1) {
        return FB_MISALIGNED;
    }
    const uint8_t *vtab = b->base + vt;
    uint16_t vt_size = fb_u16(vtab);
    uint16_t tbl_size = fb_u16(vtab + 2);
    if (vt_size < 4 || (vt_size & 1) || b->len - (size_t)vt < vt_size) {
        return FB_BAD_VTABLE;
    }
    if (tbl_size < 4 || b->len - pos < tbl_size) {
        return FB_BAD_VTABLE;
    }
    for (unsigned i = 4; i < vt_size; i += 2) {
        uint16_t off = fb_u16(vtab + i);
        if (off != 0 && (off < 4 || off >= tbl_size)) {
            return FB_BAD_VTABLE;
        }
    }
    return FB_OK;
}

const uint8_t *fb_field(const uint8_t *table, unsigned id, unsigned size) {
    const uint8_t *vtab = table - fb_i32(table);
    uint16_t vt_size = fb_u16(vtab);
    unsigned slot = 4 + 2 * id;
    if (slot + 2 > vt_size) {
        return NULL;
    }
    uint16_t off = fb_u16(vtab + slot);
    if (off == 0 || (unsigned)off + size > fb_u16(vtab + 2)) {
        return NULL;
    }
    return table + off;
}

uint32_t fb_field_u32(const uint8_t *table, unsigned id, uint32_t def) {
    const uint8_t *f = fb_field(table, id, 4);
    return f ? fb_u32(f) : def;
}

int32_t fb_field_i32(const uint8_t *table, unsigned id, int32_t def) {
    const uint8_t *f = fb_field(table, id, 4);
    return f ? fb_i32(f) : def;
}

uint8_t fb_field_u8(const uint8_t *table, unsigned id, uint8_t def) {
    const uint8_t *f = fb_field(table, id, 1);
    return f ? *f : def;
}

int8_t fb_field_i8(const uint8_t *table, unsigned id, int8_t def) {
    const uint8_t *f = fb_field(table, id, 1);
    return f ? (int8_t)*f : def;
}

float fb_field_f32(const uint8_t *table, unsigned id, float def) {
    const uint8_t *f = fb_field(table, id, 4);
    return f ? fb_f32(f) : def;
}

static fb_check_t deref_at(const fb_buf_t *b, const uint8_t *f, const uint8_t **out) {
    uint32_t off = fb_u32(f);
    size_t pos = pos_of(b, f);
    if (off == 0) {
        return FB_BAD_OFFSET;
    }
    if (off > b->len - pos) {
        return FB_OUT_OF_BOUNDS;
    }
    *out = f + off;
    return FB_OK;
}

fb_check_t fb_deref(const fb_buf_t *b, const uint8_t *table, unsigned id, const uint8_t **out) {
    *out = NULL;
    const uint8_t *f = fb_field(table, id, 4);
    if (f == NULL) {
        return FB_OK;
    }
    if (pos_of(b, f) & 3) {
        return FB_MISALIGNED;
    }
    return deref_at(b, f, out);
}

fb_check_t fb_table(const fb_buf_t *b, const uint8_t *table, unsigned id, const uint8_t **out) {
    fb_check_t c = fb_deref(b, table, id, out);
    if (c == FB_OK && *out != NULL) {
        c = fb_check_table(b, *out);
        if (c != FB_OK) {
            *out = NULL;
        }
    }
    return c;
}

static fb_check_t check_vector(const fb_buf_t *b, const uint8_t *v, unsigned elem_size,
    const uint8_t **data, uint32_t *count) {
    size_t pos = pos_of(b, v);
    if (b->len - pos < 4) {
        return FB_OUT_OF_BOUNDS;
    }
    unsigned align = elem_size < 4 ? 4 : elem_size;
    if (pos & 3 || ((pos + 4) & (align - 1))) {
        return FB_MISALIGNED;
    }
    uint32_t n = fb_u32(v);
    uint64_t bytes = (uint64_t)n * elem_size;
    if (bytes > (uint64_t)(b->len - pos - 4)) {
        return bytes > 0xffffffffu ? FB_TOO_LONG : FB_OUT_OF_BOUNDS;
    }
    *data = v + 4;
    *count = n;
    return FB_OK;
}

fb_check_t fb_vector(const fb_buf_t *b, const uint8_t *table, unsigned id,
    unsigned elem_size, const uint8_t **data, uint32_t *count) {
    *data = NULL;
    *count = 0;
    const uint8_t *v;
    fb_check_t c = fb_deref(b, table, id, &v);
    if (c != FB_OK || v == NULL) {
        return c;
    }
    return check_vector(b, v, elem_size, data, count);
}

fb_check_t fb_vector_table(const fb_buf_t *b, const uint8_t *vec, uint32_t i, const uint8_t **out) {
    *out = NULL;
    const uint8_t *t;
    fb_check_t c = deref_at(b, vec + 4 * (size_t)i, &t);
    if (c != FB_OK) {
        return c;
    }
    c = fb_check_table(b, t);
    if (c == FB_OK) {
        *out = t;
    }
    return c;
}

fb_check_t fb_string(const fb_buf_t *b, const uint8_t *table, unsigned id,
    const char **str, uint32_t *len) {
    const uint8_t *data;
    fb_check_t c = fb_vector(b, table, id, 1, &data, len);
    *str = NULL;
    if (c != FB_OK || data == NULL) {
        return c;
    }
    size_t end = pos_of(b, data) + *len;
    if (end >= b->len || b->base[end] != 0) {
        return FB_NO_TERMINATOR;
    }
    *str = (const char *)data;
    return FB_OK;
}

const char *fb_check_str(fb_check_t c) {
    switch (c) {
        case FB_OUT_OF_BOUNDS:
            return "points outside the model";
        case FB_MISALIGNED:
            return "is misaligned";
        case FB_BAD_VTABLE:
            return "has a bad vtable";
        case FB_BAD_OFFSET:
            return "has a zero offset";
        case FB_TOO_LONG:
            return "has a length whose size overflows";
        case FB_NO_TERMINATOR:
            return "is a string without terminator";
        default:
            return "is valid";
    }
}
