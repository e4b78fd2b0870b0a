# tflm user C module for CMake-based ports (esp32, rp2). The sources and
# their optimization groups come from sources.txt, the same list
# micropython.mk reads, so these ports compile what `make bench` measures.
add_library(usermod_tflm INTERFACE)

# Re-run the configure step when the list changes (else an existing build
# folder keeps the old list and fails to link new kernels).
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/sources.txt)
file(STRINGS ${CMAKE_CURRENT_LIST_DIR}/sources.txt TFLM_SOURCE_LINES REGEX "^[a-z]+ +[^ ]+\\.c$")
foreach(TFLM_LINE ${TFLM_SOURCE_LINES})
    string(REGEX MATCH "^([a-z]+) +(.+)$" TFLM_MATCH "${TFLM_LINE}")
    list(APPEND TFLM_SRC_${CMAKE_MATCH_1} ${CMAKE_CURRENT_LIST_DIR}/${CMAKE_MATCH_2})
endforeach()

target_sources(usermod_tflm INTERFACE ${TFLM_SRC_binding} ${TFLM_SRC_size} ${TFLM_SRC_speed})
target_include_directories(usermod_tflm INTERFACE ${CMAKE_CURRENT_LIST_DIR})
target_compile_definitions(usermod_tflm INTERFACE TFLM_CONFIG_FILE="tflm_mp_config.h")
target_compile_options(usermod_tflm INTERFACE -ffp-contract=off)
# Per-file optimization, as micropython.mk sets it (appended after the
# port's own -O flag, so it wins).
set_source_files_properties(${TFLM_SRC_size} PROPERTIES COMPILE_OPTIONS "-Os")
set_source_files_properties(${TFLM_SRC_speed} PROPERTIES COMPILE_OPTIONS "-O2")

target_link_libraries(usermod INTERFACE usermod_tflm)

# Frozen models (`make firmware TARGET=rp2|esp32 ... FROZEN_MODELS=`):
# module tflm_models, whose C source tools/freeze_models.py wrote. The file
# is named by the CMake variable TFLM_FROZEN_MODELS_C (tools/port_build.py
# passes it as -D through the port's CMAKE_ARGS or IDFPY_FLAGS), or else the
# environment variable of that name at configure time.
if(NOT TFLM_FROZEN_MODELS_C AND DEFINED ENV{TFLM_FROZEN_MODELS_C})
    set(TFLM_FROZEN_MODELS_C $ENV{TFLM_FROZEN_MODELS_C})
endif()
if(TFLM_FROZEN_MODELS_C)
    if(NOT EXISTS ${TFLM_FROZEN_MODELS_C})
        message(FATAL_ERROR "TFLM_FROZEN_MODELS_C: no file ${TFLM_FROZEN_MODELS_C} (tools/freeze_models.py writes it)")
    endif()
    target_sources(usermod_tflm INTERFACE ${TFLM_FROZEN_MODELS_C})
endif()
