# BBC micro:bit v1 (nRF51822: Cortex-M0, 16 KiB of RAM) as emulated by QEMU's
# microbit machine: the CPU class of the RP2040 (Armv6-M, no DSP, no
# hardware divide, no unaligned loads).
QEMU_ARCH = arm
QEMU_MACHINE = microbit

CFLAGS += -mthumb -mcpu=cortex-m0 -mfloat-abi=soft
# Without an arch the port's bare $(AS) would not take the Thumb-1 GC helper.
AFLAGS += -mthumb -mcpu=cortex-m0

MPY_CROSS_FLAGS += -march=armv6m

include $(BOARD_DIR)/../common/microbit.mk
