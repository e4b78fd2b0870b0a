# ARM MPS2 FPGA image AN500: Cortex-M7.  QEMU's cortex-m7 has the
# double-precision FPv5 FPU (MVFR0 = 0x10110221), so hard float with
# fpv5-d16.
QEMU_ARCH = arm
QEMU_MACHINE = mps2-an500

CFLAGS += -mthumb -mcpu=cortex-m7 -mfloat-abi=hard -mfpu=fpv5-d16

MPY_CROSS_FLAGS += -march=armv7emdp

# Its PSRAM is at 0x60000000, not 0x21000000 as on AN385/AN386.
QEMU_LDSCRIPT = mps2_an500.ld

include $(BOARD_DIR)/../common/mps2.mk
