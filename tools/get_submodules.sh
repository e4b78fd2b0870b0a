#!/usr/bin/env bash
# Fill MicroPython's empty lib/ submodules that the real-port builds need
# (stm32, rp2, nrf, samd) from the pinned 1.25.0 tarballs in
# $MICROPY_SUBMODULES (default ../shared/micropython-submodules next to this
# project; see its README), and build rp2's host tool picotool from its
# tarball without libusb. Idempotent; does nothing (and says so) when the
# tarballs are absent: the board builds then skip with a message. With a
# MicroPython git checkout of your own, run `make submodules` in the port
# instead.
set -euo pipefail
cd "$(dirname "$0")/.."
mpy=${MICROPY_DIR:-deps/micropython}
subs=${MICROPY_SUBMODULES:-../shared/micropython-submodules}
if [ ! -f "$subs/MANIFEST.sha256" ]; then
    echo "get_submodules: no submodule tarballs at $subs: real-port builds will be skipped"
    exit 0
fi
(cd "$subs" && sha256sum -c --quiet MANIFEST.sha256)
for n in stm32lib pico-sdk tinyusb nrfx micropython-lib lwip mbedtls asf4; do
    dir=$mpy/lib/$n
    [ -d "$dir" ] || continue
    # A non-empty folder is a checkout of the user's own or an earlier run.
    if [ -z "$(ls -A "$dir")" ]; then
        tar -xJf "$subs"/$n-???????.tar.xz -C "$dir"
        echo "get_submodules: lib/$n"
    fi
done

# picotool 2.1.1: rp2's CMake finds it through picotool_DIR (the Makefile
# sets it to deps/picotool/picotool).
if [ ! -f deps/picotool/picotool/picotoolConfig.cmake ]; then
    work=deps/.picotool
    rm -rf "$work" && mkdir -p "$work/src"
    tar -xJf "$subs"/picotool-???????.tar.xz -C "$work/src"
    cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
        -DPICOTOOL_NO_LIBUSB=1 -DPICOTOOL_FLAT_INSTALL=1 \
        -DPICO_SDK_PATH="$(cd "$mpy/lib/pico-sdk" && pwd)" \
        -DCMAKE_INSTALL_PREFIX="$(pwd)/deps/picotool" >/dev/null
    make -C "$work/build" -j"$(nproc)" install >/dev/null
    rm -rf "$work"
    echo "get_submodules: picotool built"
fi
