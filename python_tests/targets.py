"""Where test scripts run: the unix firmware, an emulated board, or a real one.

Every target offers `run(script, files)`: copy `files` (name -> bytes) next to
the script, run the MicroPython `script` there, and return its stdout. A
script that raises makes `run` raise ScriptError carrying the output, so a
test sees the device's traceback. Emulated boards are booted once per session
and soft-reset between scripts (mpremote does that before each run).

`ram` is the RAM of a board that has little of it (ports/targets.txt), else
None. On such a board (the micro:bit's 16 KiB) scripts are compiled to .mpy
on the host, since compiling even a short test script on the board needs
several KiB of heap, and files are written in pieces; the harness (whose
scripts read models and input data from files, a piece at a time) keeps
what one script's own text lists within `data_budget` bytes and skips tests
whose models exceed `model_budget` (harness.py), and tests that need more
RAM for other reasons are skipped by their `needs_ram` mark (conftest.py).
"""
import hashlib
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

from qemu import COMPILED_MODULE, IMPORT_COMPILED, PIECE, hostfs_put_code, mpy_cross  # noqa: E402
from tables import model_budget, qemu_targets  # noqa: E402

# Emulated targets: pytest name -> Target (ports/targets.txt).
QEMU_TARGETS = qemu_targets()


class ScriptError(AssertionError):
    def __init__(self, output):
        super().__init__("script failed on the target:\n" + output[-4000:])
        self.output = output


ASAN_RUNNER = os.path.join(ROOT, "build", "host", "tflm_run_asan")
# The DSP-structured optimized kernels, their intrinsics emulated in C.
ASAN_DSP_RUNNER = os.path.join(ROOT, "build", "host", "tflm_run_dsp_asan")
# The RISC-V optimized kernels' C form.
ASAN_RV_RUNNER = os.path.join(ROOT, "build", "host", "tflm_run_rv_asan")
ASAN_REF_RUNNER = os.path.join(ROOT, "build", "host", "tflm_run_ref_asan")


def asan_check(path, timeout=600):
    """Runs one model file through the runtime core built with ASan+UBSan,
    once with the optimized kernels and once with the reference kernels only
    (the same pseudo-random inputs, two invokes), and requires identical
    outputs. Returns a problem description or None."""
    results = []
    for runner in (ASAN_RUNNER, ASAN_DSP_RUNNER, ASAN_RV_RUNNER, ASAN_REF_RUNNER):
        if not os.path.exists(runner):
            continue
        prefix = path + "." + os.path.basename(runner) + ".out"
        r = subprocess.run([runner, path, "-n", "2", "-r", "1", "-o", prefix], capture_output=True, text=True,
                           timeout=timeout)
        out = r.stdout + r.stderr
        if r.returncode not in (0, 2) or "runtime error" in out or "Sanitizer" in out:
            return f"{os.path.basename(runner)}:\n" + out[-3000:]
        outputs = []
        if r.returncode == 0:
            k = 0
            while os.path.exists(f"{prefix}{k}.bin"):
                with open(f"{prefix}{k}.bin", "rb") as f:
                    outputs.append(f.read())
                k += 1
        results.append((r.returncode, out.split("\n")[0] if r.returncode else "", outputs))
    # Every optimized build against the reference one (the last).
    for res in results[:-1]:
        if res != results[-1]:
            return ("optimized and reference kernels disagree:\n  optimized: %r\n  reference: %r"
                    % (res[:2], results[-1][:2]) if res[:2] != results[-1][:2]
                    else "optimized and reference kernels give different outputs")
    return None


class UnixTarget:
    name = "unix"
    emulated = False
    ram = None
    data_budget = None
    model_budget = None

    def __init__(self, binary):
        if not os.path.exists(binary):
            raise RuntimeError(f"{binary} missing: run `make firmware TARGET=unix`")
        self.binary = binary
        # Every model the unix suite runs also goes through the sanitizer
        # build of the core (TFLM_ASAN=0 turns it off).
        self.asan = os.environ.get("TFLM_ASAN", "1") != "0" and os.path.exists(ASAN_RUNNER)

    def run(self, script, files=None, timeout=600):
        save = os.environ.get("TFLM_SAVE_MODELS")
        with tempfile.TemporaryDirectory() as d:
            for name, data in (files or {}).items():
                if save and name.endswith(".tflite") and len(data) <= 65536:
                    # Seeds for the fuzzer: every small model the suite runs.
                    os.makedirs(save, exist_ok=True)
                    with open(os.path.join(save, hashlib.sha1(data).hexdigest() + ".tflite"), "wb") as f:
                        f.write(data)
                if self.asan and name.endswith(".tflite"):
                    p = os.path.join(d, name)
                    with open(p, "wb") as f:
                        f.write(data)
                    problem = asan_check(p, timeout)
                    if problem:
                        raise ScriptError(f"sanitizer finding in the core for {name}:\n{problem}")
            for name, data in (files or {}).items():
                with open(os.path.join(d, name), "wb") as f:
                    f.write(data)
            path = os.path.join(d, "main.py")
            with open(path, "w") as f:
                f.write(script)
            # A large heap so host sweeps are never limited by it.
            r = subprocess.run([self.binary, "-X", "heapsize=64M", path], cwd=d,
                               capture_output=True, text=True, timeout=timeout)
        out = r.stdout + r.stderr
        if r.returncode != 0:
            raise ScriptError(out + f"\n(exit code {r.returncode})")
        return r.stdout

    def close(self):
        pass


class SerialTarget:
    """A board over mpremote: an emulated one (we start QEMU) or a real port."""

    # Bytes of test files kept on the board between scripts, at most (and at
    # most half of its free disk).
    CACHE_BUDGET = 1_000_000
    emulated = True

    def __init__(self, name, port=None, board=None, firmware=None, ram=None):
        self.name = name
        self.vm = None
        self.ram = ram
        # Bytes one script's text may take for its list of cases, and of the
        # largest model it may load (beside its arena): harness.py splits
        # the cases over several scripts and skips tests whose models are
        # larger.
        self.data_budget = ram // 16 if ram else None
        self.model_budget = model_budget(ram)
        if port is None:
            from qemu import Qemu
            if not os.path.exists(firmware):
                raise RuntimeError(f"{firmware} missing: run `make firmware TARGET=qemu BOARD={board}`")
            self.vm = Qemu(board, firmware)
            self.vm.start()
            port = self.vm.pty
        self.port = port
        self.emulated = self.vm is not None
        self._cached = {}
        self.cache_budget = self.CACHE_BUDGET
        self.block = 1
        rc, out = self._mpremote("exec", "import os\ns = os.statvfs('/')\nprint('FREE', s[0], s[3])")
        if rc == 0 and "FREE " in out:
            self.block, blocks = map(int, out.split("FREE ")[1].split()[:2])
            self.cache_budget = min(self.CACHE_BUDGET, self.block * blocks // 2)

    def _disk_bytes(self, files):
        """What `files` take on the board's disk: whole blocks, and one more
        each (littlefs keeps a file's name and size in a metadata block)."""
        return sum((len(d) // self.block + 2) * self.block if self.block > 1 else len(d) for d in files.values())

    def _mpremote(self, *args, timeout=600):
        cmd = [sys.executable, "-m", "mpremote", "connect", self.port, *args]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        return r.returncode, r.stdout + r.stderr

    def _send(self, d, files, timeout):
        """Puts `files` on the board's filesystem. Emulated boards read them
        from the host via semihosting (module hostfs); real boards over
        mpremote cp. Files survive soft resets: each content is sent once."""
        todo = {n: data for n, data in files.items() if self._cached.get(n) != data}
        if not todo:
            return
        # The board's disk is small: past the budget, start afresh.
        kept = {n: d for n, d in self._cached.items() if n not in todo}
        if self._disk_bytes(kept) + self._disk_bytes(todo) > self.cache_budget:
            if self._cached:
                # A loop, not a statement per file: compiled on the board.
                code = (f"import os\nfor n in {sorted(self._cached)!r}:\n try:\n  os.remove(n)\n"
                        f" except OSError:\n  pass\n")
                rc, out = self._mpremote("exec", code, timeout=timeout)
                if rc != 0 or "Traceback" in out:
                    raise ScriptError(f"removing the cached files failed:\n{out}")
            self._cached = {}
            todo = dict(files)
        paths = {}
        for name, data in todo.items():
            p = os.path.join(d, name)
            with open(p, "wb") as f:
                f.write(data)
            paths[name] = p
        if self.emulated:
            code = hostfs_put_code({n: (p, len(todo[n])) for n, p in paths.items()},
                                   piece=PIECE if self.ram else None)
            rc, out = self._mpremote("exec", code, timeout=timeout)
            if rc != 0 or "Traceback" in out:
                raise ScriptError(f"loading files via hostfs failed:\n{out}")
        else:
            for name, p in paths.items():
                rc, out = self._mpremote("cp", p, ":" + name, timeout=timeout)
                if rc != 0:
                    raise ScriptError(f"copying {name} failed:\n{out}")
        self._cached.update(todo)

    def run(self, script, files=None, timeout=600):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "main.py")
            with open(path, "w") as f:
                f.write(script)
            if self.ram:
                files = dict(files or {})
                with open(mpy_cross(path), "rb") as f:
                    files[COMPILED_MODULE + ".mpy"] = f.read()
                self._send(d, files, timeout)
                rc, out = self._mpremote("exec", IMPORT_COMPILED, timeout=timeout)
            else:
                self._send(d, files or {}, timeout)
                rc, out = self._mpremote("run", path, timeout=timeout)
        if rc != 0 or "Traceback (most recent call last)" in out:
            raise ScriptError(out + f"\n(mpremote exit code {rc})")
        return out

    def close(self):
        if self.vm is not None:
            self.vm.stop()
