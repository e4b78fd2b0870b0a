// MicroPython configuration for the tflm boards running on QEMU.
//
// This directory is put on the include path ahead of the stock qemu port, so
// this file replaces the port's own mpconfigport.h for these boards.  A full
// replacement (rather than a few overrides) is needed because the stock file
// hard-codes options such as MICROPY_PY_TIME and -Werror rejects redefinition.

#include <stdint.h>

// Per-board names and sizes.
#include "mpconfigboard.h"

#define MICROPY_CONFIG_ROM_LEVEL            (MICROPY_CONFIG_ROM_LEVEL_EXTRA_FEATURES)

// Native code and inline asm: Thumb-2 on the Armv7-M/v8-M boards, RV32 on
// RISC-V.  None on the Cortex-M0 (as in the stock port's micro:bit board):
// the emitters' RAM is better left to the heap there.
#if defined(__riscv)
#define MICROPY_EMIT_RV32                   (1)
#define MICROPY_EMIT_INLINE_RV32            (1)
#elif defined(__ARM_ARCH_ISA_THUMB) && __ARM_ARCH_ISA_THUMB >= 2
#define MICROPY_EMIT_THUMB                  (1)
#define MICROPY_EMIT_INLINE_THUMB           (1)
#endif
#if defined(__ARM_ARCH_ISA_THUMB)
#define MICROPY_MAKE_POINTER_CALLABLE(p)    ((void *)((mp_uint_t)(p) | 1))
#endif

// Core behaviour.
#define MICROPY_ENABLE_GC                   (1)
#define MICROPY_MALLOC_USES_ALLOCATED_SIZE  (1)
#define MICROPY_MEM_STATS                   (1)
#define MICROPY_ENABLE_EMERGENCY_EXCEPTION_BUF (1)
#define MICROPY_LONGINT_IMPL                (MICROPY_LONGINT_IMPL_MPZ)
#define MICROPY_FLOAT_IMPL                  (MICROPY_FLOAT_IMPL_FLOAT)
#define MICROPY_WARNINGS                    (1)
#define MICROPY_PERSISTENT_CODE_LOAD        (1)
#define MICROPY_READER_VFS                  (1)
#define MICROPY_KBD_EXCEPTION               (1)

// Modules.
#define MICROPY_PY_SYS_PLATFORM             "qemu"
// mpremote's "mount" talks binary over sys.stdin.buffer / sys.stdout.buffer.
#define MICROPY_PY_SYS_STDIO_BUFFER         (1)
#define MICROPY_PY_SELECT                   (1)
#define MICROPY_PY_TIME                     (1)
// There is no RTC: time.time() counts from power-on, which keeps runs repeatable.
#define MICROPY_PY_TIME_TIME_TIME_NS        (1)
#define MICROPY_PY_TIME_INCLUDEFILE         "board_modtime.h"
#define MICROPY_PY_ASYNCIO                  (0)
#define MICROPY_PY_MACHINE                  (1)
#define MICROPY_PY_MACHINE_INCLUDEFILE      "ports/qemu/modmachine.c"
#define MICROPY_PY_MACHINE_RESET            (1)
#define MICROPY_VFS                         (1)
// A ROMFS partition mounted at /rom (board_vfs.c), written by mpremote romfs.
#ifndef MICROPY_VFS_ROM
#define MICROPY_VFS_ROM                     (1)
#endif
#define MICROPY_PY_OS_UNAME                 (1)

// RAM disk mount (and other per-boot setup) at the end of every mp_init().
void qemu_board_port_init(void);
#define MICROPY_PORT_INIT_FUNC              qemu_board_port_init()

// Ctrl-C: drain the UART now and then while bytecode runs, so a 0x03 from the
// host raises KeyboardInterrupt.  Polling every bytecode jump would make every
// loop do an MMIO access, which is slow under QEMU, hence the countdown.
void qemu_board_rx_poll(void);
#define QEMU_BOARD_VM_POLL_PERIOD           (128)
#define MICROPY_VM_HOOK_INIT                static unsigned int vm_poll_countdown = QEMU_BOARD_VM_POLL_PERIOD;
#define MICROPY_VM_HOOK_POLL                if (--vm_poll_countdown == 0) { \
                                                vm_poll_countdown = QEMU_BOARD_VM_POLL_PERIOD; \
                                                qemu_board_rx_poll(); \
                                            }
#define MICROPY_VM_HOOK_LOOP                MICROPY_VM_HOOK_POLL
#define MICROPY_VM_HOOK_RETURN              MICROPY_VM_HOOK_POLL
#define MICROPY_INTERNAL_EVENT_HOOK         qemu_board_rx_poll()

// Benchmark clock: instructions executed, exact under -icount shift=0 (see
// board_instructions.c).  time.ticks_cpu() returns it too; the tflm module's
// per-op profiler uses it instead of ticks_us().
uint64_t board_instructions(void);
#define MICROPY_TFLM_PROFILE_TICKS()        ((uint32_t)board_instructions())

// Type definitions for the target.

#define MP_SSIZE_MAX (0x7fffffff)

#define UINT_FMT "%lu"
#define INT_FMT "%ld"

typedef int32_t mp_int_t; // must be pointer size
typedef uint32_t mp_uint_t; // must be pointer size
typedef long mp_off_t;

#include <alloca.h>

// lib/libm has no standalone log2 function.
#define MP_NEED_LOG2 (1)

#define MP_STATE_PORT MP_STATE_VM
