import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from targets import QEMU_TARGETS, ROOT, SerialTarget, UnixTarget  # noqa: E402
from tables import SHARED_MODELS, natmod_arch, targets as table_targets  # noqa: E402,F401  (tools/, on the path through targets)


def pytest_addoption(parser):
    parser.addoption("--target", default="unix", choices=["unix", *QEMU_TARGETS],
                     help="where MicroPython scripts run")
    parser.addoption("--port", default=None, help="serial port of a real board (overrides --target)")
    parser.addoption("--natmod", action="store_true",
                     help="test the native module build/natmod/<arch>/tflm.mpy on the stock firmware "
                     "(build/stock-unix, build/stock-qemu-<board>: `make natmod-test`) instead of the built-in module")
    parser.addoption("--sweep", default="fast", choices=["fast", "full"],
                     help="size of the generated op sweeps")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "needs_ram(nbytes, what): the test needs a board with at least nbytes of RAM for `what`; "
        "skipped on boards with less (the ram column of ports/targets.txt)")


def pytest_runtest_setup(item):
    mark = item.get_closest_marker("needs_ram")
    name = item.config.getoption("--target")
    if mark is None or item.config.getoption("--port") or name not in QEMU_TARGETS:
        return
    ram = QEMU_TARGETS[name].ram
    need, what = mark.args
    if ram is not None and ram < need:
        pytest.skip(f"needs about {need // 1024} KiB of RAM ({what}); {name} has {ram // 1024} KiB "
                    f"(ports/targets.txt)")


def natmod_file(name):
    """Path of the tflm.mpy that target `name` loads under --natmod."""
    arch = natmod_arch(table_targets()[name])
    if arch is None:
        raise RuntimeError(f"no native module architecture for {name} (tools/tables.py NATMOD_ARCH)")
    path = os.path.join(ROOT, "build", "natmod", arch, "tflm.mpy")
    if not os.path.exists(path):
        raise RuntimeError(f"{path} missing: run `make natmod ARCH={arch}`")
    return path


@pytest.fixture(scope="session")
def target(request):
    port = request.config.getoption("--port")
    name = request.config.getoption("--target")
    natmod = request.config.getoption("--natmod")
    # --natmod: the stock firmware (no built-in tflm), and tflm.mpy beside
    # every script, where `import tflm` finds it.
    stock = "stock-" if natmod else ""
    if port and natmod:
        raise pytest.UsageError("--natmod takes its architecture from --target, not --port")
    if port:
        t = SerialTarget("board", port=port)
    elif name == "unix":
        # TFLM_UNIX_FW points at another unix build (e.g. one per developer).
        t = UnixTarget(os.environ.get("TFLM_UNIX_FW") or os.path.join(ROOT, "build", f"{stock}unix", "micropython"))
    else:
        board = QEMU_TARGETS[name].board
        # TFLM_QEMU_FW points at another build of the board's firmware.
        t = SerialTarget(name, board=board, ram=QEMU_TARGETS[name].ram, firmware=os.environ.get("TFLM_QEMU_FW")
                         or os.path.join(ROOT, "build", f"{stock}qemu-{board}", "firmware.elf"))
    if natmod:
        with open(natmod_file(name), "rb") as f:
            mpy = f.read()
        run = t.run

        def run_with_natmod(script, files=None, **kw):
            return run(script, {**(files or {}), "tflm.mpy": mpy}, **kw)
        t.run = run_with_natmod
        t.natmod = True
    yield t
    t.close()


@pytest.fixture(scope="session")
def sweep(request):
    """'fast' (default, what `make test` runs) or 'full' (--sweep=full)."""
    return request.config.getoption("--sweep")


def shared_model(*parts):
    """Bytes of a file under ../shared/models, or skip the test when absent."""
    path = os.path.join(SHARED_MODELS, *parts)
    if not os.path.exists(path):
        pytest.skip(f"reference data {os.path.join(*parts)} not available")
    with open(path, "rb") as f:
        return f.read()


def project_model(*parts):
    with open(os.path.join(ROOT, "models", *parts), "rb") as f:
        return f.read()

