// A small xorshift generator for the host tests' random cases
// (deterministic: the same sequence every run).
#ifndef TFLM_HOST_TEST_RAND_H
#define TFLM_HOST_TEST_RAND_H

#include <stdint.h>

static uint64_t state = 0x9e3779b97f4a7c15ull;

static uint32_t next(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (uint32_t)(state >> 11);
}

#endif // TFLM_HOST_TEST_RAND_H
