// Time and stdin support for the tflm QEMU boards.
//
// The stock qemu port has no clock and a stub mp_hal_stdio_poll().  The board
// .mk links with --wrap for mp_hal_stdin_rx_chr and mp_hal_stdio_poll so the
// versions here replace the stock ones for every caller outside mphalport.c.

#include <stdint.h>

#include "py/mphal.h"
#include "py/runtime.h"
#include "py/stream.h"
#include "shared/runtime/interrupt_char.h"
#include "uart.h"
#include "qemu_soc.h"

/******************************************************************************/
// Clock.
//
// Each machine has a free-running counter that QEMU derives from its virtual
// clock, so with -icount it is as deterministic as the instruction stream
// (see rx_wait_aligned() too).  Reading it needs no interrupts (the stock
// port owns the vector table) and no state.
//
// MPS2/MPS3: the FPGAIO block has COUNTER, a 32-bit up-counter (25 MHz on
// MPS2, 20 MHz on MPS3, see qemu_soc.h), and CLK100HZ, a 100 Hz up-counter,
// zeroed together at reset.  nRF51: TIMER0 at 8 MHz and TIMER1 at 31.25 kHz,
// both 32-bit, started together by board_clock_init().  The fine counter
// wraps every few minutes; the coarse one tells which wrap we are in.
// RISC-V virt: the 64-bit machine timer (10 MHz) through the time CSRs.

#define SYSCLK_HZ           (QEMU_SOC_CLOCK_HZ)
#define SYSCLK_PER_US       (SYSCLK_HZ / 1000000u)
#define SYSCLK_PER_MS       (SYSCLK_HZ / 1000u)

#if defined(QEMU_SOC_VIRT)

void board_clock_init(void) {
}

static uint64_t sysclk_ticks(void) {
    uint32_t hi, lo, hi2;
    __asm volatile ("csrr %0, timeh\n\tcsrr %1, time\n\tcsrr %2, timeh" : "=r" (hi), "=r" (lo), "=r" (hi2));
    // If the low word wrapped between the reads, hi2:0 lies between them.
    return hi == hi2 ? ((uint64_t)hi << 32) | lo : (uint64_t)hi2 << 32;
}

#else

#if defined(QEMU_SOC_MICROBIT)

#define TIMER_REG(base, off) (*(volatile uint32_t *)((base) + (off)))
#define SYSCLK_PER_COARSE   (QEMU_SOC_TIMER1_TICKS)

static void timer_start(uint32_t base, uint32_t prescaler) {
    TIMER_REG(base, QEMU_SOC_TIMER_BITMODE) = 3; // 32 bits
    TIMER_REG(base, QEMU_SOC_TIMER_PRESCALER) = prescaler;
    TIMER_REG(base, QEMU_SOC_TIMER_START) = 1;
}

void board_clock_init(void) {
    // TIMER1 first, so that it lags TIMER0 (as CLK100HZ lags COUNTER).
    timer_start(QEMU_SOC_TIMER1_BASE, QEMU_SOC_TIMER1_PRESCALER);
    timer_start(QEMU_SOC_TIMER0_BASE, QEMU_SOC_TIMER0_PRESCALER);
}

static uint32_t timer_read(uint32_t base) {
    TIMER_REG(base, QEMU_SOC_TIMER_CAPTURE0) = 1;
    return TIMER_REG(base, QEMU_SOC_TIMER_CC0);
}

#define CLOCK_COARSE()      timer_read(QEMU_SOC_TIMER1_BASE)
#define CLOCK_FINE()        timer_read(QEMU_SOC_TIMER0_BASE)

#else

#define SYSCLK_PER_COARSE   (SYSCLK_HZ / 100u)
#define CLOCK_COARSE()      (*(volatile uint32_t *)(QEMU_SOC_FPGAIO_BASE + QEMU_SOC_FPGAIO_CLK100HZ))
#define CLOCK_FINE()        (*(volatile uint32_t *)(QEMU_SOC_FPGAIO_BASE + QEMU_SOC_FPGAIO_COUNTER))

void board_clock_init(void) {
}

#endif

// Fine counter ticks since reset, extended to 64 bits.
static uint64_t sysclk_ticks(void) {
    // The coarse counter first: the fine one is then read no earlier, so it
    // is at most one coarse step plus a few cycles ahead of the estimate.
    uint32_t coarse = CLOCK_COARSE();
    uint32_t fine = CLOCK_FINE();
    uint64_t estimate = (uint64_t)coarse * SYSCLK_PER_COARSE;
    // The number of wraps that puts the result nearest the estimate; the two
    // disagree by far less than half a wrap.
    uint64_t wraps = (estimate + 0x80000000u - fine) >> 32;
    return (wraps << 32) | fine;
}

#endif

mp_uint_t mp_hal_ticks_ms(void) {
    return (mp_uint_t)(sysclk_ticks() / SYSCLK_PER_MS);
}

mp_uint_t mp_hal_ticks_us(void) {
    return (mp_uint_t)(sysclk_ticks() / SYSCLK_PER_US);
}

// Instructions executed, to the instruction (see board_instructions.c).
mp_uint_t mp_hal_ticks_cpu(void) {
    return (mp_uint_t)board_instructions();
}

uint64_t mp_hal_time_ns(void) {
    return sysclk_ticks() * (1000000000u / SYSCLK_HZ);
}

// Longest stretch between clock reads while sleeping (1 ms).
#define MAX_SPIN_TICKS      (SYSCLK_PER_MS)

// Instructions per iteration of spin()'s loop.
#define SPIN_INSNS          (64 + 2)

// Executes n * SPIN_INSNS plain instructions.  QEMU runs these far faster
// than the device reads done by sysclk_ticks(), and a long straight run of
// them faster still (one translated block, one instruction-count update), so
// spinning between clock reads makes sleeps much cheaper in host time.  With
// -icount shift=0 each instruction is exactly 1 ns of virtual time.
static void spin(uint32_t n) {
    if (n == 0) {
        return;
    }
    __asm volatile (
        #if !defined(__riscv)
        // GCC passes Thumb-1 inline asm in divided syntax.
        ".syntax unified\n"
        #endif
        "1:\n"
        ".rept 64\n"
        "nop\n"
        ".endr\n"
        #if defined(__riscv)
        "addi %0, %0, -1\n"
        "bnez %0, 1b\n"
        #else
        "subs %0, %0, #1\n"
        "bne 1b\n"
        #endif
        : "+r" (n) : : "cc"
        );
}

// Busy-wait rather than WFI: with -icount an idle CPU lets QEMU's virtual
// clock follow the host clock, which would make timings irreproducible.
static void wait_until(uint64_t end, bool handle_events) {
    for (;;) {
        uint64_t now = sysclk_ticks();
        if (now >= end) {
            return;
        }
        if (handle_events) {
            // Lets Ctrl-C interrupt a long sleep.
            mp_event_handle_nowait();
        }
        uint64_t ticks = end - now;
        if (ticks > MAX_SPIN_TICKS) {
            ticks = MAX_SPIN_TICKS;
        }
        // About half the remaining time (at 1 instruction per ns), so the
        // wait converges without overshooting even if instructions run
        // faster than that.
        spin((uint32_t)ticks * (1000000000u / SYSCLK_HZ / 2) / SPIN_INSNS);
    }
}

void mp_hal_delay_us(mp_uint_t us) {
    wait_until(sysclk_ticks() + (uint64_t)us * SYSCLK_PER_US, false);
}

void mp_hal_delay_ms(mp_uint_t ms) {
    wait_until(sysclk_ticks() + (uint64_t)ms * SYSCLK_PER_MS, true);
}

/******************************************************************************/
// Stdin.
//
// The CMSDK UART holds a single received byte.  Bytes are moved from it into
// this FIFO whenever anyone looks (including the VM hook), so the Ctrl-C
// check can consume bytes without losing the others.  QEMU only hands the UART
// a new byte once the previous one is read, so stopping when the FIFO is full
// is lossless flow control.

#ifndef QEMU_RX_FIFO_SIZE
#define QEMU_RX_FIFO_SIZE (512)
#endif
#define RX_FIFO_SIZE (QEMU_RX_FIFO_SIZE) // power of two

static uint8_t rx_fifo[RX_FIFO_SIZE];
static uint32_t rx_head; // total bytes ever written
static uint32_t rx_tail; // total bytes ever read

void qemu_board_rx_poll(void) {
    while (rx_head - rx_tail < RX_FIFO_SIZE) {
        int c = uart_rx_chr();
        if (c < 0) {
            break;
        }
        if (c == mp_interrupt_char) {
            // Only set (to Ctrl-C) while Python code runs; the REPL and
            // mpremote's binary transfers (kbd_intr(-1)) see it as data.
            mp_sched_keyboard_interrupt();
        } else {
            rx_fifo[rx_head++ & (RX_FIFO_SIZE - 1)] = (uint8_t)c;
        }
    }
}

// Moves exactly one byte, which must be waiting, from the UART to the FIFO.
static void rx_take_one(void) {
    int c = uart_rx_chr();
    if (c == mp_interrupt_char) {
        mp_sched_keyboard_interrupt();
    } else if (c >= 0) {
        rx_fifo[rx_head++ & (RX_FIFO_SIZE - 1)] = (uint8_t)c;
    }
}

// Waits until the UART holds a received byte, testing for it exactly once
// every 1000 instructions.  When the host's bytes arrive is the one thing that
// differs between otherwise identical runs; with every idle round 1000
// instructions long (1 us of -icount virtual time), waiting only ever shifts
// the guest's clock by whole microseconds, so ticks_us() and ticks_cpu()
// differences measured afterwards are identical from run to run.
static void rx_wait_aligned(void) {
    #if defined(QEMU_SOC_VIRT)
    // NS16550A: LSR bit 0 (data ready).
    __asm volatile (
        "1:\n"
        "lbu t0, %1(%0)\n"
        "andi t0, t0, %2\n"
        "bnez t0, 2f\n"
        ".rept 1000 - 4\n"
        "nop\n"
        ".endr\n"
        "j 1b\n"
        "2:\n"
        : : "r" (QEMU_SOC_UART0_BASE), "i" (QEMU_SOC_UART_LSR), "i" (QEMU_SOC_UART_LSR_DR) : "t0", "memory"
        );
    #elif defined(QEMU_SOC_MICROBIT)
    // nRF UART: RXDRDY.  Thumb-1 branches are short, so the padding is a
    // counted loop: 3 + 2 + 2 * 497 + 1 = 1000 instructions a round.
    __asm volatile (
        ".syntax unified\n"
        "1:\n"
        "ldr r1, [%0, #0]\n"
        "cmp r1, #0\n"
        "bne 2f\n"
        "movs r2, #248\n"
        "adds r2, r2, #249\n"
        "3:\n"
        "subs r2, r2, #1\n"
        "bne 3b\n"
        "b 1b\n"
        "2:\n"
        : : "l" (QEMU_SOC_UART0_BASE + QEMU_SOC_UART_RXDRDY) : "r1", "r2", "cc", "memory"
        );
    #else
    // CMSDK UART: STATE bit 1 (RXFULL).
    __asm volatile (
        "1:\n"
        "ldr r1, [%0, #4]\n"   // STATE
        "lsls r1, r1, #30\n"   // RXFULL (bit 1) into N
        "bmi 2f\n"
        ".rept 1000 - 4\n"
        "nop\n"
        ".endr\n"
        "b 1b\n"
        "2:\n"
        : : "r" (QEMU_SOC_UART0_BASE) : "r1", "cc", "memory"
        );
    #endif
}

int __wrap_mp_hal_stdin_rx_chr(void);
uintptr_t __wrap_mp_hal_stdio_poll(uintptr_t poll_flags);

int __wrap_mp_hal_stdin_rx_chr(void) {
    for (;;) {
        if (rx_head != rx_tail) {
            return rx_fifo[rx_tail++ & (RX_FIFO_SIZE - 1)];
        }
        // One byte at a time: draining whatever else happens to have arrived
        // would make the instruction count depend on host timing.
        rx_wait_aligned();
        rx_take_one();
    }
}

uintptr_t __wrap_mp_hal_stdio_poll(uintptr_t poll_flags) {
    uintptr_t ret = 0;
    if (poll_flags & MP_STREAM_POLL_RD) {
        qemu_board_rx_poll();
        if (rx_head != rx_tail) {
            ret |= MP_STREAM_POLL_RD;
        }
    }
    // Output blocks on the UART until it has room, so it is always writable.
    ret |= poll_flags & MP_STREAM_POLL_WR;
    return ret;
}
