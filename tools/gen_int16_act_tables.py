"""Measures the 256-entry table behind TFLM's int16 LOGISTIC and TANH and
writes it as modtflm/core/kernels/sigmoid16_table.c.

    deps/venv/bin/python tools/gen_int16_act_tables.py [--check]

TFLM computes both ops from one table of a sigmoid in 16-bit steps: the
input, rescaled so that 2^9 (LOGISTIC) or 2^8 (TANH) units are one table
step, selects entries i and i + 1 by its magnitude's upper bits and
interpolates linearly with the lower bits (TANH reads the table as
tanh(x) = 2 sigmoid(2x) - 1). The entries are facts about TFLM, so they are
measured here from the oracle (the tflite_micro wheel), never copied:

1. A one-op TANH model with input scale 1/6144 rescales input x to exactly
   2x table units of 2^-8 step (multiplier 16384, shift 13). At
   x = 128 k the interpolation weight is zero and the output is exactly
   entry k - 32768, for k = 0..254 (k = 255 saturates instead).
2. Entry 255 only ever enters as the upper end of step 254: the outputs for
   x in [128 * 254, 128 * 255) leave a single value consistent with all of
   them.
3. The table, run through our model of the arithmetic (the rescaling each
   op's prepare derives from the input scale, then the interpolation), must
   then reproduce the wheel on every one of the 65,536 int16 inputs for both
   ops at several input scales (the power-of-two scales TFLM handles by a
   plain multiply and scales it rescales with a 16-bit multiplier) before
   the header is written. The same sweep runs in
   python_tests/test_ops_act_extra.py against our kernels.

With --check the header is compared with what would be written.
"""
import argparse
import math
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python_tests"))

from tflite_micro.python.tflite_micro import runtime  # noqa: E402

from tflite_builder import ModelBuilder  # noqa: E402

HEADER = os.path.join(ROOT, "modtflm", "core", "kernels", "sigmoid16_table.c")
ALL_INT16 = np.arange(-32768, 32768, dtype=np.int16)
OUT_SCALE = 2.0 ** -15

# Input scales the result is verified at: the power-of-two scales TFLM
# special-cases (2^-12 for both ops, 2^-11 for TANH), scales within
# CheckedLog2's 1e-3 tolerance (in log2) of them and one just outside, and
# rescaled ones from tiny to the largest TFLM's 16-bit multiplier takes.
VERIFY_SCALES = [2.0 ** -12, 2.0 ** -11, 2.0 ** -12 * 1.0004, 2.0 ** -11 * 0.9996, 2.0 ** -12 * 1.0008, 1 / 6144, 3 / 32768, 2.0 ** -10, 2.0 ** -13,
                 2.0 ** -15, 0.000123, 0.00037, 0.001, 0.0042, 0.5, 1.0, 2.6]


def one_op_model(op, in_scale, n=65536):
    b = ModelBuilder()
    x = b.tensor((n,), "int16", scale=in_scale, zero_point=0)
    y = b.tensor((n,), "int16", scale=OUT_SCALE, zero_point=0)
    b.op(op, [x], [y], version=3)
    b.inputs([x])
    b.outputs([y])
    return b.build()


def oracle_all(op, in_scale):
    """The wheel's output for every int16 input, in order -32768..32767."""
    it = runtime.Interpreter.from_bytes(bytes(one_op_model(op, in_scale)), arena_size=8 << 20)
    it.set_input(ALL_INT16, 0)
    it.invoke()
    return np.array(it.get_output(0)).astype(np.int64)


# ---------------------------------------------------------------------------
# Our model of TFLM's arithmetic (the same as core/kernels/activations.c)


def checked_log2(x):
    """(rounded log2 of x, whether x is within 1e-3 in log2 of a power of
    two), computed in float32 like TFLM."""
    f = np.float32
    l2 = f(np.log(f(x))) * f(f(1.0) / f(np.log(f(2.0))))
    r = f(math.floor(abs(float(l2)) + 0.5)) * (1 if l2 >= 0 else -1)
    return int(r), abs(float(f(l2 - r))) < 1e-3


def rescaling(op, in_scale):
    """(multiplier, shift): input x becomes (x * multiplier + round) >> shift."""
    log2, pot = checked_log2(in_scale)
    left = 12 + log2
    if pot and (left == 0 or (op == "TANH" and left == 1)):
        return 3 << left, 0
    m = float(np.float32(in_scale)) * 4096.0 * 3.0
    shift = 0
    while m <= 32767.0 / 2.0 and shift <= 30:
        shift += 1
        m *= 2.0
    return int(m), shift


def model_outputs(op, in_scale, table):
    mult, shift = rescaling(op, in_scale)
    assert 0 < mult <= 32767, (op, in_scale, mult)
    x = ALL_INT16.astype(np.int64)
    v = (x * mult + ((1 << (shift - 1)) if shift else 0)) >> shift
    a = np.abs(v)
    bits = 9 if op == "LOGISTIC" else 8
    i = a >> bits
    t = a & ((1 << bits) - 1)
    ic = np.minimum(i, 254)
    lo, hi = table[ic], table[ic + 1]
    r = (lo << bits) + t * (hi - lo)
    if op == "LOGISTIC":
        r = np.where(i >= 255, 0x7FFF << 10, r)
        r = np.where(v >= 0, r + (1 << 9), (1 << 25) - r + (1 << 9) - 1) >> 10
    else:
        r = np.where(i >= 255, 0xFFFF << 8, r)
        r = np.where(v >= 0, r - (1 << 23) + (1 << 7), -r + (1 << 23) + (1 << 7) - 1) >> 8
    return ((r + 32768) & 0xFFFF) - 32768  # stored to int16


# ---------------------------------------------------------------------------
# Measurement


def measure():
    scale = 1 / 6144
    assert rescaling("TANH", scale) == (16384, 13), rescaling("TANH", scale)
    out = oracle_all("TANH", scale)

    def at(x):
        return int(out[x + 32768])

    table = np.zeros(256, np.int64)
    for k in range(255):
        table[k] = at(128 * k) + 32768
        # The mirrored input reads the same entry: 2^15 - entry (stored to
        # int16).
        assert at(-128 * k) == ((32768 - table[k] + 32768) & 0xFFFF) - 32768, (k, at(-128 * k), table[k])
    # Entry 255: every value consistent with the outputs of step 254 (input
    # 2x = 254 * 256 + w for even w).
    xs = range(128 * 254, 128 * 255)
    fits = []
    for cand in range(0, 65536):
        ok = True
        for x in xs:
            w = 2 * x - 254 * 256
            r = (int(table[254]) << 8) + w * (cand - int(table[254]))
            if (r - (1 << 23) + (1 << 7)) >> 8 != at(x):
                ok = False
                break
        if ok:
            fits.append(cand)
    assert len(fits) == 1, f"entry 255 not determined: {fits[:10]}"
    table[255] = fits[0]
    return table


def verify(table):
    for op in ("LOGISTIC", "TANH"):
        for s in VERIFY_SCALES:
            want = oracle_all(op, s)
            got = model_outputs(op, s, table)
            bad = np.flatnonzero(got != want)
            assert bad.size == 0, (f"{op} input scale {s}: {bad.size} outputs differ, first at input "
                                   f"{bad[0] - 32768}: model {got[bad[0]]}, wheel {want[bad[0]]}")


def header_text(table):
    rows = []
    for k in range(0, 256, 8):
        rows.append("    " + ", ".join(f"{int(v)}" for v in table[k:k + 8]) + ",")
    return (
        "// Generated by tools/gen_int16_act_tables.py: do not edit.\n"
        "//\n"
        "// The sigmoid table TFLM's int16 LOGISTIC and TANH interpolate in,\n"
        "// measured from the tflite_micro wheel (a one-op TANH model run on\n"
        "// inputs that land exactly on each entry) and checked by the script\n"
        "// against the wheel on all 65,536 int16 inputs of both ops at "
        f"{len(VERIFY_SCALES)}\n"
        "// input scales. Entry k is close to sigmoid(k / 24) in units of 2^-16\n"
        "// (the last one limited to 65535).\n"
        "\n"
        "// The one copy, for the kernels that use it (sigmoid.h declares it).\n"
        "#include \"../tflm_config.h\"\n"
        "#if MICROPY_TFLM_OP_ACTIVATIONS || MICROPY_TFLM_OP_LSTM\n"
        "#include \"sigmoid.h\"\n"
        "\n"
        "const uint16_t tflm_sigmoid16_table[256] = {\n"
        + "\n".join(rows) + "\n"
        "};\n"
        "\n"
        "#endif\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare the header with a fresh measurement")
    args = ap.parse_args()
    table = measure()
    verify(table)
    text = header_text(table)
    if args.check:
        with open(HEADER) as f:
            same = f.read() == text
        print("up to date" if same else f"{HEADER} differs from the measurement")
        sys.exit(0 if same else 1)
    with open(HEADER, "w") as f:
        f.write(text)
    print(f"wrote {HEADER}")


if __name__ == "__main__":
    main()
