"""The streaming keyword-spotting model of examples/streaming_kws.py.

Run with TensorFlow's venv from the repository root (after
make_frontend_reference.py, whose features it calibrates on):

    deps/tf-venv/bin/python models/frontend/make_streaming_kws.py

streaming_kws.tflite takes one frame of tflm.AudioFrontend's int8 features
(40 channels, 20 ms) per invoke and keeps the last FRAMES frames in a
resource variable (tf.Variable, converted with the module so it stays one:
VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE and a CALL_ONCE init subgraph);
the output is three int8 scores (softmax): silence, unknown, keyword.

The weights are not trained: a seeded random Dense layer over the window's
per-channel means, plus a hand-set term that raises the keyword score with
the window's mean level, so that it fires on speech and not on silence (a
stand-in with the shape and state handling of a real streaming model).

The input is quantized as TFLM micro_speech's features are (scale 26/256,
zero point -128: feature / 25.6 in float), so AudioFrontend's int8 output
feeds it directly: the representative dataset is the four test WAVs'
features (models/frontend/default_*.npy) with the two ends of that range.
The script checks the model on the TFLM wheel (deps/venv) against
TensorFlow's interpreter over consecutive invokes.
"""
import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import subprocess
import sys

import numpy as np
import tensorflow as tf

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
import tflite_info  # noqa: E402  (models/tflite_info.py)

SEED = 20261206
FRAMES = 10        # 200 ms of context
CHANNELS = 40
CLASSES = 3        # silence, unknown, keyword
WAVS = ("yes", "no", "silence", "noise")
# micro_speech's input quantization: q = feature * 256 / 666 - 128, i.e.
# real = feature / 25.6 = (q + 128) * 26 / 256.
INPUT_SCALE = 26.0 / 256.0
INPUT_MAX = 255 * INPUT_SCALE


class StreamingKws(tf.Module):
    def __init__(self):
        rng = np.random.default_rng(SEED)
        self.window = tf.Variable(tf.zeros([FRAMES, CHANNELS]))
        w = rng.uniform(-0.05, 0.05, (CHANNELS, CLASSES)).astype(np.float32)
        # The keyword's logit grows with the mean level (features / 25.6 are
        # about 1 in silence, 10-20 in speech), silence's falls with it.
        w[:, 2] += 0.5 / CHANNELS
        w[:, 0] -= 0.5 / CHANNELS
        # Over the flattened window: the Dense layer of the per-channel means
        # (one FULLY_CONNECTED, whose int8 arithmetic TFLite and TFLM share).
        self.w = tf.constant(np.tile(w, (FRAMES, 1)) / FRAMES)
        self.b = tf.constant(np.array([2.0, 0.5, -4.0], np.float32))

    @tf.function(input_signature=[tf.TensorSpec([1, CHANNELS], tf.float32, name="features")])
    def __call__(self, features):
        window = tf.concat([self.window[1:], features], axis=0)
        self.window.assign(window)
        flat = tf.reshape(window, [1, FRAMES * CHANNELS])
        return tf.nn.softmax(tf.matmul(flat, self.w) + self.b)


def features():
    """The four WAVs' frames as the model's float input (feature / 25.6)."""
    return [np.load(os.path.join(HERE, "default_%s.npy" % w)).astype(np.float32) / 25.6 for w in WAVS]


def convert():
    module = StreamingKws()
    fn = module.__call__.get_concrete_function()
    converter = tf.lite.TFLiteConverter.from_concrete_functions([fn], module)

    def representative():
        # The ends of micro_speech's input range first, so the calibrated
        # range is exactly [0, INPUT_MAX].
        yield [np.zeros([1, CHANNELS], np.float32)]
        yield [np.full([1, CHANNELS], INPUT_MAX, np.float32)]
        for f in features():
            for row in np.clip(f, 0, INPUT_MAX):
                yield [row[None, :]]
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()


# Runs in deps/venv (the TFLM wheel): the model over every frame of the
# four WAVs in turn on one interpreter, a reset() between WAVs.
WHEEL = """
import sys, numpy as np
from tflite_micro.python.tflite_micro import runtime
model = open(sys.argv[1], 'rb').read()
frames = np.load(sys.argv[2])
it = runtime.Interpreter.from_bytes(model)
out = []
for wav in frames:
    for row in wav:
        it.set_input(row[None, :], 0)
        it.invoke()
        out.append(np.array(it.get_output(0)).copy())
    it.reset()
np.save(sys.argv[3], np.array(out))
"""


def check(data, path):
    inp = tf.lite.Interpreter(model_content=data)
    inp.allocate_tensors()
    d_in = inp.get_input_details()[0]
    d_out = inp.get_output_details()[0]
    scale, zero = d_in["quantization"]
    print("input", d_in["dtype"].__name__, d_in["shape"], "scale", scale, "zero point", zero)
    assert zero == -128 and abs(scale - INPUT_SCALE) < 1e-6, "input not quantized as micro_speech's"
    # AudioFrontend's int8 form of the oracle's features.
    ints = []
    for w in WAVS:
        raw = np.load(os.path.join(HERE, "default_%s.npy" % w)).astype(np.int64)
        ints.append(np.clip((raw * 256 + 333) // 666 - 128, -128, 127).astype(np.int8))
    lite = []
    for wav in ints:
        for row in wav:
            inp.set_tensor(d_in["index"], row[None, :])
            inp.invoke()
            lite.append(inp.get_tensor(d_out["index"]).copy())
        # (TFLite's reset_all_variables leaves resource variables as they are)
        inp = tf.lite.Interpreter(model_content=data)
        inp.allocate_tensors()
    lite = np.array(lite)
    venv = os.path.join(ROOT, "deps", "venv", "bin", "python")
    tmp = os.path.join(HERE, ".check")
    os.makedirs(tmp, exist_ok=True)
    np.save(os.path.join(tmp, "frames.npy"), np.array(ints))
    subprocess.run([venv, "-c", WHEEL, path, os.path.join(tmp, "frames.npy"), os.path.join(tmp, "out.npy")],
                   check=True)
    micro = np.load(os.path.join(tmp, "out.npy"))
    for f in os.listdir(tmp):
        os.remove(os.path.join(tmp, f))
    os.rmdir(tmp)
    diff = np.abs(micro.astype(int) - lite.astype(int)).max(axis=(1, 2))
    worst = int(diff.max())
    print("TFLM wheel vs TFLite over %d consecutive invokes: max difference %d" % (len(lite), worst))
    assert worst == 0
    n = 0
    for w, wav in zip(WAVS, ints):
        scores = micro[n:n + len(wav), 0, 2]
        n += len(wav)
        print("  %-8s keyword score int8: max %4d, frames over 0: %d" % (w, scores.max(), (scores > 0).sum()))


def main():
    tf.random.set_seed(SEED)
    print("TensorFlow", tf.__version__)
    data = convert()
    path = os.path.join(HERE, "streaming_kws.tflite")
    with open(path, "wb") as f:
        f.write(data)
    print(tflite_info.describe(data, "streaming_kws.tflite", verbose=True))
    check(data, path)


if __name__ == "__main__":
    main()
