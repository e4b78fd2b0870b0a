"""Malformed and unsupported models raise the right Python exception, never
crash, and a valid model runs right after each one on the same firmware."""
import numpy as np
import pytest

import malformed
from harness import load_each, oracle, run_raw

def run_cases(target, cases):
    """Loads every case in one script (loading a model is cheap, starting a
    script on an emulated board is not), running a valid model after each.
    Returns ({name: (exception name or 'none', message)}, {name: valid
    model's output hex}, the oracle's output hex for it)."""
    seed = malformed.fc_model()
    x = np.arange(-2, 2, dtype=np.int8).reshape(1, 4) * 17
    want = oracle(seed, [[x]])[0][0].tobytes().hex()
    got = load_each(target, [data for _, data, _ in cases], good=(seed, [x]))
    results, good = {}, {}
    for (name, _, _), (r, g) in zip(cases, got):
        if r is not None:
            exc, _, msg = r.partition(": ")
            results[name] = ("none", "") if r == "accepted" else (exc, msg)
        good[name] = g
    return results, good, want


@pytest.mark.parametrize("cls", [
    pytest.param(c, marks=pytest.mark.needs_ram(malformed.CLASS_RAM[c], f"the {c} models"))
    if malformed.CLASS_RAM.get(c) else c for c in sorted(malformed.CLASSES)])
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
    got = run_raw(target, [(struct.pack("<I", len(seed)) + seed, [[x]])])[0]
    assert not isinstance(got, str), got
    assert got[0][0].hex() == want
