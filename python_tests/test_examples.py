"""The example scripts a user copies run on the target and give the right
answers on the reference data (labels known from the file names)."""
import os
import sys

import pytest

from conftest import SHARED_MODELS, shared_model
from harness import skip_unless_fits
from targets import ROOT

sys.path.insert(0, os.path.join(ROOT, "tools"))


def example(name):
    with open(os.path.join(ROOT, "examples", name)) as f:
        return f.read()


def test_person_detection_example(target):
    files = {"person_detect.tflite": shared_model("tflm", "person_detect.tflite")}
    skip_unless_fits(target, [files["person_detect.tflite"]], "the model")
    for img in ("person.bmp", "no_person.bmp"):
        files[img] = shared_model("testdata", img)
    out = target.run(example("person_detection.py"), files=files)
    assert "person.bmp: person " in out, out
    assert "no_person.bmp: no person " in out, out


def test_keyword_spotting_example(target, tmp_path):
    import make_features
    files = {"micro_speech_quantized.tflite": shared_model("tflm", "micro_speech_quantized.tflite")}
    skip_unless_fits(target, [files["micro_speech_quantized.tflite"]], "the model")
    for word in ("yes", "no"):
        wav = os.path.join(SHARED_MODELS, "testdata", f"{word}_1000ms.wav")
        if not os.path.exists(wav) or not os.path.exists(make_features.DEFAULT_PRE):
            pytest.skip("reference audio not available")
        files[f"{word}.features"] = make_features.features(wav).tobytes()
    out = target.run(example("keyword_spotting.py"), files=files)
    assert "yes.features: yes " in out, out
    assert "no.features: no " in out, out


def test_hello_world_example(target):
    with open(os.path.join(ROOT, "models", "hello_world", "hello_world_int8.tflite"), "rb") as f:
        model = f.read()
    out = target.run(example("hello_world.py"), files={"hello_world_int8.tflite": model})
    rows = [l.split() for l in out.splitlines() if l.strip()[:1].isdigit()]
    assert len(rows) == 8
    for x, pred, truth in ((float(a), float(b), float(c)) for a, b, c in rows):
        # The model's worst error is 0.26, at x = 2*pi (models/README.md).
        assert abs(pred - truth) < 0.3, (x, pred, truth)
