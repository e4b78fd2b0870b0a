"""Malformed models with several subgraphs, for malformed.py:
cases(seed=None) -> [(name, model bytes, exception name)], and the edits
test_control_flow.py makes of the converter's models (a chain of CALL_ONCE
calls of any depth, a branch subgraph called from two ops, an unreachable
subgraph).

Every case is one of the converter's models (models/ops/cond_float,
while_loop_float, accumulate_float: IF, WHILE with an IF in its body,
resource variables with a CALL_ONCE init subgraph) with one thing changed.

ValueError: a call's subgraph index out of range (IF then/else, WHILE,
CALL_ONCE) or missing options (index 0: the model's own subgraph); a
subgraph calling itself or a cycle of two; calls nested deeper than the
limit (8); a signature mismatch (input or output count, type, element
count) between an op and the subgraph it calls; an IF condition that is not
one bool; a WHILE condition subgraph that does not give one bool, a WHILE
whose outputs differ from its inputs; a CALL_ONCE subgraph with inputs;
a resource variable assigned or read with another size than it has; a
VAR_HANDLE output that is not a resource; a second subgraph with a tensor
index out of range (every subgraph is verified).
"""
import copy
import os

from tflite_builder import BUILTIN_OPS, pack_model, schema, unpack_model

VALUE = "ValueError"
# The converter's models are 3 to 6 KB, with many small tensors: a board
# with 16 KiB of RAM cannot load them beside the script (malformed.py).
NEEDS_RAM = 32 * 1024

OPS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "ops")
# The nesting the runtime accepts (TFLM_MAX_CALL_DEPTH in core/tflm.h).
MAX_CALL_DEPTH = 8


def load(name):
    with open(os.path.join(OPS_DIR, name + ".tflite"), "rb") as f:
        return f.read()


def _opcode(m, name):
    """The index of operator code `name` in model m, added when missing."""
    code = BUILTIN_OPS[name]
    for i, oc in enumerate(m.operatorCodes):
        if max(oc.builtinCode, oc.deprecatedBuiltinCode) == code:
            return i
    oc = schema.OperatorCodeT()
    oc.builtinCode = code
    oc.deprecatedBuiltinCode = min(code, 127)
    oc.version = 1
    m.operatorCodes.append(oc)
    return len(m.operatorCodes) - 1


def _code(m, op):
    oc = m.operatorCodes[op.opcodeIndex]
    return max(oc.builtinCode, oc.deprecatedBuiltinCode)


def _find(m, sg, name):
    """The first op `name` of subgraph sg."""
    return next(op for op in m.subgraphs[sg].operators if _code(m, op) == BUILTIN_OPS[name])


def _call_once(m, subgraph):
    op = schema.OperatorT()
    op.opcodeIndex = _opcode(m, "CALL_ONCE")
    op.inputs, op.outputs = [], []
    op.builtinOptionsType = schema.BuiltinOptions.CallOnceOptions
    op.builtinOptions = schema.CallOnceOptionsT()
    op.builtinOptions.initSubgraphIndex = subgraph
    return op


def _if(m, cond, ins, outs, then, other):
    op = schema.OperatorT()
    op.opcodeIndex = _opcode(m, "IF")
    op.inputs, op.outputs = [cond] + list(ins), list(outs)
    op.builtinOptionsType = schema.BuiltinOptions.IfOptions
    op.builtinOptions = schema.IfOptionsT()
    op.builtinOptions.thenSubgraphIndex, op.builtinOptions.elseSubgraphIndex = then, other
    return op


def _empty_subgraph(name):
    sg = schema.SubGraphT()
    sg.tensors, sg.inputs, sg.outputs, sg.operators = [], [], [], []
    sg.name = name
    return sg


def call_chain(depth, base="cond_float"):
    """`base` with a chain of `depth` subgraphs, each running the next with
    CALL_ONCE (the last does nothing), started by a CALL_ONCE first in
    subgraph 0: calls nested `depth` deep."""
    m = unpack_model(load(base))
    first = len(m.subgraphs)
    for k in range(depth):
        sg = _empty_subgraph(b"chain_%d" % k)
        if k + 1 < depth:
            sg.operators.append(_call_once(m, first + k + 1))
        m.subgraphs.append(sg)
    m.subgraphs[0].operators.insert(0, _call_once(m, first))
    return pack_model(m)


def shared_branches():
    """cond_float with a second IF running the same two branch subgraphs
    (on the other branch's condition), its result a third output."""
    m = unpack_model(load("cond_float"))
    g = m.subgraphs[0]
    op = _find(m, 0, "IF")
    # A second condition: the first one negated.
    cond = copy.deepcopy(g.tensors[op.inputs[0]])
    cond.name = b"not_cond"
    cond.buffer = len(m.buffers)
    m.buffers.append(schema.BufferT())
    g.tensors.append(cond)
    not_op = schema.OperatorT()
    not_op.opcodeIndex = _opcode(m, "LOGICAL_NOT")
    not_op.inputs, not_op.outputs = [op.inputs[0]], [len(g.tensors) - 1]
    outs = []
    for t in op.outputs:
        twin = copy.deepcopy(g.tensors[t])
        twin.name = g.tensors[t].name + b"_twin"
        twin.buffer = len(m.buffers)
        m.buffers.append(schema.BufferT())
        g.tensors.append(twin)
        outs.append(len(g.tensors) - 1)
    opts = op.builtinOptions
    second = _if(m, len(g.tensors) - 1 - len(outs), op.inputs[1:], outs,
                 opts.thenSubgraphIndex, opts.elseSubgraphIndex)
    at = g.operators.index(op) + 1
    g.operators[at:at] = [not_op, second]
    g.outputs = list(g.outputs) + outs
    return pack_model(m)


def unreachable_subgraph():
    """cond_float with a copy of its then-branch that nothing calls."""
    m = unpack_model(load("cond_float"))
    m.subgraphs.append(copy.deepcopy(m.subgraphs[_find(m, 0, "IF").builtinOptions.thenSubgraphIndex]))
    return pack_model(m)


def _edit(name, fn):
    m = unpack_model(load(name))
    fn(m)
    return pack_model(m)


def _options(op_name, **kw):
    """Sets fields of the options of subgraph 0's op `op_name`."""
    def fn(m):
        opts = _find(m, 0, op_name).builtinOptions
        for k, v in kw.items():
            setattr(opts, k, v)
    return fn


def _branch(m, which="thenSubgraphIndex"):
    return m.subgraphs[getattr(_find(m, 0, "IF").builtinOptions, which)]


def _branch_calls(m, sg_index, target):
    """Subgraph sg_index gets an IF on its first input running `target`
    (both branches); the result is a new tensor nothing reads."""
    sg = m.subgraphs[sg_index]
    out = copy.deepcopy(sg.tensors[sg.inputs[0]])
    out.name = b"loop_out"
    out.buffer = len(m.buffers)
    m.buffers.append(schema.BufferT())
    sg.tensors.append(out)
    sg.operators.append(_if(m, sg.inputs[0], [sg.inputs[0]], [len(sg.tensors) - 1], target, target))


def _self_call(m):
    opts = _find(m, 0, "IF").builtinOptions
    _branch_calls(m, opts.thenSubgraphIndex, opts.thenSubgraphIndex)


def _cycle(m):
    opts = _find(m, 0, "IF").builtinOptions
    _branch_calls(m, opts.thenSubgraphIndex, opts.elseSubgraphIndex)
    _branch_calls(m, opts.elseSubgraphIndex, opts.thenSubgraphIndex)


def _then_extra_input(m):
    sg = _branch(m)
    t = copy.deepcopy(sg.tensors[sg.inputs[0]])
    t.buffer = len(m.buffers)
    m.buffers.append(schema.BufferT())
    sg.tensors.append(t)
    sg.inputs = list(sg.inputs) + [len(sg.tensors) - 1]


def _then_output_type(m):
    sg = _branch(m, "elseSubgraphIndex")
    sg.tensors[sg.outputs[1]].type = schema.TensorType.INT32


def _then_output_shape(m):
    sg = _branch(m)
    sg.tensors[sg.outputs[0]].shape = [1, 3]


def _then_output_missing(m):
    sg = _branch(m)
    sg.outputs = list(sg.outputs)[:1]


def _if_condition_float(m):
    # The IF's condition rewired to the (float) sum it compares.
    g = m.subgraphs[0]
    op = _find(m, 0, "IF")
    greater = next(o for o in g.operators if list(o.outputs) == [op.inputs[0]])
    op.inputs = [greater.inputs[0]] + list(op.inputs[1:])


def _cond_subgraph(m):
    return m.subgraphs[_find(m, 0, "WHILE").builtinOptions.condSubgraphIndex]


def _while_cond_float(m):
    sg = _cond_subgraph(m)
    less = sg.operators[-1]
    sg.outputs = [less.inputs[0]]


def _while_cond_two_bools(m):
    sg = _cond_subgraph(m)
    sg.tensors[sg.outputs[0]].shape = [2]


def _while_body_output_missing(m):
    sg = m.subgraphs[_find(m, 0, "WHILE").builtinOptions.bodySubgraphIndex]
    sg.outputs = list(sg.outputs)[:-1]


def _while_extra_output(m):
    g = m.subgraphs[0]
    op = _find(m, 0, "WHILE")
    t = copy.deepcopy(g.tensors[op.outputs[-1]])
    t.name = b"extra"
    t.buffer = len(m.buffers)
    m.buffers.append(schema.BufferT())
    g.tensors.append(t)
    op.outputs = list(op.outputs) + [len(g.tensors) - 1]


def _call_once_op(m):
    return _find(m, 0, "CALL_ONCE")


def _call_once_no_options(m):
    op = _call_once_op(m)
    op.builtinOptionsType = schema.BuiltinOptions.NONE
    op.builtinOptions = None


def _init_has_input(m):
    sg = m.subgraphs[_call_once_op(m).builtinOptions.initSubgraphIndex]
    t = schema.TensorT()
    t.shape, t.type, t.name, t.buffer = [1], schema.TensorType.FLOAT32, b"in", len(m.buffers)
    m.buffers.append(schema.BufferT())
    sg.tensors.append(t)
    sg.inputs = [len(sg.tensors) - 1]


def _init_swaps_variables(m):
    # The init subgraph assigns each initial value to the other variable:
    # 'total' [1, 6] gets the step counter's [1, 1] and the reverse.
    sg = m.subgraphs[_call_once_op(m).builtinOptions.initSubgraphIndex]
    handles = [op for op in sg.operators if _code(m, op) == BUILTIN_OPS["VAR_HANDLE"]]
    a, b = handles[0].builtinOptions, handles[1].builtinOptions
    a.sharedName, b.sharedName = b.sharedName, a.sharedName


def _read_other_size(m):
    # The READ_VARIABLE after the first ASSIGN_VARIABLE (the variable is
    # sized by then) reads into a tensor of another size.
    g = m.subgraphs[0]
    first_assign = next(i for i, op in enumerate(g.operators) if _code(m, op) == BUILTIN_OPS["ASSIGN_VARIABLE"])
    read = next(op for op in g.operators[first_assign:] if _code(m, op) == BUILTIN_OPS["READ_VARIABLE"])
    g.tensors[read.outputs[0]].shape = [1, 2]


def _handle_not_resource(m):
    op = _find(m, 0, "VAR_HANDLE")
    m.subgraphs[0].tensors[op.outputs[0]].type = schema.TensorType.INT32


def _second_subgraph_bad_tensor(m):
    _branch(m).operators[0].inputs = [9999]


def cases(seed=None):
    c = [
        ("if-then-index-out-of-range", _edit("cond_float", _options("IF", thenSubgraphIndex=99)), VALUE),
        ("if-else-index-negative", _edit("cond_float", _options("IF", elseSubgraphIndex=-1)), VALUE),
        ("if-calls-subgraph-0", _edit("cond_float", _options("IF", thenSubgraphIndex=0)), VALUE),
        ("while-body-index-out-of-range", _edit("while_loop_float", _options("WHILE", bodySubgraphIndex=7)), VALUE),
        ("while-cond-is-subgraph-0", _edit("while_loop_float", _options("WHILE", condSubgraphIndex=0)), VALUE),
        ("call-once-index-out-of-range", _edit("accumulate_float", _options("CALL_ONCE", initSubgraphIndex=5)), VALUE),
        ("call-once-no-options", _edit("accumulate_float", _call_once_no_options), VALUE),
        ("subgraph-calls-itself", _edit("cond_float", _self_call), VALUE),
        ("subgraphs-call-each-other", _edit("cond_float", _cycle), VALUE),
        ("calls-nested-too-deep", call_chain(MAX_CALL_DEPTH + 1), VALUE),
        ("if-branch-extra-input", _edit("cond_float", _then_extra_input), VALUE),
        ("if-branch-output-type", _edit("cond_float", _then_output_type), VALUE),
        ("if-branch-output-shape", _edit("cond_float", _then_output_shape), VALUE),
        ("if-branch-output-missing", _edit("cond_float", _then_output_missing), VALUE),
        ("if-condition-float", _edit("cond_float", _if_condition_float), VALUE),
        ("while-cond-gives-float", _edit("while_loop_float", _while_cond_float), VALUE),
        ("while-cond-gives-two-bools", _edit("while_loop_float", _while_cond_two_bools), VALUE),
        ("while-body-output-missing", _edit("while_loop_float", _while_body_output_missing), VALUE),
        ("while-outputs-not-inputs", _edit("while_loop_float", _while_extra_output), VALUE),
        ("call-once-subgraph-has-input", _edit("accumulate_float", _init_has_input), VALUE),
        ("assign-other-size", _edit("accumulate_float", _init_swaps_variables), VALUE),
        ("read-other-size", _edit("accumulate_float", _read_other_size), VALUE),
        ("var-handle-not-resource", _edit("accumulate_float", _handle_not_resource), VALUE),
        ("second-subgraph-tensor-out-of-range", _edit("cond_float", _second_subgraph_bad_tensor), VALUE),
    ]
    return [("control_flow/" + name, model, exc) for name, model, exc in c]
