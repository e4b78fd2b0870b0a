"""Malformed and unsupported one-op UNIDIRECTIONAL_SEQUENCE_LSTM models, for
malformed.py: cases(seed=None) -> [(name, model bytes, exception name)].

ValueError: not 24 inputs, a required tensor omitted (input, the forget,
cell and output gates' weights and biases, either state), wrong ranks and
shapes (input, weights, recurrent weights, biases, states, output), states
that are not variable tensors, have data in the model or are one tensor,
type mismatches (weights, biases, hidden state and output against the
input), integer tensors without quantization, cell_clip negative or NaN,
a fused activation out of the enum.
NotImplementedError: the LSTM variants TFLM refuses (peephole, projection,
layer norm, CIFG), hybrid (float input, int8 weights), int8 input with int16
weights, an integer LSTM whose cell state is not int16, another input type,
a cell activation other than TANH (TFLM aborts), diagonal recurrent
weights, per-channel weights, a cell scale beyond TFLM's tanh rescaling,
versions above 5.
"""
import numpy as np

from tflite_builder import ModelBuilder

VALUE = "ValueError"
UNSUPPORTED = "NotImplementedError"

NAMES = ["x", "wi", "wf", "wc", "wo", "ri", "rf", "rc", "ro", "pi", "pf", "po", "bi", "bf", "bc", "bo", "pw", "pb",
         "h", "c", "li", "lf", "lc", "lo"]


def _model(dtype="float32", batch=2, steps=3, n_in=4, n_state=5, shapes=None, types=None, omit=(), add=(),
           variable=True, state_buffer=False, same_state=False, quant=True, opts=None, version=1, n_inputs=24,
           cell_scale=2.0 ** -12, per_channel=False):
    """An LSTM model; `shapes` / `types` override a tensor's shape or type by
    name (NAMES, and y for the output); `omit` lists inputs given as -1,
    `add` optional inputs given (peephole pi/pf/po, projection pw/pb, layer
    norm li..lo)."""
    integer = dtype != "float32"
    wdt = "int8" if integer else "float32"
    bdt = {"float32": "float32", "int8": "int32", "int16": "int64"}.get(dtype, "int32")
    sh = dict(x=(batch, steps, n_in), h=(batch, n_state), c=(batch, n_state), y=(batch, steps, n_state))
    ty = dict(x=dtype, h=dtype, c="int16" if integer else "float32", y=dtype)
    for k, n in enumerate(NAMES[1:9]):
        sh[n] = (n_state, n_in if k < 4 else n_state)
        ty[n] = wdt
    for n in NAMES[9:12] + NAMES[12:16] + NAMES[20:24] + ["pb"]:
        sh[n] = (n_state,)
        ty[n] = bdt if n.startswith("b") or n == "pb" else ("int16" if integer else "float32")
    sh["pw"] = (n_state, n_state)
    ty["pw"] = wdt
    sh.update(shapes or {})
    ty.update(types or {})
    b = ModelBuilder()

    def qa(name):
        if not quant or ty[name] == "float32":
            return {}
        if name == "c":
            return dict(scale=cell_scale, zero_point=0)
        if per_channel and name in NAMES[1:9]:
            return dict(scale=[0.01 * (1 + k) for k in range(sh[name][0])], zero_point=[0] * sh[name][0],
                        quantized_dim=0)
        return dict(scale=0.01, zero_point=0)

    t = {}
    for n in ["x"] + NAMES[1:18] + NAMES[20:24]:
        if n in NAMES[1:9] or n in NAMES[12:16] or n in add:
            t[n] = b.tensor(sh[n], ty[n], **qa(n))
    buf = 0
    if state_buffer:
        buf = b.add_buffer(bytes(np.dtype(ty["h"]).itemsize * int(np.prod(sh["h"]))))
    t["x"] = b.tensor(sh["x"], ty["x"], **qa("x"))
    t["h"] = b.tensor(sh["h"], ty["h"], variable=variable, buffer=buf, **qa("h"))
    t["c"] = t["h"] if same_state else b.tensor(sh["c"], ty["c"], variable=variable, **qa("c"))
    y = b.tensor(sh["y"], ty["y"], **qa("y"))
    ins = [t.get(n) for n in NAMES]
    for n in omit:
        ins[NAMES.index(n)] = None
    o = dict(fused_activation_function="TANH", cell_clip=0.0, time_major=False)
    o.update(opts or {})
    b.op("UNIDIRECTIONAL_SEQUENCE_LSTM", ins[:n_inputs], [y], options=o, version=version)
    # Weights as graph inputs: shapes and types are what is checked.
    graph_in = [x for x in ins[:n_inputs] if x is not None and x not in (t["h"], t["c"])]
    b.inputs(graph_in + ([] if variable else [t["h"], t["c"]]))
    b.outputs([y])
    return b.build()


def cases(seed=None):
    c = [
        # Inputs
        ("inputs-20", _model(n_inputs=20), VALUE),
        ("input-omitted", _model(omit=("x",)), VALUE),
        ("forget-weights-omitted", _model(omit=("wf",)), VALUE),
        ("recurrent-output-weights-omitted", _model(omit=("ro",)), VALUE),
        ("cell-bias-omitted", _model(omit=("bc",)), VALUE),
        ("input-gate-weights-only-omitted", _model(omit=("wi",)), VALUE),
        ("hidden-state-omitted", _model(omit=("h",)), VALUE),
        ("cell-state-omitted", _model(omit=("c",)), VALUE),
        # Options
        ("activation-out-of-range", _model(opts=dict(fused_activation_function=9)), VALUE),
        ("cell-clip-negative", _model(opts=dict(cell_clip=-1.0)), VALUE),
        ("cell-clip-nan", _model(opts=dict(cell_clip=float("nan"))), VALUE),
        # Shapes
        ("input-rank-2", _model(shapes=dict(x=(2, 4))), VALUE),
        ("input-rank-4", _model(shapes=dict(x=(2, 3, 4, 1))), VALUE),
        ("input-weights-depth", _model(shapes=dict(wc=(5, 3))), VALUE),
        ("input-weights-units", _model(shapes=dict(wo=(4, 4))), VALUE),
        ("recurrent-weights-shape", _model(shapes=dict(rf=(5, 4))), VALUE),
        ("recurrent-weights-rank-3", _model(shapes=dict(ri=(5, 5, 1))), VALUE),
        ("bias-size", _model(shapes=dict(bi=(4,))), VALUE),
        ("bias-rank-2", _model(shapes=dict(bo=(5, 1))), VALUE),
        ("hidden-state-rank-1", _model(shapes=dict(h=(10,))), VALUE),
        ("hidden-state-size", _model(shapes=dict(h=(2, 6))), VALUE),
        ("cell-state-size", _model(shapes=dict(c=(2, 4))), VALUE),
        ("output-units", _model(shapes=dict(y=(2, 3, 4))), VALUE),
        ("output-steps", _model(shapes=dict(y=(2, 4, 5))), VALUE),
        ("output-rank-2", _model(shapes=dict(y=(6, 5))), VALUE),
        # States
        ("state-not-variable", _model(variable=False), VALUE),
        ("state-has-data", _model(state_buffer=True), VALUE),
        ("states-same-tensor", _model(same_state=True), VALUE),
        # Types
        ("float-recurrent-weights-int8", _model(types=dict(rc="int8")), VALUE),
        ("float-bias-int32", _model(types=dict(bf="int32")), VALUE),
        ("float-cell-state-int16", _model(types=dict(c="int16")), VALUE),
        ("float-output-int8", _model(types=dict(y="int8")), VALUE),
        ("int8-hidden-state-int16", _model("int8", types=dict(h="int16")), VALUE),
        ("int8-bias-int64", _model("int8", types=dict(bi="int64", bf="int64", bc="int64", bo="int64")), VALUE),
        ("int8-one-weight-int16", _model("int8", types=dict(ro="int16")), VALUE),
        ("int16-bias-int32", _model("int16", types=dict(bi="int32", bf="int32", bc="int32", bo="int32")), VALUE),
        ("int8-output-int16", _model("int8", types=dict(y="int16")), VALUE),
        ("int8-no-quantization", _model("int8", quant=False), VALUE),
        # Not implemented: what TFLM refuses or aborts on
        ("peephole", _model(add=("pi", "pf", "po")), UNSUPPORTED),
        ("projection", _model(add=("pw",)), UNSUPPORTED),
        ("projection-bias", _model(add=("pb",)), UNSUPPORTED),
        ("layer-norm", _model(add=("li", "lf", "lc", "lo")), UNSUPPORTED),
        ("cifg", _model(omit=("wi", "ri", "bi")), UNSUPPORTED),
        ("hybrid-int8-weights", _model(types={n: "int8" for n in NAMES[1:9]}), UNSUPPORTED),
        ("int8-weights-int16", _model("int8", types={n: "int16" for n in NAMES[1:9]}), UNSUPPORTED),
        ("int8-cell-state-int8", _model("int8", types=dict(c="int8")), UNSUPPORTED),
        ("int32-input", _model("int32"), UNSUPPORTED),
        ("activation-relu", _model(opts=dict(fused_activation_function="RELU")), UNSUPPORTED),
        ("activation-none", _model(opts=dict(fused_activation_function="NONE")), UNSUPPORTED),
        ("diagonal-recurrent", _model(opts=dict(diagonal_recurrent_tensors=True)), UNSUPPORTED),
        ("per-channel-weights", _model("int8", per_channel=True), UNSUPPORTED),
        ("cell-scale-too-large", _model("int8", cell_scale=8.0), UNSUPPORTED),
        ("version-6", _model(version=6), UNSUPPORTED),
    ]
    return [("lstm/" + name, model, want) for name, model, want in c]
