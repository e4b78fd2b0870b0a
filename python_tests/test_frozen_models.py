"""Models frozen into the firmware, used in place.

`make firmware TARGET=qemu BOARD=MPS2_AN386 FROZEN_MODELS="a.tflite ..."`
builds build/qemu-MPS2_AN386-models/firmware.elf with module tflm_models:
one constant bytes object per model, 16-byte aligned in the firmware's
read-only data (tools/freeze_models.py). `make test` builds it with
hello_world and, when the shared models are there, person_detect
(TEST_FROZEN_MODELS in the Makefile). tflm.Interpreter(tflm_models.x) reads
the bytes where they lie: the heap grows by the interpreter and its arena,
not by the model, and the outputs equal the oracle's. A copy of the same
bytes in a bytearray (writable) is copied once, as the documented
difference.

Runs with --target qemu-m4 (the board make test builds it for) on its own
QEMU instance; skipped elsewhere, and when the firmware was not built.
"""
import os

import pytest

from conftest import project_model
from harness import check_copied, check_in_place, run_heap_cases
from tables import SHARED_MODELS
from targets import QEMU_TARGETS, ROOT, SerialTarget

TARGET = "qemu-m4"
BOARD = QEMU_TARGETS[TARGET].board
FIRMWARE = os.path.join(ROOT, "build", f"qemu-{BOARD}-models", "firmware.elf")


@pytest.fixture(scope="module")
def frozen_board(request):
    if request.config.getoption("--port") or request.config.getoption("--target") != TARGET:
        pytest.skip(f"the frozen-models firmware is built for {TARGET} ({BOARD}) only")
    if request.config.getoption("--natmod"):
        pytest.skip("frozen models are part of a firmware with the built-in module, not --natmod")
    if not os.path.exists(FIRMWARE):
        pytest.skip(f"{FIRMWARE} not built: make firmware TARGET=qemu BOARD={BOARD} "
                    f"FROZEN_MODELS=\"models/hello_world/hello_world_int8.tflite ...\" (make test does)")
    t = SerialTarget(TARGET + "-models", board=BOARD, firmware=FIRMWARE)
    yield t
    t.close()


def frozen_names(board):
    out = board.run("import tflm_models\nprint('NAMES', *sorted(n for n in dir(tflm_models) if n[0] != '_'))")
    return next(line.split()[1:] for line in out.splitlines() if line.startswith("NAMES"))


@pytest.mark.parametrize("name, parts", [
    ("hello_world_int8", ("models", "hello_world", "hello_world_int8.tflite")),
    ("person_detect", (SHARED_MODELS, "tflm", "person_detect.tflite")),
])
def test_frozen_model_in_place(frozen_board, name, parts):
    if name not in frozen_names(frozen_board):
        pytest.skip(f"tflm_models.{name} not in this build (FROZEN_MODELS; person_detect only when "
                    f"the shared models are there)")
    model = project_model(*parts[1:]) if parts[0] == "models" else open(os.path.join(*parts), "rb").read()
    setup = (f"import tflm_models, uctypes\nm = tflm_models.{name}\n"
             f"print('ADDR', uctypes.addressof(m), len(m))")
    text_cases = {
        "frozen": f"tflm_models.{name}",
        # Writable: copied once into RAM (the bytearray itself counts too).
        "bytearray": f"bytearray(tflm_models.{name})",
    }
    heap, text = run_heap_cases(frozen_board, model, text_cases, setup=setup)
    print(f"{name}: {len(model)} bytes; heap growth (bytes, arena):", heap)
    addr, size = map(int, next(line.split()[1:] for line in text.splitlines() if line.startswith("ADDR")))
    # In the firmware image (SSRAM1, 0 to 4 MiB on MPS2; the GC heap is at
    # 0x20000000: ports/qemu/README.md), 16-byte aligned.
    assert size == len(model) and addr % 16 == 0 and addr < 0x400000, (hex(addr), size)
    check_in_place(heap, "frozen", model)
    check_copied(heap, "bytearray", model)
