// The filesystem and per-boot setup for the tflm QEMU boards.
//
// The disk is mounted at / on every boot and soft reset, formatted as
// littlefs v2 the first time it is found blank, and lasts as long as QEMU
// runs:
//   - a RAM disk: a static buffer outside .bss (.ramdisk in sections.ld),
//     so files written with "mpremote cp" survive soft resets;
//   - on the micro:bit, whose 16 KiB of RAM cannot spare one, a flash disk:
//     the flash pages the linker script sets aside, written and erased
//     through the nRF51's NVMC as on the real part.
//
// Beside it, a ROMFS partition (MicroPython's read-only, memory-mapped
// filesystem): a static buffer outside .bss (.romfs in sections.ld) or, on
// the micro:bit, flash pages. "mpremote romfs deploy" writes it through
// vfs.rom_ioctl (below), mp_init() mounts it at /rom on the next soft
// reset, and its files are read in place: tflm.Interpreter('/rom/x.tflite')
// uses the model's bytes where they lie, as from flash on a real board.

#include <string.h>

#include "py/mperrno.h"
#include "py/objarray.h"
#include "py/runtime.h"
#include "py/stackctrl.h"
#include "extmod/vfs.h"
#include "extmod/vfs_lfs.h"
#include "qemu_soc.h"

// Leaves headroom below the Python-level limit for C code (e.g. TFLM kernels)
// called from the deepest allowed Python frame.
#ifndef QEMU_STACK_C_MARGIN
#define QEMU_STACK_C_MARGIN (24 * 1024)
#endif

// The partition's writers: a board without ROMFS (MICROPY_VFS_ROM 0, the
// micro:bit) does not call them.
#define ROMFS_MAYBE_UNUSED __attribute__((unused))

#if defined(QEMU_SOC_MICROBIT)

#define DISK_BLOCK_SIZE (QEMU_SOC_FLASH_PAGE_SIZE)
extern uint8_t _qemu_flashdisk_start[], _qemu_flashdisk_end[];
#define DISK_BASE (_qemu_flashdisk_start)
#define DISK_SIZE ((size_t)(_qemu_flashdisk_end - _qemu_flashdisk_start))

#define NVMC_REG(off) (*(volatile uint32_t *)(QEMU_SOC_NVMC_BASE + (off)))
#define NVMC_READ_ONLY (0)
#define NVMC_WRITE (1)
#define NVMC_ERASE (2)

// Flash takes whole words, and can only clear bits (littlefs erases first).
// QEMU does both at once, so there is no READY to wait for.
static void flash_write(uint8_t *dest, const uint8_t *src, size_t len) {
    NVMC_REG(QEMU_SOC_NVMC_CONFIG) = NVMC_WRITE;
    volatile uint32_t *dst = (volatile uint32_t *)dest;
    for (size_t i = 0; i < len / 4; ++i) {
        uint32_t w;
        memcpy(&w, src + 4 * i, 4);
        dst[i] = w;
    }
    NVMC_REG(QEMU_SOC_NVMC_CONFIG) = NVMC_READ_ONLY;
}

static void flash_erase(uint8_t *page) {
    NVMC_REG(QEMU_SOC_NVMC_CONFIG) = NVMC_ERASE;
    NVMC_REG(QEMU_SOC_NVMC_ERASEPAGE) = (uint32_t)(uintptr_t)page;
    NVMC_REG(QEMU_SOC_NVMC_CONFIG) = NVMC_READ_ONLY;
}

static void disk_write(size_t addr, const uint8_t *src, size_t len) {
    flash_write(DISK_BASE + addr, src, len);
}

static void disk_erase(size_t block) {
    flash_erase(DISK_BASE + block * DISK_BLOCK_SIZE);
}


// The ROMFS partition: the flash pages the linker script sets aside for it.
extern uint8_t _qemu_romfs_start[], _qemu_romfs_end[];
#define ROMFS_BASE (_qemu_romfs_start)
#define ROMFS_SIZE ((size_t)(_qemu_romfs_end - _qemu_romfs_start))
#define ROMFS_ERASE_SIZE (QEMU_SOC_FLASH_PAGE_SIZE)
#define ROMFS_WRITE_ALIGN (4)

ROMFS_MAYBE_UNUSED static void romfs_write(size_t offset, const uint8_t *src, size_t len) {
    flash_write(ROMFS_BASE + offset, src, len);
}

ROMFS_MAYBE_UNUSED static void romfs_erase(size_t offset) {
    flash_erase(ROMFS_BASE + offset);
}

// littlefs writes whole program units (32 bytes, vfs_lfs.c's default).
#define DISK_WRITE_ALIGN (4)

#else

#define DISK_BLOCK_SIZE (4096)
#ifndef QEMU_RAMDISK_SIZE
#define QEMU_RAMDISK_SIZE (2 * 1024 * 1024)
#endif
#if QEMU_RAMDISK_SIZE % DISK_BLOCK_SIZE != 0
#error QEMU_RAMDISK_SIZE must be a multiple of the block size
#endif

static uint8_t ramdisk_buf[QEMU_RAMDISK_SIZE] __attribute__((section(".bss.qemu_ramdisk"), aligned(8)));
#define DISK_BASE (ramdisk_buf)
#define DISK_SIZE ((size_t)QEMU_RAMDISK_SIZE)

static void disk_write(size_t addr, const uint8_t *src, size_t len) {
    memcpy(ramdisk_buf + addr, src, len);
}

// RAM needs no erase before being written.
static void disk_erase(size_t block) {
    (void)block;
}

#define DISK_WRITE_ALIGN (1)

// The ROMFS partition: a static buffer outside .bss (.romfs in sections.ld),
// 16-byte aligned so that file data aligned within the image
// (tools/romfs_image.py) is aligned in memory.
#ifndef QEMU_ROMFS_SIZE
#define QEMU_ROMFS_SIZE (1024 * 1024)
#endif
static uint8_t romfs_buf[QEMU_ROMFS_SIZE] __attribute__((section(".bss.qemu_romfs"), aligned(16)));
#define ROMFS_BASE (romfs_buf)
#define ROMFS_SIZE ((size_t)QEMU_ROMFS_SIZE)
#define ROMFS_ERASE_SIZE (ROMFS_SIZE)
#define ROMFS_WRITE_ALIGN (1)

ROMFS_MAYBE_UNUSED static void romfs_write(size_t offset, const uint8_t *src, size_t len) {
    memcpy(romfs_buf + offset, src, len);
}

// RAM needs no erase before being written.
ROMFS_MAYBE_UNUSED static void romfs_erase(size_t offset) {
    (void)offset;
}

#endif

typedef struct _qemu_ramdisk_obj_t {
    mp_obj_base_t base;
} qemu_ramdisk_obj_t;

// Shared by readblocks and writeblocks: (self, block_num, buf[, offset]).
static mp_obj_t ramdisk_transfer(size_t n_args, const mp_obj_t *args, bool write) {
    mp_int_t block = mp_obj_get_int(args[1]);
    mp_buffer_info_t bufinfo;
    mp_get_buffer_raise(args[2], &bufinfo, write ? MP_BUFFER_READ : MP_BUFFER_WRITE);
    mp_int_t offset = n_args > 3 ? mp_obj_get_int(args[3]) : 0;
    if (block < 0 || offset < 0) {
        return MP_OBJ_NEW_SMALL_INT(-MP_EINVAL);
    }
    uint64_t addr = (uint64_t)block * DISK_BLOCK_SIZE + (uint64_t)offset;
    if (addr + bufinfo.len > DISK_SIZE) {
        return MP_OBJ_NEW_SMALL_INT(-MP_EIO);
    }
    if (write) {
        if ((addr | bufinfo.len) % DISK_WRITE_ALIGN != 0) {
            return MP_OBJ_NEW_SMALL_INT(-MP_EINVAL);
        }
        disk_write((size_t)addr, bufinfo.buf, bufinfo.len);
    } else {
        memcpy(bufinfo.buf, DISK_BASE + addr, bufinfo.len);
    }
    return MP_OBJ_NEW_SMALL_INT(0);
}

static mp_obj_t ramdisk_readblocks(size_t n_args, const mp_obj_t *args) {
    return ramdisk_transfer(n_args, args, false);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(ramdisk_readblocks_obj, 3, 4, ramdisk_readblocks);

static mp_obj_t ramdisk_writeblocks(size_t n_args, const mp_obj_t *args) {
    return ramdisk_transfer(n_args, args, true);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(ramdisk_writeblocks_obj, 3, 4, ramdisk_writeblocks);

static mp_obj_t ramdisk_ioctl(mp_obj_t self_in, mp_obj_t op_in, mp_obj_t arg_in) {
    (void)self_in;
    switch (mp_obj_get_int(op_in)) {
        case MP_BLOCKDEV_IOCTL_INIT:
        case MP_BLOCKDEV_IOCTL_DEINIT:
        case MP_BLOCKDEV_IOCTL_SYNC:
            return MP_OBJ_NEW_SMALL_INT(0);
        case MP_BLOCKDEV_IOCTL_BLOCK_ERASE: {
            mp_int_t block = mp_obj_get_int(arg_in);
            if (block < 0 || (size_t)block >= DISK_SIZE / DISK_BLOCK_SIZE) {
                return MP_OBJ_NEW_SMALL_INT(-MP_EIO);
            }
            disk_erase((size_t)block);
            return MP_OBJ_NEW_SMALL_INT(0);
        }
        case MP_BLOCKDEV_IOCTL_BLOCK_COUNT:
            return MP_OBJ_NEW_SMALL_INT(DISK_SIZE / DISK_BLOCK_SIZE);
        case MP_BLOCKDEV_IOCTL_BLOCK_SIZE:
            return MP_OBJ_NEW_SMALL_INT(DISK_BLOCK_SIZE);
        default:
            return mp_const_none;
    }
}
static MP_DEFINE_CONST_FUN_OBJ_3(ramdisk_ioctl_obj, ramdisk_ioctl);

static const mp_rom_map_elem_t ramdisk_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_readblocks), MP_ROM_PTR(&ramdisk_readblocks_obj) },
    { MP_ROM_QSTR(MP_QSTR_writeblocks), MP_ROM_PTR(&ramdisk_writeblocks_obj) },
    { MP_ROM_QSTR(MP_QSTR_ioctl), MP_ROM_PTR(&ramdisk_ioctl_obj) },
};
static MP_DEFINE_CONST_DICT(ramdisk_locals_dict, ramdisk_locals_dict_table);

static MP_DEFINE_CONST_OBJ_TYPE(
    qemu_ramdisk_type,
    MP_QSTR_RAMDisk,
    MP_TYPE_FLAG_NONE,
    locals_dict, &ramdisk_locals_dict
    );

// A single device, so a constant object: nothing to re-create after soft reset.
static const qemu_ramdisk_obj_t ramdisk_obj = { { &qemu_ramdisk_type } };

static void ramdisk_mkfs(mp_obj_t bdev) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t mkfs = mp_load_attr(MP_OBJ_FROM_PTR(&mp_type_vfs_lfs2), MP_QSTR_mkfs);
        mp_call_function_1(mkfs, bdev);
        nlr_pop();
    } else {
        mp_obj_print_exception(&mp_plat_print, MP_OBJ_FROM_PTR(nlr.ret_val));
    }
}

static void ramdisk_mount(void) {
    mp_obj_t bdev = MP_OBJ_FROM_PTR(&ramdisk_obj);
    mp_obj_t root = MP_OBJ_NEW_QSTR(MP_QSTR__slash_);
    int ret = mp_vfs_mount_and_chdir_protected(bdev, root);
    if (ret == -MP_ENODEV) {
        // No filesystem yet: this is the first boot of this QEMU instance.
        ramdisk_mkfs(bdev);
        ret = mp_vfs_mount_and_chdir_protected(bdev, root);
    }
    if (ret != 0) {
        mp_printf(&mp_plat_print, "MPY: can't mount RAM disk (error %d)\n", ret);
    }
}

#if MICROPY_VFS_ROM_IOCTL

// Read-only (no MP_OBJ_ARRAY_TYPECODE_FLAG_RW): the files VfsRom opens from
// it give read-only buffers, which tflm uses in place. On the micro:bit its
// size is no C constant (linker symbols), so the view is filled in on use.
static mp_obj_array_t romfs_obj = { { &mp_type_memoryview }, 'B', 0, 0, NULL };

// One partition. The protocol (extmod/vfs.h, used by mpremote's romfs
// deploy): 1 = number of partitions, 2 = the partition's memoryview,
// 3 = prepare to write <len> bytes (erase; returns the smallest write),
// 4 = write <buf> at <offset>, 5 = writing done.
mp_obj_t mp_vfs_rom_ioctl(size_t n_args, const mp_obj_t *args) {
    mp_int_t cmd = mp_obj_get_int(args[0]);
    if (cmd == MP_VFS_ROM_IOCTL_GET_NUMBER_OF_SEGMENTS) {
        return MP_OBJ_NEW_SMALL_INT(1);
    }
    if (n_args < 2 || mp_obj_get_int(args[1]) != 0) {
        return MP_OBJ_NEW_SMALL_INT(-MP_EINVAL);
    }
    switch (cmd) {
        case MP_VFS_ROM_IOCTL_GET_SEGMENT:
            romfs_obj.items = ROMFS_BASE;
            romfs_obj.len = ROMFS_SIZE;
            return MP_OBJ_FROM_PTR(&romfs_obj);
        case MP_VFS_ROM_IOCTL_WRITE_PREPARE: {
            if (n_args < 3) {
                return MP_OBJ_NEW_SMALL_INT(-MP_EINVAL);
            }
            mp_int_t len = mp_obj_get_int(args[2]);
            if (len < 0 || (size_t)len > ROMFS_SIZE) {
                return MP_OBJ_NEW_SMALL_INT(-MP_EINVAL);
            }
            for (size_t off = 0; off < (size_t)len; off += ROMFS_ERASE_SIZE) {
                romfs_erase(off);
            }
            return MP_OBJ_NEW_SMALL_INT(ROMFS_WRITE_ALIGN);
        }
        case MP_VFS_ROM_IOCTL_WRITE: {
            if (n_args < 4) {
                return MP_OBJ_NEW_SMALL_INT(-MP_EINVAL);
            }
            mp_int_t offset = mp_obj_get_int(args[2]);
            mp_buffer_info_t bufinfo;
            mp_get_buffer_raise(args[3], &bufinfo, MP_BUFFER_READ);
            if (offset < 0 || (size_t)offset > ROMFS_SIZE || bufinfo.len > ROMFS_SIZE - (size_t)offset
                || ((size_t)offset | bufinfo.len) % ROMFS_WRITE_ALIGN != 0) {
                return MP_OBJ_NEW_SMALL_INT(-MP_EINVAL);
            }
            romfs_write((size_t)offset, bufinfo.buf, bufinfo.len);
            return MP_OBJ_NEW_SMALL_INT(0);
        }
        case MP_VFS_ROM_IOCTL_WRITE_COMPLETE:
            return MP_OBJ_NEW_SMALL_INT(0);
        default:
            return MP_OBJ_NEW_SMALL_INT(-MP_EINVAL);
    }
}

#endif // MICROPY_VFS_ROM_IOCTL

void qemu_board_port_init(void) {
    // main() caps Python recursion at 10 KiB of stack; the linker script
    // reserves much more, so let Python use most of it.  (Runs on every
    // mp_init(), after main() has set its own limit.)
    extern char _sstack[], _estack[];
    mp_stack_set_limit((mp_uint_t)(_estack - _sstack) - QEMU_STACK_C_MARGIN);

    ramdisk_mount();

    #if MICROPY_PY_SYS_PATH
    // So "mpremote cp x.py :lib/" makes importable modules, as on other ports.
    mp_obj_list_append(mp_sys_path, MP_OBJ_NEW_QSTR(MP_QSTR__slash_lib));
    #endif
}
