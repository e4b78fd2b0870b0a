// RISC-V RV32IMAC as emulated by QEMU's virt machine.

// The stock Makefile passes the QEMU machine name on the command line.
#undef MICROPY_HW_BOARD_NAME
#define MICROPY_HW_BOARD_NAME "VIRT_RV32 (QEMU virt)"
#define MICROPY_HW_MCU_NAME "RV32IMAC"
