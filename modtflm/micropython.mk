# tflm user C module for make-based ports (unix, qemu, stm32, nrf, samd...).
# The sources and their optimization groups come from sources.txt, the same
# list micropython.cmake reads.
TFLM_MOD_DIR := $(USERMOD_DIR)
tflm_sources = $(addprefix $(TFLM_MOD_DIR)/,$(shell awk '$$1 == "$(1)" { print $$2 }' $(TFLM_MOD_DIR)/sources.txt))
TFLM_SRC_BINDING := $(call tflm_sources,binding)
TFLM_SRC_SIZE := $(call tflm_sources,size)
TFLM_SRC_SPEED := $(call tflm_sources,speed)

SRC_USERMOD_C += $(TFLM_SRC_BINDING)
# The portable core: no MicroPython headers, so no qstr scanning needed.
SRC_USERMOD_LIB_C += $(TFLM_SRC_SIZE) $(TFLM_SRC_SPEED)

CFLAGS_USERMOD += -I$(TFLM_MOD_DIR) -DTFLM_CONFIG_FILE='"tflm_mp_config.h"'

# Objects land under $(BUILD) at the module's path below USER_C_MODULES.
TFLM_OBJ = $(patsubst $(USER_C_MODULES)/%.c,$(BUILD)/%.o,$(1))
$(call TFLM_OBJ,$(TFLM_SRC_BINDING) $(TFLM_SRC_SIZE) $(TFLM_SRC_SPEED)): CFLAGS += -ffp-contract=off
$(call TFLM_OBJ,$(TFLM_SRC_SIZE)): CFLAGS += -Os
$(call TFLM_OBJ,$(TFLM_SRC_SPEED)): CFLAGS += -O2

# Frozen models (the top Makefile's FROZEN_MODELS=): module tflm_models,
# whose C source tools/freeze_models.py wrote into the build folder.
ifneq ($(TFLM_FROZEN_MODELS_C),)
SRC_USERMOD_C += $(TFLM_FROZEN_MODELS_C)
endif
