# tflm user C module for make-based ports (unix, qemu, stm32, rp2 via make...).
TFLM_MOD_DIR := $(USERMOD_DIR)

SRC_USERMOD_C += $(TFLM_MOD_DIR)/modtflm.c
# The portable core: no MicroPython headers, so no qstr scanning needed.
SRC_USERMOD_LIB_C += $(wildcard $(TFLM_MOD_DIR)/core/*.c) $(wildcard $(TFLM_MOD_DIR)/core/kernels/*.c)

CFLAGS_USERMOD += -I$(TFLM_MOD_DIR)
# Float results must match TFLM exactly: no fused multiply-add contraction.
$(BUILD)/$(TFLM_MOD_DIR:$(USER_C_MODULES)/%=%)/%.o: CFLAGS += -ffp-contract=off -O2
