# Settings for the tflm micro:bit board (MICROBIT: nRF51822, Cortex-M0, the
# QEMU "microbit" machine); included from its mpconfigboard.mk after it has
# set the CPU and QEMU machine.

QEMU_MICROBIT_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# Our own UART driver and clock (board_uart.c, board_hal.c); an SoC name the
# stock uart.c does not know, so that it compiles to nothing.
CFLAGS += -DQEMU_SOC_MICROBIT
SRC_C += $(QEMU_MICROBIT_DIR)/board_uart.c

LDSCRIPT = $(QEMU_MICROBIT_DIR)/microbit.ld
# 1 MiB of flash (see microbit.ld; tools/qemu.py passes the same), for the
# stock "make run/repl/test" targets.
QEMU_ARGS += -global nrf51-soc.flash-size=1048576

# 12 KiB of the 16 KiB of RAM hold .data, .bss and the heap, 4 KiB the
# stack (see microbit.ld); the linker fails if they do not fit.
MICROPY_HEAP_SIZE ?= 11136

# The TIMER0 vernier (board_instructions_m0.c); Thumb-1 register helper.
QEMU_INSTRUCTIONS_C = board_instructions_m0.c
QEMU_GCHELPER = thumb1

include $(QEMU_MICROBIT_DIR)/board.mk
