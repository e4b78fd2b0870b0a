"""Malformed and unsupported models raise the right Python exception, never
crash, and a valid model runs right after each one on the same firmware."""
import numpy as np
import pytest

import malformed
from harness import oracle

# Run in one script per class: loading a model is cheap, starting a script on
# an emulated board is not.
SCRIPT = """
import tflm
blob = open('cases.bin', 'rb').read()
spans = {spans!r}
good = open('good.tflite', 'rb').read()
x = bytes.fromhex({x!r})
for name, start, end in spans:
    try:
        tflm.Interpreter(blob[start:end])
        print('RESULT', name, 'none', '')
    except Exception as e:
        print('RESULT', name, type(e).__name__, str(e).replace(' ', '_'))
    it = tflm.Interpreter(good)
    it.set_input(x, 0)
    it.invoke()
    print('GOOD', name, bytes(it.get_output(0)).hex())
    del it
"""


def run_cases(target, cases):
    seed = malformed.fc_model()
    x = np.arange(-2, 2, dtype=np.int8).reshape(1, 4) * 17
    want = oracle(seed, [[x]])[0][0].tobytes().hex()
    blob, spans = b"", []
    for name, data, _ in cases:
        spans.append((name, len(blob), len(blob) + len(data)))
        blob += data
    out = target.run(SCRIPT.format(spans=spans, x=x.tobytes().hex()),
                     files={"cases.bin": blob, "good.tflite": seed})
    results, good = {}, {}
    for line in out.splitlines():
        parts = line.split(" ")
        if parts[0] == "RESULT":
            results[parts[1]] = (parts[2], " ".join(parts[3:]).replace("_", " "))
        elif parts[0] == "GOOD":
            good[parts[1]] = parts[2]
    return results, good, want


@pytest.mark.parametrize("cls", sorted(malformed.CLASSES))
def test_malformed_class(target, cls):
    cases = malformed.CLASSES[cls]()
    results, good, want = run_cases(target, cases)
    wrong = []
    for name, _, expected in cases:
        got = results.get(name)
        assert got is not None, f"{name}: no result (firmware crashed?)"
        if got[0] != expected:
            wrong.append(f"{name}: expected {expected}, got {got[0]} {got[1]}")
        assert good.get(name) == want, f"valid model wrong after {name}"
        assert got[1].strip(), f"{name}: exception without a message"
    assert not wrong, "\n".join(wrong)


def test_required_cases_named(target):
    """The cases the foundation issue names explicitly are in the corpus."""
    names = {n for cls in malformed.CLASSES.values() for n, _, _ in cls()}
    for needed in ("structure/truncated_50", "structure/identifier_XXXX", "indices/op_input_9999",
                   "indices/tensor_buffer_9999", "shapes/const_shape_larger_than_buffer"):
        assert needed in names


def test_size_prefixed_model_runs(target):
    """A correctly size-prefixed flatbuffer is a valid model."""
    import struct
    seed = malformed.fc_model()
    x = np.arange(-2, 2, dtype=np.int8).reshape(1, 4) * 17
    want = oracle(seed, [[x]])[0][0].tobytes().hex()
    out = target.run(f"""
import tflm
it = tflm.Interpreter(open('p.tflite', 'rb').read())
it.set_input(bytes.fromhex({x.tobytes().hex()!r}), 0)
it.invoke()
print('OUT', bytes(it.get_output(0)).hex())
""", files={"p.tflite": struct.pack("<I", len(seed)) + seed})
    assert out.split("OUT ")[1].split()[0] == want
