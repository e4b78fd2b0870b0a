"""The project's plain-text tables, for Python (the Makefile reads them with
awk): ports/targets.txt (where the firmware runs) and models/models.txt
(which models are used for what). Standard library only."""
import collections
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS_FILE = os.path.join(ROOT, "ports", "targets.txt")
BOARDS_FILE = os.path.join(ROOT, "ports", "boards.txt")
MODELS_FILE = os.path.join(ROOT, "models", "models.txt")
SHARED_MODELS = os.path.join(os.path.dirname(ROOT), "shared", "models")

Target = collections.namedtuple("Target", "name board short cpu kernels machine qemu ram")
Model = collections.namedtuple("Model", "where path uses")
Board = collections.namedtuple("Board", "port board cpu kernels flash needs image flashing")


def _rows(path):
    with open(path) as f:
        for line in f:
            fields = line.split("#", 1)[0].split()
            if fields:
                yield fields


def targets():
    """{pytest target name: Target}, in the table's order; "-" fields are
    None, ram is an int."""
    out = collections.OrderedDict()
    for r in _rows(TARGETS_FILE):
        t = Target(*[None if v == "-" else v for v in r])
        out[r[0]] = t._replace(ram=int(t.ram) if t.ram else None)
    return out


def qemu_targets():
    """The emulated targets only: {pytest target name: Target}."""
    return collections.OrderedDict((n, t) for n, t in targets().items() if t.board)


def boards():
    """The real boards (ports/boards.txt), in the table's order: [Board];
    flash is an int, needs a list."""
    return [Board(*r)._replace(flash=int(r[4]), needs=r[5].split(","))
            for r in _rows(BOARDS_FILE)]


# The MicroPython native-code architecture (mpy_ld's ARCH, `make natmod
# ARCH=...`) of each CPU in the table's cpu column: which tflm.mpy a target
# loads (python_tests --natmod, natmod/README.md).
NATMOD_ARCH = {
    "host": "x64",
    "cortex-m0": "armv6m",
    "cortex-m3": "armv7m",
    "cortex-m4": "armv7emsp",
    "cortex-m7": "armv7emdp",
    "rv32imac": "rv32imc",
}


def natmod_arch(target):
    """The tflm.mpy architecture for a Target (None when there is none)."""
    return NATMOD_ARCH.get(target.cpu)


def model_budget(ram):
    """Bytes a model may take on a board with `ram` bytes of RAM (the
    table's ram column), beside MicroPython, the script and its data: 3/8
    of it, what the 16 KiB micro:bit manages (the tests count a model's file
    and twice its activations, the bench the file); None (no limit) when
    ram is None."""
    return ram * 3 // 8 if ram else None


def models():
    return [Model(r[0], r[1], r[2:]) for r in _rows(MODELS_FILE)]


def model_paths(use, where="shared"):
    """Paths (relative to their models folder) of the models with `use`."""
    return [m.path for m in models() if m.where == where and use in m.uses]


def model_entries(use):
    """(where, path) of every model with `use`, shared and project alike."""
    return [(m.where, m.path) for m in models() if use in m.uses]


def refused_models():
    """[(path below ../shared/models, word its refusal message names)]."""
    return [(m.path, u.split(":", 1)[1]) for m in models() if m.where == "shared"
            for u in m.uses if u.startswith("refused:")]


def model_file(model_path, where="shared"):
    return os.path.join(SHARED_MODELS if where == "shared" else os.path.join(ROOT, "models"), model_path)
