// tflm as a dynamic native module (.mpy) for a stock MicroPython firmware.
//
// The binding is modtflm/modtflm.c itself, compiled here against
// py/dynruntime.h (MICROPY_ENABLE_DYNRUNTIME), as MicroPython's
// examples/natmod/framebuf reuses extmod/modframebuf.c. A native module
// reaches the firmware only through mp_fun_table, so this file supplies, in
// the same style as dynruntime.h (macros over static functions), the few
// runtime calls the binding makes that the table lacks; and, since types,
// dicts and qstrs of a native module only exist once it is loaded, it builds
// the Interpreter and Tensor types and the module's globals in mpy_init
// instead of the constant tables modtflm.c has for the built-in module.

// array.array('q') for int64 tensors, and big ints stored into them, as in
// the built-in module (both need a firmware with long ints: int.to_bytes and
// array's 'q' raise there otherwise).
#define MICROPY_LONGINT_IMPL (MICROPY_LONGINT_IMPL_MPZ)

#include "py/dynruntime.h"
// What modtflm.c includes, before the macros below redefine some of it.
#include "py/objarray.h"
#include "py/objint.h"
#include "py/builtin.h"
#include "py/mphal.h"
#include "py/stream.h"

// libc --------------------------------------------------------------------------
// A native module links no C library: memset and memmove come from the
// firmware through mp_fun_table (as in dynruntime's examples); the others
// the core and the compiler's own struct copies need are plain loops.

void *memset(void *s, int c, size_t n) {
    return mp_fun_table.memset_(s, c, n);
}

void *memmove(void *dest, const void *src, size_t n) {
    return mp_fun_table.memmove_(dest, src, n);
}

void *memcpy(void *dest, const void *src, size_t n) {
    return mp_fun_table.memmove_(dest, src, n);
}

int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) {
            return x[i] - y[i];
        }
    }
    return 0;
}

void *memchr(const void *s, int c, size_t n) {
    const unsigned char *p = s;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == (unsigned char)c) {
            return (void *)(p + i);
        }
    }
    return NULL;
}

size_t strlen(const char *s) {
    size_t n = 0;
    while (s[n]) {
        n++;
    }
    return n;
}

int strcmp(const char *a, const char *b) {
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

#if defined(__x86_64__)
// libm on x64 (the unix port): glibc's static libm.a selects expf & co. by
// CPU (IFUNC) and sets errno in thread-local storage, neither of which
// mpy_ld can link. So the module calls the very libm the firmware itself
// runs on, its addresses looked up once at import through the unix port's
// ffi module (dlsym): the same results as the built-in module, bit for bit.
typedef float (*libm_fn1_t)(float);
typedef float (*libm_fn2_t)(float, float);
libm_fn1_t p_expf, p_expm1f, p_logf, p_tanhf, p_sqrtf, p_sinf, p_cosf;
libm_fn2_t p_fmodf;

// float f(float x): calls the firmware's f.
#define LIBM_FORWARD(f) float f(float x) { return p_##f(x); }
LIBM_FORWARD(expf)
LIBM_FORWARD(expm1f)
LIBM_FORWARD(logf)
LIBM_FORWARD(tanhf)
LIBM_FORWARD(sqrtf)
LIBM_FORWARD(sinf)
LIBM_FORWARD(cosf)
float fmodf(float x, float y) {
    return p_fmodf(x, y);
}

static void *libm_addr(mp_obj_t lib, const char *name) {
    mp_obj_t dest[3];
    mp_load_method(lib, MP_QSTR_addr, dest);
    dest[2] = mp_obj_new_str(name, strlen(name));
    return (void *)(uintptr_t)mp_obj_get_int_truncated(mp_fun_table.call_method_n_kw(1, 0, dest));
}

static void libm_init(void) {
    // ffi.open(None): the firmware's own symbols and libraries (dlopen(NULL)).
    mp_obj_t ffi = mp_import_name(MP_QSTR_ffi, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
    mp_obj_t none = mp_const_none;
    mp_obj_t lib = mp_call_function_n_kw(mp_load_attr(ffi, MP_QSTR_open), 1, 0, &none);
    p_expf = (libm_fn1_t)libm_addr(lib, "expf");
    p_expm1f = (libm_fn1_t)libm_addr(lib, "expm1f");
    p_logf = (libm_fn1_t)libm_addr(lib, "logf");
    p_tanhf = (libm_fn1_t)libm_addr(lib, "tanhf");
    p_sqrtf = (libm_fn1_t)libm_addr(lib, "sqrtf");
    p_sinf = (libm_fn1_t)libm_addr(lib, "sinf");
    p_cosf = (libm_fn1_t)libm_addr(lib, "cosf");
    p_fmodf = (libm_fn2_t)libm_addr(lib, "fmodf");
}
#endif

// Runtime calls missing from mp_fun_table ----------------------------------------

static void *m_malloc_maybe_dyn(size_t n) {
    return m_realloc_maybe(NULL, n, false);
}
#define m_malloc_maybe(n) (m_malloc_maybe_dyn((n)))

#define mp_obj_new_str_from_cstr(s) (mp_obj_new_str((s), strlen(s)))
static mp_obj_t mp_call_function_1_dyn(mp_obj_t f, mp_obj_t a) {
    return mp_call_function_n_kw(f, 1, 0, &a);
}
#define mp_call_function_1(f, a) (mp_call_function_1_dyn((f), (a)))

static mp_obj_t mp_call_function_2_dyn(mp_obj_t f, mp_obj_t a, mp_obj_t b) {
    mp_obj_t args[2] = {a, b};
    return mp_call_function_n_kw(f, 2, 0, args);
}
#define mp_call_function_2(f, a, b) (mp_call_function_2_dyn((f), (a), (b)))
#define mp_call_method_n_kw(n_args, n_kw, args) (mp_fun_table.call_method_n_kw((n_args), (n_kw), (args)))
// open() ignores the keyword map here: the binding passes none.
#define mp_builtin_open(n_args, args, kw) (mp_call_function_n_kw(mp_load_global(MP_QSTR_open), (n_args), 0, (args)))

// array.array, from the firmware's array module.
static mp_obj_t array_type_dyn(void) {
    mp_obj_t mod = mp_import_name(MP_QSTR_array, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
    return mp_load_attr(mod, MP_QSTR_array);
}
#define mp_type_array (*(mp_obj_type_t *)MP_OBJ_TO_PTR(array_type_dyn()))

#define mp_type_OverflowError (*(mp_obj_type_t *)(mp_load_global(MP_QSTR_OverflowError)))
#define mp_type_MemoryError (*(mp_obj_type_t *)(mp_load_global(MP_QSTR_MemoryError)))

// mp_obj_get_int of mp_fun_table truncates an int wider than a machine
// word; the built-in module raises OverflowError there, so does this one.
static mp_int_t mp_obj_get_int_dyn(mp_obj_t o) {
    mp_int_t x = (mp_int_t)mp_fun_table.native_from_obj(o, MP_NATIVE_TYPE_INT);
    if (!mp_obj_is_small_int(o) && mp_obj_is_exact_type(o, &mp_type_int)
        && !mp_obj_is_true(mp_binary_op(MP_BINARY_OP_EQUAL, o, mp_obj_new_int(x)))) {
        mp_raise_msg(&mp_type_OverflowError, "overflow converting long int to machine word");
    }
    return x;
}
#undef mp_obj_get_int
#define mp_obj_get_int(o) (mp_obj_get_int_dyn((o)))

static int mp_obj_int_sign_dyn(mp_obj_t o) {
    return mp_obj_is_true(mp_binary_op(MP_BINARY_OP_LESS, o, MP_OBJ_NEW_SMALL_INT(0))) ? -1 : 1;
}
#define mp_obj_int_sign(o) (mp_obj_int_sign_dyn((o)))

// Signed little-endian bytes of an int in [-2**63, 2**63) (false outside;
// int.to_bytes writes a negative int in two's complement).
static bool mp_obj_int_to_bytes_dyn(mp_obj_t o, size_t len, uint8_t *buf) {
    mp_obj_t limit = mp_binary_op(MP_BINARY_OP_LSHIFT, MP_OBJ_NEW_SMALL_INT(1), MP_OBJ_NEW_SMALL_INT(8 * len - 1));
    if (!mp_obj_is_true(mp_binary_op(MP_BINARY_OP_LESS, o, limit))
        || mp_obj_is_true(mp_binary_op(MP_BINARY_OP_LESS, o, mp_unary_op(MP_UNARY_OP_NEGATIVE, limit)))) {
        return false;
    }
    mp_obj_t dest[4];
    mp_load_method(o, MP_QSTR_to_bytes, dest);
    dest[2] = MP_OBJ_NEW_SMALL_INT(len);
    dest[3] = MP_OBJ_NEW_QSTR(MP_QSTR_little);
    mp_buffer_info_t b;
    mp_get_buffer_raise(mp_call_method_n_kw(2, 0, dest), &b, MP_BUFFER_READ);
    memcpy(buf, b.buf, len);
    return true;
}
// Only little-endian is asked for (tensors are little-endian).
#define mp_obj_int_to_bytes_impl(o, big_endian, len, buf) (mp_obj_int_to_bytes_dyn((o), (len), (buf)))

// Exceptions with a formatted message: formatted into a buffer by the
// firmware's printf, then raised with a str copied from it.
typedef struct {
    char *buf;
    size_t len, cap;
} msg_buf_t;

static void msg_strn(void *data, const char *str, size_t len) {
    msg_buf_t *m = data;
    size_t n = len < m->cap - m->len ? len : m->cap - m->len;
    memcpy(m->buf + m->len, str, n);
    m->len += n;
}

static NORETURN void mp_raise_msg_varg_dyn(const mp_obj_type_t *type, const char *fmt, ...) {
    char text[160];
    msg_buf_t m = {text, 0, sizeof(text)};
    mp_print_t print = {&m, msg_strn};
    va_list ap;
    va_start(ap, fmt);
    mp_vprintf(&print, fmt, ap);
    va_end(ap);
    mp_obj_t arg = mp_obj_new_str(text, m.len);
    nlr_raise(mp_call_function_n_kw(MP_OBJ_FROM_PTR(type), 1, 0, &arg));
}
#define mp_raise_msg_varg(type, ...) (mp_raise_msg_varg_dyn((type), __VA_ARGS__))

// repr() of an object, printed.
static void mp_obj_print_helper_dyn(const mp_print_t *print, mp_obj_t o) {
    size_t len;
    const char *s = mp_obj_str_get_data(mp_call_function_1(mp_load_global(MP_QSTR_repr), o), &len);
    print->print_strn(print->data, s, len);
}
#define mp_obj_print_helper(print, o, kind) (mp_obj_print_helper_dyn((print), (o)))

// The types are filled in by mpy_init (not static: mpy_ld cannot place
// static variables of .bss on x64).
mp_obj_full_type_t tflm_interpreter_full;
mp_obj_full_type_t tflm_tensor_full;
#define tflm_interpreter_type (*(mp_obj_type_t *)&tflm_interpreter_full)
#define tflm_tensor_type (*(mp_obj_type_t *)&tflm_tensor_full)

#include "modtflm.c"

// Module ---------------------------------------------------------------------------

static mp_obj_t interpreter___enter__(mp_obj_t self_in) {
    return self_in;
}
static MP_DEFINE_CONST_FUN_OBJ_1(interpreter___enter___obj, interpreter___enter__);

mp_map_elem_t interpreter_locals_table[12];
static MP_DEFINE_CONST_DICT(interpreter_locals, interpreter_locals_table);
mp_map_elem_t tensor_locals_table[2];
static MP_DEFINE_CONST_DICT(tensor_locals, tensor_locals_table);

static void set_entry(mp_map_elem_t *e, qstr name, const void *fun) {
    e->key = MP_OBJ_NEW_QSTR(name);
    e->value = MP_OBJ_FROM_PTR(fun);
}

mp_obj_t mpy_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args) {
    MP_DYNRUNTIME_INIT_ENTRY

    #if defined(__x86_64__)
    libm_init();
    #endif

    // The methods and slots of the built-in module's Interpreter.
    mp_map_elem_t *e = interpreter_locals_table;
    set_entry(e++, MP_QSTR_invoke, &interpreter_invoke_obj);
    set_entry(e++, MP_QSTR_reset, &interpreter_reset_obj);
    set_entry(e++, MP_QSTR_close, &interpreter_close_obj);
    set_entry(e++, MP_QSTR___enter__, &interpreter___enter___obj);
    set_entry(e++, MP_QSTR___exit__, &interpreter___exit___obj);
    set_entry(e++, MP_QSTR_input, &interpreter_input_obj);
    set_entry(e++, MP_QSTR_output, &interpreter_output_obj);
    set_entry(e++, MP_QSTR_set_input, &interpreter_set_input_obj);
    set_entry(e++, MP_QSTR_get_output, &interpreter_get_output_obj);
    set_entry(e++, MP_QSTR_get_input_details, &interpreter_get_input_details_obj);
    set_entry(e++, MP_QSTR_get_output_details, &interpreter_get_output_details_obj);
    set_entry(e++, MP_QSTR_profile, &interpreter_profile_obj);
    tflm_interpreter_full.base.type = &mp_type_type;
    tflm_interpreter_full.name = MP_QSTR_Interpreter;
    MP_OBJ_TYPE_SET_SLOT(&tflm_interpreter_full, make_new, interpreter_make_new, 0);
    MP_OBJ_TYPE_SET_SLOT(&tflm_interpreter_full, attr, interpreter_attr, 1);
    MP_OBJ_TYPE_SET_SLOT(&tflm_interpreter_full, locals_dict, (void *)&interpreter_locals, 2);

    // ... and of its Tensor.
    set_entry(&tensor_locals_table[0], MP_QSTR_quantize, &tensor_quantize_obj);
    set_entry(&tensor_locals_table[1], MP_QSTR_dequantize, &tensor_dequantize_obj);
    tflm_tensor_full.base.type = &mp_type_type;
    tflm_tensor_full.name = MP_QSTR_Tensor;
    MP_OBJ_TYPE_SET_SLOT(&tflm_tensor_full, print, tensor_print, 0);
    MP_OBJ_TYPE_SET_SLOT(&tflm_tensor_full, attr, tensor_attr, 1);
    MP_OBJ_TYPE_SET_SLOT(&tflm_tensor_full, unary_op, tensor_unary_op, 2);
    MP_OBJ_TYPE_SET_SLOT(&tflm_tensor_full, buffer, tensor_get_buffer, 3);
    MP_OBJ_TYPE_SET_SLOT(&tflm_tensor_full, locals_dict, (void *)&tensor_locals, 4);

    mp_store_global(MP_QSTR___version__, mp_obj_new_str_from_cstr(TFLM_VERSION_STRING));
    mp_store_global(MP_QSTR_Interpreter, MP_OBJ_FROM_PTR(&tflm_interpreter_full));
    mp_store_global(MP_QSTR_Tensor, MP_OBJ_FROM_PTR(&tflm_tensor_full));
    mp_store_global(MP_QSTR_ops, MP_OBJ_FROM_PTR(&tflm_ops_obj));

    MP_DYNRUNTIME_INIT_EXIT
}
