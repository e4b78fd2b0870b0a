// Cortex-M faults on the tflm QEMU boards: report where, and carry on.
//
// The stock handler (mcu/arm/errorhandler.c) prints the registers and then
// spins, so the host's mpremote waits for the end of the script's output
// until its timeout.  The board .mk links Arm boards with
// --wrap=HardFault_Handler, which points the vector table here instead:
// the report names the faulting pc (arm-none-eabi-addr2line -f -e
// firmware.elf <pc> gives the function and line), ends the raw REPL's output
// and error sections (0x04 each) so that the running mpremote command fails
// at once with the report as its error, then resets the board, whose files
// (RAM or flash disk) survive the reset.  On the Cortex-M0 this is where an
// unaligned load or store ends up.  (A fault while the stack is exhausted
// cannot run this: the core locks up.)

#if defined(__arm__)

#include <stdint.h>

#include "uart.h"

#define SCB_AIRCR (*(volatile uint32_t *)0xe000ed0c)
#define AIRCR_VECTKEY_SYSRESETREQ (0x05fa0004u)

static void put_str(const char *s) {
    const char *e = s;
    while (*e) {
        ++e;
    }
    uart_tx_strn(s, (size_t)(e - s));
}

static void put_hex(const char *name, uint32_t v) {
    char buf[9];
    for (int i = 7; i >= 0; --i, v >>= 4) {
        buf[i] = "0123456789abcdef"[v & 15];
    }
    buf[8] = 0;
    put_str(name);
    put_str(buf);
}

void board_fault(const uint32_t *frame);

// frame: what the core stacked on exception entry: r0-r3, r12, lr, pc, xPSR.
void board_fault(const uint32_t *frame) {
    put_str("\x04\r\nHardFault");
    put_hex(" pc=", frame[6]);
    put_hex(" lr=", frame[5]);
    put_hex(" r0=", frame[0]);
    put_hex(" r1=", frame[1]);
    put_hex(" r2=", frame[2]);
    put_hex(" r3=", frame[3]);
    put_hex(" xpsr=", frame[7]);
    put_str("\r\n\x04");
    SCB_AIRCR = AIRCR_VECTKEY_SYSRESETREQ;
    for (;;) {
    }
}

void __wrap_HardFault_Handler(void);

__attribute__((naked)) void __wrap_HardFault_Handler(void) {
    // The boards run on the main stack; the stacked frame is at its top.
    __asm volatile (
        "mov r0, sp\n"
        "b board_fault\n"
        );
}

#endif
