// FlexBuffers reader: the format of TFLite's custom op options (written by
// the converter, e.g. for TFLite_Detection_PostProcess).
//
// Enough to look up a map's values by key and read them as numbers (int,
// uint, float, bool, null, their indirect forms) or as nested maps. The
// bytes come from the model: every read is checked against them and a
// malformed buffer gives a check code, never a read outside the bytes.
//
// The format in short (little-endian; built back to front): the last byte is
// the root's byte width, the one before it the root's packed type (type << 2
// | log2 of the child's byte width), and before those the root value itself.
// Scalars sit inline in their parent at the parent's byte width; other
// values are reached through an unsigned offset that points back from the
// slot holding it. A map points at its values (one slot each, all one
// width) followed by one packed type byte per value; before the values sit
// three fields of that width: the offset to the keys vector, the keys'
// byte width, and the count. The keys vector holds, after its own count,
// offsets to NUL-terminated keys, sorted (strcmp order).
#ifndef TFLM_CORE_SUPPORT_FLEXBUFFER_H
#define TFLM_CORE_SUPPORT_FLEXBUFFER_H

#include "../kernel.h"

// Type codes of the format this reader handles (others are kept as read).
enum {
    TFLM_FLEX_NULL = 0,
    TFLM_FLEX_INT = 1,
    TFLM_FLEX_UINT = 2,
    TFLM_FLEX_FLOAT = 3,
    TFLM_FLEX_INDIRECT_INT = 6,
    TFLM_FLEX_INDIRECT_UINT = 7,
    TFLM_FLEX_INDIRECT_FLOAT = 8,
    TFLM_FLEX_MAP = 9,
    TFLM_FLEX_BOOL = 26,
};

// A value in a flexbuffer: a scalar (indirect ones resolved to their
// direct type) at `at`, `width` bytes wide, or a map whose values start at
// `at`, `width` bytes each. A key not found reads as TFLM_FLEX_NULL.
typedef struct {
    const uint8_t *buf; // the whole flexbuffer
    size_t len;
    size_t at;
    uint8_t width;
    uint8_t type;
} tflm_flex_t;

typedef enum {
    TFLM_FLEX_OK = 0,
    TFLM_FLEX_OUTSIDE,     // an offset or a count leads outside the bytes
    TFLM_FLEX_BAD_WIDTH,   // a byte width the format does not allow
    TFLM_FLEX_NOT_MAP,     // a map was expected
    TFLM_FLEX_BAD_KEYS,    // keys unterminated, unsorted, or not one per value
    TFLM_FLEX_NOT_NUMBER,  // a string, vector... where a number was expected
    TFLM_FLEX_RANGE,       // a number outside the range asked for
} tflm_flex_check_t;

// The root value of `len` bytes at `buf`.
tflm_flex_check_t tflm_flex_root(const uint8_t *buf, size_t len, tflm_flex_t *root);
// The value of `key` in `map` (checked to be a well-formed map); a key
// that is absent gives a TFLM_FLEX_NULL value.
tflm_flex_check_t tflm_flex_find(const tflm_flex_t *map, const char *key, tflm_flex_t *value);
// A number as TFLite's flexbuffers reader converts it (AsInt64, AsDouble,
// AsBool): null is 0, a bool 0 or 1, a float truncates toward zero.
tflm_flex_check_t tflm_flex_int(const tflm_flex_t *v, int64_t *out);
tflm_flex_check_t tflm_flex_float(const tflm_flex_t *v, double *out);
tflm_flex_check_t tflm_flex_bool(const tflm_flex_t *v, bool *out);
const char *tflm_flex_check_str(tflm_flex_check_t c);

// Reading a custom op's options in prepare: a table of the options wanted,
// each stored at `offset` in `out` as an int32_t, float or bool.
typedef enum {
    TFLM_FLEX_OPT_I32,
    TFLM_FLEX_OPT_F32,
    TFLM_FLEX_OPT_BOOL,
} tflm_flex_kind_t;

typedef struct {
    const char *key;
    uint16_t offset; // offsetof the field in `out`
    uint8_t kind;    // tflm_flex_kind_t
    float def;       // the value when the key is absent or null, or
                     // TFLM_FLEX_REQUIRED
} tflm_flex_option_t;

// An option's `def` when the key must be there (absent or null: ValueError
// naming it).
#define TFLM_FLEX_REQUIRED (__builtin_nanf(""))

// Reads every option of `opts` from the map at the root of the node's
// custom options. ValueError (naming the key) when the options are absent,
// not a well-formed flexbuffer map, or a value is not a number or does not
// fit its field.
tflm_status_t tflm_custom_options_read(tflm_interp_t *ip, const tflm_node_t *node,
    const tflm_flex_option_t *opts, size_t n, void *out);

#endif // TFLM_CORE_SUPPORT_FLEXBUFFER_H
