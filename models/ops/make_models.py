"""Small models made by the TFLite converter itself, one group of ops each.

Every model is written as ordinary TensorFlow (a `tf.function`, with Keras
layers for the learned parts: untrained, seeded weights), converted twice:

  <name>_float.tflite   float32 throughout
  <name>_int8.tflite    full-integer: int8 activations, int8 input/output
                        (the detection models: float outputs, those of the
                        custom op; representative dataset: seeded uniform
                        [-1, 1], the range the tests feed float models)

into this folder. Each conversion prints the model's ops (tflite_info.py),
then the model runs on TensorFlow's interpreter and, when the TFLM wheel's
Python is given (--oracle PYTHON, as `make models` does), on TFLM too: both
must load it and agree with the TensorFlow function (float models) or
with each other (int8 models, the custom op) within the tolerances below.

Run via `make models` (or `make -C models ops`) from the repository root;
the models/Makefile installs TensorFlow into a private virtualenv.
Usage: make_models.py [--oracle PYTHON] [NAME...]   (default: every model)
"""

import os

# Must be set before TensorFlow is imported: deterministic CPU kernels and
# less log noise.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("PYTHONHASHSEED", "0")

import argparse
import random
import re
import subprocess
import sys
import tempfile
import warnings

import absl.logging
import numpy as np
import tensorflow as tf
import keras
from tensorflow.python.framework.convert_to_constants import (  # noqa: E402
    convert_variables_to_constants_v2)

# tf.lite.Interpreter (used for the checks) warns that it is deprecated in
# favour of LiteRT; the graph conversion path warns likewise (see convert()).
# Both work in the pinned TF version.
warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated")
warnings.filterwarnings("ignore", message="Statistics for quantized inputs")
absl.logging.set_verbosity(absl.logging.ERROR)
tf.get_logger().setLevel("ERROR")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import tflite_info  # noqa: E402  (models/tflite_info.py, stdlib only)

SEED = 20240611
CALIBRATION_SAMPLES = 64
CHECK_SAMPLES = 8
# The checks: float results against the TensorFlow function, relative to the
# output's magnitude; where TensorFlow has no reference (int8 models, the
# custom op), TFLite's interpreter against TFLM's, whose kernels may round
# differently (int8: in quantization steps; float: TFLM's detection
# post-processing decodes boxes in double arithmetic, TFLite's in float).
FLOAT_TOLERANCE = 1e-4
LITE_FLOAT_TOLERANCE = 1e-3
DETECTION_SAMPLES = 500
INT8_STEPS = 1


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    tf.random.set_seed(seed)
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


# --- the models -------------------------------------------------------------

MODELS = {}


def model(name, inputs, variants=("float", "int8"), custom_ops=False,
          float_outputs=False, all_detections=False, fused=False, stateful=False, module=False,
          int8_steps=None):
    """Registers a model builder. `inputs`: [(name, shape)], all float32
    (None: a dynamic dimension). The builder, called after seeding, creates
    the layers and constants and returns the forward function over the input
    tensors, or {variant: forward function}. `custom_ops`: the model has a
    custom op; `float_outputs`: the int8 model keeps float32 outputs;
    `all_detections`: the detection post-processing must fill every output
    row on any input (checked); `fused`: the forward function calls a
    function the converter fuses into one op (SavedModel path, no
    variables); `stateful`: the model keeps state in variable tensors, reset
    before each check sample (the TensorFlow function starts from zero);
    `module`: the builder returns a tf.Module whose tf.Variable state the
    model keeps across invokes (converted with the module, so the variables
    stay resource variables: VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE and
    a CALL_ONCE init subgraph), called on the check inputs in order;
    `int8_steps`: the tolerance of the int8 check, when not INT8_STEPS."""
    def register(build):
        MODELS[name] = dict(build=build, inputs=inputs, variants=variants,
                            custom_ops=custom_ops, float_outputs=float_outputs,
                            all_detections=all_detections, fused=fused,
                            stateful=stateful, module=module,
                            int8_steps=INT8_STEPS if int8_steps is None else int8_steps)
        return build
    return register


@model("select_compare", [("x", [2, 16]), ("y", [1, 16])])
def select_compare():
    """Comparisons feeding SELECT_V2, and logical and/or/not on their masks.
    The converter turns a select whose three operands have one shape into
    SELECT (v1, which TFLM does not have): every select here broadcasts."""
    def forward(x, y):
        larger = tf.where(x > y, x, y * 0.5)                    # GREATER
        is_max = tf.equal(x, tf.reduce_max(x, axis=-1, keepdims=True))
        not_max = tf.not_equal(y, tf.reduce_max(y, axis=-1, keepdims=True))
        close = tf.less_equal(x - y, 0.5)
        # (logical_not of a single comparison would fold into the opposite
        # comparison)
        mask = tf.logical_or(tf.logical_not(tf.logical_and(close, not_max)), is_max)
        mixed = tf.where(mask, x, y)
        below = tf.where(tf.less(x, 0.25), y, 0.0)              # a scalar operand
        above = tf.where(tf.greater_equal(y, -0.25), x, below)
        return larger, mixed, above
    return forward


def dense(units, **kw):
    # Random biases (Keras starts them at zero, and the converter then drops
    # them), from the seeded global generator like the kernels.
    return keras.layers.Dense(units, bias_initializer="random_uniform", **kw)


def conv2d(filters, size, **kw):
    return keras.layers.Conv2D(filters, size, bias_initializer="random_uniform", **kw)


@model("space_to_depth", [("image", [1, 8, 8, 2])])
def space_to_depth():
    """SPACE_TO_DEPTH before a conv and DEPTH_TO_SPACE after one."""
    conv1 = conv2d(8, 3, padding="same", activation="relu")
    conv2 = conv2d(8, 1)

    def forward(image):
        h = tf.nn.space_to_depth(image, 2)                      # [1, 4, 4, 8]
        h = conv2(conv1(h))                                     # [1, 4, 4, 8]
        return tf.nn.depth_to_space(h, 2)                       # [1, 8, 8, 2]
    return forward


@model("mirror_pad", [("image", [1, 6, 6, 2])])
def mirror_pad():
    """MIRROR_PAD (REFLECT, then SYMMETRIC) before convolutions."""
    conv1 = conv2d(4, 3, padding="valid", activation="relu")
    conv2 = conv2d(3, 3, padding="valid")

    def forward(image):
        h = tf.pad(image, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
        h = conv1(h)                                            # [1, 6, 6, 4]
        h = tf.pad(h, [[0, 0], [2, 1], [1, 2], [0, 0]], mode="SYMMETRIC")
        return conv2(h)                                         # [1, 7, 7, 3]
    return forward


@model("space_to_batch", [("image", [1, 8, 8, 3])])
def space_to_batch():
    """SPACE_TO_BATCH_ND (with padding) around a pooling layer, undone by
    BATCH_TO_SPACE_ND (with crops); REVERSE_V2; and an atrous conv, which the
    converter fuses into one dilated CONV_2D (no space/batch ops)."""
    atrous = tf.constant(keras.initializers.RandomUniform(-0.5, 0.5)((3, 3, 3, 4)))
    blocks, pads = [2, 2], [[1, 1], [0, 2]]

    def forward(image):
        s = tf.space_to_batch_nd(image, blocks, pads)           # [4, 5, 5, 3]
        s = tf.nn.max_pool2d(s, 2, 1, "SAME")
        b = tf.compat.v1.batch_to_space_nd(s, blocks, pads)     # [1, 8, 8, 3]
        r = tf.reverse(b, axis=[2])
        a = tf.nn.atrous_conv2d(image, atrous, rate=2, padding="SAME")
        return r, tf.reverse(a, axis=[2, 3])    # TFLite: contiguous axes only
    return forward


@model("gather_nd", [("x", [4, 5, 6])])
def gather_nd():
    """GATHER_ND with constant indices: whole rows of a Dense output, single
    elements of the input."""
    layer = dense(6)
    rows = tf.constant([[0, 1], [3, 4], [2, 2], [0, 0]], tf.int32)
    elems = tf.constant([[1, 2, 3], [3, 0, 5], [0, 4, 0]], tf.int32)

    def forward(x):
        return tf.gather_nd(layer(x), rows), tf.gather_nd(x, elems)
    return forward


@model("broadcast_fill", [("x", [1, 8])])
def broadcast_fill():
    """BROADCAST_TO and FILL with a value computed at run time (TFLM needs
    constant shapes for both)."""
    def forward(x):
        return tf.broadcast_to(x, [3, 8]), tf.fill([2, 4], tf.reduce_max(x))
    return forward


@model("shape_reshape", [("x", [None, 4, 2])])
def shape_reshape():
    """A graph that depends on SHAPE: with a dynamic batch, flattening takes
    the batch size from tf.shape (SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE);
    the shape itself is the second (int32) output."""
    def forward(x):
        n = tf.shape(x)[0]
        return tf.reshape(x * 2.0, tf.stack([n, 8])) + 1.0, tf.shape(x)
    return forward


@model("unary", [("x", [1, 24])])
def unary():
    """ABS, NEG, SQUARE, SQRT, RSQRT, EXP, LOG (arguments kept in range).
    TFLM has no int8 EXP, LOG or SQRT, so the int8 model leaves them out; the
    converter keeps NEG and SQUARE in float there (DEQUANTIZE before)."""
    def forward(x):
        a = tf.abs(x)
        return tf.concat([a, tf.negative(x), tf.square(x), tf.math.rsqrt(a + 0.25),
                          tf.sqrt(a), tf.exp(x), tf.math.log(a + 0.125)], axis=1)

    def forward_int8(x):
        a = tf.abs(x)
        return tf.concat([a, tf.negative(x), tf.square(x), tf.math.rsqrt(a + 0.25)], axis=1)
    return {"float": forward, "int8": forward_int8}


# ---- ops outside the scaffolded families

@model("cumsum", [("x", [2, 3, 8])])
def cumsum():
    """CUMSUM along the last and the first axis, with every exclusive/reverse
    combination (the converter keeps CUMSUM in float in the int8 model)."""
    def forward(x):
        outs = []
        for axis in (2, 0):
            for exclusive in (False, True):
                for reverse in (False, True):
                    outs.append(tf.math.cumsum(x, axis=axis, exclusive=exclusive,
                                               reverse=reverse))
        return tf.concat(outs, axis=1)
    return forward


@model("log_softmax", [("features", [1, 32])])
def log_softmax():
    """A classifier head ending in LOG_SOFTMAX."""
    hidden = dense(16, activation="relu")
    logits = dense(10)

    def forward(features):
        return tf.nn.log_softmax(logits(hidden(features)))
    return forward


@model("floor_div_mod", [("x", [2, 12]), ("y", [2, 12])])
def floor_div_mod():
    """FLOOR_DIV and FLOOR_MOD, divisor kept away from zero (the converter
    keeps both in float in the int8 model)."""
    def forward(x, y):
        d = tf.nn.relu(y) + 0.25                                # in [0.25, 1.25]
        return tf.math.floordiv(x * 4.0, d), tf.math.floormod(x * 4.0, d)
    return forward


@model("reduce_min", [("x", [2, 4, 6])])
def reduce_min():
    """REDUCE_MIN over one axis, with keepdims, and over every axis."""
    def forward(x):
        return (tf.reduce_min(x, axis=[1]), tf.reduce_min(x, axis=[2], keepdims=True),
                tf.reduce_min(x))
    return forward


@model("elu", [("features", [1, 16])], variants=("float",))
def elu():
    """Dense layers with ELU (float only: the converter keeps ELU in float
    in an int8 model)."""
    hidden = dense(12, activation="elu")
    out = dense(4)

    def forward(features):
        return out(hidden(features))
    return forward


# ---- UNIDIRECTIONAL_SEQUENCE_LSTM

LSTM_BATCH, LSTM_STEPS, LSTM_FEATURES, LSTM_UNITS = 2, 6, 5, 7


def fused_lstm(time_major):
    """A Keras LSTM layer as the converter fuses it into one
    UNIDIRECTIONAL_SEQUENCE_LSTM: a function with the attributes and
    signature of Keras 2's `standard_lstm` (api_implements "lstm_...",
    time_major, go_backwards; arguments inputs, initial h and c, kernel
    [in, 4 units], recurrent kernel [units, 4 units], bias [4 units], gates
    in the order input, forget, cell, output; five results). Keras 3's LSTM
    converts to a WHILE loop instead, so this stands in for it; its body
    (what TensorFlow runs) is the layer's arithmetic, checked against a
    Keras 3 LSTM in lstm_model."""
    def standard_lstm(inputs, init_h, init_c, kernel, recurrent_kernel, bias):
        h, c, outs = init_h, init_c, []
        for x in tf.unstack(inputs, axis=0 if time_major else 1):
            z = tf.matmul(x, kernel) + tf.matmul(h, recurrent_kernel) + bias
            i, f, g, o = tf.split(z, 4, axis=1)
            c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
            h = tf.sigmoid(o) * tf.tanh(c)
            outs.append(h)
        return h, tf.stack(outs, axis=0 if time_major else 1), h, c, tf.constant(0.0)
    return tf.function(standard_lstm, autograph=False, experimental_attributes={
        "api_implements": "lstm_make_models", "time_major": time_major,
        "go_backwards": False})


def lstm_model(time_major):
    layer = keras.layers.LSTM(LSTM_UNITS, return_sequences=True,
                              bias_initializer="random_uniform")
    layer.build((LSTM_BATCH, LSTM_STEPS, LSTM_FEATURES))
    kernel, recurrent, bias = [tf.constant(w) for w in layer.get_weights()]
    fused = fused_lstm(time_major)
    zeros = tf.zeros([LSTM_BATCH, LSTM_UNITS])

    def forward(x):
        return fused(x, zeros, zeros, kernel, recurrent, bias)[1]
    # The function's body against the Keras layer itself.
    x = np.random.default_rng(SEED).uniform(-1, 1, (LSTM_BATCH, LSTM_STEPS, LSTM_FEATURES))
    x = tf.constant(x.astype(np.float32))
    want = np.asarray(layer(x))
    got = np.asarray(forward(tf.transpose(x, [1, 0, 2]) if time_major else x))
    got = got.transpose(1, 0, 2) if time_major else got
    assert np.allclose(got, want, atol=1e-5), np.abs(got - want).max()
    return forward


@model("lstm", [("x", [LSTM_BATCH, LSTM_STEPS, LSTM_FEATURES])], fused=True, stateful=True)
def lstm():
    """A Keras LSTM layer, batch-major (the int8 model: int16 cell state)."""
    return lstm_model(time_major=False)


@model("lstm_time_major", [("x", [LSTM_STEPS, LSTM_BATCH, LSTM_FEATURES])], fused=True,
       stateful=True)
def lstm_time_major():
    """The same, time-major input and output."""
    return lstm_model(time_major=True)

# ---- control flow and state (several subgraphs)

@model("cond", [("x", [1, 8])])
def cond():
    """IF: tf.cond on a predicate computed from the input (the sign of a
    Dense output's sum), each branch its own subgraph with two results. The
    int8 model keeps the branches in float (DEQUANTIZE before the IF,
    QUANTIZE after)."""
    layer = dense(6)

    def forward(x):
        h = layer(x)
        a, b = tf.cond(tf.reduce_sum(h) > 0.0,
                       lambda: (h * 2.0 + 1.0, tf.reduce_max(h, axis=1, keepdims=True)),
                       lambda: (tf.abs(h) - 0.5, tf.reduce_min(h, axis=1, keepdims=True)))
        return a, b
    return forward


# The int8 model runs the loop in float between DEQUANTIZE and QUANTIZE;
# TFLite's float kernels and TFLM's differ in the last bits, and the loop
# multiplies that by up to 1.25 per iteration: its int8 outputs differ by a
# few dozen steps (the float model matches TensorFlow exactly).
@model("while_loop", [("x", [1, 4])], int8_steps=32)
def while_loop():
    """WHILE with a data-dependent trip count (grow the vector until its
    L1 norm passes 50: about 10 to 15 iterations on [-1, 1] inputs), with
    an IF inside the body (calls nested two deep); the counter is the
    second (int32) output."""
    def forward(x):
        def keep_going(i, v):
            return tf.reduce_sum(tf.abs(v)) < 50.0

        def body(i, v):
            v = tf.cond(tf.reduce_max(v) > 0.5, lambda: v * 1.25 + 0.25, lambda: v + 0.75)
            return i + 1, v
        i, v = tf.while_loop(keep_going, body, [tf.constant(0), x])
        return v, i
    return forward


class Accumulator(tf.Module):
    """A running sum kept in a tf.Variable that starts at a non-zero value
    (the CALL_ONCE init subgraph assigns it), plus a step counter."""

    def __init__(self):
        super().__init__()
        self.total = tf.Variable(tf.fill([1, 6], 0.25))
        self.steps = tf.Variable(tf.constant([[1.0]]))

    @tf.function(input_signature=[tf.TensorSpec([1, 6], tf.float32, name="x")])
    def __call__(self, x):
        self.total.assign(self.total * 0.5 + x)
        self.steps.assign(self.steps + 1.0)
        return self.total + 0.0, self.total * self.steps


@model("accumulate", [("x", [1, 6])], module=True)
def accumulate():
    """Resource variables: VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE, and
    CALL_ONCE running the subgraph that gives them their initial values;
    every invoke reads and updates the state."""
    return Accumulator()


class RingBuffer(tf.Module):
    """Streaming: the last FRAMES frames in a variable, shifted by one frame
    each call (strided slice + concatenation), a linear layer over the
    window."""
    FRAMES, FEATURES, UNITS = 5, 4, 3

    def __init__(self):
        super().__init__()
        n = self.FRAMES * self.FEATURES
        self.window = tf.Variable(tf.zeros([self.FRAMES, self.FEATURES]))
        self.w = tf.constant(keras.initializers.RandomUniform(-0.5, 0.5)((n, self.UNITS)))
        self.b = tf.constant(keras.initializers.RandomUniform(-0.1, 0.1)((self.UNITS,)))

    @tf.function(input_signature=[tf.TensorSpec([1, 4], tf.float32, name="frame")])
    def __call__(self, frame):
        window = tf.concat([self.window[1:], frame], axis=0)
        self.window.assign(window)
        return tf.matmul(tf.reshape(window, [1, -1]), self.w) + self.b


@model("ring_buffer", [("frame", [1, 4])], module=True)
def ring_buffer():
    """A streaming model's ring buffer of the last 5 frames in a resource
    variable (READ_VARIABLE, STRIDED_SLICE, CONCATENATION, ASSIGN_VARIABLE),
    then FULLY_CONNECTED over the window. The int8 model keeps the window
    in float (QUANTIZE/DEQUANTIZE around the concatenation)."""
    return RingBuffer()


# ---- SSD-style detection head with the custom post-processing op

SSD_ANCHOR_GRID = 4
SSD_ASPECTS = (1.0, 2.0)
SSD_CLASSES = 3
SSD_MAX_DETECTIONS = 6
SSD_FEATURES = 4
# Score thresholds. The scores of these random weights fall around 0.5-0.7:
# with the regular NMS, which zeroes the unused output rows, a threshold in
# that range makes the number of detections vary with the input. The fast
# NMS writes only the rows it detects and leaves the rest as they were in
# the arena (TFLM's kernel; so nothing to compare there): its threshold is
# low enough that every row is always written (checked on many inputs).
SSD_REGULAR_THRESHOLD = 0.6
SSD_FAST_THRESHOLD = 0.05


def ssd_anchors():
    """Center-size anchors [num_anchors, 4] (ycenter, xcenter, h, w) on a
    4x4 grid with two aspect ratios, as the exporter's constant."""
    rows = []
    for i in range(SSD_ANCHOR_GRID):
        for j in range(SSD_ANCHOR_GRID):
            for a in SSD_ASPECTS:
                yc, xc = (i + 0.5) / SSD_ANCHOR_GRID, (j + 0.5) / SSD_ANCHOR_GRID
                s = 0.35
                rows.append([yc, xc, s / np.sqrt(a), s * np.sqrt(a)])
    return np.array(rows, np.float32)


def detection_postprocess_fn(use_regular_nms, score_threshold):
    """An empty tf.function that the converter legalizes to the custom op
    TFLite_Detection_PostProcess, with the attributes (`experimental_implements`
    signature) the TF Object Detection API's TFLite exporter sets."""
    attrs = [
        'name: "TFLite_Detection_PostProcess"',
        'attr { key: "max_detections" value { i: %d } }' % SSD_MAX_DETECTIONS,
        'attr { key: "max_classes_per_detection" value { i: 1 } }',
        'attr { key: "use_regular_nms" value { b: %s } }' % str(use_regular_nms).lower(),
        'attr { key: "nms_score_threshold" value { f: %f } }' % score_threshold,
        'attr { key: "nms_iou_threshold" value { f: %f } }' % 0.5,
        'attr { key: "y_scale" value { f: %f } }' % 10.0,
        'attr { key: "x_scale" value { f: %f } }' % 10.0,
        'attr { key: "h_scale" value { f: %f } }' % 5.0,
        'attr { key: "w_scale" value { f: %f } }' % 5.0,
        'attr { key: "num_classes" value { i: %d } }' % SSD_CLASSES,
    ]

    @tf.function(experimental_implements=" ".join(attrs))
    def postprocess(box_encodings, class_predictions, anchors):
        # Placeholders: TensorFlow has no such op; the converter keeps only
        # the signature and the result types. The exporter returns scalars,
        # which become outputs of shape []; TFLM needs the real static
        # shapes (its kernel writes them without resizing), so give those.
        d = SSD_MAX_DETECTIONS
        boxes = tf.zeros([1, d, 4], tf.float32, name="boxes")
        classes = tf.zeros([1, d], tf.float32, name="classes")
        scores = tf.zeros([1, d], tf.float32, name="scores")
        num = tf.zeros([1], tf.float32, name="num_detections")
        return boxes, classes, scores, num
    return postprocess


def ssd_head(use_regular_nms, score_threshold):
    anchors = ssd_anchors()
    n = len(anchors)
    a = len(SSD_ASPECTS)
    base = conv2d(SSD_FEATURES, 3)
    box_conv = conv2d(a * 4, 3)
    cls_conv = conv2d(a * (SSD_CLASSES + 1), 3)
    for layer, channels in ((base, 3), (box_conv, SSD_FEATURES), (cls_conv, SSD_FEATURES)):
        layer.build((1, None, None, channels))
    # The layers' (seeded) weights as constants: the graph then has no
    # variables to freeze, and freezing would inline the post-processing
    # function that the converter must see.
    (bw, bb), (xw, xb), (cw, cb) = [[tf.constant(w) for w in l.get_weights()]
                                    for l in (base, box_conv, cls_conv)]
    postprocess = detection_postprocess_fn(use_regular_nms, score_threshold)
    anchors_t = tf.constant(anchors)

    def conv(x, w, b, stride=1):
        return tf.nn.conv2d(x, w, stride, "SAME") + b

    def forward(image):
        h = tf.nn.relu(conv(image, bw, bb, 2))                  # [1, 4, 4, 4]
        boxes = tf.reshape(conv(h, xw, xb), [1, n, 4])
        scores = tf.sigmoid(tf.reshape(conv(h, cw, cb), [1, n, SSD_CLASSES + 1]))
        return postprocess(boxes, scores, anchors_t)
    return forward


# The int8 models keep float outputs: the custom op's outputs are float (the
# converter dequantizes its inputs, TFLM's kernel takes float only).

@model("ssd_postprocess", [("image", [1, 8, 8, 3])], custom_ops=True, float_outputs=True,
       all_detections=True)
def ssd_postprocess():
    """SSD-style head ending in TFLite_Detection_PostProcess (fast NMS)."""
    return ssd_head(use_regular_nms=False, score_threshold=SSD_FAST_THRESHOLD)


@model("ssd_postprocess_regular", [("image", [1, 8, 8, 3])], custom_ops=True,
       float_outputs=True)
def ssd_postprocess_regular():
    """The same head with the regular (per-class) NMS."""
    return ssd_head(use_regular_nms=True, score_threshold=SSD_REGULAR_THRESHOLD)


# --- conversion and checks --------------------------------------------------

def concrete_shape(shape):
    """A dynamic (None) dimension is 1 in the data: TFLM runs the model with
    the shape the converter records, which has 1 there."""
    return [1 if d is None else d for d in shape]


def uniform_inputs(spec, rng):
    return [rng.uniform(-1.0, 1.0, concrete_shape(shape)).astype(np.float32)
            for _, shape in spec["inputs"]]


def forward_fn(spec, variant):
    """The model's Python forward function for `variant`, built after seeding
    (so each model's weights do not depend on which others are made); for a
    module model, a new module, its state at the start."""
    seed_everything(SEED)
    built = spec["build"]()
    if spec["module"]:
        return built
    forward = built[variant] if isinstance(built, dict) else built
    # Call it once eagerly: the Keras layers create their variables now, not
    # while the function is traced.
    forward(*[tf.zeros(concrete_shape(shape)) for _, shape in spec["inputs"]])
    return forward


def convert(spec, variant):
    forward = forward_fn(spec, variant)
    if spec["module"]:
        # With the module as the trackable object, the variables stay
        # resource variables (the SavedModel path).
        fn = forward.__call__.get_concrete_function()
        converter = tf.lite.TFLiteConverter.from_concrete_functions([fn], forward)
        return quantize_settings(converter, spec, variant).convert()
    signature = [tf.TensorSpec(shape, tf.float32, name=n) for n, shape in spec["inputs"]]
    fn = tf.function(forward, input_signature=signature).get_concrete_function()
    if spec["custom_ops"] or spec["fused"]:
        # The custom op (and a fused LSTM) needs the SavedModel path (a
        # trackable object given): the graph path inlines the
        # `experimental_implements` (`api_implements`) function, and the
        # converter then sees only its body. These models have no variables
        # (freezing would inline it too).
        assert not fn.variables
        converter = tf.lite.TFLiteConverter.from_concrete_functions([fn], tf.Module())
        converter.allow_custom_ops = spec["custom_ops"]
    else:
        # Keras weights are variables: fold them into constants, or the
        # converter keeps them as resource variables (VAR_HANDLE and
        # READ_VARIABLE ops). Without a trackable object the converter takes
        # the function's graph (a path it calls deprecated): the model's
        # inputs and outputs then keep the function's order, which the
        # SavedModel path shuffles.
        fn = convert_variables_to_constants_v2(fn)
        converter = tf.lite.TFLiteConverter.from_concrete_functions([fn])
    return quantize_settings(converter, spec, variant).convert()


def quantize_settings(converter, spec, variant):
    """The converter, set for the int8 variant's full-integer quantization."""
    if variant == "int8":
        def representative():
            rng = np.random.default_rng(SEED + 1)
            for _ in range(CALIBRATION_SAMPLES):
                yield uniform_inputs(spec, rng)
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.float32 if spec["float_outputs"] else tf.int8
    return converter


def io_order(data, spec):
    """For each model input, the index of the function argument it is, and
    for each model output, the index of the function result, from the tensor
    names ("x" or "serving_default_x:0"; "Identity_<k>" or "...Call:<k>"):
    the SavedModel path orders them its own way."""
    info = tflite_info.parse(data)
    names = [n for n, _ in spec["inputs"]]
    ins = [names.index(re.sub(r"^serving_default_(.*):0$", r"\1", info["tensors"][i]["name"]))
           for i in info["inputs"]]
    outs = []
    for i in info["outputs"]:
        m = re.search(r"(?:Identity_?|:)(\d*)$", info["tensors"][i]["name"])
        outs.append(int(m.group(1) or 0))
    return ins, outs


def quantize(x, detail):
    s, z = detail["quantization"]
    if not s:
        return x.astype(detail["dtype"])
    info = np.iinfo(detail["dtype"])
    return np.clip(np.round(x / s) + z, info.min, info.max).astype(detail["dtype"])


def run_tflite(data, batches, stateful=False):
    """TensorFlow's interpreter: (outputs for each input list, input details,
    output details), in the model's input and output order; `stateful`:
    variable tensors reset before each input list."""
    it = tf.lite.Interpreter(model_content=data)
    it.allocate_tensors()
    info = tflite_info.parse(data)
    by_index = {d["index"]: d for d in it.get_input_details() + it.get_output_details()}
    ins = [by_index[i] for i in info["inputs"]]
    outs = [by_index[i] for i in info["outputs"]]
    results = []
    for batch in batches:
        if stateful:
            it.reset_all_variables()
        for d, x in zip(ins, batch):
            it.set_tensor(d["index"], quantize(x, d))
        it.invoke()
        results.append([it.get_tensor(d["index"]).copy() for d in outs])
    return results, ins, outs


ORACLE_SCRIPT = """
import sys, numpy as np
from tflite_micro.python.tflite_micro import runtime
model, inputs, n_in, n_out, result, stateful = sys.argv[1:]
n_in, n_out = int(n_in), int(n_out)
it = runtime.Interpreter.from_bytes(open(model, "rb").read())
data, out = np.load(inputs), {}
for b in range(len(data.files) // n_in):
    if stateful == "1":
        it.reset()
    for i in range(n_in):
        it.set_input(data["b%d_%d" % (b, i)], i)
    it.invoke()
    for o in range(n_out):
        out["b%d_%d" % (b, o)] = np.array(it.get_output(o))
np.savez(result, **out)
"""


def run_oracle(python, data, batches, n_out, stateful=False):
    """Outputs of the TFLM wheel (in the Python that has it), or the error
    line when the wheel refuses the model; `stateful` as run_tflite."""
    with tempfile.TemporaryDirectory() as tmp:
        model, inputs, result = [os.path.join(tmp, f) for f in ("m.tflite", "in.npz", "out.npz")]
        with open(model, "wb") as f:
            f.write(data)
        np.savez(inputs, **{"b%d_%d" % (b, i): x for b, batch in enumerate(batches)
                            for i, x in enumerate(batch)})
        r = subprocess.run([python, "-c", ORACLE_SCRIPT, model, inputs, str(len(batches[0])),
                            str(n_out), result, "1" if stateful else "0"], capture_output=True, text=True)
        if r.returncode:
            return (r.stdout + r.stderr).strip().splitlines()[-1]
        got = np.load(result)
        return [[got["b%d_%d" % (b, o)] for o in range(n_out)] for b in range(len(batches))]


def check(spec, variant, data, oracle_python):
    """Runs the model on TensorFlow's interpreter and (with oracle_python) on
    TFLM's; returns a list of problems. Float results must match the
    TensorFlow function (the custom op has none: TFLite's interpreter then);
    int8 results, TFLite against TFLM."""
    rng = np.random.default_rng(SEED + 2)
    batches = [uniform_inputs(spec, rng) for _ in range(CHECK_SAMPLES)]
    in_order, out_order = io_order(data, spec)
    ordered = [[batch[a] for a in in_order] for batch in batches]
    lite, ins, outs = run_tflite(data, ordered, spec["stateful"])
    problems = []
    micro = None
    if oracle_python:
        raw = [[quantize(x, d) for d, x in zip(ins, batch)] for batch in ordered]
        micro = run_oracle(oracle_python, data, raw, len(outs), spec["stateful"])
        if isinstance(micro, str):
            return ["the TFLM wheel fails: " + micro]
    forward = forward_fn(spec, variant)
    has_tf_reference = variant == "float" and not spec["custom_ops"]
    worst = {"float": 0.0, "steps": 0}
    for b, batch in enumerate(batches):
        if has_tf_reference:
            ref = forward(*[tf.constant(x) for x in batch])
            ref = ref if isinstance(ref, (tuple, list)) else [ref]
            ref = [np.asarray(ref[k]) for k in out_order]
            results = (lite, micro)
        else:
            ref, results = lite[b], (micro,)
        for o, d in enumerate(outs):
            for res in results:
                if res is None:
                    continue
                got, want = res[b][o], ref[o]
                if variant == "float" or np.dtype(d["dtype"]) == np.float32:
                    err = np.abs(got.astype(np.float64) - want.astype(np.float64))
                    err = float(err.max()) / max(1.0, float(np.abs(want).max())) if err.size else 0.0
                    worst["float"] = max(worst["float"], err)
                else:
                    steps = np.abs(got.astype(np.int64) - want.astype(np.int64))
                    worst["steps"] = max(worst["steps"], int(steps.max()) if steps.size else 0)
    print("  %s: largest difference %.3g relative (float), %d step(s) (integers)%s" % (
        "TFLite and TFLM against TensorFlow" if has_tf_reference else "TFLM against TFLite",
        worst["float"], worst["steps"], "" if micro else "; TFLM not run"))
    if spec["all_detections"]:
        problems += check_all_detections(spec, data)
    tolerance = FLOAT_TOLERANCE if has_tf_reference else LITE_FLOAT_TOLERANCE
    if worst["float"] > tolerance:
        problems.append("float outputs differ by %g" % worst["float"])
    if worst["steps"] > spec["int8_steps"]:
        problems.append("integer outputs differ by %d steps" % worst["steps"])
    return problems


def check_all_detections(spec, data, n=DETECTION_SAMPLES):
    """The number of detections (the output of shape [1]) is the maximum on
    `n` inputs, uniform over the input type's range as the tests draw them."""
    rng = np.random.default_rng(SEED + 3)
    it = tf.lite.Interpreter(model_content=data)
    it.allocate_tensors()
    (inp,) = it.get_input_details()
    (num,) = [d for d in it.get_output_details() if list(d["shape"]) == [1]]
    counts = set()
    for _ in range(n):
        if inp["dtype"] == np.float32:
            x = rng.uniform(-1.0, 1.0, inp["shape"]).astype(np.float32)
        else:
            x = rng.integers(-128, 127, inp["shape"], endpoint=True).astype(inp["dtype"])
        it.set_tensor(inp["index"], x)
        it.invoke()
        counts.add(int(it.get_tensor(num["index"])[0]))
    print("  detections on %d random inputs: %s" % (n, sorted(counts)))
    return [] if counts == {SSD_MAX_DETECTIONS} else [
        "fewer than %d detections on some inputs: %s" % (SSD_MAX_DETECTIONS, sorted(counts))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--oracle", help="a Python with the tflite_micro wheel")
    ap.add_argument("names", nargs="*", help="models to make (default: all)")
    args = ap.parse_args()
    print("TensorFlow", tf.__version__, "keras", keras.__version__, "numpy", np.__version__)
    problems = []
    for name in args.names or MODELS:
        spec = MODELS[name]
        for variant in spec["variants"]:
            fname = "%s_%s.tflite" % (name, variant)
            data = convert(spec, variant)
            with open(os.path.join(HERE, fname), "wb") as f:
                f.write(data)
            print()
            print(tflite_info.describe(data, fname, verbose=True))
            ins, outs = io_order(data, spec)
            print("  inputs are the arguments %s, outputs the results %s" % (
                [spec["inputs"][k][0] for k in ins], outs))
            problems += ["%s: %s" % (fname, p) for p in check(spec, variant, data, args.oracle)]
    print()
    for p in problems:
        print("PROBLEM:", p)
    print("all models OK" if not problems else "%d problems" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
