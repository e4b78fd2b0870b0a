"""Interpreter lifetime: close() and `with` free the arena, deleted
interpreters give their memory back, several can live at once, and long
invoke loops do not leak."""
import numpy as np
import pytest

from conftest import project_model
from harness import oracle

INT8 = "hello_world/hello_world_int8.tflite"


@pytest.mark.needs_ram(256 * 1024, "a 200 kB arena")
def test_close_and_del_return_memory(target):
    out = target.run("""
import tflm, gc
model = open('m.tflite', 'rb').read()
# A large explicit arena makes the effect measurable.
ARENA = 200000
gc.collect(); base = gc.mem_free()
it = tflm.Interpreter(model, arena_size=ARENA)
gc.collect(); used = base - gc.mem_free()
assert used >= ARENA, (used, ARENA)
it.close()
gc.collect(); after_close = base - gc.mem_free()
print('CLOSE', used, after_close)
with tflm.Interpreter(model, arena_size=ARENA) as it2:
    it2.invoke()
gc.collect(); after_with = base - gc.mem_free()
print('WITH', after_with)
def make_and_drop():
    it3 = tflm.Interpreter(model, arena_size=ARENA)
    it3.invoke()
    del it3
def scrub(n):
    # Overwrite stale stack slots so the conservative GC sees no old pointers.
    return scrub(n - 1) + 1 if n else 0
make_and_drop()
scrub(20)
gc.collect(); after_del = base - gc.mem_free()
print('DEL', after_del)
""", files={"m.tflite": project_model(INT8)})
    vals = {l.split()[0]: [int(v) for v in l.split()[1:]] for l in out.splitlines() if l[:1].isupper()}
    used, after_close = vals["CLOSE"]
    # Within a small margin (the closed interpreter object itself, heap
    # fragmentation): far below the arena's 200 kB.
    assert after_close < 2048, vals
    assert vals["WITH"][0] < 4096, vals
    assert vals["DEL"][0] < 4096, vals


@pytest.mark.needs_ram(32 * 1024, "four hello_world interpreters, each with its copy of the model")
def test_several_interpreters_at_once(target):
    int8 = project_model(INT8)
    flt = project_model("hello_world/hello_world_float.tflite")
    xs = [-100, -3, 0, 42, 127]
    want8 = [int(oracle(int8, [[np.array([[v]], np.int8)]])[0][0].item()) for v in xs]
    wantf = [oracle(flt, [[np.array([[v / 20]], np.float32)]])[0][0].tobytes().hex() for v in xs]
    out = target.run(f"""
import tflm, array
its = [tflm.Interpreter('a.tflite') for _ in range(3)]
f = tflm.Interpreter('f.tflite')
res8, resf = [], []
for v in {xs!r}:
    for it in its:
        it.set_input([v], 0)
    f.set_input(array.array('f', [v / 20]), 0)
    for it in its:
        it.invoke()
    f.invoke()
    outs = set(it.get_output(0)[0] for it in its)
    assert len(outs) == 1, outs
    res8.append(outs.pop())
    resf.append(bytes(f.get_output(0)).hex())
print('R8', res8)
print('RF', resf)
""", files={"a.tflite": int8, "f.tflite": flt})
    lines = dict(l.split(" ", 1) for l in out.splitlines() if l.startswith("R"))
    assert eval(lines["R8"]) == want8
    assert eval(lines["RF"]) == wantf


def test_invoke_loop_does_not_leak(target):
    n = 1000 if target.emulated else 10000
    out = target.run(f"""
import tflm, gc
it = tflm.Interpreter('m.tflite')
mv = memoryview(it.input(0))
def run(count):
    for i in range(count):
        mv[0] = i & 0x7f
        it.invoke()
run(50)
gc.collect(); before = gc.mem_free()
run({n})
gc.collect(); after = gc.mem_free()
print('MEM', before, after)
""", files={"m.tflite": project_model(INT8)})
    before, after = map(int, out.split("MEM ")[1].split())
    # A leak of even one GC block per invoke would show as >= 16 * n bytes.
    assert before - after < 256, (before, after)
