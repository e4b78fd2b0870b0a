// Optimized int8 CONV_2D, the parts its CPU variants share (see conv_opt.c
// for the method). The CPU files: conv_mve.c (Helium), conv_dsp.c
// (Armv7E-M DSP), conv_rv.c (RISC-V), conv_c.c (portable C); one of them
// is compiled (cpu.h). Each defines its own primitives (the im2col span
// writer, the inner multiply-accumulate, the requantization), then includes
// the shared routines built on them: conv_im2col.h (every CPU) and
// conv_pairs.h (DSP and portable C).
#ifndef TFLM_CORE_KERNELS_OPT_CONV_OPT_H
#define TFLM_CORE_KERNELS_OPT_CONV_OPT_H

#include <string.h>
#include "../../tflm_config.h"
#include "../../support/quant.h"
#include "../conv.h"
#include "clamp.h"
#include "cpu.h"
#include "requant.h"

static inline uint32_t conv_load32(const void *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline void conv_store32(void *p, uint32_t v) {
    memcpy(p, &v, 4);
}

// Output pixel `p` (flattened over batches, rows, columns) as input origin.
typedef struct {
    int32_t b, oy, ox;
} pix_t;

static inline void next_pix(const conv_geom_t *g, pix_t *p) {
    if (++p->ox == g->out_w) {
        p->ox = 0;
        if (++p->oy == g->out_h) {
            p->oy = 0;
            p->b++;
        }
    }
}

// 1x1 stride 1 unpadded: output pixel i reads input pixel i alone.
static inline bool is_pointwise(const conv_geom_t *g) {
    return g->f_h == 1 && g->f_w == 1 && g->stride_h == 1 && g->stride_w == 1 && g->pad_h == 0
           && g->pad_w == 0 && g->in_h == g->out_h && g->in_w == g->out_w;
}

#if TFLM_CPU_RV
// conv_rv.c: pixels per block (the interleaved im2col's slots).
#define CONV_RV_PIXELS 3
#endif

#if TFLM_CPU_DSP || TFLM_CPU_C
// ---------------------------------------------------------------------------
// conv_dsp.c and conv_c.c: an int16 im2col holding x + in_offset (padded
// taps 0), each group of 4 values stored as (x0, x2, x1, x3) so that SXTB16
// of a word of weights lines up with the pairs SMLAD takes; the two pixels'
// groups alternate. A register-blocked loop then computes 2 pixels x 2
// output channels.

// Position of element k of a pixel slot in the pair buffer: groups of 4
// values per pixel, 2 pixels per group, (x0, x2, x1, x3) inside a group.
#define POS(k) (8 * ((k) >> 2) + ((((k) & 1) << 1) | (((k) >> 1) & 1)))

// One group of 4 values src[0..3] + off stored at dst as (x0, x2, x1, x3);
// off2: the offset in both halfwords of a word.
typedef void conv_put4_fn(int16_t *dst, const int8_t *src, int32_t off, uint32_t off2);

// conv_span_fn for this layout, the whole groups by put4.
static TFLM_ALWAYS_INLINE void conv_put_span16(void *slot, int32_t k, const int8_t *src, int32_t n, int32_t off,
    conv_put4_fn *put4) {
    int16_t *buf = slot;
    for (; n > 0 && (k & 3); n--, k++) {
        buf[POS(k)] = src ? (int16_t)(*src++ + off) : 0;
    }
    int16_t *dst = buf + 2 * k;
    if (src) {
        const uint32_t off2 = (uint32_t)(uint16_t)off * 0x10001u;
        for (; n >= 4; n -= 4, k += 4, dst += 8, src += 4) {
            put4(dst, src, off, off2);
        }
    } else {
        for (; n >= 4; n -= 4, k += 4, dst += 8) {
            memset(dst, 0, 8);
        }
    }
    for (; n > 0; n--, k++) {
        buf[POS(k)] = src ? (int16_t)(*src++ + off) : 0;
    }
}

#endif // TFLM_CPU_DSP || TFLM_CPU_C

#endif // TFLM_CORE_KERNELS_OPT_CONV_OPT_H
