"""tflm.AudioFrontend's tables equal those TensorFlow's audio_microfrontend op
computes, over many configurations: the window (Q12 Hann), the filter bank's
layout and Q12 weights, the PCAN gain table. The expected values are the
op's formulas (window_util.c, filterbank_util.c, pcan_gain_control_util.c,
frontend_util.c) transcribed here with their own mix of float (numpy
float32) and double (Python floats) arithmetic and the host's libm: cos and
log1p in double, powf through ctypes. The core computes the double functions
itself (boards' libm may lack them); this checks that it rounds as the host
does. Host build of the core (`make -C modtflm/host`): runs once, with the
unix target."""
import ctypes
import ctypes.util
import math
import os
import random
import subprocess

import numpy as np
import pytest

from conftest import ROOT

TABLES = os.path.join(ROOT, "build", "host", "frontend_tables")
f32 = np.float32


@pytest.fixture(autouse=True)
def _host_only(target):
    if target.name != "unix":
        pytest.skip("host build of the core: checked once, with the unix target")
    if not os.path.exists(TABLES):
        pytest.skip(f"{TABLES} missing: run `make -C modtflm/host`")


def libm_powf():
    name = ctypes.util.find_library("m")
    if not name:
        pytest.skip("no libm for powf")
    libm = ctypes.CDLL(name)
    libm.powf.restype = ctypes.c_float
    libm.powf.argtypes = [ctypes.c_float, ctypes.c_float]
    return libm.powf


def freq_to_mel(f):
    # float in and out, double inside: 1127.0 * log1p(freq / 700.0)
    return f32(1127.0 * math.log1p(float(f) / 700.0))


def op_tables(powf, rate, window_ms, step_ms, channels, lower, upper, strength, offset, gain_bits,
              smoothing_bits):
    size = window_ms * rate // 1000
    arg = f32(math.pi * 2.0 / float(f32(size)))
    coef = []
    for i in range(size):
        v = f32(0.5 - 0.5 * math.cos(float(arg) * (i + 0.5)))
        coef.append(math.floor(float(v) * 4096 + 0.5))
    fft = 1
    while fft < size:
        fft <<= 1
    spectrum = fft // 2 + 1
    n = channels + 1
    mel_low = freq_to_mel(f32(lower))
    spacing = f32(f32(freq_to_mel(f32(upper)) - mel_low) / f32(n))
    centers = [f32(mel_low + f32(spacing * f32(i + 1))) for i in range(n)]
    hz = f32(0.5 * rate / float(f32(spectrum) - f32(1)))
    start_index = int(1.5 + float(f32(f32(lower) / hz)))
    starts, wstarts, widths, actual = [0] * n, [0] * n, [0] * n, []
    start, weights, zeros = start_index, 0, False
    for c in range(n):
        f = start
        while freq_to_mel(f32(f32(f) * hz)) <= centers[c]:
            f += 1
        width = f - start
        actual.append((start, width))
        if width == 0:
            starts[c], wstarts[c], widths[c] = 0, 0, 4
            if not zeros:
                zeros = True
                for j in range(c):
                    wstarts[j] += 4
                weights += 4
        else:
            aligned = start // 2 * 2
            padded = ((start - aligned + width - 1) // 4 + 1) * 4
            starts[c], wstarts[c], widths[c] = aligned, weights, padded
            weights += padded
        start = f
    w, uw, end = [0] * weights, [0] * weights, 0
    for c in range(n):
        f, count = actual[c]
        base = wstarts[c] + f - starts[c]
        lower_mel = mel_low if c == 0 else centers[c - 1]
        for j in range(count):
            weight = f32(f32(centers[c] - freq_to_mel(f32(f32(f + j) * hz))) / f32(centers[c] - lower_mel))
            w[base + j] = math.floor(float(f32(weight * f32(4096))) + 0.5)
            uw[base + j] = math.floor((1.0 - float(weight)) * 4096 + 0.5)
        end = max(end, f + count)
    if end >= spectrum:
        return None
    input_bits = smoothing_bits - (fft.bit_length() - 1 - 6)

    def gain(x):
        xf = f32(f32(x) / f32(1 << input_bits))
        g = f32(f32(1 << gain_bits) * f32(powf(f32(xf + f32(offset)), f32(-f32(strength)))))
        return 32767 if g > 32767 else int(f32(g + f32(0.5)))
    lut = [0] * 125
    lut[0], lut[1] = gain(0), gain(1)
    for i in range(2, 33):
        x0 = 1 << (i - 1)
        x2 = x0 + (x0 - 1) if i == 32 else 2 * x0
        y0, y1, y2 = gain(x0), gain(x0 + (x0 >> 1)), gain(x2)
        a1 = 4 * (y1 - y0) - (y2 - y0)
        lut[4 * i - 6:4 * i - 3] = [y0, int(np.int16(a1)), int(np.int16(y2 - y0 - a1))]
    chan = [v for c in range(n) for v in (starts[c], wstarts[c], widths[c])]
    return {"start": [start_index], "end": [end], "coef": coef, "chan": chan, "w": w, "uw": uw, "lut": lut}


def core_tables(args):
    out = subprocess.run([TABLES, *map(str, args)], capture_output=True, text=True, check=True).stdout
    if out.startswith("ERR"):
        return None
    lines = out.splitlines()
    head = lines[0].split()
    got = {"start": [int(head[1])], "end": [int(head[3])]}
    for line in lines[1:]:
        name, *values = line.split()
        got[name] = [int(v) for v in values]
    return got


def configs():
    yield (16000, 30, 20, 40, 125.0, 7500.0, 0.95, 80.0, 21, 10)   # micro_speech's
    yield (16000, 25, 10, 32, 125.0, 7500.0, 0.95, 80.0, 21, 10)   # the op's defaults
    rng = random.Random(20261206)
    for _ in range(150):
        rate = rng.choice([8000, 11025, 16000, 22050, 32000, 44100, 48000])
        window = rng.randint(4, 80)
        lower = round(rng.uniform(0, 500), 1)
        upper = round(rng.uniform(lower + 50, rate / 2), 1)
        yield (rate, window, rng.randint(1, window), rng.randint(1, 80), lower, upper,
               round(rng.uniform(0.05, 1.5), 3), round(rng.uniform(1, 200), 2), rng.randint(16, 24),
               rng.randint(8, 14))


def test_frontend_tables_equal_the_ops():
    powf = libm_powf()
    checked = refused = 0
    for args in configs():
        got = core_tables(args)
        want = op_tables(powf, *args)
        if want is None:
            # The op fails too (its filter bank runs past the spectrum).
            assert got is None, args
            refused += 1
            continue
        if got is None:
            # Refused by AudioFrontend's own limits (PCAN shifts out of
            # range for this FFT size), which the op would run into as
            # undefined shifts.
            refused += 1
            continue
        for name, values in want.items():
            assert got[name] == values, (args, name)
        checked += 1
    assert checked >= 120, (checked, refused)
