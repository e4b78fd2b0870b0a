"""Malformed or unsupported one-op models of the SHAPE family (SHAPE, FILL,
ZEROS_LIKE, BROADCAST_ARGS, BROADCAST_TO) and the INDEX family (GATHER_ND,
EMBEDDING_LOOKUP, DYNAMIC_UPDATE_SLICE): each must be refused at load with
the named exception (ValueError for a malformed model, NotImplementedError
for one we do not run), never crash. Loaded by malformed.py as the class
'shape_index'.
"""
import numpy as np

from tflite_builder import op_model

VE, NI = "ValueError", "NotImplementedError"


def i32(*v):
    return np.array(v, np.int32)


def cases(seed=None):
    f23 = ([2, 3],)
    emb = np.arange(12, dtype=np.float32).reshape(3, 4)
    q8 = dict(data=np.arange(12, dtype=np.int8).reshape(3, 4), scale=0.5, zero_point=0)
    out = [
        # SHAPE
        ("shape-float-output", op_model("SHAPE", [f23], [([2],)]), NI),
        ("shape-length", op_model("SHAPE", [f23], [([3], "int32")]), VE),
        ("shape-output-rank", op_model("SHAPE", [f23], [([1, 2], "int32")]), VE),
        # FILL
        ("fill-value-not-scalar", op_model("FILL", [i32(2, 3), np.array([1.0], np.float32)], [f23]), VE),
        ("fill-value-type", op_model("FILL", [i32(2, 3), np.array(1, np.int32)], [f23]), VE),
        ("fill-dims-values", op_model("FILL", [i32(3, 2), np.array(1.0, np.float32)], [f23]), VE),
        ("fill-negative-dims", op_model("FILL", [i32(-2, 3), np.array(1.0, np.float32)], [f23]), VE),
        ("fill-dims-length", op_model("FILL", [i32(2, 3, 1), np.array(1.0, np.float32)], [f23]), VE),
        ("fill-dims-rank", op_model("FILL", [np.array([[2, 3]], np.int32), np.array(1.0, np.float32)], [f23]),
         VE),
        ("fill-dims-float", op_model("FILL", [np.array([2, 3], np.float32), np.array(1.0, np.float32)], [f23]),
         VE),
        ("fill-dims-input-float", op_model("FILL", [([2], "float32"), np.array(1.0, np.float32)], [f23]), VE),
        ("fill-float16", op_model("FILL", [i32(2, 3), np.array(1.0, np.float16)], [([2, 3], "float16")]), NI),
        ("fill-one-input", op_model("FILL", [i32(2, 3)], [f23]), VE),
        # ZEROS_LIKE
        ("zeros_like-shape", op_model("ZEROS_LIKE", [f23], [([3, 2],)]), VE),
        ("zeros_like-type", op_model("ZEROS_LIKE", [f23], [([2, 3], "int32")]), VE),
        ("zeros_like-float16", op_model("ZEROS_LIKE", [([2, 3], "float16")], [([2, 3], "float16")]), NI),
        # BROADCAST_ARGS
        ("broadcast_args-float", op_model("BROADCAST_ARGS", [([2],), ([2],)], [([2],)]), VE),
        ("broadcast_args-types", op_model("BROADCAST_ARGS", [([2], "int32"), ([2], "int64")], [([2], "int32")]),
         VE),
        ("broadcast_args-output-type", op_model("BROADCAST_ARGS", [([2], "int32"), ([2], "int32")],
                                                [([2], "int64")]), VE),
        ("broadcast_args-rank", op_model("BROADCAST_ARGS", [([1, 2], "int32"), ([2], "int32")], [([2], "int32")]),
         VE),
        ("broadcast_args-length", op_model("BROADCAST_ARGS", [([2], "int32"), ([3], "int32")], [([2], "int32")]),
         VE),
        ("broadcast_args-incompatible", op_model("BROADCAST_ARGS", [i32(2, 3), i32(4, 3)], [([2], "int32")]), VE),
        # BROADCAST_TO
        ("broadcast_to-incompatible", op_model("BROADCAST_TO", [([3],), i32(2, 4)], [([2, 4],)], version=2), VE),
        ("broadcast_to-rank", op_model("BROADCAST_TO", [f23, i32(3)], [([3],)], version=2), VE),
        ("broadcast_to-shape-values", op_model("BROADCAST_TO", [([1, 3],), i32(2, 4)], [f23], version=2), VE),
        ("broadcast_to-negative-shape", op_model("BROADCAST_TO", [([1, 3],), i32(-2, 3)], [f23], version=2), VE),
        ("broadcast_to-shape-length", op_model("BROADCAST_TO", [([1, 3],), i32(1, 2, 3)], [f23], version=2), VE),
        ("broadcast_to-shape-float", op_model("BROADCAST_TO", [([1, 3],), np.array([2, 3], np.float32)], [f23],
                                              version=2), VE),
        ("broadcast_to-shape-int16", op_model("BROADCAST_TO", [([1, 3],), np.array([2, 3], np.int16)], [f23],
                                              version=2), VE),
        ("broadcast_to-types", op_model("BROADCAST_TO", [([1, 3], "int8", 0.1, 0), i32(2, 3)], [f23], version=3),
         VE),
        ("broadcast_to-version", op_model("BROADCAST_TO", [([1, 3],), i32(2, 3)], [f23], version=4), NI),
        # GATHER_ND
        ("gather_nd-depth", op_model("GATHER_ND", [([3, 2],), ([2, 3], "int32")], [([2],)]), VE),
        ("gather_nd-scalar-indices", op_model("GATHER_ND", [([3, 2],), ([], "int32")], [([3, 2],)]), VE),
        ("gather_nd-scalar-params", op_model("GATHER_ND", [([],), ([1, 0], "int32")], [([1],)]), VE),
        ("gather_nd-output-shape", op_model("GATHER_ND", [([3, 2],), ([2, 1], "int32")], [([2, 3],)]), VE),
        ("gather_nd-output-rank", op_model("GATHER_ND", [([3, 2],), ([2, 1], "int32")], [([4],)]), VE),
        ("gather_nd-float-indices", op_model("GATHER_ND", [([3, 2],), ([2, 1], "float32")], [([2, 2],)]), NI),
        ("gather_nd-types", op_model("GATHER_ND", [([3, 2],), ([2, 1], "int32")], [([2, 2], "int32")]), VE),
        ("gather_nd-version", op_model("GATHER_ND", [([3, 2],), ([2, 1], "int32")], [([2, 2],)], version=6), NI),
        # EMBEDDING_LOOKUP
        ("embedding-ids-rank", op_model("EMBEDDING_LOOKUP", [([2, 1], "int32"), emb], [([2, 4],)]), VE),
        ("embedding-values-rank", op_model("EMBEDDING_LOOKUP", [([2], "int32"), np.arange(3, dtype=np.float32)],
                                           [([2],)]), VE),
        ("embedding-output-shape", op_model("EMBEDDING_LOOKUP", [([2], "int32"), emb], [([2, 3],)]), VE),
        ("embedding-output-rows", op_model("EMBEDDING_LOOKUP", [([2], "int32"), emb], [([3, 4],)]), VE),
        ("embedding-int64-ids", op_model("EMBEDDING_LOOKUP", [([2], "int64"), emb], [([2, 4],)]), NI),
        ("embedding-types", op_model("EMBEDDING_LOOKUP", [([2], "int32"), emb], [([2, 4], "int8", 0.5, 0)]), VE),
        ("embedding-hybrid-zero-point", op_model("EMBEDDING_LOOKUP", [([2], "int32"), dict(q8, zero_point=3)],
                                                 [([2, 4],)]), NI),
        ("embedding-hybrid-no-scale", op_model("EMBEDDING_LOOKUP", [([2], "int32"), q8["data"]], [([2, 4],)]), VE),
        ("embedding-hybrid-per-channel", op_model("EMBEDDING_LOOKUP",
                                                  [([2], "int32"), dict(q8, scale=[0.5, 0.25, 0.125], zero_point=0)],
                                                  [([2, 4],)]), NI),
        ("embedding-version", op_model("EMBEDDING_LOOKUP", [([2], "int32"), emb], [([2, 4],)], version=4), NI),
        # DYNAMIC_UPDATE_SLICE
        ("dus-update-rank", op_model("DYNAMIC_UPDATE_SLICE", [f23, ([3],), ([2], "int32")], [f23]), VE),
        ("dus-update-larger", op_model("DYNAMIC_UPDATE_SLICE", [f23, ([2, 4],), ([2], "int32")], [f23]), VE),
        ("dus-start-length", op_model("DYNAMIC_UPDATE_SLICE", [f23, ([1, 2],), ([3], "int32")], [f23]), VE),
        ("dus-start-rank", op_model("DYNAMIC_UPDATE_SLICE", [f23, ([1, 2],), ([1, 2], "int32")], [f23]), VE),
        ("dus-start-float", op_model("DYNAMIC_UPDATE_SLICE", [f23, ([1, 2],), ([2], "float32")], [f23]), VE),
        ("dus-update-type", op_model("DYNAMIC_UPDATE_SLICE", [f23, ([1, 2], "int32"), ([2], "int32")], [f23]), VE),
        ("dus-output-type", op_model("DYNAMIC_UPDATE_SLICE", [f23, ([1, 2],), ([2], "int32")], [([2, 3], "int32")]),
         VE),
        ("dus-output-shape", op_model("DYNAMIC_UPDATE_SLICE", [f23, ([1, 2],), ([2], "int32")], [([3, 2],)]), VE),
        ("dus-float16", op_model("DYNAMIC_UPDATE_SLICE", [([2, 3], "float16"), ([1, 2], "float16"),
                                                          ([2], "int32")], [([2, 3], "float16")]), NI),
        ("dus-two-inputs", op_model("DYNAMIC_UPDATE_SLICE", [f23, ([1, 2],)], [f23]), VE),
    ]
    return [("shape_index/" + name, model, exc) for name, model, exc in out]
