"""mip packages of the native module, and their installation on a board.

    natmod_mip.py package [--out build/natmod/mip]
        One package per built architecture (build/natmod/<arch>/tflm.mpy):
          <arch>/package.json, <arch>/tflm.mpy     `mpremote mip install <url>/<arch>/package.json`
          mpy/<_mpy>/package.json                   the same package, found by the board's
                                                    sys.implementation._mpy
          index.json                                {_mpy: arch} and the package paths
        Serve the folder over HTTP (or copy it to any web server).

    natmod_mip.py arch <pytest target>
        The architecture of the target's tflm.mpy (ports/targets.txt's cpu).

    natmod_mip.py install --index <url> [--port <device>]
        Reads sys.implementation._mpy from the board and runs
        `mpremote mip install <url>/mpy/<_mpy>/package.json`.

A native .mpy loads only on a firmware with the same .mpy version and
sub-version, and a native architecture it accepts: the same one, or on Arm
Thumb any from armv6m up to the firmware's own (py/persistentcode.h).
sys.implementation._mpy encodes the firmware's (version | sub-version << 8
| arch << 10), bytes 1 and 2 of the .mpy header the file's (version, then
arch << 2 | sub-version): so the index has an entry for every firmware
_mpy that one of the files suits (on Thumb the highest architecture the
firmware accepts: e.g. armv7m for an armv7em firmware).
mip's own index (`mip install tflm`) keys packages by the .mpy version
alone (`_mpy & 0xff`), which cannot tell architectures apart; hence this
index. Standard library and mpremote only.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from tables import NATMOD_ARCH, natmod_arch, targets  # noqa: E402

# Every architecture `make natmod` knows (xtensawin only with Espressif's
# compiler).
ARCHS = sorted(set(NATMOD_ARCH.values()) | {"xtensawin"})


# MicroPython's native architecture numbers (py/persistentcode.h): the Thumb
# ones a firmware of the last may load.
THUMB_ARCHS = range(4, 9)  # armv6m, armv7m, armv7em, armv7emsp, armv7emdp


def mpy_key(mpy):
    """sys.implementation._mpy of the firmware whose own architecture is the
    one of `mpy` (its first bytes)."""
    if len(mpy) < 4 or mpy[0] != ord("M"):
        raise ValueError("not a .mpy file")
    return mpy[1] | mpy[2] << 8


def firmware_keys(built):
    """{firmware _mpy: arch name} for `built` ({file's _mpy key: arch}): the
    exact matches, and every Thumb firmware's best loadable file."""
    keys = dict(built)
    thumb = {k >> 10: k for k in built if k >> 10 in THUMB_ARCHS}
    for fw in THUMB_ARCHS:
        best = max((a for a in thumb if a <= fw), default=None)
        if best is not None:
            base = thumb[best] & 0x3FF  # version and sub-version
            keys.setdefault(base | fw << 10, built[thumb[best]])
    return keys


def module_version():
    """TFLM_VERSION_STRING of the core (its public header)."""
    with open(os.path.join(ROOT, "modtflm", "core", "tflm.h")) as f:
        for line in f:
            if line.startswith("#define TFLM_VERSION_STRING"):
                return line.split('"')[1]
    raise RuntimeError("TFLM_VERSION_STRING not found in modtflm/core/tflm.h")


def package(out, build=os.path.join(ROOT, "build", "natmod")):
    version = module_version()
    if os.path.isdir(out):
        shutil.rmtree(out)
    index = {"name": "tflm", "version": version, "arch": {}, "mpy": {}}
    built = {}
    for arch in ARCHS:
        src = os.path.join(build, arch, "tflm.mpy")
        if not os.path.exists(src):
            continue
        with open(src, "rb") as f:
            built[mpy_key(f.read(4))] = arch
        os.makedirs(os.path.join(out, arch))
        shutil.copyfile(src, os.path.join(out, arch, "tflm.mpy"))
        pkg = {"urls": [["tflm.mpy", "tflm.mpy"]], "version": version}
        with open(os.path.join(out, arch, "package.json"), "w") as f:
            json.dump(pkg, f, indent=1)
        index["arch"][arch] = f"{arch}/package.json"
    if not built:
        raise SystemExit(f"no tflm.mpy under {build}: run `make natmod-all`")
    for key, arch in sorted(firmware_keys(built).items()):
        os.makedirs(os.path.join(out, "mpy", str(key)))
        # Relative to this package.json: the architecture's file.
        pkg = {"urls": [["tflm.mpy", f"../../{arch}/tflm.mpy"]], "version": version}
        with open(os.path.join(out, "mpy", str(key), "package.json"), "w") as f:
            json.dump(pkg, f, indent=1)
        index["mpy"][str(key)] = {"arch": arch, "package": f"mpy/{key}/package.json"}
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(index, f, indent=1)
    return index


def mpremote(port, *args, timeout=600):
    cmd = [sys.executable, "-m", "mpremote"] + (["connect", port] if port else []) + list(args)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout + r.stderr


def install(index_url, port=None, target=None, timeout=600):
    """Installs the board's package from the index at `index_url` (into
    folder `target`, by default mip's: the first */lib of the board's
    sys.path); returns mpremote's output. Raises RuntimeError when it fails."""
    rc, out = mpremote(port, "exec", "import sys\nprint('MPY', getattr(sys.implementation, '_mpy', 0))",
                       timeout=timeout)
    if rc != 0 or "MPY " not in out:
        raise RuntimeError("reading sys.implementation._mpy failed:\n" + out)
    key = out.split("MPY ")[1].split()[0]
    url = f"{index_url.rstrip('/')}/mpy/{key}/package.json"
    rc, out2 = mpremote(port, "mip", "install", *(["--target", target] if target else []), url, timeout=timeout)
    if rc != 0 or "Error" in out2 or "not found" in out2:
        raise RuntimeError(f"mpremote mip install {url} failed (no package for _mpy {key}?):\n" + out2)
    return out2


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("package", help="write the mip packages and index")
    p.add_argument("--out", default=os.path.join(ROOT, "build", "natmod", "mip"))
    p = sub.add_parser("arch", help="the tflm.mpy architecture of a pytest target")
    p.add_argument("target")
    p = sub.add_parser("install", help="install the board's package from an index URL")
    p.add_argument("--index", required=True, help="URL of the folder `package` wrote")
    p.add_argument("--port", default=None, help="mpremote device (default: mpremote's auto)")
    p.add_argument("--target", default=None, help="folder on the board (default: mip's, a /lib of sys.path)")
    args = ap.parse_args()
    if args.cmd == "package":
        index = package(args.out)
        for arch, path in index["arch"].items():
            print(f"{arch:10} {os.path.join(args.out, path)}")
    elif args.cmd == "arch":
        arch = natmod_arch(targets()[args.target])
        if arch is None:
            raise SystemExit(f"no native module architecture for {args.target}")
        print(arch)
    else:
        print(install(args.index, args.port, args.target))


if __name__ == "__main__":
    main()
