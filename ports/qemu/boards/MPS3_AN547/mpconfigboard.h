// ARM MPS3 AN547 (Cortex-M55 with Helium, SSE-300) as emulated by QEMU's
// mps3-an547 machine.

// The stock Makefile passes the QEMU machine name on the command line.
#undef MICROPY_HW_BOARD_NAME
#define MICROPY_HW_BOARD_NAME "MPS3_AN547 (QEMU mps3-an547)"
#define MICROPY_HW_MCU_NAME "Cortex-M55"
