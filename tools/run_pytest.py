"""Run the pytest suite once per target: `run_pytest.py --target unix --target qemu-m4 -- [pytest args]`.

Each target gets its own pytest session (an emulated board boots once per
session). Exit status is non-zero if any session failed; pytest's "no tests
collected" (5) counts as a failure too, unless every test was deselected on
purpose with -k/-m.
"""
import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", action="append", default=[])
    ap.add_argument("rest", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    extra = [a for a in args.rest if a != "--"]
    targets = args.target or ["unix"]
    results = {}
    for t in targets:
        cmd = [sys.executable, "-m", "pytest", os.path.join(ROOT, "python_tests"), "--target", t, "-q",
               "-p", "no:cacheprovider", *extra]
        if t != "unix":
            # Host-only checks of the test tooling need not run per board.
            cmd += ["--deselect", "python_tests/test_builder_selfcheck.py"]
        print(f"=== pytest on {t}: {' '.join(cmd[1:])}", flush=True)
        rc = subprocess.call(cmd, cwd=ROOT)
        if rc == 5 and any(a in ("-k", "-m") for a in extra):
            rc = 0
        results[t] = rc
    print("=== summary: " + ", ".join(f"{t}: {'ok' if rc == 0 else f'FAILED (exit {rc})'}"
                                      for t, rc in results.items()))
    return 0 if all(rc == 0 for rc in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
