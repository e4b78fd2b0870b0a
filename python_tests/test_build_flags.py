"""Build flags that trim the runtime (MICROPY_TFLM_TYPE_FLOAT32/INT16,
MICROPY_TFLM_OP_TRANSPOSE_CONV): a build without them still runs int8 models
exactly as the full build does, and refuses the left-out types by name.

Uses the host builds of the core (`make -C modtflm/host`), so it runs once,
with the unix target.
"""
import os
import re
import subprocess

import pytest

from conftest import ROOT
from test_ops_conv import tc_model

HOST = os.path.join(ROOT, "build", "host")
FULL = os.path.join(HOST, "tflm_run")
INT8 = os.path.join(HOST, "tflm_run_int8")


@pytest.fixture(autouse=True)
def _host_only(target):
    if target.name != "unix":
        pytest.skip("host builds of the core: checked once, with the unix target")
    for exe in (FULL, INT8):
        if not os.path.exists(exe):
            pytest.skip(f"{exe} missing: run `make -C modtflm/host`")


def _run(exe, model_path, out_prefix):
    r = subprocess.run([exe, model_path, "-r", "7", "-o", out_prefix], capture_output=True, text=True,
                       timeout=300)
    outputs = []
    k = 0
    while os.path.exists(f"{out_prefix}{k}.bin"):
        with open(f"{out_prefix}{k}.bin", "rb") as f:
            outputs.append(f.read())
        k += 1
    return r.returncode, r.stdout, outputs


def _write(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def test_int8_build_matches_full_build(tmp_path):
    path = os.path.join(ROOT, "models", "hello_world", "hello_world_int8.tflite")
    rc_full, _, out_full = _run(FULL, path, str(tmp_path / "full"))
    rc_int8, _, out_int8 = _run(INT8, path, str(tmp_path / "int8"))
    assert rc_full == rc_int8 == 0
    assert out_full and out_int8 == out_full


@pytest.mark.parametrize("name, message", [
    ("hello_world_float.tflite", "float32 kernels are not built in"),
])
def test_int8_build_refuses_float(tmp_path, name, message):
    path = os.path.join(ROOT, "models", "hello_world", name)
    rc, out, _ = _run(INT8, path, str(tmp_path / "o"))
    assert rc == 2 and message in out, out
    rc, out, _ = _run(FULL, path, str(tmp_path / "f"))
    assert rc == 0, out


def test_int8_build_refuses_int16_and_transpose_conv(tmp_path):
    from test_ops_conv import conv_model
    p16 = _write(tmp_path, "c16.tflite", conv_model("int16", (1, 5, 5, 2), 3, seed=3))
    rc, out, _ = _run(INT8, p16, str(tmp_path / "a"))
    assert rc == 2 and "int16 kernels are not built in" in out, out
    ptc = _write(tmp_path, "tc.tflite", tc_model("int8", seed=3))
    rc, out, _ = _run(INT8, ptc, str(tmp_path / "b"))
    assert rc == 2 and "TRANSPOSE_CONV" in out, out
    for p in (p16, ptc):
        rc, out, _ = _run(FULL, p, str(tmp_path / "c"))
        assert rc == 0, out


TERSE = os.path.join(HOST, "tflm_run_terse")


def test_terse_build_keeps_status_drops_texts(tmp_path):
    """TFLM_ERROR_TEXT=0: the same outputs, the same status for a bad model,
    and a message that is only a status and a source line."""
    if not os.path.exists(TERSE):
        pytest.skip(f"{TERSE} missing: run `make -C modtflm/host`")
    good = os.path.join(ROOT, "models", "hello_world", "hello_world_int8.tflite")
    full = _run(FULL, good, str(tmp_path / "full"))
    terse = _run(TERSE, good, str(tmp_path / "terse"))
    assert full[0] == terse[0] == 0 and full[2] == terse[2] and full[2]
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"\x10\x00\x00\x00TFL3" + b"\x00" * 24)
    rc_full, out_full, _ = _run(FULL, str(bad), str(tmp_path / "bf"))
    rc_terse, out_terse, _ = _run(TERSE, str(bad), str(tmp_path / "bt"))
    assert rc_full == rc_terse == 2
    status_full, msg_full = out_full.split(" ", 2)[1:]
    status_terse, msg_terse = out_terse.split(" ", 2)[1:]
    assert status_full == status_terse == "1"  # TFLM_ERR_MODEL: ValueError
    assert len(msg_full.strip()) > 12
    assert re.fullmatch(r"E1\.\d+", msg_terse.strip()), out_terse


def test_no_double_constants_in_core():
    """stm32, nrf and samd build with -fsingle-precision-constant: an
    unsuffixed floating constant would silently become float there (the host
    build's -Wdouble-promotion does not see `double x = 0.1;`), so the core
    has none: float constants carry `f`, double values are written as
    integers or integer ratios."""
    constant = re.compile(r"(?<![\w.])(\d+\.\d*|\.\d+)([eE][-+]?\d+)?(?![\w.])|(?<![\w.])\d+[eE][-+]?\d+(?![\w.])")
    found = []
    core = os.path.join(ROOT, "modtflm", "core")
    for folder, _, files in os.walk(core):
        for name in files:
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(folder, name)
            with open(path) as f:
                src = f.read()
            src = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), src, flags=re.S)
            src = re.sub(r"//[^\n]*", "", src)
            src = re.sub(r'"(\\.|[^"\\])*"', '""', src)
            for i, line in enumerate(src.split("\n"), 1):
                if constant.search(line):
                    found.append(f"{os.path.relpath(path, ROOT)}:{i}: {line.strip()}")
    assert not found, "\n".join(found)


def test_no_libgcc_64bit_division(tmp_path):
    """The core never calls libgcc's 64-bit division (__aeabi_ldivmod and
    friends), whose unwind tables (.ARM.exidx) stock linker scripts such as
    MicroPython 1.25's qemu MICROBIT one do not place: every source compiled
    for the Cortex-M0 at the module's flags must not need it."""
    import shutil
    gcc = shutil.which("arm-none-eabi-gcc")
    nm = shutil.which("arm-none-eabi-nm")
    if not gcc or not nm:
        pytest.skip("arm-none-eabi-gcc not installed")
    found = []
    with open(os.path.join(ROOT, "modtflm", "sources.txt")) as f:
        entries = [line.split() for line in f if line.strip() and not line.startswith("#")]
    for group, src in entries:
        if group == "binding":
            continue
        obj = tmp_path / (os.path.basename(src) + ".o")
        opt = "-O2" if group == "speed" else "-Os"
        subprocess.run([gcc, "-std=c99", "-mcpu=cortex-m0", "-mthumb", opt, "-c",
                        os.path.join(ROOT, "modtflm", src), "-o", str(obj)], check=True)
        undefined = subprocess.run([nm, "-u", str(obj)], capture_output=True, text=True, check=True).stdout
        for sym in ("__aeabi_ldivmod", "__aeabi_uldivmod", "__divdi3", "__udivdi3", "__moddi3", "__umoddi3"):
            if sym in undefined:
                found.append(f"{src}: {sym}")
    assert not found, "\n".join(found)
