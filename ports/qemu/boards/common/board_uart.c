// Console UART for tflm boards whose CMSDK APB UART the stock qemu port's
// uart.c does not know (it only has the MPS2 address).  Compiled only for
// those boards (see mps3.mk), where uart.c is left empty; the base address
// comes from qemu_soc.h.

#include <stdint.h>

#include "uart.h"
#include "qemu_soc.h"

#if defined(QEMU_SOC_MPS2)
#error "MPS2 boards use the stock uart.c driver"
#endif

#define UART_REG(off)       (*(volatile uint32_t *)(QEMU_SOC_UART0_BASE + (off)))

// STATE bits.
#define UART_TX_BUSY        (1u << 0)
#define UART_RX_READY       (1u << 1)

// CTRL bits.
#define UART_ENABLE_TX      (1u << 0)
#define UART_ENABLE_RX      (1u << 1)

void uart_init(void) {
    // QEMU ignores the baud rate, but it flags divisors below 16 as errors.
    UART_REG(QEMU_SOC_UART_BAUDDIV) = 16;
    UART_REG(QEMU_SOC_UART_CTRL) = UART_ENABLE_TX | UART_ENABLE_RX;
}

int uart_rx_chr(void) {
    if ((UART_REG(QEMU_SOC_UART_STATE) & UART_RX_READY) == 0) {
        return UART_RX_NO_CHAR;
    }
    return UART_REG(QEMU_SOC_UART_DATA) & 0xff;
}

void uart_tx_strn(const char *buf, size_t len) {
    while (len--) {
        // QEMU holds the byte while the host side is not reading.
        while (UART_REG(QEMU_SOC_UART_STATE) & UART_TX_BUSY) {
        }
        UART_REG(QEMU_SOC_UART_DATA) = (uint8_t)*buf++;
    }
}
