"""Malformed layout-op models (DEPTH_TO_SPACE, SPACE_TO_DEPTH,
BATCH_TO_SPACE_ND, SPACE_TO_BATCH_ND, REVERSE_V2, MIRROR_PAD): bad block
sizes, crops, paddings, axes, modes and output shapes, refused when the model
is loaded. One-op models of their own; the seed is unused."""
import numpy as np

from tflite_builder import ModelBuilder

VALUE = "ValueError"
UNSUPPORTED = "NotImplementedError"


def model(op, ishape, oshape, consts=(), options=None, dtype="float32", odtype=None, omit_options=False):
    """x -> op(x, *consts) -> y; consts are numpy arrays (int32 unless given)."""
    b = ModelBuilder()
    x = b.tensor(ishape, dtype)
    y = b.tensor(oshape, odtype or dtype)
    cs = [b.const(c if isinstance(c, np.ndarray) else np.array(c, np.int32)) for c in consts]
    b.op(op, [x] + cs, [y], options=options, omit_options=omit_options)
    b.inputs([x])
    b.outputs([y])
    return b.build()


def d2s(ishape, oshape, bs, **kw):
    return model("DEPTH_TO_SPACE", ishape, oshape, options=dict(block_size=bs), **kw)


def s2d(ishape, oshape, bs, **kw):
    return model("SPACE_TO_DEPTH", ishape, oshape, options=dict(block_size=bs), **kw)


def b2s(ishape, oshape, block, crops, **kw):
    return model("BATCH_TO_SPACE_ND", ishape, oshape, [block, crops], **kw)


def s2b(ishape, oshape, block, pads, **kw):
    return model("SPACE_TO_BATCH_ND", ishape, oshape, [block, pads], **kw)


def rev(shape, axes, oshape=None, **kw):
    return model("REVERSE_V2", shape, oshape or shape, [axes], **kw)


def mp(ishape, oshape, pads, mode="REFLECT", **kw):
    return model("MIRROR_PAD", ishape, oshape, [pads], options=dict(mode=mode), **kw)


BIG = 2**31 - 1
Z2 = [[0, 0], [0, 0]]


def cases(seed=None):
    specs = [
        # DEPTH_TO_SPACE / SPACE_TO_DEPTH
        ("d2s_block_0", lambda: d2s([1, 1, 1, 4], [1, 1, 1, 4], 0), VALUE),
        ("d2s_block_negative", lambda: d2s([1, 1, 1, 4], [1, 2, 2, 1], -2), VALUE),
        ("d2s_block_huge", lambda: d2s([1, 1, 1, 4], [1, 1, 1, 4], 50000), VALUE),
        ("d2s_no_options", lambda: model("DEPTH_TO_SPACE", [1, 1, 1, 4], [1, 2, 2, 1], omit_options=True), VALUE),
        ("d2s_rank3", lambda: d2s([1, 1, 4], [2, 2, 1], 2), VALUE),
        ("d2s_depth_not_multiple", lambda: d2s([1, 1, 1, 6], [1, 2, 2, 1], 2), VALUE),
        ("d2s_output_shape", lambda: d2s([1, 1, 1, 8], [1, 2, 2, 1], 2), VALUE),
        ("d2s_output_rank", lambda: d2s([1, 1, 1, 4], [2, 2, 1], 2), VALUE),
        ("d2s_type_mismatch", lambda: d2s([1, 1, 1, 4], [1, 2, 2, 1], 2, odtype="int32"), VALUE),
        ("d2s_float16", lambda: d2s([1, 1, 1, 4], [1, 2, 2, 1], 2, dtype="float16"), UNSUPPORTED),
        ("s2d_block_0", lambda: s2d([1, 2, 2, 1], [1, 2, 2, 1], 0), VALUE),
        ("s2d_block_not_dividing", lambda: s2d([1, 3, 4, 1], [1, 1, 2, 4], 2), VALUE),
        ("s2d_output_shape", lambda: s2d([1, 4, 4, 1], [1, 2, 2, 2], 2), VALUE),
        ("s2d_rank5", lambda: s2d([1, 2, 2, 1, 1], [1, 1, 1, 4, 1], 2), VALUE),
        # BATCH_TO_SPACE_ND
        ("b2s_block_0", lambda: b2s([4, 1, 1, 1], [1, 2, 2, 1], [0, 2], Z2), VALUE),
        ("b2s_block_negative", lambda: b2s([4, 1, 1, 1], [1, 2, 2, 1], [-2, -2], Z2), VALUE),
        ("b2s_block_huge", lambda: b2s([4, 1, 1, 1], [1, 2, 2, 1], [65536, 65536], Z2), VALUE),
        ("b2s_crops_negative", lambda: b2s([4, 1, 1, 1], [1, 3, 2, 1], [2, 2], [[-1, 0], [0, 0]]), VALUE),
        ("b2s_crops_too_large", lambda: b2s([4, 1, 1, 1], [1, 0, 2, 1], [2, 2], [[2, 1], [0, 0]]), VALUE),
        ("b2s_crops_huge", lambda: b2s([4, 1, 1, 1], [1, 2, 2, 1], [2, 2], [[BIG, BIG], [0, 0]]), VALUE),
        ("b2s_batch_not_multiple", lambda: b2s([6, 1, 1, 1], [1, 2, 2, 1], [2, 2], Z2), VALUE),
        ("b2s_output_shape", lambda: b2s([4, 1, 1, 1], [1, 2, 1, 2], [2, 2], Z2), VALUE),
        ("b2s_output_rank", lambda: b2s([4, 1, 1, 1], [1, 2, 2], [2, 2], Z2), VALUE),
        ("b2s_block_length", lambda: b2s([4, 1, 1, 1], [1, 2, 2, 1], [2], Z2), VALUE),
        ("b2s_crops_shape", lambda: b2s([4, 1, 1, 1], [1, 2, 2, 1], [2, 2], [0, 0, 0, 0]), VALUE),
        ("b2s_crops_columns", lambda: b2s([4, 1, 1, 1], [1, 2, 2, 1], [2, 2], [[0, 0, 0], [0, 0, 0]]), VALUE),
        ("b2s_block_float", lambda: b2s([4, 1, 1, 1], [1, 2, 2, 1], np.array([2, 2], np.float32), Z2), VALUE),
        ("b2s_rank2", lambda: b2s([4, 1], [1, 4], [2], [[0, 0]]), VALUE),
        ("b2s_rank5", lambda: b2s([8, 1, 1, 1, 1], [1, 2, 2, 2, 1], [2, 2, 2], [[0, 0]] * 3), UNSUPPORTED),
        ("b2s_type_mismatch", lambda: b2s([4, 1, 1, 1], [1, 2, 2, 1], [2, 2], Z2, odtype="int8"), VALUE),
        # SPACE_TO_BATCH_ND
        ("s2b_block_0", lambda: s2b([1, 2, 2, 1], [4, 1, 1, 1], [2, 0], Z2), VALUE),
        ("s2b_paddings_negative", lambda: s2b([1, 2, 2, 1], [4, 1, 1, 1], [2, 2], [[1, -1], [0, 0]]), VALUE),
        ("s2b_not_divisible", lambda: s2b([1, 3, 2, 1], [4, 1, 1, 1], [2, 2], Z2), VALUE),
        ("s2b_paddings_huge", lambda: s2b([1, 2, 2, 1], [4, 1, 1, 1], [1, 1], [[BIG, 1], [0, 0]]), VALUE),
        ("s2b_block_huge", lambda: s2b([1, 2, 2, 1], [4, 1, 1, 1], [65536, 65536], [[65534, 0], [0, 65534]]),
         VALUE),
        ("s2b_output_shape", lambda: s2b([1, 2, 2, 1], [2, 2, 1, 1], [2, 2], Z2), VALUE),
        ("s2b_paddings_shape", lambda: s2b([1, 2, 2, 1], [4, 1, 1, 1], [2, 2], [[0, 0]]), VALUE),
        ("s2b_3d_block_length", lambda: s2b([1, 2, 1], [2, 1, 1], [2, 1], [[0, 0]]), VALUE),
        ("s2b_rank5", lambda: s2b([1, 2, 2, 2, 1], [8, 1, 1, 1, 1], [2, 2, 2], [[0, 0]] * 3), UNSUPPORTED),
        ("s2b_bool_to_int8", lambda: s2b([1, 2, 2, 1], [4, 1, 1, 1], [2, 2], Z2, dtype="bool", odtype="int8"),
         VALUE),
        # REVERSE_V2
        ("rev_axis_range", lambda: rev([2, 3, 4], [3]), VALUE),
        ("rev_axis_negative_range", lambda: rev([2, 3, 4], [-4]), VALUE),
        ("rev_axis_duplicate", lambda: rev([2, 3, 4], [1, 1]), VALUE),
        ("rev_axis_duplicate_negative", lambda: rev([2, 3, 4], [1, -2]), VALUE),
        ("rev_too_many_axes", lambda: rev([2, 3], [0, 1, 0]), VALUE),
        ("rev_axis_matrix", lambda: rev([2, 3], [[0]]), VALUE),
        ("rev_axis_float", lambda: rev([2, 3], np.array([0], np.float32)), VALUE),
        ("rev_output_shape", lambda: rev([2, 3], [0], oshape=[3, 2]), VALUE),
        ("rev_type_mismatch", lambda: rev([2, 3], [0], odtype="int32"), VALUE),
        ("rev_float16", lambda: rev([2, 3], [0], dtype="float16"), UNSUPPORTED),
        # MIRROR_PAD
        ("mp_reflect_pad_size", lambda: mp([3], [6], [[3, 0]]), VALUE),
        ("mp_reflect_pad_size_right", lambda: mp([2, 3], [2, 6], [[0, 0], [0, 3]]), VALUE),
        ("mp_symmetric_pad_over", lambda: mp([3], [7], [[0, 4]], mode="SYMMETRIC"), VALUE),
        ("mp_negative", lambda: mp([3], [4], [[2, -1]]), VALUE),
        ("mp_huge", lambda: mp([3], [3], [[BIG, 0]], mode="SYMMETRIC"), VALUE),
        ("mp_huge_int64", lambda: mp([3], [3], np.array([[2**40, 0]], np.int64), mode="SYMMETRIC"), VALUE),
        ("mp_paddings_vector", lambda: mp([3], [5], [1, 1]), VALUE),
        ("mp_paddings_rows", lambda: mp([3], [5], [[1, 1], [0, 0]]), VALUE),
        ("mp_paddings_columns", lambda: mp([3], [5], [[1, 1, 0]]), VALUE),
        ("mp_paddings_float", lambda: mp([3], [5], np.array([[1, 1]], np.float32)), VALUE),
        ("mp_mode_5", lambda: mp([3], [5], [[1, 1]], mode=5), VALUE),
        ("mp_output_shape", lambda: mp([3], [4], [[1, 1]]), VALUE),
        ("mp_output_rank", lambda: mp([2, 3], [2, 5, 1], [[0, 0], [1, 1]]), VALUE),
    ]
    return [("layout/" + name, make(), exc) for name, make, exc in specs]
