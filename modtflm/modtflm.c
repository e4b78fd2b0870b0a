// tflm: TensorFlow Lite for Microcontrollers as a MicroPython module.
//
// This file is the thin binding over the portable core in core/. It owns the
// GC side of memory: the Interpreter object references the model object and
// the arena block (or the caller's arena buffer), so neither can be
// collected while the interpreter lives; Tensor objects reference their
// Interpreter.
#include <string.h>

#include "py/runtime.h"
#include "py/objarray.h"
#include "py/objint.h"
#include "py/objstr.h"
#include "py/builtin.h"
#include "py/mphal.h"
#include "py/binary.h"
#include "py/stream.h"

#include "core/tflm.h"
#include "core/tflm_config.h"

// Arena sizing gives up after this many blocks (a heap short of even the
// measuring block).
#define ARENA_TRIES (24)

typedef struct _tflm_interp_obj_t {
    mp_obj_base_t base;
    mp_obj_t model_obj;     // keeps the model bytes alive (an immutable buffer)
    size_t model_len;
    uint8_t *model_copy;    // our copy when the caller's buffer was writable or misaligned
    uint8_t *arena;         // our GC block (its head keeps it alive), or the caller's buffer
    size_t arena_alloc;     // bytes of our block; 0 for the caller's buffer
    mp_obj_t arena_obj;     // the caller's arena buffer (arena=), else MP_OBJ_NULL
    mp_obj_t inputs;        // tuples of Tensor objects, made on first use
    mp_obj_t outputs;
    tflm_interp_t ip;
} tflm_interp_obj_t;

typedef struct _tflm_tensor_obj_t {
    mp_obj_base_t base;
    tflm_interp_obj_t *interp;
    uint16_t index;         // into the tensor table
    bool writable;          // graph inputs only
} tflm_tensor_obj_t;

#if !MICROPY_ENABLE_DYNRUNTIME
extern const mp_obj_type_t tflm_interpreter_type;
extern const mp_obj_type_t tflm_tensor_type;
extern const mp_obj_type_t tflm_audiofrontend_type; // modtflm_frontend.c
#endif

static void close_interp(tflm_interp_obj_t *self);

// Bytes of the caller's arena buffer before the core's arena: our tag (see
// arena_lost), then up to 7 bytes to the 8-byte boundary the core aligns to.
static size_t arena_extra(const void *buf) {
    return sizeof(uintptr_t) + (-((uintptr_t)buf + sizeof(uintptr_t)) & 7);
}

// The caller's arena buffer must still hold this interpreter where init put
// it: a bytearray or array that grew may have moved (its old block freed),
// one that shrank no longer covers the arena, and an interpreter made in the
// same buffer since then replaced our tag (and our tables). Then this
// interpreter closes, forgetting its pointers into the buffer unread.
// Inlined, the test costs an interpreter with its own arena a load and a
// branch.
static bool arena_lost_slow(tflm_interp_obj_t *self) {
    mp_buffer_info_t b;
    if (mp_get_buffer(self->arena_obj, &b, MP_BUFFER_WRITE) && b.buf == self->arena
        && b.len >= self->ip.arena_used + arena_extra(b.buf)
        && ((uintptr_t *)self->ip.arena)[-1] == ~(uintptr_t)self) {
        return false;
    }
    close_interp(self);
    return true;
}

static inline MP_ALWAYSINLINE bool arena_lost(tflm_interp_obj_t *self) {
    return self->arena_obj != MP_OBJ_NULL && arena_lost_slow(self);
}

// Closed: neither the caller's model buffer nor our copy is held any more.
static inline MP_ALWAYSINLINE bool closed(const tflm_interp_obj_t *self) {
    return self->model_copy == NULL && self->model_obj == mp_const_none;
}

static bool is_closed(tflm_interp_obj_t *self) {
    return arena_lost(self) || closed(self);
}

// The model bytes: our copy, or the caller's (immutable) buffer.
static const uint8_t *model_bytes(tflm_interp_obj_t *self) {
    if (self->model_copy) {
        return self->model_copy;
    }
    mp_buffer_info_t buf;
    mp_get_buffer_raise(self->model_obj, &buf, MP_BUFFER_READ);
    return buf.buf;
}

static NORETURN void raise_status(tflm_interp_obj_t *self) {
    const mp_obj_type_t *type;
    switch (self->ip.err.status) {
        case TFLM_ERR_UNSUPPORTED:
            type = &mp_type_NotImplementedError;
            break;
        case TFLM_ERR_ARENA:
            type = &mp_type_MemoryError;
            break;
        case TFLM_ERR_INDEX:
            type = &mp_type_IndexError;
            break;
        case TFLM_ERR_STATE:
            type = &mp_type_RuntimeError;
            break;
        default:
            type = &mp_type_ValueError;
            break;
    }
    mp_raise_msg_varg(type, MP_ERROR_TEXT("%s"), self->ip.err.msg ? self->ip.err.msg : "error");
}

static void check_open(tflm_interp_obj_t *self) {
    if (arena_lost(self)) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("arena buffer moved, shrank or reused: interpreter closed"));
    }
    if (closed(self)) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("interpreter is closed"));
    }
}

// array typecode for a tensor type, 0 when there is none.
static char type_code(int type) {
    switch (type) {
        case TFLM_FLOAT32:
            return 'f';
        case TFLM_INT8:
            return 'b';
        case TFLM_UINT8:
        case TFLM_BOOL:
            return 'B';
        case TFLM_INT16:
            return 'h';
        case TFLM_INT32:
            return sizeof(int) == 4 ? 'i' : 'l';
        case TFLM_UINT32:
            return sizeof(int) == 4 ? 'I' : 'L';
        #if MICROPY_LONGINT_IMPL != MICROPY_LONGINT_IMPL_NONE
        case TFLM_INT64:
            return 'q';
        case TFLM_UINT64:
            return 'Q';
        #endif
        default:
            return 0;
    }
}

static void free_arena(tflm_interp_obj_t *self) {
    // Forget every pointer into the block first: left behind, the GC would
    // take them for references to whatever is allocated there next.
    tflm_interp_release(&self->ip);
    if (self->arena_alloc) {
        m_del(uint8_t, self->arena, self->arena_alloc);
    }
    self->arena = NULL;
    self->arena_alloc = 0;
    self->arena_obj = MP_OBJ_NULL;
}

// Builds the interpreter in a new heap block of `size` bytes; the block is
// freed again unless it worked. Raises MemoryError when the heap has no such
// block and `must` is set; otherwise returns TFLM_ERR_ARENA with no arena.
static tflm_status_t init_in_block(tflm_interp_obj_t *self, size_t size, bool must) {
    self->arena = m_new_maybe(uint8_t, size);
    if (self->arena == NULL) {
        if (must) {
            mp_raise_msg_varg(&mp_type_MemoryError, MP_ERROR_TEXT("cannot allocate an arena of %u bytes"),
                (unsigned)size);
        }
        return TFLM_ERR_ARENA;
    }
    self->arena_alloc = size;
    tflm_status_t s = tflm_interp_init(&self->ip, self->arena, size);
    if (s != TFLM_OK) {
        free_arena(self);
    }
    return s;
}

static NORETURN void raise_too_small(size_t size, size_t needed) {
    mp_raise_msg_varg(&mp_type_MemoryError, MP_ERROR_TEXT("arena of %u bytes too small, needs %u"),
        (unsigned)size, (unsigned)needed);
}

// Verifies the model once, then builds the interpreter in one heap block:
// `arena_size` bytes, or with arena_size 0 a block of the core's upper
// bound, shrunk in place to the exact size used. A given size that is too
// small is measured in the same single pass, so the error names the exact
// size needed. Only when the heap cannot supply the bound (or the bound
// falls short) is the model prepared twice: measured in a smaller block,
// then built in a block of the exact size.
// With the caller's buffer `user` (arena_size is its length) the interpreter
// is built there, after our tag; a buffer too small even to measure in is
// measured in a heap block, so the error still names the exact size.
static void setup_arena(tflm_interp_obj_t *self, size_t arena_size, const mp_buffer_info_t *user) {
    if (tflm_interp_open(&self->ip, model_bytes(self), self->model_len) != TFLM_OK) {
        raise_status(self);
    }
    size_t measure, upper;
    tflm_interp_arena_bounds(&self->ip, &measure, &upper);
    size_t size = arena_size ? arena_size : upper;
    size = size < measure ? measure : size;
    size_t extra = 0;
    bool fixed = arena_size || user; // a given size (a buffer's may be 0)
    tflm_status_t s;
    if (user) {
        extra = arena_extra(user->buf);
        s = TFLM_ERR_ARENA;
        if (arena_size > extra) {
            // The tag first: an interpreter this buffer held before sees it is
            // gone even when this one fails.
            uint8_t *start = (uint8_t *)user->buf + extra;
            ((uintptr_t *)start)[-1] = ~(uintptr_t)self;
            s = tflm_interp_init(&self->ip, start, arena_size - extra);
            if (s == TFLM_OK) {
                self->arena = user->buf;
                return;
            }
        }
        size = measure;
        if (s == TFLM_ERR_ARENA && !self->ip.err.needed) {
            s = init_in_block(self, size, true);
        }
    } else {
        s = init_in_block(self, size, arena_size || size == measure);
        if (s == TFLM_ERR_ARENA && self->arena == NULL && !self->ip.err.needed) {
            // The heap has no block of the bound's size.
            size = measure;
            s = init_in_block(self, size, true);
        }
    }
    // Measuring found an op whose data does not fit beside the tables.
    for (int tries = 0; s == TFLM_ERR_ARENA && !self->ip.err.needed && tries < ARENA_TRIES; tries++) {
        size *= 2;
        s = init_in_block(self, size, true);
    }
    if (s == TFLM_ERR_ARENA && self->ip.err.needed) {
        if (fixed) {
            raise_too_small(arena_size, self->ip.err.needed + extra);
        }
        s = init_in_block(self, self->ip.err.needed, true);
    }
    if (s != TFLM_OK) {
        raise_status(self);
    }
    size_t used = self->ip.arena_used + extra;
    if (fixed && used > arena_size) {
        free_arena(self);
        raise_too_small(arena_size, used);
    }
    size_t keep = fixed ? arena_size : used;
    if (keep < self->arena_alloc) {
        // Shrinking a GC block happens in place, so every pointer the core
        // stored into the arena stays valid.
        uint8_t *p = m_renew_maybe(uint8_t, self->arena, self->arena_alloc, keep, false);
        if (p == self->arena) {
            self->arena_alloc = keep;
            self->ip.arena_size = (size_t)(self->arena + keep - self->ip.arena);
        }
    }
}

// Profiling clock: a port may point MICROPY_TFLM_PROFILE_TICKS at a finer
// counter (e.g. instructions under QEMU -icount). Otherwise mp_hal_ticks_us,
// which a port has when it has the time module; a port with neither has no
// profiling (profile=True raises NotImplementedError), and still links.
#if !defined(MICROPY_TFLM_PROFILE_TICKS) && MICROPY_PY_TIME
#define MICROPY_TFLM_PROFILE_TICKS() mp_hal_ticks_us()
#endif
#ifdef MICROPY_TFLM_PROFILE_TICKS
static uint32_t profile_ticks(void) {
    return (uint32_t)MICROPY_TFLM_PROFILE_TICKS();
}
#endif

// f.seek(offset, whence) through the method, so that any file-like object
// works (and the native module needs no stream internals).
static mp_int_t file_seek(mp_obj_t f, mp_int_t offset, int whence) {
    mp_obj_t dest[4];
    mp_load_method(f, MP_QSTR_seek, dest);
    dest[2] = mp_obj_new_int(offset);
    dest[3] = MP_OBJ_NEW_SMALL_INT(whence);
    return mp_obj_get_int(mp_call_method_n_kw(2, 0, dest));
}

// The rest of an open file, from its position, as one bytes object. The
// size first, so that the model is read into one block of its size: read()
// without one grows its buffer 256 bytes at a time, which can take twice
// the model's size at the peak (too much on a small board).
static mp_obj_t read_rest(mp_obj_t f) {
    mp_int_t pos = file_seek(f, 0, MP_SEEK_CUR);
    mp_int_t end = file_seek(f, 0, MP_SEEK_END);
    file_seek(f, pos, MP_SEEK_SET);
    mp_obj_t dest[3];
    mp_load_method(f, MP_QSTR_read, dest);
    dest[2] = mp_obj_new_int(end - pos);
    return mp_call_method_n_kw(1, 0, dest);
}

// The model argument as an object with a read buffer:
// - a buffer as given: bytes (frozen ones too), a bytearray, a memoryview;
// - a file whose data is memory-mapped, i.e. a ROMFS file (/rom): the file
//   object itself, whose buffer is its bytes in place;
// - any other file (littlefs, FAT, the unix port's): its contents from its
//   position, read into a bytes object;
// - a path (str): the file it names, opened as above (and closed after a
//   read).
static mp_obj_t model_buffer(mp_obj_t model) {
    bool opened = mp_obj_is_str(model);
    if (opened) {
        mp_obj_t args[2] = {model, MP_OBJ_NEW_QSTR(MP_QSTR_rb)};
        model = mp_builtin_open(2, args, (mp_map_t *)&mp_const_empty_map);
    }
    mp_buffer_info_t buf;
    if (mp_get_buffer(model, &buf, MP_BUFFER_READ)) {
        return model;
    }
    mp_obj_t dest[3];
    mp_load_method_maybe(model, MP_QSTR_read, dest);
    if (dest[0] == MP_OBJ_NULL) {
        mp_raise_TypeError(MP_ERROR_TEXT("model must be a buffer, a file or a path"));
    }
    mp_obj_t data = read_rest(model);
    if (opened) {
        mp_load_method(model, MP_QSTR_close, dest);
        mp_call_method_n_kw(0, 0, dest);
    }
    return data;
}

// Interpreter(model, arena_size=0, *, profile=False, arena=None)
//
// model: a buffer, a file or a path (model_buffer). A read-only buffer that
// is 8-byte aligned is used in place, with no copy: bytes, frozen bytes, a
// ROMFS file (its mapped bytes); the interpreter references the object, so
// the GC cannot free it. A writable or misaligned buffer is copied once;
// other files are read into RAM.
//
// arena=buf: the interpreter builds its arena in the caller's buffer instead
// of a heap block of its own (a static bytearray made early, or memory the
// port placed, e.g. internal RAM rather than PSRAM on an ESP32-S3). Any object
// with the writable buffer protocol: bytearray, array.array, a memoryview of
// one, a uctypes bytearray_at; a read-only one raises TypeError. The
// interpreter keeps a reference to the object, so the GC cannot free it
// while the interpreter lives.
// - The buffer's start holds a tag of the interpreter (one machine word), and
//   the arena starts at the next 8-byte boundary after it: 8 bytes more than
//   the arena for an 8-byte aligned buffer (a bytearray's data is), up to 15.
//   arena_used counts from the buffer's start. While the interpreter is
//   made, the planner may use the whole buffer as its workspace; after that
//   only the first arena_used bytes are touched.
// - A buffer too small raises MemoryError naming the size it needs (measured
//   in a heap block when the buffer cannot even hold the model's tables),
//   and no interpreter is made. arena_size with arena is a ValueError: the
//   buffer's length is the arena size (a memoryview slice makes a smaller one).
// - The core keeps pointers into the arena, in the arena, so the buffer's
//   memory must stay where it is. Every use of the interpreter first checks
//   that the buffer's data has not moved (a bytearray or array that grew may
//   have been reallocated), still covers arena_used bytes and still holds
//   our tag; when not, the interpreter closes (RuntimeError) without reading
//   the buffer.
// - One buffer serves one interpreter at a time: making another interpreter
//   in it (even one that fails) closes the first at its next use. Buffers do
//   not overlap-check: two memoryview slices of one bytearray must not
//   overlap.
// - While the interpreter lives, the buffer's contents are its tables and
//   activations: writing into the buffer from Python is not supported (the
//   tag catches a write over the buffer's start only), and a memoryview's
//   underlying object must not be resized (MicroPython does not track that).
static mp_obj_t interpreter_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *all_args) {
    enum { ARG_model, ARG_arena_size, ARG_profile, ARG_arena };
    // In the native module (natmod/) qstrs are only known once it is loaded.
    #if !MICROPY_ENABLE_DYNRUNTIME
    static
    #endif
    const mp_arg_t allowed_args[] = {
        { MP_QSTR_model, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_arena_size, MP_ARG_INT, {.u_int = 0} },
        { MP_QSTR_profile, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = false} },
        { MP_QSTR_arena, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = mp_const_none} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);
    #ifndef MICROPY_TFLM_PROFILE_TICKS
    if (args[ARG_profile].u_bool) {
        mp_raise_msg(&mp_type_NotImplementedError, MP_ERROR_TEXT("no tick counter for profiling on this port"));
    }
    #endif
    if (args[ARG_arena_size].u_int < 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("arena_size must be >= 0"));
    }
    mp_obj_t arena = args[ARG_arena].u_obj;
    mp_buffer_info_t abuf, *user = NULL;
    if (arena != mp_const_none) {
        if (args[ARG_arena_size].u_int) {
            mp_raise_ValueError(MP_ERROR_TEXT("give arena or arena_size, not both"));
        }
        if (!mp_get_buffer(arena, &abuf, MP_BUFFER_WRITE)) {
            mp_raise_TypeError(MP_ERROR_TEXT("arena must be a writable buffer"));
        }
        args[ARG_arena_size].u_int = abuf.len;
        user = &abuf;
    }

    mp_obj_t model = model_buffer(args[ARG_model].u_obj);
    mp_buffer_info_t buf;
    mp_get_buffer_raise(model, &buf, MP_BUFFER_READ);

    tflm_interp_obj_t *self = mp_obj_malloc(tflm_interp_obj_t, type);
    memset(&self->model_obj, 0, sizeof(*self) - offsetof(tflm_interp_obj_t, model_obj));
    self->model_obj = model;
    self->inputs = MP_OBJ_NULL;
    self->outputs = MP_OBJ_NULL;
    self->model_len = buf.len;
    mp_buffer_info_t wbuf;
    if (((uintptr_t)buf.buf & 7) != 0 || mp_get_buffer(model, &wbuf, MP_BUFFER_WRITE)) {
        // Weights and shapes are read in place: they must be aligned for
        // their type and must not change (or move) under the interpreter, so
        // a misaligned or writable buffer (bytearray) is copied once.
        self->model_copy = m_new(uint8_t, buf.len);
        memcpy(self->model_copy, buf.buf, buf.len);
        self->model_obj = mp_const_none;
    }
    self->arena_obj = user ? arena : MP_OBJ_NULL;
    setup_arena(self, args[ARG_arena_size].u_int, user);
    if (args[ARG_profile].u_bool) {
        #ifdef MICROPY_TFLM_PROFILE_TICKS
        self->ip.profile = m_new0(uint32_t, self->ip.n_nodes + 1);
        self->ip.ticks = profile_ticks;
        #endif
    }
    return MP_OBJ_FROM_PTR(self);
}

static mp_obj_t interpreter_invoke(mp_obj_t self_in) {
    tflm_interp_obj_t *self = MP_OBJ_TO_PTR(self_in);
    check_open(self);
    if (tflm_interp_invoke(&self->ip) != TFLM_OK) {
        raise_status(self);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(interpreter_invoke_obj, interpreter_invoke);

static mp_obj_t interpreter_reset(mp_obj_t self_in) {
    tflm_interp_obj_t *self = MP_OBJ_TO_PTR(self_in);
    check_open(self);
    tflm_interp_reset(&self->ip);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(interpreter_reset_obj, interpreter_reset);

static void close_interp(tflm_interp_obj_t *self) {
    if (self->ip.profile) {
        m_del(uint32_t, self->ip.profile, self->ip.n_nodes + 1);
        self->ip.profile = NULL;
    }
    free_arena(self);
    if (self->model_copy) {
        m_del(uint8_t, self->model_copy, self->model_len);
        self->model_copy = NULL;
    }
    self->model_obj = mp_const_none;
    // The core's pointer to the model would keep the caller's bytes alive
    // (the GC scans this object) after close.
    self->ip.model = NULL;
    self->inputs = self->outputs = MP_OBJ_NULL;
}

static mp_obj_t interpreter_close(mp_obj_t self_in) {
    tflm_interp_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (!is_closed(self)) {
        close_interp(self);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(interpreter_close_obj, interpreter_close);

static mp_obj_t interpreter___exit__(size_t n_args, const mp_obj_t *args) {
    return interpreter_close(args[0]);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(interpreter___exit___obj, 4, 4, interpreter___exit__);

static tflm_tensor_t *io_tensor(tflm_interp_obj_t *self, mp_obj_t index_in, bool input, int *table_index) {
    check_open(self);
    mp_int_t i = mp_obj_get_int(index_in);
    int n = input ? self->ip.n_inputs : self->ip.n_outputs;
    if (i < 0 || i >= n) {
        mp_raise_msg_varg(&mp_type_IndexError, MP_ERROR_TEXT("%s index %d out of range (model has %d)"),
            input ? "input" : "output", (int)i, n);
    }
    int t = input ? self->ip.inputs[i] : self->ip.outputs[i];
    *table_index = t;
    return &self->ip.tensors[t];
}

static mp_obj_t make_tensor(tflm_interp_obj_t *self, int table_index, bool writable) {
    tflm_tensor_obj_t *t = mp_obj_malloc(tflm_tensor_obj_t, &tflm_tensor_type);
    t->interp = self;
    t->index = (uint16_t)table_index;
    t->writable = writable;
    return MP_OBJ_FROM_PTR(t);
}

static mp_obj_t interpreter_input(mp_obj_t self_in, mp_obj_t index) {
    int t;
    io_tensor(MP_OBJ_TO_PTR(self_in), index, true, &t);
    return make_tensor(MP_OBJ_TO_PTR(self_in), t, true);
}
static MP_DEFINE_CONST_FUN_OBJ_2(interpreter_input_obj, interpreter_input);

static mp_obj_t interpreter_output(mp_obj_t self_in, mp_obj_t index) {
    int t;
    io_tensor(MP_OBJ_TO_PTR(self_in), index, false, &t);
    return make_tensor(MP_OBJ_TO_PTR(self_in), t, false);
}
static MP_DEFINE_CONST_FUN_OBJ_2(interpreter_output_obj, interpreter_output);

static size_t elem_count(const tflm_tensor_t *t) {
    size_t n = 1;
    for (int i = 0; i < t->rank; i++) {
        n *= (size_t)t->dims[i];
    }
    return n;
}

static void store_value(const tflm_tensor_t *t, size_t i, mp_obj_t v) {
    if (t->type == TFLM_FLOAT32) {
        ((float *)t->data)[i] = mp_obj_get_float_to_f(v);
        return;
    }
    if (t->type == TFLM_BOOL) {
        // Python truth, stored as 0 or 1 (the only values a bool holds).
        t->data[i] = mp_obj_is_true(v);
        return;
    }
    #if MICROPY_LONGINT_IMPL != MICROPY_LONGINT_IMPL_NONE
    if (t->type == TFLM_INT64 && mp_obj_is_exact_type(v, &mp_type_int) && !mp_obj_is_small_int(v)) {
        // Wider than a machine word on 32-bit ports: through its bytes
        // (little-endian, as tensors are); the sign bit must agree.
        uint8_t b[8];
        bool neg = mp_obj_int_sign(v) < 0;
        if (!mp_obj_int_to_bytes_impl(v, false, 8, b) || (b[7] >> 7) != neg) {
            mp_raise_ValueError(MP_ERROR_TEXT("value out of range for int64"));
        }
        memcpy(t->data + 8 * i, b, 8);
        return;
    }
    #endif
    // Raises OverflowError beyond a machine word (never truncates).
    mp_int_t x = mp_obj_get_int(v);
    if (!tflm_set_int(t, i, x)) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("value %d out of range for %s"),
            (int)x, tflm_type_name(t->type));
    }
}

// Copies `data` into tensor `t`: a list/tuple of numbers, an array.array of
// the tensor's element type, or raw bytes of exactly the tensor's size.
static void fill_tensor(const tflm_tensor_t *t, mp_obj_t data) {
    if (mp_obj_is_type(data, &mp_type_list) || mp_obj_is_type(data, &mp_type_tuple)) {
        size_t n;
        mp_obj_t *items;
        mp_obj_get_array(data, &n, &items);
        if (n != elem_count(t)) {
            mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("expected %u values, got %u"),
                (unsigned)elem_count(t), (unsigned)n);
        }
        for (size_t i = 0; i < n; i++) {
            store_value(t, i, items[i]);
        }
        return;
    }
    mp_buffer_info_t buf;
    mp_get_buffer_raise(data, &buf, MP_BUFFER_READ);
    char code = type_code(t->type);
    // Raw bytes (bytes, bytearray, array('B')) fit any tensor of the right
    // size; a typed array must match the element type.
    if (buf.typecode != 'B' && buf.typecode != BYTEARRAY_TYPECODE && buf.typecode != code
        && !(code == 'i' && buf.typecode == 'l' && sizeof(long) == 4)) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("array of type '%c' for a %s tensor"),
            buf.typecode, tflm_type_name(t->type));
    }
    if (buf.len != tflm_tensor_bytes(t)) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("expected %u bytes, got %u"),
            (unsigned)tflm_tensor_bytes(t), (unsigned)buf.len);
    }
    memcpy(t->data, buf.buf, buf.len);
}

// A new array.array of `n` elements of type `code`, copied from `data`
// (n * itemsize bytes) or zeroed when data is NULL.
static mp_obj_t new_array(char code, size_t n, size_t itemsize, void *data) {
    size_t nbytes = n * itemsize;
    mp_obj_t raw = data ? mp_obj_new_bytearray_by_ref(nbytes, data)
        : mp_call_function_1(MP_OBJ_FROM_PTR(&mp_type_bytearray), mp_obj_new_int_from_uint(nbytes));
    return mp_call_function_2(MP_OBJ_FROM_PTR(&mp_type_array), mp_obj_new_str(&code, 1), raw);
}

static mp_obj_t tensor_to_array(const tflm_tensor_t *t) {
    char code = type_code(t->type);
    if (code == 0) {
        mp_raise_msg_varg(&mp_type_NotImplementedError, MP_ERROR_TEXT("no array type for %s"),
            tflm_type_name(t->type));
    }
    return new_array(code, elem_count(t), tflm_type_size(t->type), t->data);
}

static mp_obj_t interpreter_set_input(mp_obj_t self_in, mp_obj_t data, mp_obj_t index) {
    int ti;
    const tflm_tensor_t *t = io_tensor(MP_OBJ_TO_PTR(self_in), index, true, &ti);
    fill_tensor(t, data);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_3(interpreter_set_input_obj, interpreter_set_input);

static mp_obj_t interpreter_get_output(mp_obj_t self_in, mp_obj_t index) {
    int ti;
    return tensor_to_array(io_tensor(MP_OBJ_TO_PTR(self_in), index, false, &ti));
}
static MP_DEFINE_CONST_FUN_OBJ_2(interpreter_get_output_obj, interpreter_get_output);

static mp_obj_t shape_tuple(const tflm_tensor_t *t) {
    mp_obj_t dims[TFLM_MAX_RANK];
    for (int i = 0; i < t->rank; i++) {
        dims[i] = MP_OBJ_NEW_SMALL_INT(t->dims[i]);
    }
    return mp_obj_new_tuple(t->rank, dims);
}

static mp_obj_t details(mp_obj_t self_in, mp_obj_t index, bool input) {
    int ti;
    const tflm_tensor_t *t = io_tensor(MP_OBJ_TO_PTR(self_in), index, input, &ti);
    mp_obj_t d = mp_obj_new_dict(6);
    size_t name_len;
    const char *name = tflm_tensor_name(&((tflm_interp_obj_t *)MP_OBJ_TO_PTR(self_in))->ip, ti, &name_len);
    mp_obj_dict_store(d, MP_OBJ_NEW_QSTR(MP_QSTR_name), mp_obj_new_str(name, name_len));
    mp_obj_dict_store(d, MP_OBJ_NEW_QSTR(MP_QSTR_index), MP_OBJ_NEW_SMALL_INT(ti));
    mp_obj_dict_store(d, MP_OBJ_NEW_QSTR(MP_QSTR_shape), shape_tuple(t));
    mp_obj_dict_store(d, MP_OBJ_NEW_QSTR(MP_QSTR_dtype), mp_obj_new_str_from_cstr(tflm_type_name(t->type)));
    mp_obj_t q[2] = {mp_obj_new_float_from_f(t->scale), mp_obj_new_int(t->zero_point)};
    mp_obj_dict_store(d, MP_OBJ_NEW_QSTR(MP_QSTR_quantization), mp_obj_new_tuple(2, q));
    mp_obj_dict_store(d, MP_OBJ_NEW_QSTR(MP_QSTR_nbytes), mp_obj_new_int_from_uint(tflm_tensor_bytes(t)));
    return d;
}

static mp_obj_t interpreter_get_input_details(mp_obj_t self_in, mp_obj_t index) {
    return details(self_in, index, true);
}
static MP_DEFINE_CONST_FUN_OBJ_2(interpreter_get_input_details_obj, interpreter_get_input_details);

static mp_obj_t interpreter_get_output_details(mp_obj_t self_in, mp_obj_t index) {
    return details(self_in, index, false);
}
static MP_DEFINE_CONST_FUN_OBJ_2(interpreter_get_output_details_obj, interpreter_get_output_details);

static mp_obj_t interpreter_profile(mp_obj_t self_in) {
    tflm_interp_obj_t *self = MP_OBJ_TO_PTR(self_in);
    check_open(self);
    if (self->ip.profile == NULL) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("create the Interpreter with profile=True"));
    }
    mp_obj_t list = mp_obj_new_list(0, NULL);
    for (uint16_t i = 0; i < self->ip.n_nodes; i++) {
        const char *name = tflm_kernel_name(self->ip.nodes[i].kernel);
        mp_obj_t item[3] = {
            MP_OBJ_NEW_SMALL_INT(i),
            mp_obj_new_str_from_cstr(name ? name : "?"),
            mp_obj_new_int_from_uint(self->ip.profile[i]),
        };
        mp_obj_list_append(list, mp_obj_new_tuple(3, item));
    }
    return list;
}
static MP_DEFINE_CONST_FUN_OBJ_1(interpreter_profile_obj, interpreter_profile);

static mp_obj_t io_tuple(tflm_interp_obj_t *self, bool input) {
    check_open(self);
    mp_obj_t *slot = input ? &self->inputs : &self->outputs;
    if (*slot == MP_OBJ_NULL) {
        int n = input ? self->ip.n_inputs : self->ip.n_outputs;
        mp_obj_tuple_t *tup = MP_OBJ_TO_PTR(mp_obj_new_tuple(n, NULL));
        for (int i = 0; i < n; i++) {
            tup->items[i] = make_tensor(self, input ? self->ip.inputs[i] : self->ip.outputs[i], input);
        }
        *slot = MP_OBJ_FROM_PTR(tup);
    }
    return *slot;
}

static void interpreter_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    tflm_interp_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] != MP_OBJ_NULL) {
        return; // read-only attributes
    }
    if (attr == MP_QSTR_arena_used) {
        // The caller's buffer counts from its start.
        dest[0] = mp_obj_new_int_from_uint(is_closed(self) ? 0
            : self->ip.arena_used + (self->arena_obj != MP_OBJ_NULL ? arena_extra(self->arena) : 0));
    } else if (attr == MP_QSTR_inputs) {
        dest[0] = io_tuple(self, true);
    } else if (attr == MP_QSTR_outputs) {
        dest[0] = io_tuple(self, false);
    } else {
        dest[1] = MP_OBJ_SENTINEL; // continue lookup in locals_dict
    }
}

// The native module builds its types at load time (natmod/tflm_natmod.c).
#if !MICROPY_ENABLE_DYNRUNTIME
static const mp_rom_map_elem_t interpreter_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_invoke), MP_ROM_PTR(&interpreter_invoke_obj) },
    { MP_ROM_QSTR(MP_QSTR_reset), MP_ROM_PTR(&interpreter_reset_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&interpreter_close_obj) },
    { MP_ROM_QSTR(MP_QSTR___enter__), MP_ROM_PTR(&mp_identity_obj) },
    { MP_ROM_QSTR(MP_QSTR___exit__), MP_ROM_PTR(&interpreter___exit___obj) },
    { MP_ROM_QSTR(MP_QSTR_input), MP_ROM_PTR(&interpreter_input_obj) },
    { MP_ROM_QSTR(MP_QSTR_output), MP_ROM_PTR(&interpreter_output_obj) },
    { MP_ROM_QSTR(MP_QSTR_set_input), MP_ROM_PTR(&interpreter_set_input_obj) },
    { MP_ROM_QSTR(MP_QSTR_get_output), MP_ROM_PTR(&interpreter_get_output_obj) },
    { MP_ROM_QSTR(MP_QSTR_get_input_details), MP_ROM_PTR(&interpreter_get_input_details_obj) },
    { MP_ROM_QSTR(MP_QSTR_get_output_details), MP_ROM_PTR(&interpreter_get_output_details_obj) },
    { MP_ROM_QSTR(MP_QSTR_profile), MP_ROM_PTR(&interpreter_profile_obj) },
};
static MP_DEFINE_CONST_DICT(interpreter_locals_dict, interpreter_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    tflm_interpreter_type,
    MP_QSTR_Interpreter,
    MP_TYPE_FLAG_NONE,
    make_new, interpreter_make_new,
    attr, interpreter_attr,
    locals_dict, &interpreter_locals_dict
    );
#endif

// Tensor ---------------------------------------------------------------------

static tflm_tensor_t *tensor_get(mp_obj_t self_in) {
    tflm_tensor_obj_t *self = MP_OBJ_TO_PTR(self_in);
    check_open(self->interp);
    return &self->interp->ip.tensors[self->index];
}

static mp_obj_t tensor_quantize(mp_obj_t self_in, mp_obj_t values) {
    tflm_tensor_t *t = tensor_get(self_in);
    if (!(t->flags & TFLM_T_QUANT) || t->type == TFLM_FLOAT32) {
        mp_raise_ValueError(MP_ERROR_TEXT("tensor is not quantized"));
    }
    if (!((tflm_tensor_obj_t *)MP_OBJ_TO_PTR(self_in))->writable) {
        mp_raise_ValueError(MP_ERROR_TEXT("only input tensors can be written"));
    }
    size_t n;
    mp_obj_t *items;
    mp_obj_t list = mp_obj_is_type(values, &mp_type_list) || mp_obj_is_type(values, &mp_type_tuple)
        ? values : mp_call_function_1(MP_OBJ_FROM_PTR(&mp_type_list), values);
    mp_obj_get_array(list, &n, &items);
    if (n != elem_count(t)) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("expected %u values, got %u"),
            (unsigned)elem_count(t), (unsigned)n);
    }
    for (size_t i = 0; i < n; i++) {
        // In range by construction: quantize_value clamps to the type.
        tflm_set_int(t, i, tflm_quantize_value(t, mp_obj_get_float_to_f(items[i])));
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(tensor_quantize_obj, tensor_quantize);

static mp_obj_t tensor_dequantize(mp_obj_t self_in) {
    const tflm_tensor_t *t = tensor_get(self_in);
    size_t n = elem_count(t);
    mp_obj_t a = new_array('f', n, sizeof(float), NULL);
    mp_buffer_info_t buf;
    mp_get_buffer_raise(a, &buf, MP_BUFFER_WRITE);
    float *out = buf.buf;
    for (size_t i = 0; i < n; i++) {
        if (!tflm_dequantize_value(t, i, &out[i])) {
            mp_raise_msg(&mp_type_NotImplementedError, MP_ERROR_TEXT("dequantize of this type"));
        }
    }
    return a;
}
static MP_DEFINE_CONST_FUN_OBJ_1(tensor_dequantize_obj, tensor_dequantize);

static void tensor_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    if (dest[0] != MP_OBJ_NULL) {
        return;
    }
    const tflm_tensor_t *t = tensor_get(self_in);
    if (attr == MP_QSTR_shape) {
        dest[0] = shape_tuple(t);
    } else if (attr == MP_QSTR_dtype) {
        dest[0] = mp_obj_new_str_from_cstr(tflm_type_name(t->type));
    } else if (attr == MP_QSTR_scale) {
        dest[0] = mp_obj_new_float_from_f(t->scale);
    } else if (attr == MP_QSTR_zero_point) {
        dest[0] = mp_obj_new_int(t->zero_point);
    } else if (attr == MP_QSTR_nbytes) {
        dest[0] = mp_obj_new_int_from_uint(tflm_tensor_bytes(t));
    } else if (attr == MP_QSTR_name) {
        tflm_tensor_obj_t *self = MP_OBJ_TO_PTR(self_in);
        size_t len;
        const char *name = tflm_tensor_name(&self->interp->ip, self->index, &len);
        dest[0] = mp_obj_new_str(name, len);
    } else {
        dest[1] = MP_OBJ_SENTINEL;
    }
}

static mp_obj_t tensor_unary_op(mp_unary_op_t op, mp_obj_t self_in) {
    if (op == MP_UNARY_OP_LEN) {
        return MP_OBJ_NEW_SMALL_INT(elem_count(tensor_get(self_in)));
    }
    return MP_OBJ_NULL;
}

static void tensor_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    tflm_tensor_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (is_closed(self->interp)) {
        mp_printf(print, "<Tensor (closed)>");
        return;
    }
    const tflm_tensor_t *t = &self->interp->ip.tensors[self->index];
    mp_printf(print, "<Tensor %d %s ", self->index, tflm_type_name(t->type));
    mp_obj_print_helper(print, shape_tuple(t), PRINT_REPR);
    mp_printf(print, ">");
}

static mp_int_t tensor_get_buffer(mp_obj_t self_in, mp_buffer_info_t *bufinfo, mp_uint_t flags) {
    tflm_tensor_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (is_closed(self->interp)) {
        return 1;
    }
    if ((flags & MP_BUFFER_WRITE) && !self->writable) {
        return 1;
    }
    const tflm_tensor_t *t = &self->interp->ip.tensors[self->index];
    bufinfo->buf = t->data;
    bufinfo->len = tflm_tensor_bytes(t);
    bufinfo->typecode = type_code(t->type) ? type_code(t->type) : 'B';
    return 0;
}

#if !MICROPY_ENABLE_DYNRUNTIME
static const mp_rom_map_elem_t tensor_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_quantize), MP_ROM_PTR(&tensor_quantize_obj) },
    { MP_ROM_QSTR(MP_QSTR_dequantize), MP_ROM_PTR(&tensor_dequantize_obj) },
};
static MP_DEFINE_CONST_DICT(tensor_locals_dict, tensor_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    tflm_tensor_type,
    MP_QSTR_Tensor,
    MP_TYPE_FLAG_NONE,
    print, tensor_print,
    attr, tensor_attr,
    unary_op, tensor_unary_op,
    buffer, tensor_get_buffer,
    locals_dict, &tensor_locals_dict
    );
#endif

// Module ---------------------------------------------------------------------

static mp_obj_t tflm_ops(void) {
    size_t n = tflm_kernel_count();
    mp_obj_tuple_t *tup = MP_OBJ_TO_PTR(mp_obj_new_tuple(n, NULL));
    for (size_t i = 0; i < n; i++) {
        tup->items[i] = mp_obj_new_str_from_cstr(tflm_kernel_name(tflm_kernel_at(i)));
    }
    return MP_OBJ_FROM_PTR(tup);
}
static MP_DEFINE_CONST_FUN_OBJ_0(tflm_ops_obj, tflm_ops);

#if !MICROPY_ENABLE_DYNRUNTIME
static MP_DEFINE_STR_OBJ(tflm_version_obj, TFLM_VERSION_STRING);

static const mp_rom_map_elem_t tflm_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_tflm) },
    { MP_ROM_QSTR(MP_QSTR___version__), MP_ROM_PTR(&tflm_version_obj) },
    { MP_ROM_QSTR(MP_QSTR_Interpreter), MP_ROM_PTR(&tflm_interpreter_type) },
    { MP_ROM_QSTR(MP_QSTR_Tensor), MP_ROM_PTR(&tflm_tensor_type) },
    { MP_ROM_QSTR(MP_QSTR_ops), MP_ROM_PTR(&tflm_ops_obj) },
    #if MICROPY_TFLM_FRONTEND
    { MP_ROM_QSTR(MP_QSTR_AudioFrontend), MP_ROM_PTR(&tflm_audiofrontend_type) },
    #endif
};
static MP_DEFINE_CONST_DICT(tflm_module_globals, tflm_module_globals_table);

const mp_obj_module_t tflm_user_cmodule = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&tflm_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_tflm, tflm_user_cmodule);
#endif

// AudioFrontend, last: MicroPython's qstr scan keeps only the part of a
// file after its last #include of another .c file.
#include "modtflm_frontend.c"
