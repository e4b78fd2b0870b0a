# ARM MPS2 FPGA image AN385: Cortex-M3, no FPU (soft float).
QEMU_ARCH = arm
QEMU_MACHINE = mps2-an385

CFLAGS += -mthumb -mcpu=cortex-m3 -mfloat-abi=soft

MPY_CROSS_FLAGS += -march=armv7m

include $(BOARD_DIR)/../common/mps2.mk
