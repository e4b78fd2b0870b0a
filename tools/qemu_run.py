#!/usr/bin/env python3
"""Boot firmware under QEMU, run scripts on it with mpremote, then stop QEMU.

    python tools/qemu_run.py --board MPS2_AN386 \\
        --firmware build/qemu-MPS2_AN386/firmware.elf script.py [more.py ...]

Each script's output is printed as it finishes.  The exit status is 0 only if
every script ran without error.  With no scripts, the board is booted and left
running (its pty is printed) until interrupted, for use with mpremote by hand.
"""

import argparse
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import qemu  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--board", default="MPS2_AN386", choices=sorted(qemu.BOARDS))
    ap.add_argument("--firmware", required=True, help="firmware.elf to boot")
    ap.add_argument("--timeout", type=float, default=600, help="seconds allowed per script (default 600)")
    ap.add_argument("--boot-timeout", type=float, default=60, help="seconds allowed for boot (default 60)")
    ap.add_argument("--qemu", default=qemu.QEMU_BINARY, help="QEMU executable (default: the board's)")
    ap.add_argument("-v", "--verbose", action="store_true", help="show the QEMU command and its messages")
    ap.add_argument("--copy", action="append", default=[], metavar="FILE",
                    help="copy FILE to the board's filesystem before running scripts (repeatable)")
    ap.add_argument("scripts", nargs="*", help="local .py files to run, in order")
    args = ap.parse_args(argv)

    for path in args.scripts:
        if not os.path.isfile(path):
            ap.error("no such script: %s" % path)

    # Turn SIGTERM into an exception so the with-block below still stops QEMU.
    def on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)

    failures = 0
    try:
        with qemu.Qemu(
            args.board,
            args.firmware,
            qemu=args.qemu,
            boot_timeout=args.boot_timeout,
            verbose=args.verbose,
        ) as vm:
            print("qemu_run: %s booted, UART on %s" % (args.board, vm.pty), file=sys.stderr)
            if not args.scripts:
                print("qemu_run: Ctrl-C to stop", file=sys.stderr)
                while vm.running:
                    time.sleep(0.5)
                return 0
            for path in args.copy:
                rc, out = vm.mpremote("cp", path, ":" + os.path.basename(path), timeout=args.timeout)
                if rc != 0:
                    print("qemu_run: copying %s failed:\n%s" % (path, out), file=sys.stderr)
                    return 1
            for i, path in enumerate(args.scripts):
                print("qemu_run: === %s ===" % path, file=sys.stderr)
                sys.stderr.flush()
                rc, out = vm.run_script(path, timeout=args.timeout)
                sys.stdout.write(out)
                if out and not out.endswith("\n"):
                    sys.stdout.write("\n")
                sys.stdout.flush()
                if rc != 0:
                    failures += 1
                    why = "timed out" if rc is None else "exit status %d" % rc
                    print("qemu_run: FAILED %s (%s)" % (path, why), file=sys.stderr)
                if not vm.running:
                    print("qemu_run: QEMU exited" + vm.exit_info(), file=sys.stderr)
                    failures += len(args.scripts) - i - 1
                    break
    except qemu.QemuError as e:
        print("qemu_run: error: %s" % e, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("qemu_run: interrupted", file=sys.stderr)
        return 130
    if failures:
        print("qemu_run: %d of %d script(s) failed" % (failures, len(args.scripts)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
