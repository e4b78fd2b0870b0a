// Optimized int8 FULLY_CONNECTED: four units per pass over the input row,
// so each input element is loaded (and offset) once per four units.
//
//   sum((x + in_off) * (w + w_off)) = sum((x + in_off) * w) + w_off * sum(x + in_off)
//
// holds modulo 2^32, so the inner loops use the raw weights and the weights
// zero point (per-tensor weights only) becomes one per-row constant. The
// inner loop per CPU (cpu.h), one file each:
//  - fc_mve.c: 16 depth per step, VMLADAVA for x*w and for in_off*w (the
//    input offset does not fit int8 lanes); a predicated step for the tail.
//  - fc_dsp.c: 4 depth per step, x and w sign-extended to 16-bit pairs
//    (SXTB16, SXTAB16 adds the input offset), two SMLAD per unit.
//  - fc_rv.c: RISC-V, 8 units per pass (4 when fewer, 1 below four), one
//    depth per step, 16 steps an iteration, the steps asm statements; with
//    more than 24 units the input row plus its offset in scratch and 10
//    units per pass (see there).
//  - fc_c.c: one depth per step, int32 multiply-accumulate.
// The accumulators start at bias + row constant. Requantization: Helium
// does the four units as one vector (VQRDMULH, VRSHL); elsewhere a
// per-tensor multiplier with a right shift of 2..15 (RISC-V: 2..21) takes one
// multiply-accumulate and one shift per unit (opt_requant_r2 in requant.h;
// RISC-V with accumulators provably below 2^29: one high multiply,
// opt_requant_r3), other cases tflm_requant's steps. Fewer than four
// units: the reference (RISC-V: its own one-unit blocks). A unit count that
// is not a multiple of four redoes the last four units (same results, same
// bytes written). No persistent data; scratch only on RISC-V.
//
// This file: the path choice, the same for every CPU.
#include "fc_opt.h"
#if MICROPY_TFLM_OP_FULLY_CONNECTED && MICROPY_TFLM_OPT_KERNELS

tflm_status_t tflm_fc_opt_prepare(tflm_interp_t *ip, tflm_node_t *node, fc_data_t *d) {
    #if TFLM_CPU_RV
    d->opt = 1;
    node->scratch_size = fc_rv_scratch(d);
    if (d->opt && tflm_fc_rv_r3(ip, node, d)) {
        d->opt = FC_OPT_R3;
    }
    #else
    (void)ip;
    (void)node;
    d->opt = d->units >= 4;
    #endif
    return TFLM_OK;
}

#endif
