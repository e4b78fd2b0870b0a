"""tools/tflm_check.py, the model check before deploying, and OPS_FROM
builds.

The check answers with the runtime core built for the host: its arena figure
must be the one the firmware reports (`arena_used`: 64-bit on the unix
firmware, 32-bit on the emulated M4, M3 and RV32: one board per kernel
variant), and for a model the firmware
refuses it must exit non-zero with the exception and message the firmware
raises, never a traceback. An M4 firmware built with OPS_FROM=hello_world
links, is smaller, runs hello_world as the oracle does and refuses an op it
left out by name.

Host tools and builds: runs once, with the unix target.
"""
import io
import os
import re
import subprocess
import sys
from contextlib import redirect_stdout

import numpy as np
import pytest

import malformed
from conftest import ROOT
from harness import load_each, oracle

sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import codesize  # noqa: E402
import tables  # noqa: E402
import tflm_check  # noqa: E402

PYTHON = sys.executable
TOOL = os.path.join(ROOT, "tools", "tflm_check.py")
HELLO = os.path.join(ROOT, "models", "hello_world", "hello_world_int8.tflite")
M4 = "MPS2_AN386"
M4_FULL = os.path.join(ROOT, "build", "qemu-" + M4)


# Evaluated before any fixture: no board is started only to skip.
pytestmark = pytest.mark.skipif(
    "config.getoption('--target') != 'unix' or config.getoption('--port') or config.getoption('--natmod')",
    reason="host tool and builds: checked once, with the unix target")


def check(*args):
    """(exit status, output) of tflm_check.main in this process: an
    exception escaping it fails the test (no traceback for any model)."""
    out = io.StringIO()
    with redirect_stdout(out):
        rc = tflm_check.main([*args])
    return rc, out.getvalue()


def arena_of(output, board):
    """The arena figure the check printed for `board`."""
    m = re.search(r"^  %s \(.*\n    arena: (\d+) bytes" % re.escape(board), output, re.M)
    assert m, output
    return int(m.group(1))


def runnable_models():
    """(name, path) of the models the suite runs (models.txt "run"), the
    shared ones skipped cleanly when ../shared/models is absent."""
    out = []
    for where, path in tables.model_entries("run"):
        f = tables.model_file(path, where)
        if os.path.exists(f):
            out.append((os.path.basename(path), f))
    if not out:
        pytest.skip("no models")
    return out


ARENA_SCRIPT = """
import tflm
for name in NAMES:
    it = tflm.Interpreter(READ(name))
    print('ARENA', name, it.arena_used)
    it.close()
"""


def firmware_arenas(run, models, reader):
    """{file name: arena_used} the firmware reports; `reader` defines
    READ(name) -> the model's bytes in the script `run` runs."""
    out = run(reader + ARENA_SCRIPT.replace("NAMES", repr(sorted(n for n, _ in models))))
    return {n: int(v) for n, v in re.findall(r"^ARENA (\S+) (\d+)$", out, re.M)}


def test_arena_equals_unix_firmware(target):
    """Every runnable model: exit 0, and the 64-bit figure is the unix
    firmware's arena_used."""
    models = runnable_models()
    files = {}
    for name, path in models:
        with open(path, "rb") as f:
            files[name] = f.read()
    want = firmware_arenas(lambda s: target.run(s, files=files), models,
                           "def READ(n):\n    with open(n, 'rb') as f:\n        return f.read()\n")
    assert len(want) == len(models)
    for name, path in models:
        rc, out = check(path, "--board", "unix")
        assert rc == 0, out
        assert "cannot run" not in out and " NO: " not in out, out
        assert arena_of(out, "unix") == want[name], (name, out)


# One emulated board per kernel variant the host builds (-m32): DSP, portable
# C, RISC-V.
@pytest.mark.parametrize("short", ["m4", "m3", "rv32"])
def test_arena_equals_emulated_board(tmp_path, short):
    """The 32-bit figure (the board's kernel variant built for the host with
    -m32) is the emulated board's arena_used, on models of different kinds."""
    board = tflm_check.boards()[short].qemu_board
    elf = os.path.join(ROOT, "build", "qemu-" + board, "firmware.elf")
    if not os.path.exists(elf):
        pytest.skip(f"{elf} missing: make firmware TARGET=qemu BOARD={board}")
    from qemu import Qemu
    models = [(n, p) for n, p in runnable_models()
              if n in ("hello_world_int8.tflite", "person_detect.tflite", "kws_ref_model.tflite",
                       "trained_lstm.tflite", "select_compare_int8.tflite", "ssd_postprocess_float.tflite")]
    reader = "import hostfs\nPATHS = %r\ndef READ(n):\n    return hostfs.read(PATHS[n])\n" % dict(models)

    def run(script):
        path = tmp_path / "arena_m4.py"
        path.write_text(script)
        rc, out = vm.run_script(str(path), timeout=300)
        assert rc == 0, out
        return out

    with Qemu(board, elf) as vm:
        want = firmware_arenas(run, models, reader)
    assert len(want) == len(models)
    for name, path in models:
        rc, out = check(path, "--board", short)
        assert rc == 0, out
        assert arena_of(out, short) == want[name], (name, out)


def test_malformed_corpus_messages(target, tmp_path):
    """Every malformed or unsupported case: exit 1, and the exception and
    message the unix firmware raises for it."""
    seed = malformed.fc_model()
    cases = malformed.all_cases(seed)
    got = load_each(target, [data for _, data, _ in cases])
    path = str(tmp_path / "case.tflite")
    wrong = []
    for (name, data, expected), fw in zip(cases, got):
        with open(path, "wb") as f:
            f.write(data)
        rc, out = check(path)
        said = re.search(r"tflm\.Interpreter raises (\w+): (.*)$", out, re.M)
        if fw == "accepted":
            continue  # loads (its failure comes at invoke): nothing to refuse
        if rc != 1 or not said or "%s: %s" % said.groups() != fw:
            wrong.append(f"{name}: firmware {fw!r}, check rc={rc}: {out.strip()[-300:]}")
    assert not wrong, "\n".join(wrong)


def test_refused_shared_models():
    """The shared models the runtime refuses: exit 1 naming why, no
    traceback, from the command line."""
    refused = [(tables.model_file(p), word) for p, word in tables.refused_models()
               if os.path.exists(tables.model_file(p))]
    if not refused:
        pytest.skip("reference data ../shared/models not available")
    for path, word in refused:
        r = subprocess.run([PYTHON, TOOL, path, "--board", "m4", "--board", "esp32s3"], capture_output=True,
                           text=True, timeout=300)
        assert r.returncode == 1, r.stdout + r.stderr
        assert "Traceback" not in r.stdout + r.stderr
        assert re.search(r"raises NotImplementedError: .*%s" % re.escape(word), r.stdout, re.I), r.stdout


@pytest.mark.parametrize("data", [b"", b"TFL3" * 3, b"\x00" * 64])
def test_garbage_files_cli(tmp_path, data):
    p = tmp_path / "bad.tflite"
    p.write_bytes(data)
    r = subprocess.run([PYTHON, TOOL, str(p)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1
    assert "Traceback" not in r.stdout + r.stderr
    assert "raises ValueError: " in r.stdout


def test_missing_file_and_unknown_board(tmp_path):
    r = subprocess.run([PYTHON, TOOL, str(tmp_path / "none.tflite")], capture_output=True, text=True)
    assert r.returncode == 1 and "no such file" in r.stdout and "Traceback" not in r.stderr
    r = subprocess.run([PYTHON, TOOL, HELLO, "--board", "pdp11"], capture_output=True, text=True)
    assert r.returncode == 2 and "unknown board pdp11" in r.stderr and "Traceback" not in r.stderr


def test_op_report_and_esp32s3():
    """The op list with types (hello_world: three int8 FULLY_CONNECTED), and
    what can be known for a board without firmware here."""
    rc, out = check(HELLO, "--board", "esp32s3")
    assert rc == 0, out
    ops = re.findall(r"^\s+\d+ (\w+)\s+v\d+\s+(\S+) -> (\S+)\s+ok$", out, re.M)
    assert ops == [("FULLY_CONNECTED", "int8,int8,int32", "int8")] * 3, out
    assert "op families: FULLY_CONNECTED" in out
    assert re.search(r"esp32s3 \(32-bit, c kernels\):\n    arena: \d+ bytes", out), out
    assert "flash: no firmware built for esp32s3" in out


def test_flash_from_map():
    """The families' flash is the sum of their kernel objects in the M4's
    map (FULLY_CONNECTED: fully_connected.o and the opt/fc_* objects)."""
    path = os.path.join(M4_FULL, "firmware.map")
    if not os.path.exists(path):
        pytest.skip(f"{path} missing: make firmware TARGET=qemu BOARD={M4}")
    sizes = codesize.map_sizes(path)
    want = sum(v["text"] + v["rodata"] for k, v in sizes.items()
               if k == "core/kernels/fully_connected.o" or k.startswith("core/kernels/opt/fc_"))
    rc, out = check(HELLO, "--board", "m4")
    assert rc == 0, out
    assert "flash: %d bytes of kernels for its op families (FULLY_CONNECTED %d)" % (want, want) in out, out


def ops_from_build(*target):
    """Builds `make firmware <target> OPS_FROM=hello_world` (from the full
    build's objects: seconds) and returns its build folder."""
    args = [*target, "OPS_FROM=" + HELLO]
    r = subprocess.run(["make", "-s", "firmware", "JOBS=1", *args], cwd=ROOT, capture_output=True, text=True,
                       timeout=1200)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    return subprocess.run(["make", "-s", "print-build-dir", *args], cwd=ROOT, capture_output=True,
                          text=True).stdout.strip()


def module_size(map_path):
    return codesize.code_size(map_path)["all"]["total"]


def test_ops_from_m4_build(target):
    """make firmware TARGET=qemu BOARD=MPS2_AN386 OPS_FROM=hello_world: a
    build folder of its own, links, smaller, runs hello_world as the oracle
    does, and refuses a left-out op by name (NotImplementedError)."""
    if not os.path.exists(os.path.join(M4_FULL, "firmware.map")):
        pytest.skip(f"{M4_FULL} missing: make firmware TARGET=qemu BOARD={M4} (the OPS_FROM build starts from it)")
    build = ops_from_build("TARGET=qemu", "BOARD=" + M4)
    assert build != M4_FULL and os.path.basename(build).startswith("qemu-%s-ops-" % M4)
    elf = os.path.join(build, "firmware.elf")
    assert os.path.exists(elf)
    full, trimmed = module_size(os.path.join(M4_FULL, "firmware.map")), module_size(os.path.join(build, "firmware.map"))
    assert trimmed < full // 2, (trimmed, full)

    # A model of other op families: the check against this build names
    # them as left out, and what the firmware will raise.
    other = os.path.join(ROOT, "models", "ops", "unary_int8.tflite")
    rc, out = check(other, "--ops-from", HELLO, "--board", "m4")
    assert rc == 1, out
    first_op = re.search(r"^\s+0 (\w+) .* NO: op not compiled in \(MICROPY_TFLM_OP_\w+=0\)", out, re.M).group(1)
    assert first_op != "FULLY_CONNECTED"
    raised = re.search(r"raises NotImplementedError: (.*)$", out, re.M).group(1)
    rc, out = check(HELLO, "--ops-from", HELLO, "--board", "m4")
    assert rc == 0 and "(%s)" % os.path.relpath(os.path.join(build, "firmware.map"), ROOT) in out, out

    with open(HELLO, "rb") as f:
        model = f.read()
    x = np.array([[77]], dtype=np.int8)
    want = oracle(model, [[x]])[0][0].tobytes().hex()
    script = ("import tflm, hostfs\n"
              "it = tflm.Interpreter(hostfs.read(%r))\n"
              "it.set_input(bytes([77]), 0)\n"
              "it.invoke()\n"
              "print('OUT', bytes(it.get_output(0)).hex())\n"
              "try:\n"
              "    tflm.Interpreter(hostfs.read(%r))\n"
              "    print('ACCEPTED')\n"
              "except NotImplementedError as e:\n"
              "    print('REFUSED', e)\n") % (HELLO, other)
    path = os.path.join(build, "ops_from_check.py")
    with open(path, "w") as f:
        f.write(script)
    from qemu import Qemu
    with Qemu(M4, elf) as vm:
        rc, out = vm.run_script(path, timeout=300)
    assert rc == 0, out
    assert "OUT " + want in out, (want, out)
    assert re.search(r"REFUSED op 0: %s \(builtin \d+\) is not supported" % first_op, out), out
    assert "REFUSED " + raised in out, (raised, out)


def test_measure_on_emulated_m4():
    """--measure: instructions per invoke on the emulated M4 (bench/), and
    the board's arena_used is the host's 32-bit figure."""
    if not os.path.exists(os.path.join(M4_FULL, "firmware.elf")):
        pytest.skip(f"{M4_FULL}/firmware.elf missing: make firmware TARGET=qemu BOARD={M4}")
    rc, out = check(HELLO, "--board", "m4", "--measure")
    assert rc == 0, out
    m = re.search(r"instructions per invoke: ([\d,]+) \(arena_used on the board: (\d+)\)", out)
    assert m, out
    assert int(m.group(1).replace(",", "")) > 0
    assert int(m.group(2)) == arena_of(out, "m4")


def test_ops_from_unix_build(tmp_path):
    """make firmware TARGET=unix OPS_FROM=hello_world: its own folder, a
    smaller binary, hello_world as the oracle runs it, other families
    refused by name."""
    full = os.path.join(ROOT, "build", "unix", "micropython")
    if not os.path.exists(full):
        pytest.skip(f"{full} missing: make firmware TARGET=unix (the OPS_FROM build starts from it)")
    build = ops_from_build("TARGET=unix")
    exe = os.path.join(build, "micropython")
    assert build != os.path.dirname(full) and os.path.getsize(exe) < os.path.getsize(full)
    other = os.path.join(ROOT, "models", "ops", "unary_int8.tflite")
    rc, out = check(other, "--ops-from", HELLO)
    assert rc == 1, out
    raised = re.search(r"raises NotImplementedError: (.*)$", out, re.M).group(1)
    with open(HELLO, "rb") as f:
        want = oracle(f.read(), [[np.array([[-50]], dtype=np.int8)]])[0][0].tobytes().hex()
    script = tmp_path / "main.py"
    script.write_text("import tflm\n"
                      "it = tflm.Interpreter(open(%r, 'rb').read())\n"
                      "it.set_input(bytes([206]), 0)\n"
                      "it.invoke()\n"
                      "print('OUT', bytes(it.get_output(0)).hex())\n"
                      "try:\n"
                      "    tflm.Interpreter(open(%r, 'rb').read())\n"
                      "except NotImplementedError as e:\n"
                      "    print('REFUSED', e)\n" % (HELLO, other))
    r = subprocess.run([exe, str(script)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "OUT " + want in r.stdout and "REFUSED " + raised in r.stdout, r.stdout
