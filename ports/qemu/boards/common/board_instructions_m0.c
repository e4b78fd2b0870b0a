// board_instructions() on the micro:bit (Cortex-M0, Thumb-1 only): the
// vernier of board_instructions.c, on the nRF51's TIMER0.
//
// With PRESCALER 1 TIMER0 ticks every P = 125 ns (8 MHz), i.e. every 125
// instructions under -icount shift=0; QEMU computes it exactly as
// floor((now - start) / 125).  A read is a TASKS_CAPTURE[0] write (the
// instant) and a CC[0] read.  As on MPS2/MPS3, P reads each P - 1
// instructions after the previous one give
//
//     sum over m = 0 .. P-1 of TIMER_m = P * c0 + (P-1)(P-2)/2 + phase
//
// and the instant of read 0 to the ns is c0 * P + phase, with c0 extended
// to 64 bits by TIMER1 (32 us per tick, 256 TIMER0 ticks; see board_hal.c).
// Thumb-1 has no 32x32->64 multiply, so the 64-bit products are built from
// 16-bit halves; nothing branches on data, so a call always executes
// BOARD_INSTR_CALL_INSNS instructions, which the result leaves out for all
// earlier calls (the difference of two calls is the number of instructions
// executed between them, apart from the few the caller needs for the call).
// A call costs about 15.4k instructions: 125 reads, 124 apart.

#include <stdint.h>

#include "qemu_soc.h"

#define STR_(x) #x
#define STR(x) STR_(x)

#define P_STR STR(QEMU_SOC_TIMER_PERIOD_NS)

#if QEMU_SOC_TIMER_PERIOD_NS != 125 || QEMU_SOC_TIMER1_TICKS != 256
#error "the loop padding, the constants and the coarse shift below are for P = 125, 256 ticks per TIMER1 tick"
#endif

// Instructions per call: 13 before the loop, P - 1 iterations of P - 1
// instructions, 49 after it (count them in the assembly below).
#define BOARD_INSTR_CALL_INSNS (62 + (QEMU_SOC_TIMER_PERIOD_NS - 1) * (QEMU_SOC_TIMER_PERIOD_NS - 1))

// Calls made so far, for taking out their cost (used from the assembly).
uint32_t qemu_board_instr_calls;

uint64_t board_instructions(void);

__attribute__((naked, noinline)) uint64_t board_instructions(void) {
    __asm volatile (
        // GCC passes Thumb-1 inline asm in divided syntax.
        ".syntax unified\n"
        "push   {r4-r7, lr}\n"
        // TIMER1 (coarse) first, as in board_hal.c.
        "ldr    r3, =" STR(QEMU_SOC_TIMER1_BASE) "\n"
        "movs   r2, #1\n"
        "str    r2, [r3, #" STR(QEMU_SOC_TIMER_CAPTURE0) "]\n"
        "ldr    r4, =(" STR(QEMU_SOC_TIMER1_BASE) " + " STR(QEMU_SOC_TIMER_CC0) ")\n"
        "ldr    r7, [r4]\n"
        "ldr    r3, =" STR(QEMU_SOC_TIMER0_BASE) "\n"
        "ldr    r4, =(" STR(QEMU_SOC_TIMER0_BASE) " + " STR(QEMU_SOC_TIMER_CC0) ")\n"
        // Read 0: c0, also the instant the result refers to.
        "str    r2, [r3, #" STR(QEMU_SOC_TIMER_CAPTURE0) "]\n"
        "ldr    r0, [r4]\n"
        "mov    r1, r0\n"
        "movs   r6, #(" P_STR " - 1)\n"
        // Makes read 1 land exactly P - 1 instructions after read 0.
        "nop\n"
        // Reads 1 .. P-1, one per P - 1 instructions: the loop body is the
        // padding plus the 5 instructions after it.
        "1:\n"
        ".rept  " P_STR " - 1 - 5\n"
        "nop\n"
        ".endr\n"
        "str    r2, [r3, #" STR(QEMU_SOC_TIMER_CAPTURE0) "]\n"
        "ldr    r5, [r4]\n"
        "adds   r1, r1, r5\n"
        "subs   r6, r6, #1\n"
        "bne    1b\n"
        // phase = sum - P * c0 - (P-1)(P-2)/2 (modulo 2^32, it is < P).
        "movs   r5, #" P_STR "\n"
        "mov    r6, r0\n"
        "muls   r6, r5\n"
        "subs   r1, r1, r6\n"
        "ldr    r6, =((" P_STR " - 1) * (" P_STR " - 2) / 2)\n"
        "subs   r1, r1, r6\n"
        // Wraps of TIMER0 so far: the high word of
        // coarse * 256 + 0x80000000 - c0 (the count nearest the estimate).
        "lsrs   r6, r7, #24\n"
        "lsls   r7, r7, #8\n"
        "movs   r5, #1\n"
        "lsls   r5, r5, #31\n"
        "adds   r7, r7, r5\n"
        "movs   r5, #0\n"           // MOVS leaves the carry alone
        "adcs   r6, r5\n"
        "subs   r7, r7, r0\n"
        "sbcs   r6, r5\n"
        // ns = (wraps:c0) * P + phase, c0 * P from the halves of c0.
        "movs   r5, #" P_STR "\n"
        "lsrs   r2, r0, #16\n"
        "muls   r2, r5\n"
        "lsls   r0, r0, #16\n"
        "lsrs   r0, r0, #16\n"
        "muls   r0, r5\n"
        "muls   r6, r5\n"
        "lsls   r7, r2, #16\n"
        "lsrs   r2, r2, #16\n"
        "adds   r6, r6, r2\n"
        "adds   r0, r0, r7\n"
        "movs   r5, #0\n"
        "adcs   r6, r5\n"
        "adds   r0, r0, r1\n"
        "adcs   r6, r5\n"
        // Take out the earlier calls (calls * cost, from the halves of
        // calls) and count this one.
        "ldr    r3, =qemu_board_instr_calls\n"
        "ldr    r4, [r3]\n"
        "ldr    r5, =" STR(BOARD_INSTR_CALL_INSNS) "\n"
        "lsrs   r2, r4, #16\n"
        "muls   r2, r5\n"
        "lsls   r7, r4, #16\n"
        "lsrs   r7, r7, #16\n"
        "muls   r7, r5\n"
        "lsls   r1, r2, #16\n"
        "lsrs   r2, r2, #16\n"
        "adds   r7, r7, r1\n"
        "movs   r5, #0\n"
        "adcs   r2, r5\n"
        "subs   r0, r0, r7\n"
        "sbcs   r6, r2\n"
        "adds   r4, r4, #1\n"
        "str    r4, [r3]\n"
        "mov    r1, r6\n"
        "pop    {r4-r7, pc}\n"
        ".ltorg\n"
        );
}
