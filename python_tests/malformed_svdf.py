"""Malformed and unsupported one-op SVDF models, for malformed.py:
cases(seed=None) -> [(name, model bytes, exception name)].

ValueError: rank not positive or not dividing the filter count, tensors of
the wrong rank or shape (input, weights, bias, state, output), a state that
is not a variable tensor or has data in the model, an empty state (TFLM's shift would run past it),
type mismatches between the tensors, a missing state or weights, a bias
scale that is not the state's times weights_time's, quantized tensors
without quantization, fused activation out of range.
NotImplementedError: hybrid SVDF (float input, int8 weights), int8 SVDF
without bias (the oracle crashes on it), other input types, versions above 3.
"""
from tflite_builder import ModelBuilder

VALUE = "ValueError"
UNSUPPORTED = "NotImplementedError"


def _model(dtype="float32", batch=2, n_in=4, units=3, rank=2, memory=3, bias=True, act="NONE", state_dtype=None,
           shapes=None, types=None, variable=True, version=None, quant=True, bias_scale=None, omit=(),
           opts=None, wf_dtype=None, state_buffer=False):
    """An SVDF model; `shapes` / `types` override a tensor's shape or type by
    name (x, wf, wt, bias, state, y); `omit` lists inputs given as -1."""
    filters = units * rank
    shapes = dict(shapes or {})
    types = dict(types or {})
    integer = dtype != "float32"
    state_dtype = state_dtype or ("int16" if integer else "float32")
    sh = dict(x=(batch, n_in), wf=(filters, n_in), wt=(filters, memory), bias=(units,),
              state=(batch, memory * filters), y=(batch, units))
    sh.update(shapes)
    ty = dict(x=dtype, wf=wf_dtype or dtype, wt=state_dtype if integer else "float32",
              bias="int32" if integer else "float32", state=state_dtype, y=dtype)
    ty.update(types)
    q = dict(x=(0.01, 0), wf=(0.004, 0), wt=(0.0001, 0), state=(0.002, 0), y=(0.05, 0))
    q["bias"] = (bias_scale if bias_scale is not None else 0.002 * 0.0001, 0)
    b = ModelBuilder()

    def qa(name):
        if not quant or ty[name] in ("float32",):
            return {}
        return dict(scale=q[name][0], zero_point=q[name][1])

    x = b.tensor(sh["x"], ty["x"], **qa("x"))
    wf = b.tensor(sh["wf"], ty["wf"], **qa("wf"))
    wt = b.tensor(sh["wt"], ty["wt"], **qa("wt"))
    bs = b.tensor(sh["bias"], ty["bias"], **qa("bias")) if bias else None
    buf = 0
    if state_buffer:
        buf = b.add_buffer(bytes({"float32": 4, "int16": 2, "int8": 1}[ty["state"]] * batch * memory * filters))
    st = b.tensor(sh["state"], ty["state"], variable=variable, buffer=buf, **qa("state"))
    y = b.tensor(sh["y"], ty["y"], **qa("y"))
    ins = [x, wf, wt, bs, st]
    for i in omit:
        ins[i] = None
    o = dict(rank=rank, fused_activation_function=act)
    o.update(opts or {})
    b.op("SVDF", ins, [y], options=o, version=version or (3 if integer else 1))
    # Weights as graph inputs: shapes and types are what is checked.
    b.inputs([t for t in (x, wf, wt, bs) if t is not None] + ([] if variable else [st]))
    b.outputs([y])
    return b.build()


def cases(seed=None):
    c = [
        # Options
        ("rank-zero", _model(opts=dict(rank=0)), VALUE),
        ("rank-negative", _model(opts=dict(rank=-2)), VALUE),
        ("rank-not-dividing-filters", _model(units=3, rank=2, opts=dict(rank=4)), VALUE),
        ("activation-out-of-range", _model(opts=dict(fused_activation_function=9)), VALUE),
        # Shapes
        ("input-rank-3", _model(shapes=dict(x=(2, 4, 1))), VALUE),
        ("input-rank-1", _model(shapes=dict(x=(4,))), VALUE),
        ("weights-feature-input-size", _model(shapes=dict(wf=(6, 5))), VALUE),
        ("weights-feature-rank-3", _model(shapes=dict(wf=(6, 4, 1))), VALUE),
        ("weights-time-filters", _model(shapes=dict(wt=(5, 3))), VALUE),
        ("weights-time-rank-1", _model(shapes=dict(wt=(18,))), VALUE),
        ("bias-units", _model(shapes=dict(bias=(4,))), VALUE),
        ("bias-scalar", _model(shapes=dict(bias=())), VALUE),
        ("state-batch", _model(shapes=dict(state=(1, 18))), VALUE),
        ("state-size", _model(shapes=dict(state=(2, 17))), VALUE),
        ("state-rank-3", _model(shapes=dict(state=(2, 3, 6))), VALUE),
        ("state-size-int8", _model("int8", shapes=dict(state=(2, 19))), VALUE),
        ("output-units", _model(shapes=dict(y=(2, 4))), VALUE),
        ("output-batch", _model(shapes=dict(y=(1, 3))), VALUE),
        ("output-rank-1", _model(shapes=dict(y=(6,))), VALUE),
        ("memory-zero", _model(memory=0), VALUE),
        ("batch-zero", _model(batch=0), VALUE),
        ("state-not-variable", _model(variable=False), VALUE),
        ("state-omitted", _model(omit=(4,)), VALUE),
        # The oracle refuses a variable state with data in the model.
        ("state-has-data", _model(state_buffer=True), VALUE),
        ("state-has-data-int8", _model("int8", state_dtype="int8", state_buffer=True), VALUE),
        ("weights-time-omitted", _model(omit=(2,)), VALUE),
        # Types
        ("float-state-int16", _model(types=dict(state="int16")), VALUE),
        ("float-weights-time-int8", _model(types=dict(wt="int8")), VALUE),
        ("float-bias-int32", _model(types=dict(bias="int32")), VALUE),
        ("float-output-int8", _model(types=dict(y="int8")), VALUE),
        ("int8-output-int16", _model("int8", types=dict(y="int16")), VALUE),
        ("int8-weights-feature-int16", _model("int8", wf_dtype="int16"), VALUE),
        ("int8-weights-time-int32", _model("int8", types=dict(wt="int32", state="int32")), VALUE),
        ("int8-state-type-differs", _model("int8", types=dict(state="int8")), VALUE),
        ("int8-bias-int64", _model("int8", types=dict(bias="int64")), VALUE),
        ("int8-bias-scale", _model("int8", bias_scale=0.01), VALUE),
        ("int8-no-quantization", _model("int8", quant=False), VALUE),
        # Not implemented (TFLM has no kernel, or crashes)
        ("hybrid-int8-weights", _model(wf_dtype="int8", types=dict(wt="int8")), UNSUPPORTED),
        ("int8-no-bias", _model("int8", bias=False), UNSUPPORTED),
        ("int8-bias-omitted", _model("int8", omit=(3,)), UNSUPPORTED),
        ("int16-input", _model("int16", types=dict(wf="int8")), UNSUPPORTED),
        ("version-4", _model(version=4), UNSUPPORTED),
    ]
    return [("svdf/" + name, model, want) for name, model, want in c]
