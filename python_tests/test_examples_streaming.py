"""The streaming keyword-spotting example (examples/streaming_kws.py) and its
model (models/frontend/streaming_kws.tflite): the model equals the oracle
over consecutive invokes and after reset(); the example, fed the test WAVs
in 20 ms chunks through tflm.AudioFrontend, fires exactly where the oracle's
scores on the oracle's features (TensorFlow's audio_microfrontend, committed
under models/frontend/) say it must."""
import os
import re

import numpy as np
import pytest

from conftest import SHARED_MODELS, project_model
from harness import check_with_reset, oracle
from targets import ROOT
from test_frontend import NEEDS_RAM, micro_speech_int8, oracle as frontend_oracle

MODEL = project_model("frontend", "streaming_kws.tflite")

with open(os.path.join(ROOT, "examples", "streaming_kws.py")) as _f:
    EXAMPLE = _f.read()


def constant(name):
    return int(re.search(r"^%s = (\d+)" % name, EXAMPLE, re.M).group(1))


def frames(word):
    return micro_speech_int8(frontend_oracle("default", word))


def test_streaming_model_state(target):
    # 12 frames of "yes" (past the model's 10-frame window), reset, again.
    batches = [[row[None, :]] for row in frames("yes")[10:22]]
    check_with_reset(target, [("streaming_kws", MODEL)], lambda k, m: batches)


def expected_lines(path, word):
    """The example's printout for one WAV, from the oracle: its smoothing
    and threshold rule applied to the wheel's scores."""
    keyword, average = constant("KEYWORD"), constant("AVERAGE")
    threshold, refractory = constant("THRESHOLD"), constant("REFRACTORY")
    feats = frames(word)
    scores = [int(out[0][0, keyword]) for out in oracle(MODEL, [[row[None, :]] for row in feats])]
    recent = [-128] * average
    lines, quiet_until, fired = [], 0, 0
    for frame, s in enumerate(scores):
        recent[frame % average] = s
        score = sum(recent) // average
        if score > threshold and frame >= quiet_until:
            lines.append("%s: keyword at %d ms (score %d)" % (path, frame * 20 + 30, score))
            quiet_until = frame + refractory
            fired += 1
    lines.append("%s: %d frames, fired %d times" % (path, len(scores), fired))
    return lines, fired


@NEEDS_RAM
def test_streaming_kws_example(target):
    files = {"streaming_kws.tflite": MODEL}
    for word in ("yes", "silence"):
        wav = os.path.join(SHARED_MODELS, "testdata", f"{word}_1000ms.wav")
        if not os.path.exists(wav):
            pytest.skip("reference audio not available")
        with open(wav, "rb") as f:
            files[f"{word}.wav"] = f.read()
    out = target.run(EXAMPLE, files=files)
    got = [l for l in out.splitlines() if l.startswith(("yes.wav", "silence.wav"))]
    want_yes, fired_yes = expected_lines("yes.wav", "yes")
    want_silence, fired_silence = expected_lines("silence.wav", "silence")
    # The example's rule does something on this data: it fires on the word,
    # never on silence.
    assert fired_yes >= 1 and fired_silence == 0
    assert got == want_yes + want_silence, out
