// ARM MPS2 AN385 (Cortex-M3) as emulated by QEMU's mps2-an385 machine.

// The stock Makefile passes the QEMU machine name on the command line.
#undef MICROPY_HW_BOARD_NAME
#define MICROPY_HW_BOARD_NAME "MPS2_AN385 (QEMU mps2-an385)"
#define MICROPY_HW_MCU_NAME "Cortex-M3"
