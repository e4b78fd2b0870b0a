#!/usr/bin/env bash
# Install what the project needs: Debian packages (when missing), a Python
# virtualenv with the test dependencies, and MicroPython's source. Idempotent:
# a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo

# RISC-V (VIRT_RV32): Debian's bare-metal GCC and picolibc, and QEMU's
# qemu-system-riscv32 (in qemu-system-misc).
# Real ports: cmake and g++ (rp2's CMake build and its host tool picotool).
# Xtensa: ESP8266's GCC and picolibc, for a portability compile of the core
# (not ESP32's compiler, which ESP-IDF brings).
# gcc-multilib: tools/tflm_check.py's 32-bit host builds of the core (-m32),
# whose tables have the 32-bit boards' sizes.
pkgs="gcc-multilib gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc gcc-xtensa-lx106 picolibc-xtensa-lx106-elf cmake g++ libffi-dev pkg-config clang libclang-rt-dev make git xz-utils python3-venv"
missing=
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "installing Debian packages:$missing"
    $SUDO apt-get update -q
    # libclang-rt-dev has a versioned name on older releases; take what exists.
    avail=
    for p in $missing; do
        if apt-cache show "$p" >/dev/null 2>&1; then avail="$avail $p"; fi
    done
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $avail
fi

venv=deps/venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv --system-site-packages "$venv"
fi
if ! cmp -s requirements.txt "$venv/.requirements.stamp"; then
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r requirements.txt
    cp requirements.txt "$venv/.requirements.stamp"
fi

tools/get_micropython.sh "${MICROPY_DIR:-deps/micropython}"
# The lib/ submodules the real ports need, and picotool (skipped with a
# message when the pinned tarballs are absent).
MICROPY_DIR="${MICROPY_DIR:-deps/micropython}" tools/get_submodules.sh
