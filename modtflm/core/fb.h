// Flatbuffer primitives for the TFLite schema.
//
// Every accessor checks what it reads against the buffer bounds, so nothing
// here can read outside the model even on a table the verifier never saw
// (builtin options are checked this way, field by field, when prepare reads
// them). Little-endian hosts only, which covers Arm, x86 and Xtensa.
#ifndef TFLM_CORE_FB_H
#define TFLM_CORE_FB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    const uint8_t *base;
    size_t len;
} fb_buf_t;

// Little-endian scalars at any alignment (memcpy: models need not be
// aligned for every field, and Cortex-M0 and Xtensa fault on unaligned loads).
static inline uint16_t fb_u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t fb_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline int32_t fb_i32(const uint8_t *p) { int32_t v; memcpy(&v, p, 4); return v; }
static inline int64_t fb_i64(const uint8_t *p) { int64_t v; memcpy(&v, p, 8); return v; }
static inline float fb_f32(const uint8_t *p) { float v; memcpy(&v, p, 4); return v; }

// Result codes of the structural checks, turned into messages by the verifier.
typedef enum {
    FB_OK = 0,
    FB_OUT_OF_BOUNDS,
    FB_MISALIGNED,
    FB_BAD_VTABLE,
    FB_BAD_OFFSET,
    FB_TOO_LONG,
    FB_NO_TERMINATOR,
} fb_check_t;

// Checks the table at `table` (vtable in bounds, even sized, fields inside
// the table's inline size).
fb_check_t fb_check_table(const fb_buf_t *b, const uint8_t *table);

// Field accessors. `table` must have passed fb_check_table. A field that is
// absent, or whose `size` bytes run past the table's inline size, reads as
// absent (NULL / the default).
const uint8_t *fb_field(const uint8_t *table, unsigned id, unsigned size);
uint32_t fb_field_u32(const uint8_t *table, unsigned id, uint32_t def);
int32_t fb_field_i32(const uint8_t *table, unsigned id, int32_t def);
uint8_t fb_field_u8(const uint8_t *table, unsigned id, uint8_t def);
int8_t fb_field_i8(const uint8_t *table, unsigned id, int8_t def);
float fb_field_f32(const uint8_t *table, unsigned id, float def);

// Follows an offset field to a sub-object, checking the target is inside the
// buffer. *out = NULL when the field is absent.
fb_check_t fb_deref(const fb_buf_t *b, const uint8_t *table, unsigned id, const uint8_t **out);

// Sub-table: deref + fb_check_table.
fb_check_t fb_table(const fb_buf_t *b, const uint8_t *table, unsigned id, const uint8_t **out);

// Vector field of `elem_size`-byte scalars (or 4-byte offsets for vectors of
// tables/strings): checks length prefix, byte size overflow and alignment.
// *data = first element, *count = length; NULL/0 when absent.
fb_check_t fb_vector(const fb_buf_t *b, const uint8_t *table, unsigned id,
    unsigned elem_size, const uint8_t **data, uint32_t *count);

// Element i of a vector of tables (from fb_vector with elem_size 4), checked.
fb_check_t fb_vector_table(const fb_buf_t *b, const uint8_t *vec, uint32_t i, const uint8_t **out);

// String field: checks length and NUL terminator.
fb_check_t fb_string(const fb_buf_t *b, const uint8_t *table, unsigned id,
    const char **str, uint32_t *len);

const char *fb_check_str(fb_check_t c);

#endif // TFLM_CORE_FB_H
