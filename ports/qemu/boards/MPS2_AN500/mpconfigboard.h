// ARM MPS2 AN500 (Cortex-M7) as emulated by QEMU's mps2-an500 machine.

// The stock Makefile passes the QEMU machine name on the command line.
#undef MICROPY_HW_BOARD_NAME
#define MICROPY_HW_BOARD_NAME "MPS2_AN500 (QEMU mps2-an500)"
#define MICROPY_HW_MCU_NAME "Cortex-M7"
