"""hello_world (sine regression) on the target, bit-exact with the oracle."""
import numpy as np
import pytest

from conftest import project_model, shared_model
from harness import assert_match, io_details, oracle, run_on_target

N_INPUTS = 200

MODELS = [
    ("project", "hello_world/hello_world_float.tflite"),
    ("project", "hello_world/hello_world_int8.tflite"),
    ("project", "hello_world/hello_world_int8_floatio.tflite"),
    ("shared", "tflm/hello_world_float.tflite"),
    ("shared", "tflm/hello_world_int8.tflite"),
]


def sine_inputs(model):
    """N_INPUTS values across [0, 2*pi] (evenly spaced, ends included), quantized
    with the input tensor's parameters when the input is int8."""
    ins, _ = io_details(model)
    d = ins[0]
    x = np.linspace(0.0, 2 * np.pi, N_INPUTS, dtype=np.float32)
    if np.dtype(d["dtype"]) == np.int8:
        scale = d["quantization_parameters"]["scales"][0]
        zp = d["quantization_parameters"]["zero_points"][0]
        x = np.clip(np.round(x / scale) + zp, -128, 127).astype(np.int8)
    return [[v.reshape(d["shape"])] for v in x]


@pytest.mark.parametrize("source,path", MODELS, ids=[f"{s}:{p.split('/')[-1]}" for s, p in MODELS])
def test_hello_world_matches_oracle(target, source, path):
    model = project_model(path) if source == "project" else shared_model(path)
    batches = sine_inputs(model)
    got, arena = run_on_target(target, model, batches)
    want = oracle(model, batches)
    assert_match(got, want, context=path)
    assert arena and arena > 0


def test_hello_world_predicts_sine(target):
    """Not an oracle check: the project's float model is a usable sine model."""
    model = project_model("hello_world/hello_world_float.tflite")
    batches = sine_inputs(model)
    got, _ = run_on_target(target, model, batches)
    x = np.array([b[0].item() for b in batches])
    y = np.array([g[0].item() for g in got])
    # Trained on noisy samples, as TFLM's example is: judge the fit overall.
    assert np.sqrt(np.mean((y - np.sin(x)) ** 2)) < 0.15
