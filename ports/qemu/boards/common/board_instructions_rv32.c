// board_instructions() on RISC-V: the instret CSR.
//
// Under -icount QEMU reads instret (and cycle) from its instruction counter
// (icount_get(): with shift=0 one instruction is one ns of virtual time, plus
// a bias that only moves while the CPU sleeps, which these boards never do),
// so instret counts executed instructions exactly and no vernier is needed
// (compare board_instructions.c).  Without -icount QEMU returns host ticks
// instead.  Two calls differ by the instructions executed between the reads
// plus the few of the call itself.
//
// The high and low words are read hi, lo, hi again; if lo's top bit is
// clear, a carry into hi may have happened before lo was read, so the second
// hi belongs to it, otherwise the first.  Chosen without a branch, so that a
// call always executes the same instructions.

#include <stdint.h>

uint64_t board_instructions(void);

__attribute__((naked, noinline)) uint64_t board_instructions(void) {
    __asm volatile (
        "csrr   a1, instreth\n"
        "csrr   a0, instret\n"
        "csrr   t0, instreth\n"
        "srli   t1, a0, 31\n"
        "neg    t1, t1\n"
        "sub    a1, a1, t0\n"
        "and    a1, a1, t1\n"
        "add    a1, a1, t0\n"
        "ret\n"
        );
}
