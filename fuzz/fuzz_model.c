// libFuzzer harness for the runtime core: bytes -> verify -> tables ->
// prepare -> plan -> invoke (inputs zeroed). Built with ASan and UBSan, so any
// out-of-bounds access, overflow or leak in the core is a finding.
// Built by modtflm/host/Makefile as fuzz_model (portable optimized kernels),
// fuzz_model_dsp (the DSP kernels, emulated in C: TFLM_EMULATE_DSP) and
// fuzz_model_rv (the RISC-V kernels' C form: TFLM_KERNELS_RV).
#include <stdlib.h>
#include <string.h>
#include "../modtflm/core/tflm.h"

// Arenas above this are skipped: a model may legitimately ask for gigabytes.
#define MAX_ARENA (16u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    // The binding hands the core 8-byte aligned model bytes; do the same.
    uint8_t *model = malloc(size ? size : 1);
    memcpy(model, data, size);
    static tflm_interp_t ip;
    if (tflm_interp_open(&ip, model, size) == TFLM_OK) {
        size_t measure, arena_size;
        tflm_interp_arena_bounds(&ip, &measure, &arena_size);
        for (int tries = 0; tries < 8 && arena_size <= MAX_ARENA; tries++) {
            uint8_t *arena = malloc(arena_size);
            tflm_status_t s = tflm_interp_init(&ip, arena, arena_size);
            if (s == TFLM_OK) {
                tflm_interp_invoke(&ip);
                tflm_interp_invoke(&ip);
            }
            tflm_interp_release(&ip);
            free(arena);
            if (s != TFLM_ERR_ARENA) {
                break;
            }
            arena_size = ip.err.needed > arena_size ? ip.err.needed : arena_size * 2;
        }
    }
    free(model);
    return 0;
}
