// tflm.AudioFrontend: the binding of core/dsp/audio_frontend.c, included by
// modtflm.c (as extmod files include their parts). The object holds the
// core's state and its whole block of tables and buffers, so the core never
// keeps a pointer into GC memory: each call passes the block afresh.
#include "core/tflm_config.h"

#if MICROPY_TFLM_FRONTEND && !MICROPY_ENABLE_DYNRUNTIME

#include "core/dsp/audio_frontend.h"

typedef struct _tflm_frontend_obj_t {
    mp_obj_base_t base;
    tflm_frontend_t fe;
    uint64_t block[]; // 8-byte aligned: the filterbank accumulates in uint64
} tflm_frontend_obj_t;

enum {
    FE_SAMPLE_RATE, FE_WINDOW_MS, FE_STEP_MS, FE_CHANNELS, FE_UPPER, FE_LOWER,
    FE_SMOOTHING_BITS, FE_EVEN, FE_ODD, FE_MIN_SIGNAL, FE_ENABLE_PCAN, FE_STRENGTH,
    FE_OFFSET, FE_GAIN_BITS, FE_ENABLE_LOG, FE_SCALE_SHIFT, FE_OUT_SCALE, FE_N_ARGS
};

static float float_arg(mp_obj_t o, float dflt) {
    return o == MP_OBJ_NULL ? dflt : mp_obj_get_float_to_f(o);
}

static mp_obj_t frontend_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *all_args) {
    tflm_frontend_config_t c;
    tflm_frontend_defaults(&c);
    // Keyword-only, with the defaults of tflm_frontend_defaults; the floats
    // default to MP_OBJ_NULL (a float object cannot be a constant here).
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_sample_rate, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 16000} },
        { MP_QSTR_window_ms, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 30} },
        { MP_QSTR_step_ms, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 20} },
        { MP_QSTR_channels, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 40} },
        { MP_QSTR_upper_band_limit, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_lower_band_limit, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_smoothing_bits, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 10} },
        { MP_QSTR_even_smoothing, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_odd_smoothing, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_min_signal_remaining, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_enable_pcan, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = true} },
        { MP_QSTR_pcan_strength, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_pcan_offset, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_gain_bits, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 21} },
        { MP_QSTR_enable_log, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = true} },
        { MP_QSTR_scale_shift, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 6} },
        { MP_QSTR_out_scale, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 1} },
    };
    mp_arg_val_t a[FE_N_ARGS];
    mp_arg_parse_all_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed_args), allowed_args, a);
    // Integers beyond 32 bits are refused by the range checks as their
    // truncation could not be.
    for (int i = 0; i < FE_N_ARGS; i++) {
        if ((allowed_args[i].flags & MP_ARG_KIND_MASK) == MP_ARG_INT && (a[i].u_int < -0x7fffffff || a[i].u_int > 0x7fffffff)) {
            mp_raise_ValueError(MP_ERROR_TEXT("AudioFrontend argument out of range"));
        }
    }
    for (int i = 0; i < FE_N_ARGS; i++) {
        if ((allowed_args[i].flags & MP_ARG_KIND_MASK) == MP_ARG_OBJ && a[i].u_obj == mp_const_none) {
            a[i].u_obj = MP_OBJ_NULL;
        }
    }
    c.sample_rate = (int32_t)a[FE_SAMPLE_RATE].u_int;
    c.window_ms = (int32_t)a[FE_WINDOW_MS].u_int;
    c.step_ms = (int32_t)a[FE_STEP_MS].u_int;
    c.channels = (int32_t)a[FE_CHANNELS].u_int;
    c.upper_band_limit = float_arg(a[FE_UPPER].u_obj, c.upper_band_limit);
    c.lower_band_limit = float_arg(a[FE_LOWER].u_obj, c.lower_band_limit);
    c.smoothing_bits = (int32_t)a[FE_SMOOTHING_BITS].u_int;
    c.even_smoothing = float_arg(a[FE_EVEN].u_obj, c.even_smoothing);
    c.odd_smoothing = float_arg(a[FE_ODD].u_obj, c.odd_smoothing);
    c.min_signal_remaining = float_arg(a[FE_MIN_SIGNAL].u_obj, c.min_signal_remaining);
    c.enable_pcan = a[FE_ENABLE_PCAN].u_bool;
    c.pcan_strength = float_arg(a[FE_STRENGTH].u_obj, c.pcan_strength);
    c.pcan_offset = float_arg(a[FE_OFFSET].u_obj, c.pcan_offset);
    c.gain_bits = (int32_t)a[FE_GAIN_BITS].u_int;
    c.enable_log = a[FE_ENABLE_LOG].u_bool;
    c.scale_shift = (int32_t)a[FE_SCALE_SHIFT].u_int;
    c.out_scale = (int32_t)a[FE_OUT_SCALE].u_int;

    size_t bytes;
    const char *msg;
    if (tflm_frontend_size(&c, &bytes, &msg) != TFLM_OK) {
        #if TFLM_ERROR_TEXT
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("AudioFrontend: %s"), msg);
        #else
        mp_raise_ValueError(NULL);
        #endif
    }
    tflm_frontend_obj_t *self = mp_obj_malloc_var(tflm_frontend_obj_t, block, uint64_t, (bytes + 7) / 8, type);
    tflm_frontend_init(&self->fe, self->block, &c);
    return MP_OBJ_FROM_PTR(self);
}

// The samples of a PCM chunk: an array('h') or raw bytes (bytes,
// bytearray, memoryview of them: 16-bit little-endian, as I2S and WAV
// deliver them).
static size_t pcm_samples(mp_obj_t pcm, const uint8_t **data) {
    mp_buffer_info_t b;
    // (a str has a buffer too, but is no PCM)
    if (mp_obj_is_str(pcm) || !mp_get_buffer(pcm, &b, MP_BUFFER_READ) || (b.typecode != 'h' && b.typecode != 'B' && b.typecode != BYTEARRAY_TYPECODE)) {
        mp_raise_TypeError(MP_ERROR_TEXT("PCM must be int16: array('h') or bytes"));
    }
    if (b.len & 1) {
        mp_raise_ValueError(MP_ERROR_TEXT("PCM bytes must be an even number"));
    }
    *data = b.buf;
    return b.len / 2;
}

// process(pcm, into=None, int8=False): feeds a chunk; returns the frames it
// completed, a list of array('H') (array('b') with int8=True), or with
// into= writes them one after another into that buffer (array('H') for the
// features, a buffer of typecode 'b' such as array('b') or an int8 model
// input tensor for the int8 form) and returns how many.
static mp_obj_t frontend_process(size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    enum { ARG_pcm, ARG_into, ARG_int8 };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_pcm, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_into, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_int8, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = false} },
    };
    mp_arg_val_t a[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all(n_args - 1, pos_args + 1, kw_args, MP_ARRAY_SIZE(allowed_args), allowed_args, a);
    tflm_frontend_obj_t *self = MP_OBJ_TO_PTR(pos_args[0]);
    tflm_frontend_t *fe = &self->fe;
    const uint8_t *pcm;
    size_t n = pcm_samples(a[ARG_pcm].u_obj, &pcm);
    size_t frames = tflm_frontend_frames_for(fe, n);
    tflm_frontend_out_t type = a[ARG_int8].u_bool ? TFLM_FRONTEND_INT8 : TFLM_FRONTEND_UINT16;
    mp_obj_t result;
    uint8_t *out = NULL;
    size_t stride = 0; // bytes between frames written to `out`
    if (a[ARG_into].u_obj != mp_const_none) {
        mp_buffer_info_t b;
        mp_get_buffer_raise(a[ARG_into].u_obj, &b, MP_BUFFER_WRITE);
        if (b.typecode == 'H') {
            type = TFLM_FRONTEND_UINT16;
        } else if (b.typecode == 'b') {
            type = TFLM_FRONTEND_INT8;
        } else {
            mp_raise_TypeError(MP_ERROR_TEXT("into must be array('H') or int8 (typecode 'b')"));
        }
        stride = fe->channels * (type == TFLM_FRONTEND_INT8 ? 1 : 2);
        if (frames > b.len / stride) {
            mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("into holds %u frames, this chunk completes %u"),
                (unsigned)(b.len / stride), (unsigned)frames);
        }
        out = b.buf;
        result = MP_OBJ_NEW_SMALL_INT(frames);
    } else {
        // The frames' arrays first; the core then fills them.
        result = mp_obj_new_list(frames, NULL);
        mp_obj_list_t *list = MP_OBJ_TO_PTR(result);
        for (size_t i = 0; i < frames; i++) {
            list->items[i] = type == TFLM_FRONTEND_INT8 ? new_array('b', fe->channels, 1, NULL)
                : new_array('H', fe->channels, 2, NULL);
        }
    }
    // `frames` counted exactly how many complete: each gets its place.
    size_t done = 0;
    while (n) {
        size_t used;
        void *dest = NULL;
        if (done < frames) {
            if (out) {
                dest = out + done * stride;
            } else {
                mp_buffer_info_t b;
                mp_get_buffer_raise(((mp_obj_list_t *)MP_OBJ_TO_PTR(result))->items[done], &b, MP_BUFFER_WRITE);
                dest = b.buf;
            }
        }
        if (tflm_frontend_push(fe, self->block, pcm, n, &used, dest, type)) {
            done++;
        }
        pcm += 2 * used;
        n -= used;
    }
    return result;
}
static MP_DEFINE_CONST_FUN_OBJ_KW(frontend_process_obj, 2, frontend_process);

static mp_obj_t frontend_reset(mp_obj_t self_in) {
    tflm_frontend_obj_t *self = MP_OBJ_TO_PTR(self_in);
    tflm_frontend_reset(&self->fe, self->block);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(frontend_reset_obj, frontend_reset);

static void frontend_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    if (dest[0] != MP_OBJ_NULL) {
        return;
    }
    const tflm_frontend_t *fe = &((tflm_frontend_obj_t *)MP_OBJ_TO_PTR(self_in))->fe;
    if (attr == MP_QSTR_channels) {
        dest[0] = MP_OBJ_NEW_SMALL_INT(fe->channels);
    } else if (attr == MP_QSTR_window) {
        dest[0] = MP_OBJ_NEW_SMALL_INT(fe->window);
    } else if (attr == MP_QSTR_step) {
        dest[0] = MP_OBJ_NEW_SMALL_INT(fe->step);
    } else {
        dest[1] = MP_OBJ_SENTINEL;
    }
}

static const mp_rom_map_elem_t frontend_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_process), MP_ROM_PTR(&frontend_process_obj) },
    { MP_ROM_QSTR(MP_QSTR_reset), MP_ROM_PTR(&frontend_reset_obj) },
};
static MP_DEFINE_CONST_DICT(frontend_locals_dict, frontend_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    tflm_audiofrontend_type,
    MP_QSTR_AudioFrontend,
    MP_TYPE_FLAG_NONE,
    make_new, frontend_make_new,
    attr, frontend_attr,
    locals_dict, &frontend_locals_dict
    );

#endif // MICROPY_TFLM_FRONTEND && !MICROPY_ENABLE_DYNRUNTIME
