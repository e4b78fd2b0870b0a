// BBC micro:bit v1 (nRF51822, Cortex-M0) as emulated by QEMU's microbit
// machine, with its 16 KiB of RAM.

// The stock Makefile passes the QEMU machine name on the command line.
#undef MICROPY_HW_BOARD_NAME
#define MICROPY_HW_BOARD_NAME "MICROBIT (QEMU microbit)"
#define MICROPY_HW_MCU_NAME "Cortex-M0"

// Stack and C margin below the Python recursion limit (board_vfs.c), and the
// UART receive FIFO (board_hal.c), sized for 16 KiB of RAM.
#define QEMU_STACK_C_MARGIN (1536)
#define QEMU_RX_FIFO_SIZE (64)

// The arena bounds the interpreter tries first (modtflm/core/interp.c):
// 2 KiB of slack per measured op is most of the heap here.
#define TFLM_MEASURE_SLACK (256)

// No ROMFS partition: with MICROPY_VFS_ROM enabled, scripts that ran before
// run out of the 11 KiB heap (test_api's error classes, the transpose-conv
// sweep), although the heap is as free after boot.
#define MICROPY_VFS_ROM (0)
