"""examples/micro_speech.py (WAV reader, preprocessor per window, classifier)
on the target: the labels and scores equal the oracle's pipeline (tools/
make_features.py: TFLM's preprocessor run by the wheel, then the classifier);
its WAV reader refuses files it cannot take with a clear error."""
import os
import struct

import numpy as np
import pytest

from conftest import SHARED_MODELS, shared_model
from harness import oracle, skip_unless_fits
from targets import ROOT

import sys
sys.path.insert(0, os.path.join(ROOT, "tools"))

LABELS = ("silence", "unknown", "yes", "no")
WORDS = ("yes", "no", "silence", "noise")


def example():
    with open(os.path.join(ROOT, "examples", "micro_speech.py")) as f:
        return f.read()


def wav_bytes(word):
    path = os.path.join(SHARED_MODELS, "testdata", f"{word}_1000ms.wav")
    if not os.path.exists(path):
        pytest.skip(f"reference audio {word}_1000ms.wav not available")
    with open(path, "rb") as f:
        return f.read()


def model_files(target):
    files = {"audio_preprocessor_int8.tflite": shared_model("tflm", "audio_preprocessor_int8.tflite"),
             "micro_speech_quantized.tflite": shared_model("tflm", "micro_speech_quantized.tflite")}
    skip_unless_fits(target, list(files.values()), "the two models")
    return files


def test_micro_speech_example(target):
    import make_features
    files = model_files(target)
    names = [f"{w}_1000ms.wav" for w in WORDS]
    for w, n in zip(WORDS, names):
        files[n] = wav_bytes(w)
    script = example().replace("\nmain()\n", f"\nmain({tuple(names)!r})\n")
    out = target.run(script, files=files)
    for w, n in zip(WORDS, names):
        feats = make_features.features(os.path.join(SHARED_MODELS, "testdata", n))
        q = oracle(files["micro_speech_quantized.tflite"], [[feats.reshape(1, -1)]])[0][0].reshape(-1)
        scores = (q.astype(np.float32) + 128) * np.float32(1 / 256)
        label = LABELS[int(np.argmax(q))]
        line = [l for l in out.splitlines() if l.startswith(n + ":")]
        assert line, out
        # "<file>: <label>  (silence 0.000, unknown 0.000, yes 0.996, no 0.000)";
        # the printed scores are rounded to 3 places (how a tie rounds is the
        # port's own: the check allows the last place).
        head, _, rest = line[0].partition("  (")
        assert head == f"{n}: {label}", (line[0], label)
        printed = [float(item.split()[1]) for item in rest.rstrip(")").split(", ")]
        assert np.allclose(printed, scores, atol=0.0011), (line[0], scores)
    assert f"{names[0]}: yes " in out and f"{names[1]}: no " in out, out


def riff(chunks):
    body = b"WAVE" + b"".join(cid + struct.pack("<I", len(d)) + d + (b"\0" if len(d) & 1 else b"")
                              for cid, d in chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def fmt(tag=1, channels=1, rate=16000, bits=16):
    return struct.pack("<HHIIHH", tag, channels, rate, rate * channels * bits // 8, channels * bits // 8, bits)


BAD_WAVS = [
    ("not-riff", b"RIFX" + bytes(40), "not a RIFF/WAVE file"),
    ("stereo", riff([(b"fmt ", fmt(channels=2)), (b"data", bytes(64))]), "need 16-bit PCM mono"),
    ("8-bit", riff([(b"fmt ", fmt(bits=8)), (b"data", bytes(64))]), "need 16-bit PCM mono"),
    ("float", riff([(b"fmt ", fmt(tag=3, bits=32)), (b"data", bytes(64))]), "need 16-bit PCM mono"),
    ("8-khz", riff([(b"fmt ", fmt(rate=8000)), (b"data", bytes(64))]), "need 16000 Hz"),
    ("no-data", riff([(b"fmt ", fmt())]), "no 'data' chunk"),
    ("data-first", riff([(b"data", bytes(64)), (b"fmt ", fmt())]), "'data' before 'fmt '"),
    ("truncated", riff([(b"fmt ", fmt()), (b"data", bytes(64))])[:-10], "'data' chunk truncated"),
]


def test_micro_speech_wav_errors(target):
    """Each bad file gets WavError (a ValueError) naming what is wrong; a
    good one with an odd-sized chunk before 'fmt ' (padded) reads whole."""
    script = example().replace("\nmain()\n", "\n") + (
        "for name in {names!r}:\n"
        "    try:\n        read_wav(name)\n        print('ACCEPTED', name)\n"
        "    except ValueError as e:\n        print('ERR', e)\n"
        "print('LEN', len(read_wav('good.wav')))\n").format(names=[n + ".wav" for n, _, _ in BAD_WAVS])
    good = riff([(b"LIST", b"abc"), (b"fmt ", fmt()), (b"data", bytes(range(100)))])
    files = {n + ".wav": d for n, d, _ in BAD_WAVS}
    files["good.wav"] = good
    out = target.run(script, files=files)
    for n, _, message in BAD_WAVS:
        assert f"ERR {n}.wav: {message}" in out, out
    assert "LEN 100" in out, out
