# ARM MPS2 FPGA image AN386: Cortex-M4 with single-precision FPU (hard float).
QEMU_ARCH = arm
QEMU_MACHINE = mps2-an386

CFLAGS += -mthumb -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16

MPY_CROSS_FLAGS += -march=armv7emsp

include $(BOARD_DIR)/../common/mps2.mk
