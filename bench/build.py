"""Firmware builds for the bench: one per board, a kws-only Cortex-M4 one,
and the unix port."""
import os
import subprocess
import sys
import time

from codesize import KWS_ONLY_CFLAGS
from common import ROOT, SIZE_BOARD, board_dir, kws_only_dir, unix_dir


def build(boards, log):
    jobs = os.environ.get("JOBS") or str(os.cpu_count() or 2)
    cmds = [(b, ["make", "firmware", "TARGET=qemu", "BOARD=" + b, "QEMU_BUILD=" + board_dir(b),
                 "JOBS=" + jobs]) for b in boards]
    cmds.append(("%s with kws_ref_model's op families only" % SIZE_BOARD,
                 ["make", "firmware", "TARGET=qemu", "BOARD=" + SIZE_BOARD, "QEMU_BUILD=" + kws_only_dir(),
                  "CFLAGS_EXTRA=" + KWS_ONLY_CFLAGS, "JOBS=" + jobs]))
    cmds.append(("unix", ["make", "firmware", "TARGET=unix", "UNIX_BUILD=" + unix_dir(), "JOBS=" + jobs]))
    for name, cmd in cmds:
        t = time.monotonic()
        log("building %s ..." % name)
        r = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            sys.stderr.write(r.stdout[-4000:])
            raise SystemExit("build of %s failed (%s)" % (name, " ".join(cmd)))
        log("  done in %.0f s" % (time.monotonic() - t))
