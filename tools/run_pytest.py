"""Run the pytest suite once per target: `run_pytest.py [-j N] --target unix --target qemu-m4 -- [pytest args]`.

Each target gets its own pytest session (an emulated board boots once per
session). With -j N, up to N sessions run at once (each emulated board is
one single-threaded QEMU; instruction counts under -icount don't depend on
load), their output kept in build/pytest/<target>.log and printed whole as
each session ends. Exit status is non-zero if any session failed; pytest's
"no tests collected" (5) counts as a failure too, unless every test was
deselected on purpose with -k/-m.
"""
import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOGS = os.path.join(ROOT, "build", "pytest")


def command(t, extra):
    # Test files or node ids given: only those; otherwise the whole suite.
    named = any(a.split("::")[0].endswith(".py") for a in extra)
    suite = [] if named else [os.path.join(ROOT, "python_tests")]
    cmd = [sys.executable, "-m", "pytest", *suite, "--target", t, "-q", "-p", "no:cacheprovider", *extra]
    if t != "unix":
        # Host-only checks of the test tooling need not run per board.
        cmd += ["--deselect", "python_tests/test_builder_selfcheck.py"]
    return cmd


def verdict(rc, extra):
    if rc == 5 and any(a in ("-k", "-m") for a in extra):
        return 0
    return rc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", action="append", default=[])
    ap.add_argument("-j", "--jobs", type=int, default=1, help="sessions at once")
    ap.add_argument("rest", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    extra = [a for a in args.rest if a != "--"]
    targets = args.target or ["unix"]
    results = {}
    if args.jobs <= 1:
        for t in targets:
            cmd = command(t, extra)
            print(f"=== pytest on {t}: {' '.join(cmd[1:])}", flush=True)
            results[t] = verdict(subprocess.call(cmd, cwd=ROOT), extra)
    else:
        os.makedirs(LOGS, exist_ok=True)
        waiting = list(targets)
        running = {}
        while waiting or running:
            while waiting and len(running) < args.jobs:
                t = waiting.pop(0)
                cmd = command(t, extra)
                log = open(os.path.join(LOGS, t + ".log"), "w+")
                print(f"=== pytest on {t} started: {' '.join(cmd[1:])}", flush=True)
                running[t] = (subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT), log, time.time())
            time.sleep(1)
            for t, (p, log, start) in list(running.items()):
                if p.poll() is None:
                    continue
                del running[t]
                log.seek(0)
                print(f"=== pytest on {t} ({time.time() - start:.0f} s):", flush=True)
                sys.stdout.write(log.read())
                log.close()
                results[t] = verdict(p.returncode, extra)
                sys.stdout.flush()
    print("=== summary: " + ", ".join(f"{t}: {'ok' if results[t] == 0 else f'FAILED (exit {results[t]})'}"
                                      for t in targets))
    return 0 if all(rc == 0 for rc in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
