// hostfs: read a file of the host machine from an emulated board through
// Arm or RISC-V semihosting (QEMU runs with -semihosting). Emulated boards
// only: the test suite loads models this way instead of pushing them
// through the UART byte by byte.
//
//   import hostfs
//   data = hostfs.read('/abs/path/on/host/model.tflite')
//   part = hostfs.read(path, offset, size)  # at most size bytes from offset
//                                           # (boards with little RAM)
#include <string.h>

#include "py/runtime.h"
#include "py/objstr.h"
#include "py/mperrno.h"

enum {
    SYS_OPEN = 0x01,
    SYS_CLOSE = 0x02,
    SYS_READ = 0x06,
    SYS_SEEK = 0x0a,
    SYS_FLEN = 0x0c,
};

static int32_t semihost_call(uint32_t op, const void *arg) {
    #if defined(__riscv)
    // The RISC-V semihosting trap: an ebreak between these two no-ops, all
    // three uncompressed, which QEMU recognises.
    register uint32_t a0 __asm__ ("a0") = op;
    register const void *a1 __asm__ ("a1") = arg;
    __asm__ volatile (
        ".option push\n"
        ".option norvc\n"
        ".balign 16\n"
        "slli zero, zero, 0x1f\n"
        "ebreak\n"
        "srai zero, zero, 7\n"
        ".option pop\n"
        : "+r" (a0) : "r" (a1) : "memory");
    return (int32_t)a0;
    #else
    register uint32_t r0 __asm__ ("r0") = op;
    register const void *r1 __asm__ ("r1") = arg;
    __asm__ volatile ("bkpt 0xab" : "+r" (r0) : "r" (r1) : "memory");
    return (int32_t)r0;
    #endif
}

static mp_obj_t hostfs_read(size_t n_args, const mp_obj_t *args) {
    size_t path_len;
    const char *path = mp_obj_str_get_data(args[0], &path_len);
    mp_int_t offset = n_args > 1 ? mp_obj_get_int(args[1]) : 0;
    mp_int_t size = n_args > 2 ? mp_obj_get_int(args[2]) : -1;
    if (offset < 0) {
        mp_raise_ValueError(NULL);
    }
    uint32_t open_args[3] = {(uint32_t)path, 1 /* "rb" */, path_len};
    int32_t fd = semihost_call(SYS_OPEN, open_args);
    if (fd < 0) {
        mp_raise_OSError(MP_ENOENT);
    }
    uint32_t fd_arg[1] = {(uint32_t)fd};
    int32_t len = semihost_call(SYS_FLEN, fd_arg);
    uint32_t seek_args[2] = {(uint32_t)fd, (uint32_t)offset};
    if (len < 0 || (offset > 0 && offset <= len && semihost_call(SYS_SEEK, seek_args) != 0)) {
        semihost_call(SYS_CLOSE, fd_arg);
        mp_raise_OSError(MP_EIO);
    }
    // What is there from offset on, at most size bytes.
    len = offset < len ? len - (int32_t)offset : 0;
    if (size >= 0 && size < len) {
        len = (int32_t)size;
    }
    vstr_t vstr;
    vstr_init_len(&vstr, (size_t)len);
    uint32_t read_args[3] = {(uint32_t)fd, (uint32_t)vstr.buf, (uint32_t)len};
    // SYS_READ returns the number of bytes NOT read.
    int32_t left = len ? semihost_call(SYS_READ, read_args) : 0;
    semihost_call(SYS_CLOSE, fd_arg);
    if (left != 0) {
        vstr_clear(&vstr);
        mp_raise_OSError(MP_EIO);
    }
    return mp_obj_new_bytes_from_vstr(&vstr);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(hostfs_read_obj, 1, 3, hostfs_read);

static const mp_rom_map_elem_t hostfs_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_hostfs) },
    { MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&hostfs_read_obj) },
};
static MP_DEFINE_CONST_DICT(hostfs_module_globals, hostfs_module_globals_table);

const mp_obj_module_t hostfs_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&hostfs_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_hostfs, hostfs_module);
