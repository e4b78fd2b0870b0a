// ARM MPS2 AN386 (Cortex-M4F) as emulated by QEMU's mps2-an386 machine.

// The stock Makefile passes the QEMU machine name on the command line.
#undef MICROPY_HW_BOARD_NAME
#define MICROPY_HW_BOARD_NAME "MPS2_AN386 (QEMU mps2-an386)"
#define MICROPY_HW_MCU_NAME "Cortex-M4F"
