// Console UART for tflm boards whose UART the stock qemu port's uart.c does
// not drive (as we need).  Compiled only for those boards (see mps3.mk,
// microbit.mk), where the stock uart.c compiles to nothing because their
// QEMU_SOC_* is unknown to it; the addresses come from qemu_soc.h.
//
//   MPS3 (AN547)  a CMSDK APB UART, as on MPS2 but at another address.
//   micro:bit     the nRF51 UART.  The stock driver writes TXD without
//                 waiting for TXDRDY, and QEMU drops a byte written while
//                 the previous one is still pending (host not reading).

#include <stdint.h>

#include "uart.h"
#include "qemu_soc.h"

#define UART_REG(off)       (*(volatile uint32_t *)(QEMU_SOC_UART0_BASE + (off)))

#if defined(QEMU_SOC_MPS3_AN547)

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

#elif defined(QEMU_SOC_MICROBIT)

void uart_init(void) {
    UART_REG(QEMU_SOC_UART_ENABLE) = 4;
    UART_REG(QEMU_SOC_UART_STARTRX) = 1;
    UART_REG(QEMU_SOC_UART_STARTTX) = 1;
}

int uart_rx_chr(void) {
    if (!UART_REG(QEMU_SOC_UART_RXDRDY)) {
        return UART_RX_NO_CHAR;
    }
    // Cleared first: reading RXD sets it again if more bytes wait.
    UART_REG(QEMU_SOC_UART_RXDRDY) = 0;
    return UART_REG(QEMU_SOC_UART_RXD) & 0xff;
}

void uart_tx_strn(const char *buf, size_t len) {
    while (len--) {
        UART_REG(QEMU_SOC_UART_TXD) = (uint8_t)*buf++;
        // Set once QEMU has handed the byte to the host side.
        while (!UART_REG(QEMU_SOC_UART_TXDRDY)) {
        }
        UART_REG(QEMU_SOC_UART_TXDRDY) = 0;
    }
}

#else
#error "the other boards use the stock uart.c driver"
#endif
