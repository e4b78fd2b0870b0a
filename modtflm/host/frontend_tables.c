// Prints the tables tflm.AudioFrontend computes for a configuration, for
// python_tests/test_frontend_tables.py, which computes them again as the
// audio_microfrontend op does (with the host's libm):
//   frontend_tables sample_rate window_ms step_ms channels lower upper
//                   pcan_strength pcan_offset gain_bits smoothing_bits
// Output: "start S end E", then lines "coef ...", "chan ..." (per channel
// + 1: bin start, weight start, width), "w ...", "uw ...", "lut ..."; or
// "ERR message" for a configuration AudioFrontend refuses.
#include <stdio.h>
#include <stdlib.h>

#include "../core/dsp/audio_frontend.h"

static void row(const char *name, const int16_t *p, int n) {
    printf("%s", name);
    for (int i = 0; i < n; i++) {
        printf(" %d", p[i]);
    }
    printf("\n");
}

int main(int argc, char **argv) {
    if (argc != 11) {
        fprintf(stderr, "usage: %s rate window_ms step_ms channels lower upper strength offset gain_bits smoothing_bits\n", argv[0]);
        return 2;
    }
    tflm_frontend_config_t c;
    tflm_frontend_defaults(&c);
    c.sample_rate = atoi(argv[1]);
    c.window_ms = atoi(argv[2]);
    c.step_ms = atoi(argv[3]);
    c.channels = atoi(argv[4]);
    c.lower_band_limit = strtof(argv[5], NULL);
    c.upper_band_limit = strtof(argv[6], NULL);
    c.pcan_strength = strtof(argv[7], NULL);
    c.pcan_offset = strtof(argv[8], NULL);
    c.gain_bits = atoi(argv[9]);
    c.smoothing_bits = atoi(argv[10]);
    size_t bytes;
    const char *msg;
    if (tflm_frontend_size(&c, &bytes, &msg) != TFLM_OK) {
        printf("ERR %s\n", msg);
        return 0;
    }
    uint64_t *block = calloc(bytes / 8 + 1, 8);
    tflm_frontend_t fe;
    tflm_frontend_init(&fe, block, &c);
    const uint8_t *b = (const uint8_t *)block;
    int n1 = fe.channels + 1;
    const int16_t *chan = (const int16_t *)(b + fe.o_chan);
    printf("start %d end %d\n", fe.start_index, fe.end_index);
    row("coef", (const int16_t *)(b + fe.o_coef), fe.window);
    printf("chan");
    for (int i = 0; i < n1; i++) {
        printf(" %d %d %d", chan[i], chan[n1 + i], chan[2 * n1 + i]);
    }
    printf("\n");
    row("w", (const int16_t *)(b + fe.o_weights), fe.n_weights);
    row("uw", (const int16_t *)(b + fe.o_unweights), fe.n_weights);
    row("lut", (const int16_t *)(b + fe.o_gain_lut), 125);
    free(block);
    return 0;
}
