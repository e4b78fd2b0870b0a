"""Models in a ROMFS partition, used in place.

The emulated boards have a ROMFS partition (MicroPython's read-only,
memory-mapped filesystem; ports/qemu/boards/common/board_vfs.c) that
`mpremote romfs deploy` writes over the board's pty and mp_init() mounts at
/rom. tflm.Interpreter('/rom/x.tflite') and
tflm.Interpreter(open('/rom/x.tflite', 'rb')) take the file object, whose
buffer is its data in place: when the data is 8-byte aligned the heap grows
by the interpreter and its arena only, not by the model. The same model
from the board's writable filesystem (littlefs) is read into RAM: the heap
grows by the model's size too. Outputs equal the oracle's either way.

`mpremote romfs deploy <folder>` does not align file data (each file's
data follows its record's header), so a model from it is in place or
copied by chance; tools/romfs_image.py builds an image with every file's
data 16-byte aligned, deployed with `mpremote romfs deploy <image>`.
test_person_detect_in_place deploys person_detect that way;
test_folder_deploy_any_alignment deploys hello_world with plain mpremote
under two names, one whose data mpremote places aligned and one it does not
(worked out with mpremote's own image builder), and checks the misaligned
one runs, from a copy, on every emulated board (the Cortex-M0 faults on
unaligned loads). On the micro:bit (qemu-m0: 16 KiB of RAM, a 128 KiB
ROMFS partition in flash) mpremote romfs deploy runs out of RAM (it sends
4 KiB chunks, decoded on the board), so there the test writes the same
image through vfs.rom_ioctl in 1 KiB pieces (romfs_image.hostfs_deploy_code).
"""
import os
import sys

import pytest

from conftest import project_model, shared_model
from harness import check_copied, check_in_place, run_heap_cases
from targets import ROOT

sys.path.insert(0, os.path.join(ROOT, "tools"))
import romfs_image  # noqa: E402
from mpremote.romfs import make_romfs  # noqa: E402
from qemu import PIECE  # noqa: E402


@pytest.fixture(scope="module")
def deploy(target, request):
    """deploy(path): `mpremote romfs deploy path` (a folder or an image)
    on the board under test."""
    if request.config.getoption("--port"):
        pytest.skip("mpremote romfs deploy would overwrite a real board's ROMFS partition: emulated boards only")
    if not getattr(target, "emulated", False):
        pytest.skip("the unix port has no ROMFS partition (vfs.rom_ioctl): emulated boards only")
    if target.ram is not None:
        # MICROPY_VFS_ROM costs the 16 KiB micro:bit's heap what the other
        # tests need (ports/qemu/boards/MICROBIT/mpconfigboard.h).
        pytest.skip(f"{target.name} has no ROMFS partition ({target.ram // 1024} KiB of RAM)")

    def run(path, tmp_path):
        if target.ram is None:
            rc, out = target._mpremote("romfs", "deploy", str(path), timeout=900)
        else:
            # mpremote's 4 KiB chunks do not fit a board with little RAM:
            # the image mpremote would deploy, written in 1 KiB pieces.
            image = path.read_bytes() if path.is_file() else make_romfs(str(path), mpy_cross=False)
            host = tmp_path / "deploy.romfs"
            host.write_bytes(image)
            rc, out = target._mpremote("exec", romfs_image.hostfs_deploy_code(str(host), len(image), PIECE),
                                       timeout=900)
        assert rc == 0 and "ROMFS image deployed" in out, out
    return run


def test_person_detect_in_place(target, deploy, tmp_path):
    model = shared_model("tflm", "person_detect.tflite")
    if target.ram is not None:
        pytest.skip(f"person_detect's arena (73 KB) does not fit {target.name}'s {target.ram // 1024} KiB of RAM")
    src = tmp_path / "rom"
    src.mkdir()
    (src / "person_detect.tflite").write_bytes(model)
    image = tmp_path / "models.romfs"
    image.write_bytes(romfs_image.build(str(src)))
    deploy(image, tmp_path)
    heap, _ = run_heap_cases(target, model, {
        "rom_path": "'/rom/person_detect.tflite'",
        "rom_file": "open('/rom/person_detect.tflite', 'rb')",
        # The same bytes on littlefs: read into RAM.
        "disk_path": "'person_detect.tflite'",
        "disk_file": "open('person_detect.tflite', 'rb')",
    }, files={"person_detect.tflite": model})
    print("heap growth (bytes, arena):", heap)
    check_in_place(heap, "rom_path", model)
    check_in_place(heap, "rom_file", model)
    check_copied(heap, "disk_path", model)
    check_copied(heap, "disk_file", model)


def test_folder_deploy_any_alignment(target, deploy, tmp_path):
    model = project_model("hello_world", "hello_world_int8.tflite")
    # Names for which mpremote places the data aligned and misaligned (the
    # partitions start 16-byte aligned, so an offset's alignment in the
    # image is the address's): the second file's data follows the first's
    # record and its own name, so try name lengths.
    src = tmp_path / "rom"
    src.mkdir()
    (src / "a.tflite").write_bytes(model)
    for n in range(1, 16):
        b = src / ("b" * n + ".tflite")
        b.write_bytes(model)
        image = make_romfs(str(src), mpy_cross=False)
        first = image.find(model)
        second = image.find(model, first + 1)
        offsets = {"a.tflite": first, b.name: second}
        if {o % 8 == 0 for o in offsets.values()} == {True, False}:
            break
        b.unlink()
    else:
        pytest.fail("no name gave one aligned and one misaligned file")
    deploy(src, tmp_path)
    aligned = next(n for n, o in offsets.items() if o % 8 == 0)
    misaligned = next(n for n, o in offsets.items() if o % 8 != 0)
    heap, _ = run_heap_cases(target, model, {
        "aligned_path": f"'/rom/{aligned}'",
        "aligned_file": f"open('/rom/{aligned}', 'rb')",
        "misaligned_path": f"'/rom/{misaligned}'",
        "misaligned_file": f"open('/rom/{misaligned}', 'rb')",
    })
    print("offsets:", offsets, "heap growth (bytes, arena):", heap)
    check_in_place(heap, "aligned_path", model)
    check_in_place(heap, "aligned_file", model)
    # Misaligned: one copy into an aligned heap block.
    check_copied(heap, "misaligned_path", model)
    check_copied(heap, "misaligned_file", model)


def test_model_from_any_file(target):
    """Every target: a file that is not memory-mapped (littlefs, the unix
    port's) is read into RAM from its position; a path likewise; an object
    that is neither a buffer, a file nor a path is a TypeError."""
    model = project_model("hello_world", "hello_world_int8.tflite")
    setup = "def at(n):\n f = open('p.bin', 'rb')\n f.seek(n)\n return f"
    heap, _ = run_heap_cases(target, model, {
        "file_at_5": "at(5)",
        "path": "'m.tflite'",
    }, files={"p.bin": b"\x01\x02\x03\x04\x05" + model, "m.tflite": model}, setup=setup)
    check_copied(heap, "file_at_5", model)
    check_copied(heap, "path", model)
    out = target.run("import tflm\ntry:\n tflm.Interpreter(42)\nexcept TypeError as e:\n print('TYPE', e)\n")
    assert "TYPE model must be a buffer, a file or a path" in out, out
