# Settings shared by all tflm QEMU boards.  Included at the end of the SoC
# family's .mk (mps2.mk, mps3.mk, virt.mk, microbit.mk), which has set the CPU
# flags, -DQEMU_SOC_*, LDSCRIPT, MICROPY_HEAP_SIZE, the instruction counter
# (QEMU_INSTRUCTIONS_C) and the GC register helper (QEMU_GCHELPER).

QEMU_BOARD_COMMON_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# Our mpconfigport.h (in include/) shadows the stock port's, as INC is
# searched before the port directory; the board dir supplies mpconfigboard.h.
INC += -I$(QEMU_BOARD_COMMON_DIR)/include
INC += -I$(BOARD_DIR)
# Config changes must re-run qstr extraction, as edits to the stock
# mpconfigport.h would.
QSTR_GLOBAL_DEPENDENCIES += $(QEMU_BOARD_COMMON_DIR)/include/mpconfigport.h $(BOARD_DIR)/mpconfigboard.h

# The board linker scripts INCLUDE sections.ld from here.
LDFLAGS += -L$(QEMU_BOARD_COMMON_DIR)
$(BUILD)/firmware.elf: $(QEMU_BOARD_COMMON_DIR)/sections.ld

SRC_C += \
	$(QEMU_BOARD_COMMON_DIR)/board_init.c \
	$(QEMU_BOARD_COMMON_DIR)/board_hal.c \
	$(QEMU_BOARD_COMMON_DIR)/$(QEMU_INSTRUCTIONS_C) \
	$(QEMU_BOARD_COMMON_DIR)/board_vfs.c \
	$(QEMU_BOARD_COMMON_DIR)/board_fault.c \
	$(QEMU_BOARD_COMMON_DIR)/modhostfs.c \

SRC_BOARD_O = shared/runtime/gchelper_native.o shared/runtime/gchelper_$(QEMU_GCHELPER).o

# Hook the stock startup and HAL without editing MicroPython: early init runs
# from uart_init(), and stdin/poll get a real implementation (board_hal.c).
LDFLAGS += -Wl,--wrap=uart_init
LDFLAGS += -Wl,--wrap=mp_hal_stdin_rx_chr
LDFLAGS += -Wl,--wrap=mp_hal_stdio_poll
# Faults end the running script with a report (board_fault.c).
ifeq ($(QEMU_ARCH),arm)
LDFLAGS += -Wl,--wrap=HardFault_Handler
endif

# main.c takes the heap size (MICROPY_HEAP_SIZE, set by the .mk files) from
# the command line: rebuild it when they change.
$(BUILD)/main.o: $(filter %.mk,$(MAKEFILE_LIST))

# RAM disk size; REGION_DISK of the board's linker script must hold it.
QEMU_RAMDISK_SIZE ?= 2097152
CFLAGS += -DQEMU_RAMDISK_SIZE=$(QEMU_RAMDISK_SIZE)

# ROMFS partition size (RAM boards; the micro:bit's is in microbit.ld);
# REGION_DISK must hold it after the RAM disk.
QEMU_ROMFS_SIZE ?= 1048576
CFLAGS += -DQEMU_ROMFS_SIZE=$(QEMU_ROMFS_SIZE)

MICROPY_VFS_LFS2 = 1

# Deterministic virtual time for the stock "make run/repl/test" targets too
# (see tools/qemu.py for why sleep=off).
QEMU_ARGS += -icount shift=0,sleep=off
