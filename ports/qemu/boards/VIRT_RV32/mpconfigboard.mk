# RISC-V RV32IMAC on QEMU's "virt" machine (the CPU class of the ESP32-C3/C6),
# built with Debian's riscv64-unknown-elf GCC 12 and picolibc.
QEMU_ARCH = riscv32
QEMU_MACHINE = virt

# GCC 12 wants Zicsr spelt out in -march (rv32imac_zicsr, the stock
# Makefile's default), but Debian's toolchain has no multilib of that name,
# so the link would take the rv64 libraries.  ISA spec 2.2 still counts the
# CSR instructions as part of I: plain rv32imac then assembles csrr and
# selects the rv32imac/ilp32 multilib.
RV32_ARCH = rv32imac -misa-spec=2.2

MPY_CROSS_FLAGS += -march=rv32imc

include $(BOARD_DIR)/../common/virt.mk
