"""Build MicroPython's real ports with the tflm module, check and record them.

    port_build.py build --port stm32 --board STM32F7DISC [--sd s140] [--jobs N]
    port_build.py all [--jobs N]      every board of ports/boards.txt whose
                                      submodules are present (`make boards`)
    port_build.py table               the README's Boards table from the records
    port_build.py flash --port esp32 --board ESP32_GENERIC_S3 --serial /dev/ttyUSB0

Each build runs the port's own Makefile with the port's own flags (and its
-Werror); the module is added with USER_C_MODULES only. Afterwards the
firmware is checked: it linked, its image fits the board's flash (the
table's flash column), the `tflm` module is in it, the optimized kernels
are the variant the table names; and the sizes (firmware, tflm's share
from the linker map) are written to build/boards/<port>-<board>.json.

Exit status: 0 built and checked (or skipped: submodules or ESP-IDF absent,
said on stdout), 1 a build or check failed, 2 a board that can't be built
here was asked for by name.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys

import tables

sys.path.insert(0, os.path.join(tables.ROOT, "bench"))
import codesize  # noqa: E402  (linker-map parsing, shared with the bench)

ROOT = tables.ROOT
MICROPY_DIR = os.path.abspath(os.environ.get("MICROPY_DIR") or os.path.join(ROOT, "deps", "micropython"))
RECORDS = os.path.join(ROOT, "build", "boards")
PICOTOOL_DIR = os.path.join(ROOT, "deps", "picotool", "picotool")
# What each flashing method means for the user (the README says more).
FLASHING = {
    "uf2": "hold BOOTSEL/double-tap reset, copy {image} to the USB drive",
    "dfu": "dfu-util -a 0 -D {image} (board in DFU mode)",
    "probe": "SWD probe: nrfjprog --program {image} --sectorerase --verify --reset (or pyocd)",
    "esptool": "make flash TARGET=esp32 BOARD={board} PORT=/dev/ttyUSB0",
}


class Skip(Exception):
    pass


def find_board(port, board):
    rows = [b for b in tables.boards() if b.port == port]
    if not rows:
        raise SystemExit("port_build: no port %r in ports/boards.txt (ports: %s)"
                         % (port, " ".join(sorted({b.port for b in tables.boards()}))))
    for b in rows:
        if b.board == board or not board:
            return b
    raise SystemExit("port_build: no board %r for %s in ports/boards.txt (boards: %s)"
                     % (board, port, " ".join(b.board for b in rows)))


def build_dir(b):
    return os.path.join(ROOT, "build", "%s-%s" % (b.port, b.board))


def our_board_dir(b):
    d = os.path.join(ROOT, "ports", b.port, "boards", b.board)
    return d if os.path.isdir(d) else None


def missing_needs(b):
    """Why this board can't be built here, or None."""
    if b.needs == ["idf"]:
        if not os.environ.get("IDF_PATH") or not shutil.which("idf.py"):
            return ("ESP-IDF is not installed: install ESP-IDF 5.2-5.4 (see the README's "
                    "ESP32 section), run `. $IDF_PATH/export.sh`, and use a MicroPython "
                    "checkout with its esp32 submodules (MICROPY_DIR=...)")
        return None
    empty = [n for n in b.needs
             if not os.path.isdir(os.path.join(MICROPY_DIR, "lib", n))
             or not os.listdir(os.path.join(MICROPY_DIR, "lib", n))]
    if empty:
        return ("MicroPython's lib/%s submodule%s empty: run `make deps` with "
                "../shared/micropython-submodules present, or `make -C <micropython>/ports/%s "
                "submodules` in a git checkout" % (",".join(empty), " is" if len(empty) == 1 else "s are", b.port))
    if b.port == "rp2" and not os.path.isfile(os.path.join(PICOTOOL_DIR, "picotoolConfig.cmake")):
        if not os.environ.get("picotool_DIR"):
            return "picotool is not built: run `make deps` (tools/get_submodules.sh builds it)"
    return None


def port_make(b, jobs, sd, module=True):
    """The port's own make command line and environment (module=False: the
    same firmware without tflm, to measure its share where LTO hides it)."""
    cmd = ["make", "-C", os.path.join(MICROPY_DIR, "ports", b.port), "BOARD=" + b.board,
           "BUILD=" + build_dir(b) + ("" if module else "-nomod"), "-j%d" % jobs]
    env = dict(os.environ)
    bd = our_board_dir(b)
    if bd:
        cmd.append("BOARD_DIR=" + bd)
    if module:
        # CMake ports (rp2, esp32) take the CMake fragment, make ports the folder.
        cmake = b.port in ("rp2", "esp32")
        cmd.append("USER_C_MODULES=" + (os.path.join(ROOT, "modtflm", "micropython.cmake") if cmake else ROOT))
    if b.port == "rp2":
        env.setdefault("picotool_DIR", PICOTOOL_DIR)
    if b.port == "nrf":
        # Without Nordic's SoftDevice (not redistributable here) unless asked.
        cmd.append("SD=" + (sd or ""))
    return cmd, env


def build(b, jobs, sd=None, log=None, module=True):
    why = missing_needs(b)
    if why:
        raise Skip("%s %s: not built: %s" % (b.port, b.board, why))
    cmd, env = port_make(b, jobs, sd, module)
    print("port_build: %s" % " ".join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in cmd),
          flush=True)
    out = open(log, "w") if log else None
    try:
        rc = subprocess.call(cmd, env=env, stdout=out, stderr=subprocess.STDOUT if out else None)
    finally:
        if out:
            out.close()
    if rc != 0:
        if log:
            with open(log) as f:
                sys.stdout.write("".join(f.readlines()[-40:]))
        raise RuntimeError("%s %s: the port's build failed (exit %d)" % (b.port, b.board, rc))


def _one(pattern):
    found = sorted(glob.glob(pattern))
    return found[0] if found else None


def image_size(b, d, elf):
    """Bytes the firmware takes in flash: text + data of the ELF (Arm), the
    application binary (ESP32, where the ELF's segments are remapped)."""
    if b.port == "esp32":
        return os.path.getsize(os.path.join(d, "micropython.bin"))
    out = subprocess.check_output(["arm-none-eabi-size", "-B", elf], text=True).splitlines()[1].split()
    return int(out[0]) + int(out[1])


def kernel_variant(objects):
    """The optimized conv kernel the image holds: dsp, mve or c (CMake
    names objects x.c.o, make x.o)."""
    for v in ("mve", "dsp", "c"):
        if any(o.replace(".c.o", ".o") == "core/kernels/opt/conv_%s.o" % v and s["text"] > 0
               for o, s in objects.items()):
            return v
    return None


def check(b, jobs, sd=None, log=None):
    d = build_dir(b)
    elf = _one(os.path.join(d, "micropython.elf" if b.port == "esp32" else "firmware.elf"))
    mapf = _one(os.path.join(d, "*.map"))
    problems = []
    if not elf or not mapf:
        raise RuntimeError("%s %s: no firmware ELF or linker map in %s" % (b.port, b.board, os.path.relpath(d, ROOT)))
    with open(mapf) as f:
        text = f.read()
    # The binding's module object, kept by the link (the map's memory-map
    # part; discarded sections are listed before it).
    if "tflm_user_cmodule" not in text[text.find("Linker script and memory map"):]:
        problems.append("the tflm module is not in the firmware")
    objects = codesize.map_sizes(mapf)
    ours = {k: v for k, v in objects.items() if not k.startswith("lib:")}
    tflm = sum(v["text"] + v["rodata"] for v in ours.values())
    size = image_size(b, d, elf)
    share = "map"
    if tflm == 0:
        # Link-time optimization (nrf) merges objects: the map can't say
        # what is ours, so measure the same firmware without the module.
        build(b, jobs, sd, log and log.replace(".log", "-nomod.log"), module=False)
        tflm = size - image_size(b, d + "-nomod", os.path.join(d + "-nomod", os.path.basename(elf)))
        share = "difference"
    if size > b.flash:
        problems.append("firmware %d B does not fit the board's %d B of flash" % (size, b.flash))
    variant = kernel_variant(ours)
    if variant is None and b.port != "esp32":
        # LTO: no objects in the map; the DSP kernels are the firmware's
        # only users of SMLAD (MicroPython has none: checked on nrf).
        dis = subprocess.check_output(["arm-none-eabi-objdump", "-d", elf], text=True)
        variant = "dsp" if "\tsmlad\t" in dis else "c"
    if variant != b.kernels:
        problems.append("optimized kernels %s, ports/boards.txt says %s" % (variant, b.kernels))
    image = _one(os.path.join(d, b.image))
    if not image:
        problems.append("no %s" % b.image)
    rec = {"port": b.port, "board": b.board, "cpu": b.cpu, "kernels": variant,
           "firmware": size, "flash": b.flash, "tflm": tflm, "tflm_from": share,
           "image": os.path.relpath(image, ROOT) if image else None,
           "image_bytes": os.path.getsize(image) if image else None}
    os.makedirs(RECORDS, exist_ok=True)
    with open(os.path.join(RECORDS, "%s-%s.json" % (b.port, b.board)), "w") as f:
        json.dump(rec, f, indent=1)
    print("port_build: %s %s: firmware %d B of %d B flash (%.1f %%), tflm %d B (%.1f %% of it), "
          "kernels %s, %s" % (b.port, b.board, size, b.flash, 100.0 * size / b.flash, tflm,
                              100.0 * tflm / size, variant, rec["image"]), flush=True)
    if problems:
        raise RuntimeError("%s %s: %s" % (b.port, b.board, "; ".join(problems)))
    return rec


def cmd_build(args):
    b = find_board(args.port, args.board)
    try:
        build(b, args.jobs, args.sd)
    except Skip as e:
        print("port_build: " + str(e))
        return 2
    check(b, args.jobs, args.sd)
    print("port_build: flash it: " + FLASHING[b.flashing].format(image=os.path.relpath(
        os.path.join(build_dir(b), b.image), ROOT), board=b.board))
    return 0


def cmd_all(args):
    failed = []
    os.makedirs(RECORDS, exist_ok=True)
    for b in tables.boards():
        try:
            log = os.path.join(RECORDS, "%s-%s.log" % (b.port, b.board))
            build(b, args.jobs, log=log)
            check(b, args.jobs, log=log)
        except Skip as e:
            print("port_build: skipped " + str(e), flush=True)
        except RuntimeError as e:
            print("port_build: FAILED " + str(e), flush=True)
            failed.append(b.board)
    if failed:
        print("port_build: failed: " + " ".join(failed))
    return 1 if failed else 0


def cmd_table(args):
    print("| port | board | CPU | kernels | firmware | of flash | tflm | flashing |")
    print("|---|---|---|---|---:|---:|---:|---|")
    for b in tables.boards():
        p = os.path.join(RECORDS, "%s-%s.json" % (b.port, b.board))
        if not os.path.isfile(p):
            print("| %s | `%s` | %s | %s | not built here | | | %s |" % (b.port, b.board, b.cpu, b.kernels, b.flashing))
            continue
        with open(p) as f:
            r = json.load(f)
        print("| %s | `%s` | %s | %s | %d B | %.0f %% | %d B | %s |"
              % (b.port, b.board, b.cpu, r["kernels"], r["firmware"], 100.0 * r["firmware"] / b.flash,
                 r["tflm"], b.flashing))
    return 0


def cmd_flash(args):
    b = find_board(args.port, args.board)
    d = build_dir(b)
    if b.flashing != "esptool":
        print("port_build: %s boards are flashed by hand: %s" % (b.port, FLASHING[b.flashing].format(
            image=os.path.relpath(os.path.join(d, b.image), ROOT), board=b.board)))
        return 2
    if not os.path.isfile(os.path.join(d, "flash_args")):
        print("port_build: no %s: run `make firmware TARGET=%s BOARD=%s` first"
              % (os.path.relpath(os.path.join(d, "flash_args"), ROOT), b.port, b.board))
        return 2
    # flash_args (written by ESP-IDF's build) lists the bootloader, the
    # partition table and the application with their offsets.
    cmd = [sys.executable, "-m", "esptool", "--chip", "auto", "--port", args.serial, "--baud", str(args.baud),
           "--before", "default_reset", "--after", "hard_reset", "write_flash", "@flash_args"]
    print("port_build: " + " ".join(cmd[1:]), flush=True)
    return subprocess.call(cmd, cwd=d)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("build")
    p.add_argument("--port", required=True)
    p.add_argument("--board", default="")
    p.add_argument("--sd", default="", help="nrf: SoftDevice, e.g. s140 (default: none)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    p = sub.add_parser("all")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    sub.add_parser("table")
    p = sub.add_parser("flash")
    p.add_argument("--port", required=True)
    p.add_argument("--board", default="")
    p.add_argument("--serial", required=True)
    p.add_argument("--baud", type=int, default=460800)
    args = ap.parse_args()
    return {"build": cmd_build, "all": cmd_all, "table": cmd_table, "flash": cmd_flash}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
