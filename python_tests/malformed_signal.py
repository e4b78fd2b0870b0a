"""Bad and unsupported models of TFLM's signal library custom ops (class
signal of the malformed corpus, see malformed.py): options missing, of the
wrong kind or out of range, counts that would make TFLM read or write
outside a tensor, wrong types and ranks, filter bank tables that point
outside the spectrum. Also the one-op model builder test_signal.py uses.
"""
import numpy as np
from flatbuffers import flexbuffers

from tflite_builder import ModelBuilder, np_dtype

V, N = "ValueError", "NotImplementedError"


def flex(options):
    return bytes(flexbuffers.Dumps(options))


def op_model(name, ins, outs, options=None, raw_options=None):
    """A model of one custom op `name`. ins: (shape, dtype) for a graph
    input or (shape, dtype, data) for a constant; outs: (shape, dtype).
    Options: a dict written as a flexbuffer map, or raw bytes."""
    b = ModelBuilder()
    tin, graph_ins = [], []
    for spec in ins:
        if len(spec) > 2:
            tin.append(b.const(np.asarray(spec[2]).astype(np_dtype(spec[1])), spec[1], shape=list(spec[0])))
        else:
            t = b.tensor(list(spec[0]), spec[1])
            tin.append(t)
            graph_ins.append(t)
    tout = [b.tensor(list(s), d) for s, d in outs]
    opts = raw_options if raw_options is not None else flex(options or {})
    b.custom_op(name, tin, tout, opts)
    b.inputs(graph_ins)
    b.outputs(tout)
    return b.build()


# Valid models of each op, from keyword overrides (what the cases change).
def window(shift=12, n=480, w=480, in_type="int16", out_n=None, w_rank=1, raw=None):
    win = np.full(w, 4096)
    return op_model("SignalWindow", [((1, n), in_type), ((w,) if w_rank == 1 else (1, w), "int16", win)],
                    [((1, out_n or n), "int16")], dict(shift=shift), raw)


def auto_scale(n=480, out_n=None, in_type="int16", scale_shape=()):
    return op_model("SignalFftAutoScale", [((n,), in_type)], [((out_n or n,), "int16"), (scale_shape, "int32")])


def rfft(fft_length=512, T=7, n=480, out_last=None, dtype="int16", frames=1, out_frames=None):
    out_last = (fft_length + 2) if out_last is None else out_last
    return op_model("SignalRfft", [((frames, n), dtype)], [((out_frames or frames, out_last), dtype)],
                    dict(T=T, fft_length=fft_length))


def irfft(fft_length=512, T=7, bins=None, out_n=None, dtype="int16", frames=1):
    bins = fft_length // 2 + 1 if bins is None else bins
    return op_model("SignalIrfft", [((frames, 2 * bins), dtype)], [((frames, out_n or fft_length), dtype)],
                    dict(T=T, fft_length=fft_length))


def energy(start=5, end=241, n=514, out_n=257):
    return op_model("SignalEnergy", [((n,), "int16")], [((out_n,), "uint32")], dict(start_index=start,
                                                                                    end_index=end))


def filter_bank(channels=4, bins=32, starts=None, wstarts=None, widths=None, n_weights=24, out_n=None,
                out_type="uint64", const=True, table_len=None):
    starts = [1, 4, 9, 15, 22] if starts is None else starts
    wstarts = [0, 3, 8, 14, 21] if wstarts is None else wstarts
    widths = [3, 5, 6, 7, 3] if widths is None else widths
    k = table_len or len(starts)
    tables = [(starts[:k], "int16"), (wstarts[:k], "int16"), (widths[:k], "int16")]
    w = (np.arange(n_weights) * 97) % 4097
    ins = [((bins,), "uint32"), ((n_weights,), "int16", w), ((n_weights,), "int16", 4096 - w)]
    ins += [((len(t),), d, t) if const else ((len(t),), d) for t, d in tables]
    return op_model("SignalFilterBank", ins, [((out_n or channels,), out_type)], dict(num_channels=channels))


def sqrt(n=40, bits=None, in_type="uint64", out_n=None, bits_shape=()):
    b = ((bits_shape, "int32"),) if bits is None else ((bits_shape, "int32", np.full(bits_shape, bits)),)
    return op_model("SignalFilterBankSquareRoot", [((n,), in_type), *b], [((out_n or n,), "uint32")])


SPECTRAL = dict(alternate_one_minus_smoothing=15401, alternate_smoothing=983, clamping=False,
                min_signal_remaining=819, num_channels=40, one_minus_smoothing=15975, smoothing=409,
                smoothing_bits=10, spectral_subtraction_bits=14)


def spectral(n=40, out_n=None, noise_n=None, **o):
    return op_model("SignalFilterBankSpectralSubtraction", [((n,), "uint32")],
                    [((out_n or n,), "uint32"), ((noise_n or n,), "uint32")], dict(SPECTRAL, **o))


def pcan(n=40, noise_n=None, lut_n=125, snr_shift=6, out_n=None):
    lut = (np.arange(lut_n) * 131) % 8192
    return op_model("SignalPCAN", [((n,), "uint32"), ((noise_n or n,), "uint32"), ((lut_n,), "int16", lut)],
                    [((out_n or n,), "uint32")], dict(snr_shift=snr_shift))


def log(n=40, out_n=None, bits=3, scale=64, out_type="int16"):
    return op_model("SignalFilterBankLog", [((n,), "uint32")], [((out_n or n,), out_type)],
                    dict(input_correction_bits=bits, output_scale=scale))


def cases(seed=None):
    c = [
        # Custom options
        ("window-options-missing", window(raw=b""), V),
        ("window-options-not-map", window(raw=bytes(flexbuffers.Dumps(5))), V),
        ("window-options-truncated", window(raw=flex(dict(shift=12))[:-3]), V),
        ("window-shift-string", op_model("SignalWindow", [((1, 48), "int16"), ((48,), "int16", np.ones(48))],
                                         [((1, 48), "int16")], dict(shift="twelve")), V),
        ("window-shift-32", window(shift=32), V),
        ("window-shift-negative", window(shift=-1), V),
        ("window-not-whole-windows", window(n=100, w=48), V),
        ("window-output-count", window(out_n=479), V),
        ("window-weights-rank-2", window(w_rank=2), V),
        ("window-input-int32", window(in_type="int32"), V),
        ("auto-scale-output-count", auto_scale(out_n=400), V),
        ("auto-scale-scale-rank-1", auto_scale(scale_shape=(1,)), V),
        ("auto-scale-input-int32", auto_scale(in_type="int32"), V),
        ("rfft-length-not-power-of-two", rfft(fft_length=500, out_last=502), N),
        ("rfft-length-zero", rfft(fft_length=0, out_last=2), V),
        ("rfft-length-negative", rfft(fft_length=-512, out_last=2), V),
        ("rfft-type-int8", rfft(T=9, dtype="int8"), N),
        ("rfft-type-option-differs", rfft(T=2), V),
        ("rfft-input-longer-than-fft", rfft(n=600), V),
        ("rfft-output-too-small", rfft(out_last=512), V),
        ("rfft-output-odd", rfft(out_last=515), V),
        ("rfft-frames-differ", rfft(frames=2, out_frames=3), V),
        ("irfft-too-few-bins", irfft(bins=200), V),
        ("irfft-output-too-short", irfft(out_n=500), V),
        ("irfft-length-not-power-of-two", irfft(fft_length=96), N),
        ("energy-end-past-bins", energy(end=258), V),
        ("energy-end-past-output", energy(out_n=200), V),
        ("energy-start-after-end", energy(start=250), V),
        ("energy-start-negative", energy(start=-1), V),
        ("filter-bank-channels-zero", filter_bank(channels=0, out_n=1), V),
        ("filter-bank-band-past-spectrum", filter_bank(starts=[1, 4, 9, 15, 30]), V),
        ("filter-bank-start-negative", filter_bank(starts=[-1, 4, 9, 15, 22]), V),
        ("filter-bank-weights-past-end", filter_bank(wstarts=[0, 3, 8, 14, 22]), V),
        ("filter-bank-width-negative", filter_bank(widths=[3, 5, -6, 7, 3]), V),
        ("filter-bank-tables-short", filter_bank(table_len=4), V),
        ("filter-bank-output-count", filter_bank(out_n=5), V),
        ("filter-bank-output-uint32", filter_bank(out_type="uint32"), V),
        ("filter-bank-tables-not-constant", filter_bank(const=False), N),
        ("sqrt-scale-bits-32", sqrt(bits=32), V),
        ("sqrt-scale-bits-negative", sqrt(bits=-3), V),
        ("sqrt-scale-bits-rank-1", sqrt(bits_shape=(1,)), V),
        ("sqrt-input-uint32", sqrt(in_type="uint32"), V),
        ("sqrt-output-count", sqrt(out_n=39), V),
        ("spectral-smoothing-bits-32", spectral(smoothing_bits=32), V),
        ("spectral-subtraction-bits-64", spectral(spectral_subtraction_bits=64), V),
        ("spectral-channels-differ", spectral(num_channels=41), V),
        ("spectral-channels-zero", spectral(num_channels=0), V),
        ("spectral-noise-output-count", spectral(noise_n=20), V),
        ("spectral-output-count", spectral(out_n=41), V),
        ("pcan-lut-short", pcan(lut_n=100), V),
        ("pcan-noise-count", pcan(noise_n=39), V),
        ("pcan-output-count", pcan(out_n=41), V),
        ("pcan-snr-shift-64", pcan(snr_shift=64), V),
        ("log-correction-bits-32", log(bits=32), V),
        ("log-output-count", log(out_n=39), V),
        ("log-output-int32", log(out_type="int32"), V),
    ]
    return [("signal/" + name, model, want) for name, model, want in c]
