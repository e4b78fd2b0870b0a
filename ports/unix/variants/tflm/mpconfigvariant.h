// The unix (host) firmware with the tflm module: the standard variant's
// feature level, plus the module built in through USER_C_MODULES.
#define MICROPY_CONFIG_ROM_LEVEL (MICROPY_CONFIG_ROM_LEVEL_EXTRA_FEATURES)

#include "variants/mpconfigvariant_common.h"
