# tflm user C module for CMake-based ports (esp32, rp2).
add_library(usermod_tflm INTERFACE)

file(GLOB TFLM_CORE_SRC ${CMAKE_CURRENT_LIST_DIR}/core/*.c ${CMAKE_CURRENT_LIST_DIR}/core/kernels/*.c)

target_sources(usermod_tflm INTERFACE
    ${CMAKE_CURRENT_LIST_DIR}/modtflm.c
    ${TFLM_CORE_SRC}
)

target_include_directories(usermod_tflm INTERFACE
    ${CMAKE_CURRENT_LIST_DIR}
)

target_compile_options(usermod_tflm INTERFACE -ffp-contract=off)

target_link_libraries(usermod INTERFACE usermod_tflm)
