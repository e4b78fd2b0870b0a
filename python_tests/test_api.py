"""The Python API of tflm.Interpreter and tflm.Tensor, and its error classes.

Expected values come from the oracle or from arithmetic in the test; the
device scripts assert and print a marker the host checks.
"""
import numpy as np
import pytest

import malformed
from conftest import project_model
from harness import io_details, oracle
from tflite_builder import ModelBuilder

INT8 = "hello_world/hello_world_int8.tflite"
FLOAT = "hello_world/hello_world_float.tflite"


def expect_ok(out, n):
    assert out.count("OK") == n, out


def test_module_attributes(target):
    out = target.run("""
import tflm
assert isinstance(tflm.__version__, str) and tflm.__version__.count('.') == 2
ops = tflm.ops()
assert isinstance(ops, tuple)
for name in ('FULLY_CONNECTED', 'QUANTIZE', 'DEQUANTIZE'):
    assert name in ops, name
print('OK')
""")
    expect_ok(out, 1)


def test_interpreter_io_and_details(target):
    model = project_model(INT8)
    ins, outs = io_details(model)
    x = np.array([[37]], dtype=np.int8)
    want = oracle(model, [[x]])[0][0]
    q_in = ins[0]["quantization_parameters"]
    q_out = outs[0]["quantization_parameters"]
    out = target.run(f"""
import tflm, array
it = tflm.Interpreter('m.tflite')
d = it.get_input_details(0)
assert d['shape'] == (1, 1) and d['dtype'] == 'int8' and d['nbytes'] == 1, d
assert isinstance(d['name'], str) and d['name']
s, z = d['quantization']
assert abs(s - {float(q_in['scales'][0])!r}) < 1e-12 and z == {int(q_in['zero_points'][0])}, d
o = it.get_output_details(0)
assert o['shape'] == (1, 1) and o['dtype'] == 'int8'
assert abs(o['quantization'][0] - {float(q_out['scales'][0])!r}) < 1e-12
assert o['quantization'][1] == {int(q_out['zero_points'][0])}
assert it.arena_used > 0
print('OK')
# set_input accepts array.array, bytes, bytearray, list and tuple
for data in (array.array('b', [37]), bytes([37]), bytearray([37]), [37], (37,)):
    it.set_input(data, 0)
    it.invoke()
    r = it.get_output(0)
    assert isinstance(r, array.array) and repr(r).startswith("array('b'") and len(r) == 1
    assert r[0] == {int(want.item())}, (data, r)
print('OK')
# Tensor objects
t = it.input(0)
assert t.shape == (1, 1) and t.dtype == 'int8' and t.nbytes == 1 and len(t) == 1
assert t.zero_point == {int(q_in['zero_points'][0])} and abs(t.scale - {float(q_in['scales'][0])!r}) < 1e-12
assert len(it.inputs) == 1 and len(it.outputs) == 1
assert it.outputs[0].shape == (1, 1)
mv = memoryview(t)
mv[0] = 37 & 0xff  # memoryview writes go straight to the arena
it.invoke()
assert it.output(0).dequantize()[0] == {float((int(want.item()) - int(q_out['zero_points'][0])) * np.float32(q_out['scales'][0]))!r}
assert bytes(memoryview(it.output(0))) == bytes(it.get_output(0))
print('OK')
try:
    memoryview(it.output(0))[0] = 1
    print('output writable')
except TypeError:
    print('OK')
""", files={"m.tflite": model})
    expect_ok(out, 4)


def test_tensor_quantize_dequantize(target):
    model = project_model(INT8)
    ins, outs = io_details(model)
    s = np.float32(ins[0]["quantization_parameters"]["scales"][0])
    z = int(ins[0]["quantization_parameters"]["zero_points"][0])
    # TFLite's quantization: q = clamp(round_half_away(x / s) + z)
    vals = [0.0, 1.0, 3.14159, 6.28, 100.0, -50.0]
    want = [int(np.clip(np.sign(v / s) * np.floor(abs(np.float32(v) / s) + 0.5) + z, -128, 127)) for v in vals]
    out = target.run(f"""
import tflm
it = tflm.Interpreter('m.tflite')
t = it.input(0)
got = []
for v in {vals!r}:
    t.quantize([v])
    got.append(bytes(t)[0] - 256 if bytes(t)[0] > 127 else bytes(t)[0])
print('Q', got)
""", files={"m.tflite": model})
    got = eval(out.split("Q ", 1)[1].strip())
    assert got == want


def test_float_model_and_context_manager(target):
    model = project_model(FLOAT)
    x = np.array([[1.25]], dtype=np.float32)
    want = oracle(model, [[x]])[0][0]
    out = target.run(f"""
import tflm, array
with tflm.Interpreter('m.tflite') as it:
    it.set_input(array.array('f', [1.25]), 0)
    it.invoke()
    r = it.get_output(0)
    assert repr(r).startswith("array('f'")
    print('HEX', bytes(r).hex())
try:
    it.invoke()
except RuntimeError as e:
    print('OK closed', e)
try:
    it.input(0)
except RuntimeError:
    print('OK')
it.close()  # closing twice is fine
print('OK')
""", files={"m.tflite": model})
    assert out.split("HEX ")[1].split()[0] == want.tobytes().hex()
    expect_ok(out, 3)


def test_model_kept_alive_by_interpreter(target):
    """The caller drops the model bytes; the GC must not free them."""
    model = project_model(INT8)
    xs = list(range(-128, 128, 16))
    want = [int(oracle(model, [[np.array([[v]], np.int8)]])[0][0].item()) for v in xs]
    out = target.run(f"""
import tflm, gc
def make():
    data = open('m.tflite', 'rb').read()
    return tflm.Interpreter(data)
it = make()
gc.collect()
# Churn the heap so freed blocks would be reused and overwritten (as much
# of it as the board has).
n = gc.mem_free() // 1024
junk = [bytes([0xA5]) * 512 for _ in range(min(200, n))]
del junk
gc.collect()
junk = [bytearray(b'\\xff' * 700) for _ in range(min(100, n // 2))]
got = []
for v in {xs!r}:
    it.set_input([v], 0)
    it.invoke()
    got.append(it.get_output(0)[0])
print('GOT', got)
""", files={"m.tflite": model})
    got = eval(out.split("GOT ", 1)[1].strip())
    assert got == want


def test_error_classes(target):
    model = project_model(INT8)
    unsupported = malformed.unsupported_cases()
    nie = next(d for n, d, _ in unsupported if n == "unsupported/builtin_SKIP_GRAM")
    out = target.run("""
import tflm, array, gc
good = open('m.tflite', 'rb').read()
def check(exc, fn, *args, **kw):
    try:
        fn(*args, **kw)
    except exc as e:
        print('OK', exc.__name__, e)
        return str(e)
    print('FAIL no', exc.__name__)
check(ValueError, tflm.Interpreter, good[:100])
check(ValueError, tflm.Interpreter, b'\\x00' * 64)
check(NotImplementedError, tflm.Interpreter, open('nie.tflite', 'rb').read())
check(ValueError, tflm.Interpreter, good, arena_size=-1)
it = tflm.Interpreter(good)
need = it.arena_used
msg = check(MemoryError, tflm.Interpreter, good, arena_size=need - 1)
assert str(need) in msg, msg
msg = check(MemoryError, tflm.Interpreter, good, arena_size=16)
assert str(need) in msg, msg
it2 = tflm.Interpreter(good, arena_size=need)
assert it2.arena_used == need
it3 = tflm.Interpreter(good, arena_size=need + 256)
check(IndexError, it.set_input, [1], 1)
check(IndexError, it.set_input, [1], -1)
check(IndexError, it.get_output, 1)
check(IndexError, it.input, 5)
check(IndexError, it.get_input_details, 1)
check(IndexError, it.get_output_details, -2)
check(ValueError, it.set_input, array.array('f', [1.0]), 0)
check(ValueError, it.set_input, array.array('h', [1]), 0)
check(ValueError, it.set_input, b'12', 0)
check(ValueError, it.set_input, [1, 2], 0)
check(ValueError, it.set_input, [300], 0)
check(TypeError, it.set_input, 5, 0)
check(RuntimeError, it.profile)
it.close()
check(RuntimeError, it.invoke)
check(RuntimeError, it.set_input, [1], 0)
check(RuntimeError, it.reset)
# the firmware still works: a new interpreter runs
it = tflm.Interpreter(good)
it.set_input([5], 0)
it.invoke()
print('OK done', it.get_output(0)[0])
""", files={"m.tflite": model, "nie.tflite": nie})
    assert "FAIL" not in out, out
    assert out.count("OK") == 23, out
    want = int(oracle(model, [[np.array([[5]], np.int8)]])[0][0].item())
    assert out.strip().endswith(f"OK done {want}")


def test_reset_and_repeated_invokes(target):
    model = project_model(INT8)
    want = int(oracle(model, [[np.array([[-7]], np.int8)]])[0][0].item())
    out = target.run(f"""
import tflm
it = tflm.Interpreter('m.tflite')
res = set()
for i in range(50):
    it.set_input([-7], 0)
    it.invoke()
    res.add(it.get_output(0)[0])
    if i % 10 == 0:
        it.reset()
print('RES', sorted(res))
""", files={"m.tflite": model})
    assert out.split("RES ")[1].strip() == f"[{want}]"


def test_builder_model_with_quantize_dequantize(target):
    """A float-in/float-out graph: QUANTIZE -> FULLY_CONNECTED -> DEQUANTIZE."""
    rng = np.random.default_rng(3)
    b = ModelBuilder()
    x = b.tensor([2, 5], "float32", name="x")
    xq = b.tensor([2, 5], "int8", scale=0.02, zero_point=3)
    w = b.const(rng.integers(-127, 128, size=(4, 5)).astype(np.int8), "int8", scale=0.01, zero_point=0)
    bias = b.const(rng.integers(-500, 500, size=4).astype(np.int32), "int32", scale=0.0002, zero_point=0)
    yq = b.tensor([2, 4], "int8", scale=0.05, zero_point=-10)
    y = b.tensor([2, 4], "float32", name="y")
    b.op("QUANTIZE", [x], [xq])
    b.op("FULLY_CONNECTED", [xq, w, bias], [yq], options=dict(fused_activation_function="RELU"))
    b.op("DEQUANTIZE", [yq], [y])
    b.inputs([x])
    b.outputs([y])
    model = b.build()
    from harness import assert_match, run_on_target
    batches = [[rng.uniform(-2.5, 2.5, size=(2, 5)).astype(np.float32)] for _ in range(20)]
    # exact half-way values exercise the rounding rule
    batches.append([(np.arange(10, dtype=np.float32).reshape(2, 5) - 5) * np.float32(0.01)])
    got, _ = run_on_target(target, model, batches)
    assert_match(got, oracle(model, batches), float_rtol=0, float_atol=0)


@pytest.mark.needs_ram(64 * 1024, "eight 4 KiB activations alive at once")
def test_bound_short_second_pass(target):
    """Eight equal activations alive at once (RELU6 branches summed last to
    first) need more arena than the core's upper bound allows for (four times
    the largest activation): init measures the exact size in that block and
    the binding builds once more in a block of that size. The result must be
    the oracle's, with arena_used at least the eight branches."""
    rng = np.random.default_rng(11)
    n = 1024
    b = ModelBuilder()
    x = b.tensor([n], "float32", name="x")
    branches = []
    for k in range(8):
        t = b.tensor([n], "float32")
        b.op("RELU6" if k % 2 else "RELU", [x], [t])
        branches.append(t)
    acc = branches[-1]
    for t in reversed(branches[:-1]):
        s = b.tensor([n], "float32")
        b.op("ADD", [acc, t], [s], options=dict(fused_activation_function="NONE"))
        acc = s
    b.inputs([x])
    b.outputs([acc])
    model = b.build()
    from harness import assert_match, run_on_target
    batches = [[rng.uniform(-3, 9, size=n).astype(np.float32)] for _ in range(3)]
    got, _ = run_on_target(target, model, batches)
    assert_match(got, oracle(model, batches), float_rtol=0, float_atol=0)
    out = target.run("import tflm\nprint('USED', tflm.Interpreter('m.tflite').arena_used)\n",
                     files={"m.tflite": model})
    assert int(out.split("USED ")[1].split()[0]) >= 8 * 4 * n


def test_bool_and_int64_tensors(target):
    """bool tensors: dtype 'bool', typecode 'B', lists stored by truth;
    int64 tensors: dtype 'int64', typecode 'q' (raw bytes without long ints)."""
    b = ModelBuilder()
    x = b.tensor([4], "bool")
    y = b.tensor([4], "int64")
    b.op("CAST", [x], [y])
    b.inputs([x])
    b.outputs([y])
    to64 = b.build()
    b = ModelBuilder()
    x = b.tensor([3], "int64")
    y = b.tensor([3], "bool")
    b.op("CAST", [x], [y])
    b.inputs([x])
    b.outputs([y])
    tobool = b.build()
    big = [-(2 ** 62), 0, 7]
    want = np.array(big) != 0  # the oracle has no int64 -> bool CAST
    out = target.run(f"""
import tflm, array
it = tflm.Interpreter('a.tflite')
d = it.get_input_details(0)
print('DT', d['dtype'], it.get_output_details(0)['dtype'], d['nbytes'])
it.set_input([True, 0, 2.5, None], 0)
it.invoke()
print('RAW', bytes(memoryview(it.input(0))).hex())
print('A', bytes(it.output(0)).hex())
it.set_input(array.array('B', [0, 1, 1, 0]), 0)
it.invoke()
print('B', bytes(it.output(0)).hex())
it = tflm.Interpreter('b.tflite')
it.set_input({np.array(big, np.int64).tobytes()!r}, 0)
it.invoke()
r = it.get_output(0)
print('C', repr(r)[:10], bytes(r).hex())
it.set_input([1 << 40, -(1 << 62), -1], 0)
print('D', bytes(memoryview(it.input(0))).hex())
for bad in (1 << 63, -(1 << 63) - 1):
    try:
        it.set_input([bad, 0, 0], 0)
    except ValueError:
        print('E ok')
""", files={"a.tflite": to64, "b.tflite": tobool})
    assert "DT bool int64 4" in out
    assert "RAW 01000100" in out
    want_a = np.array([1, 0, 1, 0], np.int64).tobytes().hex()
    assert f"A {want_a}" in out
    assert "B " + np.array([0, 1, 1, 0], np.int64).tobytes().hex() in out
    assert "D " + np.array([1 << 40, -(1 << 62), -1], np.int64).tobytes().hex() in out
    assert out.count("E ok") == 2
    assert f"C array('B', {want.astype(np.uint8).tobytes().hex()}" in out
