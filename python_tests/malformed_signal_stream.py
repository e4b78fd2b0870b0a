"""Bad one-op models of the signal library's streaming custom ops
(SignalFramer, SignalOverlapAdd, SignalStacker, SignalDelay), for
malformed.py: cases(seed=None) -> [(name, model bytes, exception name)].
Also the model builder test_signal_stream.py uses.

ValueError: custom options absent, an option missing or out of range
(sizes and steps not positive, a step over the frame or the context, a
negative delay, prefill with a frame shorter than its step, T not the
tensors' type), shapes inconsistent with the options (the input not a
whole number of steps, outputs not the shape the options give, a valid
output that is not a bool scalar), empty or rank-0 inputs, inputs and
outputs of different types.
NotImplementedError: input types TFLM does not register (int8, int32;
float32 where only int16 is), versions above 1.
"""
from flatbuffers import flexbuffers

from tflite_builder import ModelBuilder

V, N = "ValueError", "NotImplementedError"
# TFLite TensorType codes, for SignalOverlapAdd's T.
TYPE_CODES = {"float32": 0, "int16": 7}


def flex(options):
    return bytes(flexbuffers.Dumps(options))


def build(op, options, in_shape, out_shapes, dtype="int16", out_types=None, options_bytes=None, version=1):
    """A one-op model: one input, outputs of out_shapes (the op's type, a
    bool for a second `valid` output unless out_types says)."""
    b = ModelBuilder()
    x = b.tensor(in_shape, dtype)
    if out_types is None:
        out_types = [dtype, "bool"][:len(out_shapes)]
    outs = [b.tensor(s, t) for s, t in zip(out_shapes, out_types)]
    b.custom_op(op, [x], outs, custom_options=flex(options) if options_bytes is None else options_bytes,
                version=version)
    b.inputs([x])
    b.outputs(outs)
    return b.build()


def framer(frame_size, frame_step, prefill, in_shape, out_shape=None, **kw):
    out = list(in_shape[:-1]) + [in_shape[-1] // frame_step, frame_size] if out_shape is None else out_shape
    return build("SignalFramer", dict(frame_size=frame_size, frame_step=frame_step, prefill=prefill),
                 in_shape, [out, []], **kw)


def overlap_add(frame_step, in_shape, dtype="float32", out_shape=None, type_code=None, **kw):
    out = list(in_shape[:-2]) + [in_shape[-2] * frame_step] if out_shape is None else out_shape
    t = TYPE_CODES.get(dtype, 0) if type_code is None else type_code
    return build("SignalOverlapAdd", dict(T=t, frame_step=frame_step), in_shape, [out], dtype=dtype, **kw)


def stacker(channels, left, right, step, in_shape=None, out_shape=None, **kw):
    in_shape = [channels] if in_shape is None else in_shape
    out_shape = [channels * (left + right + 1)] if out_shape is None else out_shape
    o = dict(num_channels=channels, stacker_left_context=left, stacker_right_context=right, stacker_step=step)
    return build("SignalStacker", o, in_shape, [out_shape, []], **kw)


def delay(delay_length, in_shape, out_shape=None, **kw):
    return build("SignalDelay", dict(delay_length=delay_length), in_shape,
                 [in_shape if out_shape is None else out_shape], **kw)


def _without(op, options, key, in_shape, out_shapes, **kw):
    """The model with `key` left out of the options."""
    o = {k: v for k, v in options.items() if k != key}
    return build(op, o, in_shape, out_shapes, **kw)


def cases(seed=None):
    fo = dict(frame_size=4, frame_step=2, prefill=False)
    so = dict(num_channels=2, stacker_left_context=1, stacker_right_context=1, stacker_step=1)
    c = [
        # SignalFramer
        ("framer_options_absent", framer(4, 2, False, [6], options_bytes=b""), V),
        ("framer_options_not_map", framer(4, 2, False, [6], options_bytes=flex([4, 2, False])), V),
        ("framer_frame_size_missing", _without("SignalFramer", fo, "frame_size", [6], [[3, 4], []]), V),
        ("framer_frame_step_missing", _without("SignalFramer", fo, "frame_step", [6], [[3, 4], []]), V),
        ("framer_prefill_missing", _without("SignalFramer", fo, "prefill", [6], [[3, 4], []]), V),
        ("framer_frame_size_0", framer(0, 2, False, [6], out_shape=[3, 0]), V),
        ("framer_frame_step_0", framer(4, 0, False, [6], out_shape=[1, 4]), V),
        ("framer_frame_step_negative", framer(4, -2, False, [6], out_shape=[1, 4]), V),
        ("framer_frame_size_int32_max", framer(2 ** 31 - 1, 2, False, [6], out_shape=[3, 1]), V),
        ("framer_options_over_int32", framer(4, 2, False, [6], options_bytes=flex(dict(fo, frame_size=2 ** 40))), V),
        ("framer_step_not_dividing_input", framer(4, 4, False, [6], out_shape=[1, 4]), V),
        ("framer_step_over_input", framer(4, 8, False, [6], out_shape=[1, 4]), V),
        ("framer_prefill_frame_under_step", framer(2, 3, True, [6]), V),
        ("framer_output_frames_wrong", framer(4, 2, False, [6], out_shape=[2, 4]), V),
        ("framer_output_frame_size_wrong", framer(4, 2, False, [6], out_shape=[3, 5]), V),
        ("framer_output_rank_same", framer(4, 2, False, [6], out_shape=[12]), V),
        ("framer_output_outer_wrong", framer(4, 2, False, [2, 6], out_shape=[3, 3, 4]), V),
        ("framer_valid_int16", framer(4, 2, False, [6], out_types=["int16", "int16"]), V),
        ("framer_valid_rank_1", build("SignalFramer", fo, [6], [[3, 4], [1]]), V),
        ("framer_input_scalar", framer(4, 2, False, [], out_shape=[1, 4]), V),
        ("framer_input_empty", framer(4, 2, False, [0, 6], out_shape=[0, 3, 4]), V),
        ("framer_output_float32", framer(4, 2, False, [6], out_types=["float32", "bool"]), V),
        ("framer_float32", framer(4, 2, False, [6], dtype="float32", out_types=["float32", "bool"]), N),
        ("framer_int8", framer(4, 2, False, [6], dtype="int8", out_types=["int8", "bool"]), N),
        ("framer_version_2", framer(4, 2, False, [6], version=2), N),
        # SignalOverlapAdd
        ("overlap_add_options_absent", overlap_add(2, [3, 4], options_bytes=b""), V),
        ("overlap_add_T_missing", _without("SignalOverlapAdd", dict(T=0, frame_step=2), "T", [3, 4], [[6]],
                                           dtype="float32"), V),
        ("overlap_add_frame_step_missing", _without("SignalOverlapAdd", dict(T=0, frame_step=2), "frame_step",
                                                    [3, 4], [[6]], dtype="float32"), V),
        ("overlap_add_frame_step_0", overlap_add(0, [3, 4], out_shape=[3]), V),
        ("overlap_add_frame_step_negative", overlap_add(-1, [3, 4], out_shape=[3]), V),
        ("overlap_add_frame_step_over_frame", overlap_add(5, [3, 4]), V),
        ("overlap_add_T_int16_tensors_float", overlap_add(2, [3, 4], type_code=7), V),
        ("overlap_add_T_float_tensors_int16", overlap_add(2, [3, 4], dtype="int16", type_code=0), V),
        ("overlap_add_T_int8", overlap_add(2, [3, 4], type_code=9), V),
        ("overlap_add_input_rank_1", overlap_add(2, [4], out_shape=[2]), V),
        ("overlap_add_input_empty", overlap_add(2, [0, 4], out_shape=[0]), V),
        ("overlap_add_output_wrong_length", overlap_add(2, [3, 4], out_shape=[7]), V),
        ("overlap_add_output_rank_same", overlap_add(2, [3, 4], out_shape=[3, 2]), V),
        ("overlap_add_output_outer_wrong", overlap_add(2, [2, 3, 4], out_shape=[3, 6]), V),
        ("overlap_add_output_type", overlap_add(2, [3, 4], out_types=["int16"]), V),
        ("overlap_add_int8", overlap_add(2, [3, 4], dtype="int8", type_code=9), N),
        ("overlap_add_int32", overlap_add(2, [3, 4], dtype="int32", type_code=2), N),
        # SignalStacker
        ("stacker_options_absent", stacker(2, 1, 1, 1, options_bytes=b""), V),
        ("stacker_num_channels_missing", _without("SignalStacker", so, "num_channels", [2], [[6], []]), V),
        ("stacker_left_missing", _without("SignalStacker", so, "stacker_left_context", [2], [[6], []]), V),
        ("stacker_right_missing", _without("SignalStacker", so, "stacker_right_context", [2], [[6], []]), V),
        ("stacker_step_missing", _without("SignalStacker", so, "stacker_step", [2], [[6], []]), V),
        ("stacker_num_channels_0", stacker(0, 1, 1, 1, in_shape=[2], out_shape=[6]), V),
        ("stacker_left_negative", stacker(2, -1, 1, 1, out_shape=[4]), V),
        ("stacker_right_negative", stacker(2, 1, -1, 1, out_shape=[4]), V),
        ("stacker_step_0", stacker(2, 1, 1, 0), V),
        ("stacker_step_over_window", stacker(2, 1, 1, 4), V),
        ("stacker_contexts_huge", stacker(2, 2 ** 30, 2 ** 30, 1, out_shape=[6]), V),
        ("stacker_input_not_channels", stacker(2, 1, 1, 1, in_shape=[3]), V),
        ("stacker_input_rank_2", stacker(2, 1, 1, 1, in_shape=[1, 2]), V),
        ("stacker_output_short", stacker(2, 1, 1, 1, out_shape=[5]), V),
        ("stacker_output_rank_2", stacker(2, 1, 1, 1, out_shape=[3, 2]), V),
        ("stacker_valid_float32", stacker(2, 1, 1, 1, out_types=["int16", "float32"]), V),
        ("stacker_float32", stacker(2, 1, 1, 1, dtype="float32", out_types=["float32", "bool"]), N),
        # SignalDelay
        ("delay_options_absent", delay(2, [4], options_bytes=b""), V),
        ("delay_length_missing", build("SignalDelay", dict(delay=2), [4], [[4]]), V),
        ("delay_length_negative", delay(-1, [4]), V),
        ("delay_length_huge", delay(2 ** 31 - 1, [2, 4]), V),
        ("delay_length_string", build("SignalDelay", dict(delay_length="2"), [4], [[4]]), V),
        ("delay_output_shape", delay(2, [2, 4], out_shape=[4, 2]), V),
        ("delay_output_rank", delay(2, [2, 4], out_shape=[8]), V),
        ("delay_input_scalar", delay(2, []), V),
        ("delay_input_empty", delay(2, [0]), V),
        ("delay_output_type", delay(2, [4], out_types=["int8"]), V),
        ("delay_int8", delay(2, [4], dtype="int8"), N),
        ("delay_float32", delay(2, [4], dtype="float32"), N),
    ]
    return [("signal_stream/" + name, model, exc) for name, model, exc in c]
