// Checks the FlexBuffers reader (core/support/flexbuffer.c): values read
// from buffers written by the flatbuffers package's flexbuffers module
// (Python, the writer the tests use; bytes below), then every truncation
// and single-byte change, and random multi-byte changes, of each buffer,
// read in full from an exactly sized heap copy. Built with ASan and UBSan:
// a read outside the bytes fails the run; every answer must be a value or
// a check code.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/support/flexbuffer.h"
#include "test_rand.h"

// Each buffer is a string of its bytes; LEN leaves out the literal's closing
// zero, which is not part of the buffer.
#define LEN(bytes) (sizeof(bytes) - 1)

// Dumps(dict(a=1, bb=True, c=0.5, d=0.1, e=-300, n=None))
static const uint8_t plain[] = "\x61\x00\x62\x62\x00\x63\x00\x64\x00\x65\x00\x6e\x00\x06\x0e\x0d\x0b\x0a\x09\x08\x00\x00\x00\x00\x0a\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x06\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xe0\x3f\x9a\x99\x99\x99\x99\x99\xb9\x3f\xd4\xfe\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x07\x6b\x0f\x0f\x07\x03\x36\x27\x01";
// Map: z UInt 2^64-1, b IndirectFloat 0.5 (4 bytes), a IndirectInt -7, c Float 1.5,
// d Bool true, u UInt 40000, s String 'text'
static const uint8_t typed[] = "\x7a\x00\x62\x00\x00\x00\x00\x3f\x61\x00\xf9\x63\x00\x64\x00\x75\x00\x73\x00\x04\x74\x65\x78\x74\x00\x07\x12\x19\x11\x10\x0d\x10\x20\x00\x00\x00\x00\x00\x00\x00\x0e\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x00\x00\x00\x00\x44\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf8\x3f\x01\x00\x00\x00\x00\x00\x00\x00\x4c\x00\x00\x00\x00\x00\x00\x00\x40\x9c\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\x18\x22\x0f\x6b\x14\x0b\x0b\x3f\x27\x01";
// Dumps({'m': {'x': 7, 'y': 2.5}, 'k': 3, 'v': [1, 2]})
static const uint8_t nested[] = "\x6d\x00\x78\x00\x79\x00\x02\x05\x04\x00\x00\x00\x05\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x07\x00\x00\x00\x00\x00\x20\x40\x06\x0e\x6b\x00\x76\x00\x02\x01\x02\x04\x04\x03\x0a\x2d\x0a\x03\x01\x03\x03\x1b\x0d\x04\x26\x28\x06\x24\x01";
// Map of 4-byte slots: f Float 0.25 (4 bytes), i Int -2, t Bool false
static const uint8_t narrow[] = "\x66\x00\x69\x00\x74\x00\x03\x07\x06\x05\x00\x00\x05\x00\x00\x00\x01\x00\x00\x00\x03\x00\x00\x00\x00\x00\x80\x3e\xfe\xff\xff\xff\x00\x00\x00\x00\x0e\x06\x6a\x0f\x26\x01";

static int failures;

#define EXPECT(cond) do { \
        if (!(cond)) { \
            printf("test_flexbuffer:%d: %s\n", __LINE__, #cond); \
            failures++; \
        } \
} while (0)

static tflm_flex_t root_of(const uint8_t *buf, size_t len) {
    tflm_flex_t root;
    EXPECT(tflm_flex_root(buf, len, &root) == TFLM_FLEX_OK);
    EXPECT(root.type == TFLM_FLEX_MAP);
    return root;
}

// The value of `key` in `map`, which must be found.
static tflm_flex_t value_of(const tflm_flex_t *map, const char *key) {
    tflm_flex_t v;
    EXPECT(tflm_flex_find(map, key, &v) == TFLM_FLEX_OK);
    return v;
}

static int64_t int_at(const tflm_flex_t *map, const char *key) {
    tflm_flex_t v = value_of(map, key);
    int64_t x = -12345;
    return tflm_flex_int(&v, &x) == TFLM_FLEX_OK ? x : -12345;
}

static double float_at(const tflm_flex_t *map, const char *key) {
    tflm_flex_t v = value_of(map, key);
    double x = -12345;
    return tflm_flex_float(&v, &x) == TFLM_FLEX_OK ? x : -12345;
}

static bool bool_at(const tflm_flex_t *map, const char *key) {
    tflm_flex_t v = value_of(map, key);
    bool x = false;
    return tflm_flex_bool(&v, &x) == TFLM_FLEX_OK && x;
}

static tflm_flex_check_t check_at(const tflm_flex_t *map, const char *key) {
    tflm_flex_t v;
    int64_t x;
    tflm_flex_check_t c = tflm_flex_find(map, key, &v);
    return c != TFLM_FLEX_OK ? c : tflm_flex_int(&v, &x);
}

static void check_values(void) {
    tflm_flex_t m = root_of(plain, LEN(plain));
    EXPECT(int_at(&m, "a") == 1);
    EXPECT(bool_at(&m, "bb"));
    EXPECT(int_at(&m, "bb") == 1);
    EXPECT(float_at(&m, "c") == 0.5);
    EXPECT(float_at(&m, "d") == 0.1);
    EXPECT((float)float_at(&m, "d") == 0.1f);
    EXPECT(int_at(&m, "e") == -300);
    EXPECT(float_at(&m, "e") == -300);
    EXPECT(int_at(&m, "c") == 0); // truncated toward zero
    tflm_flex_t v;
    EXPECT(tflm_flex_find(&m, "n", &v) == TFLM_FLEX_OK && v.type == TFLM_FLEX_NULL);
    EXPECT(tflm_flex_find(&m, "missing", &v) == TFLM_FLEX_OK && v.type == TFLM_FLEX_NULL);
    EXPECT(tflm_flex_find(&m, "", &v) == TFLM_FLEX_OK && v.type == TFLM_FLEX_NULL);
    EXPECT(int_at(&m, "n") == 0 && float_at(&m, "n") == 0 && !bool_at(&m, "n"));

    m = root_of(typed, LEN(typed));
    EXPECT(int_at(&m, "a") == -7);
    EXPECT(float_at(&m, "b") == 0.5);
    EXPECT(float_at(&m, "c") == 1.5);
    EXPECT(bool_at(&m, "d"));
    EXPECT(int_at(&m, "u") == 40000);
    EXPECT(float_at(&m, "z") == 18446744073709551615.0);
    EXPECT(check_at(&m, "z") == TFLM_FLEX_RANGE);
    EXPECT(check_at(&m, "s") == TFLM_FLEX_NOT_NUMBER);

    m = root_of(nested, LEN(nested));
    EXPECT(int_at(&m, "k") == 3);
    EXPECT(check_at(&m, "v") == TFLM_FLEX_NOT_NUMBER);
    EXPECT(check_at(&m, "m") == TFLM_FLEX_NOT_NUMBER);
    tflm_flex_t inner;
    EXPECT(tflm_flex_find(&m, "m", &inner) == TFLM_FLEX_OK && inner.type == TFLM_FLEX_MAP);
    EXPECT(int_at(&inner, "x") == 7);
    EXPECT(float_at(&inner, "y") == 2.5);
    EXPECT(tflm_flex_find(&inner, "k", &v) == TFLM_FLEX_OK && v.type == TFLM_FLEX_NULL);
    tflm_flex_t scalar;
    EXPECT(tflm_flex_find(&m, "k", &scalar) == TFLM_FLEX_OK);
    EXPECT(tflm_flex_find(&scalar, "x", &v) == TFLM_FLEX_NOT_MAP);

    m = root_of(narrow, LEN(narrow));
    EXPECT(float_at(&m, "f") == 0.25);
    EXPECT(int_at(&m, "i") == -2);
    EXPECT(!bool_at(&m, "t"));

    tflm_flex_t r;
    EXPECT(tflm_flex_root(plain, 0, &r) == TFLM_FLEX_OUTSIDE);
    EXPECT(tflm_flex_root(NULL, 0, &r) == TFLM_FLEX_OUTSIDE);
    static const uint8_t width3[] = {0x05, 0x04, 0x03};
    EXPECT(tflm_flex_root(width3, sizeof(width3), &r) == TFLM_FLEX_BAD_WIDTH);
    static const uint8_t wide[] = {0x05, 0x04, 0x08};
    EXPECT(tflm_flex_root(wide, sizeof(wide), &r) == TFLM_FLEX_OUTSIDE);
    static const uint8_t int_root[] = {0x05, 0x04, 0x01};
    int64_t x;
    EXPECT(tflm_flex_root(int_root, sizeof(int_root), &r) == TFLM_FLEX_OK && tflm_flex_int(&r, &x) == TFLM_FLEX_OK
        && x == 5);
    EXPECT(tflm_flex_find(&r, "a", &v) == TFLM_FLEX_NOT_MAP);
    // A one-entry map {"a": 5} written by hand with no zero byte anywhere:
    // key "a" is unterminated. Then its key count wrong, then both counts too large.
    uint8_t unterminated[] = {0x61, 0x01, 0x02, 0x01, 0x01, 0x01, 0x05, 0x04, 0x02, 0x24, 0x01};
    r = root_of(unterminated, sizeof(unterminated));
    EXPECT(tflm_flex_find(&r, "a", &v) == TFLM_FLEX_BAD_KEYS);
    unterminated[0] = 0;
    EXPECT(tflm_flex_find(&r, "a", &v) == TFLM_FLEX_OK && v.type == TFLM_FLEX_NULL); // key "" now
    EXPECT(tflm_flex_find(&r, "", &v) == TFLM_FLEX_OK && v.type == TFLM_FLEX_INT);
    unterminated[1] = 2;
    EXPECT(tflm_flex_find(&r, "", &v) == TFLM_FLEX_BAD_KEYS);
    unterminated[1] = unterminated[5] = 5; // 5 values do not fit
    EXPECT(tflm_flex_find(&r, "", &v) == TFLM_FLEX_OUTSIDE);
    static const uint8_t half_float[] = {0x00, 0x3c, 0x0d, 0x02}; // a 2-byte float: not allowed
    double d;
    EXPECT(tflm_flex_root(half_float, sizeof(half_float), &r) == TFLM_FLEX_OK
        && tflm_flex_float(&r, &d) == TFLM_FLEX_BAD_WIDTH);
}

// Reads everything reachable with the keys the buffers use; results are
// not checked (the bytes may be anything), only that reading stays inside.
static const char *const keys[] = {"a", "bb", "b", "c", "d", "e", "n", "z", "u", "s", "m", "k", "v", "f", "i", "t"};

static unsigned read_all(const uint8_t *buf, size_t len) {
    unsigned ok = 0;
    tflm_flex_t root;
    if (tflm_flex_root(buf, len, &root) != TFLM_FLEX_OK) {
        return 0;
    }
    int64_t x;
    double d;
    bool b;
    ok += tflm_flex_int(&root, &x) == TFLM_FLEX_OK;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        tflm_flex_t v;
        if (tflm_flex_find(&root, keys[i], &v) != TFLM_FLEX_OK) {
            continue;
        }
        ok += tflm_flex_int(&v, &x) == TFLM_FLEX_OK;
        ok += tflm_flex_float(&v, &d) == TFLM_FLEX_OK;
        ok += tflm_flex_bool(&v, &b) == TFLM_FLEX_OK;
        for (size_t j = 0; j < sizeof(keys) / sizeof(keys[0]); j++) {
            tflm_flex_t w;
            if (tflm_flex_find(&v, keys[j], &w) == TFLM_FLEX_OK) {
                ok += tflm_flex_float(&w, &d) == TFLM_FLEX_OK;
            }
        }
    }
    return ok;
}

static unsigned read_copy(const uint8_t *bytes, size_t len) {
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, bytes, len);
    unsigned ok = read_all(copy, len);
    free(copy);
    return ok;
}

static unsigned long mutate(const uint8_t *src, size_t len) {
    static const uint8_t values[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x07, 0x08, 0x24, 0x26, 0x7f, 0x80, 0xfe, 0xff};
    uint8_t buf[256];
    unsigned long runs = 0;
    for (size_t n = 0; n < len; n++) {
        read_copy(src, n);
        runs++;
    }
    for (size_t i = 0; i < len; i++) {
        memcpy(buf, src, len);
        for (size_t k = 0; k < sizeof(values); k++) {
            buf[i] = values[k];
            read_copy(buf, len);
            buf[i] = (uint8_t)(src[i] ^ values[k]);
            read_copy(buf, len);
            runs += 2;
        }
    }
    for (int r = 0; r < 20000; r++) {
        memcpy(buf, src, len);
        int changes = 1 + (int)(next() % 4);
        for (int c = 0; c < changes; c++) {
            buf[next() % len] = (uint8_t)next();
        }
        read_copy(buf, len - (next() % 3 == 0 ? next() % len : 0));
        runs++;
    }
    return runs;
}

// The op-side reader on a node whose custom options hold `bytes`.
typedef struct {
    int32_t a;
    bool bb;
    float c;
    int32_t missing;
    float n;
} opts_t;

static tflm_status_t read_options(const uint8_t *bytes, uint32_t len, opts_t *o, tflm_interp_t *ip) {
    static const tflm_flex_option_t table[] = {
        {"a", offsetof(opts_t, a), TFLM_FLEX_OPT_I32, 0.0f},
        {"bb", offsetof(opts_t, bb), TFLM_FLEX_OPT_BOOL, 0.0f},
        {"c", offsetof(opts_t, c), TFLM_FLEX_OPT_F32, 0.0f},
        {"missing", offsetof(opts_t, missing), TFLM_FLEX_OPT_I32, 42.0f},
        {"n", offsetof(opts_t, n), TFLM_FLEX_OPT_F32, 1.5f},
    };
    static tflm_node_t nodes[1];
    uint8_t *vec = malloc(4 + len);
    memcpy(vec, &len, 4);
    memcpy(vec + 4, bytes, len);
    memset(ip, 0, sizeof(*ip));
    ip->nodes = nodes;
    nodes[0].builtin = TFLM_OP_CUSTOM;
    nodes[0].options = vec;
    tflm_status_t s = tflm_custom_options_read(ip, &nodes[0], table, sizeof(table) / sizeof(table[0]), o);
    free(vec);
    return s;
}

static void check_options(void) {
    tflm_interp_t ip;
    opts_t o;
    EXPECT(read_options(plain, LEN(plain), &o, &ip) == TFLM_OK);
    EXPECT(o.a == 1 && o.bb && o.c == 0.5f && o.missing == 42 && o.n == 1.5f);
    EXPECT(read_options(plain, LEN(plain) - 1, &o, &ip) == TFLM_ERR_MODEL);
    EXPECT(strstr(ip.err.msg, "custom options: ") != NULL);
    EXPECT(read_options(plain, 0, &o, &ip) == TFLM_ERR_MODEL);
    EXPECT(strstr(ip.err.msg, "custom options missing") != NULL);
    // A value of another kind: Dumps({'a': 'x'}).
    static const uint8_t a_string[] = {0x61, 0x00, 0x01, 0x78, 0x00, 0x01, 0x06, 0x01, 0x01, 0x01, 0x07, 0x14, 0x02,
        0x24, 0x01};
    EXPECT(read_options(a_string, sizeof(a_string), &o, &ip) == TFLM_ERR_MODEL);
    EXPECT(strstr(ip.err.msg, "custom option 'a': not a number") != NULL);
}

int main(void) {
    check_values();
    check_options();
    unsigned long runs = mutate(plain, LEN(plain)) + mutate(typed, LEN(typed)) + mutate(nested, LEN(nested))
        + mutate(narrow, LEN(narrow));
    printf("test_flexbuffer: %lu reads of damaged buffers, %d failures\n", runs, failures);
    return failures != 0;
}
