// Peripheral addresses and clocks of the QEMU machines the tflm boards run
// on.  The board's .mk selects the family with -DQEMU_SOC_...; everything in
// common/ that touches hardware takes its addresses from here.
#ifndef QEMU_BOARD_QEMU_SOC_H
#define QEMU_BOARD_QEMU_SOC_H

#if defined(QEMU_SOC_MPS2)

// mps2-an385 / mps2-an386 / mps2-an500 (QEMU hw/arm/mps2.c): CMSDK APB
// peripherals at their MPS2 addresses.  QEMU runs the FPGAIO prescaler
// (COUNTER) from the 25 MHz SYSCLK, i.e. one tick per 40 ns.
#define QEMU_SOC_UART0_BASE         (0x40004000)
#define QEMU_SOC_FPGAIO_BASE        (0x40028000)
#define QEMU_SOC_FPGAIO_PERIOD_NS   40

#elif defined(QEMU_SOC_MPS3_AN547)

// mps3-an547 (QEMU hw/arm/mps2-tz.c, SSE-300): the FPGA peripherals sit on
// APB expansion port 2.  These are the addresses without bit 28 (the
// "non-secure" aliases); the core runs in Secure state with the SAU off, so
// every access is Secure and the PPCs, which reset to "Secure only", let it
// through.  QEMU leaves the FPGAIO prescaler clock at its 20 MHz default
// here (the 32 MHz SYSCLK only drives the CPU, SysTick and SSE timers), so
// COUNTER ticks every 50 ns.
#define QEMU_SOC_UART0_BASE         (0x49303000)
#define QEMU_SOC_FPGAIO_BASE        (0x49302000)
#define QEMU_SOC_FPGAIO_PERIOD_NS   50

#else
#error "board .mk must define QEMU_SOC_MPS2 or QEMU_SOC_MPS3_AN547"
#endif

// QEMU_SOC_FPGAIO_PERIOD_NS is a plain number (no parentheses) because it is
// pasted into assembler text; it must divide 1e9 (see board_instructions.c).
#define QEMU_SOC_FPGAIO_HZ          (1000000000u / QEMU_SOC_FPGAIO_PERIOD_NS)

// FPGAIO registers (same layout on MPS2 and MPS3).
#define QEMU_SOC_FPGAIO_CLK100HZ    (0x14)
#define QEMU_SOC_FPGAIO_COUNTER     (0x18)

// CMSDK APB UART registers.
#define QEMU_SOC_UART_DATA          (0x00)
#define QEMU_SOC_UART_STATE         (0x04)
#define QEMU_SOC_UART_CTRL          (0x08)
#define QEMU_SOC_UART_BAUDDIV       (0x10)

#endif // QEMU_BOARD_QEMU_SOC_H
