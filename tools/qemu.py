"""Boot MicroPython firmware under qemu-system-arm (or -riscv32) and talk to
it over a pty.

Standard library only.  Typical use:

    from qemu import Qemu
    with Qemu("MPS2_AN386", "build/qemu-MPS2_AN386/firmware.elf") as vm:
        rc, out = vm.run_script("script.py")

The guest's UART is attached to a host pty (``-serial pty``) so that mpremote
can connect to it like to any serial board.  ``-icount shift=0`` ties the
guest's clocks to the instruction count (1 instruction = 1 ns), which makes
time measurements inside the guest reproducible from run to run.  ``sleep=off``
stops QEMU from letting virtual time follow the host clock while the vCPU is
idle (which it is for a moment at start-up); without it every boot starts with
a different clock phase.  The tflm boards never sleep (they busy-wait), so
this changes nothing else.
"""

import os
import re
import select
import signal
import subprocess
import sys
import termios
import threading
import time
import tty

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tables import qemu_targets  # noqa: E402

# Board name -> QEMU emulator and machine, from ports/targets.txt.  "cpu"
# would only be needed when the machine's default CPU is not the one the
# firmware was built for; each of these machines only runs its own default
# (virt: rv32 with the extensions rv32imac needs; the table's cpu column),
# so it is never passed.
BOARDS = {t.board: {"machine": t.machine, "cpu": None, "qemu": "qemu-system-" + t.qemu}
          for t in qemu_targets().values()}

# What a machine needs beyond -machine to boot our firmware.  virt: no
# OpenSBI, the firmware itself starts at the beginning of RAM in M-mode.
# microbit: 1 MiB of flash instead of the nRF51822's 256 KiB (firmware
# and the flash disk, see ports/qemu/boards/common/microbit.ld), as the
# stock port's MICROBIT board does; its RAM stays the nRF51822's 16 KiB.
MACHINE_ARGS = {
    "virt": ["-bios", "none"],
    "microbit": ["-global", "nrf51-soc.flash-size=1048576"],
}

# The default emulator (None: the board's own, from the table).
QEMU_BINARY = None

_PTY_RE = re.compile(rb"char device redirected to (\S+)")


class QemuError(RuntimeError):
    pass


def qemu_command(board, firmware, qemu=QEMU_BINARY, extra_args=()):
    """The QEMU argument list for booting ``firmware`` on ``board``."""
    try:
        cfg = BOARDS[board]
    except KeyError:
        raise QemuError("unknown board %r (known: %s)" % (board, ", ".join(sorted(BOARDS))))
    cmd = [qemu or cfg["qemu"], "-machine", cfg["machine"]]
    if cfg.get("cpu"):
        cmd += ["-cpu", cfg["cpu"]]
    cmd += MACHINE_ARGS.get(cfg["machine"], [])
    cmd += [
        "-nographic",
        "-monitor",
        "null",
        "-semihosting",
        "-icount",
        "shift=0,sleep=off",
        "-serial",
        "pty",
    ]
    cmd += list(extra_args)
    cmd += ["-kernel", str(firmware)]
    return cmd


def _set_parent_death_signal():
    # Runs in the child between fork and exec: if the Python process dies
    # without cleaning up (e.g. SIGKILL), the kernel stops QEMU too.
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except Exception:
        pass


def _mpremote_base_cmd():
    # Prefer the mpremote module of this interpreter (the project venv), and
    # fall back to an mpremote executable on PATH.
    try:
        import importlib.util

        if importlib.util.find_spec("mpremote") is not None:
            return [sys.executable, "-m", "mpremote"]
    except Exception:
        pass
    return ["mpremote"]


def run_mpremote(pty, *args, timeout=300):
    """Run ``mpremote connect <pty> <args...>``; return (returncode, output).

    Output is stdout and stderr combined, with CRLF turned into LF.  On
    timeout mpremote is killed and returncode is None.
    """
    cmd = _mpremote_base_cmd() + ["connect", pty] + [str(a) for a in args]
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, _ = proc.communicate()
        rc = None
        out += b"\n[qemu.py: mpremote timed out after %gs]\n" % timeout
    except BaseException:
        _kill_group(proc)
        proc.communicate()
        raise
    return rc, out.decode("utf-8", "replace").replace("\r\n", "\n")


def run_script(pty, path, timeout=300):
    """Run a local script file on the board at ``pty``; return (returncode, output)."""
    return run_mpremote(pty, "run", path, timeout=timeout)


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MPY_CROSS = os.path.join(ROOT, "deps", "micropython", "mpy-cross", "build", "mpy-cross")


def mpy_cross(path):
    """Compiles a MicroPython script on the host into ``path + ".mpy"`` (for
    a board with too little RAM to compile it); returns the .mpy's path."""
    r = subprocess.run([MPY_CROSS, "-o", path + ".mpy", path], capture_output=True, text=True)
    if r.returncode != 0:
        raise QemuError("mpy-cross %s:\n%s" % (path, r.stdout + r.stderr))
    return path + ".mpy"


def hostfs_put_code(files, piece=None):
    """MicroPython code that copies host files onto an emulated board's
    filesystem through hostfs: ``files`` maps names on the board to
    (host path, size); with ``piece``, that many bytes at a time (boards
    with little RAM), else each file at once."""
    if piece is None:
        return "import hostfs\n" + "".join(
            "f = open(%r, 'wb'); f.write(hostfs.read(%r)); f.close()\n" % (name, p)
            for name, (p, _) in files.items())
    return ("import hostfs\ndef put(name, path, n):\n f = open(name, 'wb')\n"
            " for i in range(0, n, %d):\n  f.write(hostfs.read(path, i, %d))\n f.close()\n" % (piece, piece)
            + "".join("put(%r, %r, %d)\n" % (name, p, n) for name, (p, n) in files.items()))


# Bytes a board with little RAM takes from the host at once.
PIECE = 1024

# The module a host-compiled script becomes on the board.
COMPILED_MODULE = "tflm_main"
# Imports it afresh (mpremote soft-resets the board before each command
# anyway).
IMPORT_COMPILED = "import sys\nsys.modules.pop(%r, None)\nimport %s\n" % (COMPILED_MODULE, COMPILED_MODULE)


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class Qemu:
    """One QEMU instance running MicroPython firmware on a given board.

    ``start()`` boots it and waits for the REPL; ``stop()`` (or leaving the
    ``with`` block) shuts it down.  While running, ``pty`` is the host pty
    device connected to the guest's UART.
    """

    def __init__(
        self,
        board,
        firmware,
        qemu=QEMU_BINARY,
        extra_args=(),
        boot_timeout=60,
        verbose=False,
    ):
        if not os.path.isfile(firmware):
            raise QemuError("firmware not found: %s" % firmware)
        self.cmd = qemu_command(board, firmware, qemu, extra_args)
        self.board = board
        self.firmware = firmware
        self.boot_timeout = boot_timeout
        self.verbose = verbose
        self.proc = None
        self.pty = None
        self._pty_fd = None
        self._output = bytearray()
        self._output_cond = threading.Condition()
        self._reader = None

    # Context manager.

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def __del__(self):
        # Last resort; callers should use stop() or a with-block.
        try:
            self.stop()
        except Exception:
            pass

    # Lifecycle.

    @property
    def output(self):
        """What QEMU itself printed (not the guest's UART), for diagnostics."""
        with self._output_cond:
            return bytes(self._output).decode("utf-8", "replace")

    def start(self):
        if self.proc is not None:
            raise QemuError("already started")
        if self.verbose:
            print("qemu.py: " + " ".join(self.cmd), file=sys.stderr)
        kwargs = {}
        if sys.platform.startswith("linux"):
            kwargs["preexec_fn"] = _set_parent_death_signal
        try:
            self.proc = subprocess.Popen(
                self.cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                **kwargs,
            )
        except FileNotFoundError:
            self.proc = None
            raise QemuError("%s not found" % self.cmd[0])
        self._reader = threading.Thread(target=self._read_qemu_output, daemon=True)
        self._reader.start()
        try:
            deadline = time.monotonic() + self.boot_timeout
            self.pty = self._wait_for_pty(deadline)
            self._open_pty()
            self._wait_for_repl(deadline)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, timeout=10):
        """Terminate QEMU (politely, then by force) and release the pty."""
        proc, self.proc = self.proc, None
        if self._pty_fd is not None:
            try:
                os.close(self._pty_fd)
            except OSError:
                pass
            self._pty_fd = None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)
            self._reader = None
        if proc.stdout is not None:
            proc.stdout.close()

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    # Talking to the guest.

    def mpremote(self, *args, timeout=300):
        """Run ``mpremote connect <pty> <args...>``; see run_mpremote()."""
        self._check_running()
        return run_mpremote(self.pty, *args, timeout=timeout)

    def run_script(self, path, timeout=300, compiled=False):
        """Run a local script file on the guest; return (returncode, output).
        With ``compiled``, the script is compiled on the host, copied to the
        board's filesystem in pieces and imported there (boards with little
        RAM)."""
        self._check_running()
        if not compiled:
            return run_script(self.pty, path, timeout=timeout)
        mpy = mpy_cross(path)
        rc, out = self.exec(hostfs_put_code({COMPILED_MODULE + ".mpy": (mpy, os.path.getsize(mpy))}, piece=PIECE),
                            timeout=timeout)
        if rc != 0 or "Traceback" in out:
            return rc or 1, out
        return self.exec(IMPORT_COMPILED, timeout=timeout)

    def exec(self, code, timeout=300):
        """Run a string of Python on the guest; return (returncode, output)."""
        return self.mpremote("exec", code, timeout=timeout)

    # Internals.

    def _check_running(self):
        if not self.running:
            raise QemuError("QEMU is not running" + self.exit_info())

    def exit_info(self):
        """QEMU's exit status and messages, if it has exited, for error reports."""
        if self.proc is not None and self.proc.returncode is not None:
            info = " (exit status %d)" % self.proc.returncode
        else:
            info = ""
        out = self.output.strip()
        return info + ("; QEMU said:\n" + out if out else "")

    def _read_qemu_output(self):
        # Keep draining QEMU's stdout so it can never block on a full pipe.
        stream = self.proc.stdout
        while True:
            chunk = stream.read1(4096) if hasattr(stream, "read1") else stream.read(1)
            if not chunk:
                break
            if self.verbose:
                sys.stderr.write(chunk.decode("utf-8", "replace"))
            with self._output_cond:
                self._output += chunk
                self._output_cond.notify_all()
        with self._output_cond:
            self._output_cond.notify_all()

    def _wait_for_pty(self, deadline):
        with self._output_cond:
            while True:
                m = _PTY_RE.search(self._output)
                if m:
                    return m.group(1).decode()
                if self.proc.poll() is not None:
                    raise QemuError("QEMU exited during startup" + self.exit_info())
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QemuError("QEMU did not report its pty" + self.exit_info())
                self._output_cond.wait(min(remaining, 0.5))

    def _open_pty(self):
        # This descriptor stays open until stop(), but is only read during
        # boot.  Holding it keeps QEMU's pty backend "connected" between
        # mpremote sessions: otherwise QEMU drops guest output and re-checks
        # for a reader only once a second after each disconnect.
        fd = os.open(self.pty, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            tty.setraw(fd, termios.TCSANOW)
        except termios.error:
            pass
        self._pty_fd = fd

    def _wait_for_repl(self, deadline):
        # Ctrl-C stops anything running, Ctrl-B leaves raw REPL if need be;
        # then the friendly REPL prints its banner and a prompt.  Repeat in
        # case the guest was not listening yet.
        buf = b""
        next_poke = 0.0
        while True:
            now = time.monotonic()
            if now >= deadline:
                raise QemuError(
                    "no MicroPython REPL on %s; guest said %r%s"
                    % (self.pty, buf[-300:], self.exit_info())
                )
            if self.proc.poll() is not None:
                raise QemuError("QEMU exited during boot" + self.exit_info())
            if now >= next_poke:
                os.write(self._pty_fd, b"\r\x03\x02")
                next_poke = now + 2.0
            r, _, _ = select.select([self._pty_fd], [], [], 0.1)
            if r:
                buf += self._read_pty()
                banner = buf.rfind(b"MicroPython")
                if banner >= 0 and b">>> " in buf[banner:]:
                    break
        # Leave nothing stale for the first mpremote session.
        while select.select([self._pty_fd], [], [], 0.2)[0]:
            if not self._read_pty():
                break

    def _read_pty(self):
        try:
            return os.read(self._pty_fd, 4096)
        except OSError:
            # EAGAIN when drained, EIO once QEMU has gone.
            return b""
