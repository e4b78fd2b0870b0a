"""TFLite_Detection_PostProcess, the custom op of SSD models: box decoding
against anchors, then fast or regular non-max suppression, with its options
in a FlexBuffers map (built here with the flatbuffers package's
flexbuffers module, as the converter writes them).

Float outputs are compared with the oracle exactly (tolerance 0): the
kernel does TFLM's own float and double operations in TFLM's order, and
orders equal scores as TFLM does. The oracle takes float32 inputs only;
uint8/int8 inputs (dequantized as TFLite does, (float(q) - zero_point) *
scale) are compared with the oracle run on the float model fed with the
same inputs dequantized by numpy in float32 with those two operations.
"""
import os
import subprocess
import tempfile

import numpy as np
import pytest

from harness import assert_all_match, load_each, oracle, run_fitting, run_raw
from malformed_detection import OP, QPARAMS, build, flex, flex_typed, options_for
from targets import ASAN_RUNNER
from tflite_builder import np_dtype


def ssd_data(rng, num_boxes, classes_all, stride=4, ties=False, clusters=True):
    """Float box encodings, class scores and anchors like an SSD head's:
    anchors in a unit image (clustered, so that NMS has overlaps to
    suppress), small encodings, scores in [0, 1) (rounded to 1/16 for many
    equal scores with `ties`)."""
    if clusters:
        centres = rng.uniform(0.1, 0.9, size=(1 + num_boxes // 6, 2))
        yx = centres[rng.integers(0, len(centres), num_boxes)] + rng.normal(0, 0.03, (num_boxes, 2))
    else:
        yx = rng.uniform(0, 1, (num_boxes, 2))
    hw = rng.uniform(0.05, 0.4, (num_boxes, 2))
    anchors = np.concatenate([yx, hw], 1).astype(np.float32)
    enc = np.concatenate([rng.normal(0, 1.0, (1, num_boxes, 2)), rng.normal(0, 0.5, (1, num_boxes, stride - 2))],
                         2).astype(np.float32)
    scores = rng.uniform(0, 1, (1, num_boxes, classes_all)) ** 2
    if ties:
        scores = np.floor(scores * 16) / 16
    return enc, scores.astype(np.float32), anchors


def quantize(x, dtype, i):
    scale, zp = QPARAMS[dtype][i]
    info = np.iinfo(np_dtype(dtype))
    return np.clip(np.round(x / np.float32(scale)) + zp, info.min, info.max).astype(np_dtype(dtype))


def dequantize(q, dtype, i):
    scale, zp = QPARAMS[dtype][i]
    return (q.astype(np.float32) - np.float32(zp)) * np.float32(scale)


class Case:
    """A model, its input sets, and the float model and inputs the oracle
    runs for it (the same ones for float models)."""

    def __init__(self, cid, model, batches, oracle_model=None, oracle_batches=None):
        self.id, self.model, self.batches = cid, model, batches
        self.oracle_model = oracle_model or model
        self.oracle_batches = oracle_batches or batches


def make_case(cid, rng, num_boxes, num_classes, background=1, types=("float32",) * 3, const_anchors=False,
              stride=4, n_batches=1, ties=False, out_n=None, **overrides):
    o = options_for(num_classes, **overrides)
    classes_all = num_classes + background
    data = [ssd_data(rng, num_boxes, classes_all, stride, ties) for _ in range(n_batches)]
    # Quantized inputs, and their float readings for the oracle.
    qdata, fdata = [], []
    for d in data:
        qd = [quantize(x, t, i) if t in QPARAMS else x for i, (x, t) in enumerate(zip(d, types))]
        qdata.append(qd)
        fdata.append([dequantize(x, t, i) if t in QPARAMS else x for i, (x, t) in enumerate(zip(qd, types))])
    anchors = qdata[0][2] if const_anchors else None
    model = build(num_boxes, classes_all, o, types, anchors, stride, out_n)
    batches = [qd[:2] if const_anchors else qd for qd in qdata]
    if all(t == "float32" for t in types):
        return Case(cid, model, batches)
    fmodel = build(num_boxes, classes_all, o, ("float32",) * 3, fdata[0][2] if const_anchors else None, stride, out_n)
    return Case(cid, model, batches, fmodel, [fd[:2] if const_anchors else fd for fd in fdata])


def check(target, cases):
    """Every case on the target against the oracle, floats exact (on a board
    with little RAM: those that fit, harness.run_fitting)."""
    ran, got, done = run_fitting(target, [(c.model, c.batches) for c in cases])
    ran = [cases[i] for i in ran]
    assert_all_match([c.id for c in ran], got, (oracle(c.oracle_model, c.oracle_batches) for c in ran))
    done()


# ---------------------------------------------------------------------------


def test_detection_fast_nms(target, sweep):
    rng = np.random.default_rng(1)
    cases = []
    shapes = [(20, 3), (100, 10), (200, 4)]
    if sweep == "full":
        shapes += [(1917, 3), (1917, 90), (500, 91), (64, 1)]
    for nb, nc in shapes:
        for bg in (1, 0):
            cases.append(make_case(f"fast-{nb}x{nc}-bg{bg}", rng, nb, nc, bg))
    # SSD MobileNet's 1917 anchors.
    cases.append(make_case("fast-1917x3", rng, 1917, 3, const_anchors=True))
    cases += [
        make_case("fast-ties", rng, 100, 5, ties=True),
        make_case("fast-ties-low-threshold", rng, 80, 4, ties=True, nms_score_threshold=0.0),
        make_case("fast-const-anchors", rng, 80, 6, const_anchors=True),
        make_case("fast-stride6", rng, 80, 3, stride=6),
        make_case("fast-maxdet-1", rng, 60, 3, max_detections=1),
        make_case("fast-maxdet-0", rng, 60, 3, max_detections=0),
        make_case("fast-maxdet-over-boxes", rng, 7, 3, max_detections=20),
        make_case("fast-maxdet-all", rng, 150, 4, max_detections=150),
        make_case("fast-maxdet-all-iou-0.3", rng, 150, 4, max_detections=150, nms_iou_threshold=0.3, ties=True),
        make_case("fast-iou-1", rng, 80, 3, nms_iou_threshold=1.0),
        make_case("fast-iou-small", rng, 80, 3, nms_iou_threshold=0.01),
        make_case("fast-threshold-over-all", rng, 50, 3, nms_score_threshold=2.0),
        make_case("fast-threshold-negative", rng, 50, 3, nms_score_threshold=-1.0),
        make_case("fast-threshold-nan", rng, 50, 3, nms_score_threshold=float("nan")),
        make_case("fast-negative-scales", rng, 50, 3, y_scale=-10.0, x_scale=-7.5, h_scale=-5.0),
        make_case("fast-options-omitted", rng, 50, 3, detections_per_class=None, use_regular_nms=None),
        # Several input sets on one interpreter: entries past the detections
        # keep the previous invoke's values, as in TFLM.
        make_case("fast-stale-entries", rng, 60, 3, n_batches=4, nms_score_threshold=0.6),
    ]
    # More than one class per detection (k = min(classes per detection, classes)).
    for mc, nc in ((2, 2), (3, 3), (5, 2), (2, 6)):
        cases.append(make_case(f"fast-classes-per-detection-{mc}-of-{nc}", rng, 40, nc,
                               max_classes_per_detection=mc, max_detections=5))
    check(target, cases)


def test_detection_regular_nms(target, sweep):
    rng = np.random.default_rng(2)
    cases = []
    shapes = [(20, 3), (100, 10), (200, 4)]
    if sweep == "full":
        shapes += [(1917, 90), (1917, 3), (500, 91)]
    for nb, nc in shapes:
        for bg in (1, 0):
            cases.append(make_case(f"regular-{nb}x{nc}-bg{bg}", rng, nb, nc, bg, use_regular_nms=True))
    cases += [
        make_case("regular-ties", rng, 100, 6, ties=True, use_regular_nms=True),
        make_case("regular-ties-dpc3", rng, 100, 6, ties=True, use_regular_nms=True, detections_per_class=3),
        make_case("regular-dpc1", rng, 100, 5, use_regular_nms=True, detections_per_class=1),
        make_case("regular-dpc-default", rng, 100, 5, use_regular_nms=True, detections_per_class=None),
        make_case("regular-dpc-int32-max", rng, 100, 5, use_regular_nms=True, detections_per_class=2 ** 31 - 1),
        make_case("regular-maxdet-0", rng, 40, 3, use_regular_nms=True, max_detections=0),
        make_case("regular-maxdet-large", rng, 30, 3, use_regular_nms=True, max_detections=100),
        make_case("regular-maxdet-100-dpc-20", rng, 120, 8, use_regular_nms=True, max_detections=100,
                  detections_per_class=20, nms_iou_threshold=0.3, ties=True),
        make_case("regular-threshold-over-all", rng, 40, 3, use_regular_nms=True, nms_score_threshold=2.0),
        make_case("regular-const-anchors", rng, 90, 4, const_anchors=True, use_regular_nms=True),
        # The converter sizes the outputs max_detections * max_classes_per_detection.
        make_case("regular-outputs-larger", rng, 60, 4, use_regular_nms=True, max_classes_per_detection=3,
                  out_n=30),
        make_case("regular-stale-entries", rng, 60, 3, n_batches=3, use_regular_nms=True),
    ]
    check(target, cases)


@pytest.mark.parametrize("dtype", ["uint8", "int8"])
def test_detection_quantized_inputs(target, dtype, sweep):
    rng = np.random.default_rng(3 if dtype == "uint8" else 4)
    q, f = dtype, "float32"
    cases = []
    for regular in (False, True):
        name = "regular" if regular else "fast"
        cases += [
            make_case(f"{dtype}-{name}-all", rng, 100, 5, types=(q, q, q), use_regular_nms=regular),
            make_case(f"{dtype}-{name}-const-anchors", rng, 100, 5, types=(q, q, q), const_anchors=True,
                      use_regular_nms=regular),
            make_case(f"{dtype}-{name}-scores-only", rng, 100, 4, types=(f, q, f), use_regular_nms=regular),
            make_case(f"{dtype}-{name}-boxes-only", rng, 100, 4, types=(q, f, f), use_regular_nms=regular),
        ]
    if sweep == "full":
        cases.append(make_case(f"{dtype}-ssd-1917x90", rng, 1917, 90, types=(q, q, q), const_anchors=True))
    check(target, cases)


def test_detection_option_encodings(target):
    """Options written with other flexbuffer encodings (unsigned, indirect,
    32-bit floats, ints for floats, a bool given as an int) read as TFLM's
    flexbuffers reader reads them."""
    rng = np.random.default_rng(6)
    variants = [
        [("max_detections", "UInt", 7), ("max_classes_per_detection", "IndirectInt", 1),
         ("nms_iou_threshold", "IndirectFloat", 0.4, 4), ("nms_score_threshold", "Float", 0.25, 4),
         ("num_classes", "IndirectUInt", 4), ("use_regular_nms", "Int", 1), ("detections_per_class", "Int", 3),
         ("y_scale", "Int", 10), ("x_scale", "UInt", 10), ("h_scale", "IndirectFloat", 5.0, 8),
         ("w_scale", "Float", 4.5, 4)],
        [("max_detections", "Float", 6.9), ("max_classes_per_detection", "Bool", True),
         ("nms_iou_threshold", "Float", 0.6), ("nms_score_threshold", "Int", 0),
         ("num_classes", "Int", 4, 8), ("use_regular_nms", "Float", 0.5), ("extra_key", "String", "x"),
         ("y_scale", "Float", 10.0), ("x_scale", "Float", 10.0), ("h_scale", "Float", 5.0),
         ("w_scale", "Float", 5.0)],
    ]
    # The outputs sized for what each variant reads: 7 regular, 6 fast.
    cases = []
    for k, (entries, n) in enumerate(zip(variants, (7, 6))):
        model = build(50, 5, options_for(4), options_bytes=flex_typed(entries), out_n=n)
        data = list(ssd_data(rng, 50, 5))
        cases.append(Case(f"encoding-{k}", model, [data]))
    check(target, cases)


def test_detection_invalid_box_at_invoke(target):
    """A box that decodes empty (TFLM refuses it at invoke) raises ValueError
    from invoke; the interpreter then runs the next inputs."""
    rng = np.random.default_rng(5)
    o = options_for(3)
    model = build(30, 4, o)
    good = list(ssd_data(rng, 30, 4))
    bad = [x.copy() for x in good]
    bad[0][0, 7, 2] = -1e4  # exp(-2000) = 0: zero height
    got = run_raw(target, [(model, [bad, good])])[0]
    assert isinstance(got[0], str) and got[0].startswith("ValueError:") and "box 7" in got[0], got[0]
    assert not isinstance(got[1], str), got[1]
    want = oracle(model, [good])[0]
    assert [g for g in got[1]] == [w.astype(np.float32).tobytes() for w in want]


def test_detection_options_corrupted_never_crash(target):
    """Every truncation and byte change of the options flexbuffer loads or
    raises ValueError; on unix every one also runs through the core built
    with ASan and UBSan, which fails on any read outside the bytes."""
    o = flex(options_for(3))
    variants = [o[:n] for n in range(len(o))]
    for i in range(len(o)):
        for v in (0x00, 0xFF, o[i] ^ 0x01, o[i] ^ 0x80):
            if v != o[i]:
                variants.append(o[:i] + bytes([v]) + o[i + 1:])
    if target.emulated:
        variants = variants[::8]  # loading is slow there; the unix run takes them all
    models = [build(10, 4, options_for(3), options_bytes=v) for v in variants]
    if getattr(target, "asan", False):
        # One sanitizer build (the kernels are the same in the others), every
        # third variant: test_flexbuffer (make -C modtflm/host) damages the
        # reader's input far more thoroughly.
        with tempfile.TemporaryDirectory() as d:
            for k, m in list(enumerate(models))[::3]:
                path = os.path.join(d, f"v{k}.tflite")
                with open(path, "wb") as f:
                    f.write(m)
                r = subprocess.run([ASAN_RUNNER, path], capture_output=True, text=True, timeout=60)
                out = r.stdout + r.stderr
                assert r.returncode in (0, 2) and "runtime error" not in out and "Sanitizer" not in out, \
                    f"options {variants[k].hex()}:\n{out[-2000:]}"
    got = load_each(target, models, invoke=True)
    bad = [f"{variants[k].hex()}: {g}" for k, g in enumerate(got)
           if g is None or not (g == "accepted" or g.startswith("ValueError: "))]
    assert not bad, "\n".join(bad[:20])
    assert sum(g.startswith("ValueError") for g in got) > len(variants) // 2


def test_detection_listed_and_named(target):
    """tflm.ops() lists the custom op by name; errors name it."""
    model = build(10, 4, options_for(3, nms_iou_threshold=0.0))
    out = target.run(f"""
import tflm
assert {OP!r} in tflm.ops(), tflm.ops()
try:
    tflm.Interpreter(open('m.tflite', 'rb').read())
except ValueError as e:
    print('ERR', e)
""", files={"m.tflite": model})
    assert f"ERR op 0 ({OP}): nms_iou_threshold" in out, out
