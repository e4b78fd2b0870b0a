"""The signal library's streaming custom ops (SignalFramer, SignalOverlapAdd,
SignalStacker, SignalDelay) against the oracle: each model runs a sequence
of invokes on one interpreter (its state carried from one to the next,
including the invokes before a frame or a stack is complete), reset(),
the same sequence again (harness.check_with_reset), bit-exact (float32
OverlapAdd too: its sums are TFLM's float additions in TFLM's order).

Where TFLM leaves an output as it was (a frame not complete yet, a stack
with `valid` false), its arena holds anything there: those values are not
compared. Which frames TFLM writes is worked out here from the options
(arithmetic, not the oracle's `valid` flag), and the flag itself is
compared.
"""
import numpy as np
import pytest

from harness import HEX_OVERHEAD, check_with_reset
from malformed_signal_stream import delay, framer, overlap_add, stacker

N_INVOKES = 7
# On a board whose scripts hold little data: the fewest invokes worth a run.
MIN_INVOKES = 4


def check_each(target, named, batches_for, defined=None, float_tol=0):
    """check_with_reset over every (name, model) of `named`; on a board
    whose scripts hold little data (target.data_budget), one case a
    script with as many of its invokes as fit, leaving out (and saying so)
    the cases where fewer than MIN_INVOKES fit."""
    if target.data_budget is None:
        return check_with_reset(target, named, batches_for, float_tol=float_tol, defined=defined)
    left_out = []
    for k, (name, model) in enumerate(named):
        batches = batches_for(k, model)
        cost = sum(2 * x.nbytes + HEX_OVERHEAD for x in batches[0])
        n = min(len(batches), target.data_budget // cost)
        if n < min(MIN_INVOKES, len(batches)):
            left_out.append(name)
            continue
        check_with_reset(target, [(name, model)], lambda _k, _m: batches[:n], float_tol=float_tol,
                         defined=None if defined is None else (lambda _k, want, k=k: defined(k, want)))
    if left_out:
        pytest.skip(f"{len(left_out)} of {len(named)} cases did not run ({', '.join(left_out)}): fewer than "
                    f"{MIN_INVOKES} of their invokes fit in {target.data_budget} bytes of script on {target.name} "
                    f"(the other {len(named) - len(left_out)} passed)")


def int16_batches(rng, shape, n=N_INVOKES, low=-32768, high=32767):
    return [[rng.integers(low, high, size=shape, endpoint=True).astype(np.int16)] for _ in range(n)]


def framer_written(frame_size, frame_step, prefill, in_shape, n_invokes):
    """Per invoke, which of its n_frames frames TFLM writes: a FIFO of
    samples, frame_step in per frame, a frame out (frame_step dropped) once
    it holds frame_size."""
    n_frames = in_shape[-1] // frame_step
    held = frame_size - frame_step if prefill else 0
    out = []
    for _ in range(n_invokes):
        row = []
        for _ in range(n_frames):
            held += frame_step
            row.append(held >= frame_size)
            if held >= frame_size:
                held -= frame_step
        out.append(row)
    return out


def test_signal_framer(target):
    rng = np.random.default_rng(11)
    # (frame_size, frame_step, prefill, input shape)
    cfgs = [
        (5, 2, False, [4]),        # step not dividing the frame: frames lag (TFLM's FIFO)
        (5, 2, True, [4]),
        (4, 2, False, [2, 4]),
        (4, 2, True, [3, 2]),
        (3, 3, False, [6]),
        (3, 3, True, [3]),
        (2, 4, False, [8]),        # frames shorter than the step
        (7, 3, False, [2, 1, 3]),  # several invokes to the first frame
        (8, 1, True, [1]),
        (16, 4, False, [2, 8]),
    ]
    if not target.emulated:
        cfgs.append((400, 160, True, [160]))
    named = [(f"framer-{fs}-{st}-{'prefill' if p else 'noprefill'}-{'x'.join(map(str, s))}", framer(fs, st, p, s))
             for fs, st, p, s in cfgs]

    def defined(k, want):
        fs, st, p, s = cfgs[k]
        n = len(want) // 2
        rows = framer_written(fs, st, p, s, n) * 2
        masks = []
        for row, outs in zip(rows, want):
            frame_mask = np.array(row)[:, None] * np.ones(fs, bool)
            masks.append([np.broadcast_to(frame_mask, outs[0].shape), None])
            # The flag is what the arithmetic says, in the oracle too.
            assert bool(outs[1]) == all(row), f"{named[k][0]}: oracle valid {outs[1]} but frames {row}"
        return masks

    check_each(target, named, lambda k, m: int16_batches(rng, cfgs[k][3]), defined=defined)


def test_signal_overlap_add(target):
    rng = np.random.default_rng(12)
    # (frame_step, input shape [..., frames, frame_size], type)
    cfgs = []
    for dtype in ("int16", "float32"):
        cfgs += [
            (2, [1, 4], dtype),
            (2, [3, 4], dtype),
            (1, [2, 5], dtype),
            (4, [2, 4], dtype),   # step = frame: no overlap
            (3, [2, 2, 6], dtype),
            (5, [3, 1, 2, 8], dtype),
        ]
    named = [(f"overlap-add-{dtype}-{st}-{'x'.join(map(str, s))}", overlap_add(st, s, dtype))
             for st, s, dtype in cfgs]

    def batches(k, model):
        _, shape, dtype = cfgs[k]
        if dtype == "int16":
            # Large values: the sums saturate at both ends.
            return int16_batches(rng, shape, low=-20000, high=20000)
        return [[rng.normal(0, 100, size=shape).astype(np.float32)] for _ in range(N_INVOKES)]

    check_each(target, named, batches)


def test_signal_stacker(target):
    rng = np.random.default_rng(13)
    # (num_channels, left context, right context, step)
    cfgs = [
        (2, 1, 1, 1),
        (3, 0, 0, 1),
        (2, 2, 1, 2),
        (4, 0, 3, 4),   # step = the whole stack
        (1, 3, 0, 1),
        (2, 1, 2, 3),
        (5, 0, 2, 1),
        (3, 4, 4, 2),
    ]
    named = [(f"stacker-{c}-{l}-{r}-{s}", stacker(c, l, r, s)) for c, l, r, s in cfgs]

    def stack_ready(k, n):
        """Per invoke, whether TFLM writes the stack: vectors held (the first
        left + 1 times), out once there are left + 1 + right, step dropped."""
        c, l, r, s = cfgs[k]
        held, ready = 0, []
        for i in range(n):
            held += 1 + (l if i == 0 else 0)
            ready.append(held == l + r + 1)
            if ready[-1]:
                held -= s
        return ready

    def defined(k, want):
        n = len(want) // 2
        ready = stack_ready(k, n) * 2
        for r, outs in zip(ready, want):
            assert bool(outs[1]) == r, f"{named[k][0]}: oracle valid {outs[1]}, expected {r}"
        return [[np.full(outs[0].shape, r), None] for r, outs in zip(ready, want)]

    check_each(target, named, lambda k, m: int16_batches(rng, [cfgs[k][0]], n=9), defined=defined)


def test_signal_delay(target):
    rng = np.random.default_rng(14)
    # (delay_length, input shape)
    cfgs = [
        (0, [4]),
        (1, [4]),
        (3, [2, 4]),
        (4, [4]),        # delay = frame
        (7, [2, 4]),     # delay over a frame: several invokes of zeros
        (10, [3, 1, 3]),
        (2, [5, 1]),
    ]
    named = [(f"delay-{d}-{'x'.join(map(str, s))}", delay(d, s)) for d, s in cfgs]
    check_each(target, named, lambda k, m: int16_batches(rng, cfgs[k][1]))


def test_signal_stream_arithmetic(target):
    """The same ops against arithmetic written here (a check of the oracle
    runs above, and of what TFLM's sources say): a delay is the stream
    shifted, a stacker window the last vectors, overlap-add the frames
    summed at their offsets."""
    rng = np.random.default_rng(15)
    d, shape = 5, [2, 3]
    xs = int16_batches(rng, shape, n=5)
    stream = np.concatenate([np.zeros((2, d), np.int16)] + [x[0] for x in xs], axis=1)
    want_delay = [[stream[:, 3 * i:3 * i + 3]] for i in range(5)]
    step, fshape = 2, [2, 4]
    fx = [[rng.normal(0, 1, size=fshape).astype(np.float32)] for _ in range(3)]
    acc = np.zeros(2 * step * 3 + 4, np.float32)
    for i, x in enumerate(fx):
        for f in range(2):
            at = (2 * i + f) * step
            acc[at:at + 4] += x[0][f]
    want_oa = [[acc[4 * i:4 * i + 4]] for i in range(3)]
    named = [("delay-arith", delay(d, shape)), ("overlap-add-arith", overlap_add(step, fshape, "float32"))]
    batches = [xs, fx]
    wants = [want_delay, want_oa]

    def defined(k, want):
        # Compares the oracle's first run with the arithmetic; all values.
        for i, (w, a) in enumerate(zip(want, wants[k])):
            assert np.array_equal(w[0], a[0]), f"{named[k][0]} invoke {i}: oracle {w[0]} != arithmetic {a[0]}"
        return [[None] for _ in want]

    check_each(target, named, lambda k, m: batches[k], defined=defined)


def test_signal_stream_listed(target):
    out = target.run("""
import tflm
print('OPS', ' '.join(n for n in tflm.ops() if n.startswith('Signal')))
""")
    names = set(out.split("OPS", 1)[1].split())
    assert {"SignalFramer", "SignalOverlapAdd", "SignalStacker", "SignalDelay"} <= names, out


def test_signal_stream_chained(target):
    """Several stateful ops in one model, with activations between them that
    the planner may lay over anything not alive: each op's state must stay
    its own from invoke to invoke (and reset() clear them all)."""
    from flatbuffers import flexbuffers

    from tflite_builder import ModelBuilder

    def opts(**o):
        return bytes(flexbuffers.Dumps(o))

    b = ModelBuilder()
    x = b.tensor([2, 6], "int16")
    d1 = b.tensor([2, 6], "int16")
    d2 = b.tensor([2, 6], "int16")
    fr = b.tensor([2, 3, 4], "int16")
    valid = b.tensor([], "bool")
    oa = b.tensor([2, 6], "int16")
    b.custom_op("SignalDelay", [x], [d1], opts(delay_length=5))
    b.custom_op("SignalDelay", [d1], [d2], opts(delay_length=2))
    b.custom_op("SignalFramer", [d2], [fr, valid], opts(frame_size=4, frame_step=2, prefill=True))
    b.custom_op("SignalOverlapAdd", [fr], [oa], opts(T=7, frame_step=2))
    b.inputs([x])
    b.outputs([oa, valid])
    rng = np.random.default_rng(16)
    check_each(target, [("chain", b.build())], lambda k, m: int16_batches(rng, [2, 6], low=-9000, high=9000))


def test_signal_stream_in_branches(target):
    """Stateful ops in the branches of an IF (subgraphs on the planner's
    flattened timeline): each branch's state is kept while the other runs,
    and reset() clears both."""
    from flatbuffers import flexbuffers

    from malformed_control_flow import _if
    from tflite_builder import ModelBuilder, pack_model

    def branch(delay_length, opcode):
        bb = ModelBuilder()
        x, y = bb.tensor([4], "int16"), bb.tensor([4], "int16")
        bb.custom_op("SignalDelay", [x], [y], bytes(flexbuffers.Dumps(dict(delay_length=delay_length))))
        bb.inputs([x])
        bb.outputs([y])
        sg = bb.model_t().subgraphs[0]
        sg.operators[0].opcodeIndex = opcode
        return sg

    b = ModelBuilder()
    cond, x, y = b.tensor([], "bool"), b.tensor([4], "int16"), b.tensor([4], "int16")
    opcode = b.opcode(None, 1, custom_code="SignalDelay")
    b.inputs([cond, x])
    b.outputs([y])
    m = b.model_t()
    m.subgraphs[0].operators = [_if(m, int(cond), [int(x)], [int(y)], 1, 2)]
    m.subgraphs += [branch(6, opcode), branch(1, opcode)]
    rng = np.random.default_rng(17)
    conds = [True, True, False, True, False, False, True, True]

    def batches(k, model):
        return [[np.array(c), x[0]] for c, x in zip(conds, int16_batches(rng, [4], n=len(conds)))]

    check_each(target, [("if-delays", pack_model(m))], batches)
