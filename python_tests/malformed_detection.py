"""Bad and unsupported TFLite_Detection_PostProcess models (class detection
of the malformed corpus, see malformed.py): malformed custom options
(truncated or corrupt flexbuffers, values of the wrong kind), options out of
range or inconsistent with the tensors, wrong shapes and types, unknown
custom op names. Also the model builder test_ops_detection.py uses.
"""
import numpy as np
from flatbuffers import flexbuffers

from tflite_builder import ModelBuilder, np_dtype

V, N = "ValueError", "NotImplementedError"
OP = "TFLite_Detection_PostProcess"
F3 = ("float32",) * 3
# The options as the TF Object Detection API exports them.
DEFAULTS = dict(max_detections=10, max_classes_per_detection=1, detections_per_class=100,
                use_regular_nms=False, nms_score_threshold=0.3, nms_iou_threshold=0.5,
                num_classes=3, y_scale=10.0, x_scale=10.0, h_scale=5.0, w_scale=5.0)
# Quantization of uint8/int8 inputs: box encodings, class scores, anchors.
QPARAMS = {
    "uint8": [(0.05, 128), (1.0 / 256, 0), (1.0 / 255, 0)],
    "int8": [(0.05, 0), (1.0 / 256, -128), (1.0 / 255, -128)],
}


def flex(options):
    return bytes(flexbuffers.Dumps(options))


def flex_typed(entries):
    """A flexbuffer map written value by value: (key, builder method name
    such as 'IndirectFloat', value[, byte width])."""
    fbb = flexbuffers.Builder()
    with fbb.Map():
        for key, kind, *value in entries:
            getattr(fbb, kind)(key, *value)
    return bytes(fbb.Finish())


def options_for(num_classes, **overrides):
    """DEFAULTS with `num_classes` and overrides; a None value drops the key."""
    o = dict(DEFAULTS, num_classes=num_classes)
    o.update(overrides)
    return {k: v for k, v in o.items() if v is not None}


def out_count(o, num_boxes):
    """Detections the outputs must hold: max_detections for regular NMS; for
    fast NMS TFLM writes k*k entries per detection (k classes each)."""
    if o.get("use_regular_nms"):
        return o["max_detections"]
    k = min(o["max_classes_per_detection"], o["num_classes"])
    return k * k * min(o["max_detections"], num_boxes)


def build(num_boxes, classes_all, o, types=F3, anchors=None, stride=4, out_n=None, options_bytes=None,
          name=OP, version=1, out_types=("float32",) * 4, shapes=None, quant=None, n_inputs=3, n_outputs=4):
    """The one-op model. `anchors`: None makes them a graph input, an array
    a constant (of types[2]); uint8/int8 inputs get QPARAMS unless `quant`
    gives their quantization keywords ({} for none). `shapes` overrides
    tensor shapes by name: enc, cls, anc, boxes, classes, scores, num."""
    b = ModelBuilder()
    n = max(out_count(o, num_boxes), 1) if out_n is None else out_n  # (empty: TFLM takes it as dynamic)
    s = dict(enc=[1, num_boxes, stride], cls=[1, num_boxes, classes_all], anc=[num_boxes, 4],
             boxes=[1, n, 4], classes=[1, n], scores=[1, n], num=[1])
    s.update(shapes or {})

    def q(i):
        if quant and i in quant:
            return quant[i]
        t = types[i]
        return dict(zip(("scale", "zero_point"), QPARAMS[t][i])) if t in QPARAMS else {}

    enc = b.tensor(s["enc"], types[0], **q(0))
    cls = b.tensor(s["cls"], types[1], **q(1))
    if anchors is None:
        anc = b.tensor(s["anc"], types[2], **q(2))
        graph_ins = [enc, cls, anc]
    else:
        anc = b.const(np.asarray(anchors).astype(np_dtype(types[2])), types[2], shape=s["anc"], **q(2))
        graph_ins = [enc, cls]
    outs = [b.tensor(s[k], t) for k, t in zip(("boxes", "classes", "scores", "num"), out_types)]
    b.custom_op(name, [enc, cls, anc][:n_inputs], outs[:n_outputs],
                custom_options=flex(o) if options_bytes is None else options_bytes, version=version)
    b.inputs(graph_ins[:n_inputs])
    b.outputs(outs[:n_outputs])
    return b.build()


def _root_map(buf):
    """(offset of the root map's values, their byte width) in a flexbuffer."""
    rw, packed = buf[-1], buf[-2]
    slot = len(buf) - 2 - rw
    return slot - int.from_bytes(buf[slot:slot + rw], "little"), 1 << (packed & 3)


def _patch(buf, at, width, value):
    return buf[:at] + int(value).to_bytes(width, "little") + buf[at + width:]


def cases(seed=None):
    nb, nc = 12, 3
    o = options_for(nc)
    good = flex(o)
    vals, w = _root_map(good)

    def m(options=None, **kw):
        return build(nb, nc + 1, o, **kw) if options is None else build(nb, nc + 1, o, options_bytes=options, **kw)

    def opt(**overrides):
        oo = options_for(overrides.pop("num_classes", nc), **overrides)
        return build(nb, nc + 1, oo, options_bytes=flex(oo), out_n=max(out_count(o, nb), 1))

    unsorted = good.replace(b"max_detections\0", b"zax_detections\0")
    assert unsorted != good
    c = [
        # The flexbuffer itself.
        ("options_missing", m(b""), V),
        ("options_truncated_1", m(good[:1]), V),
        ("options_truncated_2", m(good[:2]), V),
        ("options_truncated_half", m(good[:len(good) // 2]), V),
        ("options_truncated_last", m(good[:-1]), V),
        ("options_root_width_3", m(good[:-1] + b"\x03"), V),
        ("options_root_width_past_start", m(b"\x00\x24\x08"), V),
        ("options_root_offset_past_start", m(good[:-3] + b"\xff" + good[-2:]), V),
        ("options_root_int", m(flex(5)), V),
        ("options_root_vector", m(flex([1, 2, 3])), V),
        ("options_root_string", m(flex("max_detections")), V),
        ("options_map_count_huge", m(_patch(good, vals - w, w, 200)), V),
        ("options_map_keys_offset_huge", m(_patch(good, vals - 3 * w, w, 1 << 20)), V),
        ("options_map_keys_width_3", m(_patch(good, vals - 2 * w, w, 3)), V),
        ("options_map_keys_unsorted", m(unsorted), V),
        ("options_value_string", opt(max_detections="10"), V),
        ("options_value_map", opt(num_classes={"a": 1}), V),
        ("options_value_vector", opt(nms_iou_threshold=[0.5]), V),
        ("options_int_over_int32", opt(max_detections=2 ** 40), V),
        ("options_int_nan", opt(num_classes=float("nan")), V),
        ("options_uint64_max", m(flex_typed([(k, "UInt", 2 ** 64 - 1) if k == "num_classes" else
                                              (k, "Float" if isinstance(v, float) else "Int", v)
                                              for k, v in o.items()])), V),
        # Option values.
        ("num_classes_missing", opt(num_classes=None), V),
        ("num_classes_0", opt(num_classes=0), V),
        ("num_classes_over_scores", opt(num_classes=nc + 2), V),
        ("num_classes_two_short", opt(num_classes=nc - 1), V),
        ("num_classes_int32_min", opt(num_classes=-2 ** 31), V),
        ("max_detections_int32_max", opt(max_detections=2 ** 31 - 1), V),
        ("max_detections_int32_max_regular", opt(max_detections=2 ** 31 - 1, use_regular_nms=True), V),
        ("max_detections_negative", opt(max_detections=-1), V),
        ("max_classes_per_detection_0", opt(max_classes_per_detection=0), V),
        ("max_classes_per_detection_missing", opt(max_classes_per_detection=None), V),
        ("detections_per_class_0_regular", opt(use_regular_nms=True, detections_per_class=0), V),
        ("iou_0", opt(nms_iou_threshold=0.0), V),
        ("iou_over_1", opt(nms_iou_threshold=1.5), V),
        ("iou_nan", opt(nms_iou_threshold=float("nan")), V),
        ("iou_missing", opt(nms_iou_threshold=None), V),
        ("y_scale_0", opt(y_scale=0.0), V),
        ("h_scale_inf", opt(h_scale=float("inf")), V),
        ("w_scale_missing", opt(w_scale=None), V),
        # Outputs.
        ("boxes_output_too_small", m(shapes=dict(boxes=[1, 9, 4])), V),
        ("scores_output_too_small", m(shapes=dict(scores=[1, 9])), V),
        ("num_output_empty", m(shapes=dict(num=[0])), V),
        ("regular_outputs_too_small", build(nb, nc + 1, options_for(nc, use_regular_nms=True, max_detections=20),
                                            out_n=10), V),
        # Fast NMS with 2 classes per detection: TFLM's layout needs 4 per box.
        ("fast_two_classes_converter_sized", build(nb, nc + 1, options_for(nc, max_classes_per_detection=2),
                                                   out_n=20), V),
        ("classes_output_int8", m(out_types=("float32", "int8", "float32", "float32")), V),
        ("num_output_int32", m(out_types=("float32",) * 3 + ("int32",)), V),
        ("outputs_3", m(n_outputs=3), V),
        ("inputs_2", m(n_inputs=2), V),
        # Input shapes.
        ("box_encodings_rank_2", m(shapes=dict(enc=[nb, 4])), V),
        ("box_encodings_batch_2", m(shapes=dict(enc=[2, nb, 4])), V),
        ("box_encodings_3_coords", m(shapes=dict(enc=[1, nb, 3])), V),
        ("class_predictions_rank_2", m(shapes=dict(cls=[nb, nc + 1])), V),
        ("class_predictions_other_boxes", m(shapes=dict(cls=[1, nb + 1, nc + 1])), V),
        ("class_predictions_batch_2", m(shapes=dict(cls=[2, nb, nc + 1])), V),
        ("anchors_3_coords", m(shapes=dict(anc=[nb, 3])), V),
        ("anchors_more_boxes", m(shapes=dict(anc=[nb + 1, 4])), V),
        ("anchors_rank_3", m(shapes=dict(anc=[1, nb, 4])), V),
        # Input types.
        ("box_encodings_int16", m(types=("int16", "float32", "float32"),
                                  quant={0: dict(scale=0.001, zero_point=0)}), N),
        ("class_predictions_int32", m(types=("float32", "int32", "float32")), N),
        ("anchors_uint8_unquantized", m(types=("float32", "float32", "uint8"), quant={2: {}}), V),
        ("anchors_int8_per_channel", m(types=("float32", "float32", "int8"),
                                       quant={2: dict(scale=[0.01, 0.01, 0.002, 0.002], zero_point=0,
                                                      quantized_dim=1)}), N),
        # The op itself.
        ("custom_name_unknown", m(name=OP + "V2"), N),
        ("custom_name_lower_case", m(name=OP.lower()), N),
        ("version_2", m(version=2), N),
    ]
    return [("detection/" + name, model, exc) for name, model, exc in c]
