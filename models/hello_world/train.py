"""Train the hello_world sine model and convert it to three .tflite files.

The model is the classic TFLM "hello world": a tiny dense network
(1 -> 16 -> 16 -> 1, ReLU) that learns y = sin(x) for x in [0, 2*pi] from
noisy samples.  Outputs, written next to this script:

  hello_world_float.tflite         float32 everywhere
  hello_world_int8.tflite          int8 weights/activations, int8 input/output
  hello_world_int8_floatio.tflite  int8 inside, float32 input/output
                                   (QUANTIZE -> FULLY_CONNECTED x3 -> DEQUANTIZE)

Run via `make models` from the repository root (needs TensorFlow, which the
models/Makefile installs into a private virtualenv).
"""

import os

# Must be set before TensorFlow is imported: deterministic CPU kernels and
# less log noise.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("PYTHONHASHSEED", "0")

import math
import random
import sys
import warnings

import numpy as np
import tensorflow as tf

# tf.lite.Interpreter (used only for the accuracy check) warns that it is
# deprecated in favour of LiteRT; it still works in the pinned TF version.
warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import tflite_info  # noqa: E402  (models/tflite_info.py, stdlib only)

SEED = 20240501
SAMPLES = 1000
NOISE = 0.1
EPOCHS = 300
LEARNING_RATE = 0.01  # Adam default (0.001) often stalls at a near-linear fit
# Accepted |model(x) - sin(x)| on a grid over [0, 2*pi]; the max is worst at
# the ends of the range, where training data is sparse.
MEAN_ERROR = 0.1
MAX_ERROR = 0.35
BATCH = 64


def seed_everything():
    random.seed(SEED)
    np.random.seed(SEED)
    tf.random.set_seed(SEED)
    tf.keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()


def make_data():
    rng = np.random.default_rng(SEED)
    x = rng.uniform(0.0, 2.0 * math.pi, SAMPLES).astype(np.float32)
    y = (np.sin(x) + NOISE * rng.standard_normal(SAMPLES)).astype(np.float32)
    n_train = int(0.6 * SAMPLES)
    n_val = int(0.2 * SAMPLES)
    split = lambda a: (a[:n_train], a[n_train:n_train + n_val], a[n_train + n_val:])
    return split(x), split(y)


def build_model():
    inputs = tf.keras.Input(shape=(1,), name="x")
    h = tf.keras.layers.Dense(16, activation="relu", name="dense_1")(inputs)
    h = tf.keras.layers.Dense(16, activation="relu", name="dense_2")(h)
    outputs = tf.keras.layers.Dense(1, name="y")(h)
    model = tf.keras.Model(inputs, outputs, name="hello_world")
    model.compile(optimizer=tf.keras.optimizers.Adam(LEARNING_RATE),
                  loss="mse", metrics=["mae"])
    return model


def representative_dataset():
    # Deterministic calibration data covering the whole input range.
    for x in np.linspace(0.0, 2.0 * math.pi, 500, dtype=np.float32):
        yield [np.array([[x]], dtype=np.float32)]


def frozen_function(model):
    """The trained network as a tf.function over constants.

    Rebuilding the forward pass from the trained weights (instead of tracing
    the Keras model) leaves no variables in the graph, so the converter emits
    just FULLY_CONNECTED ops (bias and ReLU fused), and the input has a fixed
    [1, 1] shape (no dynamic batch dimension) as TFLM expects.
    """
    w1, b1, w2, b2, w3, b3 = [tf.constant(w) for w in model.get_weights()]

    @tf.function(input_signature=[tf.TensorSpec([1, 1], tf.float32, name="x")])
    def forward(x):
        h = tf.nn.relu(tf.matmul(x, w1) + b1)
        h = tf.nn.relu(tf.matmul(h, w2) + b2)
        return tf.matmul(h, w3) + b3

    module = tf.Module()
    module.forward = forward
    return forward.get_concrete_function(), module


def convert(model, quant):
    fn, module = frozen_function(model)
    converter = tf.lite.TFLiteConverter.from_concrete_functions([fn], module)
    if quant:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative_dataset
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        if quant == "int8":
            converter.inference_input_type = tf.int8
            converter.inference_output_type = tf.int8
    return converter.convert()


def run_tflite(data, xs):
    """Run the model on each x with the TFLite interpreter, return floats."""
    it = tf.lite.Interpreter(model_content=data)
    it.allocate_tensors()
    inp = it.get_input_details()[0]
    out = it.get_output_details()[0]
    ys = []
    for x in xs:
        v = np.array([[x]], dtype=np.float32)
        if inp["dtype"] != np.float32:
            s, z = inp["quantization"]
            v = np.clip(np.round(v / s + z), -128, 127).astype(inp["dtype"])
        it.set_tensor(inp["index"], v)
        it.invoke()
        r = it.get_tensor(out["index"]).astype(np.float32)
        if out["dtype"] != np.float32:
            s, z = out["quantization"]
            r = (r - z) * s
        ys.append(float(r.reshape(-1)[0]))
    return np.array(ys, dtype=np.float32)


def main():
    seed_everything()
    print("TensorFlow", tf.__version__, "numpy", np.__version__)
    (x_train, x_val, x_test), (y_train, y_val, y_test) = make_data()
    model = build_model()
    model.fit(x_train.reshape(-1, 1), y_train.reshape(-1, 1),
              epochs=EPOCHS, batch_size=BATCH, shuffle=True, verbose=0,
              validation_data=(x_val.reshape(-1, 1), y_val.reshape(-1, 1)))
    loss, mae = model.evaluate(x_test.reshape(-1, 1), y_test.reshape(-1, 1),
                               verbose=0)
    print("keras: test mse %.4f mae %.4f (noisy labels)" % (loss, mae))

    grid = np.linspace(0.0, 2.0 * math.pi, 64, dtype=np.float32)
    truth = np.sin(grid)
    keras_pred = model.predict(grid.reshape(-1, 1), verbose=0).reshape(-1)
    keras_err = np.max(np.abs(keras_pred - truth))
    worst = grid[np.argmax(np.abs(keras_pred - truth))]
    print("keras: |model - sin| on grid: mean %.4f, max %.4f (at x=%.3f)" % (
        np.mean(np.abs(keras_pred - truth)), keras_err, worst))
    if keras_err > MAX_ERROR or np.mean(np.abs(keras_pred - truth)) > MEAN_ERROR:
        sys.exit("training did not converge; not writing models")

    for name, quant in (("hello_world_float.tflite", None),
                        ("hello_world_int8.tflite", "int8"),
                        ("hello_world_int8_floatio.tflite", "int8_floatio")):
        data = convert(model, quant)
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
        print()
        print(tflite_info.describe(data, name))
        pred = run_tflite(data, grid)
        print("  tflite: mean |y - sin(x)| %.4f, max %.4f, max |y - keras| %.4f" % (
            np.mean(np.abs(pred - truth)), np.max(np.abs(pred - truth)),
            np.max(np.abs(pred - keras_pred))))
        for x in (0.0, math.pi / 2, math.pi, 3 * math.pi / 2):
            print("    x=%.4f sin=%+.4f model=%+.4f" % (
                x, math.sin(x), run_tflite(data, [x])[0]))


if __name__ == "__main__":
    main()
