# Settings for the tflm MPS3 board (AN547, Cortex-M55); included from its
# mpconfigboard.mk after it has set the CPU and QEMU machine.

QEMU_MPS3_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# The stock port's uart.c has no MPS3 variant and compiles to nothing for an
# unknown QEMU_SOC_*, so board_uart.c provides uart_init/rx/tx instead.
CFLAGS += -DQEMU_SOC_MPS3_AN547
SRC_C += $(QEMU_MPS3_DIR)/board_uart.c

LDSCRIPT = $(QEMU_MPS3_DIR)/mps3_an547.ld

# The heap lives in DDR (2 GiB, see mps3_an547.ld), so it can be larger
# than on MPS2; a bigger heap only makes each full collection slower.
MICROPY_HEAP_SIZE ?= 8388608

# The FPGAIO vernier (board_instructions.c); Thumb-2 register helper.
QEMU_INSTRUCTIONS_C = board_instructions.c
QEMU_GCHELPER = thumb2

include $(QEMU_MPS3_DIR)/board.mk
