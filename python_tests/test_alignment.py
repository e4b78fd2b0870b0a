"""Model bytes at any address: a model in flash or in a ROMFS image need not
start on an 8-byte boundary, and the Cortex-M0 (qemu-m0) faults on an
unaligned word or halfword load, so this runs on every target.

tflm.Interpreter takes any buffer. The binding (modtflm.c) reads an aligned
read-only buffer (bytes, or a memoryview of them) in place, and copies a
buffer that is misaligned or writable (bytearray) once into a heap block,
which is 8-byte aligned; the core needs that base alignment (it checks each
constant's alignment against the model's start, and reads flatbuffer fields
with memcpy, fb.h). Here each model runs from a memoryview of a bytes object
at offsets 0 to 7 past an aligned address (its address checked through
uctypes where the port has it) and from a bytearray: the outputs equal the
oracle's every time, and the heap the interpreter takes shows the copy
exactly where a misaligned or writable buffer needs it.
"""
import numpy as np

from conftest import project_model
from harness import PRINT_OUTPUTS, _unhex, assert_match, io_details, oracle, ram_need, skip_unless_fits
from tflite_builder import ModelBuilder

OFFSETS = range(8)

# For each offset: the model from a memoryview at that offset into a bytes
# object read from a file holding `offset` spare bytes then the model (a
# read of known size is one heap block: aligned), or into a bytearray. All
# within a function, so that no stale reference (in the module's value
# stack) keeps a model's bytes alive after its run on a board with little
# RAM.
SCRIPT = """
import tflm, gc
try:
    from uctypes import addressof
except ImportError:
    addressof = None
""" + PRINT_OUTPUTS + """
n = {n}
data = {data!r}
def run(tag, off, writable):
    with open('pad%d.bin' % off, 'rb') as f:
        if writable:
            src = bytearray(off + n)
            f.readinto(src)
        else:
            src = f.read(off + n)
    mv = memoryview(src)[off:]
    gc.collect()
    free = gc.mem_free()
    it = tflm.Interpreter(mv)
    gc.collect()
    print('USED', tag, free - gc.mem_free(), addressof(mv) % 8 if addressof else -1)
    for k in range(len(data)):
        for i in range(len(data[k])):
            it.set_input(bytes.fromhex(data[k][i]), i)
        it.invoke()
        print_outputs('OUT %s %d' % (tag, k), it, {n_out})
    it.close()
for off in {offsets!r}:
    run('bytes%d' % off, off, False)
run('bytearray0', 0, True)
run('bytearray1', 1, True)
"""


def run_at_offsets(target, model, batches):
    """{tag: (heap bytes the interpreter took, its buffer's address mod 8 or
    -1, [outputs per input set])} for every offset and the bytearrays."""
    # The model's bytes at an offset and the binding's copy of them, beside
    # the arena.
    skip_unless_fits(target, [model], "the model", need=lambda m: len(m) + ram_need(m),
                     counted="its file twice, at an offset and copied, and twice its activations")
    _, outs = io_details(model)
    files = {f"pad{off}.bin": bytes(off) + bytes(model) for off in OFFSETS}
    data = [[np.ascontiguousarray(x).tobytes().hex() for x in inputs] for inputs in batches]
    text = target.run(SCRIPT.format(n=len(model), data=data, n_out=len(outs), offsets=list(OFFSETS)), files=files)
    got = {}
    for line in text.splitlines():
        parts = line.split()
        if parts[:1] == ["USED"]:
            got[parts[1]] = (int(parts[2]), int(parts[3]), [None] * len(batches))
        elif parts[:1] == ["OUT"]:
            hexes = parts[3:] + [""] * (len(outs) - len(parts[3:]))
            got[parts[1]][2][int(parts[2])] = [np.frombuffer(_unhex(h), dtype=d["dtype"]).reshape(d["shape"])
                                               for h, d in zip(hexes, outs)]
    tags = [f"bytes{off}" for off in OFFSETS] + ["bytearray1", "bytearray0"]
    assert sorted(got) == sorted(tags), f"device said:\n{text[-2000:]}"
    return got


def check_at_offsets(target, model, batches):
    got = run_at_offsets(target, model, batches)
    want = oracle(model, batches)
    for tag, (_, _, outputs) in got.items():
        assert_match(outputs, want, float_rtol=0, float_atol=0, context=tag)
    # The buffers were where the test meant them to be.
    for off in OFFSETS:
        assert got[f"bytes{off}"][1] in (off % 8, -1), (off, got[f"bytes{off}"][1])
    # Read in place when aligned and read-only, copied (at least the model's
    # size more heap) otherwise.
    in_place = got["bytes0"][0]
    for tag in [f"bytes{off}" for off in OFFSETS if off % 8] + ["bytearray1", "bytearray0"]:
        assert got[tag][0] >= in_place + len(model), (tag, got[tag][0], in_place, len(model))


def test_hello_world_any_offset(target):
    """The float model: its weights and biases are float constants."""
    model = project_model("hello_world/hello_world_float.tflite")
    ins, _ = io_details(model)
    x = np.linspace(0, 2 * np.pi, 6).astype(np.float32)
    check_at_offsets(target, model, [[v.reshape(ins[0]["shape"])] for v in x])


def constants_model():
    """Constants of every width: float32 and int32 (4 bytes), int16 (2),
    int64 (8, aligned to 4 by the core's rule), each the second input of an
    elementwise op."""
    b = ModelBuilder()
    xf, yf = b.tensor((5,), "float32"), b.tensor((5,), "float32")
    b.op("ADD", [xf, b.const(np.array([0.5, -1.25, 3e-3, 7.0, -0.0], np.float32))], [yf])
    xh = b.tensor((5,), "int16", scale=0.01, zero_point=0)
    yh = b.tensor((5,), "int16", scale=0.03, zero_point=0)
    b.op("ADD", [xh, b.const(np.array([-32768, 1234, -7, 32767, 3], np.int16), "int16", scale=0.02, zero_point=0)],
         [yh])
    xi, yi = b.tensor((5,), "int32"), b.tensor((5,), "int32")
    b.op("SUB", [xi, b.const(np.array([2**31 - 1, -2**31, 65536, -3, 70000], np.int32))], [yi])
    xl, yl = b.tensor((5,), "int64"), b.tensor((5,), "bool")
    b.op("LESS", [xl, b.const(np.array([1 << 40, -(1 << 40), (1 << 32) + 1, -1, 0], np.int64))], [yl])
    b.inputs([xf, xh, xi, xl])
    b.outputs([yf, yh, yi, yl])
    return b.build()


def test_constants_any_offset(target):
    rng = np.random.default_rng(8)
    batches = [[rng.uniform(-4, 4, 5).astype(np.float32),
                rng.integers(-32768, 32768, 5).astype(np.int16),
                rng.integers(-2**31, 2**31, 5).astype(np.int32),
                (rng.integers(-2, 3, 5).astype(np.int64) << 39) + rng.integers(-1, 2, 5)] for _ in range(3)]
    check_at_offsets(target, constants_model(), batches)
