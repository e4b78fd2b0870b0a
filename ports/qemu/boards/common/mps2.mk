# Settings shared by the tflm MPS2 boards; included from each board's
# mpconfigboard.mk after it has set the CPU and QEMU machine.

QEMU_BOARD_COMMON_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

CFLAGS += -DQEMU_SOC_MPS2

# Our mpconfigport.h (in include/) shadows the stock port's, as INC is
# searched before the port directory; the board dir supplies mpconfigboard.h.
INC += -I$(QEMU_BOARD_COMMON_DIR)/include
INC += -I$(BOARD_DIR)
# Config changes must re-run qstr extraction, as edits to the stock
# mpconfigport.h would.
QSTR_GLOBAL_DEPENDENCIES += $(QEMU_BOARD_COMMON_DIR)/include/mpconfigport.h $(BOARD_DIR)/mpconfigboard.h

LDSCRIPT = $(QEMU_BOARD_COMMON_DIR)/mps2.ld

SRC_C += \
	$(QEMU_BOARD_COMMON_DIR)/board_init.c \
	$(QEMU_BOARD_COMMON_DIR)/board_hal.c \
	$(QEMU_BOARD_COMMON_DIR)/board_vfs.c \
	$(QEMU_BOARD_COMMON_DIR)/modhostfs.c \

SRC_BOARD_O = shared/runtime/gchelper_native.o shared/runtime/gchelper_thumb2.o

# Hook the stock startup and HAL without editing MicroPython: early init runs
# from uart_init(), and stdin/poll get a real implementation (board_hal.c).
LDFLAGS += -Wl,--wrap=uart_init
LDFLAGS += -Wl,--wrap=mp_hal_stdin_rx_chr
LDFLAGS += -Wl,--wrap=mp_hal_stdio_poll

# The heap fills SSRAM2/3 (see mps2.ld); the linker fails if it does not fit.
MICROPY_HEAP_SIZE = 4194304

# RAM disk in PSRAM (16 MiB available).
QEMU_RAMDISK_SIZE ?= 2097152
CFLAGS += -DQEMU_RAMDISK_SIZE=$(QEMU_RAMDISK_SIZE)

MICROPY_VFS_LFS2 = 1

# Deterministic virtual time for the stock "make run/repl/test" targets too
# (see tools/qemu.py for why sleep=off).
QEMU_ARGS += -icount shift=0,sleep=off
