"""Build MicroPython's real ports with the tflm module, check and record them.

    port_build.py build --port stm32 --board STM32F7DISC [--sd s140] [--jobs N]
                      [--frozen-models a.tflite b.tflite]
                                      with --frozen-models: the models frozen
                                      in as module tflm_models, in the build
                                      folder <port>-<board>-models
    port_build.py configure --port rp2 --board RPI_PICO --frozen-models a.tflite
                                      CMake ports: only configure such a build
                                      and check it compiles the models' file
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
A build with frozen models is checked as well for module tflm_models and
each model's bytes, in full, in the image (<port>-<board>-models.json).

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
import freeze_models  # noqa: E402

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
# Ports built through CMake: they take the module's CMake fragment, and
# extra CMake variables through the environment (the port's Makefile
# appends its own to CMAKE_ARGS, esp32's to IDFPY_FLAGS).
CMAKE_PORTS = {"rp2": "CMAKE_ARGS", "esp32": "IDFPY_FLAGS"}


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


def build_dir(b, models=None):
    """models: the .tflite files frozen in (their firmware has a folder of
    its own, so the normal one is untouched)."""
    return os.path.join(ROOT, "build", "%s-%s%s" % (b.port, b.board, "-models" if models else ""))


def models_c(b):
    """The C source of module tflm_models for such a build."""
    return os.path.join(build_dir(b, True), "tflm_models.c")


def prepare_models(b, models):
    """Write the models' C source into their build folder. A make port's
    first such build starts from a copy of its normal build, dependency
    files rewritten to the new folder: only what the models change (their
    file, and what reads the regenerated qstr and module headers) compiles
    again. CMake build folders can't be moved, so those start empty."""
    d, base = build_dir(b, models), build_dir(b)
    if not os.path.isdir(d) and os.path.isdir(base) and b.port not in CMAKE_PORTS:
        # Made aside and renamed when complete: a folder half copied or
        # with old dependency files would build stale objects.
        tmp = d + ".seed"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(base, tmp, symlinks=True)
        for top, _, files in os.walk(tmp):
            for name in files:
                if name.endswith(".P"):
                    p = os.path.join(top, name)
                    with open(p) as f:
                        text = f.read()
                    with open(p, "w") as f:
                        f.write(text.replace(base + "/", d + "/"))
        os.rename(tmp, d)
    freeze_models.main(["-o", models_c(b)] + models)


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


def port_make(b, jobs, sd, module=True, models=None):
    """The port's own make command line and environment (module=False: the
    same firmware without tflm, to measure its share where LTO hides it;
    models: with those frozen in)."""
    cmd = ["make", "-C", os.path.join(MICROPY_DIR, "ports", b.port), "BOARD=" + b.board,
           "BUILD=" + (build_dir(b, models) if module else build_dir(b) + "-nomod"), "-j%d" % jobs]
    env = dict(os.environ)
    bd = our_board_dir(b)
    if bd:
        cmd.append("BOARD_DIR=" + bd)
    if module:
        cmake = CMAKE_PORTS.get(b.port)
        cmd.append("USER_C_MODULES=" + (os.path.join(ROOT, "modtflm", "micropython.cmake") if cmake else ROOT))
        if models and cmake:
            # Read by modtflm/micropython.cmake (CMake ports), by
            # modtflm/micropython.mk (make ports) from the command line.
            env[cmake] = ("-D TFLM_FROZEN_MODELS_C=%s %s" % (models_c(b), env.get(cmake, ""))).strip()
        elif models:
            cmd.append("TFLM_FROZEN_MODELS_C=" + models_c(b))
    if b.port == "rp2":
        env.setdefault("picotool_DIR", PICOTOOL_DIR)
    if b.port == "nrf":
        # Without Nordic's SoftDevice (not redistributable here) unless asked.
        cmd.append("SD=" + (sd or ""))
    return cmd, env


def build(b, jobs, sd=None, log=None, module=True, models=None, extra=()):
    why = missing_needs(b)
    if why:
        raise Skip("%s %s: not built: %s" % (b.port, b.board, why))
    if models:
        prepare_models(b, models)
    cmd, env = port_make(b, jobs, sd, module, models)
    cmd += extra
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


def frozen_sizes(mapf, elf, lto):
    """{symbol: bytes} of what a frozen-models build adds: the module object
    and each model's bytes, from the linker map's kept sections
    (.rodata.<symbol>); under LTO, which merges sections, from the ELF's
    symbols (renamed statics keep their name before a dot)."""
    sizes = {}
    if lto:
        out = subprocess.check_output(["arm-none-eabi-nm", "-S", "--defined-only", elf], text=True)
        found = (line.split() for line in out.splitlines())
        found = ((f[3].split(".")[0], int(f[1], 16)) for f in found if len(f) == 4)
    else:
        found = ((n[len(".rodata."):], size) for n, size, _ in codesize.kept_sections(mapf)
                 if n.startswith(".rodata."))
    for name, size in found:
        if name == "tflm_models_module" or (name.startswith("model_") and name.endswith("_data")):
            sizes[name] = sizes.get(name, 0) + size
    return sizes


def check_models(models, sizes):
    """Problems with the frozen models: module tflm_models absent, a model
    absent or not in full."""
    problems = [] if "tflm_models_module" in sizes else ["module tflm_models is not in the firmware"]
    for p in models:
        sym, want = "model_%s_data" % freeze_models.attr_name(p), max(os.path.getsize(p), 1)
        if sym not in sizes:
            problems.append("model %s (%s) is not in the firmware" % (os.path.basename(p), sym))
        elif sizes[sym] != want:
            problems.append("model %s: %s is %d B in the firmware, not its %d B"
                            % (os.path.basename(p), sym, sizes[sym], want))
    return problems


def check(b, jobs, sd=None, log=None, models=None):
    d = build_dir(b, models)
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
        nomod = build_dir(b) + "-nomod"
        tflm = size - image_size(b, nomod, os.path.join(nomod, os.path.basename(elf)))
        share = "difference"
    frozen = {}
    if models:
        frozen = frozen_sizes(mapf, elf, share == "difference")
        problems += check_models(models, frozen)
        if share == "difference":
            tflm -= sum(frozen.values())
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
    if models:
        rec["models"] = {freeze_models.attr_name(p): frozen.get("model_%s_data" % freeze_models.attr_name(p))
                         for p in models}
    os.makedirs(RECORDS, exist_ok=True)
    with open(os.path.join(RECORDS, os.path.basename(d) + ".json"), "w") as f:
        json.dump(rec, f, indent=1)
    print("port_build: %s %s: firmware %d B of %d B flash (%.1f %%), tflm %d B (%.1f %% of it), "
          "kernels %s, %s%s" % (b.port, b.board, size, b.flash, 100.0 * size / b.flash, tflm,
                                100.0 * tflm / size, variant, rec["image"],
                                ", models %s" % rec["models"] if models else ""), flush=True)
    if problems:
        raise RuntimeError("%s %s: %s" % (b.port, b.board, "; ".join(problems)))
    return rec


def cmd_build(args):
    b = find_board(args.port, args.board)
    models = args.frozen_models
    try:
        build(b, args.jobs, args.sd, models=models)
    except Skip as e:
        print("port_build: " + str(e))
        return 2
    check(b, args.jobs, args.sd, models=models)
    print("port_build: flash it: " + FLASHING[b.flashing].format(image=os.path.relpath(
        os.path.join(build_dir(b, models), b.image), ROOT), board=b.board))
    return 0


def configure(b, models, log=None):
    """A CMake port's frozen-models build configured (as the port's Makefile
    does before building, in the same folder), and checked: the generated
    build compiles the models' C source, i.e. modtflm/micropython.cmake
    took the variable."""
    if b.port != "rp2":
        raise SystemExit("port_build: configure: rp2 only (esp32 needs ESP-IDF: build it)")
    # The port's Makefile configures a new folder, then makes MAKE_ARGS in
    # it: `help` only lists the targets.
    build(b, 1, log=log, models=models, extra=["MAKE_ARGS=help"])
    d = build_dir(b, models)
    obj = os.path.join(d, "CMakeFiles", "firmware.dir", "build.make")
    with open(obj) as f:
        if models_c(b) not in f.read():
            raise RuntimeError("%s %s: the configured build does not compile %s"
                               % (b.port, b.board, os.path.relpath(models_c(b), ROOT)))
    print("port_build: %s %s: configured with the frozen models: the firmware compiles %s"
          % (b.port, b.board, os.path.relpath(models_c(b), ROOT)), flush=True)


def cmd_configure(args):
    b = find_board(args.port, args.board)
    try:
        configure(b, args.frozen_models)
    except Skip as e:
        print("port_build: " + str(e))
        return 2
    return 0


def cmd_all(args):
    failed = []
    os.makedirs(RECORDS, exist_ok=True)
    # Every board as it is; then, with --frozen-models, those boards again
    # with the models frozen in (built and checked), and CMake boards
    # configured with them (--frozen-configure).
    steps = [(b, None, build) for b in tables.boards()]
    if args.frozen_models:
        steps += [(find_board(*pb.split(":")), args.frozen_models, build) for pb in args.frozen_build]
        steps += [(find_board(*pb.split(":")), args.frozen_models, configure) for pb in args.frozen_configure]
    for b, models, step in steps:
        try:
            log = os.path.join(RECORDS, os.path.basename(build_dir(b, models)) + ".log")
            if step is configure:
                configure(b, models, log)
                continue
            build(b, args.jobs, log=log, models=models)
            check(b, args.jobs, log=log, models=models)
        except Skip as e:
            print("port_build: skipped " + str(e), flush=True)
        except RuntimeError as e:
            print("port_build: FAILED " + str(e), flush=True)
            failed.append(os.path.basename(build_dir(b, models)))
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
    p.add_argument("--frozen-models", nargs="+", metavar="TFLITE", help="models frozen in as module tflm_models")
    p = sub.add_parser("configure")
    p.add_argument("--port", required=True)
    p.add_argument("--board", default="")
    p.add_argument("--frozen-models", nargs="+", required=True, metavar="TFLITE")
    p = sub.add_parser("all")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    p.add_argument("--frozen-models", nargs="+", default=[], metavar="TFLITE",
                   help="models frozen in for --frozen-build and --frozen-configure")
    p.add_argument("--frozen-build", nargs="*", default=[], metavar="PORT:BOARD")
    p.add_argument("--frozen-configure", nargs="*", default=[], metavar="PORT:BOARD")
    sub.add_parser("table")
    p = sub.add_parser("flash")
    p.add_argument("--port", required=True)
    p.add_argument("--board", default="")
    p.add_argument("--serial", required=True)
    p.add_argument("--baud", type=int, default=460800)
    args = ap.parse_args()
    return {"build": cmd_build, "configure": cmd_configure, "all": cmd_all, "table": cmd_table, "flash": cmd_flash}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
