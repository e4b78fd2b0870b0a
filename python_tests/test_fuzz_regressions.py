"""Every input the fuzzer ever flagged (fuzz/regressions/) stays fixed: the
sanitizer build of the core handles it cleanly, and the firmware raises a
Python exception or runs, without crashing."""
import glob
import os

import pytest

from targets import ASAN_RUNNER, ROOT, asan_check

FILES = sorted(glob.glob(os.path.join(ROOT, "fuzz", "regressions", "*")))


@pytest.mark.skipif(not FILES, reason="no fuzz regressions recorded")
def test_regressions_clean_under_sanitizers(target):
    if target.emulated:
        pytest.skip("host-side check: runs in the unix session")
    if not os.path.exists(ASAN_RUNNER):
        pytest.skip("sanitizer runner not built (make host-test)")
    problems = {os.path.basename(f): asan_check(f) for f in FILES}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, problems


@pytest.mark.skipif(not FILES, reason="no fuzz regressions recorded")
def test_regressions_on_firmware(target):
    blob, spans = b"", []
    for f in FILES:
        with open(f, "rb") as fh:
            data = fh.read()
        spans.append((os.path.basename(f), len(blob), len(blob) + len(data)))
        blob += data
    out = target.run(f"""
import tflm
blob = open('r.bin', 'rb')
for name, a, b in {spans!r}:
    try:
        blob.seek(a)
        it = tflm.Interpreter(blob.read(b - a))
        it.invoke()
        print('RAN', name)
    except (ValueError, NotImplementedError, MemoryError) as e:
        print('RAISED', name, type(e).__name__)
print('DONE')
""", files={"r.bin": blob})
    assert out.strip().endswith("DONE")
    assert out.count("RAN") + out.count("RAISED") == len(FILES)
