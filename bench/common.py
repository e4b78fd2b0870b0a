"""What the bench modules share: where things are, the boards and models
(from ports/targets.txt and models/models.txt), the build directories."""
import ast
import collections
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import tables  # noqa: E402

# name (file name without .tflite) -> path of the models marked "bench"
MODELS = collections.OrderedDict(
    (os.path.basename(p)[:-len(".tflite")], tables.model_file(p)) for p in tables.model_paths("bench"))

# short name -> board, in the table's order
BOARDS = collections.OrderedDict((t.short, t.board) for t in tables.qemu_targets().values())
# board -> bytes of RAM of a board that has little of it (else None)
BOARD_RAM = {t.board: t.ram for t in tables.qemu_targets().values()}
# board -> its CPU (ports/targets.txt)
BOARD_CPU = {t.board: t.cpu for t in tables.qemu_targets().values()}
# Code size and RAM are read on the Cortex-M4.
SIZE_BOARD = BOARDS["m4"]

HOST_RUNS = 20

# TFLM_BENCH_BUILD names another build directory prefix (default
# build/bench), so several working copies of the sources can be measured
# side by side without sharing objects.
BUILD_PREFIX = os.environ.get("TFLM_BENCH_BUILD") or os.path.join(ROOT, "build", "bench")


def board_dir(board):
    return BUILD_PREFIX + "-" + board


def unix_dir():
    return BUILD_PREFIX + "-unix"


def kws_only_dir():
    return board_dir(SIZE_BOARD) + "-kws"


def pattern(n):
    return bytes((i * 37 + 11) % 256 for i in range(n))


def parse_tagged(tag, out):
    for line in out.splitlines():
        if line.startswith(tag + " "):
            return ast.literal_eval(line[len(tag) + 1:])
    return None


def _hex(h):
    return h.decode() if isinstance(h, bytes) else h
