# tflm user C module for make-based ports (unix, qemu, stm32, rp2 via make...).
TFLM_MOD_DIR := $(USERMOD_DIR)

SRC_USERMOD_C += $(TFLM_MOD_DIR)/modtflm.c
# The portable core: no MicroPython headers, so no qstr scanning needed.
TFLM_CORE_SRC := $(wildcard $(TFLM_MOD_DIR)/core/*.c)
TFLM_KERNEL_SRC := $(wildcard $(TFLM_MOD_DIR)/core/kernels/*.c)
SRC_USERMOD_LIB_C += $(TFLM_CORE_SRC) $(TFLM_KERNEL_SRC)

CFLAGS_USERMOD += -I$(TFLM_MOD_DIR)

# Objects land under $(BUILD) at the module's path below USER_C_MODULES.
TFLM_OBJ = $(patsubst $(USER_C_MODULES)/%.c,$(BUILD)/%.o,$(1))
# Float results must match TFLM exactly: no fused multiply-add contraction.
# The core (verify, plan, interpret) is built for size, the kernels for speed.
$(call TFLM_OBJ,$(TFLM_CORE_SRC) $(TFLM_KERNEL_SRC) $(TFLM_MOD_DIR)/modtflm.c): CFLAGS += -ffp-contract=off
# Prepare-time helpers shared by the kernels are built for size too.
TFLM_KERNEL_SUPPORT := $(addprefix $(TFLM_MOD_DIR)/core/kernels/,checks.c quant.c registry.c)
$(call TFLM_OBJ,$(TFLM_CORE_SRC) $(TFLM_KERNEL_SUPPORT)): CFLAGS += -Os
$(call TFLM_OBJ,$(filter-out $(TFLM_KERNEL_SUPPORT),$(TFLM_KERNEL_SRC))): CFLAGS += -O2
