"""tflm.AudioFrontend equals TensorFlow's audio_microfrontend op.

The oracle's outputs are committed under models/frontend/ (made by
models/frontend/make_frontend_reference.py with TensorFlow: see
reference.json for the parameter sets and the TensorFlow version); the four
WAVs they were computed from are shared reference data, not in the
repository, and the tests skip without them. Each WAV is fed in chunks of 1,
160, 320 and 16000 samples (on every target: all 16000 single samples too,
about 3 s per parameter set on the emulated Cortex-M4) and every frame must
equal the oracle's. The 16 KiB board has room only for test_frontend_small:
the 'small' set on the first 80 ms.
"""
import json
import os
import wave

import numpy as np
import pytest

from conftest import SHARED_MODELS
from targets import ROOT

REF_DIR = os.path.join(ROOT, "models", "frontend")
WAVS = ("yes", "no", "silence", "noise")
CHUNKS = (1, 160, 320, 16000)

with open(os.path.join(REF_DIR, "reference.json")) as _f:
    REFERENCE = json.load(_f)


def pcm(word):
    path = os.path.join(SHARED_MODELS, "testdata", f"{word}_1000ms.wav")
    if not os.path.exists(path):
        pytest.skip(f"reference audio {word}_1000ms.wav not available")
    with wave.open(path, "rb") as w:
        return w.readframes(w.getnframes())


def oracle(set_name, word):
    return np.load(os.path.join(REF_DIR, f"{set_name}_{word}.npy"))


def kwargs(set_name):
    return ", ".join(f"{k}={v!r}" for k, v in REFERENCE["sets"][set_name].items())


# Feeds one WAV in chunks and compares every frame with the oracle's; prints
# one line per (wav, chunk). Frames go through into= (no allocation per call
# beyond the memoryview slice) except for chunks longer than 4 steps, which
# take the list form.
FEED = """
import tflm, array
fe = tflm.AudioFrontend({kwargs})
C = fe.channels
def feed(pcm, chunk):
    got = array.array('H')
    buf = array.array('H', bytes(2 * C * 4))
    mv = memoryview(pcm)
    n = len(pcm) // 2
    i = 0
    while i < n:
        j = min(i + chunk, n)
        if j - i > 4 * fe.step:
            for f in fe.process(mv[2 * i:2 * j]):
                got.extend(f)
        else:
            k = fe.process(mv[2 * i:2 * j], into=buf)
            got.extend(buf[:k * C])
        i = j
    return got
for word in {wavs}:
    pcm = open(word + '.pcm', 'rb').read()
    ref = array.array('H', open(word + '.ref', 'rb').read())
    for chunk in {chunks}:
        fe.reset()
        got = feed(pcm, chunk)
        if got == ref:
            print('MATCH', word, chunk)
        else:
            bad = [i for i in range(min(len(got), len(ref))) if got[i] != ref[i]]
            print('DIFF', word, chunk, len(got), len(ref), bad[:1], [got[i] for i in bad[:5]], [ref[i] for i in bad[:5]])
"""


# The WAV (32 kB), the oracle's frames and a 10 kB AudioFrontend at once.
NEEDS_RAM = pytest.mark.needs_ram(96 * 1024, "a second of audio, the oracle's frames and the 10 kB frontend")


@NEEDS_RAM
@pytest.mark.parametrize("set_name", sorted(REFERENCE["sets"]))
def test_frontend_equals_oracle(target, set_name):
    files = {}
    for word in WAVS:
        files[word + ".pcm"] = pcm(word)
        files[word + ".ref"] = oracle(set_name, word).astype("<u2").tobytes()
    out = target.run(FEED.format(kwargs=kwargs(set_name), wavs=WAVS, chunks=CHUNKS), files=files)
    for word in WAVS:
        for chunk in CHUNKS:
            assert f"MATCH {word} {chunk}\n" in out, out


def micro_speech_int8(features):
    """TFLM micro_speech's feature scaling (micro_features_generator.cc):
    feature * 256 / 666 rounded half up (666 = round(25.6 * 26.0)), less 128,
    clamped to int8."""
    q = (features.astype(np.int64) * 256 + 333) // 666 - 128
    return np.clip(q, -128, 127).astype(np.int8)


INT8 = """
import tflm, array
fe = tflm.AudioFrontend()
pcm = open('yes.pcm', 'rb').read()
exp = array.array('b', open('yes.int8', 'rb').read())
got = array.array('b')
buf = array.array('b', bytes(fe.channels))
mv = memoryview(pcm)
for i in range(0, len(pcm), 640):
    if fe.process(mv[i:i + 640], into=buf):
        got.extend(buf)
print('INTO', got == exp, len(got))
fe.reset()
got = array.array('b')
for f in fe.process(pcm, int8=True):
    got.extend(f)
print('LIST', got == exp, len(got))
"""


@NEEDS_RAM
def test_frontend_int8(target):
    ref = oracle("default", "yes")
    exp = micro_speech_int8(ref)
    # The arithmetic itself: the extremes clamp, and 0 maps to -128.
    # (worked by hand: 331 * 256 + 333 = 85069 = 127 * 666 + 487, ...)
    assert micro_speech_int8(np.array([0, 1, 2, 331, 332, 662, 663, 65535])).tolist() == \
        [-128, -128, -127, -1, 0, 126, 127, 127]
    out = target.run(INT8, files={"yes.pcm": pcm("yes"), "yes.int8": exp.tobytes()})
    assert f"INTO True {exp.size}" in out, out
    assert f"LIST True {exp.size}" in out, out


RESET = """
import tflm, array
fe = tflm.AudioFrontend()
pcm = open('yes.pcm', 'rb').read()
ref = array.array('H', open('yes.ref', 'rb').read())
def run(data):
    got = array.array('H')
    for f in fe.process(data):
        got.extend(f)
    return got
print('FIRST', run(pcm) == ref)
print('AGAIN', run(pcm) == ref)
fe.reset()
print('RESET', run(pcm) == ref)
# Reset in the middle of a window: the buffered samples go too.
run(pcm[:2 * 1000])
fe.reset()
print('MIDWAY', run(pcm) == ref)
print('SIZES', fe.channels, fe.window, fe.step)
print('EMPTY', fe.process(b''), fe.process(array.array('h')))
"""


@NEEDS_RAM
def test_frontend_reset(target):
    out = target.run(RESET, files={"yes.pcm": pcm("yes"),
                                   "yes.ref": oracle("default", "yes").astype("<u2").tobytes()})
    assert "FIRST True" in out, out
    # Without a reset, the second pass starts with the first's state (the
    # buffered tail and the noise estimate): not the oracle's.
    assert "AGAIN False" in out, out
    assert "RESET True" in out, out
    assert "MIDWAY True" in out, out
    assert "SIZES 40 480 320" in out, out
    assert "EMPTY [] []" in out, out


BAD = """
import tflm, array
def check(what, f):
    try:
        f()
        print(what, 'no error')
    except Exception as e:
        print(what, type(e).__name__)
A = tflm.AudioFrontend
check('window0', lambda: A(window_ms=0))
check('step>window', lambda: A(window_ms=20, step_ms=30))
check('channels0', lambda: A(channels=0))
check('channels_big', lambda: A(channels=1000))
check('rate0', lambda: A(sample_rate=0))
check('window_big', lambda: A(window_ms=1000))
check('nyquist', lambda: A(upper_band_limit=9000.0))
check('bands', lambda: A(lower_band_limit=4000.0, upper_band_limit=3000.0))
check('smoothing', lambda: A(even_smoothing=1.5))
check('min_signal', lambda: A(min_signal_remaining=-0.1))
check('out_scale', lambda: A(out_scale=0))
check('gain_bits', lambda: A(gain_bits=40))
check('scale_shift', lambda: A(scale_shift=-1))
check('huge_int', lambda: A(channels=1 << 40))
check('positional', lambda: A(16000))
check('float_type', lambda: A(upper_band_limit='x'))
fe = A()
check('pcm_float', lambda: fe.process(array.array('f', [0.0])))
check('pcm_str', lambda: fe.process('abcd'))
check('pcm_odd', lambda: fe.process(b'abc'))
check('into_bytes', lambda: fe.process(bytes(960), into=bytearray(80)))
check('into_small', lambda: fe.process(bytes(2000), into=array.array('H', [0] * 40)))
check('into_ro', lambda: fe.process(bytes(2000), into=b'1234'))
# A refused call consumed nothing: the stream still equals a fresh one.
g = A()
print('SAME', fe.process(bytes(range(256)) * 8) == g.process(bytes(range(256)) * 8))
"""


@pytest.mark.needs_ram(48 * 1024, "two 10 kB frontends")
def test_frontend_bad_arguments(target):
    out = target.run(BAD)
    expect = {
        "window0": "ValueError", "step>window": "ValueError", "channels0": "ValueError",
        "channels_big": "ValueError", "rate0": "ValueError", "window_big": "ValueError",
        "nyquist": "ValueError", "bands": "ValueError", "smoothing": "ValueError",
        "min_signal": "ValueError", "out_scale": "ValueError", "gain_bits": "ValueError",
        "scale_shift": "ValueError", "huge_int": ("ValueError", "OverflowError"),
        "positional": "TypeError", "float_type": "TypeError", "pcm_float": "TypeError",
        "pcm_str": "TypeError", "pcm_odd": "ValueError", "into_bytes": "TypeError",
        "into_small": "ValueError", "into_ro": "TypeError",
    }
    lines = dict(l.split(" ", 1) for l in out.splitlines() if " " in l)
    for what, exc in expect.items():
        assert lines.get(what) in ((exc,) if isinstance(exc, str) else exc), (what, out)
    assert "SAME True" in out, out


SMALL = """
import tflm, array
fe = tflm.AudioFrontend({kwargs})
pcm = open('yes.pcm', 'rb').read()
ref = array.array('H', open('yes.ref', 'rb').read())
mv = memoryview(pcm)
buf = array.array('H', bytes(2 * fe.channels * 2))
for chunk in (1, 160, len(pcm) // 2):
    fe.reset()
    got = array.array('H')
    for i in range(0, len(pcm) // 2, chunk):
        k = fe.process(mv[2 * i:2 * min(i + chunk, len(pcm) // 2)], into=buf) if chunk <= 160 else 0
        if chunk > 160:
            for f in fe.process(mv[2 * i:2 * (i + chunk)]):
                got.extend(f)
        got.extend(buf[:k * fe.channels])
    print('SMALL', chunk, got == ref, len(got))
"""


def test_frontend_small(target):
    """The 'small' set (a 2.5 kB frontend) on the first 80 ms of "yes", on
    every board including the 16 KiB one: the oracle's first 10 frames."""
    samples = 1280
    frames = (samples - 128) // 128 + 1
    ref = oracle("small", "yes")[:frames]
    out = target.run(SMALL.format(kwargs=kwargs("small")),
                     files={"yes.pcm": pcm("yes")[:2 * samples], "yes.ref": ref.astype("<u2").tobytes()})
    for chunk in (1, 160, samples):
        assert f"SMALL {chunk} True {ref.size}" in out, out
