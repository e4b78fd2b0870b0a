// What the host programs (tflm_run, tflm_check) share: reading a model file
// and building an interpreter in an arena sized the way the binding sizes it.
#ifndef TFLM_HOST_LOAD_H
#define TFLM_HOST_LOAD_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include "../core/tflm.h"

static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    *len = fread(buf, 1, (size_t)n, f);
    fclose(f);
    return buf;
}

// The model named by argv[1], or NULL after saying why (the usage line
// when `args_ok` is false: the arguments do not fit it).
static uint8_t *read_model_arg(bool args_ok, char **argv, const char *usage, size_t *len) {
    if (!args_ok) {
        fprintf(stderr, "usage: %s %s\n", argv[0], usage);
        return NULL;
    }
    uint8_t *model = read_file(argv[1], len);
    if (!model) {
        perror(argv[1]);
    }
    return model;
}

// Arena sizing as the binding does it: verify once, build in a block of the
// core's upper bound; when that falls short, init has measured the exact
// size, which the second block gets.
static int init_sized(tflm_interp_t *ip, const uint8_t *model, size_t len, uint8_t **arena) {
    *arena = NULL;
    tflm_status_t s = tflm_interp_open(ip, model, len);
    if (s != TFLM_OK) {
        return s;
    }
    size_t measure, size;
    tflm_interp_arena_bounds(ip, &measure, &size);
    for (int tries = 0; tries < 40; tries++) {
        *arena = malloc(size);
        s = tflm_interp_init(ip, *arena, size);
        if (s != TFLM_ERR_ARENA) {
            return s;
        }
        tflm_interp_release(ip);
        free(*arena);
        *arena = NULL;
        size = ip->err.needed ? ip->err.needed : size * 2;
    }
    return TFLM_ERR_ARENA;
}

#endif // TFLM_HOST_LOAD_H
