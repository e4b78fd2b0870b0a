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

#elif defined(QEMU_SOC_VIRT)

// RISC-V virt (QEMU hw/riscv/virt.c): an NS16550A UART and the ACLINT
// machine timer, whose mtime QEMU runs at 10 MHz from the virtual clock and
// which the `time`/`timeh` CSRs read.  Instructions come from `instret`
// (board_instructions_rv32.c), not from a timer.
#define QEMU_SOC_UART0_BASE         (0x10000000)
#define QEMU_SOC_UART_LSR           (5)
#define QEMU_SOC_UART_LSR_DR        (0x01)
#define QEMU_SOC_CLOCK_HZ           (10000000u)

#elif defined(QEMU_SOC_MICROBIT)

// nRF51822 (QEMU hw/arm/nrf51_soc.c, machine "microbit"): the nRF UART and
// three TIMERs fed by the 16 MHz HFCLK.  TIMER0 with PRESCALER 1 counts at
// 8 MHz, one tick per 125 ns (a whole number of ns, for the vernier of
// board_instructions_m0.c); TIMER1 with PRESCALER 9 (31.25 kHz, 32 us)
// tells which wrap of TIMER0 we are in.  A TIMER is read by triggering
// TASKS_CAPTURE[0], then reading CC[0].  (Not QEMU_SOC_NRF51: that name
// selects the stock uart.c driver; board_uart.c has ours.)
#define QEMU_SOC_UART0_BASE         (0x40002000)
#define QEMU_SOC_UART_STARTRX       (0x000)
#define QEMU_SOC_UART_STARTTX       (0x008)
#define QEMU_SOC_UART_RXDRDY        (0x108)
#define QEMU_SOC_UART_TXDRDY        (0x11c)
#define QEMU_SOC_UART_ENABLE        (0x500)
#define QEMU_SOC_UART_RXD           (0x518)
#define QEMU_SOC_UART_TXD           (0x51c)
#define QEMU_SOC_TIMER0_BASE        (0x40008000)
#define QEMU_SOC_TIMER1_BASE        (0x40009000)
#define QEMU_SOC_TIMER_START        (0x000)
#define QEMU_SOC_TIMER_CAPTURE0     (0x040)
#define QEMU_SOC_TIMER_BITMODE      (0x508)
#define QEMU_SOC_TIMER_PRESCALER    (0x510)
#define QEMU_SOC_TIMER_CC0          (0x540)
#define QEMU_SOC_TIMER0_PRESCALER   (1)
#define QEMU_SOC_TIMER1_PRESCALER   (9)
#define QEMU_SOC_TIMER_PERIOD_NS    125
#define QEMU_SOC_TIMER1_TICKS       (1u << (QEMU_SOC_TIMER1_PRESCALER - QEMU_SOC_TIMER0_PRESCALER))
#define QEMU_SOC_CLOCK_HZ           (1000000000u / QEMU_SOC_TIMER_PERIOD_NS)
// NVMC: flash page erase and word writes (board_flash_m0.c).
#define QEMU_SOC_NVMC_BASE          (0x4001e000)
#define QEMU_SOC_NVMC_CONFIG        (0x504)
#define QEMU_SOC_NVMC_ERASEPAGE     (0x508)
#define QEMU_SOC_FLASH_PAGE_SIZE    (1024)

#else
#error "board .mk must define QEMU_SOC_MPS2, QEMU_SOC_MPS3_AN547, QEMU_SOC_VIRT or QEMU_SOC_MICROBIT"
#endif

#if defined(QEMU_SOC_MPS2) || defined(QEMU_SOC_MPS3_AN547)

// QEMU_SOC_FPGAIO_PERIOD_NS is a plain number (no parentheses) because it is
// pasted into assembler text; it must divide 1e9 (see board_instructions.c).
#define QEMU_SOC_FPGAIO_HZ          (1000000000u / QEMU_SOC_FPGAIO_PERIOD_NS)
#define QEMU_SOC_CLOCK_HZ           QEMU_SOC_FPGAIO_HZ

// FPGAIO registers (same layout on MPS2 and MPS3).
#define QEMU_SOC_FPGAIO_CLK100HZ    (0x14)
#define QEMU_SOC_FPGAIO_COUNTER     (0x18)

// CMSDK APB UART registers.
#define QEMU_SOC_UART_DATA          (0x00)
#define QEMU_SOC_UART_STATE         (0x04)
#define QEMU_SOC_UART_CTRL          (0x08)
#define QEMU_SOC_UART_BAUDDIV       (0x10)

#endif

#endif // QEMU_BOARD_QEMU_SOC_H
