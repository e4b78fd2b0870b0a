# Settings shared by the tflm MPS2 boards (AN385, AN386, AN500); included
# from each board's mpconfigboard.mk after it has set the CPU and QEMU
# machine (and, if its RAM differs, QEMU_LDSCRIPT).

QEMU_MPS2_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# Also selects the stock port's CMSDK UART driver (uart.c) at 0x40004000.
CFLAGS += -DQEMU_SOC_MPS2

QEMU_LDSCRIPT ?= mps2.ld
LDSCRIPT = $(QEMU_MPS2_DIR)/$(QEMU_LDSCRIPT)

# The heap fills SSRAM2/3 (see mps2.ld); the linker fails if it does not fit.
MICROPY_HEAP_SIZE = 4194304

# The FPGAIO vernier (board_instructions.c); Thumb-2 register helper.
QEMU_INSTRUCTIONS_C = board_instructions.c
QEMU_GCHELPER = thumb2

include $(QEMU_MPS2_DIR)/board.mk
