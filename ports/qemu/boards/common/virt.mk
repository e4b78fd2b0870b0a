# Settings for the tflm RISC-V board (VIRT_RV32, QEMU "virt"); included from
# its mpconfigboard.mk after it has set the CPU and QEMU machine.

QEMU_VIRT_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# Selects the stock port's NS16550 driver (uart.c) at 0x10000000.
CFLAGS += -DQEMU_SOC_VIRT

LDSCRIPT = $(QEMU_VIRT_DIR)/virt_rv32.ld

# The heap has 8 MiB of its own (see virt_rv32.ld), as on MPS3.
MICROPY_HEAP_SIZE ?= 8388608

# instret (board_instructions_rv32.c); RV32I register helper.
QEMU_INSTRUCTIONS_C = board_instructions_rv32.c
QEMU_GCHELPER = rv32i

include $(QEMU_VIRT_DIR)/board.mk
