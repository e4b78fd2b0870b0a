// MicroPython's ESP32_GENERIC_S3 board with ROMFS mounted at /rom (the
// partition named "romfs" in partitions-8MiB-romfs.csv; `mpremote romfs
// deploy` writes it).
#define MICROPY_HW_BOARD_NAME "ESP32S3 module with tflm and ROMFS"
#include "boards/ESP32_GENERIC_S3/mpconfigboard.h"

#define MICROPY_VFS_ROM (1)
