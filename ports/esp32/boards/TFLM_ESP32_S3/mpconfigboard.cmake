# Our ESP32-S3 board: MicroPython's ESP32_GENERIC_S3 (8 MiB flash, SPIRAM
# detected at boot) with a 2 MiB ROMFS partition for models, which tflm
# uses in place (no RAM copy). Build it with
#   make firmware TARGET=esp32 BOARD=TFLM_ESP32_S3
# (the Makefile passes BOARD_DIR= and the tflm module).
set(IDF_TARGET esp32s3)

# ESP-IDF takes the partition table's path from sdkconfig, relative to the
# port's folder unless absolute; ours lives here, outside the port, so the
# fragment naming it is written at configure time.
file(WRITE ${CMAKE_BINARY_DIR}/sdkconfig.tflm_partitions
    "CONFIG_PARTITION_TABLE_CUSTOM=y\nCONFIG_PARTITION_TABLE_CUSTOM_FILENAME=\"${MICROPY_BOARD_DIR}/partitions-8MiB-romfs.csv\"\n")

set(SDKCONFIG_DEFAULTS
    boards/sdkconfig.base
    boards/sdkconfig.usb
    boards/sdkconfig.ble
    boards/sdkconfig.spiram_sx
    boards/ESP32_GENERIC_S3/sdkconfig.board
    ${CMAKE_BINARY_DIR}/sdkconfig.tflm_partitions
)
