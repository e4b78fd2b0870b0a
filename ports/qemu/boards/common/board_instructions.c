// board_instructions(): an exact instruction counter for benchmarks.
//
// tools/qemu.py runs QEMU with -icount shift=0, so the guest's virtual clock
// advances exactly 1 ns per executed instruction, and every clock the board
// has counts instructions.  None of them counts single instructions though:
// the finest is the FPGAIO COUNTER, one tick per P = 40 ns (MPS2) or 50 ns
// (MPS3 AN547); SysTick and the CMSDK/SSE timers tick at 25/32 MHz, no finer.
//
// Since the code below knows exactly how many instructions it executes, it
// can measure where inside a COUNTER tick it started, vernier style: it reads
// COUNTER P times, each read exactly P - 1 instructions after the previous
// one.  Read m then lands at x + m * (P - 1) ns, where x is the time of the
// first read; relative to the tick grid each read is 1 ns earlier than the
// one before, so the reads that fall into the next tick are those with
// m > phase, where phase = x mod P.  With c0 = COUNTER at the first read:
//
//     sum over m = 0 .. P-1 of COUNTER_m = P * c0 + (P-1)(P-2)/2 + phase
//
// which gives phase, hence x = c0 * P + phase to the nanosecond (COUNTER is
// extended to 64 bits with CLK100HZ, as in board_hal.c).  The loop always
// runs P - 1 times and nothing in the function branches on data, so a call
// always executes the same number of instructions, BOARD_INSTR_CALL_INSNS.
//
// That cost (about 1.5k / 2.4k instructions) would otherwise show up in every
// measurement, so the value returned leaves out the instructions executed in
// all earlier calls: the difference between two calls is the number of
// instructions executed between them, apart from the handful the caller
// needs to make the call and keep the result.  The count starts from an
// arbitrary origin, and it is not virtual time (time.ticks_us() is).
//
// Exactness depends on -icount shift=0 (1 instruction = 1 ns) and on nothing
// interrupting the function; the boards take no interrupts.

#include <stdint.h>

#include "qemu_soc.h"

#define STR_(x) #x
#define STR(x) STR_(x)

#define P_STR STR(QEMU_SOC_FPGAIO_PERIOD_NS)

#if 1000000000 % QEMU_SOC_FPGAIO_PERIOD_NS != 0 || QEMU_SOC_FPGAIO_PERIOD_NS > 200
#error "the vernier needs a whole number of ns per COUNTER tick"
#endif

// Instructions per call: 8 before the loop, P - 1 iterations of P - 1
// instructions, 24 after it (count them in the assembly below).
#define BOARD_INSTR_CALL_INSNS (32 + (QEMU_SOC_FPGAIO_PERIOD_NS - 1) * (QEMU_SOC_FPGAIO_PERIOD_NS - 1))

// Calls made so far, for taking out their cost (used from the assembly).
uint32_t qemu_board_instr_calls;

uint64_t board_instructions(void);

__attribute__((naked, noinline)) uint64_t board_instructions(void) {
    __asm volatile (
        "push   {r4-r7, lr}\n"
        "movw   r3, #:lower16:" STR(QEMU_SOC_FPGAIO_BASE) "\n"
        "movt   r3, #:upper16:" STR(QEMU_SOC_FPGAIO_BASE) "\n"
        // CLK100HZ first, as in board_hal.c: it then lags COUNTER.
        "ldr    r4, [r3, #" STR(QEMU_SOC_FPGAIO_CLK100HZ) "]\n"
        // Read 0: c0, also the instant the result refers to.
        "ldr    r0, [r3, #" STR(QEMU_SOC_FPGAIO_COUNTER) "]\n"
        "mov    r1, r0\n"
        "movs   r2, #(" P_STR " - 1)\n"
        // Makes read 1 land exactly P - 1 instructions after read 0.
        "nop\n"
        // Reads 1 .. P-1, one per P - 1 instructions: the loop body is the
        // padding plus the 4 instructions after it.
        "1:\n"
        ".rept  " P_STR " - 1 - 4\n"
        "nop\n"
        ".endr\n"
        "ldr    r5, [r3, #" STR(QEMU_SOC_FPGAIO_COUNTER) "]\n"
        "add    r1, r1, r5\n"
        "subs   r2, r2, #1\n"
        "bne    1b\n"
        // phase = sum - P * c0 - (P-1)(P-2)/2
        "movs   r5, #" P_STR "\n"
        "mls    r1, r5, r0, r1\n"
        "subw   r1, r1, #((" P_STR " - 1) * (" P_STR " - 2) / 2)\n"
        // COUNTER wraps so far: the count nearest the CLK100HZ estimate.
        "movw   r6, #:lower16:(10000000 / " P_STR ")\n"
        "movt   r6, #:upper16:(10000000 / " P_STR ")\n"
        "umull  r6, r7, r4, r6\n"
        "adds   r6, r6, #0x80000000\n"
        "adc    r7, r7, #0\n"
        "subs   r6, r6, r0\n"
        "sbc    r7, r7, #0\n"
        // ns = (wraps:c0) * P + phase
        "umull  r0, r2, r0, r5\n"
        "mla    r2, r7, r5, r2\n"
        "adds   r0, r0, r1\n"
        "adc    r1, r2, #0\n"
        // Take out the earlier calls and count this one.
        "movw   r3, #:lower16:qemu_board_instr_calls\n"
        "movt   r3, #:upper16:qemu_board_instr_calls\n"
        "ldr    r4, [r3]\n"
        "movw   r5, #" STR(BOARD_INSTR_CALL_INSNS) "\n"
        "umull  r6, r7, r4, r5\n"
        "subs   r0, r0, r6\n"
        "sbc    r1, r1, r7\n"
        "adds   r4, r4, #1\n"
        "str    r4, [r3]\n"
        "pop    {r4-r7, pc}\n"
        );
}
