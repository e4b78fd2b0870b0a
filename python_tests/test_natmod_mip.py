"""`mpremote mip install` of the native module onto an emulated board.

Runs with --natmod on the emulated targets: the mip packages
(tools/natmod_mip.py, from build/natmod/<arch>/tflm.mpy) are served by an
HTTP server on 127.0.0.1, and a freshly booted stock board (no built-in
tflm, no tflm.mpy on its disk) gets the package for its
sys.implementation._mpy through mpremote over its pty, then imports it from
/lib and runs hello_world with it. The unix port has no pty to talk mip
over, so there the test does not apply.
"""
import functools
import http.server
import math
import os
import sys
import tempfile
import threading

import pytest

from conftest import natmod_file, project_model
from targets import QEMU_TARGETS, ROOT

sys.path.insert(0, os.path.join(ROOT, "tools"))
import natmod_mip  # noqa: E402
from qemu import Qemu, run_mpremote  # noqa: E402
from tables import natmod_arch  # noqa: E402


@pytest.fixture
def served_index(request, tmp_path):
    """The mip packages, served on 127.0.0.1; yields the index URL.

    Skips before packaging: without --natmod nothing is built under
    build/natmod (a clean clone's `make test` pytest runs)."""
    if not request.config.getoption("--natmod") or request.config.getoption("--target") not in QEMU_TARGETS:
        pytest.skip("mip over a pty: the emulated boards with --natmod only")
    out = tmp_path / "mip"
    natmod_mip.package(str(out))

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", out
    finally:
        server.shutdown()
        server.server_close()


def test_mip_install_on_stock_board(request, served_index):
    name = request.config.getoption("--target")
    board = QEMU_TARGETS[name].board
    firmware = os.path.join(ROOT, "build", f"stock-qemu-{board}", "firmware.elf")
    url, out = served_index
    with open(natmod_file(name), "rb") as f:
        mpy = f.read()
    # The index holds this board's build under its architecture.
    assert (out / natmod_arch(QEMU_TARGETS[name]) / "tflm.mpy").read_bytes() == mpy
    assert (out / "mpy" / str(natmod_mip.mpy_key(mpy)) / "package.json").exists()

    with Qemu(board, firmware) as vm:
        # A fresh board: tflm is neither built in nor on its disk.
        rc, text = run_mpremote(vm.pty, "exec", "try:\n import tflm\n print('HAS')\nexcept ImportError:\n print('NONE')")
        assert rc == 0 and "NONE" in text, text

        # Our boards' sys.path has no /lib (mip's default folder): name it.
        log = natmod_mip.install(url, port=vm.pty, target="/lib")
        assert "Installing:" in log and "/lib/tflm.mpy" in log, log

        model = project_model("hello_world", "hello_world_int8.tflite")
        with tempfile.TemporaryDirectory() as d:
            mp = os.path.join(d, "hello_world_int8.tflite")
            with open(mp, "wb") as f:
                f.write(model)
            rc, text = run_mpremote(vm.pty, "cp", mp, ":hello_world_int8.tflite")
            assert rc == 0, text
            script = os.path.join(d, "main.py")
            with open(script, "w") as f:
                f.write(
                    "import os, sys\n"
                    "sys.path.append('/lib')\n"
                    "import tflm\n"
                    "print('FILE', tflm.__file__, os.stat('/lib/tflm.mpy')[6])\n"
                    "ip = tflm.Interpreter('hello_world_int8.tflite')\n"
                    "ip.input(0).quantize([1.5])\n"
                    "ip.invoke()\n"
                    "print('Y', ip.output(0).dequantize()[0])\n"
                )
            rc, text = run_mpremote(vm.pty, "run", script)
        assert rc == 0 and "Traceback" not in text, text
    fields = text.split("FILE ")[1].split()
    assert fields[0] == "/lib/tflm.mpy"
    assert int(fields[1]) == len(mpy)
    # hello_world models sin(x): at x = 1.5 the int8 model is within its
    # quantization error (~0.1) of sin(1.5).
    y = float(text.split("Y ")[1].split()[0])
    assert abs(y - math.sin(1.5)) < 0.15, text
