// Early board initialisation for the tflm QEMU boards.
//
// The stock startup (mcu/arm/startup.c) goes Reset_Handler -> _start ->
// mp_semihosting_init() -> uart_init() -> main(), on RISC-V
// (mcu/rv32/startup.c) start -> _entry_point() -> uart_init() -> main().
// The board .mk links with --wrap=uart_init, so __wrap_uart_init below runs
// once .data/.bss are set up but before main(), without touching
// MicroPython's own sources.  Nothing on the path up to here may use the
// FPU.

#include <stdint.h>

#define SCB_CPACR (*(volatile uint32_t *)0xe000ed88)
#define CPACR_CP10_CP11_FULL (0xfu << 20)

typedef void (*init_fn_t)(void);

extern init_fn_t __preinit_array_start[];
extern init_fn_t __preinit_array_end[];
extern init_fn_t __init_array_start[];
extern init_fn_t __init_array_end[];

void __real_uart_init(void);
void board_clock_init(void);
void __wrap_uart_init(void);

static void run_fn_array(init_fn_t *start, init_fn_t *end) {
    for (init_fn_t *fn = start; fn < end; ++fn) {
        (*fn)();
    }
}

void __wrap_uart_init(void) {
    #if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
    // Hard-float builds use FP registers anywhere from main() on (even in
    // prologues), and the core resets with the FPU disabled, so any FP
    // instruction would fault.  On the Cortex-M55 the same CP10/CP11 bits
    // also enable Helium (MVE), which the compiler may use for any loop.
    // The barriers make the new access rights take effect before the next
    // instruction.
    SCB_CPACR |= CPACR_CP10_CP11_FULL;
    __asm volatile ("dsb\n\tisb" ::: "memory");
    #endif

    // The stock startup never runs static constructors, but C++ code linked
    // in through user modules may rely on them.  After the FPU, as they may
    // use floats.
    run_fn_array(__preinit_array_start, __preinit_array_end);
    run_fn_array(__init_array_start, __init_array_end);

    // Timers the clock needs started (nRF51; nothing on the others).
    board_clock_init();

    __real_uart_init();
}
