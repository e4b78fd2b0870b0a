"""tflm.Interpreter(model, arena=buf): the arena in the caller's buffer.

Outputs equal the oracle's and the same model's with its own arena; a buffer
too small raises MemoryError naming the size it needs, a read-only one
TypeError; the interpreter keeps the buffer alive, writes only its first
arena_used bytes, and closes itself (RuntimeError) rather than use a buffer
that moved, shrank or was taken by another interpreter. Expected values
come from the oracle or from arithmetic here (the buffer layout: a tag of one
machine word, then the arena from the next 8-byte boundary).
"""
import numpy as np
import pytest

from conftest import project_model, shared_model
from harness import oracle, random_inputs, skip_unless_fits

INT8 = "hello_world/hello_world_int8.tflite"
XS = [-128, -40, 0, 37, 127]

# Prints W, the machine word size the tag takes (8 on the 64-bit unix port).
WORD = "import sys\nprint('W', 8 if sys.maxsize >> 31 else 4)\n"

# run(it): the interpreter's int8 outputs for XS, one invoke each.
RUN = f"""
def run(it):
    r = []
    for v in {XS!r}:
        it.set_input([v], 0)
        it.invoke()
        r.append(it.get_output(0)[0])
    return r
"""


def lines(out, tag):
    """The values after `tag` on each line starting with it, as Python values."""
    return [eval(l[len(tag) + 1:]) for l in out.splitlines() if l.startswith(tag + " ")]


def extra(word, offset):
    """Bytes before the arena in a buffer starting `offset` bytes past a
    16-byte boundary (heap blocks are aligned to at least 16): the tag, then
    up to the next 8-byte boundary."""
    return word + (-(offset + word)) % 8


def want_int8(model):
    return [int(oracle(model, [[np.array([[v]], np.int8)]])[0][0].item()) for v in XS]


def test_outputs_equal_oracle_and_own_arena(target):
    """bytearray, array.array and an unaligned memoryview slice as the arena:
    outputs equal the oracle's and the own arena's; arena_used is the own
    arena's plus the tag and the alignment."""
    model = project_model(INT8)
    out = target.run(WORD + RUN + """
import tflm, array, gc
m = open('m.tflite', 'rb').read()
own = tflm.Interpreter(m)
n = own.arena_used
print('R own', (run(own), n))
del own
gc.collect()
for name, buf in (('ba', bytearray(n + 8)), ('arr', array.array('h', bytes(n + 8 + n % 2))),
                  ('mv', memoryview(bytearray(n + 24))[3:])):
    it = tflm.Interpreter(m, arena=buf)
    print('R', name, (run(it), it.arena_used - n))
    del it, buf
    gc.collect()
""", files={"m.tflite": model})
    word = lines(out, "W")[0]
    got = {r[1]: eval(r[2]) for r in (l.split(" ", 2) for l in out.splitlines() if l.startswith("R "))}
    want = want_int8(model)
    res_own, n = got["own"]
    assert res_own == want
    for name, offset in (("ba", 0), ("arr", 0), ("mv", 3)):
        res, more = got[name]
        assert res == want, (name, res)
        assert more == extra(word, offset), (name, more, word)


def test_shared_model_equal_oracle(target):
    """micro_speech (conv, depthwise, fully connected, softmax) with its arena
    in a bytearray of the size the own arena reports plus 8: bit-equal to the
    oracle and to the own arena."""
    model = shared_model("tflm", "micro_speech_quantized.tflite")
    skip_unless_fits(target, [model], "micro_speech")
    batches = random_inputs(model, 3, seed=5)
    data = [b[0].tobytes().hex() for b in batches]
    out = target.run(f"""
import tflm, gc
m = open('m.tflite', 'rb').read()
own = tflm.Interpreter(m)
buf = bytearray(own.arena_used + 8)
it = tflm.Interpreter(m, arena=buf)
print('USED', (own.arena_used, it.arena_used))
for k, h in enumerate({data!r}):
    x = bytes.fromhex(h)
    for name, i in (('own', own), ('buf', it)):
        i.set_input(x, 0)
        i.invoke()
        print('OUT', name, k, bytes(i.output(0)).hex())
""", files={"m.tflite": model})
    used = lines(out, "USED")
    assert used and used[0][1] == used[0][0] + 8, used
    want = oracle(model, batches)
    outs = {(p[1], int(p[2])): p[3] for p in (l.split() for l in out.splitlines() if l.startswith("OUT "))}
    for k in range(len(batches)):
        assert outs[("own", k)] == want[k][0].tobytes().hex(), k
        assert outs[("buf", k)] == want[k][0].tobytes().hex(), k


def test_bad_buffers(target):
    """Too small: MemoryError naming the exact size (also for buffers too
    small to measure in, and empty ones); read-only or no buffer: TypeError;
    arena with arena_size: ValueError. Then a good buffer still works."""
    model = project_model(INT8)
    out = target.run(WORD + """
import tflm
m = open('m.tflite', 'rb').read()
n = tflm.Interpreter(m).arena_used + 8
print('N', n)
def check(exc, arena, **kw):
    try:
        tflm.Interpreter(m, arena=arena, **kw)
    except exc as e:
        print('E', exc.__name__, repr(str(e)))
        return
    print('FAIL no', exc.__name__)
for size in (n - 1, 40, 9, 0):
    check(MemoryError, bytearray(size))
check(TypeError, bytes(n + 64))
check(TypeError, memoryview(bytes(n + 64)))
check(TypeError, 5)
check(ValueError, bytearray(n), arena_size=n)
it = tflm.Interpreter(m, arena=bytearray(n))
it.set_input([37], 0)
it.invoke()
print('DONE', (it.get_output(0)[0], it.arena_used))
""", files={"m.tflite": model})
    assert "FAIL" not in out, out
    n = lines(out, "N")[0]
    errs = [l.split(" ", 2)[1:] for l in out.splitlines() if l.startswith("E ")]
    assert [e[0] for e in errs] == ["MemoryError"] * 4 + ["TypeError"] * 3 + ["ValueError"], errs
    for size, (_, msg) in zip((n - 1, 40, 9, 0), errs):
        assert eval(msg) == f"arena of {size} bytes too small, needs {n}", msg
    for _, msg in errs[4:6]:
        assert "writable" in eval(msg), msg
    want = int(oracle(model, [[np.array([[37]], np.int8)]])[0][0].item())
    assert lines(out, "DONE") == [(want, n)], out


def test_buffer_kept_alive(target):
    """The caller's names for the buffer are gone (a bytearray, and a
    memoryview whose bytearray has no other reference): the GC must not free
    it, and invokes stay correct after the heap is churned."""
    model = project_model(INT8)
    out = target.run(RUN + """
import tflm, gc
m = open('m.tflite', 'rb').read()
n = tflm.Interpreter(m).arena_used + 8
def make(mv):
    buf = bytearray(n + 8)
    return tflm.Interpreter(m, arena=memoryview(buf)[8:] if mv else buf)
its = [make(False), make(True)]
gc.collect()
k = gc.mem_free() // 1024
junk = [bytearray(b'\\x5a' * 256) for _ in range(min(40, 2 * k))]
del junk
gc.collect()
junk = [bytes([0xc3]) * 300 for _ in range(min(20, k))]
for it in its:
    print('R', run(it))
""", files={"m.tflite": model})
    assert lines(out, "R") == [want_int8(model)] * 2, out


def test_bytes_written_and_reset(target):
    """A buffer filled with a pattern: init changes the tag and the arena up
    to arena_used exactly (reset zeroes the planned region to its end); past
    arena_used the planner may use the buffer while it plans, but then
    neither invokes nor reset() change anything there. After reset(),
    invokes give the oracle's outputs again."""
    model = project_model(INT8)
    out = target.run(WORD + RUN + """
import tflm
m = open('m.tflite', 'rb').read()
n = tflm.Interpreter(m).arena_used + 8
buf = bytearray(b'\\xa5' * (n + 64))
def changed(end):
    lo = hi = None
    for i in range(end):
        if buf[i] != 0xa5:
            lo = i if lo is None else lo
            hi = i
    return lo, hi
it = tflm.Interpreter(m, arena=buf)
u = it.arena_used
print('INIT', (changed(u), u, len(buf)))
buf[u:] = b'\\xa5' * (len(buf) - u)
print('R', run(it))
print('INVOKED', changed(len(buf)))
it.reset()
print('R', run(it))
it.reset()
it.reset()
print('R', run(it))
print('INVOKED', changed(len(buf)))
""", files={"m.tflite": model})
    word = lines(out, "W")[0]
    (first, last), used, size = lines(out, "INIT")[0]
    # n: the own arena's arena_used plus 8 (tag and alignment in a heap block)
    assert used == size - 64, (used, size)
    # The tag ends where the arena starts (8 bytes in: a heap block).
    assert first == extra(word, 0) - word and last == used - 1, (first, last, used)
    for lo, hi in lines(out, "INVOKED"):
        assert lo == first and hi < used, (lo, hi, used)
    assert lines(out, "R") == [want_int8(model)] * 3, out


def test_buffer_moved_shrunk_or_taken(target):
    """The interpreter closes with RuntimeError, without using the buffer,
    when the buffer moved (a bytearray grown past its block), shrank below
    arena_used, or another interpreter was made in it (also one that failed);
    the interpreter made last works."""
    model = project_model(INT8)
    out = target.run(f"""
import tflm
try:
    from uctypes import addressof
except ImportError:
    addressof = None
m = open('m.tflite', 'rb').read()
n = tflm.Interpreter(m).arena_used + 8
def res(it):
    it.set_input([37], 0)
    it.invoke()
    return it.get_output(0)[0]
def check(it, what):
    try:
        r = res(it)
    except RuntimeError as e:
        print('LOST', what, repr(str(e)))
        try:
            memoryview(it.input(0))
            print('FAIL open', what)
        except RuntimeError:
            pass
        print('USED', it.arena_used)
        return
    print('KEPT', (what, r))
# moved: a bytearray grown beyond its heap block (where the blocks after it
# are taken) is reallocated, its old block freed
buf = bytearray(n)
it = tflm.Interpreter(m, arena=buf)
a = addressof(buf) if addressof else None
buf.extend(bytes(n))
print('MOVED', None if a is None else addressof(buf) != a)
check(it, 'moved')
# shrunk below arena_used (same data pointer)
buf = bytearray(n + 64)
it = tflm.Interpreter(m, arena=buf)
buf[n - 8:] = b''
check(it, 'shrunk')
# taken by another interpreter, then by one that failed
buf = bytearray(n)
it = tflm.Interpreter(m, arena=buf)
it2 = tflm.Interpreter(m, arena=buf)
check(it, 'taken')
print('R', res(it2))
try:
    tflm.Interpreter(m, arena=memoryview(buf)[:n - 1])
except MemoryError:
    pass
check(it2, 'failed')
# not taken: another buffer of the same size
it3 = tflm.Interpreter(m, arena=buf)
tflm.Interpreter(m, arena=bytearray(n))
print('R', res(it3))
check(it3, 'other buffer')
""", files={"m.tflite": model})
    assert "FAIL" not in out, out
    want = int(oracle(model, [[np.array([[37]], np.int8)]])[0][0].item())
    moved = lines(out, "MOVED")[0]
    if target.name == "unix" or target.emulated:
        # Ports built here have uctypes, and the buffer moves there.
        assert moved is True, out
    lost = [l.split(" ", 2)[1:] for l in out.splitlines() if l.startswith("LOST ")]
    # Grown in place (or not known), the interpreter must still work.
    kept = [("moved", want)] if moved is not True else []
    assert [w for w, _ in lost] == ["moved", "shrunk", "taken", "failed"][len(kept):], out
    for _, msg in lost:
        assert eval(msg) == "arena buffer moved, shrank or reused: interpreter closed", msg
    assert lines(out, "USED") == [0] * len(lost), out
    assert lines(out, "KEPT") == kept + [("other buffer", want)], out
    assert lines(out, "R") == [want, want], out
