"""TFLM's audio preprocessor models (the signal library custom ops:
SignalWindow ... SignalFilterBankLog, with CAST to and from uint32) and the
micro_speech pipeline, against the oracle (the tflite_micro wheel).

Features: every 30 ms window (480 samples, 20 ms hop: 49 per second) of the
four reference WAVs, run in order on one interpreter (the spectral
subtraction's noise estimate carries over from window to window, and from
one WAV to the next, in the oracle as here). Both models compare with
tolerance 0: everything up to the log is integer arithmetic, which the
kernels do as TFLM does; the float model's last two ops are a CAST of an
int16 and one float32 multiply by a constant, each exactly rounded under
IEEE 754 on every target (hardware or soft float), so its output is bit
exact too.

End to end: 49 windows of each WAV -> 49 x 40 int8 features -> the
micro_speech classifier: features and scores equal the oracle's pipeline,
and yes -> "yes", no -> "no", silence and noise as the oracle labels them
(labels in TFLM's micro_speech order: silence, unknown, yes, no).

On emulated boards the feature test takes every 4th window (still a run of
the same interpreter, in the same order as the oracle's): the WAV data
crosses to the board as a file, and four WAVs of windows at full rate are
190 KB.
"""
import os
import wave

import numpy as np
import pytest

from conftest import SHARED_MODELS, shared_model
from harness import check_with_reset, oracle, run_on_target, skip_unless_fits

WORDS = ("yes", "no", "silence", "noise")
LABELS = ("silence", "unknown", "yes", "no")
WINDOW, HOP, WINDOWS = 480, 320, 49


def audio(word):
    path = os.path.join(SHARED_MODELS, "testdata", f"{word}_1000ms.wav")
    if not os.path.exists(path):
        pytest.skip(f"reference audio {word}_1000ms.wav not available")
    with wave.open(path) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (16000, 1, 2)
        return np.frombuffer(w.readframes(w.getnframes()), np.int16)


def windows(word, step=1):
    a = audio(word)
    return [a[k * HOP:k * HOP + WINDOW].reshape(1, WINDOW) for k in range(0, WINDOWS, step)]


@pytest.mark.parametrize("kind", ["int8", "float"])
def test_preprocessor_features(target, kind):
    model = shared_model("tflm", f"audio_preprocessor_{kind}.tflite")
    step = 1 if target.name == "unix" else 4
    batches = [[w] for word in WORDS for w in windows(word, step)]
    want = oracle(model, batches)
    got, _ = run_on_target(target, model, batches)
    for k, (g, w) in enumerate(zip(got, want)):
        assert g[0].dtype == w[0].dtype and g[0].shape == w[0].shape
        diff = np.flatnonzero(g[0].view(np.uint8 if kind == "int8" else np.uint32)
                              != w[0].view(np.uint8 if kind == "int8" else np.uint32))
        assert diff.size == 0, f"window {k}: features {diff[:8]} differ: {g[0].ravel()[diff[:8]]} vs " \
                               f"{w[0].ravel()[diff[:8]]}"


def test_preprocessor_reset(target):
    """reset() clears the noise estimate (SignalFilterBankSpectralSubtraction's
    state): the same windows after a reset give the first run's features."""
    model = shared_model("tflm", "audio_preprocessor_int8.tflite")
    seq = [[w] for w in windows("yes", 6)]
    check_with_reset(target, [("audio_preprocessor_int8", model)], lambda k, m: seq, float_tol=0)


PIPELINE = """
import tflm
pre = tflm.Interpreter('pre.tflite')
cls = tflm.Interpreter('cls.tflite')
feats = bytearray(49 * 40)
pcm = open('pcm.bin', 'rb')
for word in {words!r}:
    data = pcm.read(32000)
    for k in range(49):
        pre.set_input(data[k * 640:k * 640 + 960], 0)
        pre.invoke()
        feats[k * 40:(k + 1) * 40] = bytes(pre.output(0))
    pre.reset()
    cls.set_input(feats, 0)
    cls.invoke()
    print('PIPE', word, bytes(feats).hex(), bytes(cls.output(0)).hex())
print('ARENA', pre.arena_used, cls.arena_used)
"""


def wheel_pipeline(pre_model, cls_model, word):
    """The oracle's features (a fresh preprocessor per WAV) and scores."""
    feats = np.stack([f[0] for f in oracle(pre_model, [[w] for w in windows(word)])]).astype(np.int8)
    scores = oracle(cls_model, [[feats.reshape(1, WINDOWS * 40)]])[0][0]
    return feats.reshape(-1), scores.reshape(-1)


def test_micro_speech_pipeline(target):
    pre_model = shared_model("tflm", "audio_preprocessor_int8.tflite")
    cls_model = shared_model("tflm", "micro_speech_quantized.tflite")
    skip_unless_fits(target, [pre_model, cls_model], "the two models")
    pcm = b"".join(audio(w)[:16000].tobytes() for w in WORDS)
    out = target.run(PIPELINE.format(words=WORDS),
                     files={"pre.tflite": pre_model, "cls.tflite": cls_model, "pcm.bin": pcm})
    lines = {p[1]: p[2:] for p in (l.split() for l in out.splitlines()) if p[:1] == ["PIPE"]}
    assert set(lines) == set(WORDS), out
    labels = {}
    for word in WORDS:
        feats, scores = wheel_pipeline(pre_model, cls_model, word)
        got_feats = np.frombuffer(bytes.fromhex(lines[word][0]), np.int8)
        got_scores = np.frombuffer(bytes.fromhex(lines[word][1]), np.int8)
        np.testing.assert_array_equal(got_feats, feats, err_msg=f"{word}: features")
        np.testing.assert_array_equal(got_scores, scores, err_msg=f"{word}: scores")
        labels[word] = LABELS[int(np.argmax(got_scores))]
        assert labels[word] == LABELS[int(np.argmax(scores))]
    assert labels["yes"] == "yes" and labels["no"] == "no", labels


def _single_op_cases():
    """(id, model, input batches) of every op alone, on random data: the
    FFT types and the inverse that the preprocessors do not use, and the
    other ops away from the values a real spectrum takes."""
    import malformed_signal as ms
    rng = np.random.default_rng(7)

    def ints(dtype, shape, lo=None, hi=None):
        info = np.iinfo(dtype)
        return rng.integers(info.min if lo is None else lo, (info.max if hi is None else hi), size=shape,
                            dtype=np.int64).astype(dtype)

    cases = []
    for T, dtype in ((7, np.int16), (2, np.int32), (0, np.float32)):
        for n, fft_length in ((480, 512), (64, 64), (5, 8)):
            def gen(shape, dtype=dtype):
                return (rng.standard_normal(shape) * 1000).astype(dtype) if dtype == np.float32 \
                    else ints(dtype, shape)
            m = ms.rfft(fft_length=fft_length, T=T, n=n, dtype=dtype.__name__, frames=2)
            cases.append((f"rfft-{dtype.__name__}-{fft_length}", m, [[gen((2, n))] for _ in range(2)]))
            bins = fft_length // 2 + 1
            m = ms.irfft(fft_length=fft_length, T=T, dtype=dtype.__name__, frames=2)
            cases.append((f"irfft-{dtype.__name__}-{fft_length}", m, [[gen((2, 2 * bins))] for _ in range(2)]))
    cases.append(("window", ms.window(n=960, w=480), [[ints(np.int16, (1, 960))]]))
    cases.append(("auto-scale", ms.auto_scale(), [[ints(np.int16, (480,), -300, 300)], [ints(np.int16, (480,))],
                                                  [np.zeros(480, np.int16)]]))
    cases.append(("energy", ms.energy(), [[ints(np.int16, (514,))]]))
    cases.append(("filter-bank", ms.filter_bank(), [[ints(np.uint32, (32,))]]))
    cases.append(("sqrt", ms.sqrt(bits=3), [[(rng.integers(0, 2**63, 40, dtype=np.int64)
                                              >> rng.integers(0, 63, 40)).astype(np.uint64)]]))
    seq = [[ints(np.uint32, (40,), 0, 1 << 20)] for _ in range(5)]
    cases.append(("spectral", ms.spectral(), seq))
    cases.append(("spectral-clamping", ms.spectral(clamping=True), seq))
    cases.append(("pcan", ms.pcan(), [[ints(np.uint32, (40,), 0, 1 << 16), ints(np.uint32, (40,))]]))
    cases.append(("log", ms.log(), [[(ints(np.uint32, (40,)) >> rng.integers(0, 32, 40)).astype(np.uint32)]]))
    return cases


def test_single_ops(target):
    """Each signal op alone against the oracle, bit exact (float FFTs too:
    kissfft's float operations in its order, twiddles rounded from the same
    cosines)."""
    for cid, model, batches in _single_op_cases():
        want = oracle(model, batches)
        got, _ = run_on_target(target, model, batches)
        for k, (g, w) in enumerate(zip(got, want)):
            for i, (gi, wi) in enumerate(zip(g, w)):
                assert gi.dtype == wi.dtype and gi.shape == wi.shape, (cid, k, i)
                same = gi.tobytes() == wi.tobytes()
                assert same, f"{cid} set {k} output {i}: {gi.ravel()[:8]} vs {wi.ravel()[:8]}"
