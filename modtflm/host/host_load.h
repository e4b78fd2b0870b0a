// What the host programs (tflm_run, tflm_check) share: reading a model file
// and building an interpreter in an arena sized the way the binding sizes it.
#ifndef TFLM_HOST_LOAD_H
#define TFLM_HOST_LOAD_H

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
