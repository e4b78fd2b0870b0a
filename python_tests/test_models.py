"""Real models nobody on the project wrote (../shared/models) and the ones
the TFLite converter made for us (models/ops): outputs equal to the
oracle's on every target, and models we cannot run are refused with
NotImplementedError naming why."""
import os

import numpy as np
import pytest

from conftest import SHARED_MODELS, project_model, shared_model
from harness import assert_match, load_each, oracle, random_inputs, run_on_target, skip_unless_fits

from tables import model_entries, model_file, refused_models

# The lists are in models/models.txt: (where, path) pairs.
RUNNABLE = model_entries("run")

# Models using ops or features outside the supported set, with a word the
# NotImplementedError message must contain.
REFUSED = refused_models()

N_RANDOM = 5


def read_bmp_gray(path):
    """96x96 8-bit grayscale BMP (bottom-up rows) -> uint8 array [96, 96]."""
    with open(path, "rb") as f:
        data = f.read()
    offset = int.from_bytes(data[10:14], "little")
    w = int.from_bytes(data[18:22], "little", signed=True)
    h = int.from_bytes(data[22:26], "little", signed=True)
    bpp = int.from_bytes(data[28:30], "little")
    assert bpp == 8, bpp
    stride = (w + 3) & ~3
    rows = np.frombuffer(data, np.uint8, count=stride * abs(h), offset=offset).reshape(abs(h), stride)[:, :w]
    return rows[::-1] if h > 0 else rows


def load_model(where, path):
    """Bytes of a `shared` (skipped when absent) or `project` model."""
    return (shared_model if where == "shared" else project_model)(*path.split("/"))


def person_input(pixels):
    """The testdata BMPs (from TFLM's person detection tests) hold the
    model's int8 input bytes as their pixel values."""
    return pixels.view(np.int8).reshape(1, 96, 96, 1)


@pytest.mark.parametrize("where,path", RUNNABLE, ids=[p for _, p in RUNNABLE])
def test_model_matches_oracle(target, where, path):
    model = load_model(where, path)
    batches = random_inputs(model, N_RANDOM, seed=1234)
    if path.endswith("person_detect.tflite"):
        for img in ("person.bmp", "no_person.bmp"):
            p = os.path.join(SHARED_MODELS, "testdata", img)
            if os.path.exists(p):
                pixels = read_bmp_gray(p)
                batches.append([person_input(pixels)])
    got, arena = run_on_target(target, model, batches, name=os.path.basename(path))
    assert_match(got, oracle(model, batches), float_rtol=1e-5, float_atol=1e-5, context=path)
    assert arena > 0


def test_person_detect_classifies_images(target):
    """The person image scores 'person' higher than the no-person image
    (output [1, 2]: index 1 = person)."""
    model = shared_model("tflm", "person_detect.tflite")
    batches = []
    for img in ("person.bmp", "no_person.bmp"):
        pixels = read_bmp_gray(os.path.join(SHARED_MODELS, "testdata", img))
        batches.append([person_input(pixels)])
    got, _ = run_on_target(target, model, batches, name="person_detect.tflite")
    person, no_person = (g[0].reshape(-1).astype(int) for g in got)
    assert person[1] > person[0]
    assert no_person[0] > no_person[1]


@pytest.mark.parametrize("path,word", REFUSED)
def test_unsupported_model_refused(target, path, word):
    model = shared_model(*path.split("/"))
    got = load_each(target, [model])[0]
    assert got.startswith("NotImplementedError: "), got
    assert word in got, got


ARENA_MODELS = [m for m in RUNNABLE if "hello_world" not in m[1]] + [("shared", "tflm/hello_world_int8.tflite")]


@pytest.mark.parametrize("where,path", ARENA_MODELS, ids=[p for _, p in ARENA_MODELS])
def test_arena_not_above_tflm(target, where, path):
    """Our arena_used is at most what TFLM's allocator reports for the same
    model. Both measured on the host (64-bit pointers on both sides), so this
    runs in the unix session only."""
    if target.emulated:
        pytest.skip("compared on the host, where the oracle runs")
    import subprocess
    import sys
    model = load_model(where, path)
    code = ("import sys\nfrom tflite_micro.python.tflite_micro import runtime\n"
            "it = runtime.Interpreter.from_bytes(open(sys.argv[1], 'rb').read(), arena_size=64 << 20)\n"
            "it.print_allocations()\n")
    r = subprocess.run([sys.executable, "-c", code, model_file(path, where)],
                       capture_output=True, text=True)
    import re
    tflm_total = int(re.search(r"Arena allocation total (\d+) bytes", r.stdout + r.stderr).group(1))
    out = target.run("import tflm\nprint('ARENA', tflm.Interpreter('m.tflite').arena_used)\n",
                     files={"m.tflite": model})
    ours = int(out.split("ARENA ")[1].split()[0])
    assert ours <= tflm_total, (ours, tflm_total)


@pytest.mark.parametrize("path", ["tflm/person_detect.tflite", "mlperf_tiny/kws_ref_model.tflite"])
def test_small_arena_names_exact_need(target, path):
    """A given arena far too small for the model (smaller than its tables and
    op data) still gets a MemoryError naming exactly what arena_size=0 uses:
    init measures the remaining ops in the same pass. The model then loads
    with that exact size, and one byte less is refused with the same figure."""
    model = shared_model(*path.split("/"))
    skip_unless_fits(target, [model], "the model")
    out = target.run("""
import tflm
need = tflm.Interpreter('m.tflite').arena_used
for size in (64, 2000, need - 1):
    try:
        tflm.Interpreter('m.tflite', arena_size=size)
        print('LOADED', size)
    except MemoryError as e:
        print('NEED', size, str(e).split()[-1])
it = tflm.Interpreter('m.tflite', arena_size=need)
print('EXACT', need, it.arena_used)
""", files={"m.tflite": model})
    lines = out.split()
    exact = out.split("EXACT ")[1].split()
    need = int(exact[0])
    assert int(exact[1]) == need
    assert "LOADED" not in lines, out
    for size in (64, 2000, need - 1):
        assert f"NEED {size} {need}" in out, out
