# ARM MPS3 FPGA image AN547: Cortex-M55 with the double-precision FPU and
# integer + float Helium (MVE).  For -mcpu=cortex-m55 GCC 12 enables all of
# them by default (__ARM_FEATURE_MVE == 3, arm_mve.h usable); the +nomve /
# +nomve.fp modifiers would take them away.
QEMU_ARCH = arm
QEMU_MACHINE = mps3-an547

CFLAGS += -mthumb -mcpu=cortex-m55 -mfloat-abi=hard
# The port assembles gchelper_thumb2.s with bare $(AS); without an arch it is
# tagged ARMv6T2, which ld refuses to merge with ARMv8.1-M objects.  (GAS
# 2.40 knows no -mcpu=cortex-m55, hence the equivalent -march.)
AFLAGS += -mthumb -march=armv8.1-m.main+mve.fp+fp.dp -mfloat-abi=hard

# mpy-cross has no v8.1-M target; v7E-M with DP FPU code runs on the M55.
MPY_CROSS_FLAGS += -march=armv7emdp

include $(BOARD_DIR)/../common/mps3.mk
