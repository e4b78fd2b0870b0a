// Host runner for the runtime core alone: loads a model, sizes the arena the
// way the MicroPython binding does, fills inputs (from files or zeros), runs
// invoke, and writes each output's raw bytes to <out_prefix><i>.bin.
//
//   tflm_run model.tflite [-i input0.bin]... [-o out_prefix] [-n invokes]
//
// Prints "arena_used N" on success; "error <status> <message>" and exit 2 on
// a model or arena error. Built with sanitizers for the robustness tests.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/tflm.h"
#include "host_load.h"


int main(int argc, char **argv) {
    size_t len;
    uint8_t *model = read_model_arg(argc >= 2, argv, "model.tflite [-i in.bin]... [-o prefix] [-n invokes]", &len);
    if (!model) {
        return 1;
    }
    const char *inputs[16];
    int n_in = 0, invokes = 1;
    uint32_t seed = 0; // -r: fill the inputs not given with -i with pseudo-random bytes
    const char *prefix = NULL;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-i") && n_in < 16) {
            inputs[n_in++] = argv[i + 1];
        } else if (!strcmp(argv[i], "-o")) {
            prefix = argv[i + 1];
        } else if (!strcmp(argv[i], "-n")) {
            invokes = atoi(argv[i + 1]);
        } else if (!strcmp(argv[i], "-r")) {
            seed = (uint32_t)strtoul(argv[i + 1], NULL, 0);
        }
    }
    static tflm_interp_t ip;
    uint8_t *arena = NULL;
    int s = init_sized(&ip, model, len, &arena);
    if (s != TFLM_OK) {
        printf("error %d %s\n", s, ip.err.msg);
        free(arena);
        free(model);
        return 2;
    }
    for (int i = 0; i < ip.n_inputs; i++) {
        tflm_tensor_t *t = tflm_input(&ip, i);
        if (i < n_in) {
            size_t n;
            uint8_t *data = read_file(inputs[i], &n);
            if (!data || n != tflm_tensor_bytes(t)) {
                fprintf(stderr, "input %d: need %u bytes\n", i, (unsigned)tflm_tensor_bytes(t));
                return 1;
            }
            memcpy(t->data, data, n);
            free(data);
        }
    }
    for (int k = 0; k < invokes; k++) {
        // The same pseudo-random inputs before every invoke (the plan may
        // reuse an input's memory for later activations).
        uint32_t r = seed;
        for (int i = n_in; r && i < ip.n_inputs; i++) {
            tflm_tensor_t *t = tflm_input(&ip, i);
            uint8_t *p = t->data;
            for (uint32_t j = 0; j < tflm_tensor_bytes(t); j++) {
                r = r * 1664525u + 1013904223u;
                p[j] = (uint8_t)(r >> 24);
            }
        }
        s = tflm_interp_invoke(&ip);
        if (s != TFLM_OK) {
            printf("error %d %s\n", s, ip.err.msg);
            return 2;
        }
    }
    for (int i = 0; prefix && i < ip.n_outputs; i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s%d.bin", prefix, i);
        FILE *f = fopen(path, "wb");
        tflm_tensor_t *t = tflm_output(&ip, i);
        fwrite(t->data, 1, tflm_tensor_bytes(t), f);
        fclose(f);
    }
    printf("arena_used %u persistent %u tensors %u ops %u\n", (unsigned)ip.arena_used,
        (unsigned)ip.persistent_used, (unsigned)ip.n_tensors, (unsigned)ip.n_nodes);
    free(arena);
    free(model);
    return 0;
}
